//! Lowering: from parsed files to one [`Program`].
//!
//! This stage collects every rule in load order, the rule types (Oso's built-in ones, the
//! user's `type` declarations and the ones generated from resource blocks), the inline
//! queries, and the resource blocks merged across reopenings, and it desugars the shorthand
//! rules of resource blocks into ordinary rules exactly as Oso 0.27.3 does
//! (`polar-core/src/resource_block.rs`, `kb.rs::create_resource_specific_rule_types`):
//!
//! ```polar
//! resource Repo {
//!   roles = ["reader"]; permissions = ["read"]; relations = { parent: Org };
//!   "read" if "reader";               # local
//!   "reader" if "member" on "parent"; # cross-resource
//! }
//! ```
//! becomes
//! ```polar
//! has_permission(actor: Actor{}, "read", repo: Repo{}) if has_role(actor, "reader", repo);
//! has_role(actor: Actor{}, "reader", repo: Repo{}) if
//!     has_relation(related_org, "parent", repo) and has_role(actor, "member", related_org);
//! ```
//!
//! The errors reported here are the ones that make desugaring impossible: everything about
//! the structure of resource blocks (block keyword, declarations, shorthand rules). Every
//! other load-time check is in [`crate::validate`]. Unlike Oso, which stops at the first
//! resource-block error, lowering keeps going and reports every independent problem; a
//! shorthand rule that cannot be desugared is dropped (as in Oso), so no later check sees a
//! half-built rule.
//!
//! Blocks and their declarations are looked up through indices by name, so lowering stays
//! linear in the size of the policy however many blocks and declarations it has.

pub(crate) mod print;
pub(crate) mod suggest;

use std::collections::BTreeMap;
use std::fmt;

use crate::ast::{self, Call, Ident, Item, Param, Production, ShorthandRule, StrLit, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::source::Span;
use crate::validate::walk::walk_with_depth;

pub use print::{param_to_polar, term_to_polar};
use suggest::did_you_mean;

/// Name of the union of every class declared in an `actor` block.
pub const ACTOR_UNION: &str = "Actor";
/// Name of the union of every class declared in an `actor` or `resource` block.
pub const RESOURCE_UNION: &str = "Resource";

/// Stable codes of the diagnostics reported by lowering (resource-block structure).
pub mod codes {
    /// The block keyword is missing or is neither `actor` nor `resource`.
    pub const BLOCK_KEYWORD: &str = "E0201";
    /// A declaration other than `roles`, `permissions` or `relations`.
    pub const UNKNOWN_DECLARATION: &str = "E0202";
    /// `roles`/`permissions` not a list of strings, or `relations` not a dictionary.
    pub const DECLARATION_SHAPE: &str = "E0203";
    /// The same kind of declaration (`roles = ...`) twice in one block.
    pub const MULTIPLE_DECLARATIONS: &str = "E0204";
    /// One term declared twice in a block, or differently in two openings of a block.
    pub const DUPLICATE_DECLARATION: &str = "E0205";
    /// A shorthand rule names a term the block does not declare.
    pub const UNDECLARED_TERM: &str = "E0206";
    /// A shorthand rule uses a keyword other than `on` before its relation.
    pub const RELATION_KEYWORD: &str = "E0207";
    /// The term after `on` is declared, but as a role or permission, not a relation.
    pub const NOT_A_RELATION: &str = "E0208";
    /// The term after `on` is a relation to a class that has no resource block.
    pub const MISSING_RELATED_BLOCK: &str = "E0209";
    /// The implier of an `on` rule is not declared in the related block.
    pub const UNDECLARED_IN_RELATED_BLOCK: &str = "E0210";
    /// A rule, rule type or query whose terms nest deeper than [`super::MAX_TERM_DEPTH`].
    pub const TOO_DEEP: &str = "E0211";
}

/// How deeply the terms of one rule, rule type or query may nest (operators, lists,
/// calls...). Every later stage walks terms recursively (printing, comparison, code
/// generation; even `Clone` and `Drop` of the tree), so a deeper item is rejected here with
/// an error rather than risking a stack overflow. Real policies stay far below it (the parser
/// already bounds bracket nesting), but a long chain like `1 + 1 + ... + 1` nests one level
/// per operator.
pub const MAX_TERM_DEPTH: usize = 1000;

/// The nesting depth of a term (a leaf has depth 1), or some depth above
/// [`MAX_TERM_DEPTH`] if it nests deeper. Safe on any depth (see [`walk_with_depth`]).
fn term_depth(t: &Term) -> usize {
    let mut max = 0;
    walk_with_depth(t, |_, depth| {
        max = max.max(depth);
        depth <= MAX_TERM_DEPTH
    });
    max
}

/// Identity of a lowered rule: its index in [`Program::rules`] (load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);

impl RuleId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a lowered rule comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleOrigin {
    /// Written by the user as a rule or fact.
    User,
    /// Generated from a shorthand rule (`"read" if "reader";`) in the block of `resource`
    /// (the name as written in the opening of the block that holds the shorthand rule).
    /// The rule's span is the shorthand rule's span.
    Shorthand { resource: Ident },
}

/// A rule after lowering.
#[derive(Clone, Debug, PartialEq)]
pub struct LoweredRule {
    pub id: RuleId,
    pub name: Ident,
    pub params: Vec<Param>,
    /// Always a conjunction (`TermKind::And`), as Oso stores it: a fact has an empty one, a
    /// body that is not already a conjunction is wrapped in a one-element one.
    pub body: Term,
    /// The whole rule as written, or the shorthand rule it was generated from.
    pub span: Span,
    pub origin: RuleOrigin,
}

impl LoweredRule {
    /// The conjuncts of the body (empty for a fact).
    pub fn body_terms(&self) -> &[Term] {
        match &self.body.kind {
            TermKind::And(terms) => terms,
            _ => std::slice::from_ref(&self.body),
        }
    }

    pub fn is_fact(&self) -> bool {
        self.body_terms().is_empty()
    }

    pub fn is_generated(&self) -> bool {
        matches!(self.origin, RuleOrigin::Shorthand { .. })
    }

    /// `name(p1, p2)` in Polar syntax.
    pub fn head_to_polar(&self) -> String {
        print::head_to_polar(&self.name.name, &self.params)
    }

    /// The rule in Polar syntax, the format of Oso's `Rule::to_polar` (`kb.get_rules()` dumps):
    /// `head;` for a fact, `head if a and b;` otherwise.
    pub fn to_polar(&self) -> String {
        print::rule_to_polar(&self.name.name, &self.params, self.body_terms())
    }
}

/// Where a rule type comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleTypeOrigin {
    /// One of Oso's defaults (`rules.rs::add_default_rule_types`); it has no source text.
    Builtin,
    /// A `type name(...);` declaration; the span is the declaration.
    Declared { span: Span },
    /// Generated from resource blocks (`kb.rs::create_resource_specific_rule_types`). `span`
    /// is the declaration that caused it (the relation, or the first roles declaration);
    /// `required_by` lists the shorthand-rule terms that made it required, in source order.
    Generated { span: Span, required_by: Vec<Span> },
}

