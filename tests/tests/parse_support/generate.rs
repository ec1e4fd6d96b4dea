//! Random well-formed Polar 0.27.3 policies, as proptest strategies.
//!
//! Expressions are generated as a small syntax tree and printed with exactly the parentheses
//! Oso's precedence table needs (plus a few redundant ones). Each position accepts only the
//! kind of expression Oso's grammar allows there: a *value* (number, string, list, dict,
//! `new`, arithmetic), a *logical* (call, comparison, `=`, `:=`, `in`, `matches`, `not`,
//! `and`, `or`, `forall`, `print`, `debug`, `cut`) or either (variable, boolean, dot
//! lookup). See `polar.lalrpop`: `ExpectValue`/`ExpectLogical` and `Exp1`..`Exp10`.
//! `generated_policies_are_accepted_by_oso` checks that Oso really accepts every output.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

/// Words that lex to their own token and so cannot be names (`lexer.rs::scan_symbol`).
pub const RESERVED: &[&str] = &[
    "true", "false", "inf", "nan", "new", "in", "cut", "debug", "print", "isa", "forall", "if", "and", "or",
    "not", "matches", "type", "mod", "rem",
];

/// Reserved words the grammar accepts as dictionary keys, keyword names and after a dot
/// (`ResWord` in `polar.lalrpop`; `isa`, `mod`, `rem` and the literals are not among them).
pub const RES_WORDS: &[&str] =
    &["type", "cut", "debug", "print", "in", "forall", "if", "and", "or", "not", "new", "matches"];

