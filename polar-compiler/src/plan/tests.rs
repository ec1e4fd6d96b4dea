use crate::source::SourceMap;
use crate::{Stop, check};

use super::{Const, FnFacts, Plans};

fn plans(text: &str) -> (Plans, SourceMap) {
    let mut sources = SourceMap::new();
    sources.add("app.polar", text);
    let checked = check(&sources, Stop::AfterValidation);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let plans = Plans::new(checked.program.as_ref().unwrap(), checked.graph.as_ref().unwrap());
    (plans, sources)
}

/// The plan of the example policy: resource blocks desugared into rules whose operations
/// are explicit, and which of them can raise.
#[test]
fn gitclub_plan() {
    let (plans, sources) = plans(include_str!("../../../examples/policies/gitclub.polar"));
    insta::assert_snapshot!(plans.to_text(Some(&sources)));
}

#[test]
fn facts_of_role_rules_over_typed_data() {
    let (plans, _) = plans(include_str!("../../../examples/policies/gitclub.polar"));
    let facts = |name: &str| plans.facts(name, 3);
    // Specialized parameters, fields compared with fields: nothing can raise.
    for rule in ["has_role", "has_relation", "has_permission"] {
        assert!(!facts(rule).may_raise, "{rule}: {:?}", facts(rule).raise_site);
        assert!(!facts(rule).guard, "{rule}");
    }
    // `has_role` calls itself by name (`"member" if "owner"`), but with other literals:
    // no compiled function of it recurses.
    assert!(facts("has_role").recursive);
    let owner = [None, Some(Const::Str("owner".into())), None];
    assert_eq!(
        plans.function("has_role", &owner),
        &FnFacts { recursive: false, may_raise: false, why: None }
    );
    // `repo.public` as a condition: Oso errors when it is not a boolean.
    assert!(facts("allow").may_raise);
    let read = [None, Some(Const::Str("read".into())), None];
    assert!(plans.function("allow", &read).why.as_ref().unwrap().1.contains("condition"));
    assert!(facts("allow").raise_site.as_ref().unwrap().1.contains("calls `allow(_, \"pull\", _)`"));
    // `on "parent"` makes `has_relation` bind the organization.
    assert!(facts("has_relation").binds());
    assert!(!facts("has_permission").binds());
}

#[test]
fn recursion_needs_the_guard_and_raising_propagates_to_callers() {
    let (plans, _) = plans(
        r#"allow(u: User, "read", f: Folder) if can_read(u, f);
           can_read(u: User, f: Folder) if f.owner = u.name;
           can_read(u: User, f: Folder) if can_read(u, f.parent);
           score(u: User, n) if n = u.level + 1;
           top(u: User) if score(u, 3);
           plain(u: User) if u.level > 2;"#,
    );
    let can_read = plans.facts("can_read", 2);
    assert!(can_read.recursive && can_read.guard && can_read.may_raise);
    assert!(plans.function("can_read", &[None, None]).recursive);
    assert!(plans.facts("allow", 3).may_raise, "calls a recursive rule");
    assert!(plans.facts("score", 2).may_raise, "arithmetic");
    assert!(plans.facts("top", 1).may_raise, "calls `score`");
    assert!(!plans.facts("plain", 1).may_raise);
    assert_eq!(plans.facts("score", 2).literal_args, vec![None, Some(super::Lit::Int(3))]);
}

#[test]
fn parameters_without_a_class_make_unification_dynamic() {
    let (plans, _) = plans(
        r#"same(a, b) if a = b;
           typed(a: User, b: User) if a = b;
           bound_then_bind(a, b) if x = a and x = b;
           member(a: User) if a.role in ["x", "y"];"#,
    );
    assert!(plans.facts("same", 2).may_raise);
    assert!(!plans.facts("typed", 2).may_raise);
    assert!(plans.facts("bound_then_bind", 2).may_raise, "`a` and `b` have no class");
    assert!(!plans.facts("member", 1).may_raise);
}

#[test]
fn or_not_and_forall_scope_their_bindings() {
    let (plans, sources) = plans(
        r#"f(u: User, r: Repo) if (x = u.name or x = r.owner) and x = r.writer;
           g(u: User) if not (y in u.tags and y = "admin");
           h(u: User) if forall(t in u.tags, t != "banned") and print(u);"#,
    );
    insta::assert_snapshot!(plans.to_text(Some(&sources)));
}

/// A chain of distinct rules, one calling the next, is not recursive, but it takes stack:
/// one function in every `GUARD_EVERY` levels checks it.
#[test]
fn long_chains_of_calls_check_the_stack() {
    let n = 40;
    let mut policy = String::from("allow(u: User, \"read\", _r: Repo) if r0(u);\n");
    for i in 0..n {
        policy.push_str(&format!("r{i}(u: User) if u.level > {i} and r{}(u);\n", i + 1));
    }
    policy.push_str(&format!("r{n}(u: User) if u.admin = true;\n"));
    let (plans, _) = plans(&policy);
    let guarded: Vec<usize> =
        (0..=n).filter(|i| plans.function(&format!("r{i}"), &[None]).recursive).collect();
    // Heights from the end of the chain: r40 is 1, r25 is 16, r9 is 16 above r25.
    assert_eq!(guarded, vec![9, 25]);
    assert!(plans.function("r25", &[None]).may_raise);
    assert!(!plans.function("r26", &[None]).may_raise);
}