/// A rule type: a shape that every rule of the same name must match (one of them, when
/// several types share a name). Required types must be matched by at least one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleType {
    pub name: String,
    pub params: Vec<Param>,
    pub required: bool,
    pub origin: RuleTypeOrigin,
    /// A body written after a `type` head (only possible if the parser accepts one); Oso's
    /// grammar has none, and validation rejects it.
    pub body: Option<Term>,
}

impl RuleType {
    /// The place to point at for this type, if it has one.
    pub fn span(&self) -> Option<Span> {
        match &self.origin {
            RuleTypeOrigin::Builtin => None,
            RuleTypeOrigin::Declared { span } | RuleTypeOrigin::Generated { span, .. } => Some(*span),
        }
    }

    /// `name(params)` in Polar syntax, as Oso prints rule types in its messages (which show
    /// them as `name(params);`).
    pub fn to_polar(&self) -> String {
        print::head_to_polar(&self.name, &self.params)
    }
}

/// `actor` or `resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    Actor,
    Resource,
}

impl fmt::Display for BlockKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockKind::Actor => "actor",
            BlockKind::Resource => "resource",
        })
    }
}

/// The kind of a term declared in a resource block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Role,
    Permission,
    Relation,
}

impl DeclKind {
    /// The rule a shorthand rule about such a term is lowered to.
    pub fn rule_name(self) -> &'static str {
        match self {
            DeclKind::Role => "has_role",
            DeclKind::Permission => "has_permission",
            DeclKind::Relation => "has_relation",
        }
    }
}

impl fmt::Display for DeclKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeclKind::Role => "role",
            DeclKind::Permission => "permission",
            DeclKind::Relation => "relation",
        })
    }
}

/// One declared role, permission or relation.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    pub name: String,
    pub kind: DeclKind,
    /// The string (role, permission) or key (relation) as written.
    pub span: Span,
    /// For a relation: the related class (`Org` in `parent: Org`).
    pub target: Option<Ident>,
}

/// A shorthand rule of a block with the rule it was lowered to, if it could be.
#[derive(Clone, Debug, PartialEq)]
pub struct Shorthand {
    pub rule: ShorthandRule,
    /// The name of the block's class as written in the opening that holds this rule.
    pub resource: Ident,
    pub lowered: Option<RuleId>,
}

/// A resource or actor block, merged over every opening of the same class.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub name: String,
    /// `Actor` if any opening says `actor` (Oso puts actors in both unions).
    pub kind: BlockKind,
    /// The class name of each opening, in load order.
    pub openings: Vec<Ident>,
    /// Every successfully declared term, in declaration order (roles, permissions and
    /// relations interleaved as written). A term appears once even if redeclared.
    pub declarations: Vec<Declared>,
    /// Shorthand rules of all openings, in load order.
    pub shorthand_rules: Vec<Shorthand>,
}

impl Block {
    pub fn declaration(&self, term: &str) -> Option<&Declared> {
        self.declarations.iter().find(|d| d.name == term)
    }

