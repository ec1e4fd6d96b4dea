//! E0306 (ours): shorthand rules that imply each other in a cycle that nothing leads into.
//!
//! With `"a" if "b"; "b" if "a";` and no other way to obtain `a` or `b`, no actor ever has
//! either, and a query for one recurses until Oso's stack limit. A role or permission can be
//! obtained when a user-written `has_role`/`has_permission` rule could grant it, when a
//! shorthand rule derives it from a relation (data), or when a shorthand rule derives it from
//! something obtainable. A cycle none of whose members is obtainable is an error; a cycle
//! with a way in is fine (it is ordinary recursion, e.g. `"read" if "read" on "parent"`).

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

use super::codes;
use crate::ast::TermKind;
use crate::diagnostic::Diagnostic;
use crate::lower::{DeclKind, LoweredRule, Program};
use crate::source::Span;

struct Node<'a> {
    block: &'a str,
    term: &'a str,
    kind: DeclKind,
    obtainable: bool,
}

pub(super) fn cycles(program: &Program, out: &mut Vec<Diagnostic>) {
    let mut graph: DiGraph<Node, Span> = DiGraph::new();
    let mut index: HashMap<(&str, &str), NodeIndex> = HashMap::new();
    for block in &program.blocks {
        for d in block.declarations.iter().filter(|d| d.kind != DeclKind::Relation) {
            let node = Node {
                block: &block.name,
                term: &d.name,
                kind: d.kind,
                obtainable: granted_by_user_rule(program, &block.name, &d.name, d.kind),
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
                Some((_, relation)) => block
                    .declaration(&relation.value)
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

    // Least fixpoint: obtainable if anything it can be derived from is.
    let mut changed = true;
    while changed {
        changed = false;
        for node in graph.node_indices() {
            if !graph[node].obtainable && graph.neighbors(node).any(|m| graph[m].obtainable) {
                graph[node].obtainable = true;
                changed = true;
            }
        }
    }

    let mut found = Vec::new();
    for scc in tarjan_scc(&graph) {
        let cyclic = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        if !cyclic || scc.iter().any(|&n| graph[n].obtainable) {
            continue;
        }
        // The shorthand rules that form the cycle, in source order.
        let mut spans: Vec<Span> = graph
            .edge_indices()
            .filter(|&e| {
                let (a, b) = graph.edge_endpoints(e).expect("edge exists");
                scc.contains(&a) && scc.contains(&b)
            })
            .map(|e| graph[e])
            .collect();
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

/// True when some user-written `has_role`/`has_permission` rule could grant `term` on an
/// instance of `class`: arity 3, a second parameter that is not a different literal, and a
/// third that is not a literal or specialized to another class.
fn granted_by_user_rule(program: &Program, class: &str, term: &str, kind: DeclKind) -> bool {
    let could_grant = |rule: &LoweredRule| {
        if rule.is_generated() || rule.params.len() != 3 {
            return false;
        }
        let name_ok = match &rule.params[1].value.kind {
            TermKind::String(s) => s == term,
            TermKind::Integer(_)
            | TermKind::Float(_)
            | TermKind::Boolean(_)
            | TermKind::List { .. }
            | TermKind::Dict(_) => false,
            _ => true,
        };
        let resource = &rule.params[2];
        let resource_ok = match resource.specializer.as_ref().map(|s| &s.kind) {
            Some(TermKind::Instance { tag, .. }) => {
                tag.name == class
                    || program.union_members(&tag.name).is_some_and(|members| members.contains(&class))
            }
            Some(TermKind::DictPattern(_)) | None => !matches!(
                resource.value.kind,
                TermKind::String(_) | TermKind::Integer(_) | TermKind::Float(_) | TermKind::Boolean(_)
            ),
            Some(_) => false,
        };
        name_ok && resource_ok
    };
    program.rules_named(kind.rule_name()).any(could_grant)
}
