//! Plans as readable text: `polarc plan` and the snapshots of `tests.rs`.
//!
//! One block per rule: its facts, then each clause with its slots, its parameter checks and
//! its body, one operation a line, nested goals indented. An operation that can raise ends
//! with `!`.

use std::fmt::Write;

use super::*;
use crate::source::SourceMap;

impl Plans {
    /// The plans as text; spans as `path:line:column` when `sources` is given.
    pub fn to_text(&self, sources: Option<&SourceMap>) -> String {
        let mut p = Printer { out: String::new(), sources, slots: &[] };
        for rule in self.rules.values() {
            p.rule(rule);
        }
        for (i, query) in self.queries.iter().enumerate() {
            let at = p.location(query.span);
            let _ = writeln!(p.out, "query {i} ({at})");
            p.slots = &query.slots;
            p.slot_list();
            p.goal(&query.body, 2);
            p.out.push('\n');
        }
        // The functions ground calls reach, by rule and constant arguments.
        let mut functions: Vec<(&FnKey, &FnFacts)> = self.functions.iter().collect();
        functions.sort_by(|a, b| a.0.cmp(b.0));
        p.out.push_str("functions\n");
        for ((rule, consts), facts) in functions {
            let what = match (&facts.why, facts.recursive) {
                (_, true) => "recursive (depth guard), may raise".to_owned(),
                (Some((span, why)), false) => format!("may raise: {why} ({})", p.location(*span)),
                (None, _) => "bool".to_owned(),
            };
            let _ = writeln!(p.out, "  {}: {what}", functions::describe(rule, consts));
        }
        p.out
    }
}

struct Printer<'a> {
    out: String,
    sources: Option<&'a SourceMap>,
    slots: &'a [Slot],
}

impl<'a> Printer<'a> {
    fn location(&self, span: Span) -> String {
        match self.sources {
            Some(sources) => sources.location(span),
            None => format!("{}..{}", span.start, span.end),
        }
    }

    fn rule(&mut self, rule: &'a RulePlan) {
        let f = &rule.facts;
        let _ = writeln!(self.out, "rule {}/{}", rule.key.0, rule.key.1);
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let raises = match &f.raise_site {
            Some((span, why)) => format!("yes, {why} ({})", self.location(*span)),
            None => "no".into(),
        };
        let modes: Vec<&str> = f.modes.iter().map(String::as_str).collect();
        let literals: Vec<String> =
            f.literal_args.iter().map(|l| l.as_ref().map_or("_".into(), lit)).collect();
        let _ = writeln!(self.out, "  recursive: {}; depth guard: {}", yes_no(f.recursive), yes_no(f.guard));
        let _ = writeln!(self.out, "  may raise: {raises}");
        let _ =
            writeln!(self.out, "  modes: {}; literal arguments: ({})", modes.join(", "), literals.join(", "));
        for (i, clause) in rule.clauses.iter().enumerate() {
            let at = self.location(clause.span);
            let _ = writeln!(self.out, "  clause {i} ({at})");
            self.slots = &clause.slots;
            self.slot_list();
            for goal in &clause.head {
                self.goal(goal, 4);
            }
            let _ = writeln!(self.out, "    --");
            self.goal(&clause.body, 4);
        }
        self.out.push('\n');
    }

