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
        (
            "allow(u, _, _) if u.check(1);",
            "method call on a parameter without a class specializer",
            "app.polar:1:19",
        ),
        ("allow(u: User, _, _) if u.check(1, k: 2);", "keyword arguments to a method", "app.polar:1:25"),
        (
            "allow(_: User, _, _) if Env.var(\"x\") = 1;",
            "calling a method on the class `Env`",
            "app.polar:1:25",
        ),
        ("allow(u: User, _, _) if u.x.(k) = 1 and k = 1;", "variable key", "app.polar:1:25"),
        ("allow(u: User, _, _) if x = new Foo(1) and x = u;", "`new`", "app.polar:1:29"),
        ("allow(u: User, _, _) if debug() and u.ok;", "`debug()`", "app.polar:1:25"),
        ("allow(u: User, _, _) if [1, u.a + 1] = u.pair;", "arithmetic inside a list", "app.polar:1:25"),
        (
            "allow(u: User, _, _) if forall(x in u.xs, (x + 1) in u.ys);",
            "directly inside `forall`",
            "app.polar:1:43",
        ),
        ("allow(u: User, _, _) if forall(x in u.xs, f(x.a));\nf(_);", "rule call", "app.polar:1:43"),
        ("allow(u: User, _, _) if [1, 2] == u.xs;", "`==` on a list", "app.polar:1:25"),
        (
            "allow(u: User, _, _) if x = {a: 1} and x = u.d;",
            "binding a variable to a dictionary literal",
            "app.polar:1:25",
        ),
        // `x` would be bound to the list `["a", 1]`, of two types.
        ("allow(u: User, _, _) if x in {a: 1} and x = u;", "list literal used as a value", "app.polar:1:31"),
        (
            "allow(u: User, _, _) if x = [1, \"a\"] and x = u.xs;",
            "list literal used as a value",
            "app.polar:1:29",
        ),
    ];
    for (policy, what, location) in cases {
        let err = compile(policy).expect_err(policy);
        assert!(err.contains("G0001"), "{policy}: {err}");
        assert!(err.contains(what), "{policy}: expected {what:?} in\n{err}");
        assert!(err.contains(location), "{policy}: expected {location} in\n{err}");
    }
}

/// Constructs compiled since values and goals were added: each compiles (rustc checks the
/// types in `tests/tests/values_vs_oso.rs`).
#[test]
fn values_and_goals_compile() {
    for policy in [
        "allow(u: User, _, d: Doc) if x := u.age * 2 and x > d.level + 1;",
        "allow(u: User, _, _) if u.age / 2 > 1.5 and u.age mod 3 = u.age rem 3;",
        "allow(_: User, _, d: Doc) if forall(t in d.tags, t in [\"a\", \"b\"]);",
        "allow(u: User, _, d: Doc) if [1, x] = d.nums and {a: x} = d.dict and x = u.age;",
        "allow(u: User, _, d: Doc) if u.check(d.level, \"x\", 2.5) and u.maybe() = nil;",
        "allow(u: User, _, d: Doc) if print(u.name, d, [1], nil) and d.dict.k = 1;",
        "allow(u: User, _, _) if c in u.name and c in \"abc\" and u.name < \"m\";",
        "allow(u: User, _, _) if not u.age + 1 = 2 and u.nums = [] and [] = [];",
        "allow(u, _, _) if u + 1 > 2;",
        "allow(u: User, _, d: Doc) if [k, v] in d.map and k = u.name and v > 1;",
        "allow(u: User, _, d: Doc) if forall([_k, v] in d.map, v > u.age) and not [\"x\", _] in d.map;",
        "allow(u: User, _, _) if [k, v] in {b: 2, a: u.age} and k = u.name and v = 2;",
        "allow(u: User, _, _) if x in {a: \"b\"} and [\"a\", y] = x and y = u.name;",
    ] {
        compile(policy).unwrap_or_else(|e| panic!("{policy}: {e}"));
    }
}

