// A misspelled typed action does not compile (a string would silently deny).
use polar_runtime::PolarClass;

#[derive(PolarClass)]
struct User { name: String }
#[derive(PolarClass)]
struct Repo { public: bool }

mod authz {
    use super::*;
    polar_runtime::polar!(source = r#"
        allow(_: User, "read", repo: Repo) if repo.public;
        allow(user: User, "push", _: Repo) if user.name = "admin";
    "#);
}

fn main() {
    let (user, repo) = (User { name: "ann".into() }, Repo { public: true });
    let _ = authz::is_allowed(&user, authz::RepoAction::Pussh, &repo);
    let _ = authz::authorize(&user, authz::actions::Pussh, &repo);
}