    pub fn declared(&self, kind: DeclKind) -> impl Iterator<Item = &Declared> {
        self.declarations.iter().filter(move |d| d.kind == kind)
    }

    pub fn roles(&self) -> impl Iterator<Item = &Declared> {
        self.declared(DeclKind::Role)
    }

    pub fn permissions(&self) -> impl Iterator<Item = &Declared> {
        self.declared(DeclKind::Permission)
    }

    pub fn relations(&self) -> impl Iterator<Item = &Declared> {
        self.declared(DeclKind::Relation)
    }

    /// The span of the class name in the first opening.
    pub fn span(&self) -> Span {
        self.openings[0].span
    }
}

/// Everything later stages need, from every file, after desugaring.
///
/// The lookup methods (`rules_named`, `block`, `union_members`, ...) scan; a stage that looks
/// things up once per rule should index them first, as validation does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// All rules in load order: user rules in file and source order, then the rules
    /// generated from shorthand rules (Oso adds those last, in `rewrite_shorthand_rules`),
    /// block by block in order of first opening, each block's in source order.
    /// `rules[i].id == RuleId(i)`.
    pub rules: Vec<LoweredRule>,
    /// Built-in rule types, then `type` declarations in load order, then generated ones.
    pub rule_types: Vec<RuleType>,
    /// Inline queries (`?= term;`) in load order.
    pub queries: Vec<Term>,
    /// Resource blocks in order of first opening.
    pub blocks: Vec<Block>,
}

impl Program {
    pub fn rule(&self, id: RuleId) -> &LoweredRule {
        &self.rules[id.index()]
    }

    /// Every rule with this name, in load order.
    pub fn rules_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a LoweredRule> + 'a {
        self.rules.iter().filter(move |r| r.name.name == name)
    }

    /// True when at least one rule (user-written or generated) has this name.
    pub fn defines(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.name.name == name)
    }

    pub fn rule_types_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RuleType> + 'a {
        self.rule_types.iter().filter(move |t| t.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Members of the `Actor` union: classes with an `actor` block.
    pub fn actors(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter(|b| b.kind == BlockKind::Actor).map(|b| b.name.as_str())
    }

    /// Members of the `Resource` union: classes with an `actor` or `resource` block.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().map(|b| b.name.as_str())
    }

    pub fn is_actor(&self, class: &str) -> bool {
        self.actors().any(|a| a == class)
    }

    pub fn is_resource(&self, class: &str) -> bool {
        self.block(class).is_some()
    }

    /// Members of a union type (`Actor` or `Resource`); `None` for any other name.
    pub fn union_members(&self, union: &str) -> Option<Vec<&str>> {
        match union {
            ACTOR_UNION => Some(self.actors().collect()),
            RESOURCE_UNION => Some(self.resources().collect()),
            _ => None,
        }
    }

    /// Every rule in Polar syntax, one per line, in load order.
    pub fn to_polar(&self) -> String {
        self.rules.iter().map(|r| r.to_polar() + "\n").collect()
    }
}

/// True for the names of Oso's union types, `Actor` and `Resource`.
pub fn is_union(name: &str) -> bool {
    name == ACTOR_UNION || name == RESOURCE_UNION
}

/// Lowers parsed files (in load order) into one program, with the resource-block errors
/// found on the way.
pub fn lower(files: &[ast::File]) -> (Program, Vec<Diagnostic>) {
    let mut lowerer = Lowerer::default();
    lowerer.program.rule_types = builtin_rule_types();
    for file in files {
        for item in &file.items {
            match item {
                Item::Rule(rule) | Item::RuleType(rule) if lowerer.too_deep(rule_terms(rule), rule.span) => {}
                Item::Query(term) if lowerer.too_deep([term], term.span) => {}
                Item::Rule(rule) => lowerer.add_user_rule(rule),
                Item::RuleType(rule) => lowerer.program.rule_types.push(RuleType {
                    name: rule.name.name.clone(),
                    params: rule.params.clone(),
                    required: false,
                    origin: RuleTypeOrigin::Declared { span: rule.span },
                    body: rule.body.clone(),
                }),
                Item::Query(term) => lowerer.program.queries.push(term.clone()),
                Item::ResourceBlock(block) => lowerer.add_block(block),
            }
        }
    }
    lowerer.desugar_shorthand_rules();
    lowerer.add_generated_rule_types();
    (lowerer.program, lowerer.diagnostics)
}

#[derive(Default)]
struct Lowerer {
    program: Program,
    diagnostics: Vec<Diagnostic>,
    /// Per block: terms whose declaration was malformed (`roles = {..}`, `role = [..]`), so
    /// their kind is unknown. Shorthand rules that mention them are dropped silently instead
    /// of producing a second, misleading "undeclared term" error.
    unknown_terms: FxHashMap<String, FxHashSet<String>>,
    /// Index of each block in `program.blocks` by class name.
    block_index: FxHashMap<String, usize>,
    /// Per block (same indices as `program.blocks`): index of each declared term in the
    /// block's `declarations` by name.
    declaration_index: Vec<FxHashMap<String, usize>>,
}

