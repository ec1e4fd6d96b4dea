//! The `polarc` binary: exit codes, output streams, and the DOT graph.

use std::io::Write;
use std::process::{Command, Output};

fn polarc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polarc")).args(args).output().expect("polarc runs")
}

struct Policy(tempfile::NamedTempFile);

impl Policy {
    fn path(&self) -> &str {
        self.0.path().to_str().unwrap()
    }
}

fn policy_file(text: &str) -> Policy {
    let mut file = tempfile::Builder::new().suffix(".polar").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    Policy(file)
}

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policies/gitclub.polar");

#[test]
fn check_accepts_the_example_policy() {
    let out = polarc(&["check", EXAMPLE]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ok: 1 file(s), 0 warning(s)"));
}

#[test]
fn check_exits_1_and_renders_every_error() {
    let f = policy_file("allow(actor, _, _) if has(actor);\nf(x) if x = 1 = 2;\n");
    let out = polarc(&["check", f.path()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[P0007]"), "{stderr}");
    assert!(stderr.contains(&format!("--> {}:2:9", f.path())), "{stderr}");
    // Syntax errors stop the run before validation.
    assert!(!stderr.contains("undefined rule"), "{stderr}");
}

#[test]
fn check_reports_what_the_code_generator_refuses() {
    // Valid Polar that the compiler refuses: `check` must not call it valid.
    let f = policy_file("allow(_, _, _) if x = new Foo() and x = 1;\n");
    let out = polarc(&["check", f.path()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[G0001]"), "{stderr}");
    assert!(stderr.contains(&format!("--> {}:1:", f.path())), "{stderr}");
}

#[test]
fn warnings_alone_exit_0() {
    let f = policy_file("f(x) if x = 1;\n");
    let out = polarc(&["check", f.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[W0303]"), "{stderr}");
}

#[test]
fn syntax_only_skips_validation() {
    let f = policy_file("allow(actor, _, _) if undefined(actor);\n");
    assert_eq!(polarc(&["check", f.path()]).status.code(), Some(1));
    assert_eq!(polarc(&["check", "--syntax-only", f.path()]).status.code(), Some(0));
}

#[test]
fn several_files_form_one_policy() {
    let a = policy_file("allow(actor, _, _) if helper(actor);\n");
    let b = policy_file("helper(_);\n");
    assert_eq!(polarc(&["check", a.path()]).status.code(), Some(1), "helper is undefined alone");
    assert_eq!(polarc(&["check", a.path(), b.path()]).status.code(), Some(0));
}

#[test]
fn unreadable_files_exit_2() {
    assert_eq!(polarc(&["check", "/nonexistent/policy.polar"]).status.code(), Some(2));
}

#[test]
fn graph_prints_dot() {
    let out = polarc(&["graph", EXAMPLE]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph rules {"), "{dot}");
    assert!(dot.contains("label=\"allow\", shape=doubleoctagon"), "{dot}");
    // has_role on Repo reaches has_role on Org through the parent relation: one recursive name.
    assert!(dot.contains("label=\"has_role\", color=red"), "{dot}");
}

#[test]
fn plan_prints_operations_and_facts() {
    let out = polarc(&["plan", EXAMPLE]);
    assert!(out.status.success());
    let plan = String::from_utf8(out.stdout).unwrap();
    assert!(plan.contains("rule has_role/3\n  recursive: yes; depth guard: no\n  may raise: no"), "{plan}");
    assert!(plan.contains("iterate bind role in %1"), "{plan}");
    assert!(plan.contains("\nfunctions\n"), "{plan}");
    assert!(plan.contains("  has_role(_, \"owner\", _): bool"), "{plan}");
    // A policy with errors prints them and no plan.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.polar");
    std::fs::write(&bad, "allow(x, y, z) if undefined_rule(x);").unwrap();
    let out = polarc(&["plan", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr).unwrap().contains("undefined_rule"));
}

#[test]
fn expand_with_filters_adds_data_filtering() {
    let plain = polarc(&["expand", EXAMPLE]);
    let filters = polarc(&["expand", "--filters", EXAMPLE]);
    assert!(plain.status.success() && filters.status.success());
    let (plain, filters) = (String::from_utf8_lossy(&plain.stdout), String::from_utf8_lossy(&filters.stdout));
    assert!(!plain.contains("authorized_filter"), "filters are opt-in");
    for item in ["pub fn authorized_filter", "pub fn authorized_actors", "static __POLAR_FILTER_PLAN"] {
        assert!(filters.contains(item), "{item} missing");
    }
    assert!(filters.starts_with(&*plain), "the checks are the same with and without filters");
}