/// One snapshot per group: arithmetic, lists and dictionaries, method calls, `forall`.
#[test]
fn values_and_goals_compile_to_readable_rust() {
    let code = compile(
        r#"allow(u: User, "arith", d: Doc) if x := u.age * 2 and x > d.dict.limit;
           allow(u: User, "lists", d: Doc) if u.name in ["ann", "bo"] and [1, y] = d.nums and {a: y} = d.dict;
           allow(u: User, "methods", d: Doc) if u.check(d.level, "x") and u.maybe() = nil;
           allow(u: User, "forall", d: Doc) if forall(t in d.tags, t in u.tags);
           allow(u: User, "not", d: Doc) if not (n in d.nums and n * 2 > u.age);"#,
    )
    .unwrap();
    let rule = code.split("fn __polar_rule_allow_3").nth(1).unwrap();
    insta::assert_snapshot!(rule);
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

/// `[k, v] in map` walks a `HashMap` in Oso's key order only where the order can show: the
/// rest of the conjunction can raise an error, or a `cut` takes the first solution.
#[test]
fn pairs_come_in_key_order_where_the_first_solution_counts() {
    let uses_key_order = |policy: &str| {
        let code = compile(policy).unwrap_or_else(|e| panic!("{policy}: {e}"));
        // The `in` of `allow` (inlined calls included); the end of the function is enough.
        let allow = code.split("fn __polar_rule_allow_3").nth(1).unwrap();
        let code = allow.split("\nfn ").next().unwrap();
        let ordered = code.contains("Pairs::pairs_in_key_order");
        assert!(ordered || code.contains("Pairs::pairs("), "{policy}: no Pairs in\n{code}");
        ordered
    };
    assert!(!uses_key_order("allow(u: User, _, d: Doc) if [k, v] in d.map and k = u.name and v > 1;"));
    assert!(!uses_key_order("allow(u: User, _, d: Doc) if not [u.name, _] in d.map;"));
    assert!(uses_key_order("allow(u: User, _, d: Doc) if [k, v] in d.map and k = u.name and v + 1 > 1;"));
    assert!(uses_key_order(
        "allow(u: User, _, d: Doc) if [k, _] in d.map and g(k, u);\ng(_, u: User) if u.level + 1 > 0;"
    ));
    // A call of a rule that cannot raise does not need the order.
    assert!(!uses_key_order("allow(u: User, _, d: Doc) if [k, _] in d.map and g(k, u);\ng(_, _: User);"));
    assert!(uses_key_order(
        "allow(u: User, _, d: Doc) if first(d, k) and k = u.name;\nfirst(d: Doc, k) if [k, _] in d.map and cut;"
    ));
}

/// Facts the code does not bear out are corrected before anything is emitted: with a plan
/// that says no function recurses or raises, the recursive rule still gets its depth guard
/// and `Result`, and so does the rule that calls it and the one whose arithmetic can fail.
#[test]
fn wrong_facts_are_caught_and_corrected() {
    let mut sources = SourceMap::new();
    sources.add(
        "app.polar",
        r#"allow(u: User, "read", f: Folder) if can_read(u, f) or big(u);
           can_read(u: User, f: Folder) if f.owner = u.name;
           can_read(u: User, f: Folder) if can_read(u, f.parent);
           big(u: User) if u.level + 1 > 10;
           plain(u: User) if u.admin = true;"#,
    );
    let checked = crate::check(&sources, crate::Stop::AfterValidation);
    let (program, graph) = (checked.program.unwrap(), checked.graph.unwrap());
    let mut plans = crate::plan::Plans::new(&program, &graph);
    for facts in plans.functions.values_mut() {
        *facts = crate::plan::FnFacts { recursive: false, may_raise: false, why: None };
    }
    let tokens = super::generate_from_plans(&program, &graph, Some(&sources), &plans).unwrap();
    let code = prettyplease::unparse(&syn::parse2(tokens).unwrap());
    let function =
        |name: &str| code.split(&format!("fn {name}<")).nth(1).unwrap().split("\nfn ").next().unwrap();
    for name in ["__polar_rule_can_read_2", "__polar_rule_big_1", "__polar_rule_allow_3"] {
        assert!(function(name).contains("-> ::core::result::Result<bool"), "{name}: {}", function(name));
    }
    assert!(function("__polar_rule_can_read_2").contains("cx.enter_recursive()?"));
    // Where the (wrong) facts held, they are kept.
    assert!(function("__polar_rule_plain_1").contains("-> bool"));
    assert!(!function("__polar_rule_big_1").contains("enter_recursive"));
}

/// `forall(c, a)` is Oso's `not (c and not a)`: over an action left unbound, Oso's two
/// inversions bind it (`forall(_x in [1], action = "read")` enumerates `"read"`), which
/// negation as failure would not, so the enumeration is refused. Over a variable local to the
/// `forall`, or a bound action, it compiles as usual.
#[test]
fn forall_over_an_unbound_action_makes_the_enumeration_unavailable() {
    let refused =
        compile(r#"allow(u: User, action, _: Repo) if u.admin and forall(_x in [1], action = "read");"#)
            .unwrap();
    assert!(
        refused.contains("authorized_actions is not available for this policy")
            && refused.contains("`not` over `action`"),
        "{refused}"
    );
    for policy in [
        r#"allow(u: User, action, _: Repo) if action = "read" and forall(x in u.xs, x = action);"#,
        r#"allow(u: User, "read", _: Repo) if forall(x in u.xs, x > 1 and y = x and y < 5);"#,
    ] {
        let code = compile(policy).unwrap();
        assert!(!code.contains("is not available"), "{policy}:\n{code}");
    }
}
