// The proof of a check cannot be made outside the module that expands the policy.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
struct User { name: String }
#[derive(PolarClass)]
struct Repo { public: bool }

mod authz {
    use super::*;
    polar_runtime::polar!(source = r#"
        allow(user: User, "delete", _: Repo) if user.name = "admin";
    "#);
}

fn delete_repo(_repo: authz::Authorized<'_, Repo, authz::actions::Delete>) {}

fn main() {
    let repo = Repo { public: true };
    delete_repo(authz::Authorized { resource: &repo, action: authz::actions::Delete });
}
