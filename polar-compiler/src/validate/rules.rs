//! Checks on rule bodies and the rule set: singletons, undefined calls, precedence,
//! specializer misspellings, the entry-point warnings, duplicates and reachability.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::walk::{self, Occurrence};
use super::{Constants, Index, codes};
use crate::ast::{Member, RewrittenOp, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::graph::{ENTRY_POINTS, RuleGraph};
use crate::lower::print;
use crate::lower::suggest::did_you_mean;
use crate::lower::{LoweredRule, Program, RuleOrigin, RuleTypeOrigin};
use crate::source::Span;

/// Where to point for a finding about a whole rule: its name, or for a generated rule the
/// shorthand rule it comes from.
pub(crate) fn rule_site(rule: &LoweredRule) -> Span {
    match rule.origin {
        RuleOrigin::Shorthand { .. } => rule.span,
        RuleOrigin::User => rule.name.span,
    }
}

fn rule_terms(rule: &LoweredRule) -> impl Iterator<Item = &Term> {
    rule.params
        .iter()
        .flat_map(|p| std::iter::once(&p.value).chain(p.specializer.as_ref()))
        .chain([&rule.body])
}

pub(super) fn rule_has_error(rule: &LoweredRule) -> bool {
    rule_terms(rule).any(walk::has_error)
}

/// E0301 (Oso's `check_singletons`): a variable that occurs once in a rule, head included,
/// is unused or a typo. Names starting with `_`, namespaced names and constants are exempt.
pub(super) fn singletons(program: &Program, constants: &Constants, index: &Index, out: &mut Vec<Diagnostic>) {
    // Reused from rule to rule.
    let mut occurrences = Vec::new();
    let mut counts: FxHashMap<&str, (usize, Occurrence)> = FxHashMap::default();
    for rule in program.rules.iter().filter(|r| !r.is_generated()) {
        if index.has_error(rule) {
            continue;
        }
        occurrences.clear();
        for t in rule_terms(rule) {
            walk::occurrences(t, &mut occurrences);
        }
        // Oso counts variables and pattern tags in one table keyed by name.
        counts.clear();
        for o in &occurrences {
            counts.entry(o.name).and_modify(|(n, _)| *n += 1).or_insert((1, o.clone()));
        }
        let mut singles: Vec<&Occurrence> = counts
            .values()
            .filter(|(n, o)| {
                *n == 1
                    && !o.is_tag
                    && !o.name.starts_with('_')
                    && !o.name.contains("::")
                    && !constants.contains(o.name)
            })
            .map(|(_, o)| o)
            .collect();
        singles.sort_by_key(|o| o.span.start);
        for o in singles {
            let others = occurrences
                .iter()
                .filter(|x| !x.is_tag && x.name != o.name && !x.name.starts_with('_'))
                .map(|x| x.name);
            let mut d = Diagnostic::error(
                codes::SINGLETON_VARIABLE,
                o.span,
                format!("singleton variable `{}` is unused or undefined", o.name),
            )
            .with_label("occurs only once in this rule");
            d = match did_you_mean(o.name, others) {
                Some(s) => d.with_help(format!(
                    "did you mean `{s}`? If the value does not matter, rename it to `_{}` or `_`",
                    o.name
                )),
                None => {
                    d.with_help(format!("if the value does not matter, rename it to `_{}` or `_`", o.name))
                }
            };
            out.push(d);
        }
    }
}

/// Calls `f` on each rule call in `t` the way Oso's `UndefinedRuleCallVisitor` finds them:
/// anywhere except inside a lookup or method call (`x.f(g(1))`) or a constructor.
fn rule_calls<'a>(t: &'a Term, f: &mut dyn FnMut(&'a Term, &'a str)) {
    walk::walk_pruned(t, |t| match &t.kind {
        TermKind::Dot { .. } | TermKind::New(_) => false,
        TermKind::Rewritten { op: RewrittenOp::Dot | RewrittenOp::New, .. } => false,
        TermKind::Call(call) => {
            f(t, &call.name.name);
            true
        }
        _ => true,
    });
}

