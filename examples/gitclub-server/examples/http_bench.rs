//! Requests per second and latency of the GitClub server over real HTTP, with the share of
//! each request's time spent in authorization (BENCHMARKS.md, "The GitClub server").
//!
//! ```text
//! cargo run --release -p gitclub-server --example http_bench -- [--requests N] [--concurrency C] [--db URL]
//! ```
//!
//! The server runs in this process on 127.0.0.1:0 over a random world (`--random 1`: 10
//! organizations, 100 repositories, 500 issues, 50 users), with no log subscriber. Per route
//! it sends N requests from random users: once one at a time (the mean latency), then with C
//! in flight (requests per second, p50 and p99). The authorization share is the in-process
//! time of the same authorization work, on the same users and rows, over the mean latency:
//! for `GET /repos/{id}` the check (`authorize`) and the item's `permissions`; for
//! `GET /repos` building the SQL filter and every listed item's `permissions`. The database's
//! time evaluating the filter's condition is part of the query, shown apart as "query" (the
//! route's query timed in process). The rest is HTTP, JSON, and finding the caller (`x-user`).

use std::time::{Duration, Instant};

use futures::StreamExt;
use gitclub_server::authz::{self, RepoAction, actions};
use gitclub_server::db::Db;
use gitclub_server::load::{self, Page};
use gitclub_server::models::{Repo, User};
use gitclub_server::{AppState, app, world};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Options {
    requests: usize,
    concurrency: usize,
    db: String,
}

fn options() -> Options {
    let mut o = Options { requests: 5_000, concurrency: 16, db: "sqlite::memory:".into() };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--requests" => o.requests = value.parse().expect("--requests N"),
            "--concurrency" => o.concurrency = value.parse().expect("--concurrency C"),
            "--db" => o.db = value,
            _ => panic!("unknown flag {flag} (--requests N, --concurrency C, --db URL)"),
        }
    }
    o
}

/// One request of a route: the caller, the path, and what the route's authorization needs.
struct Sample {
    user: User,
    path: String,
    repo: Option<Repo>,
}

struct Measured {
    route: &'static str,
    mean: Duration,
    rps: f64,
    p50: Duration,
    p99: Duration,
    authz: Duration,
    query: Duration,
    items: f64,
    statuses: String,
}

#[tokio::main]
async fn main() {
    let o = options();
    let db = Db::connect(&o.db).await.expect("the database");
    let seeded = world::seed(&db, &world::random(1)).await.expect("seeding");
    let ids = seeded.expect("an empty database (the benchmark seeds its own world)");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let application = app(AppState { db: db.clone() });
    let server = tokio::spawn(async move { axum::serve(listener, application).await });
    let client = reqwest::Client::builder().pool_max_idle_per_host(o.concurrency).build().unwrap();

    let mut rng = StdRng::seed_from_u64(7);
    let mut users = Vec::new();
    for name in load::user_names(&db).await.unwrap() {
        users.push(load::user_by_name(&db, &name).await.unwrap().unwrap());
    }
    let samples = |with_repo: bool, rng: &mut StdRng| -> Vec<(User, Option<i64>)> {
        (0..o.requests)
            .map(|_| {
                let user = users[rng.gen_range(0..users.len())].clone();
                (user, with_repo.then(|| ids.repos[rng.gen_range(0..ids.repos.len())]))
            })
            .collect()
    };
    let mut routes = Vec::new();
    for (route, picked) in
        [("GET /repos", samples(false, &mut rng)), ("GET /repos/{id}", samples(true, &mut rng))]
    {
        let mut list = Vec::with_capacity(picked.len());
        for (user, id) in picked {
            let (path, repo) = match id {
                Some(id) => (format!("/repos/{id}"), load::repo(&db, id).await.unwrap()),
                None => ("/repos".to_owned(), None),
            };
            list.push(Sample { user, path, repo });
        }
        routes.push((route, list));
    }

    let mut results = Vec::new();
    for (route, list) in &routes {
        // Warm up the pool, the connections and the caches.
        run(&client, &base, &list[..list.len().min(200)], o.concurrency).await;
        let start = Instant::now();
        let (_, statuses) = run(&client, &base, list, 1).await;
        let mean = start.elapsed() / list.len() as u32;
        let start = Instant::now();
        let (mut latencies, _) = run(&client, &base, list, o.concurrency).await;
        let wall = start.elapsed();
        latencies.sort();
        let (authz, query, items) = authorization(&db, list).await;
        results.push(Measured {
            route,
            mean,
            rps: list.len() as f64 / wall.as_secs_f64(),
            p50: latencies[latencies.len() / 2],
            p99: latencies[latencies.len() * 99 / 100],
            authz,
            query,
            items,
            statuses,
        });
    }
    server.abort();

    println!(
        "{} requests per route, {} in flight, {} ({}), 50 users, 100 repositories",
        o.requests,
        o.concurrency,
        db.backend(),
        o.db
    );
    println!();
    println!(
        "| route | requests/s | p50 | p99 | mean, one at a time | authorization (share) | query (share) | items listed | statuses |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for m in &results {
        let share = |d: Duration| 100.0 * d.as_secs_f64() / m.mean.as_secs_f64();
        println!(
            "| `{}` | {:.0} | {} | {} | {} | {} ({:.2} %) | {} ({:.0} %) | {} | {} |",
            m.route,
            m.rps,
            micros(m.p50),
            micros(m.p99),
            micros(m.mean),
            nanos(m.authz),
            share(m.authz),
            micros(m.query),
            share(m.query),
            if m.route == "GET /repos" { format!("{:.1}", m.items) } else { "—".into() },
            m.statuses,
        );
    }
    let _ = server.await;
}

