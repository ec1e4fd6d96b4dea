//! The data a server starts with: the demo world (`--demo`, the sample of `examples/gitclub`)
//! or a seeded random one (`--random SEED`), written in one transaction with ids assigned by
//! the database.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_query::{Alias, Query, SimpleExpr};

use crate::db::{Db, Tx};
use crate::load;

/// A world to write: items refer to each other by their index in these lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct World {
    /// Users and their roles.
    pub users: Vec<UserSeed>,
    /// Organization names.
    pub orgs: Vec<String>,
    /// Repositories.
    pub repos: Vec<RepoSeed>,
    /// Issues.
    pub issues: Vec<IssueSeed>,
}

/// A user to write.
#[derive(Clone, Debug, PartialEq)]
pub struct UserSeed {
    /// Unique name.
    pub name: String,
    /// `(role, index of the organization)`.
    pub org_roles: Vec<(&'static str, usize)>,
    /// `(role, index of the repository)`.
    pub repo_roles: Vec<(&'static str, usize)>,
}

/// A repository to write.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoSeed {
    /// Its name.
    pub name: String,
    /// Index of its organization.
    pub org: usize,
    /// Whether anyone may read it.
    pub public: bool,
}

/// An issue to write.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueSeed {
    /// Its title.
    pub title: String,
    /// Index of its repository.
    pub repo: usize,
    /// Index of the user who opened it.
    pub creator: usize,
    /// Whether it is closed.
    pub closed: bool,
}

/// The ids the database gave the items of a [`World`], in the world's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ids {
    /// Of the users.
    pub users: Vec<i64>,
    /// Of the organizations.
    pub orgs: Vec<i64>,
    /// Of the repositories.
    pub repos: Vec<i64>,
    /// Of the issues.
    pub issues: Vec<i64>,
}

/// The demo world: two organizations with a private and a public repository each, three
/// issues, and five users whose roles exercise every way the policy grants a permission.
///
/// | user | roles |
/// |---|---|
/// | alice | owner of acme |
/// | bob | member of acme, writer on globex/hydra |
/// | carol | reader on acme/anvil, admin on globex/docs |
/// | dave | none (opened website's issue) |
/// | eve | member of globex, reader on acme/website |
pub fn demo() -> World {
    let user = |name: &str, org_roles: Vec<(&'static str, usize)>, repo_roles: Vec<(&'static str, usize)>| {
        UserSeed { name: name.into(), org_roles, repo_roles }
    };
    let repo = |name: &str, org, public| RepoSeed { name: name.into(), org, public };
    let issue = |title: &str, repo, creator| IssueSeed { title: title.into(), repo, creator, closed: false };
    // Organizations: 0 acme, 1 globex. Repositories: 0 anvil, 1 website, 2 hydra, 3 docs.
    World {
        users: vec![
            user("alice", vec![("owner", 0)], vec![]),
            user("bob", vec![("member", 0)], vec![("writer", 2)]),
            user("carol", vec![], vec![("reader", 0), ("admin", 3)]),
            user("dave", vec![], vec![]),
            user("eve", vec![("member", 1)], vec![("reader", 1)]),
        ],
        orgs: vec!["acme".into(), "globex".into()],
        repos: vec![
            repo("anvil", 0, false),
            repo("website", 0, true),
            repo("hydra", 1, false),
            repo("docs", 1, true),
        ],
        issues: vec![
            issue("Anvil falls too slowly", 0, 1),
            issue("Typo on the home page", 1, 3),
            issue("Too many heads", 2, 2),
        ],
    }
}

/// Sizes of a random world.
pub const RANDOM_ORGS: usize = 10;
/// Repositories of a random world.
pub const RANDOM_REPOS: usize = 100;
/// Issues of a random world.
pub const RANDOM_ISSUES: usize = 500;
/// Users of a random world.
pub const RANDOM_USERS: usize = 50;

