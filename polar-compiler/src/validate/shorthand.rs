//! E0306 (ours): shorthand rules that imply each other in a cycle that nothing leads into.
//!
//! With `"a" if "b"; "b" if "a";` and no other way to obtain `a` or `b`, no actor ever has
//! either, and a query for one recurses until Oso's stack limit. A role or permission can be
//! obtained when a user-written `has_role`/`has_permission` rule could grant it, when a
//! shorthand rule derives it from a relation (data), or when a shorthand rule derives it from
//! something obtainable. A cycle none of whose members is obtainable is an error; a cycle
//! with a way in is fine (it is ordinary recursion, e.g. `"read" if "read" on "parent"`).

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::{Index, codes};
use crate::ast::TermKind;
use crate::diagnostic::Diagnostic;
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::lower::{self, DeclKind, Program};
use crate::source::Span;

struct Node<'a> {
    block: &'a str,
    term: &'a str,
    kind: DeclKind,
    obtainable: bool,
}

pub(super) fn cycles(program: &Program, names: &Index, out: &mut Vec<Diagnostic>) {
    let roles = Grants::of(names, DeclKind::Role);
    let permissions = Grants::of(names, DeclKind::Permission);
    let mut graph: DiGraph<Node, Span> = DiGraph::new();
    let mut index: FxHashMap<(&str, &str), NodeIndex> = FxHashMap::default();
    for block in &program.blocks {
        for d in block.declarations.iter().filter(|d| d.kind != DeclKind::Relation) {
            let grants = if d.kind == DeclKind::Role { &roles } else { &permissions };
            let node = Node {
                block: &block.name,
                term: &d.name,
                kind: d.kind,
                obtainable: grants.could_grant(names, &block.name, &d.name),
            };
            index.insert((&block.name, &d.name), graph.add_node(node));
        }
    }

    // One edge per lowered shorthand rule, from the head to what it requires.
    for block in &program.blocks {
        for shorthand in block.shorthand_rules.iter().filter(|s| s.lowered.is_some()) {
            let rule = &shorthand.rule;
            let Some(&head) = index.get(&(block.name.as_str(), rule.head.value.as_str())) else { continue };
            let implier_block = match &rule.relation {
                None => Some(block.name.as_str()),
                Some((_, relation)) => names
                    .declaration(&block.name, &relation.value)
                    .and_then(|d| d.target.as_ref())
                    .map(|t| t.name.as_str()),
            };
            let Some(implier_block) = implier_block else { continue };
            match index.get(&(implier_block, rule.implier.value.as_str())) {
                Some(&implier) => {
                    graph.add_edge(head, implier, rule.span);
                }
                // The implier is a relation: granted by `has_relation` data.
                None => graph[head].obtainable = true,
            }
        }
    }

    // Least fixpoint: obtainable if anything it can be derived from is. Propagated backwards
    // along the edges from what is obtainable to begin with.
    let mut stack: Vec<NodeIndex> = graph.node_indices().filter(|&n| graph[n].obtainable).collect();
    while let Some(m) = stack.pop() {
        let mut heads = graph.neighbors_directed(m, Direction::Incoming).detach();
        while let Some(n) = heads.next_node(&graph) {
            if !graph[n].obtainable {
                graph[n].obtainable = true;
                stack.push(n);
            }
        }
    }

    let sccs = tarjan_scc(&graph);
    let mut component = vec![0; graph.node_count()];
    for (c, scc) in sccs.iter().enumerate() {
        for n in scc {
            component[n.index()] = c;
        }
    }
    // The edges inside each component, in edge order.
    let mut inner_edges: Vec<Vec<Span>> = vec![Vec::new(); sccs.len()];
    for edge in graph.raw_edges() {
        let c = component[edge.source().index()];
        if c == component[edge.target().index()] {
            inner_edges[c].push(edge.weight);
        }
    }

    let mut found = Vec::new();
    for (c, scc) in sccs.iter().enumerate() {
        let cyclic = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        if !cyclic || scc.iter().any(|&n| graph[n].obtainable) {
            continue;
        }
        // The shorthand rules that form the cycle, in source order.
        let mut spans: Vec<Span> = std::mem::take(&mut inner_edges[c]);
        spans.sort_by_key(|s| (s.file, s.start));
        spans.dedup();
        let mut members: Vec<&Node> = scc.iter().map(|&n| &graph[n]).collect();
        members.sort_by_key(|n| (n.block, n.term));
        let same_block = members.iter().all(|n| n.block == members[0].block);
        let names: Vec<String> = members
            .iter()
            .map(|n| {
                if same_block {
                    format!("\"{}\"", n.term)
                } else {
                    format!("\"{}\" of `{}`", n.term, n.block)
                }
            })
            .collect();
        let what = if names.len() == 1 {
            format!("{} {} only implies itself", members[0].kind, names[0])
        } else {
            format!("{} imply each other in a cycle", names.join(", "))
        };
        let where_ =
            if same_block { format!(" in resource block `{}`", members[0].block) } else { String::new() };
        let mut d = Diagnostic::error(
            codes::SHORTHAND_CYCLE,
            spans[0],
            format!(
                "{what}{where_}, and nothing else grants {}",
                if names.len() == 1 { "it" } else { "any of them" }
            ),
        )
        .with_label("part of the cycle");
        for s in &spans[1..] {
            d = d.with_secondary(*s, "part of the cycle");
        }
        let example = members[0];
        let grant = match example.kind {
            DeclKind::Permission => "has_permission",
            _ => "has_role",
        };
        d = d
            .with_note("no actor can ever obtain them, and a query for one recurses until it runs out of stack")
            .with_help(format!(
                "grant one of them another way: a shorthand rule from another role or relation, or a `{grant}` rule for \"{}\"",
                example.term
            ));
        found.push(d);
    }
    found.sort_by_key(|d| (d.span.file, d.span.start));
    out.extend(found);
}

