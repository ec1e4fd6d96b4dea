//! Traversals of terms that the checks share.

use crate::ast::{Member, RewrittenOp, Term, TermKind};
use crate::source::Span;

/// Calls `f` on each direct subterm of `t` in source order: list elements, field values,
/// call and method-call arguments (positional, then keyword), operands. Class tags, field
/// keys and member names are not terms.
pub(crate) fn for_each_child<'a>(t: &'a Term, mut f: impl FnMut(&'a Term)) {
    match &t.kind {
        TermKind::Integer(_)
        | TermKind::Float(_)
        | TermKind::String(_)
        | TermKind::Boolean(_)
        | TermKind::Variable(_)
        | TermKind::Cut
        | TermKind::Error => {}
        TermKind::List { elements, .. } => elements.iter().for_each(f),
        TermKind::Dict(fields) | TermKind::DictPattern(fields) | TermKind::Instance { fields, .. } => {
            fields.iter().for_each(|field| f(&field.value))
        }
        TermKind::Call(call) | TermKind::New(call) => {
            call.args.iter().for_each(&mut f);
            call.kwargs.iter().flatten().for_each(|field| f(&field.value));
        }
        TermKind::Dot { receiver, member } => {
            f(receiver);
            if let Member::Method(call) = member {
                call.args.iter().for_each(&mut f);
                call.kwargs.iter().flatten().for_each(|field| f(&field.value));
            }
        }
        TermKind::Binary { left, right, .. } => {
            f(left);
            f(right);
        }
        TermKind::Matches { value, pattern } => {
            f(value);
            f(pattern);
        }
        TermKind::Not(inner) => f(inner),
        TermKind::And(ts) | TermKind::Or(ts) | TermKind::Print(ts) | TermKind::Debug(ts) => {
            ts.iter().for_each(f)
        }
        TermKind::Rewritten { args, .. } => args.iter().for_each(f),
        TermKind::ForAll { condition, action } => {
            f(condition);
            f(action);
        }
    }
}

/// How deep walks recurse. A subtree below that is walked with an explicit stack, so that
/// however deeply a term nests the walk cannot overflow the call stack, while walking the
/// usual shallow term allocates nothing.
const RECURSION_LIMIT: usize = 48;

/// Pre-order walk; `f` gets each term and its depth (the root has depth 1) and returns
/// whether to descend into the term's children.
pub(crate) fn walk_with_depth<'a>(t: &'a Term, mut f: impl FnMut(&'a Term, usize) -> bool) {
    walk_from(t, 1, 0, &mut f);
}

fn walk_from<'a, F: FnMut(&'a Term, usize) -> bool>(t: &'a Term, depth: usize, level: usize, f: &mut F) {
    if level < RECURSION_LIMIT {
        if f(t, depth) {
            for_each_child(t, |c| walk_from(c, depth + 1, level + 1, f));
        }
        return;
    }
    let mut stack = vec![(t, depth)];
    while let Some((t, depth)) = stack.pop() {
        if f(t, depth) {
            // Push the children, then reverse them in place so the first is popped first.
            let start = stack.len();
            for_each_child(t, |c| stack.push((c, depth + 1)));
            stack[start..].reverse();
        }
    }
}

/// Pre-order walk; `f` returns whether to descend into the term's children.
pub(crate) fn walk_pruned<'a>(t: &'a Term, mut f: impl FnMut(&'a Term) -> bool) {
    walk_with_depth(t, |t, _| f(t));
}

/// Pre-order walk over every subterm.
pub(crate) fn walk<'a>(t: &'a Term, mut f: impl FnMut(&'a Term)) {
    walk_pruned(t, |t| {
        f(t);
        true
    });
}

/// One occurrence of a name that Oso treats as a symbol in a rule: a variable, a `*rest`
/// variable, the key variable of `x.(key)`, or the tag of an instance pattern.
#[derive(Clone, Debug)]
pub(crate) struct Occurrence<'a> {
    pub name: &'a str,
    pub span: Span,
    pub is_tag: bool,
}

/// Every variable and pattern-tag occurrence in `t`, in source order.
pub(crate) fn occurrences<'a>(t: &'a Term, out: &mut Vec<Occurrence<'a>>) {
    walk(t, |t| match &t.kind {
        TermKind::Variable(v) => out.push(Occurrence { name: v, span: t.span, is_tag: false }),
        TermKind::List { rest: Some(rest), .. } => {
            out.push(Occurrence { name: &rest.name, span: rest.span, is_tag: false })
        }
        TermKind::Dot { member: Member::DynamicKey(key), .. } => {
            out.push(Occurrence { name: &key.name, span: key.span, is_tag: false })
        }
        TermKind::Instance { tag, .. } => {
            out.push(Occurrence { name: &tag.name, span: tag.span, is_tag: true })
        }
        _ => {}
    });
    // `walk` is pre-order, so a rest variable or a dynamic key is recorded before the terms
    // that come before it in the text; restore source order.
    out.sort_by_key(|o| o.span.start);
}

/// True for the terms Oso's rewriter hoists out of their position into a temporary variable
/// (`rewrites.rs::needs_rewrite`): lookups, arithmetic, constructors.
pub(crate) fn is_rewritten_expression(t: &Term) -> bool {
    use crate::ast::BinOp::*;
    match &t.kind {
        TermKind::Dot { .. } | TermKind::New(_) => true,
        TermKind::Binary { op, .. } => matches!(op, Add | Sub | Mul | Div | Mod | Rem),
        TermKind::Rewritten { op: RewrittenOp::Dot, args } => args.len() == 2,
        TermKind::Rewritten { op: RewrittenOp::New, args } => args.len() == 1,
        _ => false,
    }
}

/// True if the term contains a placeholder for a syntax error.
pub(crate) fn has_error(t: &Term) -> bool {
    let mut found = false;
    walk_pruned(t, |t| {
        found |= matches!(t.kind, TermKind::Error);
        !found
    });
    found
}

/// Calls `f` on the name of every variable in `t` (variables, `*rest` variables, the keys of
/// `x.(key)`), in a fixed order that depends only on the shape of the term: pre-order, a
/// `*rest` variable before the elements of its list and a key before the receiver.
pub(crate) fn for_each_variable<'a>(t: &'a Term, f: &mut impl FnMut(&'a String)) {
    walk(t, |t| match &t.kind {
        TermKind::Variable(v) => f(v),
        TermKind::List { rest: Some(rest), .. } => f(&rest.name),
        TermKind::Dot { member: Member::DynamicKey(key), .. } => f(&key.name),
        _ => {}
    });
}