/// E0302 (Oso's `check_undefined_rule_calls`): a call to a name no rule defines, in any
/// rule (generated ones included) or inline query. Arity is not checked, as in Oso.
pub(super) fn undefined_calls(program: &Program, out: &mut Vec<Diagnostic>) {
    let defined: FxHashSet<&str> = program.rules.iter().map(|r| r.name.name.as_str()).collect();
    let mut names: Vec<&str> = defined.iter().copied().collect();
    names.sort_unstable();
    let declared_types: FxHashSet<&str> = program
        .rule_types
        .iter()
        .filter(|t| matches!(t.origin, RuleTypeOrigin::Declared { .. }))
        .map(|t| t.name.as_str())
        .collect();
    let mut report = |call: &Term, name: &str, generated: bool| {
        if defined.contains(name) {
            return;
        }
        let mut d =
            Diagnostic::error(codes::UNDEFINED_RULE, call.span, format!("call to undefined rule `{name}`"))
                .with_label(format!("no rule named `{name}` is defined"));
        if let Some(s) = did_you_mean(name, names.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        if generated {
            d = d.with_note(format!("the shorthand rule here is lowered to a call to `{name}`"));
        }
        if declared_types.contains(name) {
            d = d.with_note(format!("`{name}` has a rule type, but a rule type is not a rule"));
        }
        out.push(d);
    };
    for rule in &program.rules {
        for t in rule_terms(rule) {
            rule_calls(t, &mut |call, name| report(call, name, rule.is_generated()));
        }
    }
    for q in &program.queries {
        rule_calls(q, &mut |call, name| report(call, name, false));
    }
}

/// W0301 (Oso's `check_ambiguous_precedence`): an `and` directly inside an `or` (or the
/// reverse) without parentheses of its own.
pub(super) fn ambiguous_precedence(program: &Program, out: &mut Vec<Diagnostic>) {
    for rule in program.rules.iter().filter(|r| !r.is_generated()) {
        walk::walk(&rule.body, |t| {
            let (children, outer, inner) = match &t.kind {
                TermKind::Or(c) => (c, "or", "and"),
                TermKind::And(c) => (c, "and", "or"),
                _ => return,
            };
            if children.len() < 2 {
                return;
            }
            for child in children {
                let grandchildren = match (&child.kind, inner) {
                    (TermKind::And(g), "and") | (TermKind::Or(g), "or") => g,
                    _ => continue,
                };
                // The parser's span of a parenthesized term covers the parentheses.
                let parenthesized = grandchildren.first().is_some_and(|g| child.span.start < g.span.start);
                if parenthesized {
                    continue;
                }
                let meaning = if inner == "and" { "(a and b) or c" } else { "a and (b or c)" };
                out.push(
                    Diagnostic::warning(
                        codes::AMBIGUOUS_PRECEDENCE,
                        child.span,
                        format!("`{inner}` inside `{outer}` without parentheses"),
                    )
                    .with_label(format!("this `{inner}` binds tighter than the surrounding `{outer}`"))
                    .with_note(format!(
                        "this parses as `{meaning}`; before Oso 0.20, `a and b or c` parsed as `a and (b or c)`"
                    ))
                    .with_help(format!("add parentheses around this `{inner}` to make the grouping explicit")),
                );
            }
        });
    }
}

/// Oso's `warning.rs::common_specializer_misspellings`: type names from other languages.
fn misspelt_specializer(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "integer" | "int" | "i32" | "i64" | "u32" | "u64" | "usize" | "size_t" => "Integer",
        "float" | "f32" | "f64" | "double" => "Float",
        "char" | "str" | "string" => "String",
        "list" | "array" | "Array" => "List",
        "dict" | "Dict" | "dictionary" | "hash" | "Hash" | "map" | "Map" | "HashMap" | "hashmap"
        | "hash_map" => "Dictionary",
        _ => return None,
    })
}

