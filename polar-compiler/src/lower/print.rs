//! Printing terms and rules back as Polar text, in the format of Oso's `to_polar`
//! (`polar-core/src/formatting.rs`), so that lowered rules can be compared with a dump of
//! Oso's knowledge base. The output reparses to the same tree: parentheses are added where
//! precedence requires them, strings are escaped, floats keep a decimal point.

use std::fmt::Write as _;

use crate::ast::{BinOp, Call, Field, Member, Param, RewrittenOp, Term, TermKind};

/// Binding strength, loosest first; Oso's `formatting.rs::precedence` for operators and the
/// strongest for atoms.
fn precedence(t: &Term) -> u8 {
    match &t.kind {
        TermKind::Or(_) => 1,
        TermKind::And(_) => 2,
        TermKind::Not(_) => 3,
        TermKind::Binary { op, .. } => binop_precedence(*op),
        TermKind::Matches { .. } => 8,
        TermKind::Dot { .. } => 9,
        TermKind::New(_) | TermKind::ForAll { .. } | TermKind::Cut => 10,
        TermKind::Print(_) | TermKind::Debug(_) => 11,
        // A negative literal after `-` or `*` needs no parentheses (`3 - -1` reparses).
        _ => 12,
    }
}

fn binop_precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Unify | BinOp::Assign => 4,
        BinOp::Eq | BinOp::Neq | BinOp::Lt | BinOp::Leq | BinOp::Gt | BinOp::Geq => 5,
        BinOp::Add | BinOp::Sub => 6,
        BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Rem => 7,
        BinOp::In => 8,
    }
}

/// Writes the name of a variable (a variable term, a `*rest` variable or the key of
/// `x.(key)`), given the `String` that holds it in the tree: as it is ([`plain`]), or
/// renamed. It gets the `String` itself, not a `&str`, so that its address can identify the
/// occurrence (the canonical forms of `validate::rules` number each `_` apart).
pub(crate) type Vars<'a> = &'a dyn Fn(&String, &mut String);

/// Variable names as written.
#[allow(clippy::ptr_arg)] // Its type is `Vars`.
fn plain(name: &String, out: &mut String) {
    out.push_str(name);
}

/// A term in Polar syntax.
pub fn term_to_polar(t: &Term) -> String {
    let mut out = String::new();
    write_term(&mut out, t, &plain);
    out
}

/// A parameter: `value` or `value: specializer`.
pub fn param_to_polar(p: &Param) -> String {
    let mut out = String::new();
    write_param(&mut out, p, &plain);
    out
}

fn write_param(out: &mut String, p: &Param, vars: Vars) {
    write_term(out, &p.value, vars);
    if let Some(s) = &p.specializer {
        out.push_str(": ");
        write_term(out, s, vars);
    }
}

pub(crate) fn head_to_polar(name: &str, params: &[Param]) -> String {
    let mut out = String::new();
    write_head(&mut out, name, params, &plain);
    out
}

/// `name(p1, p2)`.
fn write_head(out: &mut String, name: &str, params: &[Param], vars: Vars) {
    out.push_str(name);
    out.push('(');
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_param(out, p, vars);
    }
    out.push(')');
}

pub(crate) fn rule_to_polar(name: &str, params: &[Param], body: &[Term]) -> String {
    let mut out = String::new();
    write_rule(&mut out, name, params, body, &plain);
    out
}

/// `head;` for a fact, `head if a and b;` otherwise.
pub(crate) fn write_rule(out: &mut String, name: &str, params: &[Param], body: &[Term], vars: Vars) {
    write_head(out, name, params, vars);
    if !body.is_empty() {
        out.push_str(" if ");
        write_joined(out, body, " and ", 2, vars);
    }
    out.push(';');
}

/// Writes `t`, in parentheses when it binds more loosely than its context `min`.
fn write_operand(out: &mut String, t: &Term, min: u8, vars: Vars) {
    if precedence(t) < min {
        out.push('(');
        write_term(out, t, vars);
        out.push(')');
    } else {
        write_term(out, t, vars);
    }
}

fn write_joined(out: &mut String, terms: &[Term], sep: &str, min: u8, vars: Vars) {
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write_operand(out, t, min, vars);
    }
}

fn write_fields(out: &mut String, fields: &[Field], vars: Vars) {
    out.push('{');
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if f.shorthand {
            out.push_str(&f.key.name);
        } else {
            let _ = write!(out, "{}: ", f.key.name);
            write_operand(out, &f.value, 2, vars);
        }
    }
    out.push('}');
}

