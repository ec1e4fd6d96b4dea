use super::*;
use crate::source::FileId;

fn parse(text: &str) -> (File, Vec<Diagnostic>) {
    parse_file(FileId(0), text)
}

fn parse_ok(text: &str) -> File {
    let (file, diagnostics) = parse(text);
    assert!(diagnostics.is_empty(), "unexpected diagnostics for {text:?}: {diagnostics:#?}");
    file
}

fn errors(text: &str) -> Vec<(&'static str, String)> {
    let (_, diagnostics) = parse(text);
    diagnostics.into_iter().map(|d| (d.code, text[d.span.range()].to_owned())).collect()
}

fn body(text: &str) -> Term {
    let file = parse_ok(text);
    match &file.items[0] {
        Item::Rule(rule) => rule.body.clone().expect("rule has a body"),
        other => panic!("not a rule: {other:?}"),
    }
}

#[test]
fn facts_rules_and_types() {
    let file = parse_ok("f(1); g(x) if f(x); type h(x: Integer); ?= f(1);");
    assert_eq!(file.items.len(), 4);
    assert!(matches!(&file.items[0], Item::Rule(Rule { body: None, .. })));
    assert!(matches!(&file.items[1], Item::Rule(Rule { body: Some(_), .. })));
    assert!(matches!(&file.items[2], Item::RuleType(_)));
    assert!(matches!(&file.items[3], Item::Query(_)));
}

#[test]
fn precedence_or_and_not_unify() {
    let t = body("f(x) if not x = 1 and y = 2 or z = 3;");
    let TermKind::Or(alts) = &t.kind else { panic!("{t:?}") };
    let TermKind::And(conj) = &alts[0].kind else { panic!() };
    assert!(matches!(conj[0].kind, TermKind::Not(_)));
    assert!(matches!(alts[1].kind, TermKind::Binary { op: BinOp::Unify, .. }));
}

#[test]
fn in_binds_tighter_than_arithmetic() {
    // `x + 1 in y` is `x + (1 in y)`: a value expected, a logical found.
    assert_eq!(errors("f(x, y) if x + 1 in y;"), vec![(codes::WRONG_KIND, "1 in y".to_owned())]);
    parse_ok("f(x, y) if (x + 1) in y;");
}

#[test]
fn value_and_logical_kinds_are_checked() {
    assert_eq!(errors("f(x) if x = 1 = 2;")[0].0, codes::WRONG_KIND);
    assert_eq!(errors("f() if not 1;")[0].0, codes::WRONG_KIND);
    assert_eq!(errors("f(x) if forall([1], x);")[0].0, codes::WRONG_KIND);
    assert_eq!(errors("f() if 1 and 2;")[0].0, codes::WRONG_KIND);
    assert_eq!(errors("f(x) if x = {a: 1 < 2};")[0].0, codes::WRONG_KIND);
    parse_ok("f(x) if forall(y in x, y.ok);");
}

#[test]
fn unary_minus_only_before_literals() {
    parse_ok("f(x) if x = -1 and x = 3 - -1 and x = -inf and x = +2.5;");
    assert_eq!(errors("f(x, y) if x = -y;"), vec![(codes::UNEXPECTED_TOKEN, "y".to_owned())]);
}

