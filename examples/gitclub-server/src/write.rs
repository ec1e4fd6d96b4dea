//! The writes: every one a sea-query statement with bound parameters, the ids assigned by the
//! database (`RETURNING id`).
//!
//! Each write demands the proof of its check, an [`Authorized`] only a successful
//! `authz::authorize` makes: a handler that forgets the check does not compile, and one that
//! checks the wrong action or another row does not either (the proof names the action, and
//! the row written is the one it borrows).

use sea_query::{Alias, Expr, Query};

use crate::authz::{Authorized, actions};
use crate::db::Db;
use crate::load::col;
use crate::models::{Issue, Org, Repo, User};

/// Inserts a repository into the organization; its id.
pub async fn create_repo(
    db: &Db,
    org: Authorized<'_, Org, actions::CreateRepos>,
    name: &str,
    public: bool,
) -> Result<i64, sqlx::Error> {
    let org_id = org.id;
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("repos"))
        .columns([Alias::new("name"), Alias::new("org_id"), Alias::new("public")])
        .values_panic([name.into(), org_id.into(), public.into()])
        .returning_col(Alias::new("id"));
    db.insert(&insert).await
}

/// Inserts an open issue into the repository, opened by `creator`; its id.
pub async fn create_issue(
    db: &Db,
    repo: Authorized<'_, Repo, actions::CreateIssues>,
    creator: &User,
    title: &str,
) -> Result<i64, sqlx::Error> {
    let (repo_id, creator_id) = (repo.id, creator.id);
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("issues"))
        .columns([Alias::new("title"), Alias::new("repo_id"), Alias::new("creator_id"), Alias::new("closed")])
        .values_panic([title.into(), repo_id.into(), creator_id.into(), false.into()])
        .returning_col(Alias::new("id"));
    db.insert(&insert).await
}

/// Marks an issue closed; whether it still existed.
pub async fn close_issue(db: &Db, issue: Authorized<'_, Issue, actions::Close>) -> Result<bool, sqlx::Error> {
    let id = issue.id;
    let mut update = Query::update();
    update
        .table(Alias::new("issues"))
        .value(Alias::new("closed"), true)
        .and_where(Expr::col(col("issues", "id")).eq(id));
    Ok(db.execute(&update).await? > 0)
}

/// Deletes a repository, its issues and the roles on it, in one transaction; whether it still
/// existed. (The schema's `ON DELETE CASCADE` also takes rows inserted between the first
/// statements and the last.)
pub async fn delete_repo(db: &Db, repo: Authorized<'_, Repo, actions::Delete>) -> Result<bool, sqlx::Error> {
    let id = repo.id;
    let delete = |table: &'static str, column: &'static str| {
        let mut delete = Query::delete();
        delete.from_table(Alias::new(table)).and_where(Expr::col(col(table, column)).eq(id));
        delete
    };
    let mut tx = db.begin().await?;
    tx.execute(&delete("issues", "repo_id")).await?;
    tx.execute(&delete("repo_roles", "repo_id")).await?;
    if tx.execute(&delete("repos", "id")).await? == 0 {
        return Ok(false); // dropped, so rolled back: there was nothing to delete
    }
    tx.commit().await?;
    Ok(true)
}
