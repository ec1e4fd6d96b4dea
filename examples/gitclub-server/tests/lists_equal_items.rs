//! On a random world (`--random SEED`: 10 organizations, 100 repositories, 500 issues, 50
//! users), for every user, every list is exactly the items whose own GET answers 200, item for
//! item (the same JSON, permissions included): `GET /repos`, `GET /orgs`,
//! `GET /orgs/{id}/repos` and `GET /repos/{id}/issues` (which answer 404 or 403 exactly where
//! the parent's "list_repos"/"list_issues" is refused). Pages of a list are its slices.
//! SQLite always, PostgreSQL with `POLAR_TEST_POSTGRES`.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use futures::StreamExt;
use gitclub_server::world;
use serde_json::Value;
use support::{Backend, Client, Server, ids};

const SEED: u64 = 20250101;

/// Requests in flight at once.
const CONCURRENCY: usize = 32;

/// `GET`s of many paths as `user`, concurrently; by path.
async fn get_all(c: &Client, user: &str, paths: Vec<String>) -> BTreeMap<String, (u16, Value)> {
    futures::stream::iter(paths)
        .map(|path| async move {
            let answer = c.get(Some(user), &path).await;
            (path, answer)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// The items of `answers` (paths `{prefix}{id}`) that answered 200, by id.
fn readable(answers: &BTreeMap<String, (u16, Value)>, prefix: &str) -> BTreeMap<i64, Value> {
    answers
        .iter()
        .filter_map(|(path, (status, item))| {
            let id: i64 = path.strip_prefix(prefix)?.parse().ok()?;
            match status {
                200 => Some((id, item.clone())),
                404 => None,
                other => panic!("GET {path}: {other} {item}"),
            }
        })
        .collect()
}

/// The items of a list answer, by id, in order.
fn items(list: &Value) -> Vec<(i64, Value)> {
    list.as_array().unwrap().iter().map(|i| (i["id"].as_i64().unwrap(), i.clone())).collect()
}

/// The list equals the readable items (the same JSON, in id order) that `keep` selects.
fn assert_list(what: &str, list: &Value, readable: &BTreeMap<i64, Value>, keep: impl Fn(&Value) -> bool) {
    let expected: Vec<(i64, Value)> =
        readable.iter().filter(|(_, v)| keep(v)).map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(items(list), expected, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_equals_its_per_item_gets_for_every_user() {
    let w = world::random(SEED);
    let seed = SEED.to_string();
    for backend in Backend::all("lists_equal_items").await {
        let server =
            Server::spawn(&backend.url(), &["--random", &seed], &format!("lists-{}", backend.name())).await;
        let c = server.client();
        let (status, users) = c.get(None, "/users").await;
        assert_eq!(status, 200);
        let names: Vec<String> =
            users.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, w.users.iter().map(|u| u.name.clone()).collect::<Vec<_>>());
        // Ids are assigned by the database in insertion order: 1..=n on a fresh one. Probing
        // a few past the end checks that nothing else exists.
        let range = |n: usize| (1..=n as i64 + 3).collect::<Vec<i64>>();
        let mut tally = Tally::default();
        for user in &names {
            let orgs = readable(
                &get_all(&c, user, range(w.orgs.len()).iter().map(|i| format!("/orgs/{i}")).collect()).await,
                "/orgs/",
            );
            let repos = readable(
                &get_all(&c, user, range(w.repos.len()).iter().map(|i| format!("/repos/{i}")).collect())
                    .await,
                "/repos/",
            );
            assert!(orgs.keys().all(|id| *id <= w.orgs.len() as i64));
            assert!(repos.keys().all(|id| *id <= w.repos.len() as i64));

            let (status, list) = c.get(Some(user), "/orgs").await;
            assert_eq!(status, 200);
            assert_list(&format!("{user}: GET /orgs"), &list, &orgs, |_| true);
            let (status, list) = c.get(Some(user), "/repos").await;
            assert_eq!(status, 200);
            assert_list(&format!("{user}: GET /repos"), &list, &repos, |_| true);

            // Sub-collections: 404 where the parent is unreadable, else 200 or (where
            // "list_..." is refused on a readable parent) 403.
            let org_lists =
                get_all(&c, user, range(w.orgs.len()).iter().map(|i| format!("/orgs/{i}/repos")).collect())
                    .await;
            for id in range(w.orgs.len()) {
                let (status, list) = &org_lists[&format!("/orgs/{id}/repos")];
                match (orgs.contains_key(&id), status) {
                    (false, 404) => {}
                    (true, 200) => {
                        assert_list(&format!("{user}: GET /orgs/{id}/repos"), list, &repos, |r| {
                            r["org_id"] == id
                        });
                        tally.sublists += 1;
                    }
                    (true, 403) => tally.forbidden += 1,
                    (readable, status) => {
                        panic!("{user}: GET /orgs/{id}/repos: {status} (org readable: {readable})")
                    }
                }
            }
            let repo_lists = get_all(
                &c,
                user,
                range(w.repos.len()).iter().map(|i| format!("/repos/{i}/issues")).collect(),
            )
            .await;
            let listed: BTreeSet<i64> = range(w.repos.len())
                .into_iter()
                .filter(|id| repo_lists[&format!("/repos/{id}/issues")].0 == 200)
                .collect();
            // The issues to GET one by one: those of the repositories whose issues are listed
            // (the world says which repository each issue is in: issue i is the i-th
            // inserted), and for the first users every issue, so that the others are seen to
            // answer 404.
            let probed: Vec<i64> = if tally.users < 3 {
                range(w.issues.len())
            } else {
                (1..=w.issues.len() as i64)
                    .filter(|id| listed.contains(&(w.issues[*id as usize - 1].repo as i64 + 1)))
                    .collect()
            };
            let issues = readable(
                &get_all(&c, user, probed.iter().map(|i| format!("/issues/{i}")).collect()).await,
                "/issues/",
            );
            for (id, issue) in &issues {
                let repo_id = w.issues[*id as usize - 1].repo as i64 + 1;
                assert_eq!(issue["repo_id"], repo_id);
                assert!(
                    listed.contains(&repo_id),
                    "{user}: issue {id} is readable but its repository's issues are not listed"
                );
            }
            for id in range(w.repos.len()) {
                let (status, list) = &repo_lists[&format!("/repos/{id}/issues")];
                match (repos.contains_key(&id), status) {
                    (false, 404) => {}
                    (true, 200) => {
                        assert_list(&format!("{user}: GET /repos/{id}/issues"), list, &issues, |i| {
                            i["repo_id"] == id
                        });
                        tally.sublists += 1;
                    }
                    (true, 403) => {
                        // A public repository the caller does not hold a role on: "read" but
                        // not "list_issues".
                        assert!(
                            !repos[&id]["permissions"].as_array().unwrap().contains(&"list_issues".into())
                        );
                        tally.forbidden += 1;
                    }
                    (readable, status) => {
                        panic!("{user}: GET /repos/{id}/issues: {status} (repo readable: {readable})")
                    }
                }
            }
            tally.issue_gets += probed.len();
            tally.users += 1;
            tally.readable += orgs.len() + repos.len() + issues.len();
        }
        // Pages are slices of the whole list, for a few users.
        for user in names.iter().take(5) {
            let (_, whole) = c.get(Some(user), "/repos").await;
            let whole = ids(&whole);
            for (limit, offset) in [(7, 0), (7, 7), (1, 3), (50, 20), (3, 1000)] {
                let (status, page) =
                    c.get(Some(user), &format!("/repos?limit={limit}&offset={offset}")).await;
                assert_eq!(status, 200);
                let expected: Vec<i64> = whole.iter().copied().skip(offset).take(limit).collect();
                assert_eq!(ids(&page), expected, "{user}: limit {limit} offset {offset}");
            }
            let mut paged = BTreeSet::new();
            let mut offset = 0;
            loop {
                let (_, page) = c.get(Some(user), &format!("/repos?limit=9&offset={offset}")).await;
                let page = ids(&page);
                if page.is_empty() {
                    break;
                }
                offset += page.len();
                paged.extend(page);
            }
            assert_eq!(paged.into_iter().collect::<Vec<_>>(), whole);
        }
        eprintln!(
            "{}: {} users: lists equal per-item GETs ({} items readable, {} issues GET one by one, {} sub-lists compared, {} refused with 403)",
            backend.name(),
            tally.users,
            tally.readable,
            tally.issue_gets,
            tally.sublists,
            tally.forbidden
        );
        let all = tally.users * (w.orgs.len() + w.repos.len() + w.issues.len());
        assert!(tally.readable > 0 && tally.readable < all, "the world allows some and denies some");
        assert!(tally.sublists > 0 && tally.forbidden > 0, "both answers of the sub-lists are exercised");
        server.stop().await;
        backend.finish().await;
    }
}

#[derive(Default)]
struct Tally {
    users: usize,
    readable: usize,
    issue_gets: usize,
    sublists: usize,
    forbidden: usize,
}
