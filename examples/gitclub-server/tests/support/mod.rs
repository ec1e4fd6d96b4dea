//! What the server's tests share: a server (the real binary on 127.0.0.1:0, or the library in
//! process), an HTTP client that returns status and JSON, and the databases (SQLite always,
//! PostgreSQL when `POLAR_TEST_POSTGRES` names a server: each test makes a database of its own).

#![allow(dead_code)]

use std::io::Write;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use sqlx::migrate::MigrateDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The environment variable naming the PostgreSQL server (`.ci/run` sets it).
pub const POSTGRES_VAR: &str = "POLAR_TEST_POSTGRES";

/// A database a test runs the server on.
pub enum Backend {
    /// SQLite in memory (the server's default).
    Sqlite,
    /// A PostgreSQL database of this test, dropped by [`Backend::finish`].
    Postgres(PgDatabase),
}

impl Backend {
    /// SQLite, and PostgreSQL when [`POSTGRES_VAR`] is set (a database named after `test`);
    /// says on stderr when PostgreSQL is skipped.
    pub async fn all(test: &str) -> Vec<Backend> {
        let mut backends = vec![Backend::Sqlite];
        match std::env::var(POSTGRES_VAR) {
            Ok(url) => backends.push(Backend::Postgres(PgDatabase::create(&url, test).await)),
            // Written to stderr itself, not through `eprintln!`, which the test harness
            // captures: a skip is shown even when the test passes.
            Err(_) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: the PostgreSQL half of `{test}` (set {POSTGRES_VAR}=postgres://postgres@127.0.0.1:5432/test to run it)"
                );
            }
        }
        backends
    }

    /// `"sqlite"` or `"postgres"`, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The server's `--db`.
    pub fn url(&self) -> String {
        match self {
            Backend::Sqlite => "sqlite::memory:".into(),
            Backend::Postgres(db) => db.url.clone(),
        }
    }

    /// Drops the test's PostgreSQL database.
    pub async fn finish(self) {
        if let Backend::Postgres(db) = self {
            db.drop_force().await;
        }
    }
}

/// A PostgreSQL database made for one test.
pub struct PgDatabase {
    /// Its URL.
    pub url: String,
    /// Its name.
    pub name: String,
    /// The URL of the server's maintenance database.
    admin: String,
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| scheme_end + i).unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl PgDatabase {
    /// A fresh database `gitclub_<test>_<pid>` on the server of `url`.
    pub async fn create(url: &str, test: &str) -> PgDatabase {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("gitclub_{test}_{}_{}", std::process::id(), COUNT.fetch_add(1, Ordering::SeqCst));
        let db = PgDatabase { url: with_database(url, &name), name, admin: with_database(url, "postgres") };
        db.drop_force().await; // a leftover of a crashed run with the same pid
        sqlx::Postgres::create_database(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_VAR}={url}: create {}: {e}", db.name));
        db
    }

    /// `DROP DATABASE ... WITH (FORCE)`: gone, whoever is connected to it.
    pub async fn drop_force(&self) {
        let admin =
            sqlx::PgPool::connect(&self.admin).await.unwrap_or_else(|e| panic!("{}: {e}", self.admin));
        // A name this test made (letters, digits, underscores), quoted as an identifier.
        assert!(self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("drop {}: {e}", self.name));
        admin.close().await;
    }
}

/// The server binary, started on 127.0.0.1:0; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Starts `gitclub-server --bind 127.0.0.1:0 --db <url> <args>` and reads its
    /// `listening on http://ADDR` line. Its log (warnings and errors) goes to
    /// `target/tmp/gitclub-server-<log>.log`.
    pub async fn spawn(db_url: &str, args: &[&str], log: &str) -> Server {
        Server::spawn_logging(db_url, args, log, "warn").await
    }

    /// The log file of [`Server::spawn`]'s `log`.
    pub fn log_path(log: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gitclub-server-{log}.log"))
    }

    /// [`Server::spawn`] with `RUST_LOG=rust_log`.
    pub async fn spawn_logging(db_url: &str, args: &[&str], log: &str, rust_log: &str) -> Server {
        let log_path = Server::log_path(log);
        let log_file = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_gitclub-server"))
            .args(["--bind", "127.0.0.1:0", "--db", db_url])
            .args(args)
            .env("RUST_LOG", rust_log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .expect("the gitclub-server binary");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).await.expect("the server's first line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}; log: {}", log_path.display()))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Server { child, base }
    }

    /// A client of this server.
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Serves the library's app in this process on 127.0.0.1:0; its base URL.
pub async fn serve_in_process(state: gitclub_server::AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, gitclub_server::app(state)).await });
    base
}

