//! Load-time validation of a lowered [`Program`]: Oso 0.27.3's checks
//! (`polar.rs::diagnostic_load`, `validations.rs`, `kb.rs::validate_rule_types`,
//! `warning.rs`) as errors and warnings, plus a few of our own.
//!
//! Every check looks at the whole program and reports every independent finding (Oso stops
//! at the first error). The structural errors of resource blocks are found while lowering
//! ([`crate::lower::codes`], `E0201`-`E0210`, plus `E0211` for items nested too deeply to
//! compile) because desugaring depends on them; [`check`] runs both stages. After a
//! resource-block error Oso stops (and drops a block opening with a duplicate declaration);
//! we keep what is well formed and go on, so the checks below still run on the rest.
//!
//! | code  | severity | check | Oso |
//! |-------|----------|-------|-----|
//! | E0301 | error   | singleton variable | `SingletonVariable` |
//! | E0302 | error   | call to undefined rule | `UndefinedRuleCall` |
//! | E0303 | error   | rule does not match its rule type(s) | `InvalidRule` |
//! | E0304 | error   | missing implementation of a required rule type | `MissingRequiredRule` |
//! | E0305 | error   | invalid rule type (body, expression, `*rest`) | `InvalidRuleType` |
//! | E0306 | error   | shorthand rules imply each other in a cycle nothing leads into | ours |
//! | W0301 | warning | `and`/`or` mixed without parentheses | `AmbiguousPrecedence` |
//! | W0302 | warning | specializer that looks like another language's type (`int`) | `UnknownSpecializer` |
//! | W0303 | warning | no `allow`, `allow_field` or `allow_request` rule | `MissingAllowRule` |
//! | W0304 | warning | resource blocks, but nothing calls `has_permission` | `MissingHasPermissionRule` |
//! | W0305 | warning | rule identical to an earlier one up to variable names | ours |
//! | W0306 | warning | rule no entry point can reach | ours |
//!
//! Differences from Oso, all deliberate:
//! - Host classes are unknown here. Oso exempts registered constants (classes, `nil`) from
//!   the singleton check and warns about unregistered specializers. We exempt the built-in
//!   classes, `nil`, the unions, every name the policy itself uses as a class (block names,
//!   relation types, specializer and pattern tags, `new` classes) and a capitalised name used
//!   as the receiver of a lookup or method call (`Env.var("X")`, a class method); the back end
//!   checks that such classes exist. The unknown-specializer warning is given only for the
//!   names in Oso's misspelling table (`int`, `string`, `hash`, ...), wherever they appear.
//! - Ambiguous precedence: Oso looks at the source text just before an inner `and`/`or` for a
//!   `(`. Our AST flattens and/or but the parser's span of a parenthesized expression covers
//!   its parentheses, so an inner conjunction or disjunction is parenthesized exactly when its
//!   span starts before its first operand. This also warns about `f() if (a and b or c);`,
//!   which Oso misses.
//! - A rule type with a `*rest` list is rejected when declared (Oso only when a rule is
//!   checked against it). Rule types are checked for expressions in specializers too.
//! - Calls to undefined rules in inline queries are reported (Oso fails at load time when it
//!   runs the query instead).
//! - E0306 (cycles), W0305 and W0306 have no Oso counterpart; a policy with a shorthand cycle
//!   nothing leads into loads in Oso (and recurses until its stack limit when queried).
//!
//! `tests/tests/validate_vs_oso.rs` (package `polar-tests`) checks all of this against Oso.
//!
//! Cost: every check is linear (a few are n·log n) in the size of the program, so that
//! policies of 100,000 rules validate in about a second (`benches/frontend.rs`). Lookups by
//! name go through an `Index` built once rather than the scanning [`Program`] methods;
//! each rule is compared only with the rule types it may match (see `rule_types.rs`) and
//! messages are built only for the rules that match none; term walks allocate nothing per
//! node. Keep it that way: a scan of all rules or types inside a loop over rules makes large
//! policies take minutes.

mod rule_types;
mod rules;
mod shorthand;
pub(crate) mod walk;

