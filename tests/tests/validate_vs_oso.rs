//! Differential validation test against Oso 0.27.3.
//!
//! For each policy below, our front end (`parse_file` + `validate::check`) and Oso must agree
//! on whether it loads: both accept or both reject. Oso is asked twice: through its public
//! Rust API (`oso::Oso::load_str`, which returns the first error) and through
//! `polar_core::polar::Polar::diagnostic_load`, which returns every diagnostic Oso finds,
//! warnings included, so that categories can be compared: each kind of error or warning Oso
//! reports must be among ours (mapped to our codes by [`our_codes_for`]). Where Oso produced
//! no error, the Oso-equivalent warnings we report must be exactly Oso's.
//!
//! Oso needs every class a policy names to be registered; the test registers a stand-in class
//! for every capitalised name in the policy (one Rust type registered under many names), as
//! an application would register its real classes.
//!
//! The few places where we are deliberately stricter are listed with [`Expect::Stricter`] or
//! [`Expect::ExtraWarning`], so the divergences are documented and tested.
//!
//! Where Oso rejects a policy only the kinds of errors it reports before stopping are
//! compared: after a resource-block error it stops (and it drops a block opening with a
//! duplicate declaration, which causes cascades we do not have).
//!
//! The policies: hand-written cases for every check (valid and invalid), randomly generated
//! resource-block policies (proptest), and, in tests ignored by default because the corpus
//! lives outside the repository, every file of the Oso corpus as is, with one item or block
//! production removed, and with one variable or block string renamed:
//!
//! ```sh
//! cargo test -p polar-tests --test validate_vs_oso -- --include-ignored
//! ```
//!
//! Another test compares the rules we generate from shorthand rules with Oso's knowledge base
//! (`kb.get_rules()`): names, parameters, variable names and body order.

use std::collections::{BTreeMap, BTreeSet};

use polar_compiler::diagnostic::{Diagnostic, Severity};
use polar_compiler::lower::Program;
use polar_compiler::parser::parse_file;
use polar_compiler::source::FileId;
use polar_compiler::validate;
use polar_core::polar::Polar;
use polar_core::sources::Source;
use polar_core::terms::{ExternalInstance, Symbol, Term, Value};

/// Classes Oso's Rust host registers itself (`oso/src/builtins.rs`).
const BUILTINS: [&str; 7] = ["Boolean", "Integer", "Float", "List", "Dictionary", "String", "Option"];

/// Capitalised names in the policy text, outside strings and comments: the classes an
/// application would have registered. `Actor` and `Resource` cannot be registered.
fn class_names(src: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' || d == ':' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = src[i..end].trim_end_matches(':');
                let last = word.rsplit("::").next().unwrap_or(word);
                if last.chars().next().is_some_and(char::is_uppercase)
                    && !["Actor", "Resource"].contains(&word)
                    && !BUILTINS.contains(&word)
                {
                    names.insert(word.to_owned());
                }
            }
            _ => {}
        }
    }
    names
}

/// What Oso says about a policy.
#[derive(Debug)]
struct OsoVerdict {
    /// Kinds (`ValidationError::SingletonVariable`, ...) of every error `diagnostic_load` reported.
    errors: Vec<String>,
    /// Kinds of every warning.
    warnings: Vec<String>,
    /// The result of `oso::Oso::load_str`: `Err(kind)` of the first error.
    api: Result<(), String>,
}

fn class_term(id: u64) -> Term {
    Term::new_from_test(Value::ExternalInstance(ExternalInstance {
        instance_id: id,
        constructor: None,
        repr: None,
        class_repr: None,
        class_id: Some(id),
    }))
}

/// A `polar_core` Polar with the built-in classes, `nil` and stand-ins for `classes`
/// registered as the Rust host registers them (classes with empty MROs).
fn polar_with_classes(classes: &BTreeSet<String>) -> Polar {
    let polar = Polar::new();
    let mut id = 1000;
    for name in BUILTINS.iter().map(|s| s.to_string()).chain(classes.iter().cloned()) {
        id += 1;
        polar.register_constant(Symbol(name.clone()), class_term(id)).expect("register class");
        polar.register_mro(Symbol(name), vec![]).expect("register mro");
    }
    let nil = Term::new_from_test(Value::ExternalInstance(ExternalInstance {
        instance_id: 1,
        constructor: None,
        repr: None,
        class_repr: None,
        class_id: None,
    }));
    polar.register_constant(Symbol("nil".into()), nil).expect("register nil");
    polar
}

/// The stand-in class: one Rust type registered under every name a policy uses.
#[derive(Clone, Default)]
struct StandIn;

fn oso_api(src: &str, classes: &BTreeSet<String>) -> Result<(), String> {
    let mut oso = oso::Oso::new();
    for name in classes {
        oso.register_class(oso::ClassBuilder::<StandIn>::with_default().name(name).build())
            .expect("register stand-in class");
    }
    oso.load_str(src).map_err(|e| match e {
        oso::OsoError::Polar(p) => p.kind(),
        other => format!("OsoError::{other}"),
    })
}

fn oso(src: &str) -> OsoVerdict {
    let classes = class_names(src);
    let polar = polar_with_classes(&classes);
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for d in polar.diagnostic_load(vec![Source::new(src)]) {
        if d.is_error() { errors.push(d.kind()) } else { warnings.push(d.kind()) }
    }
    OsoVerdict { errors, warnings, api: oso_api(src, &classes) }
}

fn ours(src: &str) -> (Program, Vec<Diagnostic>) {
    let (file, mut diagnostics) = parse_file(FileId(0), src);
    let (program, more) = validate::check(&[file]);
    diagnostics.extend(more);
    (program, diagnostics)
}

