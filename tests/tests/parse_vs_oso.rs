//! Differential test of our parser against Oso 0.27.3's (`polar_core::parser::parse_lines`).
//!
//! On every input both must accept, or both must reject with the first error on the same
//! line. Oso stops at its first error; we report every error, so our *first* error diagnostic
//! (in the order the parser reports them) is the one compared. One documented exception:
//! Oso puts a duplicate dictionary/keyword key at the start of the whole field list, we put
//! it on the duplicated key, so there our duplicate-key diagnostic must lie inside the list
//! Oso points at (see `parse_support::compare`).
//!
//! Inputs: (a) hand-written cases for every construct of the grammar, each with the verdict
//! and error line we expect from Oso (checked, so a wrong expectation cannot hide); (b)
//! random well-formed policies and mutations of them, and token soups (proptest; scale with
//! `PROPTEST_CASES`). The corpus of real policies is in `parse_corpus.rs`.

mod parse_support;

use parse_support::generate;
use parse_support::mutate::{self, Mutation};
use parse_support::{OsoVerdict, compare, line_of, oso_parse};
use proptest::prelude::*;

/// What Oso 0.27.3 does with a case: accept, or reject with its error on this 1-based line.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Accept,
    Reject(usize),
}

struct Case {
    src: &'static str,
    expect: Expect,
}

const fn ok(src: &'static str) -> Case {
    Case { src, expect: Expect::Accept }
}

const fn err(line: usize, src: &'static str) -> Case {
    Case { src, expect: Expect::Reject(line) }
}