#[derive(Clone, Debug)]
pub enum Member {
    /// `x.name`
    Field(String),
    /// `x.type`, `x.in`: a reserved word as a field name.
    ResField(&'static str),
    /// `x.name(args, kw: v)`; the name may be a reserved word.
    Method(String, Vec<Expr>, Vec<(String, Expr)>),
    /// `x.(var)`
    DynVar(String),
    /// `x.("key")`
    DynStr(String),
}

#[derive(Clone, Debug)]
pub enum Expr {
    /// Literal text of a number, string or boolean (with its sign, if any).
    Lit(String),
    Var(String),
    List(Vec<Expr>, Option<String>, bool),
    /// Key and value; `None` is the `{key}` shorthand.
    Dict(Vec<(String, Option<Expr>)>, bool),
    New(String, Vec<Expr>, Vec<(String, Expr)>),
    Dot(Box<Expr>, Member),
    Arith(Box<Expr>, &'static str, Box<Expr>),
    Call(String, Vec<Expr>, Vec<(String, Expr)>),
    Cmp(Box<Expr>, &'static str, Box<Expr>),
    Unify(Box<Expr>, Box<Expr>),
    Assign(String, Box<Expr>),
    In(Box<Expr>, Box<Expr>),
    Matches(Box<Expr>, Pattern),
    Not(Box<Expr>),
    /// Operands and whether to put each on its own line.
    And(Vec<Expr>, bool),
    Or(Vec<Expr>, bool),
    Forall(Box<Expr>, Box<Expr>),
    /// `print(..)` or `debug(..)`.
    Builtin(&'static str, Vec<Expr>),
    Cut,
    /// Redundant parentheses.
    Paren(Box<Expr>),
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Lit(String),
    /// A bare name: a class (`x: User`, `y matches Foo`).
    Class(String),
    Dict(Vec<(String, Option<PatExpr>)>, bool),
    Instance(String, Vec<(String, Option<PatExpr>)>, bool),
    List(Vec<PatExpr>, Option<String>),
}

/// A field value inside a pattern: a pattern, optionally followed by dot lookups
/// (`{org_id: org.id}`); `Exp9<"Pattern">` in the grammar.
#[derive(Clone, Debug)]
pub enum PatExpr {
    Pat(Pattern),
    Dot(Box<PatExpr>, Member),
}

#[derive(Clone, Debug)]
pub enum Param {
    Plain(Expr),
    Specialized(String, Pattern),
}

#[derive(Clone, Debug)]
pub enum Production {
    /// `roles = ["a", "b"];`
    List(String, Vec<String>, bool),
    /// `relations = { parent: Org, creator };`
    Dict(String, Vec<(String, Option<String>)>, bool),
    /// `"a" if "b";` or `"a" if "b" on "c";`
    Shorthand(String, String, Option<(String, String)>),
}

#[derive(Clone, Debug)]
pub enum Line {
    Rule(String, Vec<Param>, Option<Expr>),
    RuleType(String, Vec<Param>),
    Query(Expr),
    Block(Option<String>, String, Vec<Production>),
    Comment(String),
    Blank,
}

#[derive(Clone, Debug)]
pub struct Policy(pub Vec<Line>);

// ---------------------------------------------------------------------------------------
// Printing

fn level(e: &Expr) -> u8 {
    match e {
        Expr::Or(..) => 1,
        Expr::And(..) => 2,
        Expr::Not(..) => 3,
        Expr::Unify(..) | Expr::Assign(..) => 4,
        Expr::Cmp(..) => 5,
        Expr::Arith(_, op, _) if *op == "+" || *op == "-" => 6,
        Expr::Arith(..) => 7,
        Expr::In(..) | Expr::Matches(..) => 8,
        Expr::Dot(..) => 9,
        _ => 10,
    }
}

fn at(e: &Expr, min: u8) -> String {
    let s = expr(e);
    if level(e) < min { format!("({s})") } else { s }
}

fn args(positional: &[Expr], kwargs: &[(String, Expr)]) -> String {
    let mut parts: Vec<String> = positional.iter().map(|a| at(a, 1)).collect();
    parts.extend(kwargs.iter().map(|(k, v)| format!("{k}: {}", at(v, 1))));
    parts.join(", ")
}

fn member(m: &Member) -> String {
    match m {
        Member::Field(n) => n.clone(),
        Member::ResField(w) => (*w).to_owned(),
        Member::Method(n, a, k) => format!("{n}({})", args(a, k)),
        Member::DynVar(v) => format!("({v})"),
        Member::DynStr(s) => format!("({s})"),
    }
}

fn trailing(t: bool) -> &'static str {
    if t { "," } else { "" }
}

pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Lit(s) | Expr::Var(s) => s.clone(),
        Expr::List(items, rest, t) => {
            let mut parts: Vec<String> = items.iter().map(|i| at(i, 6)).collect();
            if let Some(r) = rest {
                parts.push(format!("*{r}"));
            }
            // A trailing comma is allowed only without a rest variable.
            let t = *t && rest.is_none() && !items.is_empty();
            format!("[{}{}]", parts.join(", "), trailing(t))
        }
        Expr::Dict(fields, t) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}: {}", at(v, 5)),
                    None => k.clone(),
                })
                .collect();
            format!("{{{}{}}}", parts.join(", "), trailing(*t && !fields.is_empty()))
        }
        Expr::New(class, a, k) => format!("new {class}({})", args(a, k)),
        Expr::Dot(head, m) => {
            // A number right before `.` would lex as a float (`1.x`): parenthesize it.
            let h = match **head {
                Expr::Lit(ref s) if s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') => {
                    format!("({s})")
                }
                _ => at(head, 9),
            };
            format!("{h}.{}", member(m))
        }
        Expr::Arith(l, op, r) => {
            let (lmin, rmin) = if *op == "+" || *op == "-" { (6, 7) } else { (7, 8) };
            format!("{} {op} {}", at(l, lmin), at(r, rmin))
        }
        Expr::Call(n, a, k) => format!("{n}({})", args(a, k)),
        Expr::Cmp(l, op, r) => format!("{} {op} {}", at(l, 5), at(r, 6)),
        Expr::Unify(l, r) => format!("{} = {}", at(l, 4), at(r, 5)),
        Expr::Assign(v, r) => format!("{v} := {}", at(r, 5)),
        Expr::In(l, r) => format!("{} in {}", at(l, 8), at(r, 9)),
        Expr::Matches(l, p) => format!("{} matches {}", at(l, 8), pattern(p)),
        Expr::Not(x) => format!("not {}", at(x, 4)),
        Expr::And(items, breaks) => items.iter().map(|i| at(i, 3)).collect::<Vec<_>>().join(if *breaks {
            " and\n    "
        } else {
            " and "
        }),
        Expr::Or(items, breaks) => items.iter().map(|i| at(i, 2)).collect::<Vec<_>>().join(if *breaks {
            "\n    or "
        } else {
            " or "
        }),
        Expr::Forall(a, b) => format!("forall({}, {})", at(a, 1), at(b, 1)),
        Expr::Builtin(name, a) => format!("{name}({})", args(a, &[])),
        Expr::Cut => "cut".to_owned(),
        Expr::Paren(x) => format!("({})", expr(x)),
    }
}