/// Our codes that correspond to an Oso diagnostic kind.
fn our_codes_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "ValidationError::SingletonVariable" => &["E0301"],
        "ValidationError::UndefinedRuleCall" => &["E0302"],
        "ValidationError::InvalidRule" => &["E0303"],
        "ValidationError::MissingRequiredRule" => &["E0304"],
        "ValidationError::InvalidRuleType" => &["E0305"],
        "ValidationError::ResourceBlock" => {
            &["E0201", "E0202", "E0203", "E0204", "E0205", "E0206", "E0207", "E0208", "E0209", "E0210"]
        }
        "ValidationError::DuplicateResourceBlockDeclaration" => &["E0205"],
        // `get_relation_type_in_resource_block` on a role or permission after `on`.
        "OperationalError::InvalidState" => &["E0208"],
        "ValidationWarning::AmbiguousPrecedence" => &["W0301"],
        "ValidationWarning::UnknownSpecializer" => &["W0302"],
        "ValidationWarning::MissingAllowRule" => &["W0303"],
        "ValidationWarning::MissingHasPermissionRule" => &["W0304"],
        _ if kind.starts_with("ParseError::") => &["P"],
        _ => &[],
    }
}

/// Our warnings that have an Oso counterpart (W0305 and W0306 are ours alone).
const OSO_WARNINGS: [&str; 4] = ["W0301", "W0302", "W0303", "W0304"];

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Same verdict, same categories.
    Same,
    /// Oso loads the policy; we reject it with this code (a check Oso does not have).
    Stricter(&'static str),
    /// Same verdict; we also give this warning where Oso does not.
    ExtraWarning(&'static str),
}

/// Compares one policy; returns a description of every disagreement.
fn compare(name: &str, src: &str, expect: Expect) -> Vec<String> {
    let oso = oso(src);
    let (program, diagnostics) = ours(src);
    let our_codes: BTreeSet<&str> = diagnostics.iter().map(|d| d.code).collect();
    let we_reject = diagnostics.iter().any(|d| d.severity == Severity::Error);
    // We report calls to undefined rules in inline queries; Oso's `diagnostic_load` does not
    // look at queries, but loading fails when the host runs them. Such a policy counts as
    // rejected by Oso when its API fails in an inline query.
    let in_query = |d: &Diagnostic| {
        program.queries.iter().any(|q| q.span.start <= d.span.start && d.span.end <= q.span.end)
    };
    let only_query_calls = we_reject
        && diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .all(|d| d.code == "E0302" && in_query(d));
    let query_failed = matches!(&oso.api, Err(e) if e.contains("error in inline query"));
    let oso_rejects = !oso.errors.is_empty() || (only_query_calls && query_failed);
    let mut problems = Vec::new();
    let mut fail =
        |msg: String| problems.push(format!("{name}: {msg}\n  oso: {oso:?}\n  ours: {our_codes:?}"));

    // The two ways of asking Oso agree (the policies run no failing inline query).
    if oso.api.is_err() != oso_rejects {
        fail(format!("oso::Oso::load_str says {:?} but diagnostic_load says {:?}", oso.api, oso.errors));
    }
    match expect {
        Expect::Stricter(code) => {
            if oso_rejects {
                fail("expected Oso to accept".into());
            }
            if !our_codes.contains(code) {
                fail(format!("expected us to reject with {code}"));
            }
            return problems;
        }
        Expect::Same | Expect::ExtraWarning(_) => {}
    }
    if we_reject != oso_rejects {
        fail(format!("we {} but Oso {}", verdict(we_reject), verdict(oso_rejects)));
    }
    // In a rejected policy, the whole-policy warnings depend on how each side recovered from
    // the errors (Oso drops a block with a duplicate declaration; we keep the rest of it).
    let recovery_dependent = |kind: &str| {
        oso_rejects && (kind.ends_with("MissingHasPermissionRule") || kind.ends_with("MissingAllowRule"))
    };
    // Oso drops a whole block opening when one of its declarations is duplicated, so the
    // errors after a resource-block error may be cascades we do not have: then only the first
    // error (the one `Oso::load_str` reports) must be among ours.
    let block_error_first = oso.errors.first().is_some_and(|k| k.contains("ResourceBlock"));
    let errors = if block_error_first { &oso.errors[..1] } else { &oso.errors[..] };
    for kind in errors.iter().chain(&oso.warnings).filter(|k| !recovery_dependent(k)) {
        let wanted = our_codes_for(kind);
        let found = our_codes.iter().any(|c| wanted.iter().any(|w| c.starts_with(w)));
        if !found {
            fail(format!("Oso reports {kind}; we have none of {wanted:?}"));
        }
    }
    if !oso_rejects {
        // Oso ran every check: our Oso-equivalent warnings must be exactly its.
        let theirs: BTreeSet<&str> =
            oso.warnings.iter().flat_map(|k| our_codes_for(k).iter().copied()).collect();
        let mut mine: BTreeSet<&str> =
            our_codes.iter().copied().filter(|c| OSO_WARNINGS.contains(c)).collect();
        if let Expect::ExtraWarning(code) = expect
            && (!mine.remove(code) || theirs.contains(code))
        {
            fail(format!("expected an extra {code} that Oso does not give"));
        }
        if mine != theirs {
            fail(format!("warnings differ: ours {mine:?}, Oso's {theirs:?}"));
        }
    }
    problems
}

fn verdict(rejects: bool) -> &'static str {
    if rejects { "reject" } else { "accept" }
}

/// Blocks and rules that make a resource-block policy complete, for cases that test one
/// thing at a time.
const BASE: &str = r#"
allow(actor, action, resource) if has_permission(actor, action, resource);
actor User {}
has_role(user: User, name: String, resource: Resource) if role in user.roles and role.name = name and role.on = resource;
"#;

