//! Rule types: validity of the types themselves (E0305), conformance of every rule to the
//! types of its name (E0303), and required types having an implementation (E0304).
//!
//! The matching follows `kb.rs::rule_params_match`, `check_param`, `check_pattern_param` and
//! `check_value_param` case by case. Two simplifications are exact for a Rust host: classes
//! have no inheritance (Oso's Rust host registers empty MROs), so a specializer matches a
//! type's specializer only with the same class or as a member of the `Actor`/`Resource`
//! union; and head expressions (`f(x.y)`) count as fresh variables because Oso's rewriter
//! replaces them by temporaries before the check.

use std::fmt::Write as _;

use super::rules::rule_site;
use super::{Index, codes, walk};
use crate::ast::{Field, Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::fxhash::FxHashMap;
use crate::lower::{
    self, LoweredRule, Program, RuleOrigin, RuleType, RuleTypeOrigin, is_union, term_to_polar,
};

/// E0303 for every rule that matches none of the types of its name (in rule order), then
/// E0304 for every required type that no rule matches (in type order).
///
/// A rule is only compared with the types that an index on names, arities, literal strings
/// and classes leaves as candidates ([`TypeIndex`]), and without building messages; only a
/// rule that matches none of them is compared again with every type of its name, to explain
/// each failure.
pub(super) fn check(program: &Program, index: &Index, out: &mut Vec<Diagnostic>) {
    let valid: Vec<&RuleType> = program.rule_types.iter().filter(|t| type_is_valid(t, out)).collect();
    let types = TypeIndex::new(&valid);
    let quiet = Cx { index, explain: false };
    let explain = Cx { index, explain: true };

    // Required types (by index into `valid`) that some rule matches.
    let mut satisfied = vec![false; valid.len()];
    let mut candidates = Vec::new();
    for rule in &program.rules {
        let Some(named) = types.named(&rule.name.name) else { continue };
        // A rule with a syntax error in a parameter is not reported, but it may still
        // implement a required type.
        let reported = !rule.params.iter().any(|p| walk::has_error(&p.value));
        named.candidates(rule, &mut candidates);
        // Check the index against the full comparison (not on large policies, where it
        // would make debug builds quadratic).
        #[cfg(debug_assertions)]
        for &t in named.types.iter().filter(|_| named.types.len() <= 64) {
            debug_assert!(
                candidates.contains(&t) || quiet.rule_matches(rule, valid[t]).is_err(),
                "the rule-type index left out a matching type: `{}` against `{}`",
                rule.head_to_polar(),
                valid[t].to_polar()
            );
        }
        let mut matched = false;
        for &t in &candidates {
            let ty = valid[t];
            let needed = (reported && !matched) || (ty.required && !satisfied[t]);
            if needed && quiet.rule_matches(rule, ty).is_ok() {
                matched = true;
                satisfied[t] |= ty.required;
            }
        }
        if !reported || matched {
            continue;
        }
        let failures: Vec<(&RuleType, Mismatch)> = named
            .types
            .iter()
            .map(|&t| (valid[t], explain.rule_matches(rule, valid[t])))
            .filter_map(|(t, r)| r.err().map(|m| (t, m)))
            .collect();
        if failures.len() == named.types.len() {
            out.push(mismatch_diagnostic(rule, &failures));
        }
    }

    for (t, ty) in valid.iter().enumerate() {
        if ty.required && !satisfied[t] {
            out.push(missing_required(program, ty));
        }
    }
}

/// What a parameter of a rule type demands of the same parameter of a rule, when that can
/// be told from one string: necessary conditions for [`Cx::check_param`] to succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Demand {
    /// The type has a plain string (`"parent"`): the rule must have the same string, with no
    /// specializer.
    String,
    /// The type has a variable specialized to a class that is not a union: the rule's
    /// parameter must stand for that class ([`rule_class`]).
    Class,
}