fn write_call(out: &mut String, call: &Call, vars: Vars) {
    out.push_str(&call.name.name);
    out.push('(');
    write_joined(out, &call.args, ", ", 2, vars);
    if let Some(kwargs) = &call.kwargs {
        for (i, f) in kwargs.iter().enumerate() {
            if i > 0 || !call.args.is_empty() {
                out.push_str(", ");
            }
            let _ = write!(out, "{}: ", f.key.name);
            write_operand(out, &f.value, 2, vars);
        }
    }
    out.push(')');
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("nan");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else {
        // `{:?}` keeps a decimal point or an exponent, so the text lexes as a float again.
        let _ = write!(out, "{f:?}");
    }
}

/// True when `name` lexes as a single Polar symbol, so `x.name` needs no `("...")`.
fn is_plain_symbol(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    let ok = |c: char| c == '_' || !(c.is_ascii_punctuation() || c.is_whitespace());
    !first.is_ascii_digit() && ok(first) && chars.all(ok)
}

fn write_term(out: &mut String, t: &Term, vars: Vars) {
    match &t.kind {
        TermKind::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        TermKind::Float(f) => write_float(out, *f),
        TermKind::String(s) => write_string(out, s),
        TermKind::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        TermKind::Variable(v) => vars(v, out),
        TermKind::List { elements, rest } => {
            out.push('[');
            write_joined(out, elements, ", ", 2, vars);
            if let Some(rest) = rest {
                if !elements.is_empty() {
                    out.push_str(", ");
                }
                out.push('*');
                vars(&rest.name, out);
            }
            out.push(']');
        }
        TermKind::Dict(fields) | TermKind::DictPattern(fields) => write_fields(out, fields, vars),
        TermKind::Instance { tag, fields, bare } => {
            out.push_str(&tag.name);
            if !(*bare && fields.is_empty()) {
                write_fields(out, fields, vars);
            }
        }
        TermKind::Call(call) => write_call(out, call, vars),
        TermKind::New(call) => {
            out.push_str("new ");
            write_call(out, call, vars);
        }
        TermKind::Dot { receiver, member } => {
            write_operand(out, receiver, 9, vars);
            out.push('.');
            match member {
                Member::Field(name) if is_plain_symbol(&name.name) => out.push_str(&name.name),
                Member::Field(name) => {
                    out.push('(');
                    write_string(out, &name.name);
                    out.push(')');
                }
                Member::DynamicKey(var) => {
                    out.push('(');
                    vars(&var.name, out);
                    out.push(')');
                }
                Member::Method(call) => write_call(out, call, vars),
            }
        }
        TermKind::Binary { op, left, right } => {
            let p = binop_precedence(*op);
            // Arithmetic is left-associative; comparisons and unification do not chain, so
            // an operand of equal strength on their left needs parentheses too.
            let left_min = if p <= 5 { p + 1 } else { p };
            write_operand(out, left, left_min, vars);
            let _ = write!(out, " {} ", op.symbol());
            write_operand(out, right, p + 1, vars);
        }
        TermKind::Matches { value, pattern } => {
            write_operand(out, value, 8, vars);
            out.push_str(" matches ");
            write_operand(out, pattern, 9, vars);
        }
        TermKind::Not(inner) => {
            out.push_str("not ");
            write_operand(out, inner, 3, vars);
        }
        TermKind::And(terms) if terms.is_empty() => out.push_str("(true)"),
        TermKind::Or(terms) if terms.is_empty() => out.push_str("(false)"),
        TermKind::And(terms) => write_joined(out, terms, " and ", 2, vars),
        TermKind::Or(terms) => write_joined(out, terms, " or ", 1, vars),
        TermKind::ForAll { condition, action } => {
            out.push_str("forall(");
            write_term(out, condition, vars);
            out.push_str(", ");
            write_term(out, action, vars);
            out.push(')');
        }
        TermKind::Print(args) => {
            out.push_str("print(");
            write_joined(out, args, ", ", 2, vars);
            out.push(')');
        }
        TermKind::Debug(args) => {
            out.push_str("debug(");
            write_joined(out, args, ", ", 2, vars);
            out.push(')');
        }
        TermKind::Cut => out.push_str("cut"),
        TermKind::Rewritten { op, args } => {
            out.push_str(match op {
                RewrittenOp::Dot => ".",
                RewrittenOp::New => "new",
                RewrittenOp::In => "in",
            });
            out.push('(');
            write_joined(out, args, ", ", 2, vars);
            out.push(')');
        }
        TermKind::Error => out.push_str("<error>"),
    }
}
