//! Shared helpers of the parser tests (`parse_vs_oso`, `parse_robustness`, `parse_corpus`):
//! running both parsers, comparing their verdicts, and generating and mutating policies.
//!
//! Each test binary uses a different subset of these helpers, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod generate;
pub mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};

use polar_compiler::diagnostic::Severity;
use polar_compiler::source::{FileId, SourceFile};
use polar_core::error::{ErrorKind, ParseErrorKind};

/// The code our parser gives a duplicated dictionary, instance-pattern or keyword-argument key.
pub const DUPLICATE_KEY_CODE: &str = "P0006";

/// What Oso's parser said about an input.
#[derive(Clone, Debug, PartialEq)]
pub enum OsoVerdict {
    Accept,
    /// The error kind's name (e.g. `WrongValueType`), its byte offset and its message.
    Reject {
        kind: String,
        loc: usize,
        message: String,
    },
    /// polar-core itself panicked; no comparison is possible.
    Panic(String),
}

/// What our parser said about an input.
#[derive(Clone, Debug, PartialEq)]
pub enum OurVerdict {
    Accept,
    /// The first error diagnostic, in the order the parser reported them.
    Reject {
        code: &'static str,
        start: usize,
        end: usize,
        message: String,
        errors: usize,
    },
    Panic(String),
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Byte offset carried by each of Oso's parse error kinds.
fn oso_loc(kind: &ParseErrorKind) -> usize {
    use ParseErrorKind::*;
    match kind {
        IntegerOverflow { loc, .. }
        | InvalidTokenCharacter { loc, .. }
        | InvalidToken { loc }
        | UnrecognizedEOF { loc }
        | UnrecognizedToken { loc, .. }
        | ExtraToken { loc, .. }
        | ReservedWord { loc, .. }
        | InvalidFloat { loc, .. }
        | WrongValueType { loc, .. }
        | DuplicateKey { loc, .. } => *loc,
    }
}

fn oso_kind_name(kind: &ParseErrorKind) -> &'static str {
    use ParseErrorKind::*;
    match kind {
        IntegerOverflow { .. } => "IntegerOverflow",
        InvalidTokenCharacter { .. } => "InvalidTokenCharacter",
        InvalidToken { .. } => "InvalidToken",
        UnrecognizedEOF { .. } => "UnrecognizedEOF",
        UnrecognizedToken { .. } => "UnrecognizedToken",
        ExtraToken { .. } => "ExtraToken",
        ReservedWord { .. } => "ReservedWord",
        InvalidFloat { .. } => "InvalidFloat",
        WrongValueType { .. } => "WrongValueType",
        DuplicateKey { .. } => "DuplicateKey",
    }
}

/// Runs the reference parser, `polar_core::parser::parse_lines` of Oso 0.27.3.
pub fn oso_parse(text: &str) -> OsoVerdict {
    let source = polar_core::sources::Source::new(text);
    // Boxed: polar-core's error type is large (clippy::result_large_err).
    match catch_unwind(|| polar_core::parser::parse_lines(source).map_err(Box::new)) {
        Ok(Ok(_)) => OsoVerdict::Accept,
        Ok(Err(e)) => match e.0 {
            ErrorKind::Parse(p) => OsoVerdict::Reject {
                kind: oso_kind_name(&p.kind).to_owned(),
                loc: oso_loc(&p.kind),
                message: match &p.kind {
                    // polar-core's Display of the offending term can itself panic (e.g. on an
                    // operator-call term such as `.(x)`), so this kind gets its own words.
                    ParseErrorKind::WrongValueType { expected, .. } => {
                        format!("wrong value type, expected a {expected}")
                    }
                    kind => kind.to_string(),
                },
            },
            other => {
                OsoVerdict::Reject { kind: "non-parse error".into(), loc: 0, message: other.to_string() }
            }
        },
        Err(p) => OsoVerdict::Panic(panic_message(p)),
    }
}