/// The demand of a type's parameter and the string it is about, or `None` when any rule
/// parameter might match it.
fn demand(p: &Param) -> Option<(Demand, &str)> {
    if !is_var(&p.value) {
        return match (&p.value.kind, &p.specializer) {
            (TermKind::String(s), None) => Some((Demand::String, s)),
            _ => None,
        };
    }
    match p.specializer.as_ref().map(|s| &s.kind) {
        Some(TermKind::Instance { tag, .. }) if !is_union(&tag.name) => Some((Demand::Class, &tag.name)),
        _ => None,
    }
}

/// What a rule's parameter offers for a demand: the string that must equal the type's for
/// [`Cx::check_param`] to succeed, or `None` if it cannot succeed.
fn offer(demand: Demand, p: &Param) -> Option<&str> {
    let (rv, rs) = (&p.value, p.specializer.as_ref());
    match demand {
        // `check_param` with a plain type value: no specializers, and `check_value` on two
        // strings is `terms_equal`.
        Demand::String => match (rs, &rv.kind) {
            (None, TermKind::String(s)) => Some(s),
            _ => None,
        },
        Demand::Class => rule_class(p),
    }
}

/// The class a rule's parameter stands for when `check_param` compares it with a type's
/// instance pattern: the class of a pattern specializer (`Dictionary` for a dictionary
/// pattern), or the built-in class of a value or value specializer; `None` when the
/// comparison fails whatever the class (an unspecialized variable, a specialized value).
fn rule_class(p: &Param) -> Option<&str> {
    let (rv, rs) = (&p.value, p.specializer.as_ref());
    let value = match (is_var(rv), rs) {
        (true, Some(rs)) => match &rs.kind {
            TermKind::Instance { tag, .. } => return Some(&tag.name),
            TermKind::DictPattern(_) => return Some("Dictionary"),
            _ => rs,
        },
        (false, None) => rv,
        (true, None) | (false, Some(_)) => return None,
    };
    Some(match &value.kind {
        TermKind::String(_) => "String",
        TermKind::Integer(_) => "Integer",
        TermKind::Float(_) => "Float",
        TermKind::Boolean(_) => "Boolean",
        TermKind::List { .. } => "List",
        TermKind::Dict(_) => "Dictionary",
        _ => return None,
    })
}

/// The valid rule types, grouped for finding the candidates a rule may match.
struct TypeIndex<'a> {
    by_name: FxHashMap<&'a str, Named<'a>>,
}

/// The rule types of one name.
struct Named<'a> {
    /// Indices of the types, in order.
    types: Vec<usize>,
    /// Types grouped by arity and by which parameters make which demands.
    shapes: FxHashMap<usize, Vec<Shape<'a>>>,
}

/// Types of one arity whose parameters at `demands` make those demands (the others none),
/// keyed by the demanded strings.
struct Shape<'a> {
    demands: Vec<(usize, Demand)>,
    types: FxHashMap<Vec<&'a str>, Vec<usize>>,
}

impl<'a> TypeIndex<'a> {
    fn new(valid: &[&'a RuleType]) -> Self {
        let mut by_name: FxHashMap<&str, Named> = FxHashMap::default();
        for (t, ty) in valid.iter().enumerate() {
            let named = by_name
                .entry(ty.name.as_str())
                .or_insert_with(|| Named { types: Vec::new(), shapes: FxHashMap::default() });
            named.types.push(t);
            let mut demands = Vec::new();
            let mut key = Vec::new();
            for (i, p) in ty.params.iter().enumerate() {
                if let Some((d, s)) = demand(p) {
                    demands.push((i, d));
                    key.push(s);
                }
            }
            let shapes = named.shapes.entry(ty.params.len()).or_default();
            let shape = match shapes.iter_mut().position(|s| s.demands == demands) {
                Some(i) => &mut shapes[i],
                None => {
                    shapes.push(Shape { demands, types: FxHashMap::default() });
                    shapes.last_mut().expect("just pushed")
                }
            };
            shape.types.entry(key).or_default().push(t);
        }
        TypeIndex { by_name }
    }

    fn named(&self, name: &str) -> Option<&Named<'a>> {
        self.by_name.get(name)
    }
}

