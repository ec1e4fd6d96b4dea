//! Traversals of terms that the checks share.

use crate::ast::{Member, RewrittenOp, Term, TermKind};
use crate::source::Span;

/// The direct subterms of `t` in source order: list elements, field values, call and
/// method-call arguments (positional, then keyword), operands. Class tags, field keys and
/// member names are not terms.
pub(crate) fn children(t: &Term) -> Vec<&Term> {
    let mut out = Vec::new();
    match &t.kind {
        TermKind::Integer(_)
        | TermKind::Float(_)
        | TermKind::String(_)
        | TermKind::Boolean(_)
        | TermKind::Variable(_)
        | TermKind::Cut
        | TermKind::Error => {}
        TermKind::List { elements, .. } => out.extend(elements),
        TermKind::Dict(fields) | TermKind::DictPattern(fields) | TermKind::Instance { fields, .. } => {
            out.extend(fields.iter().map(|f| &f.value))
        }
        TermKind::Call(call) | TermKind::New(call) => {
            out.extend(&call.args);
            out.extend(call.kwargs.iter().flatten().map(|f| &f.value));
        }
        TermKind::Dot { receiver, member } => {
            out.push(receiver);
            if let Member::Method(call) = member {
                out.extend(&call.args);
                out.extend(call.kwargs.iter().flatten().map(|f| &f.value));
            }
        }
        TermKind::Binary { left, right, .. } => out.extend([&**left, &**right]),
        TermKind::Matches { value, pattern } => out.extend([&**value, &**pattern]),
        TermKind::Not(inner) => out.push(inner),
        TermKind::And(ts) | TermKind::Or(ts) | TermKind::Print(ts) | TermKind::Debug(ts) => out.extend(ts),
        TermKind::Rewritten { args, .. } => out.extend(args),
        TermKind::ForAll { condition, action } => out.extend([&**condition, &**action]),
    }
    out
}

/// Pre-order walk; `f` returns whether to descend into the term's children.
pub(crate) fn walk_pruned<'a>(t: &'a Term, f: &mut dyn FnMut(&'a Term) -> bool) {
    // An explicit stack: terms may be nested very deeply and the walk must not overflow.
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if f(t) {
            let kids = children(t);
            stack.extend(kids.into_iter().rev());
        }
    }
}

/// Pre-order walk over every subterm.
pub(crate) fn walk<'a>(t: &'a Term, f: &mut dyn FnMut(&'a Term)) {
    walk_pruned(t, &mut |t| {
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
    walk(t, &mut |t| match &t.kind {
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
    walk_pruned(t, &mut |t| {
        found |= matches!(t.kind, TermKind::Error);
        !found
    });
    found
}

/// Calls `f` on the name of every variable in `t` (variables, `*rest` variables, the keys of
/// `x.(key)`), in a fixed order that depends only on the shape of the term.
pub(crate) fn for_each_variable_mut(t: &mut Term, f: &mut dyn FnMut(&mut String)) {
    let mut stack: Vec<&mut Term> = vec![t];
    while let Some(t) = stack.pop() {
        match &mut t.kind {
            TermKind::Integer(_)
            | TermKind::Float(_)
            | TermKind::String(_)
            | TermKind::Boolean(_)
            | TermKind::Cut
            | TermKind::Error => {}
            TermKind::Variable(v) => f(v),
            TermKind::List { elements, rest } => {
                if let Some(rest) = rest {
                    f(&mut rest.name);
                }
                stack.extend(elements.iter_mut().rev());
            }
            TermKind::Dict(fields) | TermKind::DictPattern(fields) | TermKind::Instance { fields, .. } => {
                stack.extend(fields.iter_mut().rev().map(|f| &mut f.value))
            }
            TermKind::Call(call) | TermKind::New(call) => {
                stack.extend(call.kwargs.iter_mut().flatten().rev().map(|f| &mut f.value));
                stack.extend(call.args.iter_mut().rev());
            }
            TermKind::Dot { receiver, member } => {
                match member {
                    Member::DynamicKey(key) => f(&mut key.name),
                    Member::Method(call) => {
                        stack.extend(call.kwargs.iter_mut().flatten().rev().map(|f| &mut f.value));
                        stack.extend(call.args.iter_mut().rev());
                    }
                    Member::Field(_) => {}
                }
                stack.push(receiver);
            }
            TermKind::Binary { left, right, .. } => {
                stack.push(right);
                stack.push(left);
            }
            TermKind::Matches { value, pattern } => {
                stack.push(pattern);
                stack.push(value);
            }
            TermKind::Not(inner) => stack.push(inner),
            TermKind::And(ts) | TermKind::Or(ts) | TermKind::Print(ts) | TermKind::Debug(ts) => {
                stack.extend(ts.iter_mut().rev())
            }
            TermKind::Rewritten { args, .. } => stack.extend(args.iter_mut().rev()),
            TermKind::ForAll { condition, action } => {
                stack.push(action);
                stack.push(condition);
            }
        }
    }
}
