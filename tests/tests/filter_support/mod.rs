//! What the data-filtering tests share: the databases (SQLite in memory always, PostgreSQL
//! when `POLAR_TEST_POSTGRES` names one), and running a filter's key query on each.

#![allow(dead_code)]

use polar_runtime::filter::{ActorFilter, Filter, Table};
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_binder::SqlxBinder;
use sqlx::{PgPool, Row, SqlitePool};

/// The environment variable naming the PostgreSQL database (`.ci/run` sets it).
pub const POSTGRES_VAR: &str = "POLAR_TEST_POSTGRES";

/// One database of a test, with its own schema.
pub enum Db {
    Sqlite(SqlitePool),
    /// The pool has `search_path` set to a schema of this run, dropped by [`Db::close`].
    Postgres(PgPool, String),
}

impl Db {
    pub fn name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "SQLite",
            Db::Postgres(..) => "PostgreSQL",
        }
    }

    /// SQLite in memory, and PostgreSQL when [`POSTGRES_VAR`] is set; says loudly when it is not.
    pub async fn all(test: &str) -> Vec<Db> {
        let sqlite = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("SQLite in memory");
        let mut dbs = vec![Db::Sqlite(sqlite)];
        match std::env::var(POSTGRES_VAR) {
            Ok(url) => {
                let schema = format!("polar_{}_{}", test, std::process::id());
                let admin =
                    PgPool::connect(&url).await.unwrap_or_else(|e| panic!("{POSTGRES_VAR}={url}: {e}"));
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&admin)
                    .await
                    .unwrap();
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.unwrap();
                admin.close().await;
                let search_path = schema.clone();
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .after_connect(move |conn, _| {
                        let set = format!("SET search_path TO {search_path}");
                        Box::pin(async move {
                            sqlx::query(&set).execute(conn).await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .unwrap();
                dbs.push(Db::Postgres(pool, schema));
            }
            Err(_) => eprintln!(
                "SKIPPED: the PostgreSQL half of `{test}` (set {POSTGRES_VAR}=postgres://postgres@127.0.0.1:5432/test to run it)"
            ),
        }
        dbs
    }

    /// Runs statements separated by `;`.
    pub async fn execute(&self, script: &str) {
        for statement in script.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let r = match self {
                Db::Sqlite(pool) => sqlx::query(statement).execute(pool).await.map(|_| ()),
                Db::Postgres(pool, _) => sqlx::query(statement).execute(pool).await.map(|_| ()),
            };
            r.unwrap_or_else(|e| panic!("{}: {statement}: {e}", self.name()));
        }
    }

    /// Inserts rows of integers, strings and booleans, as bound parameters.
    pub async fn insert(&self, table: &str, columns: &[&str], rows: &[Vec<Value>]) {
        if rows.is_empty() {
            return;
        }
        let mut insert = sea_query::Query::insert();
        insert
            .into_table(sea_query::Alias::new(table))
            .columns(columns.iter().map(|c| sea_query::Alias::new(*c)));
        for row in rows {
            let values: Vec<sea_query::SimpleExpr> = row
                .iter()
                .map(|v| match v {
                    Value::Int(i) => (*i).into(),
                    Value::Str(s) => s.clone().into(),
                    Value::Bool(b) => (*b).into(),
                })
                .collect();
            insert.values_panic(values);
        }
        match self {
            Db::Sqlite(pool) => {
                let (sql, values) = insert.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(&sql, values).execute(pool).await.unwrap();
            }
            Db::Postgres(pool, _) => {
                let (sql, values) = insert.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(&sql, values).execute(pool).await.unwrap();
            }
        }
    }

    /// The keys of the rows the filter lets through, sorted.
    pub async fn keys<A: ?Sized, R: Table>(&self, filter: &Filter<'_, A, R>) -> Vec<i64> {
        self.select_keys(filter.select_keys()).await
    }

    /// The keys of the actors an actor filter lets through, sorted.
    pub async fn actor_keys<A: Table, R: ?Sized>(&self, filter: &ActorFilter<'_, A, R>) -> Vec<i64> {
        self.select_keys(filter.select_keys()).await
    }

    async fn select_keys(&self, select: sea_query::SelectStatement) -> Vec<i64> {
        let mut keys: Vec<i64> = match self {
            Db::Sqlite(pool) => {
                let (sql, values) = select.build_sqlx(SqliteQueryBuilder);
                let rows = sqlx::query_with(&sql, values).fetch_all(pool).await;
                rows.unwrap_or_else(|e| panic!("SQLite: {sql}: {e}"))
                    .iter()
                    .map(|r| r.get::<i64, _>(0))
                    .collect()
            }
            Db::Postgres(pool, _) => {
                let (sql, values) = select.build_sqlx(PostgresQueryBuilder);
                let rows = sqlx::query_with(&sql, values).fetch_all(pool).await;
                rows.unwrap_or_else(|e| panic!("PostgreSQL: {sql}: {e}"))
                    .iter()
                    .map(|r| r.get::<i64, _>(0))
                    .collect()
            }
        };
        keys.sort_unstable();
        keys
    }

    pub async fn close(self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool, schema) => {
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }
}

pub enum Value {
    Int(i64),
    Str(String),
    Bool(bool),
}

/// The SQL of a filter on both dialects, for failure messages.
pub fn sql<A: ?Sized, R: Table>(filter: &Filter<'_, A, R>) -> String {
    filter.select_keys().to_string(SqliteQueryBuilder)
}
