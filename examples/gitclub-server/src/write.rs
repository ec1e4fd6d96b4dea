//! The writes: every one a sea-query statement with bound parameters, the ids assigned by the
//! database (`RETURNING id`).

use sea_query::{Alias, Expr, Query};

use crate::db::Db;
use crate::load::col;

/// Inserts a repository; its id.
pub async fn create_repo(db: &Db, org_id: i64, name: &str, public: bool) -> Result<i64, sqlx::Error> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("repos"))
        .columns([Alias::new("name"), Alias::new("org_id"), Alias::new("public")])
        .values_panic([name.into(), org_id.into(), public.into()])
        .returning_col(Alias::new("id"));
    db.insert(&insert).await
}

/// Inserts an open issue; its id.
pub async fn create_issue(db: &Db, repo_id: i64, creator_id: i64, title: &str) -> Result<i64, sqlx::Error> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("issues"))
        .columns([Alias::new("title"), Alias::new("repo_id"), Alias::new("creator_id"), Alias::new("closed")])
        .values_panic([title.into(), repo_id.into(), creator_id.into(), false.into()])
        .returning_col(Alias::new("id"));
    db.insert(&insert).await
}

/// Marks an issue closed; whether it still existed.
pub async fn close_issue(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
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
pub async fn delete_repo(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
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