use crate::ast::{self, Member, TermKind};
use crate::diagnostic::Diagnostic;
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::graph::RuleGraph;
use crate::lower::{self, Block, Declared, LoweredRule, Program};

/// Stable codes of the diagnostics reported by validation.
pub mod codes {
    pub const SINGLETON_VARIABLE: &str = "E0301";
    pub const UNDEFINED_RULE: &str = "E0302";
    pub const RULE_TYPE_MISMATCH: &str = "E0303";
    pub const MISSING_REQUIRED_RULE: &str = "E0304";
    pub const INVALID_RULE_TYPE: &str = "E0305";
    pub const SHORTHAND_CYCLE: &str = "E0306";
    pub const AMBIGUOUS_PRECEDENCE: &str = "W0301";
    pub const UNKNOWN_SPECIALIZER: &str = "W0302";
    pub const MISSING_ALLOW_RULE: &str = "W0303";
    pub const MISSING_HAS_PERMISSION: &str = "W0304";
    pub const DUPLICATE_RULE: &str = "W0305";
    pub const UNREACHABLE_RULE: &str = "W0306";
}

/// Runs every validation check on a lowered program. Diagnostics come grouped by check, in
/// the order of the table above, each group in source order.
pub fn validate(program: &Program) -> Vec<Diagnostic> {
    validate_with_graph(program, None)
}

/// [`validate`], given the program's rule graph if the caller has built it already.
pub(crate) fn validate_with_graph(program: &Program, graph: Option<&RuleGraph>) -> Vec<Diagnostic> {
    let constants = Constants::of(program);
    let index = Index::of(program);
    let mut out = Vec::new();
    rules::singletons(program, &constants, &index, &mut out);
    rules::undefined_calls(program, &mut out);
    rule_types::check(program, &index, &mut out);
    shorthand::cycles(program, &index, &mut out);
    rules::ambiguous_precedence(program, &mut out);
    rules::unknown_specializers(program, &index, &mut out);
    rules::missing_allow(program, &index, &mut out);
    rules::missing_has_permission(program, &mut out);
    rules::duplicates(program, &constants, &index, &mut out);
    rules::unreachable(program, &index, graph, &mut out);
    out
}

/// Lookups by name into a [`Program`], built once so that every check stays linear in the
/// size of the program (the [`Program`] methods of the same names scan).
pub(crate) struct Index<'a> {
    blocks: FxHashMap<&'a str, &'a Block>,
    /// `(block, term)` to the term's declaration.
    declarations: FxHashMap<(&'a str, &'a str), &'a Declared>,
    /// Members of the `Actor` and `Resource` unions in block order, as
    /// [`Program::union_members`] lists them.
    actors: Vec<&'a str>,
    resources: Vec<&'a str>,
    actor_set: FxHashSet<&'a str>,
    /// Rules by name, each list in load order.
    rules: FxHashMap<&'a str, Vec<&'a LoweredRule>>,
    /// Per rule (by [`lower::RuleId`]): whether it contains a syntax-error placeholder.
    has_error: Vec<bool>,
}

impl<'a> Index<'a> {
    pub(crate) fn of(program: &'a Program) -> Self {
        let mut blocks = FxHashMap::default();
        let mut declarations = FxHashMap::default();
        for block in &program.blocks {
            blocks.entry(block.name.as_str()).or_insert(block);
            for d in &block.declarations {
                declarations.entry((block.name.as_str(), d.name.as_str())).or_insert(d);
            }
        }
        let actors: Vec<&str> = program.actors().collect();
        let actor_set = actors.iter().copied().collect();
        let mut rules: FxHashMap<&str, Vec<&LoweredRule>> = FxHashMap::default();
        for rule in &program.rules {
            rules.entry(rule.name.name.as_str()).or_default().push(rule);
        }
        let has_error = program.rules.iter().map(rules::rule_has_error).collect();
        Index {
            blocks,
            declarations,
            actors,
            resources: program.resources().collect(),
            actor_set,
            rules,
            has_error,
        }
    }

