//! Data filtering of `tests/policies/filter_features.polar` (every relation kind, `or`,
//! `not`, `forall`, comparisons, known lists) on random worlds written to SQLite (and
//! PostgreSQL with `POLAR_TEST_POSTGRES`): the rows each filter returns are exactly those for
//! which `is_allowed` holds, and `matches` agrees; `is_allowed` itself equals Oso 0.27.3's
//! answer on every (user, action, item) of the same worlds. `POLAR_FILTER_WORLDS` sets the number of
//! worlds.

mod filter_support;

use filter_support::{Db, Value};
use polar_runtime::PolarClass;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod model {
    use super::PolarClass;

    /// The actor: known when a filter is built, so it needs no table.
    #[derive(PolarClass, Clone, PartialEq, Debug)]
    pub struct User {
        pub id: i64,
        pub name: String,
        pub level: i64,
        pub min_pages: i64,
        pub admin: bool,
        pub interests: Vec<String>,
    }

    #[derive(PolarClass, Clone, PartialEq, Debug)]
    #[polar(table = "tags")]
    pub struct Tag {
        pub id: i64,
        pub name: String,
    }

    #[derive(PolarClass, Clone, PartialEq, Debug)]
    #[polar(table = "shares")]
    pub struct Share {
        #[polar(key, column = "share_id")]
        pub sid: i64,
        pub user_id: i64,
        pub level: i64,
    }

    #[derive(PolarClass, Clone, PartialEq, Debug)]
    #[polar(table = "folders")]
    pub struct Folder {
        pub id: i64,
        pub owner_id: i64,
        #[polar(one_to_many = "folder_id")]
        pub docs: Vec<Doc>,
    }

    #[derive(PolarClass, Clone, PartialEq, Debug)]
    #[polar(table = "docs")]
    pub struct Doc {
        pub id: i64,
        pub title: String,
        pub public: bool,
        pub owner_id: i64,
        pub locked: bool,
        pub pages: i64,
        /// The folder, without its documents (the policy does not walk back down).
        #[polar(many_to_one = "folder_id")]
        pub folder: Folder,
        #[polar(many_to_many(table = "doc_tags", here = "doc_id", there = "tag_id"))]
        pub tags: Vec<Tag>,
        #[polar(one_to_many = "doc_id")]
        pub shares: Vec<Share>,
    }

    polar_runtime::polar!(file = "policies/filter_features.polar", filters = true);
}

use model::*;

/// The same classes for Oso 0.27.3, converted from the compiled side's values.
mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct User {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub min_pages: i64,
        #[polar(attribute)]
        pub admin: bool,
        #[polar(attribute)]
        pub interests: Vec<String>,
    }

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Tag {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub name: String,
    }

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Share {
        #[polar(attribute)]
        pub sid: i64,
        #[polar(attribute)]
        pub user_id: i64,
        #[polar(attribute)]
        pub level: i64,
    }

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Folder {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub owner_id: i64,
        #[polar(attribute)]
        pub docs: Vec<Doc>,
    }

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Doc {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub title: String,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub owner_id: i64,
        #[polar(attribute)]
        pub locked: bool,
        #[polar(attribute)]
        pub pages: i64,
        #[polar(attribute)]
        pub folder: Folder,
        #[polar(attribute)]
        pub tags: Vec<Tag>,
        #[polar(attribute)]
        pub shares: Vec<Share>,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(User::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Tag::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Share::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Folder::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Doc::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.load_str(include_str!("../policies/filter_features.polar")).unwrap();
        oso
    }

    pub fn user(u: &super::User) -> User {
        User {
            id: u.id,
            name: u.name.clone(),
            level: u.level,
            min_pages: u.min_pages,
            admin: u.admin,
            interests: u.interests.clone(),
        }
    }

    pub fn folder(f: &super::Folder) -> Folder {
        Folder { id: f.id, owner_id: f.owner_id, docs: f.docs.iter().map(doc).collect() }
    }

    pub fn doc(d: &super::Doc) -> Doc {
        Doc {
            id: d.id,
            title: d.title.clone(),
            public: d.public,
            owner_id: d.owner_id,
            locked: d.locked,
            pages: d.pages,
            folder: folder(&d.folder),
            tags: d.tags.iter().map(|t| Tag { id: t.id, name: t.name.clone() }).collect(),
            shares: d
                .shares
                .iter()
                .map(|s| Share { sid: s.sid, user_id: s.user_id, level: s.level })
                .collect(),
        }
    }
}

