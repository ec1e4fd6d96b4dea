// A field the policy reads that the Rust type does not have: the error names the policy
// location of the lookup.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub name: String,
}

#[derive(PolarClass)]
pub struct Repo {
    pub public: bool,
    pub owner: String,
}

polar_runtime::polar!(file = "ui/unknown_field.polar");

fn main() {}
