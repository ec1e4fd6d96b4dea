//! Snapshots of parse diagnostics as users see them (rustc style, plain text).

use polar_compiler::diagnostic::render;
use polar_compiler::parser::parse_file;
use polar_compiler::source::SourceMap;

fn rendered(text: &str) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add("policies/app.polar", text);
    let (_, diagnostics) = parse_file(id, text);
    render(&diagnostics, &sources)
}

#[test]
fn missing_semicolon_and_unexpected_tokens() {
    insta::assert_snapshot!(rendered(
        "allow(actor, \"read\", repo: Repo) if\n  repo.public\n\nallow(actor, _, _) if actor.admin;\n"
    ));
}

#[test]
fn every_independent_error_is_reported() {
    insta::assert_snapshot!(rendered(
        "f(x) if x = 1 = 2;\ng(x) if x isa Foo;\nh(x) if x = -y;\nk(x) if x = {a: 1, a: 2};\nok(1);\n"
    ));
}

#[test]
fn lexical_errors() {
    insta::assert_snapshot!(rendered(
        "f(x) if x = \"unterminated\n  and x = 99999999999999999999;\ng(x) if x = .5;\nh(x) if x = a::;\n"
    ));
}

#[test]
fn errors_inside_resource_blocks() {
    insta::assert_snapshot!(rendered(
        "resource Repo {\n  roles = [\"reader\" \"writer\"];\n  permissions = [\"read\"];\n  \"read\" if ;\n}\nallow(_, _, _);\n"
    ));
}

#[test]
fn unexpected_end_of_file() {
    insta::assert_snapshot!(rendered(
        "allow(actor, action, resource) if\n  has_permission(actor, action, resource)\n"
    ));
}