/// Which terms on which classes the user-written `has_role` (or `has_permission`) rules could
/// grant. A rule could grant `term` on an instance of `class` when it has arity 3, a second
/// parameter that is not a different literal, and a third that is not a literal or
/// specialized to another class.
#[derive(Default)]
struct Grants<'a> {
    /// Any term on any class.
    anything: bool,
    /// Any term on instances of these classes.
    any_term_on: FxHashSet<&'a str>,
    /// These terms on any class.
    on_any_class: FxHashSet<&'a str>,
    /// `(class, term)`.
    exact: FxHashSet<(&'a str, &'a str)>,
    /// Any term, or these terms, on members of the `Actor` union.
    any_term_on_actors: bool,
    on_actors: FxHashSet<&'a str>,
}

/// The classes the third parameter of a granting rule admits.
enum Admits<'a> {
    Any,
    /// The class itself; and for the `Actor` union its members too (every class with a
    /// block is a member of `Resource`, so that one admits any class).
    Class(&'a str),
}

impl<'a> Grants<'a> {
    fn of(index: &Index<'a>, kind: DeclKind) -> Self {
        let mut grants = Grants::default();
        for rule in index.rules_named(kind.rule_name()) {
            if rule.is_generated() || rule.params.len() != 3 {
                continue;
            }
            let term = match &rule.params[1].value.kind {
                TermKind::String(s) => Some(s.as_str()),
                TermKind::Integer(_)
                | TermKind::Float(_)
                | TermKind::Boolean(_)
                | TermKind::List { .. }
                | TermKind::Dict(_) => continue,
                _ => None,
            };
            let resource = &rule.params[2];
            let admits = match resource.specializer.as_ref().map(|s| &s.kind) {
                Some(TermKind::Instance { tag, .. }) if tag.name == lower::RESOURCE_UNION => Admits::Any,
                Some(TermKind::Instance { tag, .. }) => Admits::Class(&tag.name),
                Some(TermKind::DictPattern(_)) | None => match resource.value.kind {
                    TermKind::String(_)
                    | TermKind::Integer(_)
                    | TermKind::Float(_)
                    | TermKind::Boolean(_) => {
                        continue;
                    }
                    _ => Admits::Any,
                },
                Some(_) => continue,
            };
            match (admits, term) {
                (Admits::Any, None) => grants.anything = true,
                (Admits::Any, Some(term)) => {
                    grants.on_any_class.insert(term);
                }
                (Admits::Class(class), None) => {
                    grants.any_term_on.insert(class);
                    grants.any_term_on_actors |= class == lower::ACTOR_UNION;
                }
                (Admits::Class(class), Some(term)) => {
                    grants.exact.insert((class, term));
                    if class == lower::ACTOR_UNION {
                        grants.on_actors.insert(term);
                    }
                }
            }
        }
        grants
    }

    /// True when some rule could grant `term` on an instance of `class` (a class with a
    /// block).
    fn could_grant(&self, index: &Index, class: &str, term: &str) -> bool {
        self.anything
            || self.any_term_on.contains(class)
            || self.on_any_class.contains(term)
            || self.exact.contains(&(class, term))
            || (index.is_actor(class) && (self.any_term_on_actors || self.on_actors.contains(term)))
    }
}