/// `is_allowed` against Oso on every (user, action, item) of the world; the count compared.
fn check_equals_oso(oso: &oso::Oso, w: &World) -> usize {
    let mut compared = 0;
    for user in &w.users {
        let theirs_user = oso_side::user(user);
        for action in ACTIONS {
            for d in &w.docs {
                let theirs = oso.is_allowed(theirs_user.clone(), action, oso_side::doc(d)).unwrap();
                assert_eq!(
                    is_allowed(user, action, d),
                    theirs,
                    "{} {action} doc {}: compiled vs Oso",
                    user.name,
                    d.id
                );
                compared += 1;
            }
            for f in &w.folders {
                let theirs = oso.is_allowed(theirs_user.clone(), action, oso_side::folder(f)).unwrap();
                assert_eq!(
                    is_allowed(user, action, f),
                    theirs,
                    "{} {action} folder {}: compiled vs Oso",
                    user.name,
                    f.id
                );
                compared += 1;
            }
        }
    }
    compared
}

const SCHEMA: &str = "
    CREATE TABLE folders (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL);
    CREATE TABLE docs (id BIGINT PRIMARY KEY, title TEXT NOT NULL, public BOOLEAN NOT NULL, owner_id BIGINT NOT NULL,
                       locked BOOLEAN NOT NULL, pages BIGINT NOT NULL, folder_id BIGINT NOT NULL REFERENCES folders(id));
    CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE doc_tags (doc_id BIGINT NOT NULL REFERENCES docs(id), tag_id BIGINT NOT NULL REFERENCES tags(id));
    CREATE TABLE shares (share_id BIGINT PRIMARY KEY, doc_id BIGINT NOT NULL REFERENCES docs(id), user_id BIGINT NOT NULL, level BIGINT NOT NULL);
";

const TAGS: [&str; 5] = ["draft", "protected", "rust", "sql", "README"];
const TITLES: [&str; 5] = ["README", "plan", "notes", "user1", "user2"];

struct World {
    users: Vec<User>,
    tags: Vec<Tag>,
    folders: Vec<Folder>,
    docs: Vec<Doc>,
}

fn world(rng: &mut StdRng) -> World {
    let users: Vec<User> = (1..=rng.gen_range(1..5))
        .map(|id| User {
            id,
            name: format!("user{id}"),
            level: rng.gen_range(-1..4),
            min_pages: rng.gen_range(0..60),
            admin: rng.gen_bool(0.3),
            interests: (0..rng.gen_range(0..3))
                .map(|_| TAGS[rng.gen_range(0..TAGS.len())].to_owned())
                .collect(),
        })
        .collect();
    let tags: Vec<Tag> =
        TAGS.iter().enumerate().map(|(i, name)| Tag { id: i as i64 + 1, name: (*name).into() }).collect();
    let mut folders: Vec<Folder> = (1..=rng.gen_range(1..4))
        .map(|id| Folder { id, owner_id: rng.gen_range(1..6), docs: Vec::new() })
        .collect();
    let mut share_id = 0;
    let docs: Vec<Doc> = (1..=rng.gen_range(0..14))
        .map(|id| Doc {
            id,
            title: TITLES[rng.gen_range(0..TITLES.len())].into(),
            public: rng.gen_bool(0.2),
            owner_id: rng.gen_range(1..6),
            locked: rng.gen_bool(0.3),
            pages: rng.gen_range(0..150),
            folder: folders[rng.gen_range(0..folders.len())].clone(),
            tags: {
                let mut t: Vec<Tag> = tags.iter().filter(|_| rng.gen_bool(0.3)).cloned().collect();
                t.dedup();
                t
            },
            shares: (0..rng.gen_range(0..3))
                .map(|_| {
                    share_id += 1;
                    Share { sid: share_id, user_id: rng.gen_range(1..6), level: rng.gen_range(0..4) }
                })
                .collect(),
        })
        .collect();
    for folder in &mut folders {
        folder.docs = docs.iter().filter(|d| d.folder.id == folder.id).cloned().collect();
    }
    World { users, tags, folders, docs }
}

