// `[k, v] in xs` over a collection whose elements are not lists: in Oso no element matches,
// and the compiled policy refuses it at build time (as `[a, b] = x` on a non-list).
use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub ids: Vec<i64>,
}

polar_runtime::polar!(file = "ui/pairs_not_lists.polar");

fn main() {}
