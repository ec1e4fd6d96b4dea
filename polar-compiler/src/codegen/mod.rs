//! Code generation: a validated [`Program`] to Rust tokens (see `docs/backend-design.md`).
//!
//! Every rule name and arity becomes one generic function `fn(cx, &P0, &P1, ...) ->
//! Result<bool, RuntimeError>`: "does a solution exist". Each clause is a labelled block that
//! checks its parameters (specializers through `polar_runtime::support`, which folds to
//! nothing for concrete types), then runs its body as nested Rust code in which the rest of the
//! conjunction is the continuation: a filter is an `if`, an enumeration (`in`, `or`) is a loop
//! or a sequence of branches, and success is `return Ok(true)`. A call whose arguments are all
//! bound calls the callee's function; a call that binds variables (`has_relation(org,
//! "parent", repo)` with `org` unbound) inlines the callee's clauses, whose outputs then have
//! static types that rustc infers.
//!
//! The compiler never sees the Rust types: it only tracks which variables are bound, and
//! whether a variable's type is *generic* (a parameter without a class specializer, known
//! only through `Polar::view`) or concrete (everything rustc can infer). Field lookups need a
//! concrete receiver. Constructs not compiled yet are refused with a diagnostic at the
//! policy location: never compiled to something that could answer differently from Oso.

use std::collections::{BTreeMap, HashMap};

use proc_macro2::{Ident, Span as RustSpan, TokenStream};
use quote::{format_ident, quote};

use crate::ast::{Member, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::graph::RuleGraph;
use crate::lower::{LoweredRule, Program};
use crate::plan::Plans;
use crate::source::{SourceMap, Span};

/// Diagnostic codes of code generation.
pub mod codes {
    /// A construct the back end does not compile (yet).
    pub const UNSUPPORTED: &str = "G0001";
    /// A variable used as a value before anything binds it.
    pub const UNBOUND: &str = "G0002";
}

/// How deeply calls that bind variables are inlined into each other (the plan's analyses
/// follow the same bound).
use crate::plan::MAX_INLINE;

const BUILTIN_CLASSES: [&str; 7] = ["String", "Integer", "Float", "Boolean", "List", "Dictionary", "Option"];

/// Generates the items of a compiled policy: `is_allowed`, `try_is_allowed`, `rules::*` and
/// the rule functions. Errors name the policy location of each construct that is refused.
pub fn generate(program: &Program, graph: &RuleGraph) -> Result<TokenStream, Vec<Diagnostic>> {
    generate_with_sources(program, graph, None)
}

/// [`generate`], with the sources the spans point into: generated messages and the names of
/// the inline-query tests then give `path:line:column` rather than byte offsets.
///
/// `sources` also gives the `path:line:column` of build errors about host types (see `typing`).
pub fn generate_with_sources(
    program: &Program,
    graph: &RuleGraph,
    sources: Option<&SourceMap>,
) -> Result<TokenStream, Vec<Diagnostic>> {
    generate_from_plans(program, graph, sources, &Plans::new(program, graph))
}

/// [`generate_with_sources`] from plans already made.
fn generate_from_plans(
    program: &Program,
    graph: &RuleGraph,
    sources: Option<&SourceMap>,
    plans: &Plans,
) -> Result<TokenStream, Vec<Diagnostic>> {
    let mut forced = HashMap::new();
    // The plan's facts almost always hold for the code generated; where they do not
    // (`verify.rs`), the functions concerned are generated again with conservative ones.
    for round in 0..=MAX_ROUNDS {
        let mut g = Gen::new(program, graph, plans);
        g.sources = sources;
        g.calls.forced = forced.clone();
        g.calls.force_all = round == MAX_ROUNDS;
        let keys: Vec<(String, usize)> = g.rules.keys().cloned().collect();
        let mut functions = g.rule_functions(&keys);
        let items = g.entry_points(&keys, &[]);
        // The entry points (`authorized_actions`, inline queries) may call for more.
        functions.extend(g.pending_functions());
        if !g.errors.is_empty() {
            return Err(g.errors);
        }
        let wrong = g.calls.violations();
        if !wrong.is_empty() {
            for (key, fix) in wrong {
                let entry = forced.entry(key).or_insert(fix);
                entry.recursive |= fix.recursive;
                entry.may_raise |= fix.may_raise;
            }
            continue;
        }
        let (classes, pairs) = (g.class_checks(), g.allowed_pairs_trait());
        let sites = g.site_items();
        return Ok(quote! { #items #(#functions)* #pairs #classes #(#sites)* });
    }
    unreachable!("the last round generates every function with the conservative facts")
}

/// Rounds of generation with the plan's facts corrected before every function gets the
/// conservative ones.
const MAX_ROUNDS: usize = 3;

fn rule_fn_ident(name: &str, arity: usize) -> Ident {
    let mut mangled = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            mangled.push(c);
        } else {
            mangled.push_str(&format!("_x{:x}_", c as u32));
        }
    }
    format_ident!("__polar_rule_{}_{}", mangled, arity)
}

fn is_rust_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && syn_like_keyword(name).is_none()
}