fn fields(fs: &[(String, Option<PatExpr>)], t: bool) -> String {
    let parts: Vec<String> = fs
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}: {}", pat_expr(v)),
            None => k.clone(),
        })
        .collect();
    format!("{{{}{}}}", parts.join(", "), trailing(t && !fs.is_empty()))
}

pub fn pattern(p: &Pattern) -> String {
    match p {
        Pattern::Lit(s) | Pattern::Class(s) => s.clone(),
        Pattern::Dict(fs, t) => fields(fs, *t),
        Pattern::Instance(tag, fs, t) => format!("{tag}{}", fields(fs, *t)),
        Pattern::List(items, rest) => {
            let mut parts: Vec<String> = items.iter().map(pat_expr).collect();
            if let Some(r) = rest {
                parts.push(format!("*{r}"));
            }
            format!("[{}]", parts.join(", "))
        }
    }
}

fn pat_expr(p: &PatExpr) -> String {
    match p {
        PatExpr::Pat(p) => pattern(p),
        PatExpr::Dot(head, m) => {
            let h = match **head {
                // `1.x` would lex as a float.
                PatExpr::Pat(Pattern::Lit(ref s)) if !s.starts_with('"') => format!("({s})"),
                _ => pat_expr(head),
            };
            format!("{h}.{}", member(m))
        }
    }
}