impl Named<'_> {
    /// The types `rule` may match, in no particular order; every other type of its name
    /// certainly rejects it.
    fn candidates(&self, rule: &LoweredRule, out: &mut Vec<usize>) {
        out.clear();
        let Some(shapes) = self.shapes.get(&rule.params.len()) else { return };
        let mut key = Vec::new();
        'shapes: for shape in shapes {
            key.clear();
            for &(i, d) in &shape.demands {
                match offer(d, &rule.params[i]) {
                    Some(s) => key.push(s),
                    None => continue 'shapes,
                }
            }
            if let Some(types) = shape.types.get(key.as_slice()) {
                out.extend(types);
            }
        }
    }
}

/// E0305: Oso rejects a rule type whose rewritten form has a body, i.e. one with a lookup,
/// arithmetic or a constructor anywhere in its head. A body (if the parser let one through)
/// and a `*rest` list (Oso fails when it compares a rule with such a type) are rejected too.
/// Invalid types are left out of the other checks, as Oso does not add them.
fn type_is_valid(ty: &RuleType, out: &mut Vec<Diagnostic>) -> bool {
    let RuleTypeOrigin::Declared { .. } = ty.origin else { return true };
    let mut problems = Vec::new();
    if let Some(body) = &ty.body {
        problems.push(
            Diagnostic::error(
                codes::INVALID_RULE_TYPE,
                body.span,
                format!("rule type `{}` has a body", ty.name),
            )
            .with_label("a rule type is a head only")
            .with_help("end the rule type after its parameters: `type name(x: Class);`"),
        );
    }
    for p in &ty.params {
        for t in std::iter::once(&p.value).chain(&p.specializer) {
            walk::walk(t, |t| {
                if walk::is_rewritten_expression(t) {
                    problems.push(
                        Diagnostic::error(
                            codes::INVALID_RULE_TYPE,
                            t.span,
                            format!("rule type `{}` contains an expression", ty.name),
                        )
                        .with_label("not allowed in a rule type")
                        .with_note("rule types cannot contain lookups, arithmetic or constructors")
                        .with_help("use a variable with a class specializer, e.g. `x: Class`"),
                    );
                }
                if let TermKind::List { rest: Some(rest), .. } = &t.kind {
                    problems.push(
                        Diagnostic::error(
                            codes::INVALID_RULE_TYPE,
                            rest.span,
                            format!("rule type `{}` contains a `*rest` variable", ty.name),
                        )
                        .with_label("not allowed in a rule type")
                        .with_note("rule types cannot contain *rest variables"),
                    );
                }
            });
        }
    }
    let ok = problems.is_empty();
    out.extend(problems);
    ok
}

/// Why a rule does not match a rule type.
struct Mismatch {
    message: String,
    /// The (0-based) parameter that failed; `None` for a wrong number of parameters.
    param: Option<usize>,
    /// Oso's hint for a class missing from a union: the block to add.
    hint: Option<String>,
}

type Check = Result<(), Mismatch>;

struct Cx<'a> {
    index: &'a Index<'a>,
    /// Whether to build the messages of mismatches. Without, a check only tells whether the
    /// rule matches (and which parameter failed).
    explain: bool,
}

/// A parameter value as the type check sees it: a variable (head expressions included), or
/// a value.
fn is_var(t: &Term) -> bool {
    matches!(t.kind, TermKind::Variable(_)) || walk::is_rewritten_expression(t)
}

fn is_pattern(t: &Term) -> bool {
    matches!(t.kind, TermKind::Instance { .. } | TermKind::DictPattern(_))
}

