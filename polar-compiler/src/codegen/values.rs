//! Terms in value position: literals, bound variables, field lookups.

use quote::quote;

use super::*;
use crate::ast::{Member, Term, TermKind};
use crate::diagnostic::Diagnostic;

impl<'p> Gen<'p> {
    /// A term in value position.
    pub(super) fn value(&mut self, term: &Term, scope: &str, env: &Env) -> Option<Val> {
        let lit = |expr: TokenStream, l: Literal| Some(Val { expr, generic: false, literal: Some(l) });
        match &term.kind {
            TermKind::String(s) => lit(quote! { #s }, Literal::Str(s.clone())),
            TermKind::Integer(i) => lit(quote! { &#i }, Literal::Int(*i)),
            TermKind::Float(f) if f.is_finite() => lit(quote! { &#f }, Literal::Float(*f)),
            TermKind::Boolean(b) => lit(quote! { &#b }, Literal::Bool(*b)),
            TermKind::Variable(v) => match env.get(&format!("{scope}/{v}")) {
                Some(val) => Some(val.clone()),
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            codes::UNBOUND,
                            term.span,
                            format!("`{v}` is used before anything binds it"),
                        )
                        .with_note("Oso would stop with an error here; bind the variable first"),
                    );
                    None
                }
            },
            TermKind::Dot { receiver, member: Member::Field(name) } => {
                let recv = self.value(receiver, scope, env)?;
                if recv.generic {
                    self.refuse(
                        term.span,
                        "a field lookup on a parameter without a class specializer (add one, e.g. `x: User`)",
                    );
                    return None;
                }
                let r = &recv.expr;
                Some(Val { expr: self.field_get(term.span, &name.name, r), generic: false, literal: None })
            }
            _ => {
                self.refuse(term.span, describe(term));
                None
            }
        }
    }
}