/// Rust keywords cannot name a public rule function.
fn syn_like_keyword(name: &str) -> Option<&str> {
    const KEYWORDS: [&str; 38] = [
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
        "await", "dyn",
    ];
    KEYWORDS.contains(&name).then_some(name)
}

/// A Rust path for a class name (`Org`, `github::User`).
fn class_path(name: &str) -> Option<TokenStream> {
    let segments: Vec<&str> = name.split("::").collect();
    if segments.iter().all(|s| is_rust_ident(s)) {
        let idents = segments.iter().map(|s| Ident::new(s, RustSpan::call_site()));
        Some(quote! { #(#idents)::* })
    } else {
        None
    }
}

/// A compiled value: an expression of type `&T` for some `T: Polar`.
#[derive(Clone)]
struct Val {
    expr: TokenStream,
    /// The compiler knows nothing of `T` but `T: Polar` (a parameter without a specializer).
    generic: bool,
    /// The literal, when the value is one (lets literal parameters be checked statically).
    literal: Option<Literal>,
}

/// A literal of the policy (the plan's).
use crate::plan::Lit as Literal;

/// Variables in scope: the Polar name (qualified by its scope) to its value.
type Env = HashMap<String, Val>;

/// What follows a goal: generates the code that runs when the goal has a solution.
type Cont<'k, 'p> = &'k mut dyn FnMut(&mut Gen<'p>, &Env) -> TokenStream;

struct Gen<'p> {
    program: &'p Program,
    plans: &'p Plans,
    /// The rule functions generated and what their code does (`verify.rs`).
    calls: verify::Calls,
    graph: &'p RuleGraph,
    rules: BTreeMap<(String, usize), Vec<&'p LoweredRule>>,
    errors: Vec<Diagnostic>,
    fresh: usize,
    inline_depth: usize,
    specs: dispatch::Specs,
    sites: typing::Sites,
    modes: recursion::Modes,
    /// The class of values known to be instances of one (by their expression): bound by a
    /// specializer. Lets inlining drop callee clauses that specialize on another class.
    classes: HashMap<String, String>,
    /// The members of `Actor` and `Resource`, computed once (`Program::union_members` scans).
    unions: Unions,
    /// Output parameters nothing binds stay unbound instead of being an error (the wildcard
    /// of `authorized_actions`; see `api.rs`).
    unbound_outputs: bool,
    /// By clause scope, the variables a `not` may not negate while unbound (see `api.rs`).
    clause_vars: HashMap<String, api::ClauseVars>,
    sources: Option<&'p SourceMap>,
    /// The next `in` is the condition of a `forall` over a hoisted value, with an unbound
    /// left side: Oso compares its elements (see `goals.rs::hoisted_goal`).
    forall_member: bool,
}

impl<'p> Gen<'p> {
    fn new(program: &'p Program, graph: &'p RuleGraph, plans: &'p Plans) -> Self {
        let mut rules: BTreeMap<(String, usize), Vec<&LoweredRule>> = BTreeMap::new();
        for rule in &program.rules {
            rules.entry((rule.name.name.clone(), rule.params.len())).or_default().push(rule);
        }
        Gen {
            program,
            plans,
            calls: verify::Calls::default(),
            graph,
            rules,
            errors: Vec::new(),
            fresh: 0,
            inline_depth: 0,
            specs: dispatch::Specs::default(),
            sites: typing::Sites::default(),
            modes: recursion::Modes::default(),
            classes: HashMap::new(),
            unions: Unions::new(program),
            unbound_outputs: false,
            clause_vars: HashMap::new(),
            sources: None,
            forall_member: false,
        }
    }