/// An answer: the status and the JSON body (`Null` when empty).
pub type Answer = (u16, Value);

/// An HTTP client of one server.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A client of the server at `base`.
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();
        Client { http, base: base.to_owned() }
    }

    /// A request to `path` as `user`, to finish and [`send`](Client::send).
    pub fn request(
        &self,
        method: reqwest::Method,
        user: Option<&str>,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(user) = user {
            request = request.header("x-user", user);
        }
        request
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; the status and the JSON body. Every body the server sends is JSON.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await.expect("the body");
        if bytes.is_empty() {
            return (status, Value::Null);
        }
        assert_eq!(content_type.as_deref(), Some("application/json"), "status {status}");
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("status {status}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
        });
        (status, value)
    }

    /// `GET path` as `user`.
    pub async fn get(&self, user: Option<&str>, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::GET, user, path)).await
    }

    /// `POST path` as `user` with a JSON body.
    pub async fn post(&self, user: Option<&str>, path: &str, body: Value) -> Answer {
        self.send(self.request(reqwest::Method::POST, user, path).json(&body)).await
    }

    /// `POST path` as `user` without a body.
    pub async fn post_empty(&self, user: Option<&str>, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::POST, user, path)).await
    }

    /// `POST path` as `user` with raw bytes as the body, declared JSON.
    pub async fn post_raw(&self, user: Option<&str>, path: &str, body: impl Into<reqwest::Body>) -> Answer {
        self.send(
            self.request(reqwest::Method::POST, user, path)
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// `DELETE path` as `user`.
    pub async fn delete(&self, user: Option<&str>, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::DELETE, user, path)).await
    }

    /// Any method, for 405s.
    pub async fn method(&self, method: reqwest::Method, user: Option<&str>, path: &str) -> Answer {
        self.send(self.request(method, user, path)).await
    }
}

/// The `id`s of a JSON array of items.
pub fn ids(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// The strings of a JSON array.
pub fn strings(values: &Value) -> Vec<&str> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {values}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

/// The demo world's users.
pub const DEMO_USERS: [&str; 5] = ["alice", "bob", "carol", "dave", "eve"];

/// Everything every demo user can see through the API: for each user, `/orgs`, `/repos`, and
/// the issues of each repository it sees. Equal before and after requests that must change
/// nothing.
pub async fn snapshot(client: &Client) -> Value {
    let mut all = serde_json::Map::new();
    for user in DEMO_USERS {
        let (status, orgs) = client.get(Some(user), "/orgs").await;
        assert_eq!(status, 200);
        let (status, repos) = client.get(Some(user), "/repos").await;
        assert_eq!(status, 200);
        let mut issues = serde_json::Map::new();
        for id in ids(&repos) {
            let answer = client.get(Some(user), &format!("/repos/{id}/issues")).await;
            issues.insert(id.to_string(), serde_json::json!(answer));
        }
        all.insert(user.to_owned(), serde_json::json!({ "orgs": orgs, "repos": repos, "issues": issues }));
    }
    all.insert("users".into(), client.get(None, "/users").await.1);
    Value::Object(all)
}

/// Writes `head` (a request line and headers, without the blank line) and then `body` to the
/// server and reads the status of its answer. For bodies the server must refuse: written by
/// hand so that the server's early answer cannot race with a client still uploading.
pub async fn status_of_raw(base: &str, head: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("{head}\r\nhost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the server closed without answering");
        answer.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&answer);
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("status line {line:?}"))
}