#[test]
fn dots_calls_and_keys() {
    let t = body(r#"f(x, k) if x.a.b() = x.(k) and x.("odd key") = x.type and x.in(1, c: 2);"#);
    let TermKind::And(conj) = &t.kind else { panic!() };
    let TermKind::Binary { left, right, .. } = &conj[0].kind else { panic!() };
    assert!(matches!(&left.kind, TermKind::Dot { member: Member::Method(c), .. } if c.args.is_empty()));
    assert!(matches!(&right.kind, TermKind::Dot { member: Member::DynamicKey(k), .. } if k.name == "k"));
    let TermKind::Binary { left, right, .. } = &conj[1].kind else { panic!() };
    assert!(matches!(&left.kind, TermKind::Dot { member: Member::Field(k), .. } if k.name == "odd key"));
    assert!(matches!(&right.kind, TermKind::Dot { member: Member::Field(k), .. } if k.name == "type"));
    assert!(matches!(&conj[2].kind, TermKind::Dot { member: Member::Method(c), .. } if c.kwargs.is_some()));
}

#[test]
fn specializers_and_patterns() {
    let file = parse_ok("f(x: Foo, y: Foo{a: 1, b}, z: {c: [1, *r]}, w: 1, v: \"s\", u: [a, *b]);");
    let Item::Rule(rule) = &file.items[0] else { panic!() };
    let s: Vec<_> = rule.params.iter().map(|p| p.specializer.clone().unwrap().kind).collect();
    assert!(matches!(&s[0], TermKind::Instance { bare: true, fields, .. } if fields.is_empty()));
    assert!(
        matches!(&s[1], TermKind::Instance { bare: false, fields, .. } if fields.len() == 2 && fields[1].shorthand)
    );
    assert!(matches!(&s[2], TermKind::DictPattern(_)));
    assert!(matches!(&s[3], TermKind::Integer(1)));
    assert!(matches!(&s[5], TermKind::List { rest: Some(_), .. }));
}

#[test]
fn matches_turns_a_bare_name_into_a_class() {
    let t = body("f(x) if x matches Foo and x matches {a: y.z} and x matches y;");
    let TermKind::And(conj) = &t.kind else { panic!() };
    for c in [&conj[0], &conj[2]] {
        let TermKind::Matches { pattern, .. } = &c.kind else { panic!() };
        assert!(matches!(pattern.kind, TermKind::Instance { bare: true, .. }));
    }
}

#[test]
fn lists_rest_and_comma_quirks() {
    parse_ok("f(x) if x = [] and x = [*r] and x = [1, 2,] and x = [1,, 2] and x = [1, *r];");
    assert_eq!(errors("f(x) if x = [*r, 3];")[0].0, codes::UNEXPECTED_TOKEN);
    assert_eq!(errors("f(x) if x = [1, *a, *b];")[0].0, codes::UNEXPECTED_TOKEN);
    assert_eq!(errors("f(x) if x = [, 1];")[0].0, codes::UNEXPECTED_TOKEN);
}

#[test]
fn dictionaries() {
    parse_ok("f(x) if x = {} and x = {a: 1, in: 2, b,} and x = {a: 1,, b: 2};");
    assert_eq!(errors("f(x) if x = {a: 1, a: 2};"), vec![(codes::DUPLICATE_KEY, "a".to_owned())]);
    assert_eq!(errors("f(x) if x = Foo{a: 1};")[0].0, codes::UNEXPECTED_TOKEN);
}

#[test]
fn builtins() {
    parse_ok("f(x) if print(x, 1,) and debug() and cut and new Foo(1, b: 2) = x;");
    assert_eq!(errors("f(x) if x isa Foo;")[0].0, codes::UNEXPECTED_TOKEN);
    assert_eq!(errors("f(x) if new Foo = x;")[0].0, codes::UNEXPECTED_TOKEN);
    // Oso's internal operator-call syntax is part of the grammar.
    parse_ok("f(x) if .(x, \"a\", y) and in(1, x) and new(Foo(), z) and y = z;");
}

#[test]
fn assignment_needs_a_bare_variable() {
    parse_ok("f(x) if y := x + 1 and y > 0;");
    assert_eq!(errors("f(x) if (y) := 1;")[0], (codes::UNEXPECTED_TOKEN, ":=".to_owned()));
    assert_eq!(errors("f(x) if x.y := 1;")[0].0, codes::UNEXPECTED_TOKEN);
}

#[test]
fn resource_blocks() {
    let file = parse_ok(
        r#"actor User {}
resource Repo {
  permissions = ["read", "push"];
  roles = ["reader", "writer",];
  relations = { parent: Org, creator: User };
  "read" if "reader";
  "reader" if "member" on "parent";
}"#,
    );
    let Item::ResourceBlock(block) = &file.items[1] else { panic!() };
    assert_eq!(block.keyword.as_ref().unwrap().name, "resource");
    assert_eq!(block.productions.len(), 5);
    let Production::Shorthand(rule) = &block.productions[4] else { panic!() };
    assert_eq!(rule.relation.as_ref().unwrap().1.value, "parent");
}

#[test]
fn strings_and_numbers() {
    let t = body(r#"f(x) if x = "a\"b\\c\n\q" and x = 1. and x = 1e5 and x = 007;"#);
    let TermKind::And(conj) = &t.kind else { panic!() };
    let TermKind::Binary { right, .. } = &conj[0].kind else { panic!() };
    assert_eq!(right.kind, TermKind::String("a\"b\\c\nq".to_owned()));
    assert_eq!(errors("f(x) if x = .5;")[0].0, codes::UNEXPECTED_TOKEN);
    assert_eq!(errors("f(x) if x = 99999999999999999999;")[0].0, codes::INTEGER_OVERFLOW);
    assert_eq!(errors("f(x) if x = \"ab\ncd\";")[0].0, codes::BAD_STRING);
    assert_eq!(errors("f(x) if x = 1e;")[0].0, codes::INVALID_FLOAT);
}

#[test]
fn symbols() {
    parse_ok("f(x) if x = café and x = 🦀 and x = a::b and x = ok?;");
    assert_eq!(errors("f(x) if x = a::;")[0].0, codes::INVALID_CHARACTER);
}

#[test]
fn reports_every_independent_error() {
    let text = "f(x) if x = ;\ng(x) if x;\nh(x) if (x;\nresource R { roles = [1]; permissions = [\"a\"]; \"a\" if ; }\nk(x) if x = 1 = 2;\nok(1);";
    let (file, diagnostics) = parse(text);
    assert_eq!(diagnostics.len(), 5, "{diagnostics:#?}");
    // g, the block (with its good declaration) and ok survive.
    assert_eq!(file.items.len(), 3, "{:#?}", file.items);
}

#[test]
fn unexpected_end_of_file() {
    let (_, d) = parse("f(x) if x");
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("end of file"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("f(x) if x = {}1{};", "(".repeat(100_000), ")".repeat(100_000));
    let (_, d) = parse(&deep);
    assert_eq!(d[0].code, codes::TOO_DEEP);
    let ok = format!("f(x) if x = {}1{};", "[".repeat(60), "]".repeat(60));
    parse_ok(&ok);
}

#[test]
fn nesting_up_to_the_bound_fits_a_small_thread_stack() {
    let at_bound = MAX_NESTING - 2; // the body's own expression and the `=` are one level each
    let text = format!("f(x) if x = {}1{};", "(".repeat(at_bound), ")".repeat(at_bound));
    let over = format!("f(x) if x = {}1{};", "(".repeat(at_bound + 1), ")".repeat(at_bound + 1));
    let run = |text: String| {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&text).1.into_iter().map(|d| d.code).collect::<Vec<_>>())
            .unwrap()
            .join()
            .unwrap()
    };
    assert_eq!(run(text), Vec::<&str>::new());
    assert_eq!(run(over), vec![codes::TOO_DEEP]);
}

#[test]
fn long_operator_chains_count_as_nesting() {
    // Each operator of a left-associative chain deepens the tree by one level.
    let sum = format!("f(x) if x = 1{};", " + 1".repeat(100_000));
    assert_eq!(errors(&sum)[0].0, codes::TOO_DEEP);
    let dots = format!("f(x) if x{} = 1;", ".a".repeat(100_000));
    assert_eq!(errors(&dots)[0].0, codes::TOO_DEEP);
    // Conjunctions are flat, so any length is fine.
    parse_ok(&format!("f(x) if x = 1{};", " and x = 1".repeat(10_000)));
    parse_ok(&format!("f(x) if x = 1{};", " + 1".repeat(100)));
}

#[test]
fn a_forgotten_semicolon_does_not_swallow_the_next_item() {
    let text = "allow(u, _, r) if r.owner = u\nresource Repo {\n  roles = [\"a\"]\n  permissions = [\"b\"];\n}\nf(1);";
    let (file, d) = parse(text);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d.iter().all(|d| d.message.contains("expected `;`")));
    // The block (with its second declaration) and `f` survive.
    assert_eq!(file.items.len(), 2);
    let Item::ResourceBlock(block) = &file.items[0] else { panic!() };
    assert_eq!(block.productions.len(), 1);
}