/// W0302 (Oso's `UnknownSpecializer`): a specializer or pattern class named like another
/// language's type, e.g. `x: int`. Skipped when the policy has a block of that name.
pub(super) fn unknown_specializers(program: &Program, index: &Index, out: &mut Vec<Diagnostic>) {
    let mut check = |t: &Term| {
        walk::walk(t, |t| {
            if let TermKind::Instance { tag, .. } = &t.kind
                && let Some(suggestion) = misspelt_specializer(&tag.name)
                && index.block(&tag.name).is_none()
            {
                out.push(
                    Diagnostic::warning(
                        codes::UNKNOWN_SPECIALIZER,
                        tag.span,
                        format!("unknown specializer `{}`; did you mean `{suggestion}`?", tag.name),
                    )
                    .with_label("not a Polar class")
                    .with_help(format!(
                        "Polar's built-in classes are Boolean, Integer, Float, String, List and Dictionary; \
                         write `{suggestion}`"
                    )),
                );
            }
        })
    };
    for rule in program.rules.iter().filter(|r| !r.is_generated()) {
        rule_terms(rule).for_each(&mut check);
    }
    for ty in &program.rule_types {
        for p in &ty.params {
            check(&p.value);
            if let Some(s) = &p.specializer {
                check(s);
            }
        }
    }
}

/// A zero-width span at the start of the first file that has any item, for findings about
/// the policy as a whole.
fn policy_start(program: &Program) -> Span {
    let first = program.rules.first().map(|r| r.span).or_else(|| program.blocks.first().map(|b| b.span()));
    first.map_or(Span::default(), |s| Span { file: s.file, start: 0, end: 0 })
}

/// W0303 (Oso's `MissingAllowRule`): nothing for the host to query.
pub(super) fn missing_allow(program: &Program, index: &Index, out: &mut Vec<Diagnostic>) {
    if ENTRY_POINTS.iter().any(|name| index.defines(name)) {
        return;
    }
    out.push(
        Diagnostic::warning(
            codes::MISSING_ALLOW_RULE,
            policy_start(program),
            "the policy has no `allow`, `allow_field` or `allow_request` rule, so it allows nothing",
        )
        .with_help("add an allow rule, e.g. `allow(actor, action, resource) if has_permission(actor, action, resource);`"),
    );
}

/// W0304 (Oso's `MissingHasPermissionRule`): resource blocks whose permissions nothing uses.
/// As in Oso, any call named `has_permission` counts, even a method call or one in a rule
/// generated from a shorthand rule.
pub(super) fn missing_has_permission(program: &Program, out: &mut Vec<Diagnostic>) {
    let Some(first) = program.blocks.first() else { return };
    let mut called = false;
    let mut look = |t: &Term| {
        walk::walk(t, |t| {
            let name = match &t.kind {
                TermKind::Call(c) | TermKind::New(c) => &c.name.name,
                TermKind::Dot { member: Member::Method(c), .. } => &c.name.name,
                _ => return,
            };
            called |= name == "has_permission";
        })
    };
    for rule in &program.rules {
        rule_terms(rule).for_each(&mut look);
    }
    if !called {
        out.push(
            Diagnostic::warning(
                codes::MISSING_HAS_PERMISSION,
                first.span(),
                "the policy has resource blocks but never calls `has_permission`, so their permissions have no effect",
            )
            .with_help("call it from an allow rule: `allow(actor, action, resource) if has_permission(actor, action, resource);`"),
        );
    }
}

/// Renames the variables of a rule to `v0, v1, ...` in order of first occurrence (each `_`
/// is a fresh variable, as in Oso) and prints it: equal strings mean equal rules up to
/// variable names. Namespaced names and constants keep their names.
///
/// The tree is not copied: a first pass numbers the names in the order of
/// [`walk::for_each_variable`], and the printer renames as it writes. The tables are reused
/// from rule to rule.
struct Canonical<'a, 'c> {
    constants: &'c Constants<'a>,
    /// The number of each name, or `None` for a name that keeps its name.
    numbers: FxHashMap<&'a str, Option<usize>>,
    /// The number of each fresh `_`, by the address of its occurrence in the tree.
    underscores: Vec<(*const String, usize)>,
}

