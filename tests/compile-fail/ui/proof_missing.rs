// A function that demands the proof of a check cannot be called without one: not with the
// bare resource, nor with the proof of another action (`proof_forged.rs`: nor forged).
use polar_runtime::PolarClass;

#[derive(PolarClass)]
struct User { name: String }
#[derive(PolarClass)]
struct Repo { public: bool }

mod authz {
    use super::*;
    polar_runtime::polar!(source = r#"
        allow(_: User, "read", repo: Repo) if repo.public;
        allow(user: User, "delete", _: Repo) if user.name = "admin";
    "#);
}

fn delete_repo(_repo: authz::Authorized<'_, Repo, authz::actions::Delete>) {}

fn main() {
    let (user, repo) = (User { name: "admin".into() }, Repo { public: true });
    delete_repo(&repo);
    let read = authz::authorize(&user, authz::actions::Read, &repo).unwrap();
    delete_repo(read);
}