fn cases() -> Vec<(&'static str, String, Expect)> {
    use Expect::*;
    let with_base = |s: &str| format!("{BASE}\n{s}");
    vec![
        // ---- valid policies ----
        ("docs example, notes §1.5", r#"
actor User {}
resource Org { roles = ["member"]; }
resource Repo {
  permissions = ["read", "push"];
  roles = ["reader", "writer"];
  relations = { parent: Org, creator: User };
  "read" if "reader";
  "reader" if "member" on "parent";
  "writer" if "creator";
}
has_role(user: User, name: String, org: Org) if role in user.roles and role matches {name: name, org_id: org.id};
has_role(_: User, _: String, _: Repo) if false;
has_relation(org: Org, "parent", repo: Repo) if org = repo.org;
has_relation(user: User, "creator", repo: Repo) if user = repo.creator;
type is_adult(u: User);
allow(actor, action, resource) if has_permission(actor, action, resource);
allow(_: User{name: "root"}, _action, _resource);
f(x: {a: 1}, [h, *t]) if x.a = h and t = [];
g(x) if (x in [1, 2.5, "s", true, {k: 1}] and not x = 2) or (x matches Integer and x > 0);
h(x) if forall(y in x, y.ok) and print("dbg", x) and x.("weird-key") = 1 and cut;
k(u) if u.check("a", city: "NY") and n := u.age * 2 + 1 and n mod 3 == 0;
m(x) if x = new Foo(1) and x.method() in [1, 2];
?= 1 = 1;
"#.into(), Same),
        ("plain allow", r#"allow(actor: User, "read", doc: Doc) if doc.owner = actor;"#.into(), Same),
        ("allow_field only", "allow_field(_, _, _, _);".into(), Same),
        ("allow_request only", "allow_request(_, _);".into(), Same),
        ("actor roles (oso#1386)", r#"actor Team { roles = ["member", "owner"]; "member" if "owner"; }
            allow(a, b, c) if has_permission(a, b, c);"#.into(), Same),
        ("nil and class constants", r#"allow(x, _, _) if x.parent = nil; allow(actor: User, "list", Company) if actor.company = Company;"#.into(), Same),
        ("class method on a constant", r#"allow(_, _, _) if Env.var("X") = "1";"#.into(), Same),
        ("method call named like no rule", "allow(a, _b, _c) if a.g(1) and a.h().k(2);".into(), Same),
        ("reopened blocks, same declarations", with_base(r#"
resource Repo { roles = ["reader"]; permissions = ["read"]; "read" if "reader"; }
resource Repo { roles = ["reader"]; permissions = ["read", "write"]; "write" if "reader"; }"#), Same),
        ("reopened blocks share declarations", with_base(r#"
resource Repo { relations = { parent: Repo }; roles = ["reader"]; permissions = ["read"]; "write" if "writer"; "write" if "write" on "writable"; }
resource Repo { relations = { writable: Repo }; roles = ["writer"]; permissions = ["write"]; "read" if "reader"; "read" if "read" on "parent"; }
has_relation(s: Repo, "writable", o: Repo) if o.w = s;
has_relation(s: Repo, "parent", o: Repo) if o.p = s;"#), Same),
        ("recursive relation", with_base(r#"
resource Dir { permissions = ["read"]; roles = ["reader"]; relations = { parent: Dir }; "read" if "reader"; "read" if "read" on "parent"; }
has_relation(p: Dir, "parent", d: Dir) if d.parent = p;"#), Same),
        ("relation as implier", with_base(r#"
resource Repo { roles = ["admin"]; permissions = ["delete"]; relations = { creator: User }; "admin" if "creator"; "delete" if "admin"; }
has_relation(u: User, "creator", r: Repo) if r.creator = u;"#), Same),
        ("relation implier on the related block", with_base(r#"
resource Org { relations = { owner: User }; roles = ["admin"]; }
resource Repo { roles = ["admin"]; permissions = ["delete"]; relations = { parent: Org }; "admin" if "owner" on "parent"; "delete" if "admin"; }
has_relation(o: Org, "parent", r: Repo) if r.org = o;
has_relation(u: User, "owner", o: Org) if o.owner = u;"#), Same),
        ("unused relation needs no rule", with_base(r#"resource Repo { permissions = ["read"]; relations = { parent: Org }; }"#), Same),
        ("rule types with fields, dicts, lists, values", r#"
type f(x: Foo{a: 1}); f(x: Foo{a: 1, b: 2}) if x = 1;
type g(x: {a: 1}); g(x: {a: 1, b: 2}) if x = 1;
type h([1]); h([2, 1]);
type k("a", x); k("a", 1);
type m(x: Integer); m(1);
type n(x: Dictionary); n({a: 1});
allow(_, _, _) if f(1) and g(1) and h(1) and k(1, 1) and m(1) and n(1);"#.into(), Same),

        // ---- singleton variables ----
        ("singleton in body", "allow(x, _, _) if y = 1 and x = 2;".into(), Same),
        ("singleton in head", "allow(x, y, _) if x = 1;".into(), Same),
        ("singleton rest variable", "allow([*rest], _, _);".into(), Same),
        ("singleton dynamic key", "allow(x, _, _) if x.(key) = 1;".into(), Same),
        ("singleton in a specializer", "allow(_: {a: v}, _, _);".into(), Same),
        ("underscore variables are fine", "allow(_x, _, _y);".into(), Same),

        // ---- undefined rule calls ----
        ("undefined call", "allow(a, b, c) if g(a, b, c);".into(), Same),
        ("undefined call under not", "allow(a, _, _) if not g(a);".into(), Same),
        ("undefined call under or", "allow(a, _, _) if a = 1 or g(a);".into(), Same),
        ("undefined call under forall", "allow(a, _, _) if forall(x in a, g(x));".into(), Same),
        ("undefined call in an inline query", "allow(_, _, _); ?= g(1);".into(), Same),

        // ---- rule types ----
        ("wrong class for a declared type", "type f(x: Foo); f(_x: Bar); allow(_, _, _) if f(1);".into(), Same),
        ("missing specializer", "type f(x: Foo); f(x) if x = 1; allow(_, _, _) if f(1);".into(), Same),
        ("wrong arity", "type f(x: Foo); f(x, y) if x = y; allow(_, _, _) if f(1, 2);".into(), Same),
        ("wrong value", r#"type f("a", x); f("b", 1); allow(_, _, _) if f(1, 1);"#.into(), Same),
        ("wrong list", "type f([1]); f([2]); allow(_, _, _) if f(1);".into(), Same),
        ("wrong dict fields", "type f(x: {a: 1}); f(x: {b: 2}) if x = 1; allow(_, _, _) if f(1);".into(), Same),
        ("wrong instance fields", "type f(x: Foo{a: 1}); f(x: Foo) if x = 1; allow(_, _, _) if f(1);".into(), Same),
        ("wrong literal class", r#"type f(x: Integer); f("a"); allow(_, _, _) if f(1);"#.into(), Same),
        ("allow with two parameters", "allow(a, b) if a = b;".into(), Same),
        ("has_permission with no blocks", r#"has_permission(u: User, "read", r: Repo) if u = r; allow(a, b, c) if has_permission(a, b, c);"#.into(), Same),
        ("has_permission without an actor block", r#"resource Repo {} has_permission(u: User, "read", r: Repo) if u = r; allow(a, b, c) if has_permission(a, b, c);"#.into(), Same),
        ("has_role not matching the generated type", r#"resource Repo { roles = ["r"]; permissions = ["p"]; "p" if "r"; }
            has_role(u: User, "r", r: Repo) if u = r; allow(a, b, c) if has_permission(a, b, c);"#.into(), Same),
        ("relation as the head of a shorthand rule", with_base(r#"resource Repo { roles = ["owner"]; relations = { creator: User }; "creator" if "owner"; }"#), Same),
        ("invalid rule type", "type f(x.y); allow(_, _, _);".into(), Same),
        ("union rule type, member", "resource Repo {} type f(x: Resource); f(_x: Repo); allow(_, _, _) if f(1);".into(), Same),
        ("union rule type, not a member", "type f(x: Resource); f(_x: Repo); allow(_, _, _) if f(1);".into(), Same),
        ("union rule type, other union", "actor U {} type f(x: Resource); f(_x: Actor); allow(_, _, _) if f(1);".into(), Same),
        ("value specializer against a class type", "type f(x: Integer); f(_x: 1); allow(_, _, _) if f(1);".into(), Same),
        ("value specializer against a value type", "type f(x: 1); f(_x: 1); allow(_, _, _) if f(1);".into(), Same),
        ("class against a value type", "type f(x: 1); f(_x: Integer); allow(_, _, _) if f(1);".into(), Same),
        ("value type against a variable", "type f(1); f(x) if x = 1; allow(_, _, _) if f(1);".into(), Same),
        ("dictionary against a dictionary class", "type f(x: Dictionary{a: 1}); f({a: 1, b: 2}); allow(_, _, _) if f(1);".into(), Same),

        // ---- required rules ----
        ("missing has_relation", with_base(r#"resource Org { roles = ["member"]; }
            resource Repo { roles = ["reader"]; permissions = ["read"]; relations = { parent: Org }; "reader" if "member" on "parent"; "read" if "reader"; }"#), Same),
        ("missing has_role", r#"resource Repo { roles = ["reader"]; permissions = ["read"]; "read" if "reader"; } allow(a, b, c) if has_permission(a, b, c);"#.into(), Same),
        ("has_relation with a variable name", with_base(r#"resource Org { roles = ["member"]; }
            resource Repo { roles = ["reader"]; relations = { parent: Org }; "reader" if "member" on "parent"; }
            has_relation(org: Org, rel: String, repo: Repo) if org.name = rel and repo.x = 1;"#), Same),

        // ---- resource blocks ----
        ("no block keyword", with_base("Repo {}"), Same),
        ("wrong block keyword", with_base("seahorse Repo {}"), Same),
        ("unknown list declaration", with_base(r#"resource Repo { role = ["a"]; }"#), Same),
        ("unknown dict declaration", with_base("resource Repo { relation = { parent: Repo }; }"), Same),
        ("roles as a dictionary", with_base("resource Repo { roles = {}; }"), Same),
        ("relations as a list", with_base("resource Repo { relations = []; }"), Same),
        ("two roles declarations", with_base(r#"resource Repo { roles = ["a"]; roles = ["b"]; }"#), Same),
        ("duplicate role", with_base(r#"resource Repo { roles = ["a", "a"]; }"#), Same),
        ("role and permission clash", with_base(r#"resource Repo { roles = ["a"]; permissions = ["a"]; }"#), Same),
        ("reopened with a clash", with_base(r#"resource Repo { roles = ["a"]; } resource Repo { permissions = ["a"]; }"#), Same),
        ("reopened relation to another class", with_base("resource Repo { relations = { p: Repo }; } resource Repo { relations = { p: User }; }"), Same),
        ("undeclared head", with_base(r#"resource Repo { roles = ["a"]; "b" if "a"; }"#), Same),
        ("undeclared implier", with_base(r#"resource Repo { roles = ["a"]; "a" if "reder"; }"#), Same),
        ("undeclared relation", with_base(r#"resource Repo { roles = ["a"]; "a" if "a" on "parent"; }"#), Same),
        ("relation to a class with no block", with_base(r#"resource Repo { roles = ["a"]; relations = { parent: Org }; "a" if "b" on "parent"; }"#), Same),
        ("implier missing in the related block", with_base(r#"resource Org {} resource Repo { roles = ["a"]; relations = { parent: Org }; "a" if "owner" on "parent"; }"#), Same),
        ("misspelt on", with_base(r#"resource Repo { roles = ["a", "b"]; relations = { parent: Repo }; "a" if "b" onn "parent"; }"#), Same),
        ("a role after on", with_base(r#"resource Repo { roles = ["a", "b"]; "a" if "b" on "b"; }"#), Same),

        // ---- warnings ----
        ("ambiguous precedence", "allow(a, b, c) if a = 1 and b = 2 or c = 3;".into(), Same),
        ("ambiguous precedence, or then and", "allow(a, b, c) if a = 1 or b = 2 and c = 3;".into(), Same),
        ("parenthesized precedence", "allow(a, b, c) if (a = 1 and b = 2) or c = 3;".into(), Same),
        ("precedence inside outer parentheses", "allow(a, b, c) if (a = 1 and b = 2 or c = 3);".into(), ExtraWarning("W0301")),
        ("unknown specializer", "allow(_x: int, _, _);".into(), Same),
        ("unknown specializer in matches", "allow(x, _, _) if x matches hashmap;".into(), Same),
        ("no allow rule", "f(1);".into(), Same),
        ("blocks without has_permission", with_base(r#"resource Repo { permissions = ["read"]; }"#).replace("has_permission(actor, action, resource)", "actor = resource and action = 1"), Same),

        // ---- ours alone ----
        ("shorthand cycle with no way in", r#"actor User {} resource Repo { roles = ["a", "b"]; permissions = ["read"]; "a" if "b"; "b" if "a"; "read" if "a"; }
            allow(x, y, z) if has_permission(x, y, z);"#.into(), Stricter("E0306")),
        ("self-implying role", r#"actor User {} resource Repo { roles = ["a"]; permissions = ["read"]; "a" if "a"; "read" if "a"; }
            allow(x, y, z) if has_permission(x, y, z);"#.into(), Stricter("E0306")),
        ("duplicate rules", "allow(x, _, _) if x = 1; allow(y, _, _) if y = 1;".into(), Same),
        // Host classes are unknown to us: a capitalised name used once, and nowhere as a class,
        // is a singleton variable for us, a registered constant for Oso.
        ("a constant used only as a parameter", r#"allow(_actor, "list", Company);"#.into(), Stricter("E0301")),
        // Oso warns about an unknown specializer only if it occurs once in the rule.
        ("misspelt specializer used twice", "allow(x: int, _, _) if x matches int;".into(), ExtraWarning("W0302")),
        ("unreachable rule", "allow(x, _, _) if x = 1; f(y) if y = 1;".into(), Same),
    ]
}

#[test]
fn validation_agrees_with_oso() {
    let mut problems = Vec::new();
    let cases = cases();
    for (name, src, expect) in &cases {
        problems.extend(compare(name, src, *expect));
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases disagree:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn the_cases_cover_every_check() {
    // Every code of ours and every Oso kind that maps to one occurs in some case, so a check
    // that is never exercised cannot hide here.
    let mut ours_seen = BTreeSet::new();
    let mut oso_seen = BTreeSet::new();
    for (_, src, _) in cases() {
        ours_seen.extend(ours(&src).1.iter().map(|d| d.code));
        let verdict = oso(&src);
        oso_seen.extend(verdict.errors.into_iter().chain(verdict.warnings));
    }
    for code in [
        "E0201", "E0202", "E0203", "E0204", "E0205", "E0206", "E0207", "E0208", "E0209", "E0210", "E0301",
        "E0302", "E0303", "E0304", "E0305", "E0306", "W0301", "W0302", "W0303", "W0304", "W0305", "W0306",
    ] {
        assert!(ours_seen.contains(code), "no case produces {code}");
    }
    for kind in [
        "ValidationError::SingletonVariable",
        "ValidationError::UndefinedRuleCall",
        "ValidationError::InvalidRule",
        "ValidationError::MissingRequiredRule",
        "ValidationError::InvalidRuleType",
        "ValidationError::ResourceBlock",
        "ValidationError::DuplicateResourceBlockDeclaration",
        "ValidationWarning::AmbiguousPrecedence",
        "ValidationWarning::UnknownSpecializer",
        "ValidationWarning::MissingAllowRule",
        "ValidationWarning::MissingHasPermissionRule",
    ] {
        assert!(oso_seen.contains(kind), "no case makes Oso report {kind}");
    }
}

// ---------------------------------------------------------------------------------------
// Desugared rules against Oso's knowledge base.

/// Rules generated from shorthand rules, grouped by (rule name, resource specializer), each
/// group in order. Oso visits blocks in HashMap order, so only the order within a block is
/// meaningful.
type Groups = BTreeMap<(String, String), Vec<String>>;

fn group(rules: impl IntoIterator<Item = String>) -> Groups {
    let mut groups = Groups::new();
    for rule in rules {
        let name = rule[..rule.find('(').unwrap()].to_owned();
        // The third parameter, `repo: Repo{}`, up to the closing parenthesis of the head.
        let head_end = rule.find(") if ").or_else(|| rule.rfind(");")).unwrap();
        let third = rule[..head_end].rsplit(", ").next().unwrap().to_owned();
        groups.entry((name, third)).or_default().push(rule);
    }
    groups
}

fn oso_generated(src: &str, lowercase_classes: &[&str]) -> Groups {
    let mut classes = class_names(src);
    classes.extend(lowercase_classes.iter().map(|s| s.to_string()));
    let polar = polar_with_classes(&classes);
    let diagnostics = polar.diagnostic_load(vec![Source::new(src)]);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "Oso rejects the policy: {diagnostics:?}");
    let kb = polar.kb.read().unwrap();
    let mut rules = Vec::new();
    for generic in kb.get_rules().values() {
        let mut by_id: Vec<_> = generic.rules.iter().collect();
        by_id.sort_by_key(|(id, _)| **id);
        rules.extend(
            by_id.into_iter().map(|(_, r)| r.to_string()).filter(|r| r.contains("(actor: Actor{}, ")),
        );
    }
    group(rules)
}

fn our_generated(src: &str) -> Groups {
    let (program, diagnostics) = ours(src);
    assert!(
        diagnostics.iter().all(|d| d.severity != Severity::Error),
        "we reject the policy: {diagnostics:#?}"
    );
    group(program.rules.iter().filter(|r| r.is_generated()).map(|r| r.to_polar()))
}

#[test]
fn desugared_rules_match_osos_knowledge_base() {
    let policies: [(&str, &[&str]); 3] = [
        (
            // Local, cross-resource, relation as implier, permission from permission.
            r#"actor User {}
resource Org { roles = ["owner", "member"]; permissions = ["invite", "create_repo"];
  "member" if "owner"; "invite" if "owner"; "create_repo" if "invite"; }
resource Repo {
  permissions = ["read", "push", "delete"];
  roles = ["reader", "writer", "admin"];
  relations = { parent: Org, creator: User };
  "read" if "reader"; "push" if "writer"; "delete" if "admin";
  "reader" if "writer"; "writer" if "admin";
  "admin" if "creator";
  "reader" if "member" on "parent";
  "admin" if "owner" on "parent";
  "read" if "invite" on "parent";
}
has_role(_: User, _: String, _: Resource);
has_relation(_: Org, "parent", _: Repo);
has_relation(_: User, "creator", _: Repo);
allow(a, b, c) if has_permission(a, b, c);"#,
            &[],
        ),
        (
            // Lowercase class names, a recursive relation, a reopened block.
            r#"actor user {}
resource repo { roles = ["reader"]; relations = { parent: org }; "reader" if "member" on "parent"; }
resource org { roles = ["member"]; }
resource Dir { permissions = ["read"]; roles = ["reader"]; relations = { parent: Dir }; "read" if "reader"; }
resource Dir { "read" if "read" on "parent"; "reader" if "reader" on "parent"; }
has_role(_: user, _: String, _: Resource);
has_relation(_: org, "parent", _: repo);
has_relation(_: Dir, "parent", _: Dir);
allow(a, b, c) if has_permission(a, b, c);"#,
            &["user", "repo", "org"],
        ),
        (
            // Namespaced and camel-case names, an actor with roles, a relation implier across blocks.
            r#"actor github::User {}
actor Team { roles = ["member", "maintainer"]; "member" if "maintainer"; }
resource GitHubOrg { relations = { owner: github::User }; roles = ["admin"]; }
resource RepositorySettings { roles = ["editor"]; relations = { org: GitHubOrg };
  "editor" if "owner" on "org"; "editor" if "admin" on "org"; }
has_role(_: github::User, _: String, _: Resource);
has_relation(_: GitHubOrg, "org", _: RepositorySettings);
has_relation(_: github::User, "owner", _: GitHubOrg);
allow(a, b, c) if has_role(a, b, c);"#,
            &[],
        ),
    ];
    for (src, lowercase_classes) in policies {
        let (ours, theirs) = (our_generated(src), oso_generated(src, lowercase_classes));
        assert!(!ours.is_empty());
        assert_eq!(ours, theirs, "generated rules differ for\n{src}");
    }
}

// ---------------------------------------------------------------------------------------
// The Oso corpus.

/// Corpus files where we are deliberately stricter than Oso, with the reason.
const CORPUS_STRICTER: &[(&str, &str, &str)] = &[];

#[test]
#[ignore = "needs the Oso corpus at ../shared/corpus/oso (or POLAR_CORPUS_DIR); run with --ignored"]
fn corpus_validates_like_oso() {
    let root = polar_tests::corpus::root();
    assert!(root.is_dir(), "corpus not found at {} (set POLAR_CORPUS_DIR)", root.display());
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, text) in polar_tests::corpus::polar_files(&root) {
        // Files Oso cannot parse are the parse test's business.
        if polar_core::parser::parse_lines(Source::new(&text)).is_err() {
            continue;
        }
        checked += 1;
        let expect = CORPUS_STRICTER
            .iter()
            .find(|(p, _, _)| *p == path)
            .map_or(Expect::Same, |(_, code, _)| Expect::Stricter(code));
        // The oso API runs inline queries against stand-in classes, which can fail for
        // reasons unrelated to validation; compare with diagnostic_load only.
        let problems_here: Vec<String> = compare(&path, &text, expect)
            .into_iter()
            .filter(|p| !p.contains("oso::Oso::load_str says"))
            .collect();
        problems.extend(problems_here);
    }
    assert!(checked >= 60, "only {checked} corpus files checked");
    assert!(problems.is_empty(), "{} corpus files disagree:\n{}", problems.len(), problems.join("\n"));
}

/// The corpus files with one item removed (a rule, a rule type, a block), or one production
/// of a resource block removed: policies with calls to rules that are gone, missing required
/// rules, undeclared terms, relations to missing blocks, no allow rule. Oso and we must agree
/// on each.
#[test]
#[ignore = "needs the Oso corpus at ../shared/corpus/oso (or POLAR_CORPUS_DIR); run with --ignored"]
fn corpus_with_items_removed_validates_like_oso() {
    use polar_compiler::ast::{Item, Production};
    let root = polar_tests::corpus::root();
    assert!(root.is_dir(), "corpus not found at {} (set POLAR_CORPUS_DIR)", root.display());
    let mut problems = Vec::new();
    let (mut variants, mut rejected) = (0, 0);
    for (path, text) in polar_tests::corpus::polar_files(&root) {
        if polar_core::parser::parse_lines(Source::new(&text)).is_err() {
            continue;
        }
        let (file, _) = parse_file(FileId(0), &text);
        let mut cuts = Vec::new();
        for item in &file.items {
            match item {
                Item::Rule(r) | Item::RuleType(r) => cuts.push(r.span),
                Item::ResourceBlock(b) => {
                    cuts.push(b.span);
                    cuts.extend(b.productions.iter().map(|p| match p {
                        Production::Declaration { span, .. } => *span,
                        Production::Shorthand(s) => s.span,
                    }));
                }
                // Removing the term of `?= term;` would leave a syntax error.
                Item::Query(_) => {}
            }
        }
        for span in cuts {
            let variant = format!("{}{}", &text[..span.start as usize], &text[span.end as usize..]);
            variants += 1;
            let name = format!("{path} without `{}`", text[span.range()].lines().next().unwrap_or(""));
            let found = compare(&name, &variant, Expect::Same);
            if !oso(&variant).errors.is_empty() {
                rejected += 1;
            }
            problems.extend(found.into_iter().filter(|p| !p.contains("oso::Oso::load_str says")));
        }
    }
    println!("{variants} variants, {rejected} rejected by Oso");
    assert!(variants > 400 && rejected > 50, "{variants} variants, {rejected} rejected");
    assert!(problems.is_empty(), "{} variants disagree:\n{}", problems.len(), problems.join("\n"));
}

/// The corpus files with one variable occurrence or one resource-block string renamed:
/// singletons (or not, for names used three times), undeclared terms, new declarations.
#[test]
#[ignore = "needs the Oso corpus at ../shared/corpus/oso (or POLAR_CORPUS_DIR); run with --ignored"]
fn corpus_with_names_changed_validates_like_oso() {
    use polar_compiler::ast::{DeclarationValue, Item, Production, TermKind};
    let root = polar_tests::corpus::root();
    assert!(root.is_dir(), "corpus not found at {} (set POLAR_CORPUS_DIR)", root.display());
    let mut problems = Vec::new();
    let (mut variants, mut rejected) = (0, 0);
    for (path, text) in polar_tests::corpus::polar_files(&root) {
        if polar_core::parser::parse_lines(Source::new(&text)).is_err() {
            continue;
        }
        let (file, _) = parse_file(FileId(0), &text);
        // (span, replacement)
        let mut edits = Vec::new();
        for item in &file.items {
            match item {
                Item::Rule(rule) => {
                    let mut seen = BTreeSet::new();
                    let mut visit = |t: &polar_compiler::ast::Term| {
                        if let TermKind::Variable(v) = &t.kind
                            && seen.insert(v.clone())
                            && seen.len() <= 4
                        {
                            edits.push((t.span, format!("zz_{v}")));
                        }
                    };
                    for p in &rule.params {
                        p.value.walk(&mut visit);
                    }
                    if let Some(body) = &rule.body {
                        body.walk(&mut visit);
                    }
                }
                Item::ResourceBlock(b) => {
                    for p in &b.productions {
                        match p {
                            Production::Shorthand(s) => {
                                for lit in [&s.head, &s.implier]
                                    .into_iter()
                                    .chain(s.relation.as_ref().map(|(_, r)| r))
                                {
                                    edits.push((lit.span, format!("\"{}x\"", lit.value)));
                                }
                                if let Some((keyword, _)) = &s.relation {
                                    edits.push((keyword.span, "in".into()));
                                }
                            }
                            Production::Declaration { value: DeclarationValue::List(items), .. } => {
                                edits.extend(
                                    items.iter().map(|lit| (lit.span, format!("\"{}x\"", lit.value))),
                                );
                            }
                            Production::Declaration { .. } => {}
                        }
                    }
                }
                _ => {}
            }
        }
        for (span, replacement) in edits {
            let variant =
                format!("{}{replacement}{}", &text[..span.start as usize], &text[span.end as usize..]);
            variants += 1;
            let name = format!("{path} with `{}` -> `{replacement}` at {}", &text[span.range()], span.start);
            if !oso(&variant).errors.is_empty() {
                rejected += 1;
            }
            let found = compare(&name, &variant, Expect::Same);
            problems.extend(found.into_iter().filter(|p| !p.contains("oso::Oso::load_str says")));
        }
    }
    println!("{variants} variants, {rejected} rejected by Oso");
    assert!(variants > 400 && rejected > 100, "{variants} variants, {rejected} rejected");
    assert!(problems.is_empty(), "{} variants disagree:\n{}", problems.len(), problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Generated resource-block policies.

mod generated {
    use super::*;
    use proptest::prelude::*;

    const CLASSES: [&str; 3] = ["Org", "Repo", "User"];

    /// `(head, implier, Some((keyword, relation)))`.
    type Shorthand = (&'static str, &'static str, Option<(&'static str, &'static str)>);

    #[derive(Clone, Debug)]
    struct BlockSpec {
        keyword: &'static str,
        class: &'static str,
        roles: Option<Vec<&'static str>>,
        permissions: Option<Vec<&'static str>>,
        relations: Option<Vec<(&'static str, &'static str)>>,
        shorthand: Vec<Shorthand>,
    }

    /// Blocks that are mostly well formed, with an occasional mistake: a missing or misspelt
    /// keyword, a duplicate or clashing declaration, an undeclared term, a misspelt `on`, a
    /// relation to a class without a block.
    fn block() -> impl Strategy<Value = BlockSpec> {
        // Weights by repetition: mistakes are rare so that many policies are valid.
        fn rep<T: Clone>(items: &[(T, usize)]) -> Vec<T> {
            items.iter().flat_map(|(t, n)| std::iter::repeat_n(t.clone(), *n)).collect()
        }
        let keyword = prop::sample::select(rep(&[("resource", 18), ("actor", 6), ("", 1), ("resorce", 1)]));
        // Only used to decide whether a block reopens the previous one (see `render`).
        let class = prop::sample::select(rep(&[("Org", 8), ("User", 1)]));
        let roles = rep(&[
            (None, 6),
            (Some(vec!["a", "b"]), 12),
            (Some(vec!["a", "b", "c"]), 9),
            (Some(vec!["a", "a"]), 1),
        ]);
        let permissions =
            rep(&[(None, 6), (Some(vec!["r", "w"]), 12), (Some(vec!["r"]), 9), (Some(vec!["a"]), 1)]);
        let relations = rep(&[
            (None, 3),
            (Some(vec![("parent", "Org")]), 3),
            (Some(vec![("parent", "Repo"), ("owner", "User")]), 3),
            (Some(vec![("owner", "User")]), 2),
            (Some(vec![("parent", "Nowhere")]), 1),
        ]);
        (
            keyword,
            class,
            prop::sample::select(roles),
            prop::sample::select(permissions),
            prop::sample::select(relations),
        )
            .prop_flat_map(|(keyword, class, roles, permissions, relations)| {
                // Shorthand rules mostly name the block's own terms; "x" is never declared.
                let mut terms: Vec<&'static str> = vec!["x"];
                for list in [&roles, &permissions].into_iter().flatten() {
                    for t in list {
                        terms.extend(std::iter::repeat_n(*t, 8));
                    }
                }
                let mut impliers = terms.clone();
                let relation_names: Vec<&'static str> =
                    relations.iter().flatten().map(|(name, _)| *name).collect();
                impliers.extend(relation_names.iter().flat_map(|r| std::iter::repeat_n(*r, 4)));
                // `on` only with a declared relation, and rarely misspelt.
                let mut ons: Vec<Option<(&'static str, &'static str)>> = vec![None; 6];
                for r in &relation_names {
                    ons.extend([Some(("on", *r)); 10]);
                    ons.push(Some(("onn", *r)));
                }
                let on = prop::sample::select(ons);
                let rule = (prop::sample::select(terms), prop::sample::select(impliers), on);
                prop::collection::vec(rule, 0..4).prop_map(move |shorthand| BlockSpec {
                    keyword,
                    class,
                    roles: roles.clone(),
                    permissions: permissions.clone(),
                    relations: relations.clone(),
                    shorthand,
                })
            })
    }

    fn render(blocks: &[BlockSpec], has_role: bool, has_relation: bool, allow: bool) -> String {
        let strings = |v: &[&str]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
        let mut out = String::new();
        for (i, b) in blocks.iter().enumerate() {
            // Each block its own class, except that a "User" spec reopens the previous block.
            let class = if b.class == "User" && i > 0 { CLASSES[i - 1] } else { CLASSES[i] };
            out.push_str(&format!("{} {} {{\n", b.keyword, class));
            if let Some(roles) = &b.roles {
                out.push_str(&format!("  roles = [{}];\n", strings(roles)));
            }
            if let Some(permissions) = &b.permissions {
                out.push_str(&format!("  permissions = [{}];\n", strings(permissions)));
            }
            if let Some(relations) = &b.relations {
                let entries: Vec<String> = relations.iter().map(|(n, c)| format!("{n}: {c}")).collect();
                out.push_str(&format!("  relations = {{ {} }};\n", entries.join(", ")));
            }
            for (head, implier, on) in &b.shorthand {
                match on {
                    Some((keyword, relation)) => {
                        out.push_str(&format!("  \"{head}\" if \"{implier}\" {keyword} \"{relation}\";\n"))
                    }
                    None => out.push_str(&format!("  \"{head}\" if \"{implier}\";\n")),
                }
            }
            out.push_str("}\n");
        }
        if has_role {
            out.push_str("has_role(_: Actor, _: String, _: Resource);\n");
        }
        if has_relation {
            for (i, b) in blocks.iter().enumerate() {
                let class = if b.class == "User" && i > 0 { CLASSES[i - 1] } else { CLASSES[i] };
                for (name, target) in b.relations.iter().flatten() {
                    out.push_str(&format!("has_relation(_: {target}, \"{name}\", _: {class});\n"));
                }
            }
        }
        if allow {
            out.push_str("allow(a, b, c) if has_permission(a, b, c);\n");
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Random blocks (sometimes malformed) with or without the rules they need: Oso and we
        /// agree on every one, except that we also reject shorthand cycles nothing leads into.
        #[test]
        fn generated_block_policies_validate_like_oso(
            blocks in prop::collection::vec(block(), 1..4),
            has_role in prop::bool::weighted(0.8),
            has_relation in prop::bool::weighted(0.8),
            allow in prop::bool::weighted(0.8),
        ) {
            let src = render(&blocks, has_role, has_relation, allow);
            let (_, diagnostics) = ours(&src);
            let errors: BTreeSet<&str> =
                diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code).collect();
            let expect = if errors.len() == 1 && errors.contains("E0306") { Expect::Stricter("E0306") } else { Expect::Same };
            let problems = compare("generated", &src, expect);
            prop_assert!(problems.is_empty(), "{}\n{}", src, problems.join("\n"));
        }
    }
}
