//! Listing the repositories a user may read from a table of 100,000 (1% visible): the SQL
//! filter (`authorized_filter` + one query) against loading every row and calling
//! `is_allowed` on each. SQLite in memory; PostgreSQL too with `POLAR_TEST_POSTGRES`.
//! Runs alternate between the two ways (interleaved), and the medians are reported.
//!
//! `cargo run -p polar-benches --release --bin filter_list` (BENCHMARKS.md, "Data filtering").

use std::time::{Duration, Instant};

use polar_runtime::PolarClass;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_binder::SqlxBinder;
use sqlx::Row;

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "users")]
pub struct User {
    pub id: i64,
    pub name: String,
    #[polar(one_to_many = "user_id")]
    pub org_roles: Vec<OrgRole>,
    #[polar(one_to_many = "user_id")]
    pub repo_roles: Vec<RepoRole>,
}

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "org_roles")]
pub struct OrgRole {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
}

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "repo_roles")]
pub struct RepoRole {
    pub id: i64,
    pub name: String,
    pub repo_id: i64,
}

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "orgs")]
pub struct Org {
    pub id: i64,
    pub name: String,
}

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "repos")]
pub struct Repo {
    pub id: i64,
    pub name: String,
    #[polar(many_to_one = "org_id")]
    pub org: Org,
    pub public: bool,
}

#[derive(PolarClass, Clone, PartialEq, Debug)]
#[polar(table = "issues")]
pub struct Issue {
    pub id: i64,
    pub title: String,
    #[polar(many_to_one = "repo_id")]
    pub repo: Repo,
    #[polar(many_to_one = "creator_id")]
    pub creator: User,
}

polar_runtime::polar!(file = "../examples/policies/gitclub.polar", filters = true);

const ORGS: i64 = 1_000;
const REPOS: i64 = 100_000;
const ROUNDS: usize = 15;

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    async fn exec(&self, sql: &str) {
        match self {
            Pool::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Pool::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The filter's rows: (id, name, org_id, public).
    async fn filtered(&self, user: &User) -> Vec<(i64, String, i64, bool)> {
        let filter = authorized_filter::<User, Repo>(user, "read").expect("gitclub filters translate");
        let mut select = filter.select();
        select.order_by(sea_query::Alias::new("id"), sea_query::Order::Asc);
        match self {
            Pool::Sqlite(p) => {
                let (sql, values) = select.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(&sql, values).fetch_all(p).await.unwrap()
            }
            Pool::Postgres(p) => {
                let (sql, values) = select.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(&sql, values).fetch_all(p).await.unwrap()
            }
        }
    }

    /// Every row with its organization, checked one by one.
    async fn load_and_check(&self, user: &User) -> Vec<Repo> {
        let sql = "SELECT r.id, r.name, r.public, o.id, o.name FROM repos r JOIN orgs o ON o.id = r.org_id ORDER BY r.id";
        let rows: Vec<Repo> = match self {
            Pool::Sqlite(p) => sqlx::query(sql)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|r| repo(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
                .collect(),
            Pool::Postgres(p) => sqlx::query(sql)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|r| repo(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
                .collect(),
        };
        rows.into_iter().filter(|r| is_allowed(user, "read", r)).collect()
    }
}

fn repo(id: i64, name: String, public: bool, org_id: i64, org_name: String) -> Repo {
    Repo { id, name, public, org: Org { id: org_id, name: org_name } }
}

async fn setup(pool: &Pool) {
    for t in ["issues", "repo_roles", "repos", "org_roles", "orgs", "users"] {
        pool.exec(&format!("DROP TABLE IF EXISTS {t}")).await;
    }
    pool.exec("CREATE TABLE orgs (id BIGINT PRIMARY KEY, name TEXT NOT NULL)").await;
    pool.exec("CREATE TABLE repos (id BIGINT PRIMARY KEY, name TEXT NOT NULL, org_id BIGINT NOT NULL, public BOOLEAN NOT NULL)").await;
    pool.exec("CREATE INDEX repos_org ON repos (org_id)").await;
    pool.exec("CREATE INDEX repos_public ON repos (public)").await;
    // Generated in SQL: 100,000 rows go in at once.
    let series =
        |n: i64| format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ");
    pool.exec(&format!("INSERT INTO orgs (id, name) {}SELECT i, 'org' || i FROM s", series(ORGS))).await;
    pool.exec(&format!(
        "INSERT INTO repos (id, name, org_id, public) {}SELECT i, 'repo' || i, ((i - 1) % {ORGS}) + 1, FALSE FROM s",
        series(REPOS)
    ))
    .await;
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // A member of 10 organizations of 1,000: 1,000 repositories of 100,000 readable (1%).
    let user = User {
        id: 1,
        name: "alice".into(),
        org_roles: (1..=10).map(|i| OrgRole { id: i, name: "member".into(), org_id: i * 97 }).collect(),
        repo_roles: Vec::new(),
    };

    // Building the filter alone (no database).
    let n = 100_000;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(authorized_filter::<User, Repo>(std::hint::black_box(&user), "read").unwrap());
    }
    let build = start.elapsed() / n;
    let f = authorized_filter::<User, Repo>(&user, "read").unwrap();
    println!("filter construction: {build:?} per call; SQL: {}", f.select().to_string(SqliteQueryBuilder));

    let mut pools = vec![(
        "SQLite (in memory)",
        Pool::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect("sqlite::memory:")
                .await
                .unwrap(),
        ),
    )];
    if let Ok(url) = std::env::var("POLAR_TEST_POSTGRES") {
        pools.push(("PostgreSQL", Pool::Postgres(sqlx::PgPool::connect(&url).await.unwrap())));
    }
    for (name, pool) in &pools {
        setup(pool).await;
        if let Pool::Sqlite(p) = pool {
            // Where SQLite's time goes: its plan for the filter's query.
            let (sql, values) = f.select().build_sqlx(SqliteQueryBuilder);
            let plan =
                sqlx::query_with(&format!("EXPLAIN QUERY PLAN {sql}"), values).fetch_all(p).await.unwrap();
            let plan: Vec<String> = plan.iter().map(|r| r.get::<String, _>(3)).collect();
            println!("SQLite plan: {}", plan.join("; "));
        }
        let (mut filtered, mut loaded) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let a = pool.filtered(&user).await;
            filtered.push(t.elapsed());
            let t = Instant::now();
            let b = pool.load_and_check(&user).await;
            loaded.push(t.elapsed());
            assert_eq!(a.len(), b.len());
            assert!(a.iter().zip(&b).all(|(x, y)| x.0 == y.id));
            assert_eq!(a.len(), 1_000);
        }
        let (f, l) = (median(filtered), median(loaded));
        println!(
            "{name}: {REPOS} rows, {} readable: SQL filter {f:?}, load every row + is_allowed {l:?}: {:.0}x",
            1_000,
            l.as_secs_f64() / f.as_secs_f64()
        );
        if let Pool::Postgres(_) = pool {
            for t in ["repos", "orgs"] {
                pool.exec(&format!("DROP TABLE IF EXISTS {t}")).await;
            }
        }
    }
}
