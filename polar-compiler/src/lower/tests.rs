use super::*;
use crate::parser::parse_file;
use crate::source::{FileId, SourceMap};

fn parse(src: &str) -> ast::File {
    let (file, diagnostics) = parse_file(FileId(0), src);
    assert!(diagnostics.is_empty(), "parse errors: {diagnostics:#?}");
    file
}

fn lower_src(src: &str) -> (Program, Vec<Diagnostic>) {
    lower(&[parse(src)])
}

fn lower_ok(src: &str) -> Program {
    let (program, diagnostics) = lower_src(src);
    assert!(diagnostics.is_empty(), "unexpected diagnostics: {diagnostics:#?}");
    program
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn generated(program: &Program) -> Vec<String> {
    program.rules.iter().filter(|r| r.is_generated()).map(LoweredRule::to_polar).collect()
}

fn snippet(src: &str, span: Span) -> &str {
    &src[span.range()]
}

#[test]
fn local_shorthand_rules_desugar_like_oso() {
    // Expected strings from polar-core's `test_resource_block_local_rewrite_shorthand_rules`.
    let p = lower_ok(
        r#"resource Org {
             roles = ["owner", "member"];
             permissions = ["invite", "create_repo"];
             "member" if "owner";
             "invite" if "owner";
             "create_repo" if "invite";
           }"#,
    );
    assert_eq!(
        generated(&p),
        [
            r#"has_role(actor: Actor{}, "member", org: Org{}) if has_role(actor, "owner", org);"#,
            r#"has_permission(actor: Actor{}, "invite", org: Org{}) if has_role(actor, "owner", org);"#,
            r#"has_permission(actor: Actor{}, "create_repo", org: Org{}) if has_permission(actor, "invite", org);"#,
        ]
    );
}

#[test]
fn cross_resource_rules_put_has_relation_first() {
    let p = lower_ok(
        r#"resource Repo { roles = ["reader"]; relations = { parent: Org }; "reader" if "member" on "parent"; }
           resource Org { roles = ["member"]; }"#,
    );
    assert_eq!(
        generated(&p),
        [
            r#"has_role(actor: Actor{}, "reader", repo: Repo{}) if has_relation(related_org, "parent", repo) and has_role(actor, "member", related_org);"#
        ]
    );
}

#[test]
fn variable_names_follow_resource_name_as_var() {
    // Lowercase class names get `_instance`; a recursive relation gets `related_`.
    let p = lower_ok(
        r#"resource repo { roles = ["reader"]; relations = { parent: org }; "reader" if "member" on "parent"; }
           resource org { roles = ["member"]; }
           resource Dir { permissions = ["read"]; relations = { parent: Dir }; "read" if "read" on "parent"; }"#,
    );
    assert_eq!(
        generated(&p),
        [
            r#"has_role(actor: Actor{}, "reader", repo_instance: repo{}) if has_relation(related_org_instance, "parent", repo_instance) and has_role(actor, "member", related_org_instance);"#,
            r#"has_permission(actor: Actor{}, "read", dir: Dir{}) if has_relation(related_dir, "parent", dir) and has_permission(actor, "read", related_dir);"#,
        ]
    );
    assert_eq!(resource_name_as_var("GitHubOrg", false), "githuborg");
    assert_eq!(resource_name_as_var("org", true), "related_org_instance");
}

