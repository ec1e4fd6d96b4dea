// A construct the compiler refuses (G0001) rather than compile something that could answer
// differently from Oso: keyword arguments to a rule, which Oso rejects when the rule is called.

mod authz {
    polar_runtime::polar!(file = "ui/unsupported.polar");
}

fn main() {}
