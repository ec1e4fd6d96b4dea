// A class of the policy with no Rust type of that name in scope: rustc's own "cannot find
// type" error, on the `polar!` call (stable Rust cannot attach the policy location to a name
// resolution error without breaking policies expanded inside a function body).
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub admin: bool,
}

polar_runtime::polar!(file = "ui/unknown_class.polar");

fn main() {}
