//! The order in which Oso 0.27.3 tries the clauses of a rule, fixed at compile time.
//!
//! Oso (`vm.rs`: `filter_rules`, `sort_rules`, `is_more_specific`, `is_subspecializer`) first
//! keeps the clauses whose parameters apply to the arguments, then sorts those by an
//! insertion sort on "is more specific for these arguments" (ties keep the source order),
//! and tries them in that order. The order is visible: `cut` skips the clauses after the
//! current one, and a run-time error in one clause hides the solutions of the clauses after
//! it. The comparison compares the parameters left to right; the first position where the
//! specializers differ decides:
//!
//! - no specializer is less specific than any; a union (`Actor`, `Resource`) less than any
//!   other specializer, and two unions are a tie;
//! - an instance pattern (`User`, `User{a: 1}`) is more specific than a dictionary pattern;
//!   of two dictionary patterns the one with more keys is;
//! - of two instance patterns of one class, the one with more fields is, but only when the
//!   argument is an instance (a class of the policy or `Option`): for a built-in value such as
//!   a dictionary, and for an argument that is an unbound variable, Oso's `is_subspecializer`
//!   says no. Two different classes: Oso asks the host, and Oso's Rust host always says no
//!   (there is no inheritance in Rust);
//! - anything else that differs: neither is more specific, and the comparison stops there.
//!
//! In Rust the class of an argument that matches an instance pattern is the pattern's class,
//! so the comparison depends only on the clauses and on which arguments are bound. What still
//! depends on the run-time values is *which* clauses apply, and an insertion sort by a
//! comparison that is not a strict weak order can order two clauses differently depending on
//! a third. So the compiler checks that the comparison is a strict weak order on every set of
//! clauses that can apply together (approximated from above: literal parameters and classes
//! that exclude each other), and then one stable order serves every run; otherwise it
//! refuses the rule.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use super::Unions;
use super::{BUILTIN_CLASSES, literal, literals_unify};
use crate::ast::{Field, Param, Term, TermKind};
use crate::lower::{LoweredRule, is_union};

/// The most clauses of one rule for which the general (cubic) check runs.
const MAX_GENERAL: usize = 128;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Outcome {
    /// The left clause is more specific.
    More,
    /// The first differing specializers decide that the left clause is not more specific.
    NotMore,
    /// No position decides: the clauses are as specific as each other.
    Tie,
}

