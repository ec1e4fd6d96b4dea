// `forall(x in a.field, ..)`: Oso compares every two elements of the field (an error for two
// instances of a class without an equality check), so elements the compiled policy cannot
// compare like Oso are refused: here a class without `PartialEq`.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct Repo {
    pub id: i64,
}

#[derive(PolarClass)]
pub struct User {
    pub watching: Vec<Repo>,
}

polar_runtime::polar!(file = "ui/forall_member.polar");

fn main() {}