/// Structural equality ignoring spans, with Oso's value semantics: `1 == 1.0`, fields
/// compared as maps, and head expressions unequal to everything (they are fresh variables).
fn terms_equal(a: &Term, b: &Term) -> bool {
    use TermKind as K;
    if walk::is_rewritten_expression(a) || walk::is_rewritten_expression(b) {
        return false;
    }
    match (&a.kind, &b.kind) {
        (K::Integer(x), K::Integer(y)) => x == y,
        (K::Float(x), K::Float(y)) => x == y,
        (K::Integer(i), K::Float(f)) | (K::Float(f), K::Integer(i)) => (*i as f64) == *f && (*f as i64) == *i,
        (K::String(x), K::String(y)) => x == y,
        (K::Boolean(x), K::Boolean(y)) => x == y,
        (K::Variable(x), K::Variable(y)) => x == y,
        (K::List { elements: xs, rest: xr }, K::List { elements: ys, rest: yr }) => {
            xs.len() == ys.len()
                && xs.iter().zip(ys).all(|(x, y)| terms_equal(x, y))
                && xr.as_ref().map(|r| &r.name) == yr.as_ref().map(|r| &r.name)
        }
        (K::Dict(x), K::Dict(y)) | (K::DictPattern(x), K::DictPattern(y)) => fields_equal(x, y),
        (K::Instance { tag: tx, fields: fx, .. }, K::Instance { tag: ty, fields: fy, .. }) => {
            tx.name == ty.name && fields_equal(fx, fy)
        }
        _ => false,
    }
}

fn fields_equal(a: &[Field], b: &[Field]) -> bool {
    a.len() == b.len() && fields_match(a, b)
}

/// Oso's `param_fields_match`: every field of the type is in the rule, with an equal value.
fn fields_match(type_fields: &[Field], rule_fields: &[Field]) -> bool {
    type_fields
        .iter()
        .all(|t| rule_fields.iter().any(|r| r.key.name == t.key.name && terms_equal(&r.value, &t.value)))
}

/// The specializer of a parameter known to have one.
fn value_of(specializer: Option<&Term>) -> &Term {
    specializer.expect("checked by the caller")
}

fn show(t: &Term) -> String {
    term_to_polar(t)
}