fn rule_terms(rule: &ast::Rule) -> impl Iterator<Item = &Term> {
    rule.params.iter().flat_map(|p| std::iter::once(&p.value).chain(&p.specializer)).chain(&rule.body)
}

impl Lowerer {
    /// Reports an item nested deeper than [`MAX_TERM_DEPTH`]; such an item is left out.
    fn too_deep<'t>(&mut self, terms: impl IntoIterator<Item = &'t Term>, span: Span) -> bool {
        let deepest = terms.into_iter().map(term_depth).max().unwrap_or(0);
        match deepest {
            d if d > MAX_TERM_DEPTH => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::TOO_DEEP,
                        span,
                        format!("expression nested more than {MAX_TERM_DEPTH} levels deep"),
                    )
                    .with_label("too deeply nested to compile")
                    .with_help("split the expression with intermediate variables or helper rules"),
                );
                true
            }
            _ => false,
        }
    }

    fn add_user_rule(&mut self, rule: &ast::Rule) {
        let body = match &rule.body {
            None => Term::new(TermKind::And(Vec::new()), rule.span),
            Some(t) if matches!(t.kind, TermKind::And(_)) => t.clone(),
            Some(t) => Term::new(TermKind::And(vec![t.clone()]), t.span),
        };
        self.push_rule(rule.name.clone(), rule.params.clone(), body, rule.span, RuleOrigin::User);
    }

    fn push_rule(
        &mut self,
        name: Ident,
        params: Vec<Param>,
        body: Term,
        span: Span,
        origin: RuleOrigin,
    ) -> RuleId {
        let id = RuleId(self.program.rules.len() as u32);
        self.program.rules.push(LoweredRule { id, name, params, body, span, origin });
        id
    }

    /// Adds one opening of a block: checks its keyword and declarations and merges them into
    /// the block of the same class (`ResourceBlocks::add` in Oso).
    fn add_block(&mut self, block: &ast::ResourceBlock) {
        let name = &block.resource;
        let kind = self.block_kind(block);

        // Declarations of this opening, checked on their own first (Oso's
        // `resource_block_from_productions` + `index_declarations`).
        let mut seen_kinds: FxHashMap<&str, Span> = FxHashMap::default();
        let mut here: Vec<Declared> = Vec::new();
        let mut here_index: FxHashMap<String, usize> = FxHashMap::default();
        let mut shorthand_rules = Vec::new();
        for production in &block.productions {
            match production {
                Production::Shorthand(rule) => shorthand_rules.push(rule.clone()),
                Production::Declaration { name: decl, value, value_span, .. } => {
                    let Some(items) = self.declaration_items(name, decl, value, *value_span) else {
                        continue;
                    };
                    if let Some(first) = seen_kinds.insert(decl.name.as_str(), decl.span) {
                        self.diagnostics.push(
                            Diagnostic::error(
                                codes::MULTIPLE_DECLARATIONS,
                                decl.span,
                                format!(
                                    "multiple `{}` declarations in resource block `{}`",
                                    decl.name, name.name
                                ),
                            )
                            .with_label("declared again here")
                            .with_secondary(first, "first declared here")
                            .with_help(format!(
                                "put all {} of the block in one `{} = ...;` declaration",
                                decl.name, decl.name
                            )),
                        );
                    }
                    for item in items {
                        if let Some(&previous) = here_index.get(&item.name) {
                            self.diagnostics.push(duplicate_declaration(
                                &name.name,
                                &here[previous],
                                &item,
                                true,
                            ));
                        } else {
                            here_index.insert(item.name.clone(), here.len());
                            here.push(item);
                        }
                    }
                }
            }
        }

        // Merge into the block of the same class, if it was opened before.
        let index = match self.block_index.get(&name.name) {
            Some(&i) => i,
            None => {
                self.block_index.insert(name.name.clone(), self.program.blocks.len());
                self.declaration_index.push(FxHashMap::default());
                self.program.blocks.push(Block {
                    name: name.name.clone(),
                    kind,
                    openings: Vec::new(),
                    declarations: Vec::new(),
                    shorthand_rules: Vec::new(),
                });
                self.program.blocks.len() - 1
            }
        };
        let merged = &mut self.program.blocks[index];
        let merged_index = &mut self.declaration_index[index];
        merged.openings.push(name.clone());
        if kind == BlockKind::Actor {
            merged.kind = BlockKind::Actor;
        }
        for item in here {
            match merged_index.get(&item.name).map(|&i| &merged.declarations[i]) {
                // Redeclaring a term identically in another opening is fine (Oso compares
                // the declarations: same kind, and for relations the same class).
                Some(previous)
                    if previous.kind == item.kind
                        && previous.target.as_ref().map(|t| &t.name)
                            == item.target.as_ref().map(|t| &t.name) => {}
                Some(previous) => {
                    let d = duplicate_declaration(&name.name, previous, &item, false);
                    self.diagnostics.push(d);
                }
                None => {
                    merged_index.insert(item.name.clone(), merged.declarations.len());
                    merged.declarations.push(item);
                }
            }
        }
        merged.shorthand_rules.extend(shorthand_rules.into_iter().map(|rule| Shorthand {
            rule,
            resource: name.clone(),
            lowered: None,
        }));
    }

    fn block_kind(&mut self, block: &ast::ResourceBlock) -> BlockKind {
        match &block.keyword {
            Some(k) if k.name == "actor" => BlockKind::Actor,
            Some(k) if k.name == "resource" => BlockKind::Resource,
            Some(k) => {
                let suggestion = did_you_mean(&k.name, ["actor", "resource"]);
                let mut d = Diagnostic::error(
                    codes::BLOCK_KEYWORD,
                    k.span,
                    format!(
                        "expected `actor` or `resource` before `{}`, found `{}`",
                        block.resource.name, k.name
                    ),
                )
                .with_label("not a block keyword");
                d = match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s} {} {{ ... }}`?", block.resource.name)),
                    None => d.with_help(format!(
                        "write `actor {0} {{ ... }}` for a class of actors or `resource {0} {{ ... }}` otherwise",
                        block.resource.name
                    )),
                };
                self.diagnostics.push(d);
                // Keep going as the suggestion says, else as a resource (as Oso does).
                if suggestion == Some("actor") { BlockKind::Actor } else { BlockKind::Resource }
            }
            None => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::BLOCK_KEYWORD,
                        block.resource.span,
                        format!("expected `actor` or `resource` before `{}`, found nothing", block.resource.name),
                    )
                    .with_label("block without a keyword")
                    .with_help(format!(
                        "write `actor {0} {{ ... }}` for a class of actors or `resource {0} {{ ... }}` otherwise",
                        block.resource.name
                    )),
                );
                BlockKind::Resource
            }
        }
    }

    /// The terms a declaration declares, or `None` (with a diagnostic) when the declaration
    /// is unknown or has the wrong shape.
    fn declaration_items(
        &mut self,
        resource: &Ident,
        decl: &Ident,
        value: &ast::DeclarationValue,
        value_span: Span,
    ) -> Option<Vec<Declared>> {
        use ast::DeclarationValue as V;
        let strings = |kind: DeclKind, items: &[StrLit]| {
            items
                .iter()
                .map(|s| Declared { name: s.value.clone(), kind, span: s.span, target: None })
                .collect::<Vec<_>>()
        };
        match (decl.name.as_str(), value) {
            ("roles", V::List(items)) => return Some(strings(DeclKind::Role, items)),
            ("permissions", V::List(items)) => return Some(strings(DeclKind::Permission, items)),
            ("relations", V::Dict(entries)) => {
                return Some(
                    entries
                        .iter()
                        .map(|(key, class)| Declared {
                            name: key.name.clone(),
                            kind: DeclKind::Relation,
                            span: key.span,
                            target: Some(class.clone()),
                        })
                        .collect(),
                );
            }
            _ => {}
        }
        // Remember the names so that shorthand rules using them are not reported again.
        let names: Vec<String> = match value {
            V::List(items) => items.iter().map(|s| s.value.clone()).collect(),
            V::Dict(entries) => entries.iter().map(|(k, _)| k.name.clone()).collect(),
        };
        self.unknown_terms.entry(resource.name.clone()).or_default().extend(names);
        let shape = match value {
            V::List(_) => "a list",
            V::Dict(_) => "a dictionary",
        };
        let d = match decl.name.as_str() {
            "roles" | "permissions" => Diagnostic::error(
                codes::DECLARATION_SHAPE,
                value_span,
                format!("expected `{}` to be a list of strings, found {shape}", decl.name),
            )
            .with_label("expected a list like `[\"a\", \"b\"]`"),
            "relations" => Diagnostic::error(
                codes::DECLARATION_SHAPE,
                value_span,
                format!("expected `relations` to be a dictionary, found {shape}"),
            )
            .with_label("expected a dictionary like `{ parent: Org }`"),
            other => {
                let candidates: &[&str] = match value {
                    V::List(_) => &["roles", "permissions"],
                    V::Dict(_) => &["relations"],
                };
                let d = Diagnostic::error(
                    codes::UNKNOWN_DECLARATION,
                    decl.span,
                    format!("unknown declaration `{other}` in resource block `{}`", resource.name),
                )
                .with_label("not `roles`, `permissions` or `relations`");
                match did_you_mean(
                    other,
                    candidates.iter().copied().chain(["roles", "permissions", "relations"]),
                ) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => match value {
                        V::List(_) => {
                            d.with_help("did you mean `roles = [ ... ];` or `permissions = [ ... ];`?")
                        }
                        V::Dict(_) => d.with_help("did you mean `relations = { ... };`?"),
                    },
                }
            }
        };
        self.diagnostics.push(d);
        None
    }

    /// Desugars every shorthand rule, block by block (`ShorthandRule::as_rule`).
    fn desugar_shorthand_rules(&mut self) {
        for b in 0..self.program.blocks.len() {
            for s in 0..self.program.blocks[b].shorthand_rules.len() {
                let shorthand = self.program.blocks[b].shorthand_rules[s].clone();
                if let Some((name, params, body)) = self.desugar(b, &shorthand) {
                    let span = shorthand.rule.span;
                    let origin = RuleOrigin::Shorthand { resource: shorthand.resource.clone() };
                    let id = self.push_rule(name, params, body, span, origin);
                    self.program.blocks[b].shorthand_rules[s].lowered = Some(id);
                }
            }
        }
    }

    /// One shorthand rule to `(name, params, body)`. Reports every independent problem of
    /// the rule (Oso reports only the first) and returns `None` if there was one.
    fn desugar(&mut self, b: usize, shorthand: &Shorthand) -> Option<(Ident, Vec<Param>, Term)> {
        let block = &self.program.blocks[b];
        let rule = &shorthand.rule;
        let resource = &shorthand.resource;
        let mut errors = Vec::new();

        let head_kind = self.lookup(block, &rule.head, &mut errors).map(|d| d.kind);

        let body = match &rule.relation {
            None => self.lookup(block, &rule.implier, &mut errors).map(|implier| {
                let call = call_term(
                    implier.kind.rule_name(),
                    vec![
                        var("actor", rule.implier.span),
                        string(&rule.implier),
                        resource_var(resource, rule.implier.span),
                    ],
                    rule.implier.span,
                );
                Term::new(TermKind::And(vec![call]), rule.implier.span)
            }),
            Some((keyword, relation)) => {
                if keyword.name != "on" {
                    let mut d = Diagnostic::error(
                        codes::RELATION_KEYWORD,
                        keyword.span,
                        format!("unexpected relation keyword `{}`", keyword.name),
                    )
                    .with_label("expected `on`");
                    d = d.with_help(format!(
                        "did you mean `\"{}\" if \"{}\" on \"{}\";`?",
                        rule.head.value, rule.implier.value, relation.value
                    ));
                    errors.push(d);
                }
                let related = self.related_block(block, relation, &rule.implier, &mut errors);
                let implier = related.and_then(|(related, _)| {
                    let found = self.declaration(related, &rule.implier.value);
                    if found.is_none() && !self.is_unknown(&related.name, &rule.implier.value) {
                        errors.push(self.undeclared_in_related(block, related, relation, &rule.implier));
                    }
                    found
                });
                match (related, implier) {
                    (Some((related, _)), Some(implier)) => {
                        let related_var = resource_name_as_var(&related.name, true);
                        let related_var = var(&related_var, relation.span);
                        let has_relation = call_term(
                            "has_relation",
                            vec![
                                related_var.clone(),
                                string(relation),
                                resource_var(resource, relation.span),
                            ],
                            relation.span,
                        );
                        let implier_call = call_term(
                            implier.kind.rule_name(),
                            vec![var("actor", rule.implier.span), string(&rule.implier), related_var],
                            rule.implier.span,
                        );
                        // Oso puts `has_relation` first (its docs show the opposite order).
                        Some(Term::new(TermKind::And(vec![has_relation, implier_call]), rule.implier.span))
                    }
                    _ => None,
                }
            }
        };
        let failed = !errors.is_empty();
        self.diagnostics.extend(errors);
        if failed {
            return None;
        }
        let (head_kind, body) = (head_kind?, body?);

        let head = &rule.head;
        let instance = |tag: &Ident, span: Span| {
            Some(Term::new(TermKind::Instance { tag: tag.clone(), fields: Vec::new(), bare: false }, span))
        };
        let params = vec![
            Param {
                value: var("actor", head.span),
                specializer: instance(&Ident { name: ACTOR_UNION.into(), span: head.span }, head.span),
                span: head.span,
            },
            Param { value: string(head), specializer: None, span: head.span },
            Param {
                value: resource_var(resource, head.span),
                specializer: instance(resource, resource.span),
                span: head.span,
            },
        ];
        let name = Ident { name: head_kind.rule_name().into(), span: head.span };
        Some((name, params, body))
    }

    fn is_unknown(&self, block: &str, term: &str) -> bool {
        self.unknown_terms.get(block).is_some_and(|names| names.contains(term))
    }

    /// The block of a class, by name ([`Program::block`] with an index).
    fn block(&self, name: &str) -> Option<&Block> {
        self.block_index.get(name).map(|&i| &self.program.blocks[i])
    }

    /// A declared term of a block of the program ([`Block::declaration`] with an index).
    fn declaration<'b>(&self, block: &'b Block, term: &str) -> Option<&'b Declared> {
        let i = *self.block_index.get(&block.name)?;
        self.declaration_index[i].get(term).map(|&d| &block.declarations[d])
    }

    /// Looks a shorthand term up in its own block; reports it when undeclared.
    fn lookup<'b>(
        &self,
        block: &'b Block,
        term: &StrLit,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<&'b Declared> {
        let found = self.declaration(block, &term.value);
        if found.is_none() && !self.is_unknown(&block.name, &term.value) {
            let mut d = Diagnostic::error(
                codes::UNDECLARED_TERM,
                term.span,
                format!("undeclared term \"{}\" in resource block `{}`", term.value, block.name),
            )
            .with_label("not declared in this block");
            match did_you_mean(&term.value, block.declarations.iter().map(|d| d.name.as_str())) {
                Some(s) => {
                    d.message.push_str(&format!("; did you mean \"{s}\"?"));
                    if let Some(decl) = self.declaration(block, s) {
                        d = d.with_secondary(decl.span, format!("\"{s}\" is declared here"));
                    }
                }
                None => {
                    d = d.with_help(format!(
                        "declare it as a role, permission or relation: `roles = [\"{}\"];`",
                        term.value
                    ))
                }
            }
            errors.push(d);
        }
        found
    }

    /// The block that the relation after `on` leads to, with the relation's class.
    fn related_block<'b>(
        &'b self,
        block: &'b Block,
        relation: &StrLit,
        implier: &StrLit,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<(&'b Block, &'b Ident)> {
        let declared = self.lookup(block, relation, errors)?;
        let Some(target) = &declared.target else {
            errors.push(
                Diagnostic::error(
                    codes::NOT_A_RELATION,
                    relation.span,
                    format!(
                        "\"{}\" is declared as a {} in resource block `{}`, but only a relation can follow `on`",
                        relation.value, declared.kind, block.name
                    ),
                )
                .with_label(format!("a {}, not a relation", declared.kind))
                .with_secondary(declared.span, format!("declared as a {} here", declared.kind))
                .with_help(format!("declare it in `relations = {{ {}: SomeClass }};`", relation.value)),
            );
            return None;
        };
        match self.block(&target.name) {
            Some(related) => Some((related, target)),
            None => {
                errors.push(
                    Diagnostic::error(
                        codes::MISSING_RELATED_BLOCK,
                        relation.span,
                        format!(
                            "relation \"{}\" in `\"{}\" on \"{}\"` has type `{}`, but `{}` has no resource block",
                            relation.value, implier.value, relation.value, target.name, target.name
                        ),
                    )
                    .with_label(format!("leads to `{}`", target.name))
                    .with_secondary(target.span, "declared here")
                    .with_help(format!(
                        "declare a block for it, e.g. `resource {} {{ roles = [\"{}\"]; }}`",
                        target.name, implier.value
                    )),
                );
                None
            }
        }
    }

    fn undeclared_in_related(
        &self,
        block: &Block,
        related: &Block,
        relation: &StrLit,
        implier: &StrLit,
    ) -> Diagnostic {
        let mut d = Diagnostic::error(
            codes::UNDECLARED_IN_RELATED_BLOCK,
            implier.span,
            format!(
                "term \"{}\" is not declared in resource block `{}`, which relation \"{}\" of `{}` leads to",
                implier.value, related.name, relation.value, block.name
            ),
        )
        .with_label(format!("not declared in `{}`", related.name))
        .with_secondary(related.span(), format!("`{}` is declared here", related.name));
        match did_you_mean(&implier.value, related.declarations.iter().map(|d| d.name.as_str())) {
            Some(s) => d.message.push_str(&format!("; did you mean \"{s}\"?")),
            None => {
                d = d.with_help(format!(
                    "declare \"{}\" as a role, permission or relation in the `{}` block",
                    implier.value, related.name
                ))
            }
        }
        d
    }

    /// Rule types generated from the blocks (`kb.rs::create_resource_specific_rule_types`):
    /// `has_relation(subject: T, "rel", object: R)` for each relation `rel: T` of `R`,
    /// required when a shorthand rule traverses the relation; `has_role(actor: Actor, role:
    /// String, resource: Resource)`, required, when any block declares a role.
    fn add_generated_rule_types(&mut self) {
        // (subject, relation, object) -> (declaration span, required_by spans), in order of
        // first appearance.
        type Key = (String, String, String);
        let mut tuples: Vec<(Key, Span, Vec<Span>)> = Vec::new();
        let mut index: BTreeMap<Key, usize> = BTreeMap::new();
        let mut add = |key: Key, span: Span, required_by: Option<Span>| {
            let i = *index.entry(key.clone()).or_insert_with(|| {
                tuples.push((key, span, Vec::new()));
                tuples.len() - 1
            });
            tuples[i].2.extend(required_by);
        };
        for block in &self.program.blocks {
            for rel in block.relations() {
                let target = rel.target.as_ref().expect("relations have a target");
                add((target.name.clone(), rel.name.clone(), block.name.clone()), rel.span, None);
            }
        }
        let relation_of = |block: &str, term: &str| -> Option<(&Declared, String)> {
            let d = self.declaration(self.block(block)?, term)?;
            Some((d, d.target.as_ref()?.name.clone()))
        };
        for block in &self.program.blocks {
            for shorthand in &block.shorthand_rules {
                let rule = &shorthand.rule;
                match &rule.relation {
                    Some((_, relation)) => {
                        if let Some((decl, subject)) = relation_of(&block.name, &relation.value) {
                            add(
                                (subject.clone(), relation.value.clone(), block.name.clone()),
                                decl.span,
                                Some(relation.span),
                            );
                            if let Some((decl, related_subject)) = relation_of(&subject, &rule.implier.value)
                            {
                                add(
                                    (related_subject, rule.implier.value.clone(), subject.clone()),
                                    decl.span,
                                    Some(rule.implier.span),
                                );
                            }
                        }
                    }
                    None => {
                        if let Some((decl, subject)) = relation_of(&block.name, &rule.implier.value) {
                            add(
                                (subject, rule.implier.value.clone(), block.name.clone()),
                                decl.span,
                                Some(rule.implier.span),
                            );
                        }
                    }
                }
            }
        }
        for ((subject, relation, object), span, required_by) in tuples {
            let instance = |tag: &str| {
                Some(Term::new(
                    TermKind::Instance {
                        tag: Ident { name: tag.into(), span },
                        fields: Vec::new(),
                        bare: true,
                    },
                    span,
                ))
            };
            let params = vec![
                Param { value: var("subject", span), specializer: instance(&subject), span },
                Param { value: Term::new(TermKind::String(relation), span), specializer: None, span },
                Param { value: var("object", span), specializer: instance(&object), span },
            ];
            self.program.rule_types.push(RuleType {
                name: "has_relation".into(),
                params,
                required: !required_by.is_empty(),
                origin: RuleTypeOrigin::Generated { span, required_by },
                body: None,
            });
        }
        let first_role = self.program.blocks.iter().find_map(|b| b.roles().next().map(|r| r.span));
        if let Some(span) = first_role {
            let mut t = typed_rule_type(
                "has_role",
                &[("actor", Some(ACTOR_UNION)), ("role", Some("String")), ("resource", Some(RESOURCE_UNION))],
                span,
            );
            t.required = true;
            t.origin = RuleTypeOrigin::Generated { span, required_by: Vec::new() };
            self.program.rule_types.push(t);
        }
    }
}

