//! The filter evaluator: runs a policy's plan with the actor and the action known and the
//! resource unknown (or, for "who may?", the action and the resource known and the actor
//! unknown). Known values are read at run time (through [`View`] and
//! [`Polar::field`]); every test that involves the unknown resource, or an instance reached
//! from it through a relation, becomes a condition. Each solution of `allow` is the
//! conjunction of the conditions met on its path; the filter is their disjunction.
//!
//! It never approximates: what it cannot translate exactly (a method call, arithmetic or an
//! ordering of strings on a column, a comparison of an integer with a float column, a cut) is
//! [`FilterError::Refused`] for the whole filter, and a run-time error of the known part is
//! [`FilterError::Runtime`]. Both deny: a list never shows what the check would refuse.

use super::FilterError;
use super::cond::{Cond, Operand as SqlOperand, Param, TableAlias};
use super::meta::{ColumnKind, RelationKind, RelationMeta, TableMeta};
use super::plan::{Arg, Clause, Goal, Op, OpKind, Operand, Pattern, Program};
use crate::support::FieldLookup;
use crate::{CmpOp, Number, RuntimeError, View};

/// How deep rule calls may nest, and how many operations one filter may take: a policy
/// recursing over the unknown resource (a hierarchy) would otherwise never stop.
const MAX_DEPTH: u32 = 256;
const MAX_STEPS: u32 = 1 << 20;

type Res = Result<(), FilterError>;
type K<'k, 'a> = &'k mut dyn FnMut(&mut Eval<'a>) -> Res;

#[derive(Clone, Copy)]
enum Val<'a> {
    Unbound,
    /// Another cell (always an older one).
    Ref(usize),
    Known(View<'a>),
    /// An unknown row of `table`.
    Row(TableAlias, &'static TableMeta),
    /// An unknown column value.
    Col(TableAlias, &'static str, ColumnKind),
    /// The collection a one-to-many or many-to-many relation field holds.
    Rel(TableAlias, &'static TableMeta, &'static RelationMeta),
}

struct Cell<'a> {
    val: Val<'a>,
    /// Class checks on a variable not bound yet (`x: Org` on an output parameter).
    pending: Vec<&'static Pattern>,
}

pub(super) struct Eval<'a> {
    program: &'static Program,
    cells: Vec<Cell<'a>>,
    atoms: Vec<Cond>,
    tables: Vec<(&'static str, TableAlias)>,
    next_alias: TableAlias,
    /// The aliases joined through a many-to-one field: `(alias, its key, the row, the row's
    /// foreign-key column)`.
    total: Vec<(TableAlias, &'static str, TableAlias, &'static str)>,
    depth: u32,
    steps: u32,
}

/// The condition under which `actor` may do `action` to a row of `table`.
pub(super) fn allow<'a>(
    program: &'static Program,
    actor: View<'a>,
    action: &'a str,
    table: &'static TableMeta,
) -> Result<Cond, FilterError> {
    solve(program, [Val::Known(actor), Val::Known(View::Str(action)), Val::Row(0, table)])
}

/// The condition under which a row of `table` may do `action` to `resource` ("who may?").
pub(super) fn actors<'a>(
    program: &'static Program,
    table: &'static TableMeta,
    action: &'a str,
    resource: View<'a>,
) -> Result<Cond, FilterError> {
    solve(program, [Val::Row(0, table), Val::Known(View::Str(action)), Val::Known(resource)])
}

fn solve<'a>(program: &'static Program, args: [Val<'a>; 3]) -> Result<Cond, FilterError> {
    let Some(allow) = program.allow else { return Ok(Cond::False) };
    let mut ev = Eval {
        program,
        cells: Vec::new(),
        atoms: Vec::new(),
        tables: Vec::new(),
        next_alias: 1,
        total: Vec::new(),
        depth: 0,
        steps: 0,
    };
    for val in args {
        ev.cells.push(Cell { val, pending: Vec::new() });
    }
    static ARGS: [Arg; 3] = [Arg::In(Operand::Slot(0)), Arg::In(Operand::Slot(1)), Arg::In(Operand::Slot(2))];
    let mut solutions = Vec::new();
    ev.call_args(allow, &ARGS, 0, &mut |ev| {
        solutions.push(ev.solution(0, 0));
        Ok(())
    })?;
    Ok(Cond::or(solutions))
}

