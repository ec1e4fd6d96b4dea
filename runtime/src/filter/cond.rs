//! The condition a filter computes: a tree over the columns of the filtered table and of the
//! tables reached through relations (`EXISTS` subqueries), with the known values as
//! parameters. Rendered by sea-query, so values are always bound, never spliced.

use sea_query::{Alias, BinOper, Condition, Expr, Query, SimpleExpr};

use crate::CmpOp;

/// A table of a condition: `0` is the filtered table (named by its table name, so that the
/// caller's `SELECT ... FROM repos` sees it), others are the tables of `EXISTS` subqueries
/// (`_p1`, `_p2`, ...).
pub type TableAlias = u32;

/// A filter's condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// Every row.
    True,
    /// No row.
    False,
    /// All of the parts.
    And(Vec<Cond>),
    /// Any of the parts.
    Or(Vec<Cond>),
    /// Not the part.
    Not(Box<Cond>),
    /// `left op right`.
    Cmp {
        /// The left side.
        left: Operand,
        /// The operator.
        op: CmpOp,
        /// The right side.
        right: Operand,
    },
    /// Some rows of these tables (with their aliases) satisfy the condition.
    Exists {
        /// The tables of the subquery, with their aliases.
        tables: Vec<(&'static str, TableAlias)>,
        /// The condition on them (and on the outer tables).
        cond: Box<Cond>,
    },
}

/// A side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A column of a table of the condition.
    Column(TableAlias, &'static str),
    /// A bound parameter.
    Value(Param),
}