/// Runs our parser. Warnings do not reject an input; any error diagnostic does.
pub fn our_parse(text: &str) -> OurVerdict {
    match catch_unwind(AssertUnwindSafe(|| polar_compiler::parser::parse_file(FileId(0), text))) {
        Err(p) => OurVerdict::Panic(panic_message(p)),
        Ok((_, diagnostics)) => {
            let mut errors = diagnostics.iter().filter(|d| d.severity == Severity::Error);
            match errors.next() {
                None => OurVerdict::Accept,
                Some(d) => OurVerdict::Reject {
                    code: d.code,
                    start: d.span.start as usize,
                    end: d.span.end as usize,
                    message: d.message.clone(),
                    errors: 1 + errors.count(),
                },
            }
        }
    }
}

/// 1-based line of a byte offset (offsets past the end count as the last line).
pub fn line_of(text: &str, offset: usize) -> usize {
    SourceFile::new("input.polar", text).line_col(offset).0
}

/// Where the field or argument list that starts at `loc` ends: the offset of the bracket
/// that closes the innermost `(`, `[` or `{` enclosing `loc` (or the end of the text).
/// Oso reports a duplicate key at the start of the whole list, so this bounds the region
/// in which our (more precise) duplicate-key diagnostic must fall.
fn end_of_enclosing_list(text: &str, loc: usize) -> usize {
    // A scanner of its own (not our lexer, which is under test): it only needs to skip
    // strings and comments and count brackets.
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = loc.min(bytes.len());
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// Compares both parsers on one input. `Ok(())` when they agree: both accept, or both
/// reject with the first error on the same line (for a duplicate key: our duplicate-key
/// diagnostic inside the list where Oso found it). Otherwise a report naming the input,
/// both verdicts and both positions.
pub fn compare(text: &str) -> Result<(), String> {
    let oso = oso_parse(text);
    let ours = our_parse(text);
    let agree = match (&oso, &ours) {
        (OsoVerdict::Accept, OurVerdict::Accept) => true,
        (OsoVerdict::Reject { kind, loc, .. }, OurVerdict::Reject { code, start, .. }) => {
            if kind == "DuplicateKey" {
                *code == DUPLICATE_KEY_CODE && *start >= *loc && *start < end_of_enclosing_list(text, *loc)
            } else {
                line_of(text, *loc) == line_of(text, *start)
            }
        }
        _ => false,
    };
    if agree { Ok(()) } else { Err(report(text, &oso, &ours)) }
}

/// A human-readable account of both verdicts on `text`.
pub fn report(text: &str, oso: &OsoVerdict, ours: &OurVerdict) -> String {
    let pos = |offset: usize| {
        let (line, col) = SourceFile::new("input.polar", text).line_col(offset);
        format!("{line}:{col} (byte {offset})")
    };
    let oso_s = match oso {
        OsoVerdict::Accept => "accepts".to_owned(),
        OsoVerdict::Reject { kind, loc, message } => format!("rejects at {}: {kind}: {message}", pos(*loc)),
        OsoVerdict::Panic(m) => format!("PANICS: {m}"),
    };
    let ours_s = match ours {
        OurVerdict::Accept => "accepts".to_owned(),
        OurVerdict::Reject { code, start, end, message, errors } => {
            format!("rejects at {}..{end}: {code}: {message} ({errors} error(s) in all)", pos(*start))
        }
        OurVerdict::Panic(m) => format!("PANICS: {m}"),
    };
    format!(
        "input {text:?}\n  --- text ---\n{}\n  ------------\n  oso:  {oso_s}\n  ours: {ours_s}",
        indent(text)
    )
}

fn indent(text: &str) -> String {
    text.lines().enumerate().map(|(i, l)| format!("  {:>3} | {l}", i + 1)).collect::<Vec<_>>().join("\n")
}

/// Number of proptest cases: `PROPTEST_CASES` when set (to scale a run up or down),
/// else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// A proptest configuration of `cases(default)` cases, without failure files: proptest
/// prints the minimal failing input (a hand-written case to add).
pub fn config(default: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config { cases: cases(default), failure_persistence: None, ..Default::default() }
}

/// A small deterministic generator (SplitMix64) for tests that mutate fixed inputs
/// without proptest; a fixed seed keeps failures reproducible.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
}