impl<'a> Eval<'a> {
    /// The conditions met since `atoms`/`tables` had these lengths, under `EXISTS` for the
    /// tables joined since.
    ///
    /// A row joined through a many-to-one field whose key is all the solution reads of it
    /// is not joined: `EXISTS (SELECT 1 FROM orgs p WHERE p.id = repos.org_id AND p.id IN
    /// (...))` is `repos.org_id IN (...)`, which an index serves. Exact because the field is
    /// total (its Rust type is not an `Option`): every row's foreign key names a row of the
    /// other table (a `NOT NULL REFERENCES` column; see the module documentation).
    fn solution(&self, atoms: usize, tables: usize) -> Cond {
        let mut tables = self.tables[tables..].to_vec();
        let mut atoms = self.atoms[atoms..].to_vec();
        for &(alias, key, row, fk) in &self.total {
            if !tables.iter().any(|(_, a)| *a == alias) {
                continue;
            }
            let link = Cond::Cmp {
                left: SqlOperand::Column(alias, key),
                op: CmpOp::Eq,
                right: SqlOperand::Column(row, fk),
            };
            let Some(at) = atoms.iter().position(|a| *a == link) else { continue };
            let mut rest: Vec<Cond> = atoms.clone();
            rest.remove(at);
            if rest.iter().all(|a| only_key(a, alias, key)) {
                atoms = rest.into_iter().map(|a| substitute(a, (alias, key), (row, fk))).collect();
                tables.retain(|(_, a)| *a != alias);
            }
        }
        Cond::exists(tables, Cond::and(atoms))
    }

