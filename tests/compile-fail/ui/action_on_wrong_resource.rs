// An action of another resource class does not compile: the message lists the typed actions.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
struct User { name: String }
#[derive(PolarClass)]
struct Repo { public: bool }
#[derive(PolarClass)]
struct Org { open: bool }

mod authz {
    use super::*;
    polar_runtime::polar!(source = r#"
        allow(_: User, "read", repo: Repo) if repo.public;
        allow(_: User, "join", org: Org) if org.open;
    "#);
}

fn main() {
    let (user, repo) = (User { name: "ann".into() }, Repo { public: true });
    let _ = authz::is_allowed(&user, authz::OrgAction::Join, &repo);
    let _ = authz::authorize(&user, authz::actions::Join, &repo);
}