/// Small policies written like real ones (the corpus itself may be absent), for mutation.
pub const REALISTIC: &[&str] = &[
    // The example of the research notes (§1.5), which covers most of the syntax.
    r#"actor User {}
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
type is_adult(u: User);                              # rule type
allow(actor, action, resource) if has_permission(actor, action, resource);
allow(_: User{name: "root"}, _action, _resource);     # instance pattern specializer, fact
f(x: {a: 1}, [h, *t]) if x.a = h and t = [];         # dict specializer, rest var
g(x) if (x in [1, 2.5, "s", true, {k: 1}] and not x = 2) or (x matches Integer and x > 0);
h(x) if forall(y in x, y.ok) and print("dbg", x) and x.("weird-key") = 1 and cut;
k(u) if u.check("a", city: "NY") and n := u.age * 2 + 1 and n mod 3 == 0;
m(x) if x = new Foo(1, b: 2) and x.method() in [1, 2];
?= g(1);
"#,
    // Role-based access in the style of the Oso documentation examples.
    r#"# Users get roles on organizations; repositories inherit them.
actor User {}

resource Organization {
  roles = ["owner", "member"];
  permissions = ["read", "add_member", "delete"];

  "read" if "member";
  "add_member" if "owner";
  "member" if "owner";
}

resource Repository {
  roles = ["reader", "maintainer", "admin"];
  permissions = ["read", "push", "delete"];
  relations = { parent: Organization };

  "read" if "reader";
  "push" if "maintainer";
  "delete" if "admin";
  "reader" if "maintainer";
  "maintainer" if "admin";
  "admin" if "owner" on "parent";
}

has_role(user: User, name: String, org: Organization) if
  role in user.roles and
  role matches { name: name, organization: org };

has_relation(org: Organization, "parent", repo: Repository) if
  org = repo.organization;

allow(actor, action, resource) if
  has_permission(actor, action, resource);

allow(user: User, "read", repo: Repository) if
  repo.is_public = true;
"#,
    // Older-style policy: facts, recursion, arithmetic, lists, dictionaries, cut.
    r#"parent("alice", "bob");
parent("bob", "carol");
ancestor(a, b) if parent(a, b);
ancestor(a, c) if parent(a, b) and ancestor(b, c);

allow(actor: github::User, "read", doc: Document{public: true});
allow(actor, "edit", doc: Document) if
    doc.owner = actor.name or
    (actor.age >= 18 and actor.role in ["editor", "admin"]);
allow(actor, _action, _resource) if actor.is_admin() and cut;

sum([], 0);
sum([x, *xs], s) if sum(xs, t) and s = x + t;
limits(x) if x < 9223372036854775807 and x > -inf and x != nan and x = 1.5e3;
config({debug: false, level: 3, tags: ["a", "b"]});
lookup(d, k, v) if v = d.(k) and not v = nil;
?= ancestor("alice", "carol");
"#,
    // Rule types and unusual but valid syntax.
    r#"type has_role(user: User, role: String, resource: Resource);
type allow_field(actor: Actor, action: String, resource: Resource, field: String);
allow_field(_: User, "read", _: Repo, "name");
ünïcödé(💯) if 💯 = "emoji" and print(💯);
q?(x) if x?= 1;
w(x) if x.type = "t" and x.in() and x.("key") = x.(key) and key = "k";
z(x) if not (x = 1 or x = 2) and debug();
esc("tab\there \"quoted\" back\\slash");
"#,
];