    fn step(&mut self) -> Res {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(FilterError::Runtime(RuntimeError::SearchLimit { limit: MAX_STEPS }));
        }
        Ok(())
    }

    fn with_atom(&mut self, atom: Cond, k: K<'_, 'a>) -> Res {
        match atom {
            Cond::True => k(self),
            Cond::False => Ok(()),
            atom => {
                self.atoms.push(atom);
                let r = k(self);
                self.atoms.pop();
                r
            }
        }
    }

    /// Joins a row of `table`: a new alias, quantified in the solutions that use it.
    fn join(&mut self, table: &'static str) -> TableAlias {
        let alias = self.next_alias;
        self.next_alias += 1;
        self.tables.push((table, alias));
        alias
    }

    fn deref(&self, mut cell: usize) -> usize {
        while let Val::Ref(next) = self.cells[cell].val {
            cell = next;
        }
        cell
    }

    /// The value of a cell, through references; `Unbound` keeps the cell it is.
    fn value(&self, cell: usize) -> (usize, Val<'a>) {
        let cell = self.deref(cell);
        (cell, self.cells[cell].val)
    }

    fn operand(
        &mut self,
        op: &'static Operand,
        base: usize,
        at: &'static str,
    ) -> Result<(Option<usize>, Val<'a>), FilterError> {
        Ok(match op {
            Operand::Slot(s) => {
                let (cell, val) = self.value(base + *s as usize);
                (Some(cell), val)
            }
            Operand::Str(s) => (None, Val::Known(View::Str(s))),
            Operand::Int(i) => (None, Val::Known(View::Int(*i))),
            Operand::Float(f) => (None, Val::Known(View::Float(*f))),
            Operand::Bool(b) => (None, Val::Known(View::Bool(*b))),
            Operand::Nil => (None, Val::Known(View::Absent)),
            Operand::Field(object, field) => {
                // `{org_id: org.id}`: read without a join, so only a column of a row or a
                // field of a known instance.
                let (_, obj) = self.operand(object, base, at)?;
                let v = match obj {
                    Val::Known(View::Instance { value, class, .. }) => match value.field(field) {
                        FieldLookup::Value(v) => Val::Known(v.view()),
                        FieldLookup::Missing => {
                            return Err(runtime(RuntimeError::Unsupported { what: missing_field(class) }));
                        }
                        FieldLookup::Opaque => {
                            return Err(refused(at, "a field whose type is not a Polar value"));
                        }
                    },
                    Val::Row(t, table) => match table.column(field) {
                        Some(col) => Val::Col(t, col.column, col.kind),
                        None => {
                            return Err(refused(
                                at,
                                format!(
                                    "`{field}` of `{}` inside a pattern, which is not a column of its table",
                                    table.class
                                ),
                            ));
                        }
                    },
                    _ => {
                        return Err(refused(
                            at,
                            "a field inside a pattern of a value that is neither an instance nor a row",
                        ));
                    }
                };
                (None, v)
            }
            Operand::List(..) => return Err(refused(at, "a list as a value")),
        })
    }

    fn goal(&mut self, goal: &'static Goal, base: usize, k: K<'_, 'a>) -> Res {
        match goal {
            Goal::And(goals) => self.and(goals, base, k),
            Goal::Or(goals) => {
                for g in *goals {
                    self.goal(g, base, k)?;
                }
                Ok(())
            }
            Goal::Not(inner) => {
                let sub = self.collect(|ev, push| ev.goal(inner, base, push))?;
                self.with_atom(Cond::not(sub), k)
            }
            Goal::Forall(cond, action) => {
                // Oso's `not (cond and not action)`.
                let sub = self.collect(|ev, push| {
                    ev.goal(cond, base, &mut |ev| {
                        let inner = ev.collect(|ev, push| ev.goal(action, base, push))?;
                        ev.with_atom(Cond::not(inner), push)
                    })
                })?;
                self.with_atom(Cond::not(sub), k)
            }
            Goal::True => k(self),
            Goal::Fail => Ok(()),
            Goal::Op(op) => self.op(op, base, k),
        }
    }

    fn and(&mut self, goals: &'static [Goal], base: usize, k: K<'_, 'a>) -> Res {
        match goals.split_first() {
            None => k(self),
            Some((first, rest)) => self.goal(first, base, &mut |ev| ev.and(rest, base, k)),
        }
    }

    /// The disjunction of the solutions of `run`, relative to the current path (a `not`).
    fn collect(&mut self, run: impl FnOnce(&mut Self, K<'_, 'a>) -> Res) -> Result<Cond, FilterError> {
        let (atoms, tables) = (self.atoms.len(), self.tables.len());
        let mut found = Vec::new();
        run(self, &mut |ev| {
            found.push(ev.solution(atoms, tables));
            Ok(())
        })?;
        self.tables.truncate(tables);
        Ok(Cond::or(found))
    }

    fn op(&mut self, op: &'static Op, base: usize, k: K<'_, 'a>) -> Res {
        self.step()?;
        let at = op.at;
        match &op.kind {
            OpKind::Bind { dst, value } => {
                let (vc, v) = self.operand(value, base, at)?;
                let (cell, current) = self.value(base + *dst as usize);
                self.unify(Some(cell), current, vc, v, at, k)
            }
            OpKind::Unify { left, right } => {
                let (lc, l) = self.operand(left, base, at)?;
                let (rc, r) = self.operand(right, base, at)?;
                self.unify(lc, l, rc, r, at, k)
            }
            OpKind::Compare { op, left, right } => {
                let (_, l) = self.operand(left, base, at)?;
                let (_, r) = self.operand(right, base, at)?;
                let cond = self.compare(*op, l, r, at)?;
                self.with_atom(cond, k)
            }
            OpKind::Truthy(value) => match self.operand(value, base, at)?.1 {
                Val::Known(View::Bool(true)) => k(self),
                Val::Known(View::Bool(false)) => Ok(()),
                Val::Col(t, col, ColumnKind::Boolean) => self.with_atom(
                    Cond::Cmp {
                        left: SqlOperand::Column(t, col),
                        op: CmpOp::Eq,
                        right: SqlOperand::Value(Param::Bool(true)),
                    },
                    k,
                ),
                Val::Unbound | Val::Ref(_) => Err(runtime(RuntimeError::Unsupported {
                    what: "an unbound variable used as a condition",
                })),
                _ => Err(runtime(RuntimeError::Unsupported {
                    what: "a value that is not a boolean used as a condition",
                })),
            },
            OpKind::Match { value, pattern, narrowed } => {
                let (cell, v) = self.operand(value, base, at)?;
                let narrowed = *narrowed;
                self.match_pattern(cell, v, pattern, base, at, &mut |ev| match narrowed {
                    Some(slot) => {
                        let (dst, _) = ev.value(base + slot as usize);
                        let (vc, v) = match cell {
                            Some(c) => {
                                let (c, v) = ev.value(c);
                                (Some(c), v)
                            }
                            None => (None, v),
                        };
                        let current = ev.value(dst).1;
                        ev.unify(Some(dst), current, vc, v, at, k)
                    }
                    None => k(ev),
                })
            }
            OpKind::Lookup { dst, object, field } => {
                let (_, obj) = self.operand(object, base, at)?;
                let dst = self.value(base + *dst as usize).0;
                self.lookup(obj, field, at, &mut |ev, v| ev.unify_cell(dst, v, at, k))
            }
            OpKind::Arith { dst, op, left, right } => {
                let (_, l) = self.operand(left, base, at)?;
                let (_, r) = self.operand(right, base, at)?;
                let (Some(l), Some(r)) = (number(l), number(r)) else {
                    return Err(refused(at, "arithmetic on a value that is not a known number"));
                };
                let v = match op.apply(l, r).map_err(runtime)? {
                    Number::Int(i) => View::Int(i),
                    Number::Float(f) => View::Float(f),
                };
                let dst = self.value(base + *dst as usize).0;
                self.unify_cell(dst, Val::Known(v), at, k)
            }
            OpKind::Iterate { item, collection } => {
                let (_, coll) = self.operand(collection, base, at)?;
                self.iterate(coll, item, base, at, k)
            }
            OpKind::Call { rule, args } => self.call_args(*rule, args, base, k),
            OpKind::Refused(why) => Err(refused(at, *why)),
        }
    }

    fn call_args(&mut self, rule: usize, args: &'static [Arg], base: usize, k: K<'_, 'a>) -> Res {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(runtime(RuntimeError::RecursionLimit { limit: MAX_DEPTH }));
        }
        let rule = &self.program.rules[rule];
        let mut result = Ok(());
        for clause in rule.clauses {
            if let Err(e) = self.clause(clause, args, base, k) {
                result = Err(e);
                break;
            }
        }
        self.depth -= 1;
        result
    }

    fn clause(&mut self, clause: &'static Clause, args: &'static [Arg], base: usize, k: K<'_, 'a>) -> Res {
        let frame = self.cells.len();
        for _ in 0..clause.slots {
            self.cells.push(Cell { val: Val::Unbound, pending: Vec::new() });
        }
        for (i, arg) in args.iter().enumerate() {
            let val = match arg {
                Arg::In(op) => match self.operand(op, base, clause.at)? {
                    (Some(cell), Val::Unbound) => Val::Ref(cell),
                    (_, v) => v,
                },
                Arg::Out(Some(slot)) => Val::Ref(self.deref(base + *slot as usize)),
                Arg::Out(None) => Val::Unbound,
            };
            self.cells[frame + i].val = val;
        }
        let r = self.and(clause.head, frame, &mut |ev| ev.goal(&clause.body, frame, k));
        self.cells.truncate(frame);
        r
    }

    /// Binds the unbound `cell` to `v` (checking its pending class checks), or unifies.
    fn unify_cell(&mut self, cell: usize, v: Val<'a>, at: &'static str, k: K<'_, 'a>) -> Res {
        let (cell, current) = self.value(cell);
        if !matches!(current, Val::Unbound) {
            return self.unify(Some(cell), current, None, v, at, k);
        }
        self.bind(cell, v, at, k)
    }

    fn bind(&mut self, cell: usize, v: Val<'a>, at: &'static str, k: K<'_, 'a>) -> Res {
        let pending = std::mem::take(&mut self.cells[cell].pending);
        self.cells[cell].val = v;
        let r = self.check_pending(cell, &pending, at, k);
        self.cells[cell].val = Val::Unbound;
        self.cells[cell].pending = pending;
        r
    }

    fn check_pending(
        &mut self,
        cell: usize,
        pending: &[&'static Pattern],
        at: &'static str,
        k: K<'_, 'a>,
    ) -> Res {
        match pending.split_first() {
            None => k(self),
            Some((first, rest)) => {
                let v = self.value(cell).1;
                self.match_pattern(Some(cell), v, first, 0, at, &mut |ev| ev.check_pending(cell, rest, at, k))
            }
        }
    }

    fn unify(
        &mut self,
        lc: Option<usize>,
        l: Val<'a>,
        rc: Option<usize>,
        r: Val<'a>,
        at: &'static str,
        k: K<'_, 'a>,
    ) -> Res {
        match (l, r) {
            (Val::Unbound, Val::Unbound) => {
                let (Some(a), Some(b)) = (lc, rc) else { return k(self) };
                if a == b {
                    return k(self);
                }
                // The newer cell refers to the older: frames are popped newest first.
                let (old, new) = if a < b { (a, b) } else { (b, a) };
                let pending = std::mem::take(&mut self.cells[new].pending);
                let before = self.cells[old].pending.len();
                self.cells[old].pending.extend(pending.iter().copied());
                self.cells[new].val = Val::Ref(old);
                let r = k(self);
                self.cells[new].val = Val::Unbound;
                self.cells[new].pending = pending;
                self.cells[old].pending.truncate(before);
                r
            }
            (Val::Unbound, v) => match lc {
                Some(cell) => self.bind(cell, v, at, k),
                None => k(self),
            },
            (v, Val::Unbound) => match rc {
                Some(cell) => self.bind(cell, v, at, k),
                None => k(self),
            },
            (l, r) => {
                let cond = self.equal(l, r, at)?;
                self.with_atom(cond, k)
            }
        }
    }

    /// `l = r` on two bound values, as a condition.
    fn equal(&mut self, l: Val<'a>, r: Val<'a>, at: &'static str) -> Result<Cond, FilterError> {
        Ok(match (l, r) {
            (Val::Known(a), Val::Known(b)) => bool_cond(crate::support::unify_views(a, b).map_err(runtime)?),
            (Val::Row(ta, a), Val::Row(tb, b)) => {
                if a.class != b.class {
                    Cond::False
                } else {
                    Cond::Cmp {
                        left: SqlOperand::Column(ta, a.key),
                        op: CmpOp::Eq,
                        right: SqlOperand::Column(tb, b.key),
                    }
                }
            }
            (Val::Row(t, table), Val::Known(v)) | (Val::Known(v), Val::Row(t, table)) => match v {
                View::Instance { class, value, .. } if class == table.class => {
                    let key = match value.field(table.key_field) {
                        FieldLookup::Value(key) => key.view(),
                        _ => return Err(refused(at, "an instance whose key field cannot be read")),
                    };
                    let key = param(key, at)?;
                    Cond::Cmp {
                        left: SqlOperand::Column(t, table.key),
                        op: CmpOp::Eq,
                        right: SqlOperand::Value(key),
                    }
                }
                // Oso's host: instances of different classes, or an instance and a value, differ.
                View::Instance { .. }
                | View::Str(_)
                | View::Int(_)
                | View::WideInt(_)
                | View::Float(_)
                | View::Bool(_)
                | View::Absent => Cond::False,
                _ => return Err(refused(at, "comparing a row with a collection or an option")),
            },
            (Val::Col(t, col, kind), Val::Known(v)) | (Val::Known(v), Val::Col(t, col, kind)) => {
                match same_kind(kind, v) {
                    Some(true) => Cond::Cmp {
                        left: SqlOperand::Column(t, col),
                        op: CmpOp::Eq,
                        right: SqlOperand::Value(param(v, at)?),
                    },
                    Some(false) => Cond::False,
                    None => {
                        return Err(refused(
                            at,
                            "comparing an integer with a float column (SQL would not compare them as Oso does)",
                        ));
                    }
                }
            }
            (Val::Col(ta, a, ka), Val::Col(tb, b, kb)) => {
                if ka == kb {
                    Cond::Cmp {
                        left: SqlOperand::Column(ta, a),
                        op: CmpOp::Eq,
                        right: SqlOperand::Column(tb, b),
                    }
                } else if numeric(ka) && numeric(kb) {
                    return Err(refused(at, "comparing an integer column with a float column"));
                } else {
                    Cond::False
                }
            }
            (Val::Row(..), Val::Col(..)) | (Val::Col(..), Val::Row(..)) => Cond::False,
            _ => return Err(refused(at, "comparing a relation's collection as a value")),
        })
    }

    fn compare(&mut self, op: CmpOp, l: Val<'a>, r: Val<'a>, at: &'static str) -> Result<Cond, FilterError> {
        if matches!(l, Val::Unbound | Val::Ref(_)) || matches!(r, Val::Unbound | Val::Ref(_)) {
            return Err(runtime(RuntimeError::Unsupported { what: "a comparison with an unbound variable" }));
        }
        match op {
            CmpOp::Eq => return self.equal(l, r, at),
            CmpOp::Ne => return Ok(Cond::not(self.equal(l, r, at)?)),
            _ => {}
        }
        Ok(match (l, r) {
            (Val::Known(a), Val::Known(b)) => bool_cond(order_views(op, a, b).map_err(runtime)?),
            (Val::Col(t, col, kind), Val::Known(v)) => {
                order_col(SqlOperand::Column(t, col), kind, op, v, at)?
            }
            (Val::Known(v), Val::Col(t, col, kind)) => {
                order_col(SqlOperand::Column(t, col), kind, flip(op), v, at)?
            }
            (Val::Col(ta, a, ka), Val::Col(tb, b, kb)) if ka == kb && numeric(ka) => {
                Cond::Cmp { left: SqlOperand::Column(ta, a), op, right: SqlOperand::Column(tb, b) }
            }
            _ => return Err(refused(at, "an ordering comparison SQL does not evaluate as Oso does")),
        })
    }

    fn lookup(
        &mut self,
        obj: Val<'a>,
        field: &'static str,
        at: &'static str,
        k: &mut dyn FnMut(&mut Self, Val<'a>) -> Res,
    ) -> Res {
        match obj {
            Val::Known(View::Instance { value, class, .. }) => match value.field(field) {
                FieldLookup::Value(v) => k(self, Val::Known(v.view())),
                FieldLookup::Missing => {
                    Err(runtime(RuntimeError::Unsupported { what: missing_field(class) }))
                }
                FieldLookup::Opaque => Err(refused(at, "a field whose type is not a Polar value")),
            },
            Val::Known(View::Dict(d)) => match d.get(field) {
                Some(v) => k(self, Val::Known(v)),
                None => Ok(()),
            },
            Val::Known(_) => {
                Err(runtime(RuntimeError::Unsupported { what: "a field lookup on a value without fields" }))
            }
            Val::Row(t, table) => {
                if let Some(col) = table.column(field) {
                    return k(self, Val::Col(t, col.column, col.kind));
                }
                let Some(rel) = table.relation(field) else {
                    return Err(refused(
                        at,
                        format!(
                            "the field `{field}` of `{}` is neither a column nor a relation of its table mapping",
                            table.class
                        ),
                    ));
                };
                match rel.kind {
                    RelationKind::ManyToOne { fk } => {
                        let target = (rel.target)();
                        let alias = self.join(target.table);
                        let link = Cond::Cmp {
                            left: SqlOperand::Column(alias, target.key),
                            op: CmpOp::Eq,
                            right: SqlOperand::Column(t, fk),
                        };
                        self.atoms.push(link);
                        self.total.push((alias, target.key, t, fk));
                        let r = k(self, Val::Row(alias, target));
                        self.total.pop();
                        self.atoms.pop();
                        self.tables.pop();
                        r
                    }
                    _ => k(self, Val::Rel(t, table, rel)),
                }
            }
            Val::Col(..) => {
                Err(runtime(RuntimeError::Unsupported { what: "a field lookup on a value without fields" }))
            }
            Val::Rel(..) => Err(refused(at, "a field of a collection")),
            Val::Unbound | Val::Ref(_) => {
                Err(runtime(RuntimeError::Unsupported { what: "a field lookup on an unbound variable" }))
            }
        }
    }

    fn iterate(
        &mut self,
        coll: Val<'a>,
        item: &'static Pattern,
        base: usize,
        at: &'static str,
        k: K<'_, 'a>,
    ) -> Res {
        match coll {
            Val::Known(View::List(list)) => {
                for i in 0..list.len() {
                    if let Some(v) = list.get(i) {
                        self.match_pattern(None, Val::Known(v), item, base, at, k)?;
                    }
                }
                Ok(())
            }
            Val::Rel(t, table, rel) => {
                if let RelationKind::ManyToOne { .. } = rel.kind {
                    // `lookup` makes a many-to-one field a row, never a collection.
                    return Err(refused(at, "`in` over a single related row"));
                }
                let target = (rel.target)();
                let before = self.tables.len();
                let alias = self.join(target.table);
                let links = match rel.kind {
                    RelationKind::OneToMany { fk } => vec![Cond::Cmp {
                        left: SqlOperand::Column(alias, fk),
                        op: CmpOp::Eq,
                        right: SqlOperand::Column(t, table.key),
                    }],
                    RelationKind::ManyToMany { table: join, here, there } => {
                        let j = self.join(join);
                        vec![
                            Cond::Cmp {
                                left: SqlOperand::Column(j, here),
                                op: CmpOp::Eq,
                                right: SqlOperand::Column(t, table.key),
                            },
                            Cond::Cmp {
                                left: SqlOperand::Column(j, there),
                                op: CmpOp::Eq,
                                right: SqlOperand::Column(alias, target.key),
                            },
                        ]
                    }
                    RelationKind::ManyToOne { .. } => Vec::new(),
                };
                let n = links.len();
                self.atoms.extend(links);
                let r = self.match_pattern(None, Val::Row(alias, target), item, base, at, k);
                self.atoms.truncate(self.atoms.len() - n);
                self.tables.truncate(before);
                r
            }
            Val::Known(_) => {
                Err(runtime(RuntimeError::Unsupported { what: "`in` over a value that is not a list" }))
            }
            _ => Err(refused(at, "`in` over a value of the filtered row that is not a relation")),
        }
    }

    fn match_pattern(
        &mut self,
        cell: Option<usize>,
        v: Val<'a>,
        pattern: &'static Pattern,
        base: usize,
        at: &'static str,
        k: K<'_, 'a>,
    ) -> Res {
        match pattern {
            Pattern::Any => k(self),
            Pattern::Bind(slot) => {
                let (dst, _) = self.value(base + *slot as usize);
                match v {
                    Val::Unbound => match cell {
                        Some(c) => self.unify(Some(dst), Val::Unbound, Some(c), Val::Unbound, at, k),
                        None => k(self),
                    },
                    v => self.unify_cell(dst, v, at, k),
                }
            }
            Pattern::Value(op) => {
                let (rc, r) = self.operand(op, base, at)?;
                self.unify(cell, v, rc, r, at, k)
            }
            Pattern::Class { classes, fields } => match v {
                Val::Unbound => {
                    let Some(c) = cell else { return k(self) };
                    self.cells[c].pending.push(pattern);
                    let r = k(self);
                    self.cells[c].pending.pop();
                    r
                }
                Val::Known(view) => {
                    if !classes.contains(&view.class_name()) {
                        return Ok(());
                    }
                    self.match_fields(v, fields, base, at, k)
                }
                Val::Row(_, table) => {
                    if !classes.contains(&table.class) {
                        return Ok(());
                    }
                    self.match_fields(v, fields, base, at, k)
                }
                Val::Col(_, _, kind) => {
                    if !classes.contains(&kind_class(kind)) {
                        return Ok(());
                    }
                    if fields.is_empty() { k(self) } else { Ok(()) }
                }
                Val::Rel(..) => Err(refused(at, "a class check on a relation's collection")),
                Val::Ref(_) => Err(refused(at, "an unresolved reference")),
            },
            Pattern::Dict(fields) => match v {
                Val::Known(View::Instance { .. } | View::Dict(_)) | Val::Row(..) => {
                    self.match_fields(v, fields, base, at, k)
                }
                Val::Unbound => Err(refused(at, "a dictionary pattern on an unbound variable")),
                _ => Ok(()),
            },
        }
    }

    fn match_fields(
        &mut self,
        v: Val<'a>,
        fields: &'static [(&'static str, Pattern)],
        base: usize,
        at: &'static str,
        k: K<'_, 'a>,
    ) -> Res {
        match fields.split_first() {
            None => k(self),
            Some(((name, pattern), rest)) => {
                if let Val::Known(View::Instance { value, .. }) = v {
                    // A dictionary pattern on an instance without the field fails (Oso's isa).
                    if let FieldLookup::Missing = value.field(name) {
                        return Ok(());
                    }
                }
                self.lookup(v, name, at, &mut |ev, field| {
                    ev.match_pattern(None, field, pattern, base, at, &mut |ev| {
                        ev.match_fields(v, rest, base, at, k)
                    })
                })
            }
        }
    }
}

