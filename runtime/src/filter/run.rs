//! The one-call helpers: a filter's `SELECT *` run with sqlx (feature `sqlx`).

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_binder::SqlxBinder;

use super::{Filter, Table};

impl<A: ?Sized, R: Table> Filter<'_, A, R> {
    /// The rows of the table that pass, as `O` (`sqlx::FromRow`), from SQLite.
    pub async fn fetch_all_sqlite<O>(&self, pool: &sqlx::SqlitePool) -> Result<Vec<O>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let (sql, values) = self.select().build_sqlx(SqliteQueryBuilder);
        sqlx::query_as_with(&sql, values).fetch_all(pool).await
    }

    /// The rows of the table that pass, as `O` (`sqlx::FromRow`), from PostgreSQL.
    pub async fn fetch_all_postgres<O>(&self, pool: &sqlx::PgPool) -> Result<Vec<O>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        let (sql, values) = self.select().build_sqlx(PostgresQueryBuilder);
        sqlx::query_as_with(&sql, values).fetch_all(pool).await
    }
}
