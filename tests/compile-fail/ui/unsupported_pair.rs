// Asking about an (actor, resource) pair no `allow` rule accepts would always answer
// `false`: it is a build error naming the policy.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub name: String,
}

#[derive(PolarClass)]
pub struct Repo {
    pub owner: String,
}

polar_runtime::polar!(file = "ui/unsupported_pair.polar");

fn main() {
    let user = User { name: "ann".into() };
    let _ = is_allowed(&user, "read", &Repo { owner: "ann".into() });
    let _ = is_allowed(&user, "read", &user);
}