impl Cx<'_> {
    /// A mismatch, with the message only when explaining.
    fn fail(&self, message: impl FnOnce() -> String) -> Mismatch {
        let message = if self.explain { message() } else { String::new() };
        Mismatch { message, param: None, hint: None }
    }

    fn rule_matches(&self, rule: &LoweredRule, ty: &RuleType) -> Check {
        if rule.params.len() != ty.params.len() {
            return Err(self.fail(|| {
                format!(
                    "the rule has {} parameter(s) but the rule type has {}",
                    rule.params.len(),
                    ty.params.len()
                )
            }));
        }
        for (i, (r, t)) in rule.params.iter().zip(&ty.params).enumerate() {
            self.check_param(i + 1, r, t).map_err(|m| Mismatch { param: Some(i), ..m })?;
        }
        Ok(())
    }

    /// `kb.rs::check_param`, arm by arm (`tv: ts` is the type's parameter, `rv: rs` the
    /// rule's).
    fn check_param(&self, index: usize, rule: &Param, ty: &Param) -> Check {
        let (tv, ts, rv, rs) = (&ty.value, ty.specializer.as_ref(), &rule.value, rule.specializer.as_ref());
        let (tvar, rvar) = (is_var(tv), is_var(rv));
        if !tvar {
            // The type has a plain value (`"parent"` in a generated `has_relation` type).
            return match (ts, rs) {
                (None, None) => self.check_value(index, rv, tv),
                _ => Err(self.no_match(index, rule, ty)),
            };
        }
        let Some(ts) = ts else {
            // The type does not constrain this parameter.
            return Ok(());
        };
        match (rvar, rs) {
            // Both have pattern specializers.
            (true, Some(rs)) if is_pattern(ts) && is_pattern(rs) => self.check_pattern(index, rs, ts),
            // The type constrains the parameter; the rule does not.
            (true, None) => Err(match &ts.kind {
                TermKind::Instance { tag, .. } => self.fail(|| {
                    format!(
                        "parameter {index} (`{}`) needs a `{}` specializer: `{}: {}`",
                        show(rv),
                        tag.name,
                        show(rv),
                        show(ts)
                    )
                }),
                _ => self.fail(|| format!("parameter {index} needs the specializer `{}`", show(ts))),
            }),
            // A value specializer (`x: 1`) or a value (`"read"`) against a pattern.
            (true, Some(_)) | (false, None) if is_pattern(ts) => {
                let value = if rvar { value_of(rs) } else { rv };
                self.check_value_against_pattern(index, value, ts)
            }
            // A value specializer or value against the type's value specializer.
            (true, Some(rs)) => self.check_value(index, rs, ts),
            (false, None) => self.check_value(index, rv, ts),
            (false, Some(_)) => Err(self.no_match(index, rule, ty)),
        }
    }

    fn no_match(&self, index: usize, rule: &Param, ty: &Param) -> Mismatch {
        self.fail(|| {
            format!(
                "parameter {index}: `{}` does not match `{}`",
                lower::param_to_polar(rule),
                lower::param_to_polar(ty)
            )
        })
    }

    /// A value (or value specializer) against a pattern: the value stands for its built-in
    /// class (`"x"` is a `String`, a dictionary a `Dictionary` with its fields).
    fn check_value_against_pattern(&self, index: usize, value: &Term, pattern: &Term) -> Check {
        match &pattern.kind {
            TermKind::Instance { .. } => {
                let (class, fields): (&str, &[Field]) = match &value.kind {
                    TermKind::String(_) => ("String", &[]),
                    TermKind::Integer(_) => ("Integer", &[]),
                    TermKind::Float(_) => ("Float", &[]),
                    TermKind::Boolean(_) => ("Boolean", &[]),
                    TermKind::List { .. } => ("List", &[]),
                    TermKind::Dict(fields) => ("Dictionary", fields),
                    _ => {
                        return Err(self.fail(|| {
                            format!(
                                "parameter {index}: `{}` cannot be checked against `{}`",
                                show(value),
                                show(pattern)
                            )
                        }));
                    }
                };
                self.check_instance(index, class, fields, pattern)
            }
            TermKind::DictPattern(type_fields) => match &value.kind {
                TermKind::Dict(fields) if fields_match(type_fields, fields) => Ok(()),
                TermKind::Dict(_) => Err(self.fail(|| {
                    format!(
                        "parameter {index}: the dictionary `{}` lacks fields of `{}`",
                        show(value),
                        show(pattern)
                    )
                })),
                _ => Err(self.fail(|| {
                    format!(
                        "parameter {index}: expected a dictionary matching `{}`, found `{}`",
                        show(pattern),
                        show(value)
                    )
                })),
            },
            _ => Err(self
                .fail(|| format!("parameter {index}: `{}` does not match `{}`", show(value), show(pattern)))),
        }
    }

    /// `kb.rs::check_pattern_param`: a rule's pattern specializer against a type's.
    fn check_pattern(&self, index: usize, rule: &Term, ty: &Term) -> Check {
        match (&rule.kind, &ty.kind) {
            (TermKind::Instance { tag, fields, .. }, TermKind::Instance { .. }) => {
                self.check_instance(index, &tag.name, fields, ty)
            }
            (
                TermKind::DictPattern(fields) | TermKind::Instance { fields, .. },
                TermKind::DictPattern(type_fields),
            )
            | (TermKind::DictPattern(fields), TermKind::Instance { fields: type_fields, .. })
                if matches!(ty.kind, TermKind::DictPattern(_))
                    || matches!(&ty.kind, TermKind::Instance { tag, .. } if tag.name == "Dictionary") =>
            {
                if fields_match(type_fields, fields) {
                    Ok(())
                } else {
                    Err(self.fail(|| {
                        format!(
                            "parameter {index}: the fields of `{}` do not include those of `{}`",
                            show(rule),
                            show(ty)
                        )
                    }))
                }
            }
            _ => Err(self.fail(|| {
                format!("parameter {index}: the specializer `{}` does not match `{}`", show(rule), show(ty))
            })),
        }
    }

    /// A class (with pattern fields) against a type's instance pattern.
    fn check_instance(&self, index: usize, class: &str, fields: &[Field], ty: &Term) -> Check {
        let TermKind::Instance { tag, fields: type_fields, .. } = &ty.kind else {
            return Err(self.fail(|| format!("parameter {index}: `{class}` does not match `{}`", show(ty))));
        };
        let fields_ok = || {
            if fields_match(type_fields, fields) {
                Ok(())
            } else {
                Err(self.fail(|| format!(
                    "parameter {index}: the fields of the `{class}` specializer do not include those of `{}`",
                    show(ty)
                )))
            }
        };
        if class == tag.name {
            return fields_ok();
        }
        let Some(members) = self.index.union_members(&tag.name) else {
            // Distinct classes: with no inheritance in a Rust host they never match.
            return Err(self.fail(|| format!("parameter {index}: `{class}` is not `{}`", tag.name)));
        };
        if is_union(class) {
            return Err(self.fail(|| format!("parameter {index}: `{class}` is not `{}`", tag.name)));
        }
        if !self.index.is_member(&tag.name, class) {
            if !self.explain {
                return Err(self.fail(String::new));
            }
            let (hint, block) = if tag.name == lower::ACTOR_UNION {
                ("an actor block", format!("actor {class} {{}}"))
            } else {
                ("a resource block", format!("resource {class} {{ ... }}"))
            };
            let known = if members.is_empty() { "none".to_owned() } else { members.join(", ") };
            return Err(Mismatch {
                param: None,
                message: format!(
                    "parameter {index}: `{class}` is not a member of `{}` (members: {known})",
                    tag.name
                ),
                hint: Some(format!("perhaps you meant to add {hint} for `{class}`: `{block}`")),
            });
        }
        fields_ok()
    }

    /// `kb.rs::check_value_param`: a rule's value against a type's value.
    fn check_value(&self, index: usize, rule: &Term, ty: &Term) -> Check {
        match (&ty.kind, &rule.kind) {
            (TermKind::List { elements: te, .. }, TermKind::List { elements: re, .. }) => {
                if te.iter().all(|t| re.iter().any(|r| terms_equal(r, t))) {
                    Ok(())
                } else {
                    Err(self.fail(|| {
                        format!(
                            "parameter {index}: the list `{}` lacks elements of `{}`",
                            show(rule),
                            show(ty)
                        )
                    }))
                }
            }
            (TermKind::Dict(tf), TermKind::Dict(rf)) => {
                if fields_match(tf, rf) {
                    Ok(())
                } else {
                    Err(self.fail(|| {
                        format!(
                            "parameter {index}: the dictionary `{}` lacks fields of `{}`",
                            show(rule),
                            show(ty)
                        )
                    }))
                }
            }
            _ if terms_equal(rule, ty) => Ok(()),
            _ => {
                Err(self
                    .fail(|| format!("parameter {index}: expected `{}`, found `{}`", show(ty), show(rule))))
            }
        }
    }
}

