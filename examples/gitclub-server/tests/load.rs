//! A concurrent load on the demo world through the real binary: 10,000 requests, 100 in
//! flight, a mix of GETs (lists, pages, items, sub-lists) and POSTs (allowed and refused
//! writes). Every answer is the one the policy gives (no 5xx at all), and afterwards every
//! created repository and issue exists exactly once, with distinct ids, and no refused write
//! left a trace. SQLite always, PostgreSQL with `POLAR_TEST_POSTGRES`.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use futures::StreamExt;
use serde_json::{Value, json};
use support::{Backend, Client, DEMO_USERS, Server};

const REQUESTS: usize = 10_000;
const IN_FLIGHT: usize = 100;

/// What the demo world lets each user read (repositories 1-4, issues 1-3).
fn may_read_repo(user: &str, id: i64) -> bool {
    match user {
        "alice" | "carol" => [1, 2, 4].contains(&id),
        "bob" => true,
        "dave" => [2, 4].contains(&id),
        "eve" => [2, 3, 4].contains(&id),
        _ => false,
    }
}

fn may_read_issue(user: &str, id: i64) -> bool {
    match id {
        1 => ["alice", "bob", "carol"].contains(&user),
        2 => ["alice", "bob", "eve"].contains(&user),
        3 => ["bob", "eve"].contains(&user),
        _ => false,
    }
}

/// One request of the mix: `(method, user, path, body, expected status)`.
fn request(i: usize) -> (&'static str, &'static str, String, Option<Value>, u16) {
    let user = DEMO_USERS[i % DEMO_USERS.len()];
    let id = (i / 10 % 4) as i64 + 1;
    match i % 10 {
        0 => ("GET", user, "/repos?limit=10".into(), None, 200),
        1 => ("GET", user, format!("/repos/{id}"), None, if may_read_repo(user, id) { 200 } else { 404 }),
        2 => ("GET", user, format!("/repos?limit=2&offset={}", id - 1), None, 200),
        3 => {
            let id = id.min(3);
            ("GET", user, format!("/issues/{id}"), None, if may_read_issue(user, id) { 200 } else { 404 })
        }
        4 => ("GET", "bob", "/repos/3/issues?limit=5".into(), None, 200),
        5 => {
            ("POST", "alice", "/orgs/1/repos".into(), Some(json!({ "name": format!("load-repo-{i}") })), 201)
        }
        6 => (
            "POST",
            "bob",
            "/repos/3/issues".into(),
            Some(json!({ "title": format!("load-issue-{i}") })),
            201,
        ),
        7 => {
            ("POST", "eve", "/orgs/2/repos".into(), Some(json!({ "name": format!("load-denied-{i}") })), 403)
        }
        8 => (
            "POST",
            "dave",
            "/repos/2/issues".into(),
            Some(json!({ "title": format!("load-denied-{i}") })),
            403,
        ),
        _ => {
            if i % 20 == 9 {
                ("GET", user, "/orgs".into(), None, 200)
            } else {
                ("POST", "bob", "/issues/3/close".into(), None, 200)
            }
        }
    }
}

async fn send(c: &Client, i: usize) -> (usize, u16, Value) {
    let (method, user, path, body, _) = request(i);
    let (status, value) = match (method, body) {
        ("GET", _) => c.get(Some(user), &path).await,
        ("POST", Some(body)) => c.post(Some(user), &path, body).await,
        _ => c.post_empty(Some(user), &path).await,
    };
    (i, status, value)
}

/// The `field` of every item of a list whose `field` starts with `prefix`, with its id.
fn created(list: &Value, field: &str, prefix: &str) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|item| {
            let text = item[field].as_str()?;
            text.starts_with(prefix).then(|| (text.to_owned(), item["id"].as_i64().unwrap()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_mixed_requests_lose_and_duplicate_nothing() {
    for backend in Backend::all("load").await {
        let server = Server::spawn(&backend.url(), &["--demo"], &format!("load-{}", backend.name())).await;
        let c = server.client();
        let answers: Vec<(usize, u16, Value)> = futures::stream::iter(0..REQUESTS)
            .map(|i| send(&c, i))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        assert_eq!(answers.len(), REQUESTS);

        let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
        // What each 201 said it created: name or title -> id.
        let mut repos_made: BTreeMap<String, i64> = BTreeMap::new();
        let mut issues_made: BTreeMap<String, i64> = BTreeMap::new();
        for (i, status, value) in &answers {
            let (method, user, path, _, expected) = request(*i);
            assert!(*status < 500, "{method} {path} as {user}: {status} {value}");
            assert_eq!(*status, expected, "{method} {path} as {user}: {value}");
            *by_status.entry(*status).or_default() += 1;
            if *status == 201 {
                let id = value["id"].as_i64().unwrap();
                let made = if path.ends_with("/repos") { &mut repos_made } else { &mut issues_made };
                let key = value.get("name").or(value.get("title")).unwrap().as_str().unwrap().to_owned();
                assert!(made.insert(key, id).is_none(), "one answer per request");
            }
        }
        let created_201 = by_status[&201];
        assert_eq!(created_201, repos_made.len() + issues_made.len());

        // Every created item exists exactly once, with the id its 201 gave; ids are distinct.
        let (status, repos) = c.get(Some("alice"), "/orgs/1/repos").await;
        assert_eq!(status, 200);
        let found = created(&repos, "name", "load-repo-");
        assert_eq!(found.len(), repos_made.len(), "{}: repositories lost or duplicated", backend.name());
        assert_eq!(found.iter().cloned().collect::<BTreeMap<_, _>>(), repos_made);
        let (status, issues) = c.get(Some("bob"), "/repos/3/issues").await;
        assert_eq!(status, 200);
        let found = created(&issues, "title", "load-issue-");
        assert_eq!(found.len(), issues_made.len(), "{}: issues lost or duplicated", backend.name());
        assert_eq!(found.iter().cloned().collect::<BTreeMap<_, _>>(), issues_made);
        for made in [&repos_made, &issues_made] {
            let ids: BTreeSet<i64> = made.values().copied().collect();
            assert_eq!(ids.len(), made.len(), "{}: an id was given twice", backend.name());
        }

        // The refused writes left nothing.
        let (_, globex) = c.get(Some("eve"), "/orgs/2/repos").await;
        assert!(created(&globex, "name", "load-denied-").is_empty());
        let (_, website) = c.get(Some("eve"), "/repos/2/issues").await;
        assert!(created(&website, "title", "load-denied-").is_empty());

        eprintln!(
            "{}: {REQUESTS} requests, {IN_FLIGHT} in flight: {by_status:?}; {} repositories and {} issues created, each once",
            backend.name(),
            repos_made.len(),
            issues_made.len()
        );
        server.stop().await;
        backend.finish().await;
    }
}
