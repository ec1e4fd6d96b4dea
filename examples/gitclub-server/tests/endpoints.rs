//! Every endpoint and every status it answers, on the demo world, through the real binary
//! over HTTP: SQLite always, PostgreSQL with `POLAR_TEST_POSTGRES`.
//!
//! The demo world: organizations 1 acme, 2 globex; repositories 1 anvil (acme), 2 website
//! (acme, public), 3 hydra (globex), 4 docs (globex, public); issues 1 (anvil, by bob), 2
//! (website, by dave), 3 (hydra, by carol). alice owns acme; bob is a member of acme and a
//! writer on hydra; carol a reader on anvil and admin of docs; dave has no roles; eve is a
//! member of globex and a reader on website.

mod support;

use serde_json::json;
use support::{Backend, Client, Server, ids, strings};

const ORG_OWNER: [&str; 4] = ["read", "create_repos", "list_repos", "manage_members"];
const REPO_ADMIN: [&str; 6] = ["read", "pull", "push", "create_issues", "list_issues", "delete"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_and_status() {
    for backend in Backend::all("endpoints").await {
        let server =
            Server::spawn(&backend.url(), &["--demo"], &format!("endpoints-{}", backend.name())).await;
        let c = server.client();
        reads(&c).await;
        lists_and_pages(&c).await;
        writes(&c).await;
        protocol(&c).await;
        eprintln!("{}: every endpoint and status as expected", backend.name());
        server.stop().await;
        backend.finish().await;
    }
}

async fn reads(c: &Client) {
    // Public: no header needed.
    let (status, users) = c.get(None, "/users").await;
    assert_eq!(status, 200);
    assert_eq!(
        users,
        json!([{"name": "alice"}, {"name": "bob"}, {"name": "carol"}, {"name": "dave"}, {"name": "eve"}])
    );

    // 401: no header, an unknown user, an empty name, a name past the limit.
    let long = "a".repeat(101);
    for user in [None, Some("mallory"), Some(""), Some(long.as_str())] {
        for path in
            ["/orgs", "/orgs/1", "/repos", "/repos/1", "/repos/1/issues", "/issues/1", "/orgs/1/repos"]
        {
            let (status, body) = c.get(user, path).await;
            assert_eq!(status, 401, "{path} as {user:?}");
            assert!(body["error"].as_str().unwrap().starts_with("unauthorized"), "{body}");
        }
    }

    // GET /orgs/{id}: 200 with the caller's permissions, 404 unreadable, 404 missing.
    let (status, org) = c.get(Some("alice"), "/orgs/1").await;
    assert_eq!(status, 200);
    assert_eq!(org, json!({"id": 1, "name": "acme", "permissions": ORG_OWNER}));
    let (status, org) = c.get(Some("bob"), "/orgs/1").await;
    assert_eq!((status, org), (200, json!({"id": 1, "name": "acme", "permissions": ["read", "list_repos"]})));
    for (user, path) in
        [("dave", "/orgs/1"), ("alice", "/orgs/2"), ("alice", "/orgs/3"), ("alice", "/orgs/99999")]
    {
        assert_eq!(c.get(Some(user), path).await, (404, json!({"error": "not found"})), "{path} as {user}");
    }

    // GET /repos/{id}.
    let (status, repo) = c.get(Some("alice"), "/repos/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        repo,
        json!({"id": 1, "name": "anvil", "org_id": 1, "public": false, "permissions": REPO_ADMIN})
    );
    let (status, repo) = c.get(Some("dave"), "/repos/2").await;
    assert_eq!(status, 200, "public");
    assert_eq!(strings(&repo["permissions"]), ["read", "pull"]);
    let (status, repo) = c.get(Some("bob"), "/repos/3").await;
    assert_eq!(status, 200);
    assert_eq!(strings(&repo["permissions"]), ["read", "pull", "push", "create_issues", "list_issues"]);
    for (user, path) in
        [("dave", "/repos/1"), ("eve", "/repos/1"), ("alice", "/repos/3"), ("alice", "/repos/5")]
    {
        assert_eq!(c.get(Some(user), path).await, (404, json!({"error": "not found"})), "{path} as {user}");
    }

    // GET /issues/{id}.
    let (status, issue) = c.get(Some("bob"), "/issues/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        issue,
        json!({"id": 1, "title": "Anvil falls too slowly", "repo_id": 1, "creator": "bob", "closed": false,
               "permissions": ["read", "comment", "close"]}),
        "bob opened it"
    );
    let (status, issue) = c.get(Some("alice"), "/issues/1").await;
    assert_eq!(
        (status, strings(&issue["permissions"])),
        (200, vec!["read", "comment", "close"]),
        "a writer of anvil"
    );
    let (status, issue) = c.get(Some("carol"), "/issues/1").await;
    assert_eq!((status, strings(&issue["permissions"])), (200, vec!["read", "comment"]), "a reader of anvil");
    let (status, issue) = c.get(Some("dave"), "/issues/2").await;
    assert_eq!(status, 404, "dave opened it, but may not read website's issues: {issue}");
    let (status, issue) = c.get(Some("eve"), "/issues/2").await;
    assert_eq!((status, strings(&issue["permissions"])), (200, vec!["read", "comment"]));
    let (status, issue) = c.get(Some("alice"), "/issues/2").await;
    assert_eq!((status, strings(&issue["permissions"])), (200, vec!["read", "comment", "close"]));
    for (user, path) in [("dave", "/issues/1"), ("alice", "/issues/3"), ("alice", "/issues/4")] {
        assert_eq!(c.get(Some(user), path).await, (404, json!({"error": "not found"})), "{path} as {user}");
    }
}

async fn lists_and_pages(c: &Client) {
    // GET /orgs and GET /repos: what each user may read, in id order.
    let expected_orgs =
        [("alice", vec![1]), ("bob", vec![1]), ("carol", vec![]), ("dave", vec![]), ("eve", vec![2])];
    for (user, expected) in expected_orgs {
        let (status, orgs) = c.get(Some(user), "/orgs").await;
        assert_eq!((status, ids(&orgs)), (200, expected), "{user}");
    }
    let expected_repos = [
        ("alice", vec![1, 2, 4]),
        ("bob", vec![1, 2, 3, 4]),
        ("carol", vec![1, 2, 4]),
        ("dave", vec![2, 4]),
        ("eve", vec![2, 3, 4]),
    ];
    for (user, expected) in &expected_repos {
        let (status, repos) = c.get(Some(user), "/repos").await;
        assert_eq!((status, ids(&repos)), (200, expected.clone()), "{user}");
        // The items of a list are the items of their own GET.
        for repo in repos.as_array().unwrap() {
            assert_eq!(&c.get(Some(user), &format!("/repos/{}", repo["id"])).await, &(200, repo.clone()));
        }
    }

    // LIMIT and OFFSET.
    for (query, expected) in [
        ("limit=1", vec![1]),
        ("limit=2&offset=1", vec![2, 3]),
        ("offset=2", vec![3, 4]),
        ("offset=4", vec![]),
        ("limit=0", vec![]),
        ("limit=100&offset=0", vec![1, 2, 3, 4]),
        ("limit=9223372036854775807&offset=3", vec![4]),
    ] {
        let (status, repos) = c.get(Some("bob"), &format!("/repos?{query}")).await;
        assert_eq!((status, ids(&repos)), (200, expected), "{query}");
    }
    let (status, orgs) = c.get(Some("alice"), "/orgs?limit=1&offset=1").await;
    assert_eq!((status, ids(&orgs)), (200, vec![]));
    let (status, issues) = c.get(Some("bob"), "/repos/3/issues?limit=1").await;
    assert_eq!((status, ids(&issues)), (200, vec![3]));

    // GET /orgs/{id}/repos: "list_repos" on the organization first.
    let (status, repos) = c.get(Some("alice"), "/orgs/1/repos").await;
    assert_eq!((status, ids(&repos)), (200, vec![1, 2]));
    let (status, repos) = c.get(Some("eve"), "/orgs/2/repos").await;
    assert_eq!((status, ids(&repos)), (200, vec![3, 4]));
    let (status, repos) = c.get(Some("bob"), "/orgs/1/repos?offset=1").await;
    assert_eq!((status, ids(&repos)), (200, vec![2]));
    for (user, path) in [("eve", "/orgs/1/repos"), ("dave", "/orgs/2/repos"), ("alice", "/orgs/7/repos")] {
        assert_eq!(c.get(Some(user), path).await.0, 404, "{path} as {user}");
    }

    // GET /repos/{id}/issues: "list_issues" on the repository first: 403 where the caller
    // may read the repository (public) but not list its issues.
    let (status, issues) = c.get(Some("bob"), "/repos/3/issues").await;
    assert_eq!((status, ids(&issues)), (200, vec![3]));
    assert_eq!(issues[0]["creator"], "carol");
    let (status, issues) = c.get(Some("eve"), "/repos/2/issues").await;
    assert_eq!((status, ids(&issues)), (200, vec![2]));
    let (status, issues) = c.get(Some("carol"), "/repos/4/issues").await;
    assert_eq!((status, ids(&issues)), (200, vec![]));
    assert_eq!(c.get(Some("dave"), "/repos/2/issues").await, (403, json!({"error": "forbidden"})));
    assert_eq!(c.get(Some("alice"), "/repos/4/issues").await, (403, json!({"error": "forbidden"})));
    assert_eq!(c.get(Some("dave"), "/repos/1/issues").await, (404, json!({"error": "not found"})));
    assert_eq!(c.get(Some("dave"), "/repos/77/issues").await, (404, json!({"error": "not found"})));
}

async fn writes(c: &Client) {
    // POST /orgs/{id}/repos: 201 for an owner; 403 for a member; 404 for others and for a
    // missing organization.
    let (status, repo) = c.post(Some("alice"), "/orgs/1/repos", json!({"name": "rockets"})).await;
    assert_eq!(status, 201, "{repo}");
    let id = repo["id"].as_i64().unwrap();
    assert!(id > 4);
    assert_eq!(
        repo,
        json!({"id": id, "name": "rockets", "org_id": 1, "public": false, "permissions": REPO_ADMIN})
    );
    assert_eq!(c.get(Some("alice"), &format!("/repos/{id}")).await, (200, repo.clone()));
    let (status, public) =
        c.post(Some("alice"), "/orgs/1/repos", json!({"name": "blog", "public": true})).await;
    assert_eq!((status, &public["public"]), (201, &json!(true)));
    assert_eq!(c.get(Some("dave"), &format!("/repos/{}", public["id"])).await.0, 200);
    assert_eq!(
        c.post(Some("bob"), "/orgs/1/repos", json!({"name": "x"})).await,
        (403, json!({"error": "forbidden"}))
    );
    assert_eq!(
        c.post(Some("dave"), "/orgs/1/repos", json!({"name": "x"})).await,
        (404, json!({"error": "not found"}))
    );
    assert_eq!(c.post(Some("alice"), "/orgs/9/repos", json!({"name": "x"})).await.0, 404);
    assert_eq!(c.post(None, "/orgs/1/repos", json!({"name": "x"})).await.0, 401);

    // POST /repos/{id}/issues: 201 for a writer, the caller as creator.
    let (status, issue) = c.post(Some("bob"), "/repos/3/issues", json!({"title": "Fire"})).await;
    assert_eq!(status, 201, "{issue}");
    let issue_id = issue["id"].as_i64().unwrap();
    assert_eq!(
        issue,
        json!({"id": issue_id, "title": "Fire", "repo_id": 3, "creator": "bob", "closed": false,
               "permissions": ["read", "comment", "close"]})
    );
    assert_eq!(c.get(Some("bob"), &format!("/issues/{issue_id}")).await, (200, issue.clone()));
    let (status, issues) = c.get(Some("bob"), "/repos/3/issues").await;
    assert_eq!((status, ids(&issues)), (200, vec![3, issue_id]));
    assert_eq!(c.post(Some("dave"), "/repos/2/issues", json!({"title": "x"})).await.0, 403);
    assert_eq!(c.post(Some("eve"), "/repos/2/issues", json!({"title": "x"})).await.0, 403);
    assert_eq!(c.post(Some("dave"), "/repos/1/issues", json!({"title": "x"})).await.0, 404);
    assert_eq!(c.post(Some("bob"), "/repos/99/issues", json!({"title": "x"})).await.0, 404);

    // POST /issues/{id}/close: the creator, or a writer of the repository.
    assert_eq!(c.post_empty(Some("eve"), "/issues/2/close").await, (403, json!({"error": "forbidden"})));
    assert_eq!(c.post_empty(Some("dave"), "/issues/3/close").await.0, 404);
    assert_eq!(c.post_empty(Some("bob"), "/issues/99/close").await.0, 404);
    let (status, closed) = c.post_empty(Some("bob"), "/issues/3/close").await;
    assert_eq!((status, &closed["closed"]), (200, &json!(true)), "{closed}");
    assert_eq!(c.get(Some("bob"), "/issues/3").await, (200, closed.clone()));
    let (status, again) = c.post_empty(Some("bob"), "/issues/3/close").await;
    assert_eq!((status, again), (200, closed), "closing is idempotent");
    // The policy lets the creator close an issue ("close" if "creator") without reading it:
    // carol opened hydra's issue and may close it, though GET gives her 404.
    assert_eq!(c.get(Some("carol"), "/issues/3").await.0, 404);
    let (status, closed) = c.post_empty(Some("carol"), "/issues/3/close").await;
    assert_eq!((status, strings(&closed["permissions"])), (200, vec!["close"]), "{closed}");
    let (status, closed) = c.post_empty(Some("alice"), "/issues/2/close").await;
    assert_eq!((status, &closed["closed"]), (200, &json!(true)));

    // DELETE /repos/{id}: an admin (here through owning the organization); its issues and
    // roles go with it.
    assert_eq!(c.delete(Some("bob"), "/repos/3").await, (403, json!({"error": "forbidden"})));
    assert_eq!(c.delete(Some("dave"), "/repos/1").await, (404, json!({"error": "not found"})));
    assert_eq!(c.delete(Some("eve"), "/repos/1").await.0, 404);
    assert_eq!(c.get(Some("carol"), "/repos/1").await.0, 200, "carol reads anvil through her role");
    assert_eq!(c.delete(Some("alice"), "/repos/1").await, (204, serde_json::Value::Null));
    assert_eq!(c.delete(Some("alice"), "/repos/1").await.0, 404);
    assert_eq!(c.get(Some("alice"), "/repos/1").await.0, 404);
    assert_eq!(c.get(Some("alice"), "/issues/1").await.0, 404, "the issue went with it");
    assert_eq!(c.get(Some("bob"), "/issues/1").await.0, 404);
    assert_eq!(c.get(Some("carol"), "/repos/1").await.0, 404);
    let (status, repos) = c.get(Some("bob"), "/repos").await;
    assert_eq!(status, 200);
    assert!(!ids(&repos).contains(&1));
    // carol, admin of docs, may delete it.
    assert_eq!(c.delete(Some("carol"), "/repos/4").await.0, 204);
    assert_eq!(c.get(Some("dave"), "/repos/4").await.0, 404);
}

async fn protocol(c: &Client) {
    // Unknown routes and methods: JSON 404 and 405.
    assert_eq!(c.get(Some("alice"), "/nowhere").await, (404, json!({"error": "not found"})));
    assert_eq!(c.get(None, "/repos/1/nothing").await.0, 404);
    let (status, body) = c.method(reqwest::Method::PUT, Some("alice"), "/repos/2").await;
    assert_eq!((status, body), (405, json!({"error": "method not allowed"})));
    assert_eq!(c.method(reqwest::Method::DELETE, None, "/users").await.0, 405);
}

/// `--db sqlite:PATH`: a file, created on first start; a restart keeps the data and does not
/// seed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_survives_a_restart() {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gitclub-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite:{}", path.display());
    let server = Server::spawn(&url, &["--random", "3"], "sqlite-file-1").await;
    let c = server.client();
    let (_, users) = c.get(None, "/users").await;
    assert_eq!(users.as_array().unwrap().len(), 50);
    let (status, repo) = c.post(Some("alice"), "/orgs/1/repos", json!({"name": "x"})).await;
    assert_eq!(status, 401, "no alice in a random world: {repo}");
    let (_, repos_before) = c.get(Some("user1"), "/repos").await;
    server.stop().await;

    let server = Server::spawn(&url, &["--demo"], "sqlite-file-2").await;
    let c = server.client();
    let (_, users) = c.get(None, "/users").await;
    assert_eq!(users.as_array().unwrap().len(), 50, "the random world is still there, not seeded again");
    assert_eq!(c.get(Some("user1"), "/repos").await, (200, repos_before));
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// `RUST_LOG` controls the `authz` events: one per decision, with actor, action, resource and
/// outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_log_controls_the_authz_events() {
    let log = format!("authz-events-{}", std::process::id());
    let server = Server::spawn_logging("sqlite::memory:", &["--demo"], &log, "authz=info").await;
    let c = server.client();
    assert_eq!(c.get(Some("dave"), "/repos/1").await.0, 404);
    assert_eq!(c.get(Some("dave"), "/repos/2/issues").await.0, 403);
    assert_eq!(c.get(Some("alice"), "/repos").await.0, 200);
    assert_eq!(c.get(None, "/users").await.0, 200, "no decision");
    server.stop().await;
    let text = std::fs::read_to_string(Server::log_path(&log)).unwrap();
    let events: Vec<&str> = text.lines().filter(|l| l.contains(" authz: ")).collect();
    let expected = [
        r#"actor=dave action="read" resource=Repo:1 outcome="deny_not_found""#,
        r#"actor=dave action="list_issues" resource=Repo:2 outcome="deny_forbidden""#,
        r#"actor=alice action="read" resource=Repo:* outcome="filter""#,
    ];
    assert_eq!(events.len(), expected.len(), "{text}");
    for (event, expected) in events.iter().zip(expected) {
        assert!(event.contains(expected), "{event} lacks {expected}");
    }

    let log = format!("authz-quiet-{}", std::process::id());
    let server = Server::spawn_logging("sqlite::memory:", &["--demo"], &log, "warn").await;
    assert_eq!(server.client().get(Some("dave"), "/repos/1").await.0, 404);
    server.stop().await;
    let text = std::fs::read_to_string(Server::log_path(&log)).unwrap();
    assert!(!text.contains(" authz: "), "{text}");
}
