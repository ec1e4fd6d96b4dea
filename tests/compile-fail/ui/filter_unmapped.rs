// A relation field without its storage: the table mapping fails at the field, saying what
// to add, whether or not the filter is used.
use polar_runtime::PolarClass;

#[derive(PolarClass, PartialEq)]
#[polar(table = "orgs")]
struct Org { id: i64 }

#[derive(PolarClass)]
#[polar(table = "repos")]
struct Repo {
    id: i64,
    org: Org,
}

fn main() {}