/// Whether `cond` reads no column of `alias` but `key`.
fn only_key(cond: &Cond, alias: TableAlias, key: &str) -> bool {
    let ok = |o: &SqlOperand| !matches!(o, SqlOperand::Column(a, c) if *a == alias && *c != key);
    match cond {
        Cond::True | Cond::False => true,
        Cond::And(cs) | Cond::Or(cs) => cs.iter().all(|c| only_key(c, alias, key)),
        Cond::Not(c) => only_key(c, alias, key),
        Cond::Cmp { left, right, .. } => ok(left) && ok(right),
        Cond::Exists { cond, .. } => only_key(cond, alias, key),
    }
}

/// `cond` with the column `from` read as `to`.
fn substitute(cond: Cond, from: (TableAlias, &'static str), to: (TableAlias, &'static str)) -> Cond {
    let op = |o: SqlOperand| match o {
        SqlOperand::Column(a, c) if (a, c) == from => SqlOperand::Column(to.0, to.1),
        other => other,
    };
    match cond {
        Cond::And(cs) => Cond::And(cs.into_iter().map(|c| substitute(c, from, to)).collect()),
        Cond::Or(cs) => Cond::Or(cs.into_iter().map(|c| substitute(c, from, to)).collect()),
        Cond::Not(c) => Cond::Not(Box::new(substitute(*c, from, to))),
        Cond::Cmp { left, op: o, right } => Cond::Cmp { left: op(left), op: o, right: op(right) },
        Cond::Exists { tables, cond } => Cond::Exists { tables, cond: Box::new(substitute(*cond, from, to)) },
        other => other,
    }
}

