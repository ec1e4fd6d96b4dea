// A policy file that does not exist.

mod authz {
    polar_runtime::polar!(file = "ui/does_not_exist.polar");
}

fn main() {}