/// Every construct of the grammar, valid and invalid. Comments name the Oso quirk a case
/// pins down; the expected verdicts were checked against polar-core 0.27.3.
const CASES: &[Case] = &[
    // ---- whitespace, comments, line endings
    ok(""),
    // Found by the mutation proptest: `.` at the start of an expression opens Oso's
    // operator-call syntax `.(a, b)`, so the error is at the token after it.
    err(3, "f(x) if\n    .\n5 = x;"),
    // Found by the proptests: Oso's LALR tables reduce on any token that may follow an
    // operand of that level somewhere in the grammar, even where it cannot follow here, so
    // the kind error is reported rather than the misplaced `;` or `,`.
    err(1, "?= [ (f(1) and\n  false);"),
    err(1, "?= x and 1\n, "),
    // ...but not on a token that follows no operand of that level anywhere.
    err(2, "f(x) if x and 1\ng(x);"),
    ok("# only a comment"),
    ok("f(x); # a comment without a final newline"),
    ok("f(x);\r\ng(y);\r\n"),
    ok("f(x);\tg(y);"),
    ok("f(x) # comment\n  if x;"),
    // A comment ends at `\r` too, so `g(x);` is code.
    ok("f(x); # c\rg(x);"),
    err(1, "f(x) if # the body is missing\n"),
    err(3, "f(x) if\n# only a comment\n;"),
    ok(r#"f("a # not a comment");"#),
    // Form feed and vertical tab are not whitespace for Oso: they start a symbol.
    err(1, "f(x);\u{c}"),
    err(2, "f(x);\n\u{b} g(x);"),
    // A no-break space is a symbol character, so this is the single symbol "\u{a0}x".
    ok("f(\u{a0}x);"),
    // So is a byte-order mark: this rule is named "\u{feff}f".
    ok("\u{feff}f(x);"),
    err(2, "f(x);\n\u{feff}"),
    // A lone `\r` separates tokens but does not start a line (for Oso or for us).
    err(1, "f(x);\rg(x) if @;"),
    err(1, "?"),
    err(2, "f(x);\n?"),
    // ---- symbols
    ok("f(ünïcödé, 💯, x_1, _x, _, ЖЖ);"),
    ok("f(github::User, a::b::c);"),
    err(2, "f(x);\ng(a::);"),
    err(1, "f(a:::b);"),
    err(1, "f(a:: b);"),
    ok("ok?(x) if x.ok? and y?;"),
    err(1, "f(a??);"),
    err(1, "f(a?b);"),
    // `x?=` lexes as the symbol `x?` then `=`.
    ok("f(x) if x?= 1;"),
    err(1, "f(1x);"),
    err(1, "f(1_000);"),
    // ---- reserved words cannot be rule names; resource-block words are not reserved
    err(1, "if(x);"),
    err(1, "new(x);"),
    err(1, "in(x);"),
    err(1, "cut(x);"),
    err(1, "debug(x);"),
    err(1, "print(x);"),
    err(1, "forall(x);"),
    err(1, "matches(x);"),
    err(1, "mod(x);"),
    err(1, "rem(x);"),
    err(1, "isa(x);"),
    err(1, "true(x);"),
    err(1, "nan(x);"),
    err(1, "and(x);"),
    err(1, "type(x);"),
    ok("actor(x); resource(x); on(x); roles(x); permissions(x); relations(x); nil(x); this(x); allow(x);"),
    err(1, "f(if);"),
    err(2, "f(x);\ng(x) if new = 1;"),
    // ---- strings
    ok(r#"f("a\"b\\c\n\t\r\0\q");"#),
    ok(r#"f("", "ü 💯 ∀", "{[(;");"#),
    err(2, "f(x);\ng(\"ab\ncd\");"),
    err(2, "f(x);\ng(\"abc"),
    err(1, "f(\"abc\\"),
    // A backslash escapes even a raw newline.
    ok("f(\"a\\\nb\");"),
    err(1, "f(x) if x = 'a';"),
    // ---- numbers
    ok("f(007, 0, 9223372036854775807, -9223372036854775807, -1, +1);"),
    err(1, "f(9223372036854775808);"),
    // The sign is not part of the token, so i64::MIN overflows.
    err(1, "f(-9223372036854775808);"),
    err(2, "f(1);\ng(x) if x = 99999999999999999999999;"),
    ok("f(1.5, 1., 1e5, 1E5, 2.5e-3, 1e+5, 1.e3, 0.0, 1e400);"),
    ok("f(-inf, +inf, inf, nan, -nan, -1.5);"),
    err(1, "f(3e);"),
    err(1, "f(1e+);"),
    err(1, "f(.5);"),
    err(1, "f(x) if x = 1e5e5;"),
    err(1, "f(--1);"),
    ok("f(x) if x = 3 - -1 and y = 1--1 and z = - 1 and w = 1 -1;"),
    // Unary minus only before a numeric literal.
    err(1, "f(x) if x = -y;"),
    err(1, "f(x) if x = -(1);"),
    err(1, "f(x) if x = -\"s\";"),
    // `1.foo` lexes as the float `1.` then `foo`; `1 .foo` and `1.5.foo` are dot lookups.
    err(1, "f(1.foo);"),
    ok("f(x) if x = 1 .foo and y = 1.5.foo;"),
    // ---- rules and facts
    ok("f();"),
    ok("f() if true;"),
    ok("f(x) if x;"),
    // The body may be any term, even a value.
    ok("f(x) if 1;"),
    ok("f(x) if x.y and x.y();"),
    ok("f(x) if (x = 1) and ((x));"),
    err(1, "f(x)"),
    err(1, "f(x) if;"),
    err(1, "f(x,);"),
    err(1, "f(,x);"),
    err(1, "f(x) g(x);"),
    err(1, "f x;"),
    err(1, "f(x);;"),
    err(1, "f(x) if (x = 1;"),
    err(1, "f(x) if x = 1 and;"),
    err(1, "f(x) if and x;"),
    err(1, "f(x) if g(x) h(x);"),
    err(3, "f(x) if\n  x = 1 and\n  y = = 2;"),
    err(1, "1;"),
    err(1, "x;"),
    err(1, "\"s\";"),
    err(2, "f(x);\n}"),
    err(1, "{}"),
    err(1, ")"),
    // Parameters without a specializer are value expressions up to `+`/`-`.
    ok(r#"f(1, "s", true, [1, 2], {a: 1}, x.y, 1 + 2, new Foo(), x.m());"#),
    err(1, "f(x = 1);"),
    err(1, "f(x < 1);"),
    err(1, "f(x in y);"),
    err(1, "f(x matches Foo);"),
    err(1, "f(g(x));"),
    err(1, "f(Foo{});"),
    // ---- specializers
    ok("f(x: Foo, y: Integer, z: String, _: github::Repo);"),
    ok(r#"f(x: 1, y: "s", z: true, w: -1, v: 1.5);"#),
    ok("f(x: {a: 1, b}, y: Foo{}, z: Foo{a: 1, b: {c: 2}, d: [1, *r]});"),
    ok("f(x: [1, *r], y: [Foo{}, {a: 1}], z: []);"),
    ok("f(x: Foo{a: y.z, b: \"k\".len()}, y: {a: (1 + 2)});"),
    ok("f(_: Foo, _);"),
    err(1, "f(x: Foo{a: 1 + 2});"),
    err(1, "f(x: 1 + 2);"),
    err(1, "f(x: new Foo());"),
    err(1, "f(1: Foo);"),
    err(1, "f(x: y: Foo);"),
    err(1, "f(x.y: Foo);"),
    err(1, "f(x: Foo{y}.z);"),
    err(1, "f(x: (Foo));"),
    err(1, "f(x: Foo{a: 1, a: 2});"),
    err(2, "f(x: Foo,\n  y: Bar{z: 1 < 2});"),
    err(1, "f(x: isa);"),
    // ---- dictionaries
    ok(r#"f(x) if x = {} and x = {a: 1, b: "s", c: [1], d: {e: f}};"#),
    ok("f(x) if x = {a, b} and x = {a: 1,};"),
    ok("f(x) if x = {type: 1, in: 2, new: 3, if: 4, forall: 5, matches: 6};"),
    ok("f(x) if x = {a: 1 + 2, b: y.z} and {a: 1}.a = 1;"),
    // A comma may follow a field with the field omitted (`Fields "," Field?`), so double
    // commas are accepted in dictionaries, lists, keyword arguments and role lists.
    ok("f(x) if x = {a: 1,,} and x = {a: 1,, b: 2,,,};"),
    err(1, "f(x) if x = {,};"),
    // The `{x}` shorthand needs a plain name.
    err(1, "f(x) if x = {type};"),
    err(1, "f(x) if x = {isa: 1};"),
    err(1, "f(x) if x = {mod: 1};"),
    err(1, "f(x) if x = {1: 2};"),
    err(1, r#"f(x) if x = {"a": 1};"#),
    err(1, "f(x) if x = {a: 1 < 2};"),
    err(1, "f(x) if x = {a: b = c};"),
    err(1, "f(x) if x = {a: 1, a: 2};"),
    err(1, "f(x) if x = {a, a};"),
    err(2, "f(x) if\n  x = {a: 1,\n    b: 2,\n    a: 3};"),
    err(1, "f(x) if x = {a: {b: 1, b: 2}};"),
    // Instance literals exist only after `new` and in patterns.
    err(1, "f(x) if x = Foo{a: 1};"),
    err(1, "f(x) if x = {a: 1}{b: 2};"),
    // ---- lists
    ok("f(x) if x = [] and x = [1, 2, 3] and x = [1,] and x = [[1], [2, [3]]];"),
    ok("f(x) if x = [*r] and x = [1, *r] and x = [1, * r] and x = [1 + 2, x.y];"),
    ok("f(x) if x = [1,,] and x = [1,, 2] and x = [1,, *r] and x = [1,,,];"),
    err(1, "f(x) if x = [1, *r,,];"),
    err(1, "f(x) if x = [,];"),
    err(1, "f(x) if x = [,1];"),
    err(1, "f(x) if x = [*r, 3];"),
    err(1, "f(x) if x = [1, *x, *y];"),
    err(1, "f(x) if x = [*r,];"),
    err(1, "f(x) if x = [*1];"),
    err(1, "f(x) if x = [*];"),
    err(1, "f(x) if x = [1 < 2];"),
    err(1, "f(x) if x = [x = 1];"),
    err(3, "f(x) if x = [1,\n  2\n;"),
    // ---- precedence and value-versus-logical checks
    ok("f(x) if x = 1 + 2 * 3 - 4 / 5 mod 6 rem 7 and x = (1 + 2) * 3;"),
    ok("f(x) if a and b or c;"),
    ok("f(x) if a or b and c or not d;"),
    ok("f(x) if not a and b and not x = 1 and not (not x) and not x.y and not f(x);"),
    err(1, "f(x) if not not x;"),
    err(1, "f(x) if x = 1 = 2;"),
    err(2, "f(x) if\n  x = 1\n  = 2;"),
    err(1, "f(x) if x == 1 == 2;"),
    err(1, "f(x) if 1 < 2 < 3;"),
    ok("f(x) if x == 1 + 2 and x != 1 and x <= 1 and x >= 1 and x < 1 and x > 1;"),
    // `in` and `matches` bind tighter than arithmetic.
    err(1, "f(x) if x + 1 in y;"),
    err(1, "f(x) if x * 2 in [4];"),
    ok("f(x) if (x + 1) in y and x in [1, 2] and x in y.z and x.y in z;"),
    err(1, "f(x) if x in [1] + [2];"),
    err(1, "f(x) if x in y in z;"),
    err(1, "f(x) if x in y.z in w;"),
    ok("f(x) if x matches Foo and x matches Foo{a: 1} and x matches {a: 1} and x matches 1;"),
    ok("f(x) if x matches [1, *r] and x.y matches Foo and x matches github::Repo;"),
    err(1, "f(x) if x matches Foo.a;"),
    err(1, "f(x) if x matches y matches z;"),
    err(1, "f(x) if x matches new Foo();"),
    err(1, "f(x) if x matches (Foo);"),
    err(1, "f(x) if x matches Foo{a: 1, a: 2};"),
    err(1, "f(x) if x isa Foo;"),
    err(1, "f(x) if not 1;"),
    err(2, "f(x) if not\n 1\n;"),
    err(1, "f(x) if not [1];"),
    ok("f(x) if not x and not (x) and not true;"),
    err(1, "f(x) if 1 and 2;"),
    err(1, "f(x) if x and 1;"),
    err(1, r#"f(x) if x or "s";"#),
    err(2, "f(x) if x and\n  [1] and y;"),
    ok("f(x) if x = 2 mod 3 rem 4;"),
    err(1, "f(x) if x = 2 mod;"),
    err(1, "f(x) if x = mod 3;"),
    err(1, "f(x) if x = (1, 2);"),
    // ---- forall
    ok("f(x) if forall(y in x, y > 0) and forall(x, y) and forall(g(x), h(x) and i(x));"),
    err(1, "f(x) if forall([1], x);"),
    err(1, "f(x) if forall(y in x, 1);"),
    err(1, "f(x) if forall(y in x);"),
    err(1, "f(x) if forall(a, b, c);"),
    err(1, "f(x) if forall;"),
    // ---- dot lookups and method calls
    ok("f(x) if x.f = 1 and x.f() = 1 and x.f(1, 2) = 1 and x.a.b.c(1).d = 1;"),
    ok(r#"f(x) if x.(y) = 1 and x.("key with spaces") = 1;"#),
    ok("f(x) if x.type = 1 and x.in() = 1 and x.new(1) and x.forall and x.matches(a: 1) and x.if;"),
    err(1, "f(x) if x.(1);"),
    err(1, "f(x) if x.(y.z);"),
    err(1, r#"f(x) if x.("a" + "b");"#),
    err(1, "f(x) if x.1;"),
    err(1, "f(x) if x.isa;"),
    err(1, "f(x) if x.mod;"),
    err(1, "f(x) if x.true;"),
    err(1, "f(x) if x.;"),
    err(1, "f(x) if x..y;"),
    err(1, "f(x) if x.y{};"),
    err(1, "f(x) if x.m(1,);"),
    // Operator-call syntax (`.(a, b)`, `in(..)`, `new(..)`) is part of the grammar.
    ok(r#"f(x) if .(x, "a", y) and in(x, y) and new(x, y);"#),
    // ---- calls and keyword arguments
    ok("f(x) if g(x, a: 1, b: 2) and g(a: 1) and g(x, type: 1) and x.m(1, k: 2);"),
    // Keyword arguments (unlike positional ones) may end with a comma.
    ok("f(x) if g(a: 1,);"),
    ok("f(x) if g(a: 1,,) and g(x, a: 1,, b: 2);"),
    err(1, "f(x) if g(x,, a: 1);"),
    err(1, "f(x) if g(x,, y);"),
    err(1, "f(x) if g(a: 1, x);"),
    err(1, "f(x) if g(x, a: 1, a: 2);"),
    err(2, "f(x, y) if g(x) and\n  h(x, a: 1,\n    a: 2);"),
    err(1, "f(x) if g(x,);"),
    err(1, "f(x) if g(a: x = 1);"),
    err(1, "f(x) if g(isa: 1);"),
    err(1, "f(x) if g(true: 1);"),
    err(1, "f(x) if g(x) = 1;"),
    // ---- new
    ok("f(x) if x = new Foo() and x = new Foo(1, a: 2) and x = new github::Repo() and new Foo().m();"),
    err(1, "f(x) if x = new Foo;"),
    err(1, "f(x) if x = new Foo{};"),
    err(1, "f(x) if x = new (Foo());"),
    err(1, "f(x) if x = new Foo(1,);"),
    err(1, "f(x) if x = new Foo(a: 1, a: 2);"),
    err(1, "f(x) if x = new foo.Bar();"),
    err(1, "f(x) if x = new 1;"),
    // ---- print, debug, cut
    ok(r#"f(x) if print(x) and print() and print(x, 1, "s") and print(x,);"#),
    err(1, "f(x) if print;"),
    err(1, "f(x) if print(a: 1);"),
    err(1, "f(x) if x = print(x);"),
    ok("f(x) if debug() and debug(x, y);"),
    err(1, "f(x) if debug;"),
    ok("f(x) if cut and x = 1 and cut;"),
    err(1, "f(x) if cut();"),
    err(1, "f(x) if x = cut;"),
    // ---- assignment
    ok("f(x) if y := 1 and z := x + 1 and w := x.y;"),
    err(1, "f(x) if y.z := 1;"),
    err(1, "f(x) if 1 := 1;"),
    err(1, "f(x) if (y) := 1;"),
    err(1, "f(x) if y := z := 1;"),
    err(1, "f(x) if y := 1 < 2;"),
    // ---- inline queries
    ok("?= f(1);"),
    ok("?= 1;"),
    ok("?= x = 1 and y;"),
    err(1, "?= f(1)"),
    err(1, "?= ;"),
    err(1, "?=;"),
    err(1, "? = f(1);"),
    err(1, "f(x) if x ? y;"),
    // ---- rule types
    ok("type f(x: Integer);"),
    ok("type f();"),
    ok("type allow(actor: Actor, action: String, resource: Resource);"),
    // Dot lookups in rule types are rejected later (at load), not by the parser.
    ok("type f(x.y);"),
    err(1, "type f(x) if x;"),
    err(1, "type f(x)"),
    err(1, "type type(x);"),
    err(1, "type;"),
    err(1, "type resource Foo {}"),
    // ---- resource blocks
    ok("resource Repo {}"),
    ok("actor User {}"),
    ok("Repo {}"),
    // The keyword is not checked by the parser; `resource {}` is a block named `resource`.
    ok("foo Repo {}"),
    ok("resource {}"),
    ok(r#"resource Repo {
  permissions = ["read", "push"];
  roles = ["reader", "writer",];
  relations = { parent: Org, creator: User, };
  "read" if "reader";
  "reader" if "member" on "parent";
  "push" if "writer" foo "bar";
}"#),
    ok(r#"resource Repo { roles = []; relations = {}; relations = {parent}; relations = {type: Org}; }"#),
    err(1, "resource Repo {};"),
    err(1, "resource Repo {"),
    ok(r#"resource Repo { roles = ["a",,]; permissions = ["a",, "b"]; relations = {a: B,, c: D,}; }"#),
    err(1, r#"resource Repo { roles = [,"a"]; }"#),
    err(1, "resource Repo { roles = [1]; }"),
    err(1, "resource Repo { roles = [r]; }"),
    err(1, r#"resource Repo { relations = {parent: "Org"}; }"#),
    err(1, "resource Repo { relations = {parent: Org, parent: User}; }"),
    err(1, r#"resource Repo { roles = "a"; }"#),
    err(3, "resource Repo {\n  roles = [\"a\"]\n}"),
    err(1, r#"resource Repo { "r" if "m" on; }"#),
    err(1, r#"resource Repo { "r" if "m" on parent; }"#),
    err(1, r#"resource Repo { "r" if m; }"#),
    err(1, r#"resource Repo { "r" if "m" and "n"; }"#),
    err(1, r#"resource Repo { "r"; }"#),
    err(1, r#"resource Repo { read if "reader"; }"#),
    err(1, "resource Repo { f(x); }"),
    err(1, "resource Repo { ?= f(x); }"),
    err(1, "resource Repo Org {}"),
    err(1, r#"resource "Repo" {}"#),
    err(1, r#"resource Repo { "a" if "b" on "c" "d"; }"#),
    err(1, r#"resource Repo { roles = ["a"] permissions = []; }"#),
    err(4, "actor User {}\nresource Repo {\n  roles = [\"a\"];\n  \"read\" if \"a\" on;\n}"),
    // ---- characters and tokens no production uses
    err(1, "f(x) if x | y;"),
    err(1, "f(x) if !x;"),
    err(1, "f(x) if x ! y;"),
    err(1, "f(x) if x @ y;"),
    err(1, "f(x) if x = `a`;"),
    err(1, "f(x) if x = $a;"),
    err(1, "f(x) if x ~ y;"),
    err(1, "f(x) if x & y;"),
    err(1, "f(x) if x % y;"),
    err(1, "f(x) if x ^ y;"),
    err(1, "f(x) if x = a\\b;"),
    err(2, "f(x) if x = \"ü💯\";\ng(x) if x = @;"),
    // ---- which error comes first
    // Oso checks a value-versus-logical error when it reduces, that is on reading the next
    // token, so it is found before a bad character further on ...
    err(1, "f(x) if x = 1 =\n @ 2;"),
    // ... but a bad character *as* that next token is reported first.
    err(2, "f(x) if not 1\n@;"),
    // The end of input is reported where the last token ends, not at the end of the text.
    err(1, "f(x) if x = 1\n\n"),
    err(1, "f(x) if x = 1 = 2;\n@"),
    err(1, "f(x) if x = {a: 1, a: 2};\n@"),
    // More of the same rule: Oso's LR parser reports a value-versus-logical error or a
    // duplicate key only when it reduces, which needs a next token that may follow there;
    // any other next token is reported instead (as unexpected). These disagreed with our
    // parser when it was first compared (it reported the earlier error).
    err(2, "f(x) if x and 1\ng(x);"),
    err(2, "f(g(x)\n  if x;"),
    err(2, "f(x) if x = {a: 1 < 2\n];"),
    // A commented-out comparison leaves `n mod 3` (a value) as an operand of `and`.
    err(2, "f(n) if g(n) and n mod 3 # == 0;\nh(n);"),
    err(2, "f(x) if x = {a: 1, a: 2\n  @};"),
    err(2, "f({y, y\n: Foo{}});"),
    // A reserved word or name that may begin a key or keyword argument is only wrong once
    // the token after it is not `:`.
    err(2, "f(x) if g(if\n);"),
    err(2, "f(x) if x = {if\n};"),
    err(2, "f(x: Foo{type\n});"),
    err(2, "f(x) if g(a: 1, b\n);"),
    err(2, "f(x) if x = new Foo(a: 1, a\n);"),
    // After an escaped line break, a raw one ends the string: Oso reports where it is.
    err(2, "f(\"a\\\nb\nc\");"),
];

fn check(text: &str, failures: &mut Vec<String>) {
    if let Err(report) = compare(text) {
        failures.push(report);
    }
}

fn finish(what: &str, total: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} of {total} {what} disagree with Oso:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Guards the table itself: each case's expected Oso verdict and line must be what Oso does,
/// so that the comparisons below test what the comments claim.
#[test]
fn hand_written_expectations_match_oso() {
    let mut wrong = Vec::new();
    for case in CASES {
        let got = match oso_parse(case.src) {
            OsoVerdict::Accept => Expect::Accept,
            OsoVerdict::Reject { loc, .. } => Expect::Reject(line_of(case.src, loc)),
            OsoVerdict::Panic(m) => panic!("polar-core panicked on {:?}: {m}", case.src),
        };
        if got != case.expect {
            wrong.push(format!(
                "{:?}: expected {:?}, Oso says {:?} ({:?})",
                case.src,
                case.expect,
                got,
                oso_parse(case.src)
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong expectations:\n{}", wrong.join("\n"));
    assert!(CASES.len() >= 150, "only {} cases", CASES.len());
}

#[test]
fn hand_written_cases_agree_with_oso() {
    let mut failures = Vec::new();
    for case in CASES {
        check(case.src, &mut failures);
    }
    finish("hand-written cases", CASES.len(), failures);
}

/// The same cases below two other lines, so that an error line number cannot match by
/// accident of every case starting on line 1.
#[test]
fn hand_written_cases_agree_with_oso_after_other_lines() {
    let mut failures = Vec::new();
    for case in CASES {
        check(&format!("# a policy\nallow(_, \"read\", _);\n{}", case.src), &mut failures);
    }
    finish("shifted hand-written cases", CASES.len(), failures);
}

/// The same cases with every space turned into a line break, so each token starts its own
/// line and the error line pins down the token the error is reported at. Cases with strings
/// or comments are skipped (a line break changes their meaning).
#[test]
fn hand_written_cases_agree_with_oso_one_token_per_line() {
    let mut failures = Vec::new();
    let mut total = 0;
    for case in CASES.iter().filter(|c| !c.src.contains(['"', '#'])) {
        total += 1;
        check(&case.src.replace(' ', "\n"), &mut failures);
    }
    assert!(total > 100);
    finish("one-token-per-line hand-written cases", total, failures);
}

// The minimal failing input proptest prints belongs in `CASES` above.
proptest! {
    #![proptest_config(parse_support::config(512))]

    /// Checks the generator: everything it makes is valid Polar for Oso. Then both parsers
    /// must accept it.
    #[test]
    fn generated_policies_agree_with_oso(policy in generate::policy(6)) {
        let text = policy.text();
        let oso = oso_parse(&text);
        prop_assert_eq!(&oso, &OsoVerdict::Accept, "the generator made an invalid policy:\n{}", text);
        if let Err(report) = compare(&text) {
            return Err(TestCaseError::fail(report));
        }
    }
}

// Mutated and random inputs are cheap (about 0.1 ms a case unoptimized), so run more.
proptest! {
    #![proptest_config(parse_support::config(2048))]

    /// Nearly valid policies: one to three token or character edits of a generated one.
    #[test]
    fn mutated_policies_agree_with_oso(
        policy in generate::policy(4),
        mutations in prop::collection::vec(mutate::mutation(), 1..=3),
    ) {
        let text = mutate::apply_all(&policy.text(), &mutations);
        if let Err(report) = compare(&text) {
            return Err(TestCaseError::fail(report));
        }
    }

    /// Mutations of small policies written like real ones.
    #[test]
    fn mutated_realistic_policies_agree_with_oso(
        which in 0..parse_support::REALISTIC.len(),
        mutations in prop::collection::vec(mutate::mutation(), 1..=2),
    ) {
        let text = mutate::apply_all(parse_support::REALISTIC[which], &mutations);
        if let Err(report) = compare(&text) {
            return Err(TestCaseError::fail(report));
        }
    }

    /// Random sequences of tokens, separated by spaces or line breaks or glued together.
    #[test]
    fn token_soups_agree_with_oso(
        soup in prop::collection::vec(
            (prop::sample::select(mutate::VOCABULARY), prop::sample::select(&[" ", " ", "\n", ""][..])),
            0..30,
        ),
    ) {
        let text: String = soup.iter().flat_map(|(t, sep)| [*t, *sep]).collect();
        if let Err(report) = compare(&text) {
            return Err(TestCaseError::fail(report));
        }
    }
}

/// Mutations must actually change policies (else the mutation tests test nothing much).
#[test]
fn mutations_change_the_text() {
    let text = parse_support::REALISTIC[0];
    let changed = (0..200)
        .filter(|&i| {
            let m = match i % 4 {
                0 => Mutation::DuplicateTokens(i, 3),
                1 => Mutation::InsertToken(i, i % mutate::VOCABULARY.len(), i % 3 == 0),
                2 => Mutation::ReplaceToken(i, (i * 7) % mutate::VOCABULARY.len()),
                _ => Mutation::SwapTokens(i),
            };
            mutate::apply(text, &m) != text
        })
        .count();
    assert!(changed > 150, "only {changed} of 200 mutations changed the text");
    assert!(mutate::tokens(text).len() > 50);
}

/// Every prefix of the realistic policies (cut at every character): truncated input is
/// where end-of-input errors and their positions differ between parsers.
#[test]
fn every_prefix_of_realistic_policies_agrees_with_oso() {
    let mut failures = Vec::new();
    let mut total = 0;
    for text in parse_support::REALISTIC {
        for end in (0..=text.len()).filter(|&e| text.is_char_boundary(e)) {
            total += 1;
            check(&text[..end], &mut failures);
        }
    }
    let n = failures.len();
    failures.truncate(20);
    assert!(
        failures.is_empty(),
        "{n} of {total} prefixes disagree with Oso; the first 20:\n\n{}",
        failures.join("\n\n")
    );
}

/// Nesting as deep as a real policy could plausibly go (our parser bounds nesting, see
/// `parse_robustness.rs`; Oso does not), in every construct that nests.
#[test]
fn moderate_nesting_agrees_with_oso() {
    const D: usize = 40;
    let nest =
        |open: &str, middle: &str, close: &str| format!("{}{middle}{}", open.repeat(D), close.repeat(D));
    let texts = [
        format!("f(x) if {};", nest("(", "x", ")")),
        format!("f(x) if {};", nest("not (", "x", ")")),
        format!("f(x) if x = {};", nest("[", "1", "]")),
        format!("f(x) if x = {};", nest("{a: ", "1", "}")),
        format!("f(x) if x = {};", nest("([{a: ", "1", "}])")),
        format!("f(x) if x = {};", nest("new A(", "1", ")")),
        format!("f(x) if x = {};", nest("x.m(", "1", ")")),
        format!("f(x) if {};", nest("forall(x, ", "x", ")")),
        format!("f({});", nest("[", "", "]")),
        format!("f(x: {});", nest("{a: ", "1", "}")),
        format!("f(x: {});", nest("Foo{a: ", "1", "}")),
        format!("f(x) if x matches {};", nest("{a: [", "1", "]}")),
        format!("f(x) if x = 1{};", " + 1".repeat(10 * D)),
        format!("f(x) if x{};", ".a".repeat(10 * D)),
        format!("f(x) if x{};", " and x".repeat(10 * D)),
    ];
    let mut failures = Vec::new();
    for text in &texts {
        assert_eq!(oso_parse(text), OsoVerdict::Accept, "Oso rejects {text:?}");
        check(text, &mut failures);
    }
    finish("moderately nested inputs", texts.len(), failures);
}