fn mismatch_diagnostic(rule: &LoweredRule, failures: &[(&RuleType, Mismatch)]) -> Diagnostic {
    let name = &rule.name.name;
    let what = if failures.len() == 1 {
        "its rule type".to_owned()
    } else {
        format!("any of its {} rule types", failures.len())
    };
    // Point at the parameter if every type rejects the same one, else at the rule.
    let param = failures[0].1.param.filter(|i| failures.iter().all(|(_, m)| m.param == Some(*i)));
    let site = match (&rule.origin, param) {
        (RuleOrigin::User, Some(i)) => rule.params[i].span,
        _ => rule_site(rule),
    };
    let mut d = Diagnostic::error(
        codes::RULE_TYPE_MISMATCH,
        site,
        format!("rule `{}` does not match {what}", rule.head_to_polar()),
    )
    .with_label(if failures.len() == 1 {
        failures[0].1.message.clone()
    } else {
        "matches no rule type".into()
    });
    let mut note = String::from("the rule must match one of these rule types:");
    for (ty, m) in failures {
        let origin = match &ty.origin {
            RuleTypeOrigin::Builtin => " (built in)",
            RuleTypeOrigin::Declared { .. } => "",
            RuleTypeOrigin::Generated { .. } => " (from the resource blocks)",
        };
        let _ = write!(note, "\n  type {};{origin}\n    {}", ty.to_polar(), m.message);
        if let RuleTypeOrigin::Declared { span } = ty.origin {
            d = d.with_secondary(span, "rule type declared here");
        }
    }
    d = d.with_note(note);
    if let RuleOrigin::Shorthand { resource } = &rule.origin {
        d = d.with_note(format!(
            "this rule is generated from a shorthand rule in the `{}` block",
            resource.name
        ));
        if name == "has_relation" {
            d = d.with_help(
                "a relation cannot be the head of a shorthand rule; relations come from `has_relation` rules",
            );
        }
    }
    if let Some(hint) = failures.iter().find_map(|(_, m)| m.hint.clone()) {
        d = d.with_help(hint);
    }
    d
}

