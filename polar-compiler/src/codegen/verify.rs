//! What the generated rule functions turned out to do, recorded while they are generated and
//! checked against the facts they were generated with (`plan::functions`).
//!
//! A function the plan says cannot raise returns `bool` and takes no context; one it says is
//! not recursive has no depth guard. Both are decided before the code exists, from the plan;
//! this module makes sure the code agrees. Each rule function records the functions it calls
//! and whether it emitted an operation that can raise. After generation:
//!
//! - a `bool` function that emitted such an operation is wrong;
//! - a cycle of calls among functions without the guard would not terminate on cyclic data.
//!
//! Either makes those functions (`Result` and the context; the guard for a cycle), and every
//! function that calls them (`Result`), take corrected facts in another round of generation. Nothing is ever emitted
//! unguarded that can recurse, nor `bool` that can fail.

use std::collections::HashMap;

use petgraph::graph::DiGraph;

use crate::plan::{FnFacts, FnKey};

/// What a rule function's signature follows from: whether it has the depth guard, and
/// whether it takes the context and returns `Result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Sig {
    pub(super) recursive: bool,
    pub(super) may_raise: bool,
}

impl Sig {
    pub(super) const CONSERVATIVE: Sig = Sig { recursive: true, may_raise: true };

    pub(super) fn of(facts: &FnFacts) -> Sig {
        Sig { recursive: facts.recursive, may_raise: facts.may_raise }
    }
}

/// The functions generated so far and the context of the code being generated.
pub(super) struct Calls {
    /// Functions whose facts a previous round found wrong, with the corrections: they are
    /// or-ed into the plan's.
    pub(super) forced: HashMap<FnKey, Sig>,
    /// Every function generated with the conservative facts (the last round).
    pub(super) force_all: bool,
    generated: Vec<Generated>,
    /// The rule function being generated (`None` in entry points, binding-mode functions
    /// and inline queries, which always have the context and return `Result`).
    current: Option<usize>,
    has_cx: bool,
}

struct Generated {
    key: FnKey,
    facts: Sig,
    raised: bool,
    calls: Vec<FnKey>,
}

/// The context to restore when a function is done.
pub(super) struct Outer {
    current: Option<usize>,
    has_cx: bool,
}

impl Default for Calls {
    fn default() -> Self {
        Calls { forced: HashMap::new(), force_all: false, generated: Vec::new(), current: None, has_cx: true }
    }
}

impl Calls {
    /// Starts the rule function `key`, generated with `facts`.
    pub(super) fn enter(&mut self, key: FnKey, facts: Sig) -> Outer {
        let outer = Outer { current: self.current, has_cx: self.has_cx };
        self.generated.push(Generated { key, facts, raised: false, calls: Vec::new() });
        self.current = Some(self.generated.len() - 1);
        self.has_cx = facts.may_raise;
        outer
    }

    /// Starts a function that has the context and returns `Result` (a binding-mode function).
    pub(super) fn enter_fallible(&mut self) -> Outer {
        let outer = Outer { current: self.current, has_cx: self.has_cx };
        self.current = None;
        self.has_cx = true;
        outer
    }

    pub(super) fn leave(&mut self, outer: Outer) {
        self.current = outer.current;
        self.has_cx = outer.has_cx;
    }

    /// The signature of `key`, given what the plan says of it.
    pub(super) fn sig(&self, key: FnKey, planned: Sig) -> Sig {
        if self.force_all {
            return Sig::CONSERVATIVE;
        }
        match self.forced.get(&key) {
            Some(fix) => Sig {
                recursive: planned.recursive || fix.recursive,
                may_raise: planned.may_raise || fix.may_raise,
            },
            None => planned,
        }
    }

    /// Whether the code being generated has the context `cx` (and returns `Result`).
    pub(super) fn has_cx(&self) -> bool {
        self.has_cx
    }

    /// The code being generated propagates a run-time error (`?`).
    pub(super) fn raise_here(&mut self) {
        if let Some(i) = self.current {
            self.generated[i].raised = true;
        }
    }

    /// The code being generated calls the rule function `callee`.
    pub(super) fn note_call(&mut self, callee: FnKey, raises: bool) {
        if raises {
            self.raise_here();
        }
        if let Some(i) = self.current {
            self.generated[i].calls.push(callee);
        }
    }

    /// The functions whose facts were wrong, with what they must be instead, and every
    /// function that calls them (its signature changes with theirs).
    pub(super) fn violations(&self) -> HashMap<FnKey, Sig> {
        let mut wrong: HashMap<FnKey, Sig> = HashMap::new();
        let raising = Sig { recursive: false, may_raise: true };
        for f in &self.generated {
            if f.raised && !f.facts.may_raise {
                wrong.insert(f.key.clone(), raising);
            }
        }
        // Cycles among the functions without the guard.
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let index: HashMap<&FnKey, petgraph::graph::NodeIndex> = self
            .generated
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.facts.recursive)
            .map(|(i, f)| (&f.key, g.add_node(i)))
            .collect();
        for f in &self.generated {
            let Some(&from) = index.get(&f.key) else { continue };
            for callee in &f.calls {
                if let Some(&to) = index.get(callee) {
                    g.update_edge(from, to, ());
                }
            }
        }
        for scc in petgraph::algo::tarjan_scc(&g) {
            if scc.len() > 1 || g.contains_edge(scc[0], scc[0]) {
                for n in scc {
                    wrong.insert(self.generated[g[n]].key.clone(), Sig::CONSERVATIVE);
                }
            }
        }
        if wrong.is_empty() {
            return wrong;
        }
        let mut callers: HashMap<&FnKey, Vec<&FnKey>> = HashMap::new();
        for f in &self.generated {
            for callee in &f.calls {
                callers.entry(callee).or_default().push(&f.key);
            }
        }
        let mut work: Vec<FnKey> = wrong.keys().cloned().collect();
        while let Some(key) = work.pop() {
            for caller in callers.get(&key).into_iter().flatten() {
                if !wrong.contains_key(*caller) {
                    wrong.insert((*caller).clone(), raising);
                    work.push((*caller).clone());
                }
            }
        }
        wrong
    }
}
