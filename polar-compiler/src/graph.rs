//! The rule dependency graph: one node per rule name, one edge per call site.
//!
//! Polar resolves a call by name alone (arity and specializers are checked when the call
//! runs), so a node stands for every definition of a name. Strongly connected components
//! tell later stages which rules are recursive; reachability from the entry points tells
//! which rules no authorization query can ever run.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::ast::{Term, TermKind};
use crate::fxhash::FxHashMap;
use crate::source::Span;

/// Rules that host applications query by convention (`is_allowed`, `authorize_field`,
/// `authorize_request`).
pub const ENTRY_POINTS: [&str; 3] = ["allow", "allow_field", "allow_request"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A rule name; `defined` is false when it is only called, never defined.
    Rule { name: String, defined: bool },
    /// The n-th inline query (`?= ...`), an entry point of its own.
    Query(usize),
}

#[derive(Clone, Debug)]
pub struct RuleGraph {
    graph: DiGraph<Node, Span>,
    by_name: FxHashMap<String, NodeIndex>,
    /// Component index of each node, and whether that component is recursive.
    component: Vec<usize>,
    recursive_component: Vec<bool>,
}

/// The rule calls in a term, in source order: `(name, call-site span)`. Method calls
/// (`x.f()`) and constructors (`new F()`) are not rule calls.
pub fn rule_calls(term: &Term) -> Vec<(&str, Span)> {
    let mut calls = Vec::new();
    term.walk(&mut |t| {
        if let TermKind::Call(call) = &t.kind {
            calls.push((call.name.name.as_str(), t.span));
        }
    });
    calls
}

impl RuleGraph {
    /// Builds the graph from every rule definition `(name, body)` and the inline queries.
    pub fn build<'a>(rules: impl IntoIterator<Item = (&'a str, &'a Term)>, queries: &[Term]) -> Self {
        let mut graph = DiGraph::new();
        let mut by_name: FxHashMap<String, NodeIndex> = FxHashMap::default();
        let mut bodies = Vec::new();
        for (name, body) in rules {
            let node = match by_name.get(name) {
                Some(&node) => node,
                None => {
                    let node = graph.add_node(Node::Rule { name: name.to_owned(), defined: true });
                    by_name.insert(name.to_owned(), node);
                    node
                }
            };
            bodies.push((node, body));
        }
        let mut sources: Vec<(NodeIndex, &Term)> = bodies;
        for (i, query) in queries.iter().enumerate() {
            sources.push((graph.add_node(Node::Query(i)), query));
        }
        for (from, body) in sources {
            for (callee, span) in rule_calls(body) {
                let to = match by_name.get(callee) {
                    Some(&to) => to,
                    None => {
                        let to = graph.add_node(Node::Rule { name: callee.to_owned(), defined: false });
                        by_name.insert(callee.to_owned(), to);
                        to
                    }
                };
                graph.add_edge(from, to, span);
            }
        }
        let mut component = vec![0; graph.node_count()];
        let mut recursive_component = Vec::new();
        for (i, scc) in tarjan_scc(&graph).into_iter().enumerate() {
            let recursive = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
            recursive_component.push(recursive);
            for node in scc {
                component[node.index()] = i;
            }
        }
        RuleGraph { graph, by_name, component, recursive_component }
    }

    pub fn graph(&self) -> &DiGraph<Node, Span> {
        &self.graph
    }

    /// The names that `name` calls, sorted.
    pub fn callees(&self, name: &str) -> BTreeSet<&str> {
        let Some(&node) = self.by_name.get(name) else { return BTreeSet::new() };
        self.graph.neighbors(node).filter_map(|n| self.rule_name(n)).collect()
    }

    /// True when `name` can call itself, directly or through other rules.
    pub fn is_recursive(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|n| self.recursive_component[self.component[n.index()]])
    }

    /// The recursive groups of rules (mutually recursive names together), each sorted.
    pub fn recursive_groups(&self) -> Vec<Vec<&str>> {
        let mut groups: FxHashMap<usize, Vec<&str>> = FxHashMap::default();
        for node in self.graph.node_indices() {
            let c = self.component[node.index()];
            if self.recursive_component[c]
                && let Some(name) = self.rule_name(node)
            {
                groups.entry(c).or_default().push(name);
            }
        }
        let mut groups: Vec<Vec<&str>> = groups.into_values().collect();
        groups.iter_mut().for_each(|g| g.sort_unstable());
        groups.sort();
        groups
    }

    /// Names of defined rules that some entry point (`allow`, `allow_field`,
    /// `allow_request`, an inline query) can reach, entry points included.
    pub fn reachable(&self) -> BTreeSet<&str> {
        // One traversal from all entry points at once.
        let mut seen = BTreeSet::new();
        let mut visited = vec![false; self.graph.node_count()];
        let mut stack: Vec<NodeIndex> = self.entry_nodes().collect();
        for node in &stack {
            visited[node.index()] = true;
        }
        while let Some(node) = stack.pop() {
            if let Some(name) = self.rule_name(node) {
                seen.insert(name);
            }
            for next in self.graph.neighbors(node) {
                if !std::mem::replace(&mut visited[next.index()], true) {
                    stack.push(next);
                }
            }
        }
        seen
    }

    /// Defined rules that no entry point can reach.
    pub fn unreachable(&self) -> Vec<&str> {
        let reachable = self.reachable();
        let mut names: Vec<&str> = self
            .graph
            .node_weights()
            .filter_map(|n| match n {
                Node::Rule { name, defined: true } if !reachable.contains(name.as_str()) => {
                    Some(name.as_str())
                }
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names
    }

    fn entry_nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph.node_indices().filter(|&n| match &self.graph[n] {
            Node::Rule { name, .. } => ENTRY_POINTS.contains(&name.as_str()),
            Node::Query(_) => true,
        })
    }

    fn rule_name(&self, node: NodeIndex) -> Option<&str> {
        match &self.graph[node] {
            Node::Rule { name, .. } => Some(name),
            Node::Query(_) => None,
        }
    }

    /// Graphviz DOT: entry points as double circles, recursive rules in red, undefined
    /// callees dashed, unreachable rules grey. One edge per distinct caller/callee pair.
    pub fn to_dot(&self) -> String {
        let reachable = self.reachable();
        let mut out =
            String::from("digraph rules {\n    rankdir=LR;\n    node [shape=box, fontname=\"monospace\"];\n");
        for node in self.graph.node_indices() {
            let (label, mut attrs) = match &self.graph[node] {
                Node::Query(i) => (format!("?= #{}", i + 1), vec!["shape=doublecircle".to_owned()]),
                Node::Rule { name, defined } => {
                    let mut attrs = Vec::new();
                    if ENTRY_POINTS.contains(&name.as_str()) {
                        attrs.push("shape=doubleoctagon".to_owned());
                    }
                    if !defined {
                        attrs.push("style=dashed".to_owned());
                    } else if !reachable.contains(name.as_str()) {
                        attrs.push("color=grey, fontcolor=grey".to_owned());
                    }
                    (name.clone(), attrs)
                }
            };
            if self.recursive_component[self.component[node.index()]] {
                attrs.push("color=red".to_owned());
            }
            attrs.insert(0, format!("label={}", dot_string(&label)));
            let _ = writeln!(out, "    n{} [{}];", node.index(), attrs.join(", "));
        }
        let mut edges = BTreeSet::new();
        for edge in self.graph.raw_edges() {
            edges.insert((edge.source().index(), edge.target().index()));
        }
        for (from, to) in edges {
            let _ = writeln!(out, "    n{from} -> n{to};");
        }
        out.push_str("}\n");
        out
    }
}

