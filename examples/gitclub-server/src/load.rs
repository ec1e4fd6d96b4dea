//! Reading the models: rows through sea-query statements with bound parameters, assembled
//! into the Polar classes of [`crate::models`] (a repository with its organization, an issue
//! with its repository and creator, a user with its roles), a few queries per page rather than
//! one per row.

use std::collections::{BTreeSet, HashMap};

use sea_query::{Alias, Condition, Expr, Order, Query, SelectStatement};

use crate::db::Db;
use crate::models::{Issue, Org, OrgRole, Repo, RepoRole, User};

/// `table.column`, for sea-query.
pub fn col(table: &'static str, column: &'static str) -> (Alias, Alias) {
    (Alias::new(table), Alias::new(column))
}

/// `LIMIT` and `OFFSET` of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// At most this many items.
    pub limit: Option<u64>,
    /// After skipping this many.
    pub offset: Option<u64>,
}

impl Page {
    /// Adds `ORDER BY <table>.id`, `LIMIT` and `OFFSET` (as bound parameters) to `select`.
    fn apply(self, select: &mut SelectStatement, table: &'static str) {
        select.order_by(col(table, "id"), Order::Asc);
        match (self.limit, self.offset) {
            (Some(limit), _) => {
                select.limit(limit);
            }
            // SQLite has no OFFSET without LIMIT; PostgreSQL accepts this one too.
            (None, Some(_)) => {
                select.limit(i64::MAX as u64);
            }
            (None, None) => {}
        }
        if let Some(offset) = self.offset {
            select.offset(offset);
        }
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
}

#[derive(sqlx::FromRow)]
struct OrgRoleRow {
    user_id: i64,
    id: i64,
    name: String,
    org_id: i64,
}

#[derive(sqlx::FromRow)]
struct RepoRoleRow {
    user_id: i64,
    id: i64,
    name: String,
    repo_id: i64,
}

#[derive(sqlx::FromRow)]
struct RepoRow {
    id: i64,
    name: String,
    org_id: i64,
    public: bool,
}

#[derive(sqlx::FromRow)]
struct IssueRow {
    id: i64,
    title: String,
    repo_id: i64,
    creator_id: i64,
    closed: bool,
}

/// The names of every user, in id order (`GET /users`).
pub async fn user_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let mut select = Query::select();
    select.columns([col("users", "id"), col("users", "name")]).from(Alias::new("users"));
    Page::default().apply(&mut select, "users");
    Ok(db.fetch_all::<UserRow>(&select).await?.into_iter().map(|u| u.name).collect())
}

/// The user named `name`, with its roles.
pub async fn user_by_name(db: &Db, name: &str) -> Result<Option<User>, sqlx::Error> {
    users_where(db, Condition::all().add(Expr::col(col("users", "name")).eq(name)))
        .await
        .map(|mut users| users.pop())
}

/// The users of these ids, with their roles, by id.
pub async fn users_by_id(db: &Db, ids: &BTreeSet<i64>) -> Result<HashMap<i64, User>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let users =
        users_where(db, Condition::all().add(Expr::col(col("users", "id")).is_in(ids.iter().copied())))
            .await?;
    Ok(users.into_iter().map(|u| (u.id, u)).collect())
}

async fn users_where(db: &Db, cond: Condition) -> Result<Vec<User>, sqlx::Error> {
    let mut select = Query::select();
    select.columns([col("users", "id"), col("users", "name")]).from(Alias::new("users")).cond_where(cond);
    let rows: Vec<UserRow> = db.fetch_all(&select).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let mut select = Query::select();
    select
        .columns([
            col("org_roles", "user_id"),
            col("org_roles", "id"),
            col("org_roles", "name"),
            col("org_roles", "org_id"),
        ])
        .from(Alias::new("org_roles"))
        .and_where(Expr::col(col("org_roles", "user_id")).is_in(ids.iter().copied()))
        .order_by(col("org_roles", "id"), Order::Asc);
    let org_roles: Vec<OrgRoleRow> = db.fetch_all(&select).await?;
    let mut select = Query::select();
    select
        .columns([
            col("repo_roles", "user_id"),
            col("repo_roles", "id"),
            col("repo_roles", "name"),
            col("repo_roles", "repo_id"),
        ])
        .from(Alias::new("repo_roles"))
        .and_where(Expr::col(col("repo_roles", "user_id")).is_in(ids.iter().copied()))
        .order_by(col("repo_roles", "id"), Order::Asc);
    let repo_roles: Vec<RepoRoleRow> = db.fetch_all(&select).await?;
    let mut users: Vec<User> = rows
        .into_iter()
        .map(|u| User { id: u.id, name: u.name, org_roles: Vec::new(), repo_roles: Vec::new() })
        .collect();
    let index: HashMap<i64, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    for r in org_roles {
        if let Some(&i) = index.get(&r.user_id) {
            users[i].org_roles.push(OrgRole { id: r.id, name: r.name, org_id: r.org_id });
        }
    }
    for r in repo_roles {
        if let Some(&i) = index.get(&r.user_id) {
            users[i].repo_roles.push(RepoRole { id: r.id, name: r.name, repo_id: r.repo_id });
        }
    }
    Ok(users)
}