fn refused(at: &'static str, why: impl Into<String>) -> FilterError {
    FilterError::Refused { at, why: why.into() }
}

fn runtime(e: RuntimeError) -> FilterError {
    FilterError::Runtime(e)
}

fn missing_field(class: &'static str) -> &'static str {
    let _ = class;
    "a field lookup of a field the instance does not have"
}

fn bool_cond(b: bool) -> Cond {
    if b { Cond::True } else { Cond::False }
}

fn numeric(kind: ColumnKind) -> bool {
    matches!(kind, ColumnKind::Integer | ColumnKind::Float)
}

fn kind_class(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Integer => "Integer",
        ColumnKind::Float => "Float",
        ColumnKind::String => "String",
        ColumnKind::Boolean => "Boolean",
    }
}

/// Whether a known value is of the column's kind: `Some(false)` when it can never equal a
/// value of the column, `None` when SQL and Oso would compare them differently.
fn same_kind(kind: ColumnKind, v: View<'_>) -> Option<bool> {
    Some(match (kind, v) {
        (ColumnKind::Integer, View::Int(_)) | (ColumnKind::Float, View::Float(_)) => true,
        (ColumnKind::String, View::Str(_)) | (ColumnKind::Boolean, View::Bool(_)) => true,
        (ColumnKind::Integer, View::Float(_) | View::WideInt(_))
        | (ColumnKind::Float, View::Int(_) | View::WideInt(_)) => return None,
        _ => false,
    })
}

