//! Data filtering: the rows of a table an actor may act on, as one SQL condition.
//!
//! `polar!(file = "...", filters = true)` generates `authorized_filter(&actor, action)` for
//! every resource class with a table mapping (`#[polar(table = "...")]`). The actor and the
//! action are known; the resource is not. The filter evaluator (`eval.rs`) runs the policy's
//! plan over the known values and turns every test on the unknown row into a condition:
//! columns compared with parameters, relations walked as `EXISTS` subqueries. The result is a
//! [`Filter`]: [`Filter::condition`] for a sea-query statement of the caller's,
//! [`Filter::select`] for the whole query, [`Filter::matches`] for a value in memory (the
//! compiled check itself, so that a cache never disagrees with the check).
//!
//! Nothing is approximated: a construct whose SQL meaning differs from Oso's is refused
//! ([`FilterError::Refused`], with the policy location), and a run-time error of the known
//! part is [`FilterError::Runtime`]. Mapped columns must be `NOT NULL` (their Rust types are
//! not `Option`s), and instance equality is key equality, as for rows of one database.

mod cond;
mod eval;
mod meta;
#[doc(hidden)]
pub mod plan;
#[cfg(feature = "sqlx")]
mod run;

use std::fmt;

pub use cond::{Cond, Operand, Param, TableAlias};
pub use meta::{Column, ColumnKind, ColumnMeta, RelationKind, RelationMeta, Table, TableMeta, table_of};
use sea_query::{Alias, Asterisk, Condition, Query, SelectStatement};

use crate::{Polar, RuntimeError};

/// The rows of `R`'s table that an actor may act on.
pub struct Filter<'a, A: ?Sized, R> {
    cond: Cond,
    actor: &'a A,
    action: &'a str,
    check: fn(&A, &str, &R) -> bool,
}

impl<'a, A: ?Sized + Polar, R: Table> Filter<'a, A, R> {
    /// What generated code calls: the plan of the policy and its compiled check.
    #[doc(hidden)]
    pub fn build(
        program: &'static plan::Program,
        actor: &'a A,
        action: &'a str,
        check: fn(&A, &str, &R) -> bool,
    ) -> Result<Self, FilterError> {
        let cond = eval::allow(program, actor.view(), action, &R::TABLE)?;
        Ok(Filter { cond, actor, action, check })
    }
}

impl<A: ?Sized, R: Table> Filter<'_, A, R> {
    /// Whether the actor may act on `resource`: the compiled check (`is_allowed`), which
    /// the condition equals on rows of the table.
    pub fn matches(&self, resource: &R) -> bool {
        (self.check)(self.actor, self.action, resource)
    }

    /// The condition, as a tree.
    pub fn cond(&self) -> &Cond {
        &self.cond
    }

    /// No row passes.
    pub fn is_nothing(&self) -> bool {
        self.cond == Cond::False
    }

    /// Every row passes.
    pub fn is_everything(&self) -> bool {
        self.cond == Cond::True
    }

    /// The condition for the caller's own statement:
    /// `Query::select().column(Asterisk).from(Alias::new("repos")).cond_where(f.condition())`.
    /// It names the filtered table by its table name (do not alias it).
    pub fn condition(&self) -> Condition {
        condition(&self.cond, &R::TABLE)
    }

    /// `SELECT * FROM <table> WHERE <condition>`; add ORDER BY, LIMIT and OFFSET to it.
    pub fn select(&self) -> SelectStatement {
        select(&self.cond, &R::TABLE, false)
    }

    /// `SELECT <key> FROM <table> WHERE <condition>`.
    pub fn select_keys(&self) -> SelectStatement {
        select(&self.cond, &R::TABLE, true)
    }
}

/// The rows of `A`'s table (actors) that may do an action to one resource: "who may?".
pub struct ActorFilter<'a, A, R: ?Sized> {
    cond: Cond,
    action: &'a str,
    resource: &'a R,
    check: fn(&A, &str, &R) -> bool,
}

impl<'a, A: Table, R: ?Sized + Polar> ActorFilter<'a, A, R> {
    /// What generated code calls: the plan of the policy and its compiled check.
    #[doc(hidden)]
    pub fn build(
        program: &'static plan::Program,
        action: &'a str,
        resource: &'a R,
        check: fn(&A, &str, &R) -> bool,
    ) -> Result<Self, FilterError> {
        let cond = eval::actors(program, &A::TABLE, action, resource.view())?;
        Ok(ActorFilter { cond, action, resource, check })
    }
}

impl<A: Table, R: ?Sized> ActorFilter<'_, A, R> {
    /// Whether `actor` may do the action to the resource: the compiled check.
    pub fn matches(&self, actor: &A) -> bool {
        (self.check)(actor, self.action, self.resource)
    }

    /// The condition, as a tree.
    pub fn cond(&self) -> &Cond {
        &self.cond
    }

    /// The condition for the caller's own statement over `A`'s table (named by its table name).
    pub fn condition(&self) -> Condition {
        condition(&self.cond, &A::TABLE)
    }

    /// `SELECT * FROM <actors> WHERE <condition>`.
    pub fn select(&self) -> SelectStatement {
        select(&self.cond, &A::TABLE, false)
    }

    /// `SELECT <key> FROM <actors> WHERE <condition>`.
    pub fn select_keys(&self) -> SelectStatement {
        select(&self.cond, &A::TABLE, true)
    }
}

fn condition(cond: &Cond, table: &'static TableMeta) -> Condition {
    Condition::all().add(cond.to_sea(table.table))
}

/// `SELECT *` (or the key) `FROM <table> WHERE <cond>`.
fn select(cond: &Cond, table: &'static TableMeta, key_only: bool) -> SelectStatement {
    let mut select = Query::select();
    if key_only {
        select.column((Alias::new(table.table), Alias::new(table.key)));
    } else {
        select.column(Asterisk);
    }
    select.from(Alias::new(table.table)).cond_where(condition(cond, table));
    select
}

impl<A: ?Sized, R> fmt::Debug for Filter<'_, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter").field("action", &self.action).field("cond", &self.cond).finish()
    }
}

/// Why a filter could not be built. Either way no row may be shown.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterError {
    /// The policy reaches a construct that SQL cannot evaluate as Oso does, at `at`
    /// (`path:line:column`).
    Refused {
        /// `path:line:column` in the policy.
        at: &'static str,
        /// What is not translated.
        why: String,
    },
    /// A run-time error of the known part (the check would raise it too).
    Runtime(RuntimeError),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Refused { at, why } => write!(f, "{at}: data filtering cannot translate {why}"),
            FilterError::Runtime(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FilterError {}

impl From<RuntimeError> for FilterError {
    fn from(e: RuntimeError) -> Self {
        FilterError::Runtime(e)
    }
}
