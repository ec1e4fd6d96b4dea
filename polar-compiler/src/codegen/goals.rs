//! Goals of a rule body: conjunction, `or`, `not`, unification, comparisons, `in`,
//! `matches`. Each takes the continuation `k` that generates the rest of the conjunction.

use proc_macro2::TokenStream;
use quote::quote;

use super::values::{float_expr, has_hoistable, is_structure, literal_array};
use super::*;
use crate::ast::{BinOp, Field, Term, TermKind};

/// Whether generated code can raise a run-time error (it propagates one with `?`: a rule
/// call, arithmetic, a dynamic check).
fn may_raise(code: &TokenStream) -> bool {
    code.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Punct(p) => p.as_char() == '?',
        proc_macro2::TokenTree::Group(g) => may_raise(&g.stream()),
        _ => false,
    })
}

/// Whether generated code leaves an enclosing call's block (`break 'callN`: a `cut`), which
/// takes the first solution of the goals before it.
fn leaves_a_call(code: &TokenStream) -> bool {
    let mut tokens = code.clone().into_iter().peekable();
    while let Some(t) = tokens.next() {
        match t {
            proc_macro2::TokenTree::Ident(i) if i == "break" => {
                // A label is a `'` punct followed by its name.
                if let Some(proc_macro2::TokenTree::Punct(p)) = tokens.peek()
                    && p.as_char() == '\''
                {
                    tokens.next();
                    if let Some(proc_macro2::TokenTree::Ident(name)) = tokens.peek()
                        && name.to_string().starts_with("call")
                    {
                        return true;
                    }
                }
            }
            proc_macro2::TokenTree::Group(g) if leaves_a_call(&g.stream()) => return true,
            _ => {}
        }
    }
    false
}

