//! Data filtering of the GitClub policy (`examples/policies/gitclub.polar`, unchanged) on
//! random worlds written to SQLite (and PostgreSQL with `POLAR_TEST_POSTGRES`): for every
//! user, action and resource class, the rows the SQL filter returns are exactly those for
//! which `is_allowed` holds (which `gitclub_vs_oso.rs` holds equal to Oso 0.27.3), and
//! `matches` agrees. `POLAR_FILTER_WORLDS` sets the number of worlds.

mod filter_support;

use filter_support::{Db, Value};
use polar_runtime::PolarClass;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod model {
    use super::PolarClass;

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
}

use model::*;

const SCHEMA: &str = "
    CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE orgs (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE org_roles (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), name TEXT NOT NULL, org_id BIGINT NOT NULL REFERENCES orgs(id));
    CREATE TABLE repos (id BIGINT PRIMARY KEY, name TEXT NOT NULL, org_id BIGINT NOT NULL REFERENCES orgs(id), public BOOLEAN NOT NULL);
    CREATE TABLE repo_roles (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), name TEXT NOT NULL, repo_id BIGINT NOT NULL REFERENCES repos(id));
    CREATE TABLE issues (id BIGINT PRIMARY KEY, title TEXT NOT NULL, repo_id BIGINT NOT NULL REFERENCES repos(id), creator_id BIGINT NOT NULL REFERENCES users(id));
";

struct World {
    users: Vec<User>,
    orgs: Vec<Org>,
    repos: Vec<Repo>,
    issues: Vec<Issue>,
}

fn world(rng: &mut StdRng) -> World {
    let orgs: Vec<Org> = (1..=rng.gen_range(1..5)).map(|id| Org { id, name: format!("org{id}") }).collect();
    let repos: Vec<Repo> = (1..=rng.gen_range(1..12))
        .map(|id| Repo {
            id,
            name: format!("repo{id}"),
            org: orgs[rng.gen_range(0..orgs.len())].clone(),
            public: rng.gen_bool(0.3),
        })
        .collect();
    let mut role_id = 0;
    let users: Vec<User> = (1..=rng.gen_range(1..6))
        .map(|id| {
            let org_roles = (0..rng.gen_range(0..3))
                .map(|_| {
                    role_id += 1;
                    OrgRole {
                        id: role_id,
                        name: ["owner", "member", "guest"][rng.gen_range(0..3)].into(),
                        org_id: rng.gen_range(1..=orgs.len() as i64 + 1),
                    }
                })
                .collect();
            let repo_roles = (0..rng.gen_range(0..4))
                .map(|_| {
                    role_id += 1;
                    RepoRole {
                        id: role_id,
                        name: ["reader", "writer", "admin", "owner"][rng.gen_range(0..4)].into(),
                        repo_id: rng.gen_range(1..=repos.len() as i64 + 1),
                    }
                })
                .collect();
            User { id, name: format!("user{id}"), org_roles, repo_roles }
        })
        .collect();
    let issues: Vec<Issue> = (1..=rng.gen_range(0..15))
        .map(|id| Issue {
            id,
            title: format!("issue{id}"),
            repo: repos[rng.gen_range(0..repos.len())].clone(),
            creator: users[rng.gen_range(0..users.len())].clone(),
        })
        .collect();
    World { users, orgs, repos, issues }
}

async fn store(db: &Db, w: &World) {
    db.execute("DROP TABLE IF EXISTS issues; DROP TABLE IF EXISTS repo_roles; DROP TABLE IF EXISTS repos; DROP TABLE IF EXISTS org_roles; DROP TABLE IF EXISTS orgs; DROP TABLE IF EXISTS users").await;
    db.execute(SCHEMA).await;
    let int = Value::Int;
    let s = |x: &str| Value::Str(x.to_owned());
    db.insert(
        "users",
        &["id", "name"],
        &w.users.iter().map(|u| vec![int(u.id), s(&u.name)]).collect::<Vec<_>>(),
    )
    .await;
    db.insert(
        "orgs",
        &["id", "name"],
        &w.orgs.iter().map(|o| vec![int(o.id), s(&o.name)]).collect::<Vec<_>>(),
    )
    .await;
    // Role rows may name an organization or repository that does not exist: the foreign
    // key would refuse them, and the policy must not care.
    let org_roles: Vec<Vec<Value>> = w
        .users
        .iter()
        .flat_map(|u| {
            u.org_roles
                .iter()
                .filter(|r| r.org_id <= w.orgs.len() as i64)
                .map(move |r| vec![int(r.id), int(u.id), s(&r.name), int(r.org_id)])
        })
        .collect();
    db.insert("org_roles", &["id", "user_id", "name", "org_id"], &org_roles).await;
    let repos: Vec<Vec<Value>> =
        w.repos.iter().map(|r| vec![int(r.id), s(&r.name), int(r.org.id), Value::Bool(r.public)]).collect();
    db.insert("repos", &["id", "name", "org_id", "public"], &repos).await;
    let repo_roles: Vec<Vec<Value>> = w
        .users
        .iter()
        .flat_map(|u| {
            u.repo_roles
                .iter()
                .filter(|r| r.repo_id <= w.repos.len() as i64)
                .map(move |r| vec![int(r.id), int(u.id), s(&r.name), int(r.repo_id)])
        })
        .collect();
    db.insert("repo_roles", &["id", "user_id", "name", "repo_id"], &repo_roles).await;
    let issues: Vec<Vec<Value>> =
        w.issues.iter().map(|i| vec![int(i.id), s(&i.title), int(i.repo.id), int(i.creator.id)]).collect();
    db.insert("issues", &["id", "title", "repo_id", "creator_id"], &issues).await;
}