    fn slot_list(&mut self) {
        let slots: Vec<String> = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let ty = match &s.ty {
                    Ty::Dynamic => "dyn".to_owned(),
                    Ty::Typed(None) => "typed".to_owned(),
                    Ty::Typed(Some(class)) => class.clone(),
                };
                format!("{}: {ty}", self.slot_name(SlotId(i as u32)))
            })
            .collect();
        let _ = writeln!(self.out, "    slots: {}", slots.join(", "));
    }

    /// A slot's name; a narrowed variable is `x'` (its second slot), `x''`, ...
    fn slot_name(&self, slot: SlotId) -> String {
        let name = &self.slots[slot.0 as usize].name;
        let earlier = self.slots[..slot.0 as usize].iter().filter(|s| &s.name == name).count();
        format!("{name}{}", "'".repeat(earlier))
    }

    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{:indent$}{text}", "");
    }

    fn goal(&mut self, goal: &Goal, indent: usize) {
        match goal {
            Goal::And(goals) if goals.is_empty() => self.line(indent, "true"),
            Goal::And(goals) => goals.iter().for_each(|g| self.goal(g, indent)),
            Goal::Or(branches) => {
                self.line(indent, "choice");
                for (i, branch) in branches.iter().enumerate() {
                    self.line(indent + 2, &format!("branch {i}"));
                    self.goal(branch, indent + 4);
                }
                self.line(indent, "join");
            }
            Goal::Not(inner) => {
                self.line(indent, "not");
                self.goal(inner, indent + 2);
            }
            Goal::Forall(c, a) => {
                self.line(indent, "forall");
                self.goal(c, indent + 2);
                self.line(indent, "holds");
                self.goal(a, indent + 2);
            }
            Goal::Cut => self.line(indent, "cut"),
            Goal::True => self.line(indent, "true"),
            Goal::Fail => self.line(indent, "fail"),
            Goal::Op(op) => {
                let mut text = self.op(&op.kind);
                if let Raise::Yes(_) = op.raises {
                    text.push_str("  !");
                }
                self.line(indent, &text);
            }
        }
    }

    fn op(&self, kind: &OpKind) -> String {
        let s = |slot: &SlotId| self.slot_name(*slot);
        match kind {
            OpKind::Bind { dst, value } => format!("bind {} = {}", s(dst), self.operand(value)),
            OpKind::Unify { left, right } => format!("test {} = {}", self.operand(left), self.operand(right)),
            OpKind::Compare { op, left, right } => {
                format!("test {} {} {}", self.operand(left), op.symbol(), self.operand(right))
            }
            OpKind::Truthy(v) => format!("test {}", self.operand(v)),
            OpKind::Match { value, pattern, narrowed } => {
                let narrowed = narrowed.map(|n| format!(" as {}", s(&n))).unwrap_or_default();
                format!("match {} : {}{narrowed}", self.operand(value), self.pattern(pattern))
            }
            OpKind::Lookup { dst, object, field } => {
                format!("lookup {} = {}.{field}", s(dst), self.operand(object))
            }
            OpKind::Method { dst, receiver, name, args } => {
                let args: Vec<String> = args.iter().map(|a| self.operand(a)).collect();
                format!("call-method {} = {}.{name}({})", s(dst), self.operand(receiver), args.join(", "))
            }
            OpKind::Arith { dst, op, left, right } => {
                format!("compute {} = {} {} {}", s(dst), self.operand(left), op.symbol(), self.operand(right))
            }
            OpKind::Iterate { item, collection } => {
                format!("iterate {} in {}", self.pattern(item), self.operand(collection))
            }
            OpKind::Call { rule, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::In(o) => self.operand(o),
                        Arg::Out(Some(slot)) => format!("out {}", s(slot)),
                        Arg::Out(None) => "out _".into(),
                    })
                    .collect();
                format!("call {}({})", rule.0, args.join(", "))
            }
            OpKind::Print(args) => {
                let args: Vec<String> = args.iter().map(|a| self.operand(a)).collect();
                format!("print({})", args.join(", "))
            }
            OpKind::Unsupported(what) => format!("unsupported: {what}"),
        }
    }

    fn operand(&self, operand: &Operand) -> String {
        match operand {
            Operand::Slot(slot) => self.slot_name(*slot),
            Operand::Lit(l) => lit(l),
            Operand::Nil => "nil".into(),
            Operand::Field(object, field) => format!("{}.{field}", self.operand(object)),
            Operand::List(elements, rest) => {
                let mut parts: Vec<String> = elements.iter().map(|e| self.operand(e)).collect();
                if let Some(rest) = rest {
                    parts.push(format!("*{}", self.slot_name(*rest)));
                }
                format!("[{}]", parts.join(", "))
            }
            Operand::Dict(fields) => {
                let parts: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{k}: {}", self.operand(v))).collect();
                format!("{{{}}}", parts.join(", "))
            }
            Operand::Unsupported(what) => format!("<{what}>"),
        }
    }

    fn pattern(&self, pattern: &Pattern) -> String {
        let fields = |fields: &[(String, Pattern)]| {
            let parts: Vec<String> =
                fields.iter().map(|(k, p)| format!("{k}: {}", self.pattern(p))).collect();
            format!("{{{}}}", parts.join(", "))
        };
        match pattern {
            Pattern::Any => "_".into(),
            Pattern::Bind(slot) => format!("bind {}", self.slot_name(*slot)),
            Pattern::Value(o) => format!("= {}", self.operand(o)),
            Pattern::Lit(l) => lit(l),
            Pattern::Class { name, fields: f } | Pattern::Builtin { name, fields: f } if f.is_empty() => {
                name.clone()
            }
            Pattern::Class { name, fields: f } | Pattern::Builtin { name, fields: f } => {
                format!("{name}{}", fields(f))
            }
            Pattern::Union(name) => name.clone(),
            Pattern::Dict(f) => fields(f),
            Pattern::List { elements, rest } => {
                let mut parts: Vec<String> = elements.iter().map(|p| self.pattern(p)).collect();
                if let Some(rest) = rest {
                    parts.push(format!("*{}", self.pattern(rest)));
                }
                format!("[{}]", parts.join(", "))
            }
        }
    }
}

fn lit(l: &Lit) -> String {
    match l {
        Lit::Str(s) => format!("{s:?}"),
        Lit::Int(i) => i.to_string(),
        Lit::Float(f) => format!("{f:?}"),
        Lit::Bool(b) => b.to_string(),
    }
}
