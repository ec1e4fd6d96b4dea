// A method the policy calls that the Rust type does not have: rustc's own error ("no method
// named ..."), on the `polar!` call. Unlike fields, methods cannot be checked through a trait
// the compiler generates, so the policy location is not in the message (a known limit).
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub name: String,
}

#[derive(PolarClass)]
pub struct Repo {
    pub id: u64,
}

polar_runtime::polar!(file = "ui/unknown_method.polar");

fn main() {}
