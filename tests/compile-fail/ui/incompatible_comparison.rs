// Comparisons Oso could never answer `true` to (a string with an integer): the errors name
// the policy location of each comparison and both Rust types.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub name: String,
}

#[derive(PolarClass)]
pub struct Repo {
    pub id: u64,
}

polar_runtime::polar!(file = "ui/incompatible_comparison.polar");

fn main() {}