/// A random world from `seed` (the same seed, the same world): [`RANDOM_ORGS`] organizations,
/// [`RANDOM_REPOS`] repositories (a fifth public), [`RANDOM_ISSUES`] issues and
/// [`RANDOM_USERS`] users, each with up to two organization roles and up to four repository
/// roles.
pub fn random(seed: u64) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let orgs: Vec<String> = (1..=RANDOM_ORGS).map(|i| format!("org{i}")).collect();
    let repos: Vec<RepoSeed> = (1..=RANDOM_REPOS)
        .map(|i| RepoSeed {
            name: format!("repo{i}"),
            org: rng.gen_range(0..RANDOM_ORGS),
            public: rng.gen_bool(0.2),
        })
        .collect();
    let users: Vec<UserSeed> = (1..=RANDOM_USERS)
        .map(|i| UserSeed {
            name: format!("user{i}"),
            org_roles: (0..rng.gen_range(0..=2))
                .map(|_| (["owner", "member"][rng.gen_range(0..2)], rng.gen_range(0..RANDOM_ORGS)))
                .collect(),
            repo_roles: (0..rng.gen_range(0..=4))
                .map(|_| (["reader", "writer", "admin"][rng.gen_range(0..3)], rng.gen_range(0..RANDOM_REPOS)))
                .collect(),
        })
        .collect();
    let issues: Vec<IssueSeed> = (1..=RANDOM_ISSUES)
        .map(|i| IssueSeed {
            title: format!("issue {i}"),
            repo: rng.gen_range(0..RANDOM_REPOS),
            creator: rng.gen_range(0..RANDOM_USERS),
            closed: rng.gen_bool(0.25),
        })
        .collect();
    World { users, orgs, repos, issues }
}

async fn insert(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    values: Vec<SimpleExpr>,
) -> Result<i64, sqlx::Error> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(*c)))
        .values_panic(values)
        .returning_col(Alias::new("id"));
    tx.insert(&insert).await
}

/// Writes `world` in one transaction, unless the database already has users (a file database
/// that was seeded before): then `None`, and nothing is written.
pub async fn seed(db: &Db, world: &World) -> Result<Option<Ids>, sqlx::Error> {
    if !load::user_names(db).await?.is_empty() {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let mut ids = Ids::default();
    for name in &world.orgs {
        ids.orgs.push(insert(&mut tx, "orgs", &["name"], vec![name.as_str().into()]).await?);
    }
    for r in &world.repos {
        let values = vec![r.name.as_str().into(), ids.orgs[r.org].into(), r.public.into()];
        ids.repos.push(insert(&mut tx, "repos", &["name", "org_id", "public"], values).await?);
    }
    for u in &world.users {
        let id = insert(&mut tx, "users", &["name"], vec![u.name.as_str().into()]).await?;
        for (role, org) in &u.org_roles {
            let values = vec![id.into(), (*role).into(), ids.orgs[*org].into()];
            insert(&mut tx, "org_roles", &["user_id", "name", "org_id"], values).await?;
        }
        for (role, repo) in &u.repo_roles {
            let values = vec![id.into(), (*role).into(), ids.repos[*repo].into()];
            insert(&mut tx, "repo_roles", &["user_id", "name", "repo_id"], values).await?;
        }
        ids.users.push(id);
    }
    for i in &world.issues {
        let values = vec![
            i.title.as_str().into(),
            ids.repos[i.repo].into(),
            ids.users[i.creator].into(),
            i.closed.into(),
        ];
        ids.issues
            .push(insert(&mut tx, "issues", &["title", "repo_id", "creator_id", "closed"], values).await?);
    }
    tx.commit().await?;
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_worlds_are_seeded_and_big_enough() {
        let w = random(7);
        assert_eq!(w, random(7));
        assert_ne!(w, random(8));
        assert!(w.orgs.len() >= 10 && w.repos.len() >= 100 && w.issues.len() >= 500 && w.users.len() >= 50);
        assert!(
            w.users.iter().any(|u| !u.org_roles.is_empty())
                && w.users.iter().any(|u| !u.repo_roles.is_empty())
        );
    }
}