impl<'p> Gen<'p> {
    /// `if a = b` for two bound values.
    pub(super) fn unify_test(&mut self, span: Span, a: &Val, b: &Val) -> TokenStream {
        let (x, y) = (&a.expr, &b.expr);
        if a.generic || b.generic {
            self.calls.raise_here();
            quote! { ::polar_runtime::support::unify_views(::polar_runtime::Polar::view(#x), ::polar_runtime::Polar::view(#y))? }
        } else {
            self.comparison(span, BinOp::Unify, x, y)
        }
    }

    /// Runs the goals in order, then `k`.
    pub(super) fn conj(&mut self, goals: &[Term], scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match goals.split_first() {
            None => k(self, env),
            Some((first, rest)) => {
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, env: &Env| g.conj(rest, &scope_owned, env, k);
                self.goal(first, scope, env, &mut next)
            }
        }
    }

    pub(super) fn goal(&mut self, term: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match &term.kind {
            TermKind::And(goals) => self.conj(goals, scope, env, k),
            TermKind::Or(branches) => {
                let mut code = TokenStream::new();
                for branch in branches {
                    code.extend(self.goal(branch, scope, env, &mut *k));
                }
                code
            }
            TermKind::Not(inner) => self.not(inner, scope, env, k),
            TermKind::ForAll { condition, action } => self.forall(condition, action, scope, env, k),
            TermKind::Boolean(true) => k(self, env),
            TermKind::Boolean(false) => quote! {},
            TermKind::Debug(_) => self.refuse(
                term.span,
                "`debug()`: it stops Oso's VM in its interactive debugger, which has no compiled equivalent",
            ),
            _ => self.hoisted_goal(term, scope, env, false, k),
        }
    }

    /// A goal other than `and`/`or`/`not`/`forall`, after the sub-terms Oso hoists out of it
    /// are computed. `in_forall`: the goal is `forall`'s condition or action itself.
    fn hoisted_goal(
        &mut self,
        term: &Term,
        scope: &str,
        env: &Env,
        in_forall: bool,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        if !has_hoistable(term) {
            return self.simple_goal(term, scope, env, k);
        }
        let (steps, rewritten) = self.hoist_steps(term);
        if let Some(reason) = Self::appended_hoisting_refusal(&rewritten, &steps, in_forall) {
            return self.refuse(term.span, reason);
        }
        let scope_owned = scope.to_owned();
        // `forall(x in a.field, ..)`: Oso rewrites the condition to `x in _value and a.field =
        // _value`, and the constraint `x in _value` then unifies each element with every
        // element: one that does not unify with itself (NaN) is skipped, and two distinct
        // instances without an equality check are an error (`support::ForallMember`). A list
        // literal on the left (`[k, v] in a.field`) binds every part of the element it
        // matches, so the same holds for the whole element (for a dictionary's entries, see
        // `support::ForallPairs`).
        let forall_member = in_forall
            && matches!(&rewritten.kind, TermKind::Binary { op: BinOp::In, left, right }
                if (is_unbound(left, scope, env) || matches!(left.kind, TermKind::List { rest: None, .. }))
                    && !matches!(right.kind, TermKind::List { .. } | TermKind::Dict(_)));
        let mut then = |g: &mut Gen<'p>, goal: &Term, env: &Env| {
            g.forall_member = forall_member;
            g.simple_goal(goal, &scope_owned, env, &mut *k)
        };
        self.run_steps(&steps, &rewritten, scope, env, &mut then)
    }

    /// `not goal`. Oso runs the goal to completion (its `Inverter` enumerates every
    /// solution), so an error in a later alternative aborts the query even after a solution
    /// was found. When the goal's code can raise an error, the search goes on after a solution,
    /// in the rules it calls too (`Cx::exhaustive`); otherwise the first solution ends it.
    fn not(&mut self, inner: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        if self.refuses_not(&[inner], scope, env) {
            return quote! {};
        }
        let found = self.fresh("found");
        let label = syn_label(&format!("not{}", self.fresh));
        let (found2, label2) = (found.clone(), label.clone());
        let mut record = move |g: &mut Gen<'p>, _: &Env| {
            let stop = g.stop_unless_exhaustive(&label2);
            quote! { #found2 = true; #stop }
        };
        // Success inside is a `break`: see `recursion.rs`.
        self.modes.label_success += 1;
        let inner_code = self.goal(inner, scope, env, &mut record);
        self.modes.label_success -= 1;
        let exhaustive = may_raise(&inner_code).then(|| quote! { let _exhaustive = cx.exhaustive(); });
        let rest = k(self, env);
        quote! {
            {
                let mut #found = false;
                #label: { #exhaustive #inner_code }
                if !#found { #rest }
            }
        }
    }

    /// `forall(condition, action)`: Oso runs `not (condition and not action)`, so no binding
    /// escapes, and both goals are enumerated to completion when they can raise an error
    /// (see [`Gen::not`]). The condition and action, when not conjunctions, get Oso's
    /// hoisting order for `forall` (see `values::appended_hoisting_refusal`).
    fn forall(
        &mut self,
        condition: &Term,
        action: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        if self.refuses_not(&[condition, action], scope, env) {
            return quote! {};
        }
        let counterexample = self.fresh("counterexample");
        let label = syn_label(&format!("forall{}", self.fresh));
        let scope_owned = scope.to_owned();
        let (found, outer) = (counterexample.clone(), label.clone());
        let mut check_action = |g: &mut Gen<'p>, env: &Env| {
            let holds = g.fresh("holds");
            let label = syn_label(&format!("holds{}", g.fresh));
            let (holds2, label2) = (holds.clone(), label.clone());
            let mut record = move |g: &mut Gen<'p>, _: &Env| {
                let stop = g.stop_unless_exhaustive(&label2);
                quote! { #holds2 = true; #stop }
            };
            let action_code = g.forall_part(action, &scope_owned, env, &mut record);
            let stop = g.stop_unless_exhaustive(&outer);
            quote! {
                let mut #holds = false;
                #label: { #action_code }
                if !#holds { #found = true; #stop }
            }
        };
        self.modes.label_success += 1;
        let condition_code = self.forall_part(condition, scope, env, &mut check_action);
        self.modes.label_success -= 1;
        let exhaustive = may_raise(&condition_code).then(|| quote! { let _exhaustive = cx.exhaustive(); });
        let rest = k(self, env);
        quote! {
            {
                let mut #counterexample = false;
                #label: { #exhaustive #condition_code }
                if !#counterexample { #rest }
            }
        }
    }

    fn forall_part(&mut self, term: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match &term.kind {
            TermKind::And(_)
            | TermKind::Or(_)
            | TermKind::Not(_)
            | TermKind::ForAll { .. }
            | TermKind::Boolean(_)
            | TermKind::Debug(_) => self.goal(term, scope, env, k),
            _ => self.hoisted_goal(term, scope, env, true, k),
        }
    }

    /// A goal whose operands are values: no lookup, method call or arithmetic left in it.
    fn simple_goal(&mut self, term: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match &term.kind {
            TermKind::Call(call) => {
                if call.kwargs.is_some() {
                    return self.refuse(term.span, "keyword arguments (Oso rejects them at run time)");
                }
                self.call(term, &call.name.name, &call.args, scope, env, k)
            }
            TermKind::Binary { op: BinOp::Unify, left, right } => {
                self.unify(term, left, right, scope, env, k)
            }
            TermKind::Binary { op: BinOp::Assign, left, right } => {
                // `x := v` needs `x` unbound (else Oso errors): bind it.
                match left.as_variable() {
                    Some(v) if !env.contains_key(&format!("{scope}/{v}")) => {
                        self.unify(term, left, right, scope, env, k)
                    }
                    _ => self.refuse(term.span, "`:=` on a bound variable (an error in Oso)"),
                }
            }
            TermKind::Binary { op: BinOp::In, left, right } => self.member(term, left, right, scope, env, k),
            TermKind::Binary { op, left, right }
                if matches!(op, BinOp::Eq | BinOp::Neq | BinOp::Lt | BinOp::Leq | BinOp::Gt | BinOp::Geq) =>
            {
                if is_structure(left) || is_structure(right) {
                    return self.refuse(
                        term.span,
                        format!("`{}` on a list or dictionary literal (an error in Oso)", op.symbol()),
                    );
                }
                let (Some(l), Some(r)) = (self.value(left, scope, env), self.value(right, scope, env)) else {
                    return quote! {};
                };
                if l.generic || r.generic {
                    return self.refuse(term.span, "comparing a parameter that has no class specializer");
                }
                let test = self.comparison(term.span, *op, &l.expr, &r.expr);
                let rest = k(self, env);
                quote! { if #test { #rest } }
            }
            TermKind::Matches { value, pattern } => self.matches(term, value, pattern, scope, env, k),
            TermKind::Dot { .. } | TermKind::Variable(_) => {
                // A value used as a condition: Oso queries it (true succeeds, false fails,
                // anything else is an error).
                let Some(v) = self.value(term, scope, env) else { return quote! {} };
                if v.generic {
                    return self.refuse(term.span, "a parameter without a specializer used as a condition");
                }
                let e = &v.expr;
                self.calls.raise_here();
                let rest = k(self, env);
                quote! { if ::polar_runtime::support::truthy(#e)? { #rest } }
            }
            TermKind::Print(args) => self.print(args, scope, env, k),
            TermKind::New(_) => {
                self.refuse_new(term.span);
                quote! {}
            }
            _ => self.refuse(term.span, describe(term)),
        }
    }

    /// `print(a, b)`: writes the values to stderr, separated by `, ` as Oso does (an unbound
    /// variable prints as its name), and always succeeds. A failed write is ignored.
    fn print(&mut self, args: &[Term], scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        let mut format = String::new();
        let mut values = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                format.push_str(", ");
            }
            if let Some(v) = arg.as_variable().filter(|_| is_unbound(arg, scope, env)) {
                format.push_str(&v.replace('{', "{{").replace('}', "}}"));
                continue;
            }
            let Some(val) = self.value(arg, scope, env) else { return quote! {} };
            let e = &val.expr;
            format.push_str("{}");
            values.push(quote! { ::polar_runtime::support::Show(::polar_runtime::Polar::view(#e)) });
        }
        format.push('\n');
        let rest = k(self, env);
        quote! {
            let _ = ::std::io::Write::write_fmt(&mut ::std::io::stderr(), ::core::format_args!(#format, #(#values),*));
            #rest
        }
    }

    /// `a = b`: binds an unbound side, tests two bound ones, and matches list and dictionary
    /// literals element by element (Oso's `unify`).
    pub(super) fn unify(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        if let Some(code) = self.unify_list_pattern(term, left, right, scope, env, &mut *k) {
            return code;
        }
        if is_structure(left) || is_structure(right) {
            return self.unify_structure(term, left, right, scope, env, k);
        }
        let unbound = |t: &Term| is_unbound(t, scope, env);
        match (unbound(left), unbound(right)) {
            (true, true) => self.refuse(term.span, "unifying two unbound variables"),
            (true, false) | (false, true) => {
                let (var, value) = if unbound(left) { (left, right) } else { (right, left) };
                let Some(val) = self.value(value, scope, env) else { return quote! {} };
                self.bind(var, val, scope, env, k)
            }
            (false, false) => {
                let (Some(l), Some(r)) = (self.value(left, scope, env), self.value(right, scope, env)) else {
                    return quote! {};
                };
                let test = self.unify_test(term.span, &l, &r);
                let rest = k(self, env);
                quote! { if #test { #rest } }
            }
        }
    }

    /// Binds the unbound variable `var` (`_` binds nothing) to `val`, then runs `k`.
    fn bind(&mut self, var: &Term, val: Val, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        let name = var.as_variable().unwrap_or("_");
        if name == "_" {
            return k(self, env);
        }
        let ident = self.fresh(name);
        let expr = &val.expr;
        let mut env = env.clone();
        env.insert(format!("{scope}/{name}"), Val { expr: quote! { #ident }, ..val.clone() });
        let rest = k(self, &env);
        quote! { { let #ident = #expr; #rest } }
    }

    /// `a = b` where at least one side is a list or dictionary literal.
    fn unify_structure(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let rest_var = |t: &Term| matches!(&t.kind, TermKind::List { rest: Some(_), .. });
        if rest_var(left) || rest_var(right) {
            return self.refuse(term.span, "rest variables `*rest` in list literals");
        }
        let (structure, other) = if is_structure(left) { (left, right) } else { (right, left) };
        match (&structure.kind, &other.kind) {
            (TermKind::List { elements: a, .. }, TermKind::List { elements: b, .. }) => {
                if a.len() != b.len() {
                    return quote! {};
                }
                let pairs: Vec<(&Term, &Term)> = a.iter().zip(b).collect();
                self.unify_pairs(term, &pairs, scope, env, k)
            }
            (TermKind::Dict(a), TermKind::Dict(b)) => {
                let mut a: Vec<&Field> = a.iter().collect();
                let mut b: Vec<&Field> = b.iter().collect();
                a.sort_by(|x, y| x.key.name.cmp(&y.key.name));
                b.sort_by(|x, y| x.key.name.cmp(&y.key.name));
                if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| x.key.name != y.key.name) {
                    return quote! {};
                }
                let pairs: Vec<(&Term, &Term)> =
                    a.iter().zip(&b).map(|(x, y)| (&x.value, &y.value)).collect();
                self.unify_pairs(term, &pairs, scope, env, k)
            }
            // A list never unifies with a dictionary or a literal of another kind.
            (_, TermKind::List { .. } | TermKind::Dict(_))
            | (_, TermKind::String(_) | TermKind::Integer(_) | TermKind::Float(_) | TermKind::Boolean(_)) => {
                quote! {}
            }
            _ if is_unbound(other, scope, env) => match &structure.kind {
                TermKind::List { .. } => {
                    let Some(val) = self.value(structure, scope, env) else { return quote! {} };
                    self.bind(other, val, scope, env, k)
                }
                _ => self.refuse(term.span, "binding a variable to a dictionary literal"),
            },
            _ => {
                let Some(val) = self.value(other, scope, env) else { return quote! {} };
                if val.generic {
                    return self.refuse(
                        term.span,
                        "unifying a list or dictionary literal with a parameter without a specializer",
                    );
                }
                self.unify_val(term, &val, structure, scope, env, k)
            }
        }
    }

    fn unify_pairs(
        &mut self,
        term: &Term,
        pairs: &[(&Term, &Term)],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        match pairs.split_first() {
            None => k(self, env),
            Some(((a, b), rest)) => {
                let scope_owned = scope.to_owned();
                let mut next =
                    |g: &mut Gen<'p>, env: &Env| g.unify_pairs(term, rest, &scope_owned, env, &mut *k);
                self.unify(term, a, b, scope, env, &mut next)
            }
        }
    }

    /// `val = t` for a bound Rust value `val` and any term `t`: binds an unbound variable,
    /// matches a list literal against a list element by element and a dictionary literal
    /// against a map key by key, and tests anything else with `Unify`.
    fn unify_val(
        &mut self,
        term: &Term,
        val: &Val,
        t: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let v = &val.expr;
        match &t.kind {
            _ if is_unbound(t, scope, env) => self.bind(t, val.clone(), scope, env, k),
            TermKind::List { rest: Some(_), .. } => {
                self.refuse(t.span, "rest variables `*rest` in list literals")
            }
            TermKind::List { elements, .. } => {
                let it = self.fresh("elements");
                let elements: Vec<Term> = elements.clone();
                let code = self.list_elements(term, &it, &elements, scope, env, k);
                quote! { { let mut #it = ::polar_runtime::support::list_members(#v); #code } }
            }
            TermKind::Dict(fields) => {
                let mut fields: Vec<Field> = fields.clone();
                fields.sort_by(|x, y| x.key.name.cmp(&y.key.name));
                let n = fields.len();
                let code = self.dict_entries(term, val, &fields, scope, env, k);
                quote! { if ::polar_runtime::support::dict_len(#v) == #n { #code } }
            }
            _ => {
                let Some(other) = self.value(t, scope, env) else { return quote! {} };
                let test = self.unify_test(t.span, val, &other);
                let rest = k(self, env);
                quote! { if #test { #rest } }
            }
        }
    }

    fn list_elements(
        &mut self,
        term: &Term,
        it: &Ident,
        elements: &[Term],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        match elements.split_first() {
            None => {
                let rest = k(self, env);
                quote! { if #it.next().is_none() { #rest } }
            }
            Some((first, others)) => {
                let e = self.fresh("e");
                let val =
                    Val { expr: quote! { ::polar_runtime::Bare::bare(#e) }, generic: false, literal: None };
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, env: &Env| {
                    g.list_elements(term, it, others, &scope_owned, env, &mut *k)
                };
                let code = self.unify_val(term, &val, first, scope, env, &mut next);
                quote! { if let ::core::option::Option::Some(#e) = #it.next() { #code } }
            }
        }
    }

    fn dict_entries(
        &mut self,
        term: &Term,
        dict: &Val,
        fields: &[Field],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        match fields.split_first() {
            None => k(self, env),
            Some((field, others)) => {
                let e = self.fresh(&field.key.name);
                let val =
                    Val { expr: quote! { ::polar_runtime::Bare::bare(#e) }, generic: false, literal: None };
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, env: &Env| {
                    g.dict_entries(term, dict, others, &scope_owned, env, &mut *k)
                };
                let code = self.unify_val(term, &val, &field.value, scope, env, &mut next);
                let (d, key) = (&dict.expr, &field.key.name);
                quote! {
                    if let ::core::option::Option::Some(#e) = ::polar_runtime::support::dict_get(#d, #key) { #code }
                }
            }
        }
    }

    /// `x in collection`: binds or tests `x` against each element. A list literal is not
    /// built: each element is tried in turn (Oso's alternatives), or all at once when `x` is
    /// bound and the elements are literals. `[k, v] in collection` iterates a map's entries
    /// (see [`Gen::member_pairs`]).
    pub(super) fn member(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let forall_member = std::mem::take(&mut self.forall_member);
        match &right.kind {
            TermKind::List { rest: Some(_), .. } => {
                return self.refuse(right.span, "rest variables `*rest` in list literals");
            }
            TermKind::List { elements, .. } => {
                return self.member_of_literal(term, left, elements, scope, env, k);
            }
            TermKind::Dict(fields) => return self.member_of_dict_literal(term, left, fields, scope, env, k),
            _ => {}
        }
        let Some(collection) = self.value(right, scope, env) else { return quote! {} };
        if collection.generic {
            return self.refuse(right.span, "`in` over a parameter without a specializer");
        }
        if let TermKind::List { elements, rest: None } = &left.kind
            && let [key, value] = elements.as_slice()
        {
            return self.member_pairs(term, key, value, &collection, forall_member, scope, env, k);
        }
        let c = &collection.expr;
        let item = self.fresh("item");
        let item_val =
            Val { expr: quote! { ::polar_runtime::Bare::bare(#item) }, generic: false, literal: None };
        let body = self.unify_val(term, &item_val, left, scope, env, k);
        if forall_member {
            return quote! {
                for #item in ::polar_runtime::Members::members(#c) {
                    if ::polar_runtime::support::forall_member(::polar_runtime::Bare::bare(#item)) { #body }
                }
            };
        }
        quote! {
            for #item in ::polar_runtime::Members::members(#c) { #body }
        }
    }

    /// `[key, value] in collection` (a two-element list literal on the left, without rest): the
    /// runtime's `Pairs` yields a map's entries and the two-element lists of a collection of
    /// lists, so that the same code type-checks for both (Oso's `in_op_helper` turns a
    /// dictionary into `[key, value]` lists). `key` and `value` are then unified with each
    /// pair in turn, as Oso unifies the two lists element by element.
    ///
    /// Oso iterates a dictionary in key order, a `HashMap` iterates in its own: the order of
    /// solutions matters only when the first one is taken and another could have raised an
    /// error first (the rest of the conjunction can raise) or a `cut` follows. The pairs come
    /// in key order there (`Pairs::pairs_in_key_order`, which walks a `HashMap` without
    /// allocating), in the map's own order elsewhere.
    #[allow(clippy::too_many_arguments)]
    fn member_pairs(
        &mut self,
        term: &Term,
        key: &Term,
        value: &Term,
        collection: &Val,
        forall_member: bool,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let c = &collection.expr;
        let (key_item, value_item) = (self.fresh("key"), self.fresh("value"));
        let bare = |item: &Ident| Val {
            expr: quote! { ::polar_runtime::Bare::bare(#item) },
            generic: false,
            literal: None,
        };
        let (key_val, value_val) = (bare(&key_item), bare(&value_item));
        let scope_owned = scope.to_owned();
        let mut then_value =
            |g: &mut Gen<'p>, env: &Env| g.unify_val(term, &value_val, value, &scope_owned, env, &mut *k);
        let body = self.unify_val(term, &key_val, key, scope, env, &mut then_value);
        let pairs = if may_raise(&body) || leaves_a_call(&body) {
            quote! { ::polar_runtime::Pairs::pairs_in_key_order(#c) }
        } else {
            quote! { ::polar_runtime::Pairs::pairs(#c) }
        };
        if forall_member {
            return quote! {
                for (#key_item, #value_item) in #pairs {
                    if ::polar_runtime::support::forall_pair(#c, #key_item, #value_item) { #body }
                }
            };
        }
        quote! {
            for (#key_item, #value_item) in #pairs { #body }
        }
    }

    /// `x in {a: 1, b: y}`: Oso's alternatives `x = ["a", 1]`, `x = ["b", y]`, in key order
    /// (a Polar dictionary is sorted by key).
    fn member_of_dict_literal(
        &mut self,
        term: &Term,
        left: &Term,
        fields: &[Field],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let mut fields: Vec<&Field> = fields.iter().collect();
        fields.sort_by(|x, y| x.key.name.cmp(&y.key.name));
        let mut code = TokenStream::new();
        for field in fields {
            let key = Term { kind: TermKind::String(field.key.name.clone()), span: field.key.span };
            code.extend(match &left.kind {
                // Element by element, as Oso unifies two lists.
                TermKind::List { elements, rest: None } if elements.len() == 2 => self.unify_pairs(
                    term,
                    &[(&elements[0], &key), (&elements[1], &field.value)],
                    scope,
                    env,
                    k,
                ),
                _ => {
                    let span = field.key.span.to(field.value.span);
                    let elements = vec![key, field.value.clone()];
                    let pair = Term { kind: TermKind::List { elements, rest: None }, span };
                    self.unify(term, left, &pair, scope, env, k)
                }
            });
        }
        code
    }

    fn member_of_literal(
        &mut self,
        term: &Term,
        left: &Term,
        elements: &[Term],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let literals: Option<Vec<Literal>> = elements.iter().map(literal).collect();
        if let Some(literals) = literals.filter(|l| !l.is_empty()) {
            if !is_unbound(left, scope, env) && !is_structure(left) {
                // One test of all the elements: the rest of the conjunction runs once.
                let Some(x) = self.value(left, scope, env) else { return quote! {} };
                let e = &x.expr;
                let tests = literals.iter().map(|l| match l {
                    Literal::Str(s) => quote! { ::polar_runtime::support::is_str(#e, #s) },
                    Literal::Int(i) => quote! { ::polar_runtime::support::is_int(#e, #i) },
                    Literal::Bool(b) => quote! { ::polar_runtime::support::is_bool(#e, #b) },
                    Literal::Float(f) => {
                        let f = float_expr(*f);
                        quote! { ::polar_runtime::support::is_float(#e, #f) }
                    }
                });
                let rest = k(self, env);
                return quote! { if #(#tests)||* { #rest } };
            }
            if is_unbound(left, scope, env) {
                // Elements of one type: a loop over an array, the rest of the conjunction once.
                if let Some(a) = literal_array(elements) {
                    let item = self.fresh("item");
                    let val = Val {
                        expr: quote! { ::polar_runtime::Bare::bare(#item) },
                        generic: false,
                        literal: None,
                    };
                    let body = self.bind(left, val, scope, env, k);
                    return quote! { for #item in #a { #body } };
                }
            }
        }
        // Each element in turn, as Oso's alternatives `x = e1`, `x = e2`, ...
        let mut code = TokenStream::new();
        for element in elements {
            code.extend(self.unify(term, left, element, scope, env, &mut *k));
        }
        code
    }

    pub(super) fn matches(
        &mut self,
        term: &Term,
        value: &Term,
        pattern: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let _ = term;
        let Some(val) = self.value(value, scope, env) else { return quote! {} };
        let label = syn_label(&format!("matches{}", self.fresh + 1));
        self.fresh += 1;
        let mut code = TokenStream::new();
        let mut env = env.clone();
        let Some(typed) = self.pattern(&val, pattern, scope, &mut env, &label, &mut code) else {
            return quote! {};
        };
        // `x matches User` also tells the rest of the body that `x` is a `User`.
        if let Some(v) = value.as_variable() {
            env.insert(format!("{scope}/{v}"), typed);
        }
        let rest = k(self, &env);
        quote! { #label: { #code #rest } }
    }
}
