//! Hostile and malformed input gets a clear 4xx with a JSON error and changes nothing:
//! malformed ids, unknown users and missing headers, SQL metacharacters in headers, names and
//! query strings, oversized bodies, invalid JSON. Everything every demo user can see is the
//! same before and after. SQLite always, PostgreSQL with `POLAR_TEST_POSTGRES`.

mod support;

use serde_json::json;
use support::{Backend, Client, Server, snapshot};

const INJECTION: &str = "'; DROP TABLE repos; --";

const BAD_IDS: [&str; 12] = [
    "abc",
    "-1",
    "0",
    "1.5",
    "1e3",
    "+1",
    "0x1",
    "9223372036854775808",
    "99999999999999999999999999999",
    "%27%3B%20DROP%20TABLE%20repos%3B%20--",
    "1%20OR%201%3D1",
    "%00",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_4xx_and_changes_nothing() {
    for backend in Backend::all("bad_input").await {
        let server =
            Server::spawn(&backend.url(), &["--demo"], &format!("bad-input-{}", backend.name())).await;
        let c = server.client();
        let before = snapshot(&c).await;
        let count = malformed_ids(&c).await
            + unknown_callers(&c).await
            + bad_queries(&c).await
            + bad_bodies(&c).await;
        assert_eq!(snapshot(&c).await, before, "{}: the data changed", backend.name());
        // SQL metacharacters in a name an allowed caller gives are stored as text.
        let (status, repo) = c.post(Some("alice"), "/orgs/1/repos", json!({ "name": INJECTION })).await;
        assert_eq!((status, &repo["name"]), (201, &json!(INJECTION)));
        let (status, issue) = c.post(Some("bob"), "/repos/3/issues", json!({ "title": INJECTION })).await;
        assert_eq!((status, &issue["title"]), (201, &json!(INJECTION)));
        let (status, repos) = c.get(Some("alice"), "/repos").await;
        assert_eq!(status, 200);
        assert_eq!(repos.as_array().unwrap().len(), 4, "the three repositories alice reads, and the new one");
        assert_eq!(c.get(Some("bob"), &format!("/issues/{}", issue["id"])).await, (200, issue));
        eprintln!("{}: {count} bad requests refused, nothing changed", backend.name());
        server.stop().await;
        backend.finish().await;
    }
}

/// Every route with an id, every malformed id: 400, before and whatever the caller may do.
async fn malformed_ids(c: &Client) -> usize {
    let mut count = 0;
    for id in BAD_IDS {
        for path in ["/orgs/{}", "/orgs/{}/repos", "/repos/{}", "/repos/{}/issues", "/issues/{}"] {
            let path = path.replace("{}", id);
            let (status, body) = c.get(Some("alice"), &path).await;
            assert_eq!(status, 400, "GET {path}: {body}");
            assert_eq!(body["error"], "invalid id: expected a positive integer");
            count += 1;
        }
        let repo = json!({"name": "x"});
        let issue = json!({"title": "x"});
        for (path, body) in [("/orgs/{}/repos", &repo), ("/repos/{}/issues", &issue)] {
            let path = path.replace("{}", id);
            assert_eq!(c.post(Some("alice"), &path, body.clone()).await.0, 400, "POST {path}");
            count += 1;
        }
        let path = format!("/issues/{id}/close");
        assert_eq!(c.post_empty(Some("alice"), &path).await.0, 400, "POST {path}");
        let path = format!("/repos/{id}");
        assert_eq!(c.delete(Some("alice"), &path).await.0, 400, "DELETE {path}");
        count += 2;
    }
    // Well-formed ids of nothing: 404.
    for path in ["/repos/9223372036854775807", "/orgs/007", "/issues/4"] {
        assert_eq!(c.get(Some("alice"), path).await.0, 404, "{path}");
        count += 1;
    }
    count
}

/// Missing, unknown or hostile `x-user`: 401 on every route but `/users`.
async fn unknown_callers(c: &Client) -> usize {
    let mut count = 0;
    let long = "alice".repeat(30);
    let users = [
        None,
        Some("mallory"),
        Some(INJECTION),
        Some("alice' OR '1'='1"),
        Some("ALICE"),
        Some("al ice"),
        Some("alice%"),
        Some(&*long),
    ];
    for user in users {
        for path in
            ["/orgs", "/orgs/1", "/orgs/1/repos", "/repos", "/repos/1", "/repos/1/issues", "/issues/1"]
        {
            let (status, body) = c.get(user, path).await;
            assert_eq!(status, 401, "GET {path} as {user:?}: {body}");
            count += 1;
        }
        assert_eq!(c.post(user, "/orgs/1/repos", json!({"name": "x"})).await.0, 401);
        assert_eq!(c.post(user, "/repos/2/issues", json!({"title": "x"})).await.0, 401);
        assert_eq!(c.post_empty(user, "/issues/1/close").await.0, 401);
        assert_eq!(c.delete(user, "/repos/1").await.0, 401);
        // Authentication comes first: a bad id or body from nobody is still a 401.
        assert_eq!(c.get(user, "/repos/abc").await.0, 401);
        assert_eq!(c.post_raw(user, "/orgs/1/repos", "{").await.0, 401);
        count += 6;
    }
    // A header that is not text.
    let request = c
        .request(reqwest::Method::GET, None, "/repos")
        .header("x-user", reqwest::header::HeaderValue::from_bytes(b"al\xffice").unwrap());
    assert_eq!(c.send(request).await.0, 401);
    count + 1
}

/// Malformed `?limit=&offset=`: 400.
async fn bad_queries(c: &Client) -> usize {
    let queries = [
        "limit=abc",
        "limit=-1",
        "limit=1.5",
        "limit=",
        "offset=-5",
        "offset=99999999999999999999",
        "limit=9223372036854775808",
        "limit=1;DROP%20TABLE%20repos",
        "limit=1%20OR%201=1",
        "order=name",
        "limit=1&limit=2",
    ];
    for query in queries {
        for path in ["/repos", "/orgs", "/orgs/1/repos", "/repos/1/issues"] {
            let (status, body) = c.get(Some("alice"), &format!("{path}?{query}")).await;
            assert_eq!(status, 400, "{path}?{query}: {body}");
            assert!(body["error"].as_str().unwrap().starts_with("invalid query"), "{body}");
        }
    }
    queries.len() * 4
}

/// Bodies: invalid JSON 400, wrong shape 422, oversized 413, not JSON 415, bad names 422.
async fn bad_bodies(c: &Client) -> usize {
    let mut count = 0;
    for (path, field) in [("/orgs/1/repos", "name"), ("/repos/1/issues", "title")] {
        let raw: [(&str, u16); 7] = [
            ("{", 400),
            ("", 400),
            ("not json", 400),
            ("[1, 2", 400),
            ("{\"name\": \"x\"} trailing", 400),
            ("null", 422),
            ("[]", 422),
        ];
        for (body, status) in raw {
            let answer = c.post_raw(Some("alice"), path, body).await;
            assert_eq!(answer.0, status, "{path} {body:?}: {}", answer.1);
            assert!(answer.1["error"].is_string());
            count += 1;
        }
        let shapes = [
            json!({}),
            json!({ field: 1 }),
            json!({ field: null }),
            json!({ field: ["x"] }),
            json!({ field: "x", "id": 7 }),
            json!({ field: "x", "org_id": 2 }),
            json!({ field: "" }),
            json!({ field: "   " }),
            json!({ field: "x".repeat(201) }),
            json!({ field: "tab\there" }),
            json!({ field: "nul\u{0}" }),
        ];
        for body in shapes {
            let (status, answer) = c.post(Some("alice"), path, body.clone()).await;
            assert_eq!(status, 422, "{path} {body}: {answer}");
            count += 1;
        }
        // Over the 16 KiB limit: 413. A declared length is refused before the body is read;
        // a chunked body once it passes the limit. The requests are written by hand and never
        // send more than the server must read to decide: bytes it left unread would make its
        // close a reset, which may destroy the answer before the client reads it.
        let json_head = |user: &str, length: &str| {
            format!("POST {path} HTTP/1.1\r\nx-user: {user}\r\ncontent-type: application/json\r\n{length}")
        };
        for (user, length) in
            [("alice", 16 * 1024 + 1), ("alice", 1u64 << 20), ("alice", 1u64 << 40), ("dave", 1 << 20)]
        {
            let head = json_head(user, &format!("content-length: {length}"));
            assert_eq!(support::status_of_raw(c.base(), &head, b"").await, 413, "{path} {length} as {user}");
        }
        let head = json_head("alice", "transfer-encoding: chunked");
        let chunk = format!("{:x}\r\n{}", 16 * 1024 + 1, "z".repeat(16 * 1024 + 1));
        assert_eq!(support::status_of_raw(c.base(), &head, chunk.as_bytes()).await, 413, "{path} chunked");
        // At the limit, it is read (and this one is not JSON).
        let (status, body) = c.post_raw(Some("alice"), path, "x".repeat(16 * 1024)).await;
        assert_eq!(status, 400, "{body}");
        // Not declared JSON: 415.
        let request = c
            .request(reqwest::Method::POST, Some("alice"), path)
            .header("content-type", "text/plain")
            .body(format!("{{\"{field}\": \"x\"}}"));
        assert_eq!(c.send(request).await.0, 415);
        count += 3;
    }
    count
}
