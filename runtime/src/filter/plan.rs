//! The plan of a policy as static data, for the filter evaluator: what the compiler's
//! `filter` emitter writes (`polar!(..., filters = true)`). Only generated code builds these.
#![allow(missing_docs)]

use crate::CmpOp;

/// Every rule the `allow` rule reaches.
pub struct Program {
    pub rules: &'static [Rule],
    /// The index of `allow/3` in `rules`.
    pub allow: Option<usize>,
}

pub struct Rule {
    pub name: &'static str,
    pub clauses: &'static [Clause],
}

pub struct Clause {
    /// `path:line:column` of the clause.
    pub at: &'static str,
    pub slots: u32,
    pub head: &'static [Goal],
    pub body: Goal,
}

pub enum Goal {
    And(&'static [Goal]),
    Or(&'static [Goal]),
    Not(&'static Goal),
    Forall(&'static Goal, &'static Goal),
    True,
    Fail,
    Op(Op),
}

pub struct Op {
    pub at: &'static str,
    pub kind: OpKind,
}

pub enum OpKind {
    Bind {
        dst: u32,
        value: Operand,
    },
    Unify {
        left: Operand,
        right: Operand,
    },
    Compare {
        op: CmpOp,
        left: Operand,
        right: Operand,
    },
    Truthy(Operand),
    Match {
        value: Operand,
        pattern: Pattern,
        narrowed: Option<u32>,
    },
    Lookup {
        dst: u32,
        object: Operand,
        field: &'static str,
    },
    Arith {
        dst: u32,
        op: crate::ArithOp,
        left: Operand,
        right: Operand,
    },
    Iterate {
        item: Pattern,
        collection: Operand,
    },
    Call {
        rule: usize,
        args: &'static [Arg],
    },
    /// What the evaluator does not translate: `why`.
    Refused(&'static str),
}

pub enum Operand {
    Slot(u32),
    Str(&'static str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Field(&'static Operand, &'static str),
    List(&'static [Operand]),
}

pub enum Arg {
    In(Operand),
    Out(Option<u32>),
}

pub enum Pattern {
    Any,
    Bind(u32),
    Value(Operand),
    /// A class (`Org{id: 1}`), `Actor`/`Resource` (the classes of the union) or a built-in
    /// class (`String`, `Integer`, ...): the value's class is one of `classes`.
    Class {
        classes: &'static [&'static str],
        fields: &'static [(&'static str, Pattern)],
    },
    Dict(&'static [(&'static str, Pattern)]),
}