fn param(v: View<'_>, at: &'static str) -> Result<Param, FilterError> {
    Ok(match v {
        View::Int(i) => Param::Int(i),
        View::Float(f) => Param::Float(f),
        View::Str(s) => Param::Str(s.to_owned()),
        View::Bool(b) => Param::Bool(b),
        _ => {
            return Err(refused(
                at,
                "a value that is not an integer, float, string or boolean as a parameter",
            ));
        }
    })
}

fn number(v: Val<'_>) -> Option<Number> {
    match v {
        Val::Known(View::Int(i)) => Some(Number::Int(i)),
        Val::Known(View::Float(f)) => Some(Number::Float(f)),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// `column op v` for an ordering: only numbers of the column's own kind translate exactly
/// (string order depends on the database's collation).
fn order_col(
    column: SqlOperand,
    kind: ColumnKind,
    op: CmpOp,
    v: View<'_>,
    at: &'static str,
) -> Result<Cond, FilterError> {
    match (kind, v) {
        (ColumnKind::Integer, View::Int(i)) => {
            Ok(Cond::Cmp { left: column, op, right: SqlOperand::Value(Param::Int(i)) })
        }
        (ColumnKind::Float, View::Float(f)) if !f.is_nan() => {
            Ok(Cond::Cmp { left: column, op, right: SqlOperand::Value(Param::Float(f)) })
        }
        _ => Err(refused(
            at,
            "an ordering comparison SQL does not evaluate as Oso does (strings, booleans, or numbers of another kind)",
        )),
    }
}

/// `a op b` on two known values, as Oso orders them: numbers by value, strings by bytes.
fn order_views(op: CmpOp, a: View<'_>, b: View<'_>) -> Result<bool, RuntimeError> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (View::Int(x), View::Int(y)) => Some(x.cmp(&y)),
        (View::Float(x), View::Float(y)) => x.partial_cmp(&y),
        (View::Str(x), View::Str(y)) => Some(x.cmp(y)),
        _ => {
            return Err(RuntimeError::Unsupported {
                what: "an ordering comparison of values that are not both numbers or both strings",
            });
        }
    };
    Ok(match ord {
        None => false,
        Some(o) => match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
        },
    })
}