    fn fresh(&mut self, hint: &str) -> Ident {
        self.fresh += 1;
        let clean: String =
            hint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(20).collect();
        format_ident!("v{}_{}", self.fresh, clean)
    }

    /// Leaves `label` after a solution, unless the search must go on to find an error
    /// (`Cx::exhaustive`), which only code that has the context can be asked to do.
    fn stop_unless_exhaustive(&self, label: &TokenStream) -> TokenStream {
        if self.calls.has_cx() {
            quote! { if !cx.is_exhaustive() { break #label; } }
        } else {
            quote! { break #label; }
        }
    }

    fn refuse(&mut self, span: Span, what: impl Into<String>) -> TokenStream {
        self.errors.push(
            Diagnostic::error(codes::UNSUPPORTED, span, format!("not supported by the compiler yet: {}", what.into()))
                .with_note("the policy is refused rather than compiled to something that could answer differently from Oso"),
        );
        quote! {}
    }
}

/// The members of the `Actor` and `Resource` unions, indexed once.
pub(super) struct Unions {
    actors: Vec<String>,
    resources: Vec<String>,
}

impl Unions {
    pub(super) fn new(program: &Program) -> Self {
        Unions {
            actors: program.actors().map(str::to_owned).collect(),
            resources: program.resources().map(str::to_owned).collect(),
        }
    }

    /// The members of a union, `None` for a name that is not one.
    pub(super) fn members(&self, name: &str) -> Option<&[String]> {
        match name {
            "Actor" => Some(&self.actors),
            "Resource" => Some(&self.resources),
            _ => None,
        }
    }
}

/// Whether `term` is a variable nothing has bound yet (`_` never is bound; `nil` always is).
fn is_unbound(term: &Term, scope: &str, env: &Env) -> bool {
    term.as_variable().is_some_and(|v| v == "_" || v != "nil" && !env.contains_key(&format!("{scope}/{v}")))
}

/// The same FNV-1a hash as `polar_runtime::field_hash`, as a `u64` literal.
fn field_hash(name: &str) -> proc_macro2::Literal {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    proc_macro2::Literal::u64_suffixed(hash)
}

fn syn_label(name: &str) -> TokenStream {
    let lifetime = proc_macro2::Punct::new('\'', proc_macro2::Spacing::Joint);
    let ident = Ident::new(name, RustSpan::call_site());
    quote! { #lifetime #ident }
}

fn literal(term: &Term) -> Option<Literal> {
    match &term.kind {
        TermKind::String(s) => Some(Literal::Str(s.clone())),
        TermKind::Integer(i) => Some(Literal::Int(*i)),
        TermKind::Float(f) => Some(Literal::Float(*f)),
        TermKind::Boolean(b) => Some(Literal::Bool(*b)),
        _ => None,
    }
}

/// `a = b` for two literals, as Oso decides it (`1 = 1.0` holds).
use crate::plan::lits_unify as literals_unify;

fn describe(term: &Term) -> String {
    match &term.kind {
        TermKind::Binary { op, .. } => format!("the operator `{}` here", op.symbol()),
        TermKind::ForAll { .. } => "`forall`".into(),
        TermKind::Cut => "`cut`".into(),
        TermKind::Print(_) => "`print`".into(),
        TermKind::Debug(_) => "`debug`".into(),
        TermKind::New(_) => "`new`".into(),
        TermKind::Dot { member: Member::Method(_), .. } => "method calls".into(),
        TermKind::Dot { member: Member::DynamicKey(_), .. } => "lookups with a variable key `x.(k)`".into(),
        TermKind::List { .. } => "list literals".into(),
        TermKind::Dict(_) => "dictionary literals".into(),
        TermKind::Rewritten { .. } => "Oso's internal operator-call syntax".into(),
        TermKind::Float(_) => "`inf` and `nan` literals".into(),
        _ => "this expression".into(),
    }
}

mod actions;
mod api;
mod dispatch;
mod goals;
mod order;
mod patterns;
mod recursion;
mod rules;
mod typing;
mod values;
mod verify;

#[cfg(test)]
mod tests;
