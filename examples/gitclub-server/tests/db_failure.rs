//! A database that goes away while the server runs: every answer is then 503, and never an
//! unfiltered list or an allowed write. Before, during and after the loss, a mixed load checks
//! each answer: either what the policy gives (dave's `GET /repos` is exactly the two public
//! repositories; his write to acme is refused) or 503 `{"error":"database unavailable"}`.
//!
//! SQLite: the library served in this process, its pool closed mid-run. PostgreSQL (with
//! `POLAR_TEST_POSTGRES`): the binary on a database of this test, which is dropped mid-run with
//! `DROP DATABASE ... WITH (FORCE)`.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use futures::future::BoxFuture;
use gitclub_server::db::Db;
use gitclub_server::{AppState, world};
use serde_json::{Value, json};
use support::{Client, PgDatabase, Server, ids};

/// At most this many requests in all (the run stops earlier, see [`run`]).
const MAX_REQUESTS: usize = 50_000;
const IN_FLIGHT: usize = 64;
/// The database is taken away once this many answers have come back.
const LOSS_AFTER: usize = 1_000;
/// The run goes on for this many answers after the loss is complete.
const AFTER_LOSS: usize = 500;

/// The requests of the mix, and what each may answer besides 503.
async fn one(c: &Client, i: usize) -> (usize, u16, Value) {
    let (status, body) = match i % 6 {
        0 => c.get(Some("dave"), "/repos").await,
        1 => c.post(Some("dave"), "/orgs/1/repos", json!({"name": format!("refused-{i}")})).await,
        2 => c.post(Some("alice"), "/orgs/1/repos", json!({"name": format!("allowed-{i}")})).await,
        3 => c.get(Some("eve"), "/repos/1").await,
        4 => c.get(Some("bob"), "/repos/3/issues").await,
        _ => c.post(Some("eve"), "/repos/2/issues", json!({"title": format!("refused-{i}")})).await,
    };
    (i, status, body)
}

/// Whether an answer is the policy's own or a 503; panics otherwise.
fn check(i: usize, status: u16, body: &Value) {
    if status == 503 {
        assert_eq!(body, &json!({"error": "database unavailable"}));
        return;
    }
    match i % 6 {
        0 => {
            assert_eq!(status, 200, "{body}");
            assert_eq!(ids(body), [2, 4], "dave sees the public repositories only");
        }
        1 => assert_eq!(status, 404, "dave may not write to acme: {body}"),
        2 => assert_eq!(status, 201, "{body}"),
        3 => assert_eq!(status, 404, "{body}"),
        4 => {
            assert_eq!(status, 200, "{body}");
            assert_eq!(ids(body), [3]);
        }
        _ => assert_eq!(status, 403, "eve may not open issues on website: {body}"),
    }
}

/// Runs the mix, calling `lose` once [`LOSS_AFTER`] answers are in, and goes on until
/// [`AFTER_LOSS`] more have come back since `lose` finished (at most [`MAX_REQUESTS`] in all);
/// every answer must be the policy's or 503. Then checks that every request answers 503. The
/// statuses seen during the run.
async fn run(c: &Client, lose: BoxFuture<'static, ()>) -> BTreeMap<u16, usize> {
    // Before: the policy's answers.
    for i in 0..6 {
        let (i, status, body) = one(c, i).await;
        assert_ne!(status, 503, "{body}");
        check(i, status, &body);
    }
    let lost = Arc::new(AtomicBool::new(false));
    let mut lose = Some(lose);
    let mut loss = None;
    let mut statuses = BTreeMap::new();
    let (mut answered, mut after_loss) = (0, 0);
    let mut answers = futures::stream::iter(0..MAX_REQUESTS).map(|i| one(c, i)).buffer_unordered(IN_FLIGHT);
    while let Some((i, status, body)) = answers.next().await {
        check(i, status, &body);
        *statuses.entry(status).or_default() += 1;
        answered += 1;
        if answered == LOSS_AFTER {
            let (lose, lost) = (lose.take().unwrap(), Arc::clone(&lost));
            loss = Some(tokio::spawn(async move {
                lose.await;
                lost.store(true, Ordering::SeqCst);
            }));
        }
        if lost.load(Ordering::SeqCst) {
            after_loss += 1;
            if after_loss == AFTER_LOSS {
                break;
            }
        }
    }
    drop(answers); // the requests still in flight are abandoned
    assert_eq!(after_loss, AFTER_LOSS, "the loss did not complete within {MAX_REQUESTS} requests");
    loss.expect("the loss was started").await.unwrap();
    // After: 503 for everything that needs the database, the public list included.
    for i in 0..60 {
        let (_, status, body) = one(c, i).await;
        assert_eq!(
            (status, body),
            (503, json!({"error": "database unavailable"})),
            "request {i} after the loss"
        );
    }
    assert_eq!(c.get(None, "/users").await.0, 503);
    assert_eq!(c.get(Some("alice"), "/orgs").await.0, 503);
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_pool_closed_mid_run() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    world::seed(&db, &world::demo()).await.unwrap().expect("a fresh database");
    let base = support::serve_in_process(AppState { db: db.clone() }).await;
    let c = Client::new(&base);
    let statuses = run(&c, Box::pin(async move { db.close().await })).await;
    eprintln!("sqlite: pool closed after {LOSS_AFTER} answers: {statuses:?}");
    assert!(statuses.contains_key(&503), "the loss was seen");
    assert!(statuses.len() > 1, "answers before the loss too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_dropped_mid_run() {
    let Ok(url) = std::env::var(support::POSTGRES_VAR) else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: `postgres_database_dropped_mid_run` (set {}=postgres://postgres@127.0.0.1:5432/test to run it)",
            support::POSTGRES_VAR
        );
        return;
    };
    let db = Arc::new(PgDatabase::create(&url, "db_failure").await);
    let server = Server::spawn(&db.url, &["--demo"], "db-failure-postgres").await;
    let c = server.client();
    let dropper = Arc::clone(&db);
    let statuses = run(&c, Box::pin(async move { dropper.drop_force().await })).await;
    eprintln!("postgres: database dropped after {LOSS_AFTER} answers: {statuses:?}");
    assert!(statuses.contains_key(&503), "the loss was seen");
    assert!(statuses.len() > 1, "answers before the loss too");
    server.stop().await;
    db.drop_force().await;
}