const ACTIONS: [&str; 12] = [
    "read",
    "pull",
    "push",
    "create_issues",
    "list_issues",
    "delete",
    "create_repos",
    "list_repos",
    "manage_members",
    "comment",
    "close",
    "fly",
];

/// Compares one class's filter with the per-item check, for every user and action.
macro_rules! compare {
    ($db:expr, $w:expr, $items:expr, $ty:ty, $tally:expr) => {
        for user in &$w.users {
            for action in ACTIONS {
                let filter = authorized_filter::<User, $ty>(user, action).unwrap_or_else(|e| {
                    panic!("{} filter of {} for {action}: {e}", stringify!($ty), user.name)
                });
                let expected: Vec<i64> =
                    $items.iter().filter(|x| is_allowed(user, action, *x)).map(|x| x.id).collect();
                let got = $db.keys(&filter).await;
                assert_eq!(
                    got,
                    expected,
                    "{}: {} {action} {}: SQL {} (condition {:?})",
                    $db.name(),
                    user.name,
                    stringify!($ty),
                    filter_support::sql(&filter),
                    filter.cond()
                );
                for x in $items.iter() {
                    assert_eq!(filter.matches(x), is_allowed(user, action, x));
                }
                $tally.0 += 1;
                $tally.1 += expected.len();
                $tally.2 += $items.len();
            }
        }
    };
}

/// "Who may?": for every item and action, the users the actor filter returns are those for
/// which the check holds.
macro_rules! compare_actors {
    ($db:expr, $w:expr, $items:expr, $ty:ty, $tally:expr) => {
        for x in $items.iter() {
            for action in ACTIONS {
                let filter = authorized_actors::<User, $ty>(action, x)
                    .unwrap_or_else(|e| panic!("who may {action} {} {}: {e}", stringify!($ty), x.id));
                let expected: Vec<i64> =
                    $w.users.iter().filter(|u| is_allowed(*u, action, x)).map(|u| u.id).collect();
                let got = $db.actor_keys(&filter).await;
                assert_eq!(
                    got,
                    expected,
                    "{}: who may {action} {} {}: condition {:?}",
                    $db.name(),
                    stringify!($ty),
                    x.id,
                    filter.cond()
                );
                for u in &$w.users {
                    assert_eq!(filter.matches(u), is_allowed(u, action, x));
                }
                $tally.0 += 1;
                $tally.1 += expected.len();
            }
        }
    };
}

#[tokio::test(flavor = "current_thread")]
async fn who_may_equals_the_check() {
    let worlds: u64 = std::env::var("POLAR_FILTER_WORLDS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let worlds = worlds.min(20);
    for db in Db::all("gitclub_who").await {
        let mut tally = (0usize, 0usize);
        for seed in 0..worlds {
            let mut rng = StdRng::seed_from_u64(seed);
            let w = world(&mut rng);
            store(&db, &w).await;
            compare_actors!(db, w, w.repos, Repo, tally);
            compare_actors!(db, w, w.issues, Issue, tally);
            compare_actors!(db, w, w.orgs, Org, tally);
        }
        eprintln!(
            "{}: {worlds} worlds, {} actor filters, {} users allowed, all equal to is_allowed",
            db.name(),
            tally.0,
            tally.1
        );
        assert!(tally.1 > 0);
        db.close().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn gitclub_filters_equal_the_check() {
    let worlds: u64 = std::env::var("POLAR_FILTER_WORLDS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for db in Db::all("gitclub").await {
        // (filters compared, rows allowed, rows checked)
        let mut tally = (0usize, 0usize, 0usize);
        for seed in 0..worlds {
            let mut rng = StdRng::seed_from_u64(seed);
            let w = world(&mut rng);
            store(&db, &w).await;
            compare!(db, w, w.repos, Repo, tally);
            compare!(db, w, w.issues, Issue, tally);
            compare!(db, w, w.orgs, Org, tally);
        }
        eprintln!(
            "{}: {worlds} worlds, {} filters, {} of {} rows allowed, all equal to is_allowed",
            db.name(),
            tally.0,
            tally.1,
            tally.2
        );
        assert!(tally.1 > 0 && tally.1 < tally.2, "the worlds allow something and deny something");
        db.close().await;
    }
}
