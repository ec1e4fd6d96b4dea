// A class of the policy that is a Rust type without `#[derive(PolarClass)]`.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub admin: bool,
}

pub struct Org;

polar_runtime::polar!(file = "ui/not_a_class.polar");

fn main() {}
