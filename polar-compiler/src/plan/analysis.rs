//! Per-rule facts, computed over the plans and the rule graph. Each is a plain function of
//! the plans; the emitters read them instead of inspecting what they generated.

use std::collections::{BTreeSet, HashMap};

use super::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// In a recursive SCC of the rule graph (calls itself by name, directly or not; its
    /// compiled functions may still not recurse, see `guard`).
    pub recursive: bool,
    /// A call with arguments known only at run time can end in a run-time error: an
    /// operation of its own can raise, it calls a function that can, or it recurses (the
    /// depth limit). Functions that cannot return `bool`.
    pub may_raise: bool,
    /// Why it may raise: the first operation that can, or the call through which it can.
    pub raise_site: Option<(Span, String)>,
    /// The binding modes its callers use (`i` a bound argument, `o` one the call binds),
    /// the public entry points included.
    pub modes: BTreeSet<String>,
    /// One of its compiled functions is in a cycle of calls and needs the depth guard that
    /// makes cyclic data terminate.
    pub guard: bool,
    /// For each parameter, the literal every call site in the policy passes, if they agree
    /// (the public `rules::` functions still take any value).
    pub literal_args: Vec<Option<Lit>>,
}

impl Facts {
    pub const NONE: Facts = Facts {
        recursive: false,
        may_raise: false,
        raise_site: None,
        modes: BTreeSet::new(),
        guard: false,
        literal_args: Vec::new(),
    };

    /// Some caller makes it bind an argument.
    pub fn binds(&self) -> bool {
        self.modes.iter().any(|m| m.contains('o'))
    }
}

/// The literal state of one parameter over the call sites seen so far.
#[derive(Clone, PartialEq)]
enum Seen {
    Nothing,
    Literal(Lit),
    Varies,
}

pub(super) fn analyse(plans: &mut Plans, graph: &RuleGraph) {
    let keys: Vec<RuleKey> = plans.rules.keys().cloned().collect();
    let mut modes: HashMap<RuleKey, BTreeSet<String>> = HashMap::new();
    let mut literals: HashMap<RuleKey, Vec<Seen>> = HashMap::new();

    // The public entry points: every rule through `rules::`, `allow` with the action
    // unbound for `authorized_actions`, `allow_field` with the field unbound.
    for key in &keys {
        let entry = modes.entry(key.clone()).or_default();
        entry.insert("i".repeat(key.1));
        match (key.0.as_str(), key.1) {
            ("allow", 3) => {
                entry.insert("ioi".into());
            }
            ("allow_field", 4) => {
                entry.insert("iiio".into());
            }
            _ => {}
        }
        literals.insert(key.clone(), vec![Seen::Nothing; key.1]);
    }

    let mut note_calls = |goal: &Goal| {
        goal.visit(&mut |op| {
            let OpKind::Call { rule, args } = &op.kind else { return };
            let mode: String = args.iter().map(|a| if matches!(a, Arg::In(_)) { 'i' } else { 'o' }).collect();
            modes.entry(rule.clone()).or_default().insert(mode);
            if let Some(seen) = literals.get_mut(rule) {
                for (s, arg) in seen.iter_mut().zip(args) {
                    *s = match (&*s, arg) {
                        (Seen::Nothing, Arg::In(Operand::Lit(l))) => Seen::Literal(l.clone()),
                        (Seen::Literal(a), Arg::In(Operand::Lit(l))) if a == l => Seen::Literal(a.clone()),
                        _ => Seen::Varies,
                    };
                }
            }
        });
    };
    for rule in plans.rules.values() {
        for clause in &rule.clauses {
            clause.head.iter().for_each(&mut note_calls);
            note_calls(&clause.body);
        }
    }
    for query in &plans.queries {
        note_calls(&query.body);
    }
    // The entry points pass values only known at run time.
    for (name, arity) in [("allow", 3), ("allow_field", 4), ("allow_request", 2)] {
        if let Some(seen) = literals.get_mut(&(name.to_owned(), arity)) {
            seen.iter_mut().for_each(|s| *s = Seen::Varies);
        }
    }

    for (key, rule) in plans.rules.iter_mut() {
        // Raising and the guard are decided per compiled function (`functions.rs`): see
        // `with_functions`.
        rule.facts = Facts {
            recursive: graph.is_recursive(&key.0),
            may_raise: false,
            raise_site: None,
            modes: modes.remove(key).unwrap_or_default(),
            guard: false,
            literal_args: literals
                .remove(key)
                .unwrap_or_default()
                .into_iter()
                .map(|s| match s {
                    Seen::Literal(l) => Some(l),
                    _ => None,
                })
                .collect(),
        };
    }
}

/// The facts that come from the compiled functions: a rule may raise when its general
/// function may, and needs the guard when one of its functions does.
pub(super) fn with_functions(plans: &mut Plans) {
    for (key, rule) in plans.rules.iter_mut() {
        let general = plans.functions.get(&(key.clone(), vec![None; key.1]));
        rule.facts.may_raise = general.is_none_or(|f| f.may_raise);
        rule.facts.raise_site = general.and_then(|f| f.why.clone());
        rule.facts.guard = plans.functions.iter().any(|((k, _), f)| k == key && f.recursive);
    }
}