fn missing_required(program: &Program, ty: &RuleType) -> Diagnostic {
    let head = ty.to_polar();
    let (span, required_by) = match &ty.origin {
        RuleTypeOrigin::Generated { span, required_by } => (*span, required_by.clone()),
        RuleTypeOrigin::Declared { span } => (*span, Vec::new()),
        RuleTypeOrigin::Builtin => (program.rules.first().map(|r| r.span).unwrap_or_default(), Vec::new()),
    };
    let primary = required_by.first().copied().unwrap_or(span);
    let mut d = Diagnostic::error(
        codes::MISSING_REQUIRED_RULE,
        primary,
        format!("missing implementation for required rule `{head}`"),
    );
    if ty.name == "has_relation" {
        d = d
            .with_label("this shorthand rule follows the relation")
            .with_secondary(span, "the relation is declared here");
        for more in required_by.iter().skip(1) {
            d = d.with_secondary(*more, "also follows it");
        }
        let example = example_has_relation(ty);
        d = d.with_help(format!("add a rule that says when the relation holds, e.g. `{example}`"));
    } else if ty.name == "has_role" {
        d = d
            .with_label("roles are declared here")
            .with_help("add a rule that says which actors have which roles, e.g. `has_role(user: User, name: String, resource: Resource) if ...;`");
    } else {
        d = d.with_label("required here");
    }
    d
}

/// `has_relation(org: Org, "parent", repo: Repo) if ...;` for a generated type.
fn example_has_relation(ty: &RuleType) -> String {
    let class = |i: usize| match ty.params.get(i).and_then(|p| p.specializer.as_ref()).map(|s| &s.kind) {
        Some(TermKind::Instance { tag, .. }) => tag.name.clone(),
        _ => "Class".into(),
    };
    let (subject, object) = (class(0), class(2));
    let mut subject_var = lower::resource_name_as_var(&subject, false);
    let object_var = lower::resource_name_as_var(&object, false);
    if subject_var == object_var {
        subject_var = lower::resource_name_as_var(&subject, true);
    }
    let relation = ty.params.get(1).map_or_else(|| "\"relation\"".to_owned(), |p| term_to_polar(&p.value));
    format!("has_relation({subject_var}: {subject}, {relation}, {object_var}: {object}) if ...;")
}
