// `forall([a, b] in a.field, ..)` over a collection of lists: Oso compares each matched pair
// with every element again (an error for two instances of a class without an equality
// check), so the items must be comparable like Oso: here a class without `PartialEq`.
// Over a map (`HashMap<String, Repo>`) the same policy compiles: an entry is compared only
// with itself.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct Repo {
    pub id: i64,
}

#[derive(PolarClass)]
pub struct User {
    pub pairs: Vec<Vec<Repo>>,
}

polar_runtime::polar!(file = "ui/forall_pairs.polar");

fn main() {}