fn dot_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Item;
    use crate::parser::parse_file;
    use crate::source::FileId;

    fn graph(text: &str) -> RuleGraph {
        let (file, diagnostics) = parse_file(FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let empty = Term::new(TermKind::And(Vec::new()), Span::default());
        let mut rules = Vec::new();
        let mut queries = Vec::new();
        for item in &file.items {
            match item {
                Item::Rule(rule) => {
                    rules.push((rule.name.name.clone(), rule.body.clone().unwrap_or(empty.clone())))
                }
                Item::Query(q) => queries.push(q.clone()),
                _ => {}
            }
        }
        RuleGraph::build(rules.iter().map(|(n, b)| (n.as_str(), b)), &queries)
    }

    #[test]
    fn calls_recursion_and_reachability() {
        let g = graph(
            "allow(a, b, c) if has(a, c) and not blocked(a);
             has(a, c) if a = c or (parent(c, p) and has(a, p));
             parent(_c, _p);
             even(n) if n = 0 or odd(n - 1);
             odd(n) if even(n - 1);
             lonely(x) if x.method() and x = new Foo();
             ?= even(2);",
        );
        assert_eq!(g.callees("allow"), BTreeSet::from(["has", "blocked"]));
        assert!(g.is_recursive("has"));
        assert!(!g.is_recursive("allow"));
        assert_eq!(g.recursive_groups(), vec![vec!["even", "odd"], vec!["has"]]);
        // `lonely` calls only a method and a constructor: no rule calls, and nothing calls it.
        assert!(g.callees("lonely").is_empty());
        assert_eq!(g.unreachable(), vec!["lonely"]);
        assert!(g.reachable().contains("odd"), "reached through the inline query");
    }

    #[test]
    fn dot_output_marks_entry_points_recursion_and_undefined_rules() {
        let g = graph("allow(a, _, r) if f(a, r); f(a, r) if f(r, a) or g(a);");
        let dot = g.to_dot();
        assert!(dot.starts_with("digraph rules {"));
        assert!(dot.contains("label=\"allow\", shape=doubleoctagon"));
        assert!(dot.contains("label=\"f\", color=red"));
        assert!(dot.contains("label=\"g\", style=dashed"));
        assert_eq!(dot.matches("->").count(), 3);
    }
}