impl<'a> Canonical<'a, '_> {
    /// Writes the canonical form of `rule` into `out`.
    fn write(&mut self, rule: &'a LoweredRule, out: &mut String) {
        let Canonical { constants, numbers, underscores } = self;
        numbers.clear();
        underscores.clear();
        let mut fresh = 0usize;
        let mut number = |v: &'a String| {
            if numbers.contains_key(v.as_str()) {
                return;
            }
            if v.contains("::") || constants.contains(v) {
                numbers.insert(v, None);
                return;
            }
            if v == "_" {
                underscores.push((v, fresh));
            } else {
                numbers.insert(v, Some(fresh));
            }
            fresh += 1;
        };
        for p in &rule.params {
            walk::for_each_variable(&p.value, &mut number);
            if let Some(s) = &p.specializer {
                walk::for_each_variable(s, &mut number);
            }
        }
        walk::for_each_variable(&rule.body, &mut number);
        let rename = |v: &String, out: &mut String| {
            let n = match numbers.get(v.as_str()) {
                Some(Some(n)) => *n,
                Some(None) => return out.push_str(v),
                None => {
                    let (_, n) = underscores
                        .iter()
                        .find(|(at, _)| std::ptr::eq(*at, v))
                        .expect("every occurrence was numbered");
                    *n
                }
            };
            let _ = write!(out, "v{n}");
        };
        print::write_rule(out, &rule.name.name, &rule.params, rule.body_terms(), &rename);
    }
}

/// W0305 (ours): a rule identical to an earlier one up to variable names adds nothing but a
/// second, identical answer.
pub(super) fn duplicates(program: &Program, constants: &Constants, index: &Index, out: &mut Vec<Diagnostic>) {
    let mut canonical = Canonical { constants, numbers: FxHashMap::default(), underscores: Vec::new() };
    let mut seen: FxHashMap<String, &LoweredRule> = FxHashMap::default();
    let mut key = String::new();
    for rule in &program.rules {
        if index.has_error(rule) {
            continue;
        }
        key.clear();
        canonical.write(rule, &mut key);
        match seen.get(key.as_str()) {
            Some(first) => {
                let what = if rule.is_generated() { "shorthand rule" } else { "rule" };
                out.push(
                    Diagnostic::warning(
                        codes::DUPLICATE_RULE,
                        rule_site(rule),
                        format!("this {what} duplicates an earlier rule for `{}`", rule.name.name),
                    )
                    .with_label("identical up to variable names")
                    .with_secondary(rule_site(first), "first defined here")
                    .with_note("a duplicate rule only produces the same answer twice")
                    .with_help("remove one of the two"),
                );
            }
            None => {
                seen.insert(key.clone(), rule);
            }
        }
    }
}

/// W0306 (ours): user rules that no entry point (`allow`, `allow_field`, `allow_request`,
/// an inline query) reaches through rule calls. Skipped when the policy has no entry point
/// at all (W0303 covers that); reported once per rule name, at its first definition.
pub(super) fn unreachable(
    program: &Program,
    index: &Index,
    graph: Option<&RuleGraph>,
    out: &mut Vec<Diagnostic>,
) {
    let has_entry = ENTRY_POINTS.iter().any(|n| index.defines(n)) || !program.queries.is_empty();
    if !has_entry {
        return;
    }
    let built;
    let graph = match graph {
        Some(graph) => graph,
        None => {
            built = RuleGraph::build(
                program.rules.iter().map(|r| (r.name.name.as_str(), &r.body)),
                &program.queries,
            );
            &built
        }
    };
    let reachable = graph.reachable();
    let mut first: BTreeMap<&str, (&LoweredRule, usize)> = BTreeMap::new();
    for rule in program.rules.iter().filter(|r| !r.is_generated()) {
        first.entry(rule.name.name.as_str()).and_modify(|(_, n)| *n += 1).or_insert((rule, 1));
    }
    let mut found: Vec<(&LoweredRule, usize)> =
        first.into_iter().filter(|(name, _)| !reachable.contains(name)).map(|(_, v)| v).collect();
    found.sort_by_key(|(r, _)| r.id);
    for (rule, count) in found {
        let name = &rule.name.name;
        let mut d = Diagnostic::warning(codes::UNREACHABLE_RULE, rule_site(rule), format!("rule `{name}` is never used"))
            .with_label(if count > 1 { format!("first of {count} definitions") } else { "defined here".into() })
            .with_note("no `allow`, `allow_field` or `allow_request` rule and no inline query calls it, directly or through other rules");
        let used = reachable.iter().copied().filter(|r| !ENTRY_POINTS.contains(r) && index.defines(r));
        if let Some(s) = did_you_mean(name, used) {
            d = d.with_help(format!("a rule named `{s}` is used; is this a misspelling of it?"));
        }
        out.push(d);
    }
}
