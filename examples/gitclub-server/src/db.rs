//! The database: SQLite (embedded, the default) or PostgreSQL, chosen by URL, with the schema
//! of `migrations/` applied on connect. Every statement is a sea-query statement run with its
//! values as bound parameters ([`SqlxBinder`]); nothing is ever formatted into SQL.

use std::str::FromStr;
use std::time::Duration;

use sea_query::{PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder};
use sea_query_binder::SqlxBinder;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{FromRow, Row};

/// How long a request waits for a connection before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

// Pooled connections are not pinged before each use (`test_before_acquire(false)`): a request
// makes several short queries, and a ping before each doubled the round trips. A connection
// that broke meanwhile fails its query instead, which answers 503 like any database error.

/// A connection pool on one of the two databases. Cheap to clone (the pools are shared).
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: in memory (`sqlite::memory:`, one connection that lives as long as the pool) or
    /// a file (`sqlite:path`, created if missing, write-ahead log).
    Sqlite(SqlitePool),
    /// PostgreSQL (`postgres://...`).
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool and `$qb` to the matching sea-query builder:
/// the same code for both databases, monomorphized per driver.
macro_rules! with_pool {
    ($db:expr, |$pool:ident, $qb:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let $qb = ::sea_query::SqliteQueryBuilder;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                let $qb = ::sea_query::PostgresQueryBuilder;
                $body
            }
        }
    };
}

/// A row type both drivers can decode.
pub trait Decodable: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin> Decodable for T {}

impl Db {
    /// Connects to `url` (`sqlite::memory:`, `sqlite:path`, `postgres://...`) and applies the
    /// migrations of `migrations/sqlite` or `migrations/postgres`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let db = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?.foreign_keys(true);
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = if in_memory {
                // Every connection to `:memory:` is a database of its own, gone when the
                // connection closes: one connection, never recycled.
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?
            } else {
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .test_before_acquire(false)
                    .connect_with(options.create_if_missing(true).journal_mode(SqliteJournalMode::Wal))
                    .await?
            };
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL {url:?}: use sqlite:... or postgres://...").into(),
            ));
        };
        Ok(db)
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool: every later statement fails (and its request gets 503).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Every row of a query.
    pub async fn fetch_all<T: Decodable>(&self, select: &SelectStatement) -> Result<Vec<T>, sqlx::Error> {
        with_pool!(self, |pool, qb| {
            let (sql, values) = select.build_sqlx(qb);
            sqlx::query_as_with(&sql, values).fetch_all(pool).await
        })
    }

    /// The row of a query, if any.
    pub async fn fetch_optional<T: Decodable>(
        &self,
        select: &SelectStatement,
    ) -> Result<Option<T>, sqlx::Error> {
        with_pool!(self, |pool, qb| {
            let (sql, values) = select.build_sqlx(qb);
            sqlx::query_as_with(&sql, values).fetch_optional(pool).await
        })
    }

    /// Runs one statement (INSERT, UPDATE, DELETE); the number of rows it touched.
    pub async fn execute(&self, statement: &impl SqlxBinder) -> Result<u64, sqlx::Error> {
        with_pool!(self, |pool, qb| {
            let (sql, values) = statement.build_sqlx(qb);
            Ok(sqlx::query_with(&sql, values).execute(pool).await?.rows_affected())
        })
    }

    /// Runs an `INSERT ... RETURNING id`; the id the database assigned.
    pub async fn insert(&self, insert: &sea_query::InsertStatement) -> Result<i64, sqlx::Error> {
        with_pool!(self, |pool, qb| {
            let (sql, values) = insert.build_sqlx(qb);
            sqlx::query_with(&sql, values).fetch_one(pool).await?.try_get::<i64, _>(0)
        })
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

/// A transaction; rolled back when dropped without [`Tx::commit`].
pub enum Tx {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Runs one statement; the number of rows it touched.
    pub async fn execute(&mut self, statement: &impl SqlxBinder) -> Result<u64, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                Ok(sqlx::query_with(&sql, values).execute(&mut **tx).await?.rows_affected())
            }
            Tx::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                Ok(sqlx::query_with(&sql, values).execute(&mut **tx).await?.rows_affected())
            }
        }
    }

    /// Runs an `INSERT ... RETURNING id`; the id the database assigned.
    pub async fn insert(&mut self, insert: &sea_query::InsertStatement) -> Result<i64, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = insert.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(&sql, values).fetch_one(&mut **tx).await?.try_get::<i64, _>(0)
            }
            Tx::Postgres(tx) => {
                let (sql, values) = insert.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(&sql, values).fetch_one(&mut **tx).await?.try_get::<i64, _>(0)
            }
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}