/// A known value, bound as a parameter of the query.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl Cond {
    /// The conjunction, simplified: `True` parts dropped, `False` absorbing.
    pub fn and(parts: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Cond::True => {}
                Cond::False => return Cond::False,
                Cond::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::True,
            1 => out.pop().unwrap_or(Cond::True),
            _ => Cond::And(out),
        }
    }

    /// The disjunction, simplified: `False` parts and repeated parts dropped, `True`
    /// absorbing, `EXISTS` over the same tables merged (`EXISTS a OR EXISTS b` is
    /// `EXISTS (a OR b)`), and conjuncts common to every part factored out. A role granted on
    /// ten organizations is then one subquery with an `IN` list, not ten subqueries.
    pub fn or(parts: Vec<Cond>) -> Cond {
        let mut out: Vec<Cond> = Vec::with_capacity(parts.len());
        let push = |out: &mut Vec<Cond>, c: Cond| {
            if let Cond::Exists { tables, cond } = &c
                && let Some(Cond::Exists { cond: merged, .. }) =
                    out.iter_mut().find(|o| matches!(o, Cond::Exists { tables: t, .. } if t == tables))
            {
                let previous = std::mem::replace(&mut **merged, Cond::False);
                **merged = Cond::or(vec![previous, (**cond).clone()]);
                return;
            }
            if !out.contains(&c) {
                out.push(c);
            }
        };
        for part in parts {
            match part {
                Cond::False => {}
                Cond::True => return Cond::True,
                Cond::Or(inner) => inner.into_iter().for_each(|c| push(&mut out, c)),
                other => push(&mut out, other),
            }
        }
        match out.len() {
            0 => Cond::False,
            1 => out.pop().unwrap_or(Cond::False),
            _ => factor(out),
        }
    }

    /// The negation, simplified.
    #[allow(clippy::should_implement_trait)]
    pub fn not(inner: Cond) -> Cond {
        match inner {
            Cond::True => Cond::False,
            Cond::False => Cond::True,
            Cond::Not(c) => *c,
            other => Cond::Not(Box::new(other)),
        }
    }

    /// Some rows of `tables` satisfy `cond` (just `cond` without tables).
    pub fn exists(tables: Vec<(&'static str, TableAlias)>, cond: Cond) -> Cond {
        if tables.is_empty() || matches!(cond, Cond::False) {
            cond
        } else {
            Cond::Exists { tables, cond: Box::new(cond) }
        }
    }

    /// The condition for sea-query, the filtered table named `root`.
    pub fn to_sea(&self, root: &'static str) -> SimpleExpr {
        match self {
            Cond::True => Expr::cust("1 = 1"),
            Cond::False => Expr::cust("1 = 0"),
            Cond::And(parts) => {
                let mut c = Condition::all();
                for p in parts {
                    c = c.add(p.to_sea(root));
                }
                c.into()
            }
            Cond::Or(parts) => {
                // `col = ? OR col = ? ...` on one column is `col IN (?, ?, ...)`.
                let mut c = Condition::any();
                let mut lists: Vec<(TableAlias, &'static str, Vec<sea_query::Value>)> = Vec::new();
                for p in parts {
                    if let Cond::Cmp {
                        left: Operand::Column(t, col),
                        op: CmpOp::Eq,
                        right: Operand::Value(v),
                    } = p
                    {
                        match lists.iter_mut().find(|(lt, lc, _)| lt == t && lc == col) {
                            Some((_, _, values)) => values.push(v.to_sea()),
                            None => lists.push((*t, col, vec![v.to_sea()])),
                        }
                    } else {
                        c = c.add(p.to_sea(root));
                    }
                }
                for (t, col, values) in lists {
                    let column = column(root, t, col);
                    c = c.add(if values.len() == 1 {
                        column.eq(values.into_iter().next().unwrap_or(sea_query::Value::Bool(None)))
                    } else {
                        column.is_in(values)
                    });
                }
                c.into()
            }
            Cond::Not(inner) => Condition::all().not().add(inner.to_sea(root)).into(),
            Cond::Cmp { left, op, right } => {
                let op = match op {
                    CmpOp::Eq => BinOper::Equal,
                    CmpOp::Ne => BinOper::NotEqual,
                    CmpOp::Lt => BinOper::SmallerThan,
                    CmpOp::Le => BinOper::SmallerThanOrEqual,
                    CmpOp::Gt => BinOper::GreaterThan,
                    CmpOp::Ge => BinOper::GreaterThanOrEqual,
                };
                left.to_sea(root).binary(op, right.to_sea(root))
            }
            Cond::Exists { tables, cond } => {
                let mut select = Query::select();
                select.expr(Expr::val(1));
                for (table, alias) in tables {
                    select.from_as(Alias::new(*table), Alias::new(alias_name(root, *alias)));
                }
                select.and_where(cond.to_sea(root));
                Expr::exists(select)
            }
        }
    }
}

/// `(c AND a) OR (c AND b)` as `c AND (a OR b)`.
fn factor(parts: Vec<Cond>) -> Cond {
    let conjuncts = |c: &Cond| -> Vec<Cond> {
        match c {
            Cond::And(cs) => cs.clone(),
            other => vec![other.clone()],
        }
    };
    let first = conjuncts(&parts[0]);
    let common: Vec<Cond> =
        first.into_iter().filter(|c| parts[1..].iter().all(|p| conjuncts(p).contains(c))).collect();
    if common.is_empty() {
        return Cond::Or(parts);
    }
    let rest: Vec<Cond> = parts
        .iter()
        .map(|p| Cond::and(conjuncts(p).into_iter().filter(|c| !common.contains(c)).collect()))
        .collect();
    let mut all = common;
    all.push(Cond::or(rest));
    Cond::and(all)
}

fn alias_name(root: &'static str, alias: TableAlias) -> String {
    if alias == 0 { root.to_owned() } else { format!("_p{alias}") }
}

fn column(root: &'static str, alias: TableAlias, col: &'static str) -> Expr {
    Expr::col((Alias::new(alias_name(root, alias)), Alias::new(col)))
}

impl Operand {
    fn to_sea(&self, root: &'static str) -> SimpleExpr {
        match self {
            Operand::Column(t, col) => column(root, *t, col).into(),
            Operand::Value(v) => Expr::val(v.to_sea()).into(),
        }
    }
}

impl Param {
    fn to_sea(&self) -> sea_query::Value {
        match self {
            Param::Int(i) => (*i).into(),
            Param::Float(f) => (*f).into(),
            Param::Str(s) => s.clone().into(),
            Param::Bool(b) => (*b).into(),
        }
    }
}
