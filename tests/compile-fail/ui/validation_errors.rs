// Validation errors, all of them: a call to an undefined rule and a singleton variable.

mod authz {
    polar_runtime::polar!(file = "ui/validation_errors.polar");
}

fn main() {}