#[test]
fn a_relation_can_imply_a_role() {
    let p = lower_ok(
        r#"actor User {}
           resource Repo { roles = ["admin"]; relations = { creator: User }; "admin" if "creator"; }"#,
    );
    assert_eq!(
        generated(&p),
        [r#"has_role(actor: Actor{}, "admin", repo: Repo{}) if has_relation(actor, "creator", repo);"#]
    );
}

#[test]
fn generated_rules_follow_user_rules_and_point_at_the_shorthand_rule() {
    let src = r#"resource Org { roles = ["owner", "member"]; "member" if "owner"; }
allow(actor, action, resource) if has_permission(actor, action, resource);
has_role(_: Actor, _: String, _: Resource);
"#;
    let p = lower_ok(src);
    let names: Vec<&str> = p.rules.iter().map(|r| r.name.name.as_str()).collect();
    assert_eq!(names, ["allow", "has_role", "has_role"]);
    for (i, r) in p.rules.iter().enumerate() {
        assert_eq!(r.id, RuleId(i as u32));
    }
    let generated = &p.rules[2];
    assert!(generated.is_generated() && !p.rules[0].is_generated());
    assert_eq!(snippet(src, generated.span), r#""member" if "owner";"#);
    match &generated.origin {
        RuleOrigin::Shorthand { resource } => assert_eq!(resource.name, "Org"),
        other => panic!("unexpected origin {other:?}"),
    }
    // Every span of the generated rule lies inside the shorthand rule or the block name.
    assert_eq!(snippet(src, generated.params[1].span), r#""member""#);
    assert_eq!(snippet(src, generated.body_terms()[0].span), r#""owner""#);
    let lowered = p.blocks[0].shorthand_rules[0].lowered;
    assert_eq!(lowered, Some(RuleId(2)));
}

#[test]
fn facts_get_an_empty_conjunction_and_bodies_are_conjunctions() {
    let p = lower_ok("f(1); g(x) if x = 1; h(x) if x = 1 or x = 2; k(x) if x = 1 and x = 2;");
    assert!(p.rules[0].is_fact());
    assert_eq!(p.rules[0].to_polar(), "f(1);");
    for r in &p.rules {
        assert!(matches!(r.body.kind, TermKind::And(_)), "{}", r.to_polar());
    }
    assert_eq!(p.rules[1].body_terms().len(), 1);
    assert_eq!(p.rules[2].to_polar(), "h(x) if (x = 1 or x = 2);", "Oso's format for an or body");
    assert_eq!(p.rules[3].body_terms().len(), 2);
}

#[test]
fn reopened_blocks_merge_and_unions_follow_block_kinds() {
    let p = lower_ok(
        r#"resource Repo { roles = ["reader"]; "read" if "reader"; }
           actor User {}
           resource Repo { permissions = ["read"]; "reader" if "writer"; roles = ["writer"]; }
           resource Team {}
           actor Team { roles = ["member"]; }"#,
    );
    assert_eq!(p.blocks.len(), 3);
    let repo = p.block("Repo").unwrap();
    assert_eq!(repo.openings.len(), 2);
    assert_eq!(repo.roles().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["reader", "writer"]);
    assert_eq!(repo.shorthand_rules.len(), 2);
    assert!(repo.shorthand_rules.iter().all(|s| s.lowered.is_some()));
    assert_eq!(p.actors().collect::<Vec<_>>(), ["User", "Team"]);
    assert_eq!(p.resources().collect::<Vec<_>>(), ["Repo", "User", "Team"]);
    assert!(p.is_actor("Team") && p.is_resource("User") && !p.is_actor("Repo"));
    assert_eq!(p.union_members("Actor").unwrap(), ["User", "Team"]);
    assert!(p.union_members("User").is_none());
}

#[test]
fn identical_redeclarations_in_reopened_blocks_are_fine_but_conflicts_are_not() {
    lower_ok(
        r#"resource Repo { roles = ["reader"]; relations = { parent: Repo }; }
           resource Repo { roles = ["reader"]; relations = { parent: Repo }; }"#,
    );
    let src = r#"resource Repo { roles = ["reader"]; relations = { parent: Repo }; }
resource Repo { permissions = ["reader"]; relations = { parent: User }; }"#;
    let (_, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0205", "E0205"]);
    assert!(
        d[0].message.contains(r#""reader" is declared as a role and as a permission"#),
        "{}",
        d[0].message
    );
    assert_eq!(snippet(src, d[0].span), r#""reader""#);
    assert_eq!(
        d[0].span.start as usize,
        src.rfind(r#""reader""#).unwrap(),
        "points at the second declaration"
    );
    assert!(d[1].message.contains("a relation to `Repo` and as a relation to `User`"), "{}", d[1].message);
    assert_eq!(d[0].secondary.len(), 1);
}

#[test]
fn duplicates_within_one_block_are_errors() {
    // polar-core's `test_resource_block_with_clashing_declarations`.
    let (_, d) = lower_src(r#"resource Org { roles = ["egg", "egg"]; "egg" if "egg"; }"#);
    assert_eq!(codes(&d), ["E0205"]);
    assert!(d[0].message.contains(r#"role "egg" is declared twice"#));
    let (_, d) = lower_src(
        r#"resource Org { roles = ["egg", "tootsie"]; permissions = ["spring", "egg"];
           "egg" if "tootsie"; "tootsie" if "spring"; }"#,
    );
    assert_eq!(codes(&d), ["E0205"]);
    let (_, d) = lower_src(r#"resource Org { permissions = ["egg"]; relations = { egg: Roll }; }"#);
    assert_eq!(codes(&d), ["E0205"]);
}

#[test]
fn a_kind_of_declaration_may_appear_once_per_block() {
    let (_, d) = lower_src(r#"resource Org { roles = ["a"]; roles = ["b"]; }"#);
    assert_eq!(codes(&d), ["E0204"]);
    assert!(d[0].message.contains("multiple `roles` declarations in resource block `Org`"));
    // The roles of both declarations are kept, so no further errors follow.
    let (p, d) = lower_src(r#"resource Org { roles = ["a"]; roles = ["b"]; "a" if "b"; }"#);
    assert_eq!(codes(&d), ["E0204"]);
    assert_eq!(generated(&p).len(), 1);
}

#[test]
fn block_keywords_must_be_actor_or_resource() {
    let src = "Org {} seahorse Repo {} actr User {}";
    let (p, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0201", "E0201", "E0201"]);
    assert!(d[0].message.contains("found nothing"));
    assert_eq!(snippet(src, d[0].span), "Org");
    assert!(d[1].message.contains("found `seahorse`"));
    assert_eq!(snippet(src, d[1].span), "seahorse");
    assert_eq!(d[2].help.as_deref(), Some("did you mean `actor User { ... }`?"));
    assert!(p.is_actor("User"), "recovers with the suggested keyword");
}

#[test]
fn declarations_must_be_known_and_well_shaped() {
    // polar-core's `test_resource_block_declaration_keywords`.
    let (_, d) = lower_src("resource Org { roles = {}; }");
    assert_eq!(codes(&d), ["E0203"]);
    assert!(d[0].message.contains("expected `roles` to be a list of strings, found a dictionary"));
    let (_, d) = lower_src("resource Org { relations = []; }");
    assert_eq!(codes(&d), ["E0203"]);
    let (_, d) = lower_src("resource Org { foo = []; }");
    assert_eq!(codes(&d), ["E0202"]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `roles = [ ... ];` or `permissions = [ ... ];`?"));
    let (_, d) = lower_src("resource Org { foo = {}; }");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `relations = { ... };`?"));
    let (_, d) = lower_src(r#"resource Org { permission = ["read"]; "read" if "read"; }"#);
    assert_eq!(codes(&d), ["E0202"], "no second error for the term of the bad declaration");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `permissions`?"));
}

#[test]
fn undeclared_terms_are_reported_with_a_suggestion() {
    let src = r#"resource Repo { roles = ["reader", "writer"]; permissions = ["read"]; "read" if "reder"; "pull" if "owner"; }"#;
    let (p, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0206", "E0206", "E0206"]);
    assert_eq!(d[0].message, r#"undeclared term "reder" in resource block `Repo`; did you mean "reader"?"#);
    assert_eq!(snippet(src, d[0].span), r#""reder""#);
    assert_eq!(snippet(src, d[1].span), r#""pull""#);
    assert_eq!(snippet(src, d[2].span), r#""owner""#);
    assert!(generated(&p).is_empty(), "rules that cannot be desugared are dropped");
}

#[test]
fn relation_keyword_must_be_on() {
    let src =
        r#"resource Org { roles = ["foo", "bar"]; relations = { baz: Org }; "foo" if "bar" onn "baz"; }"#;
    let (_, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0207"]);
    assert_eq!(snippet(src, d[0].span), "onn");
}

#[test]
fn only_a_relation_can_follow_on() {
    let src = r#"resource Repo { roles = ["writer", "owner"]; "writer" if "owner" on "owner"; }"#;
    let (_, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0208"]);
    assert!(d[0].message.contains("declared as a role"));
    let (_, d) = lower_src(r#"resource Repo { roles = ["writer"]; "writer" if "owner" on "parent"; }"#);
    assert_eq!(codes(&d), ["E0206"], "an undeclared relation is an undeclared term");
}

#[test]
fn the_related_block_must_exist_and_declare_the_implier() {
    // polar-core's `test_resource_block_with_undeclared_nonlocal_shorthand_rule_body`.
    let src = r#"resource Repo { roles = ["writer"]; relations = { parent: Org }; "writer" if "owner" on "parent"; }"#;
    let (_, d) = lower_src(src);
    assert_eq!(codes(&d), ["E0209"]);
    assert!(d[0].message.contains("has type `Org`, but `Org` has no resource block"));
    let (_, d) = lower_src(&format!("{src} resource Org {{ roles = [\"ownr\"]; }}"));
    assert_eq!(codes(&d), ["E0210"]);
    assert!(d[0].message.contains(r#"term "owner" is not declared in resource block `Org`"#));
    assert!(d[0].message.ends_with(r#"did you mean "ownr"?"#));
}

#[test]
fn every_independent_error_is_reported() {
    let (_, d) = lower_src(
        r#"Org { roles = ["a"]; }
           resource Repo { roles = ["a", "a"]; perms = ["x"]; "b" if "a"; }
           resource Issue { relations = { parent: Nowhere }; roles = ["r"]; "r" if "r" on "parent"; "r" if "r" of "parent"; }"#,
    );
    let mut c = codes(&d);
    c.sort_unstable();
    assert_eq!(c, ["E0201", "E0202", "E0205", "E0206", "E0207", "E0209", "E0209"]);
}

#[test]
fn rule_types_builtin_declared_and_generated() {
    let p = lower_ok(
        r#"type is_adult(u: User);
           actor User {}
           resource Org { roles = ["member"]; relations = { owner: User }; }
           resource Repo {
             roles = ["reader", "admin"];
             relations = { parent: Org, creator: User, unused: User };
             "reader" if "member" on "parent";
             "admin" if "creator";
             "admin" if "owner" on "parent";
           }"#,
    );
    let shown: Vec<String> =
        p.rule_types.iter().map(|t| format!("{} {}", t.to_polar(), t.required)).collect();
    assert_eq!(
        shown,
        [
            "has_permission(actor: Actor, _permission: String, resource: Resource) false",
            "allow(actor, _action, resource) false",
            "allow_field(actor, action, resource, field) false",
            "allow_request(actor, request) false",
            "is_adult(u: User) false",
            r#"has_relation(subject: User, "owner", object: Org) true"#,
            r#"has_relation(subject: Org, "parent", object: Repo) true"#,
            r#"has_relation(subject: User, "creator", object: Repo) true"#,
            r#"has_relation(subject: User, "unused", object: Repo) false"#,
            "has_role(actor: Actor, role: String, resource: Resource) true",
        ]
    );
    assert!(matches!(p.rule_types[0].origin, RuleTypeOrigin::Builtin));
    assert!(matches!(p.rule_types[4].origin, RuleTypeOrigin::Declared { .. }));
    match &p.rule_types[5].origin {
        RuleTypeOrigin::Generated { required_by, .. } => assert_eq!(required_by.len(), 1),
        other => panic!("{other:?}"),
    }
    // No roles anywhere: no has_role type.
    let p = lower_ok(r#"resource Org { permissions = ["read"]; }"#);
    assert!(p.rule_types_named("has_role").next().is_none());
}

#[test]
fn inline_queries_are_collected_in_order() {
    let p = lower_ok("f(1); ?= f(1); ?= f(2) or f(1);");
    assert_eq!(p.queries.iter().map(term_to_polar).collect::<Vec<_>>(), ["f(1)", "f(2) or f(1)"]);
}

#[test]
fn printed_rules_reparse_to_the_same_rules() {
    let src = r#"
f(x: Foo{a: 1, b: [1, *rest]}, {k}, "q\"uote\\\n", -1, 2.5, 1e20) if
    x.a.b(1, k: 2) = new Bar(3) and x.("weird-key") = x.(k) and not (a = 1 or b = 2) and
    forall(y in x, y > 1) and (1 + 2) * 3 = 9 and 7 - (2 - 1) = 6 and print(x) and cut and
    x matches {a: 1} and [1, 2] = [*z] and z = {a: true, b: nil} and debug() and
    (x = 1 and y = 2 or x = 3) and x.y mod 2 = 0;
g(_x: Integer, _: String, _y: {a: 1});
"#;
    let p = lower_ok(src);
    let once = p.to_polar();
    let again = lower_ok(&once).to_polar();
    assert_eq!(once, again);
    assert!(once.contains(r#""q\"uote\\\n""#), "{once}");
    assert!(once.contains("1e20") && once.contains("2.5"), "{once}");
    assert!(once.contains(r#"x.("weird-key")"#) && once.contains("x.(k)"), "{once}");
    assert!(once.contains("7 - (2 - 1) = 6"), "{once}");
    assert!(once.contains("g(_x: Integer, _: String, _y: {a: 1});"), "{once}");
}

#[test]
fn program_spans_render_with_the_source_map() {
    // A generated rule's span renders at the shorthand rule in the right file.
    let mut sources = SourceMap::new();
    let a = sources.add("a.polar", "allow(_, _, _);\n");
    let b_text = "resource Org {\n  roles = [\"x\", \"y\"];\n  \"x\" if \"y\";\n}\n";
    let b = sources.add("b.polar", b_text);
    let (fa, _) = parse_file(a, &sources.get(a).text.clone());
    let (fb, _) = parse_file(b, b_text);
    let (p, d) = lower(&[fa, fb]);
    assert!(d.is_empty());
    let generated = p.rules.iter().find(|r| r.is_generated()).unwrap();
    assert_eq!(sources.location(generated.span), "b.polar:3:3");
}