fn duplicate_declaration(
    resource: &str,
    previous: &Declared,
    new: &Declared,
    same_block: bool,
) -> Diagnostic {
    let what = |d: &Declared| match &d.target {
        Some(t) => format!("a relation to `{}`", t.name),
        None => format!("a {}", d.kind),
    };
    let message = if previous.kind == new.kind && previous.target.is_none() {
        format!("{} \"{}\" is declared twice in resource block `{resource}`", new.kind, new.name)
    } else {
        format!(
            "\"{}\" is declared as {} and as {} in resource block `{resource}`",
            new.name,
            what(previous),
            what(new)
        )
    };
    let mut d = Diagnostic::error(codes::DUPLICATE_DECLARATION, new.span, message)
        .with_label("declared again here")
        .with_secondary(previous.span, "first declared here");
    if !same_block {
        d = d.with_note("the block is reopened: declarations of all openings are merged");
    }
    d
}

/// Variable name for an instance of `class` in generated rules (Oso's `resource_name_as_var`):
/// the lowercased name, with `_instance` appended if the name was lowercase already and
/// `related_` prepended for the object reached through a relation.
pub fn resource_name_as_var(class: &str, related: bool) -> String {
    let mut name = class.to_lowercase();
    if name == class {
        name.push_str("_instance");
    }
    if related {
        name.insert_str(0, "related_");
    }
    name
}