/// Sends every sample's GET with `concurrency` in flight: each one's latency, and the count of
/// each status.
async fn run(
    client: &reqwest::Client,
    base: &str,
    list: &[Sample],
    concurrency: usize,
) -> (Vec<Duration>, String) {
    let answers: Vec<(Duration, u16)> = futures::stream::iter(list)
        .map(|s| async move {
            let start = Instant::now();
            let response = client
                .get(format!("{base}{}", s.path))
                .header("x-user", &s.user.name)
                .send()
                .await
                .expect("the server answers");
            let status = response.status().as_u16();
            response.bytes().await.expect("the body");
            assert!(status == 200 || status == 404, "{} {}: {status}", s.user.name, s.path);
            (start.elapsed(), status)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let ok = answers.iter().filter(|(_, s)| *s == 200).count();
    let statuses = match answers.len() - ok {
        0 => format!("{ok}×200"),
        missing => format!("{ok}×200, {missing}×404"),
    };
    (answers.into_iter().map(|(d, _)| d).collect(), statuses)
}

/// Per request, on average: the time of the route's authorization work done in process, the
/// time of its database query (for `GET /repos`, with the filter; for `GET /repos/{id}`, the
/// row with its organization), and the items listed.
async fn authorization(db: &Db, list: &[Sample]) -> (Duration, Duration, f64) {
    let mut rows = Vec::new();
    let mut query = Duration::ZERO;
    for s in list {
        match &s.repo {
            Some(repo) => {
                let start = Instant::now();
                load::repo(db, repo.id).await.unwrap();
                query += start.elapsed();
                rows.push(Vec::new());
            }
            None => {
                let cond = authz::filter::<Repo>(&s.user, RepoAction::Read).unwrap();
                let start = Instant::now();
                rows.push(load::repos(db, cond, Page::default()).await.unwrap());
                query += start.elapsed();
            }
        }
    }
    // Repeated until it takes a while, the loop's own cost being negligible next to a check.
    let mut rounds = 0u32;
    let start = Instant::now();
    let mut sink = 0usize;
    while rounds == 0 || start.elapsed() < Duration::from_millis(500) {
        for (s, listed) in list.iter().zip(&rows) {
            match &s.repo {
                Some(repo) => {
                    if authz::authorize(&s.user, actions::Read, repo).is_ok() {
                        sink += authz::permissions(&s.user, repo).len();
                    }
                }
                None => {
                    let cond = authz::filter::<Repo>(&s.user, RepoAction::Read).unwrap();
                    sink += std::hint::black_box(cond).is_empty() as usize;
                    for repo in listed {
                        sink += authz::permissions(&s.user, repo).len();
                    }
                }
            }
        }
        rounds += 1;
    }
    std::hint::black_box(sink);
    let per_request = start.elapsed() / (rounds * list.len() as u32);
    let items = rows.iter().map(Vec::len).sum::<usize>() as f64 / list.len() as f64;
    (per_request, query / list.len() as u32, items)
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn nanos(d: Duration) -> String {
    if d < Duration::from_micros(10) { format!("{:.2} µs", d.as_secs_f64() * 1e6) } else { micros(d) }
}