    /// [`Program::block`].
    pub(crate) fn block(&self, name: &str) -> Option<&'a Block> {
        self.blocks.get(name).copied()
    }

    /// [`Block::declaration`] of the block of `class`.
    pub(crate) fn declaration(&self, class: &str, term: &str) -> Option<&'a Declared> {
        self.declarations.get(&(class, term)).copied()
    }

    /// [`Program::is_actor`].
    pub(crate) fn is_actor(&self, class: &str) -> bool {
        self.actor_set.contains(class)
    }

    /// [`Program::union_members`], without collecting.
    pub(crate) fn union_members(&self, union: &str) -> Option<&[&'a str]> {
        match union {
            lower::ACTOR_UNION => Some(&self.actors),
            lower::RESOURCE_UNION => Some(&self.resources),
            _ => None,
        }
    }

    /// True when `union` is `Actor` or `Resource` and `class` is one of its members.
    pub(crate) fn is_member(&self, union: &str, class: &str) -> bool {
        match union {
            lower::ACTOR_UNION => self.actor_set.contains(class),
            lower::RESOURCE_UNION => self.blocks.contains_key(class),
            _ => false,
        }
    }

    /// [`Program::rules_named`]: every rule with this name, in load order.
    pub(crate) fn rules_named(&self, name: &str) -> &[&'a LoweredRule] {
        self.rules.get(name).map_or(&[], Vec::as_slice)
    }

    /// True when a term of the rule (head or body) contains a syntax error.
    pub(crate) fn has_error(&self, rule: &LoweredRule) -> bool {
        self.has_error[rule.id.index()]
    }

    /// [`Program::defines`].
    pub(crate) fn defines(&self, name: &str) -> bool {
        self.rules.contains_key(name)
    }
}

/// Lowers and validates parsed files: the diagnostics of both stages.
pub fn check(files: &[ast::File]) -> (Program, Vec<Diagnostic>) {
    let (program, mut diagnostics) = lower::lower(files);
    diagnostics.extend(validate(&program));
    (program, diagnostics)
}

/// Classes Oso registers itself (`oso/src/builtins.rs`), and `nil`.
const BUILTIN_CONSTANTS: [&str; 8] =
    ["Boolean", "Integer", "Float", "List", "Dictionary", "String", "Option", "nil"];

/// Names that stand for constants (classes) rather than variables; see the module docs.
pub(crate) struct Constants<'a> {
    names: FxHashSet<&'a str>,
}

impl<'a> Constants<'a> {
    fn of(program: &'a Program) -> Self {
        let mut names: FxHashSet<&str> = BUILTIN_CONSTANTS.into_iter().collect();
        names.insert(lower::ACTOR_UNION);
        names.insert(lower::RESOURCE_UNION);
        for block in &program.blocks {
            names.insert(&block.name);
            names.extend(block.relations().filter_map(|r| r.target.as_ref()).map(|t| t.name.as_str()));
        }
        let mut collect = |t: &'a ast::Term| {
            walk::walk(t, |t| match &t.kind {
                TermKind::Instance { tag, .. } => {
                    names.insert(&tag.name);
                }
                TermKind::New(call) => {
                    names.insert(&call.name.name);
                }
                TermKind::Rewritten { op: ast::RewrittenOp::New, args } => {
                    if let Some(TermKind::Call(call)) = args.first().map(|a| &a.kind) {
                        names.insert(&call.name.name);
                    }
                }
                // `Env.var("x")`: a capitalised receiver of a lookup is a class.
                TermKind::Dot { receiver, member: Member::Method(_) | Member::Field(_) } => {
                    if let TermKind::Variable(v) = &receiver.kind
                        && v.chars().next().is_some_and(char::is_uppercase)
                    {
                        names.insert(v);
                    }
                }
                _ => {}
            })
        };
        for rule in &program.rules {
            for p in &rule.params {
                collect(&p.value);
                if let Some(s) = &p.specializer {
                    collect(s);
                }
            }
            collect(&rule.body);
        }
        for t in &program.rule_types {
            for p in &t.params {
                collect(&p.value);
                if let Some(s) = &p.specializer {
                    collect(s);
                }
            }
        }
        for q in &program.queries {
            collect(q);
        }
        Constants { names }
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

#[cfg(test)]
mod tests;