fn var(name: &str, span: Span) -> Term {
    Term::new(TermKind::Variable(name.into()), span)
}

fn string(s: &StrLit) -> Term {
    Term::new(TermKind::String(s.value.clone()), s.span)
}

fn resource_var(resource: &Ident, span: Span) -> Term {
    var(&resource_name_as_var(&resource.name, false), span)
}

fn call_term(name: &str, args: Vec<Term>, span: Span) -> Term {
    Term::new(TermKind::Call(Call { name: Ident { name: name.into(), span }, args, kwargs: None }), span)
}

/// A bodiless rule type `name(p1: T1, p2, ...)` with no source.
fn typed_rule_type(name: &str, params: &[(&str, Option<&str>)], span: Span) -> RuleType {
    RuleType {
        name: name.into(),
        params: params
            .iter()
            .map(|(p, tag)| Param {
                value: var(p, span),
                specializer: tag.map(|tag| {
                    Term::new(
                        TermKind::Instance {
                            tag: Ident { name: tag.into(), span },
                            fields: Vec::new(),
                            bare: true,
                        },
                        span,
                    )
                }),
                span,
            })
            .collect(),
        required: false,
        origin: RuleTypeOrigin::Builtin,
        body: None,
    }
}

/// Oso's default rule types (`rules.rs::add_default_rule_types`).
pub fn builtin_rule_types() -> Vec<RuleType> {
    let s = Span::default();
    vec![
        typed_rule_type(
            "has_permission",
            &[
                ("actor", Some(ACTOR_UNION)),
                ("_permission", Some("String")),
                ("resource", Some(RESOURCE_UNION)),
            ],
            s,
        ),
        typed_rule_type("allow", &[("actor", None), ("_action", None), ("resource", None)], s),
        typed_rule_type(
            "allow_field",
            &[("actor", None), ("action", None), ("resource", None), ("field", None)],
            s,
        ),
        typed_rule_type("allow_request", &[("actor", None), ("request", None)], s),
    ]
}

#[cfg(test)]
mod tests;