fn params(ps: &[Param]) -> String {
    ps.iter()
        .map(|p| match p {
            Param::Plain(e) => at(e, 6),
            Param::Specialized(v, p) => format!("{v}: {}", pattern(p)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn line(l: &Line) -> String {
    match l {
        Line::Rule(name, ps, None) => format!("{name}({});", params(ps)),
        Line::Rule(name, ps, Some(body)) => format!("{name}({}) if\n    {};", params(ps), expr(body)),
        Line::RuleType(name, ps) => format!("type {name}({});", params(ps)),
        Line::Query(e) => format!("?= {};", expr(e)),
        Line::Block(kw, name, prods) => {
            let mut s = match kw {
                Some(k) => format!("{k} {name} {{\n"),
                None => format!("{name} {{\n"),
            };
            for p in prods {
                s.push_str("    ");
                s.push_str(&match p {
                    Production::List(n, items, t) => {
                        format!("{n} = [{}{}];", items.join(", "), trailing(*t && !items.is_empty()))
                    }
                    Production::Dict(n, rels, t) => {
                        let parts: Vec<String> = rels
                            .iter()
                            .map(|(k, v)| match v {
                                Some(v) => format!("{k}: {v}"),
                                None => k.clone(),
                            })
                            .collect();
                        format!("{n} = {{{}{}}};", parts.join(", "), trailing(*t && !rels.is_empty()))
                    }
                    Production::Shorthand(head, implier, None) => format!("{head} if {implier};"),
                    Production::Shorthand(head, implier, Some((on, rel))) => {
                        format!("{head} if {implier} {on} {rel};")
                    }
                });
                s.push('\n');
            }
            s.push('}');
            s
        }
        Line::Comment(c) => format!("# {c}"),
        Line::Blank => String::new(),
    }
}

impl Policy {
    pub fn text(&self) -> String {
        let mut s: String = self.0.iter().map(line).collect::<Vec<_>>().join("\n");
        s.push('\n');
        s
    }
}

// ---------------------------------------------------------------------------------------
// Strategies

/// Names: plain, Unicode, emoji, `::` namespaces, a trailing `?`, and words that look like
/// keywords of resource blocks but are not reserved.
pub fn name() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-z][a-z0-9_]{0,6}".prop_filter("reserved", |s| !RESERVED.contains(&s.as_str())),
        1 => prop::sample::select(vec![
            "x", "y", "_", "_tmp", "actor", "resource", "on", "roles", "permissions", "relations",
            "nil", "this", "allow", "Actor", "ünïcödé", "💯", "ok?", "github::User", "a::b::c", "x1_", "ЖЖ",
            "Foo", "item?",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// Class-like names for specializers, `new` and instance patterns.
pub fn class() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "User",
        "Org",
        "Repo",
        "Integer",
        "String",
        "List",
        "Dictionary",
        "Boolean",
        "Float",
        "github::Repo",
        "Actor",
        "Resource",
        "Ünï",
        "int",
    ])
    .prop_map(str::to_owned)
    .boxed()
}

pub fn string_lit() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z_]{0,8}".prop_map(|s| format!("\"{s}\"")),
        1 => prop::sample::select(vec![
            r#""""#, r#""with \"quotes\"""#, r#""tab\tnewline\nnul\0cr\r""#, r#""back\\slash""#,
            r#""odd \q escape""#, r#""ü 💯 ∀""#, r##""# not a comment""##, r#""{[(;""#, r#""if and or""#,
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn number_lit() -> BoxedStrategy<String> {
    prop_oneof![
        3 => (0u32..1000).prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec![
            "007", "-1", "+3", "9223372036854775807", "-9223372036854775807", "0", "1.5", "1.", "1e5", "2.5e-3",
            "1E+2", "-inf", "inf", "nan", "+1.0", "-0.25", "1.e3",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn literal() -> BoxedStrategy<String> {
    prop_oneof![
        3 => number_lit(),
        3 => string_lit(),
        1 => prop::sample::select(vec!["true", "false"]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// Key names for dictionaries and keyword arguments: names or reserved words, deduplicated.
fn key() -> BoxedStrategy<String> {
    prop_oneof![4 => name(), 1 => prop::sample::select(RES_WORDS).prop_map(str::to_owned)].boxed()
}

fn dedup<T>(mut items: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|(k, _)| seen.insert(k.clone()));
    items
}

/// Dict fields: a `{k}` shorthand needs a plain name (not a reserved word).
fn dict_fields<T: Clone + std::fmt::Debug + 'static>(
    value: BoxedStrategy<T>,
    max: usize,
) -> BoxedStrategy<Vec<(String, Option<T>)>> {
    let field = prop_oneof![
        3 => (key(), value).prop_map(|(k, v)| (k, Some(v))),
        1 => name().prop_filter("`_` has no shorthand meaning worth testing", |n| n != "_").prop_map(|n| (n, None)),
    ];
    vec(field, 0..=max).prop_map(dedup).boxed()
}

fn kwargs(value: BoxedStrategy<Expr>) -> BoxedStrategy<Vec<(String, Expr)>> {
    prop_oneof![3 => Just(Vec::new()), 1 => vec((key(), value), 1..3).prop_map(dedup)].boxed()
}

fn member_of(value: BoxedStrategy<Expr>) -> BoxedStrategy<Member> {
    prop_oneof![
        4 => name().prop_map(Member::Field),
        1 => prop::sample::select(RES_WORDS).prop_map(Member::ResField),
        3 => (
            prop_oneof![4 => name(), 1 => prop::sample::select(RES_WORDS).prop_map(str::to_owned)],
            vec(value.clone(), 0..3),
            kwargs(value),
        )
            .prop_map(|(n, a, k)| Member::Method(n, a, k)),
        1 => name().prop_map(Member::DynVar),
        1 => string_lit().prop_map(Member::DynStr),
    ]
    .boxed()
}

/// Patterns, nested up to `depth`.
pub fn pattern_strategy(depth: u32, value: BoxedStrategy<Expr>) -> BoxedStrategy<Pattern> {
    let leaf = prop_oneof![
        2 => literal().prop_map(Pattern::Lit),
        2 => class().prop_map(Pattern::Class),
        1 => name().prop_map(Pattern::Class),
    ]
    .boxed();
    if depth == 0 {
        return leaf;
    }
    let inner = pattern_strategy(depth - 1, value.clone());
    let pexpr = prop_oneof![
        4 => inner.clone().prop_map(PatExpr::Pat),
        1 => (inner.clone(), vec(member_of(value), 1..3)).prop_map(|(p, ms)| {
            ms.into_iter().fold(PatExpr::Pat(p), |h, m| PatExpr::Dot(Box::new(h), m))
        }),
    ]
    .boxed();
    prop_oneof![
        3 => leaf,
        1 => (dict_fields(pexpr.clone(), 3), any::<bool>()).prop_map(|(f, t)| Pattern::Dict(f, t)),
        1 => (class(), dict_fields(pexpr.clone(), 3), any::<bool>()).prop_map(|(c, f, t)| Pattern::Instance(c, f, t)),
        1 => (vec(pexpr, 0..3), prop::option::of(name())).prop_map(|(i, r)| Pattern::List(i, r)),
    ]
    .boxed()
}

/// Value expressions and logical expressions, nested up to `depth`.
pub fn exprs(depth: u32) -> (BoxedStrategy<Expr>, BoxedStrategy<Expr>) {
    // Either-kind leaves (variables, booleans) are valid in both positions.
    let either_leaf = prop_oneof![
        4 => name().prop_map(Expr::Var),
        1 => prop::sample::select(vec!["true", "false"]).prop_map(|b| Expr::Lit(b.to_owned())),
    ]
    .boxed();
    let value_leaf = prop_oneof![
        3 => either_leaf.clone(),
        2 => number_lit().prop_map(Expr::Lit),
        2 => string_lit().prop_map(Expr::Lit),
    ]
    .boxed();
    let logical_leaf = prop_oneof![
        3 => either_leaf,
        2 => (name(), vec(value_leaf.clone(), 0..3)).prop_map(|(n, a)| Expr::Call(n, a, Vec::new())),
        1 => Just(Expr::Cut),
        1 => vec(value_leaf.clone(), 0..2).prop_map(|a| Expr::Builtin("print", a)),
        1 => Just(Expr::Builtin("debug", Vec::new())),
    ]
    .boxed();
    if depth == 0 {
        return (value_leaf, logical_leaf);
    }
    let (v, l) = exprs(depth - 1);
    let b = |e: Expr| Box::new(e);
    let value = prop_oneof![
        6 => value_leaf,
        1 => (vec(v.clone(), 0..4), prop::option::of(name()), any::<bool>())
            .prop_map(|(i, r, t)| Expr::List(i, r, t)),
        1 => (dict_fields(v.clone(), 3), any::<bool>()).prop_map(|(f, t)| Expr::Dict(f, t)),
        1 => (class(), vec(v.clone(), 0..3), kwargs(v.clone())).prop_map(|(c, a, k)| Expr::New(c, a, k)),
        2 => (v.clone(), member_of(v.clone())).prop_map(move |(h, m)| Expr::Dot(b(h), m)),
        2 => (v.clone(), prop::sample::select(vec!["+", "-", "*", "/", "mod", "rem"]), v.clone())
            .prop_map(move |(x, op, y)| Expr::Arith(b(x), op, b(y))),
        1 => v.clone().prop_map(move |x| Expr::Paren(b(x))),
    ]
    .boxed();
    let logical = prop_oneof![
        4 => logical_leaf,
        2 => (name(), vec(v.clone(), 0..3), kwargs(v.clone())).prop_map(|(n, a, k)| Expr::Call(n, a, k)),
        2 => (v.clone(), prop::sample::select(vec!["==", "!=", "<=", ">=", "<", ">"]), v.clone())
            .prop_map(move |(x, op, y)| Expr::Cmp(b(x), op, b(y))),
        2 => (v.clone(), v.clone()).prop_map(move |(x, y)| Expr::Unify(b(x), b(y))),
        1 => (name(), v.clone()).prop_map(move |(n, y)| Expr::Assign(n, b(y))),
        1 => (v.clone(), v.clone()).prop_map(move |(x, y)| Expr::In(b(x), b(y))),
        1 => (v.clone(), pattern_strategy(2, v.clone())).prop_map(move |(x, p)| Expr::Matches(b(x), p)),
        1 => l.clone().prop_map(move |x| Expr::Not(b(x))),
        2 => (vec(l.clone(), 2..4), any::<bool>()).prop_map(|(i, br)| Expr::And(i, br)),
        1 => (vec(l.clone(), 2..4), any::<bool>()).prop_map(|(i, br)| Expr::Or(i, br)),
        1 => (l.clone(), l.clone()).prop_map(move |(x, y)| Expr::Forall(b(x), b(y))),
        1 => vec(v.clone(), 0..3).prop_map(|a| Expr::Builtin("print", a)),
        1 => vec(v.clone(), 0..2).prop_map(|a| Expr::Builtin("debug", a)),
        1 => l.prop_map(move |x| Expr::Paren(b(x))),
    ]
    .boxed();
    (value, logical)
}

fn param(value: BoxedStrategy<Expr>) -> BoxedStrategy<Param> {
    prop_oneof![
        3 => name().prop_map(|n| Param::Plain(Expr::Var(n))),
        1 => value.clone().prop_map(Param::Plain),
        3 => (name(), pattern_strategy(2, value)).prop_map(|(n, p)| Param::Specialized(n, p)),
    ]
    .boxed()
}

fn production() -> BoxedStrategy<Production> {
    let decl_name = prop_oneof![
        3 => prop::sample::select(vec!["roles", "permissions", "relations"]).prop_map(str::to_owned),
        1 => name(),
    ];
    prop_oneof![
        2 => (decl_name.clone(), vec(string_lit(), 0..4), any::<bool>()).prop_map(|(n, i, t)| Production::List(n, i, t)),
        1 => (
            decl_name,
            vec((key(), prop::option::of(class())), 0..3).prop_map(|fs| {
                // The `{x}` shorthand needs a plain name, not a reserved word.
                dedup(fs).into_iter().map(|(k, v)| match v {
                    None if RES_WORDS.contains(&k.as_str()) => (k, Some("Org".to_owned())),
                    _ => (k, v),
                }).collect()
            }),
            any::<bool>(),
        )
            .prop_map(|(n, r, t)| Production::Dict(n, r, t)),
        3 => (string_lit(), string_lit(), prop::option::of((prop_oneof![4 => Just("on".to_owned()), 1 => name()], string_lit())))
            .prop_map(|(h, i, on)| Production::Shorthand(h, i, on)),
    ]
    .boxed()
}

pub fn line_strategy() -> BoxedStrategy<Line> {
    let (value, logical) = exprs(3);
    let any_expr = prop_oneof![4 => logical.clone(), 1 => value.clone()].boxed();
    prop_oneof![
        8 => (name(), vec(param(value.clone()), 0..4), prop::option::of(any_expr.clone()))
            .prop_map(|(n, p, b)| Line::Rule(n, p, b)),
        1 => (name(), vec(param(value.clone()), 0..4)).prop_map(|(n, p)| Line::RuleType(n, p)),
        1 => any_expr.prop_map(Line::Query),
        2 => (
            prop::option::of(prop_oneof![3 => prop::sample::select(vec!["actor", "resource"]).prop_map(str::to_owned), 1 => name()]),
            class(),
            vec(production(), 0..5),
        )
            .prop_map(|(k, c, p)| Line::Block(k, c, p)),
        1 => "[ -~]{0,20}".prop_map(Line::Comment),
        1 => Just(Line::Blank),
    ]
    .boxed()
}

pub fn policy(max_lines: usize) -> BoxedStrategy<Policy> {
    vec(line_strategy(), 0..=max_lines).prop_map(Policy).boxed()
}