fn select_orgs() -> SelectStatement {
    let mut select = Query::select();
    select.columns([col("orgs", "id"), col("orgs", "name")]).from(Alias::new("orgs"));
    select
}

/// The organization `id`.
pub async fn org(db: &Db, id: i64) -> Result<Option<Org>, sqlx::Error> {
    let mut select = select_orgs();
    select.and_where(Expr::col(col("orgs", "id")).eq(id));
    db.fetch_optional(&select).await
}

/// The organizations that pass `cond` (a filter of the policy, and the caller's own
/// conditions), in id order, one page.
pub async fn orgs(db: &Db, cond: Condition, page: Page) -> Result<Vec<Org>, sqlx::Error> {
    let mut select = select_orgs();
    select.cond_where(cond);
    page.apply(&mut select, "orgs");
    db.fetch_all(&select).await
}

async fn orgs_by_id(db: &Db, ids: &BTreeSet<i64>) -> Result<HashMap<i64, Org>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = select_orgs();
    select.and_where(Expr::col(col("orgs", "id")).is_in(ids.iter().copied()));
    Ok(db.fetch_all::<Org>(&select).await?.into_iter().map(|o| (o.id, o)).collect())
}

fn select_repos() -> SelectStatement {
    let mut select = Query::select();
    select
        .columns([col("repos", "id"), col("repos", "name"), col("repos", "org_id"), col("repos", "public")])
        .from(Alias::new("repos"));
    select
}

/// The repository `id`, with its organization.
pub async fn repo(db: &Db, id: i64) -> Result<Option<Repo>, sqlx::Error> {
    let mut select = select_repos();
    select.and_where(Expr::col(col("repos", "id")).eq(id));
    Ok(repos_of(db, db.fetch_all(&select).await?).await?.pop())
}

/// The repositories that pass `cond`, in id order, one page, with their organizations.
pub async fn repos(db: &Db, cond: Condition, page: Page) -> Result<Vec<Repo>, sqlx::Error> {
    let mut select = select_repos();
    select.cond_where(cond);
    page.apply(&mut select, "repos");
    repos_of(db, db.fetch_all(&select).await?).await
}

async fn repos_of(db: &Db, rows: Vec<RepoRow>) -> Result<Vec<Repo>, sqlx::Error> {
    let orgs = orgs_by_id(db, &rows.iter().map(|r| r.org_id).collect()).await?;
    // The foreign key makes every organization present; a row whose organization vanished
    // (it cannot) would be left out rather than invented.
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let org = orgs.get(&r.org_id)?.clone();
            Some(Repo { id: r.id, name: r.name, org, public: r.public })
        })
        .collect())
}

async fn repos_by_id(db: &Db, ids: &BTreeSet<i64>) -> Result<HashMap<i64, Repo>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = select_repos();
    select.and_where(Expr::col(col("repos", "id")).is_in(ids.iter().copied()));
    Ok(repos_of(db, db.fetch_all(&select).await?).await?.into_iter().map(|r| (r.id, r)).collect())
}

fn select_issues() -> SelectStatement {
    let mut select = Query::select();
    select
        .columns([
            col("issues", "id"),
            col("issues", "title"),
            col("issues", "repo_id"),
            col("issues", "creator_id"),
            col("issues", "closed"),
        ])
        .from(Alias::new("issues"));
    select
}

/// The issue `id`, with its repository and creator.
pub async fn issue(db: &Db, id: i64) -> Result<Option<Issue>, sqlx::Error> {
    let mut select = select_issues();
    select.and_where(Expr::col(col("issues", "id")).eq(id));
    Ok(issues_of(db, db.fetch_all(&select).await?).await?.pop())
}

/// The issues that pass `cond`, in id order, one page, with their repositories and creators.
pub async fn issues(db: &Db, cond: Condition, page: Page) -> Result<Vec<Issue>, sqlx::Error> {
    let mut select = select_issues();
    select.cond_where(cond);
    page.apply(&mut select, "issues");
    issues_of(db, db.fetch_all(&select).await?).await
}

async fn issues_of(db: &Db, rows: Vec<IssueRow>) -> Result<Vec<Issue>, sqlx::Error> {
    let repos = repos_by_id(db, &rows.iter().map(|i| i.repo_id).collect()).await?;
    let creators = users_by_id(db, &rows.iter().map(|i| i.creator_id).collect()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|i| {
            Some(Issue {
                id: i.id,
                title: i.title,
                repo: repos.get(&i.repo_id)?.clone(),
                creator: creators.get(&i.creator_id)?.clone(),
                closed: i.closed,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn pages_are_bound_parameters() {
        let mut select = select_repos();
        Page { limit: Some(5), offset: Some(10) }.apply(&mut select, "repos");
        let (sql, values) = select.build(SqliteQueryBuilder);
        assert!(sql.ends_with(r#"ORDER BY "repos"."id" ASC LIMIT ? OFFSET ?"#), "{sql}");
        assert_eq!(values.0.len(), 2);
        let mut select = select_repos();
        Page { limit: None, offset: Some(3) }.apply(&mut select, "repos");
        let (sql, _) = select.build(PostgresQueryBuilder);
        assert!(sql.ends_with(r#"ORDER BY "repos"."id" ASC LIMIT $1 OFFSET $2"#), "{sql}");
    }
}
