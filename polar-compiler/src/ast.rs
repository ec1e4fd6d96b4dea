//! The syntax tree of a Polar file. Every node carries the [`Span`] of the text it came from.
//!
//! The shape follows Oso 0.27.3's `terms.rs` closely enough that lowering and validation can
//! mirror Oso's own checks, but keeps what Oso throws away: spans on every node, the
//! difference between a fact and a rule with a body, the `{x}` shorthand, and which
//! specializers were written as a bare class name.

use crate::source::Span;

/// A name with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Rule(Rule),
    /// `type name(params);`
    RuleType(Rule),
    /// `?= term;`
    Query(Term),
    ResourceBlock(ResourceBlock),
}

/// A rule, fact or rule type. Facts have `body: None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Option<Term>,
    /// The whole rule, from its name to the `;`.
    pub span: Span,
}

impl Rule {
    /// The span of the head `name(params)`.
    pub fn head_span(&self) -> Span {
        match self.params.last() {
            Some(p) => self.name.span.to(p.span),
            None => self.name.span,
        }
    }
}

/// One parameter of a rule head: `value` or `variable: specializer`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// A variable when there is a specializer; any value expression otherwise.
    pub value: Term,
    /// A pattern: `TermKind::Instance` (also for a bare class name, `x: Foo`),
    /// `TermKind::DictPattern`, a list pattern or a literal.
    pub specializer: Option<Term>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub kind: TermKind,
    pub span: Span,
}

impl Term {
    pub fn new(kind: TermKind, span: Span) -> Self {
        Term { kind, span }
    }

    pub fn as_variable(&self) -> Option<&str> {
        match &self.kind {
            TermKind::Variable(v) => Some(v),
            _ => None,
        }
    }

    /// Calls `f` on this term and every term inside it, parents before children, in
    /// source order. Field keys, class tags and member names are not terms; method-call
    /// and constructor arguments are.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Term)) {
        f(self);
        match &self.kind {
            TermKind::Integer(_)
            | TermKind::Float(_)
            | TermKind::String(_)
            | TermKind::Boolean(_)
            | TermKind::Variable(_)
            | TermKind::Cut
            | TermKind::Error => {}
            TermKind::List { elements, .. } => elements.iter().for_each(|t| t.walk(f)),
            TermKind::Dict(fields) | TermKind::DictPattern(fields) | TermKind::Instance { fields, .. } => {
                fields.iter().for_each(|field| field.value.walk(f))
            }
            TermKind::Call(call) | TermKind::New(call) => call.walk_args(f),
            TermKind::Dot { receiver, member } => {
                receiver.walk(f);
                if let Member::Method(call) = member {
                    call.walk_args(f);
                }
            }
            TermKind::Binary { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            TermKind::Matches { value, pattern } => {
                value.walk(f);
                pattern.walk(f);
            }
            TermKind::Not(t) => t.walk(f),
            TermKind::And(ts)
            | TermKind::Or(ts)
            | TermKind::Print(ts)
            | TermKind::Debug(ts)
            | TermKind::Rewritten { args: ts, .. } => ts.iter().for_each(|t| t.walk(f)),
            TermKind::ForAll { condition, action } => {
                condition.walk(f);
                action.walk(f);
            }
        }
    }
}

impl Call {
    fn walk_args<'a>(&'a self, f: &mut dyn FnMut(&'a Term)) {
        self.args.iter().for_each(|t| t.walk(f));
        self.kwargs.iter().flatten().for_each(|field| field.value.walk(f));
    }
}

/// A `key: value` entry of a dictionary, instance pattern or keyword argument list.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub value: Term,
    /// Written as `{key}`, meaning `{key: key}`.
    pub shorthand: bool,
}

/// A call `name(args)` (rule call, method call, constructor).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Term>,
    /// `Some` when keyword arguments were written (`f(a, k: v)`), even if Oso rejects them later.
    pub kwargs: Option<Vec<Field>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    // Comparison (logical result).
    Eq,
    Neq,
    Lt,
    Leq,
    Gt,
    Geq,
    // Arithmetic (value result).
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Rem,
    // Unification and assignment (logical).
    Unify,
    Assign,
    // Membership (logical).
    In,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Neq => "!=",
            BinOp::Lt => "<",
            BinOp::Leq => "<=",
            BinOp::Gt => ">",
            BinOp::Geq => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "mod",
            BinOp::Rem => "rem",
            BinOp::Unify => "=",
            BinOp::Assign => ":=",
            BinOp::In => "in",
        }
    }
}

/// What follows the `.` of a lookup.
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    /// `x.name`, `x.type`, `x.("name")`: a field (attribute) lookup by a fixed name.
    Field(Ident),
    /// `x.(var)`: a lookup whose key is the value of a variable.
    DynamicKey(Ident),
    /// `x.name(args)`: a method call (zero arguments still makes it a call).
    Method(Call),
}

/// The internal operator-call syntax Oso's grammar accepts: `.(a, b)`, `new(a)`, `in(a, b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewrittenOp {
    Dot,
    New,
    In,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TermKind {
    Integer(i64),
    Float(f64),
    String(String),
    Boolean(bool),
    /// A variable; in a specializer or after `matches` a bare name is a class, see `Instance`.
    Variable(String),
    /// `[a, b, *rest]`.
    List {
        elements: Vec<Term>,
        rest: Option<Ident>,
    },
    /// `{k: v}` as a value.
    Dict(Vec<Field>),
    /// `{k: pattern}` in a pattern position.
    DictPattern(Vec<Field>),
    /// `Tag{k: pattern}` in a pattern position; `Tag` alone (fields empty, `bare` true) in a
    /// specializer or after `matches`.
    Instance {
        tag: Ident,
        fields: Vec<Field>,
        bare: bool,
    },
    /// A rule call (or predicate) `f(args)`.
    Call(Call),
    /// `new Class(args)`.
    New(Call),
    /// `receiver.member`.
    Dot {
        receiver: Box<Term>,
        member: Member,
    },
    Binary {
        op: BinOp,
        left: Box<Term>,
        right: Box<Term>,
    },
    /// `value matches pattern`.
    Matches {
        value: Box<Term>,
        pattern: Box<Term>,
    },
    Not(Box<Term>),
    /// n-ary, flattened as Oso flattens `a and b and c`.
    And(Vec<Term>),
    Or(Vec<Term>),
    ForAll {
        condition: Box<Term>,
        action: Box<Term>,
    },
    Print(Vec<Term>),
    Debug(Vec<Term>),
    Cut,
    Rewritten {
        op: RewrittenOp,
        args: Vec<Term>,
    },
    /// Placeholder for a term that failed to parse; never survives a successful parse.
    Error,
}

/// `actor User { ... }` / `resource Repo { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceBlock {
    /// `actor` or `resource` as written (anything else is a validation error); `None` when absent.
    pub keyword: Option<Ident>,
    pub resource: Ident,
    pub productions: Vec<Production>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Production {
    /// `roles = ["a", "b"];`, `relations = { parent: Org };`
    Declaration { name: Ident, value: DeclarationValue, value_span: Span, span: Span },
    /// `"head" if "implier";` or `"head" if "implier" on "relation";`
    Shorthand(ShorthandRule),
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeclarationValue {
    /// `["a", "b"]`: each string with its span.
    List(Vec<StrLit>),
    /// `{ name: Class }`.
    Dict(Vec<(Ident, Ident)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShorthandRule {
    pub head: StrLit,
    pub implier: StrLit,
    /// `(keyword, relation)`: the keyword should be `on`; validation reports anything else.
    pub relation: Option<(Ident, StrLit)>,
    pub span: Span,
}
