// A syntax error: the policy's path:line:column, quoted and marked.

mod authz {
    polar_runtime::polar!(file = "ui/syntax_error.polar");
}

fn main() {}