async fn store(db: &Db, w: &World) {
    db.execute("DROP TABLE IF EXISTS shares; DROP TABLE IF EXISTS doc_tags; DROP TABLE IF EXISTS tags; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS folders").await;
    db.execute(SCHEMA).await;
    let int = Value::Int;
    let s = |x: &str| Value::Str(x.to_owned());
    db.insert(
        "folders",
        &["id", "owner_id"],
        &w.folders.iter().map(|f| vec![int(f.id), int(f.owner_id)]).collect::<Vec<_>>(),
    )
    .await;
    let docs: Vec<Vec<Value>> = w
        .docs
        .iter()
        .map(|d| {
            vec![
                int(d.id),
                s(&d.title),
                Value::Bool(d.public),
                int(d.owner_id),
                Value::Bool(d.locked),
                int(d.pages),
                int(d.folder.id),
            ]
        })
        .collect();
    db.insert("docs", &["id", "title", "public", "owner_id", "locked", "pages", "folder_id"], &docs).await;
    db.insert(
        "tags",
        &["id", "name"],
        &w.tags.iter().map(|t| vec![int(t.id), s(&t.name)]).collect::<Vec<_>>(),
    )
    .await;
    let doc_tags: Vec<Vec<Value>> =
        w.docs.iter().flat_map(|d| d.tags.iter().map(move |t| vec![int(d.id), int(t.id)])).collect();
    db.insert("doc_tags", &["doc_id", "tag_id"], &doc_tags).await;
    let shares: Vec<Vec<Value>> = w
        .docs
        .iter()
        .flat_map(|d| {
            d.shares.iter().map(move |sh| vec![int(sh.sid), int(d.id), int(sh.user_id), int(sh.level)])
        })
        .collect();
    db.insert("shares", &["share_id", "doc_id", "user_id", "level"], &shares).await;
}

const ACTIONS: [&str; 8] = ["read", "edit", "review", "archive", "delete", "tag", "list", "nothing"];

macro_rules! compare {
    ($db:expr, $w:expr, $items:expr, $ty:ty, $key:ident, $tally:expr) => {
        for user in &$w.users {
            for action in ACTIONS {
                let filter = authorized_filter::<User, $ty>(user, action).unwrap_or_else(|e| {
                    panic!("{} filter of {} for {action}: {e}", stringify!($ty), user.name)
                });
                let expected: Vec<i64> =
                    $items.iter().filter(|x| is_allowed(user, action, *x)).map(|x| x.$key).collect();
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

#[tokio::test(flavor = "current_thread")]
async fn filters_equal_the_check() {
    let worlds: u64 = std::env::var("POLAR_FILTER_WORLDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let oso = oso_side::oso();
    let mut compared = 0;
    for seed in 0..worlds {
        compared += check_equals_oso(&oso, &world(&mut StdRng::seed_from_u64(seed)));
    }
    eprintln!("is_allowed equals Oso 0.27.3 on {compared} (user, action, item) of {worlds} worlds");
    for db in Db::all("features").await {
        let mut tally = (0usize, 0usize, 0usize);
        for seed in 0..worlds {
            let mut rng = StdRng::seed_from_u64(seed);
            let w = world(&mut rng);
            store(&db, &w).await;
            compare!(db, w, w.docs, Doc, id, tally);
            compare!(db, w, w.folders, Folder, id, tally);
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
