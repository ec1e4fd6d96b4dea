use crate::source::SourceMap;

fn compile(text: &str) -> Result<String, String> {
    let mut sources = SourceMap::new();
    sources.add("app.polar", text);
    crate::expand(&sources)
}

#[test]
fn a_small_policy_compiles_to_readable_rust() {
    let code = compile(
        r#"allow(user: User, "read", repo: Repo) if repo.public = true or user.name = "admin";
           allow(user: User, action, repo: Repo) if role in user.roles and role matches {name: action, repo_id: repo.id};"#,
    )
    .unwrap();
    insta::assert_snapshot!(code);
}

#[test]
fn unsupported_constructs_are_refused_at_their_location() {
    let cases = [
        ("allow(u: User, _, _) if u.check(1);", "method calls", "app.polar:1:25"),
        ("allow(u: User, _, _) if x := u.age * 2 and x > 1;", "`*`", "app.polar:1:30"),
        ("allow(u: User, _, _) if forall(r in u.roles, r.ok);", "`forall`", "app.polar:1:25"),
        ("allow(u: User, _, _) if u.ok or cut;", "`cut`", "app.polar:1:33"),
        ("allow(u: User, _, _) if not (u.ok and cut);", "`cut`", "app.polar:1:39"),
        ("allow(_u: Integer{garbage: 2}, _, _);", "fields on the built-in class `Integer`", "app.polar:1:11"),
        ("actor User {} allow(_u: Actor{name: 1}, _, _);", "fields on the union `Actor`", "app.polar:1:25"),
        ("allow(1 + 2, _, _);", "neither a variable, a literal nor a list", "app.polar:1:7"),
        (
            "allow(x, y, z) if f(x, y, z);\nf([1], a, a);",
            "a list literal parameter in a clause whose other parameter checks can fail",
            "app.polar:2:3",
        ),
        (
            "allow(x, y, _) if o(x, y);\no(_x: {a: 1}, _y); o(_x: {b: 1}, _y: Foo); o(_x: {a: 1}, _y: Foo);",
            "depends on which of them apply",
            "app.polar:2:1",
        ),
        (
            "allow(u, _, _) if u.admin;",
            "field lookup on a parameter without a class specializer",
            "app.polar:1:19",
        ),
    ];
    for (policy, what, location) in cases {
        let err = compile(policy).expect_err(policy);
        assert!(err.contains("G0001"), "{policy}: {err}");
        assert!(err.contains(what), "{policy}: expected {what:?} in\n{err}");
        assert!(err.contains(location), "{policy}: expected {location} in\n{err}");
    }
}

#[test]
fn cut_commits_to_the_most_specific_clause() {
    // The second clause is more specific (`Doc{locked: true}` over `Doc`), so Oso tries it
    // first; its `cut` then skips the first clause.
    let code = compile(
        r#"allow(_user: User, "read", doc: Doc) if doc.public;
           allow(user: User, "read", _doc: Doc{locked: true}) if cut and user.admin;"#,
    )
    .unwrap();
    insta::assert_snapshot!(code);
}

#[test]
fn front_end_errors_come_first() {
    let err = compile("allow(u, _, _) if has(u);").unwrap_err();
    assert!(err.contains("E0302"), "{err}");
}

#[test]
fn calls_that_bind_variables_are_inlined() {
    let code = compile(
        r#"allow(u: User, "read", r: Repo) if owner(o, r) and o = u;
           owner(u: User, r: Repo) if u = r.owner;"#,
    )
    .unwrap();
    // `owner` is inlined into `allow` for the binding mode (out, in)...
    let allow = code.split("fn __polar_rule_allow_3").nth(1).unwrap();
    assert!(!allow.contains("__polar_rule_owner_2("), "{allow}");
    // ...and still has its own function for ground calls.
    assert!(code.contains("fn __polar_rule_owner_2"));
}