/// The order (indices into `clauses`) in which Oso tries `clauses` for a call whose
/// arguments are bound (`true`) or unbound variables (`false`); `Err` with the reason when
/// the order depends on which clauses apply at run time.
pub(super) fn clause_order(
    unions: &Unions,
    clauses: &[&LoweredRule],
    bound: &[bool],
) -> Result<Vec<usize>, String> {
    let n = clauses.len();
    let params: Vec<&[Param]> = clauses.iter().map(|c| c.params.as_slice()).collect();
    let kinds: Vec<Vec<Option<Vec<Kind>>>> =
        params.iter().map(|ps| ps.iter().map(|p| param_kinds(p, unions)).collect()).collect();
    let compatible = |i: usize, j: usize| compatible(params[i], params[j], &kinds[i], &kinds[j], bound);
    let ranks: Vec<Vec<(u8, usize)>> =
        params.iter().map(|ps| ps.iter().map(|p| rank(p.specializer.as_ref())).collect()).collect();

    // The usual case: on every pair of clauses that can apply together, the comparison is
    // the lexicographic order of the specializers' ranks, a strict weak order: sort by it.
    // Only pairs that can apply together matter: clauses are bucketed by what they require at
    // one bound position (a class, a string literal), which no clause of another bucket can
    // also accept, so that large rules (one clause per resource class) stay linear.
    // The comparison and the ranks depend on the specializers only, so clauses with equal
    // specializers (Oso's term equality: `canonical`) form one group, and a pair of groups is
    // compared once: only a pair of groups that disagrees needs its clauses' compatibility
    // (thousands of `allow` clauses with one literal action each are one group when the
    // action is unbound, as in `authorized_actions`).
    let canon: Vec<Vec<Option<String>>> =
        params.iter().map(|ps| ps.iter().map(|p| p.specializer.as_ref().map(canonical)).collect()).collect();
    let mut group_ids = HashMap::new();
    let mut reps: Vec<usize> = Vec::new();
    let group: Vec<usize> = (0..n)
        .map(|i| {
            *group_ids.entry((canon[i].as_slice(), ranks[i].as_slice())).or_insert_with(|| {
                reps.push(i);
                reps.len() - 1
            })
        })
        .collect();
    let mut consistent_cache: HashMap<(usize, usize), bool> = HashMap::new();
    let mut consistent = |a: usize, b: usize| {
        let (i, j) = (reps[a.min(b)], reps[a.max(b)]);
        *consistent_cache.entry((a.min(b), a.max(b))).or_insert_with(|| {
            let (ij, ji) = (
                outcome(params[i], params[j], &canon[i], &canon[j], bound),
                outcome(params[j], params[i], &canon[j], &canon[i], bound),
            );
            (ij == Outcome::More) == (ranks[i] > ranks[j]) && (ji == Outcome::More) == (ranks[j] > ranks[i])
        })
    };
    // Whether every clause of `left` agrees with every clause of `right` (other than itself).
    let mut agree = |left: &[usize], right: &[usize]| {
        let by_group = |members: &[usize]| {
            let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &i in members {
                groups.entry(group[i]).or_default().push(i);
            }
            groups
        };
        let (left, right) = (by_group(left), by_group(right));
        for (&a, left) in &left {
            for (&b, right) in &right {
                if a == b || consistent(a, b) {
                    continue;
                }
                if left.iter().any(|&i| right.iter().any(|&j| i != j && compatible(i, j))) {
                    return false;
                }
            }
        }
        true
    };
    let (buckets, open) = partition(&params, &kinds, bound);
    let all: Vec<usize> = (0..n).collect();
    let by_rank = buckets.iter().all(|b| agree(b, b)) && (open.is_empty() || agree(&open, &all));
    if by_rank {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| ranks[b].cmp(&ranks[a]));
        return Ok(order);
    }

    if n > MAX_GENERAL {
        return Err(format!(
            "the order of more than {MAX_GENERAL} clauses whose specializers Oso does not rank consistently"
        ));
    }
    let mut compat = vec![vec![false; n]; n];
    let mut more = vec![vec![false; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j && compatible(i, j) {
                compat[i][j] = true;
                more[i][j] = outcome(params[i], params[j], &canon[i], &canon[j], bound) == Outcome::More;
            }
        }
    }
    let incomparable = |a: usize, b: usize| !more[a][b] && !more[b][a];
    for a in 0..n {
        for b in 0..n {
            if !compat[a][b] {
                continue;
            }
            for c in 0..n {
                if !(compat[a][c] && compat[b][c]) {
                    continue;
                }
                let transitive = !(more[a][b] && more[b][c]) || more[a][c];
                let ties_transitive = !(incomparable(a, b) && incomparable(b, c)) || incomparable(a, c);
                if !(transitive && ties_transitive) {
                    return Err(format!(
                        "clauses whose order in Oso depends on which of them apply at run time \
                         (lines of `{}`: compare the specializers of its clauses {}, {} and {})",
                        clauses[a].name.name,
                        a + 1,
                        b + 1,
                        c + 1
                    ));
                }
            }
        }
    }
    // A stable sort on every set of clauses that can apply together: a topological order of
    // "comes first" between compatible clauses, the earlier clause first where free.
    let mut incoming = vec![0usize; n];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 1..n {
            if compat[i][j] {
                let (first, second) = if more[j][i] { (j, i) } else { (i, j) };
                after[first].push(second);
                incoming[second] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..n).filter(|&i| incoming[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in &after[i] {
            incoming[j] -= 1;
            if incoming[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    if order.len() < n {
        return Err(format!(
            "clauses of `{}` that Oso orders differently depending on which of them apply at run time",
            clauses[0].name.name
        ));
    }
    Ok(order)
}

/// Oso's `is_more_specific(left, right, args)`.
fn outcome(
    left: &[Param],
    right: &[Param],
    left_canon: &[Option<String>],
    right_canon: &[Option<String>],
    bound: &[bool],
) -> Outcome {
    for (((l, r), (lc, rc)), &bound) in
        left.iter().zip(right).zip(left_canon.iter().zip(right_canon)).zip(bound)
    {
        match (&l.specializer, &r.specializer) {
            (Some(l), Some(r)) if is_union_spec(l) && is_union_spec(r) => {}
            (Some(l), Some(_)) if is_union_spec(l) => return Outcome::NotMore,
            (Some(_), Some(r)) if is_union_spec(r) => return Outcome::More,
            (Some(l), Some(r)) => {
                if lc != rc {
                    return if is_subspecializer(l, r, bound) { Outcome::More } else { Outcome::NotMore };
                }
            }
            (None, Some(_)) => return Outcome::NotMore,
            (Some(_), None) => return Outcome::More,
            (None, None) => {}
        }
    }
    Outcome::Tie
}

/// Oso's `is_subspecializer(left, right, arg)` with the Rust host's answer (no inheritance).
fn is_subspecializer(left: &Term, right: &Term, bound: bool) -> bool {
    match (&left.kind, &right.kind) {
        (TermKind::Instance { tag: lt, fields: lf, .. }, TermKind::Instance { tag: rt, fields: rf, .. }) => {
            // Only an instance argument gets the field comparison, and the argument is an
            // instance exactly when the (shared) class is not a built-in value class.
            bound && lt.name == rt.name && is_instance_class(&lt.name) && lf.len() > rf.len()
        }
        (TermKind::DictPattern(lf), TermKind::DictPattern(rf)) => lf.len() > rf.len(),
        (TermKind::Instance { .. }, TermKind::DictPattern(_)) => true,
        _ => false,
    }
}

/// Whether values of the class are instances to Oso (its `ExternalInstance`): the classes of
/// the policy, and `Option`, which Oso's Rust host wraps as an instance.
fn is_instance_class(name: &str) -> bool {
    name == "Option" || !BUILTIN_CLASSES.contains(&name)
}

fn is_union_spec(spec: &Term) -> bool {
    matches!(&spec.kind, TermKind::Instance { tag, .. } if is_union(&tag.name))
}

/// A key that is equal for specializers Oso's term equality finds equal: fields as a sorted
/// map, `Foo` and `Foo{}` alike, numbers by value.
fn canonical(t: &Term) -> String {
    fn fields(out: &mut String, fields: &[Field]) {
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| a.key.name.cmp(&b.key.name));
        out.push('{');
        for f in sorted {
            out.push_str(&format!("{:?}:", f.key.name));
            write(out, &f.value);
            out.push(',');
        }
        out.push('}');
    }
    fn write(out: &mut String, t: &Term) {
        match &t.kind {
            TermKind::Integer(i) => out.push_str(&format!("n{i}")),
            TermKind::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
                out.push_str(&format!("n{}", *f as i64))
            }
            TermKind::Float(f) => out.push_str(&format!("f{f:?}")),
            TermKind::String(s) => out.push_str(&format!("s{s:?}")),
            TermKind::Boolean(b) => out.push_str(&format!("b{b}")),
            TermKind::Variable(v) => out.push_str(&format!("v{v:?}")),
            TermKind::List { elements, rest } => {
                out.push('[');
                for e in elements {
                    write(out, e);
                    out.push(',');
                }
                if let Some(r) = rest {
                    out.push_str(&format!("*{:?}", r.name));
                }
                out.push(']');
            }
            TermKind::DictPattern(fs) => {
                out.push('p');
                fields(out, fs);
            }
            TermKind::Dict(fs) => {
                out.push('d');
                fields(out, fs);
            }
            TermKind::Instance { tag, fields: fs, .. } => {
                out.push_str(&format!("i{:?}", tag.name));
                fields(out, fs);
            }
            _ => out.push_str(&format!("t{:?}", crate::lower::print::term_to_polar(t))),
        }
    }
    let mut out = String::new();
    write(&mut out, t);
    out
}

/// The rank of a specializer: `is_more_specific` on two clauses is the lexicographic order
/// of these ranks whenever the specializers it compares are ranked apart or equal.
fn rank(spec: Option<&Term>) -> (u8, usize) {
    match spec.map(|s| &s.kind) {
        None => (0, 0),
        Some(TermKind::Instance { tag, .. }) if is_union(&tag.name) => (1, 0),
        Some(TermKind::DictPattern(fields)) => (2, fields.len()),
        Some(TermKind::Instance { fields, .. }) => (3, fields.len()),
        Some(_) => (4, 0),
    }
}

/// The kinds of value a parameter can accept.
#[derive(Clone, PartialEq, Debug)]
enum Kind {
    Str,
    Number,
    Bool,
    List,
    Dict,
    Option,
    Class(String),
}

/// What a parameter requires of a bound argument, when no parameter with another key can
/// accept the same argument: a single kind of value, refined by the literal for strings and
/// booleans (numbers are not refined: `1` and `1.0` unify; a string or boolean parameter that
/// is not a literal has no key, since it overlaps the literals of its kind).
fn exclusive_key(param: &Param, kinds: &Option<Vec<Kind>>) -> Option<String> {
    let kinds = kinds.as_ref()?;
    let [kind] = kinds.as_slice() else { return None };
    let literal = match (&param.specializer, &param.value.kind) {
        (None, TermKind::String(s)) => format!("={s:?}"),
        (None, TermKind::Boolean(b)) => format!("={b}"),
        // Any string (or boolean) overlaps every string (boolean) literal: no exclusive key.
        _ if matches!(kind, Kind::Str | Kind::Bool) => return None,
        _ => String::new(),
    };
    Some(format!("{kind:?}{literal}"))
}

/// The clauses grouped by their exclusive key at the bound position that splits them best,
/// and the clauses without a key there (which may apply together with any clause).
fn partition(
    params: &[&[Param]],
    kinds: &[Vec<Option<Vec<Kind>>>],
    bound: &[bool],
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let n = params.len();
    let mut best: (usize, Vec<Vec<usize>>, Vec<usize>) = (usize::MAX, vec![(0..n).collect()], Vec::new());
    for p in (0..bound.len()).filter(|&p| bound[p]) {
        let mut groups: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
        let mut open = Vec::new();
        for i in 0..n {
            match params[i].get(p).and_then(|param| exclusive_key(param, &kinds[i][p])) {
                Some(key) => groups.entry(key).or_default().push(i),
                None => open.push(i),
            }
        }
        let cost = groups.values().map(|g| g.len() * g.len()).sum::<usize>() + open.len() * n;
        if cost < best.0 {
            best = (cost, groups.into_values().collect(), open);
        }
    }
    (best.1, best.2)
}

/// `None` when the parameter accepts values of any kind.
fn param_kinds(p: &Param, unions: &Unions) -> Option<Vec<Kind>> {
    match &p.specializer {
        Some(spec) => pattern_kinds(spec, unions),
        None => pattern_kinds(&p.value, unions),
    }
}

fn pattern_kinds(t: &Term, unions: &Unions) -> Option<Vec<Kind>> {
    Some(match &t.kind {
        TermKind::String(_) => vec![Kind::Str],
        TermKind::Integer(_) | TermKind::Float(_) => vec![Kind::Number],
        TermKind::Boolean(_) => vec![Kind::Bool],
        TermKind::List { .. } => vec![Kind::List],
        TermKind::Instance { tag, .. } => match tag.name.as_str() {
            "String" => vec![Kind::Str],
            "Integer" | "Float" => vec![Kind::Number],
            "Boolean" => vec![Kind::Bool],
            "List" => vec![Kind::List],
            "Dictionary" => vec![Kind::Dict],
            "Option" => vec![Kind::Option],
            name if is_union(name) => unions.members(name)?.iter().map(|m| Kind::Class(m.clone())).collect(),
            name => vec![Kind::Class(name.to_owned())],
        },
        _ => return None,
    })
}

/// Whether two clauses might both apply to one call: `false` only when a bound argument
/// cannot match both parameters at that position.
fn compatible(
    a: &[Param],
    b: &[Param],
    kinds_a: &[Option<Vec<Kind>>],
    kinds_b: &[Option<Vec<Kind>>],
    bound: &[bool],
) -> bool {
    for i in 0..a.len().min(b.len()) {
        if !bound[i] {
            continue;
        }
        if let (Some(ka), Some(kb)) = (&kinds_a[i], &kinds_b[i])
            && !ka.iter().any(|k| kb.contains(k))
        {
            return false;
        }
        if a[i].specializer.is_none()
            && b[i].specializer.is_none()
            && let (Some(la), Some(lb)) = (literal(&a[i].value), literal(&b[i].value))
            && !literals_unify(&la, &lb)
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn order(policy: &str, rule: &str, bound: &[bool]) -> Result<Vec<usize>, String> {
        let mut sources = SourceMap::new();
        sources.add("t.polar", policy);
        let checked = crate::check(&sources, crate::Stop::AfterValidation);
        let program = checked.program.expect("the policy lowers");
        let clauses: Vec<&LoweredRule> =
            program.rules.iter().filter(|r| r.name.name == rule && r.params.len() == bound.len()).collect();
        clause_order(&Unions::new(&program), &clauses, bound)
    }

    #[test]
    fn oso_measured_orders() {
        // The orders the language notes measured on Oso 0.27.3 (`f(1, r)`: int, int2, any, one).
        let p = r#"f(_x, "any"); f(1, "one"); f(_x: Integer, "int"); f(_x: Integer{}, "int2");"#;
        assert_eq!(order(p, "f", &[true, false]).unwrap(), [2, 3, 0, 1]);
        // For an instance: `Foo{a: 1}`, `Foo`, `{a: 1}`, no specializer.
        let p = "g(_x); g(_x: {a: 1}); g(_x: Foo); g(_x: Foo{a: 1});";
        assert_eq!(order(p, "g", &[true]).unwrap(), [3, 2, 1, 0]);
        // For a dictionary: `Dictionary`, `{a: 1, b: 2}`, `{a: 1}`, none; `Dictionary{a: 1}`
        // is no more specific than `Dictionary` for a value that is not an instance.
        let p = "h(_x); h(_x: {a: 1}); h(_x: {a: 1, b: 2}); h(_x: Dictionary); h(_x: Dictionary{a: 1});";
        assert_eq!(order(p, "h", &[true]).unwrap(), [3, 4, 2, 1, 0]);
    }

    #[test]
    fn unions_rank_below_classes_and_tie_with_each_other() {
        let p = "actor User {} resource Repo {}
                 k(_a: Actor, _r: Resource); k(_a: User, _r); k(_a: Resource, _r: Repo);";
        // `User` beats the union `Actor`; the two unions tie, and then `Repo` beats `Resource`.
        assert_eq!(order(p, "k", &[true, true]).unwrap(), [1, 2, 0]);
    }

    #[test]
    fn unbound_arguments_get_no_field_comparison() {
        let p = "m(_x: Foo); m(_x: Foo{a: 1});";
        assert_eq!(order(p, "m", &[true]).unwrap(), [1, 0]);
        assert_eq!(order(p, "m", &[false]).unwrap(), [0, 1]);
    }

    #[test]
    fn incomparable_specializers_keep_a_consistent_order_or_are_refused() {
        // Same class, as many fields: neither is more specific, and that is consistent.
        let p = "n(_x: Foo{a: 1}); n(_x: Foo{b: 1}); n(_x: Foo);";
        assert_eq!(order(p, "n", &[true]).unwrap(), [0, 1, 2]);
        // `c` beats `a`, but neither beats `b`, nor `b` either: whether `b` applies decides
        // whether `c` comes before `a` in Oso.
        let p = "o(_x: {a: 1}, _y); o(_x: {b: 1}, _y: Foo); o(_x: {a: 1}, _y: Foo);";
        let err = order(p, "o", &[true, true]).unwrap_err();
        assert!(err.contains("depends on which of them apply"), "{err}");
    }

    /// The pairs checked are those of a bucket and those with an open clause: a `String`
    /// parameter overlaps every string literal, so it is open, not a bucket of its own.
    #[test]
    fn clauses_are_bucketed_by_exclusive_keys_only() {
        let mut sources = SourceMap::new();
        sources
            .add("t.polar", r#"r("a", _y); r("b", _y); r(_x: String, _y); r(_x: Foo, _y); r(_x: Bar, _y);"#);
        let checked = crate::check(&sources, crate::Stop::AfterValidation);
        let program = checked.program.expect("the policy lowers");
        let clauses: Vec<&LoweredRule> = program.rules.iter().collect();
        let params: Vec<&[Param]> = clauses.iter().map(|c| c.params.as_slice()).collect();
        let kinds: Vec<Vec<Option<Vec<Kind>>>> = params
            .iter()
            .map(|ps| ps.iter().map(|p| param_kinds(p, &Unions::new(&program))).collect())
            .collect();
        let (buckets, open) = partition(&params, &kinds, &[true, true]);
        assert_eq!(open, [2]);
        assert_eq!(buckets.len(), 4, "{buckets:?}");
        assert!(buckets.iter().all(|b| b.len() == 1), "{buckets:?}");
    }

    #[test]
    fn many_clauses_with_one_literal_each_are_bucketed() {
        // `Foo{a: 1}` ranks above `Foo`, but Oso finds it no more specific for an unbound
        // argument: the two groups disagree, and only clauses that can apply together (the
        // same literal) make the order depend on the data. More clauses than the general
        // check takes: the answer comes from the buckets.
        let mut p: String = (0..150).map(|i| format!(r#"m(_x: Foo{{a: 1}}, "l{i}");"#)).collect();
        p.push_str(r#"m(_x: Foo, "z");"#);
        assert_eq!(order(&p, "m", &[false, true]).unwrap(), (0..151).collect::<Vec<_>>());
        p.push_str(r#"m(_x: Foo, "l7");"#);
        let err = order(&p, "m", &[false, true]).unwrap_err();
        assert!(err.contains("more than 128 clauses"), "{err}");
    }

    #[test]
    fn exclusive_clauses_do_not_constrain_each_other() {
        // Different literals and classes never apply together.
        let p = r#"q(_x: {a: 1}, "a"); q(_x: {b: 1}, "b"); q(_x: {a: 1, b: 1}, "b"); q(_x: Foo, "c");"#;
        assert_eq!(order(p, "q", &[true, true]).unwrap(), [3, 2, 0, 1]);
    }
}
