//! `gitclub-server`: starts the GitClub API on `--bind` (default 127.0.0.1:3000) over
//! `--db` (default: SQLite in memory), seeded with the demo world or `--random SEED`.
//! Prints `listening on http://ADDR` (the bound address) on stdout; logs go to stderr
//! (`RUST_LOG`, default `info`; authorization decisions have the target `authz`).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use gitclub_server::db::Db;
use gitclub_server::{AppState, app, world};
use tracing_subscriber::EnvFilter;

/// GitClub over HTTP, authorized by the compiled GitClub policy.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:3000")]
    bind: String,
    /// The database: `sqlite::memory:`, `sqlite:PATH` (created if missing) or `postgres://...`.
    #[arg(long, default_value = "sqlite::memory:")]
    db: String,
    /// Seed the demo world (the default).
    #[arg(long, conflicts_with = "random")]
    demo: bool,
    /// Seed a random world from SEED (10 organizations, 100 repositories, 500 issues, 50 users).
    #[arg(long, value_name = "SEED")]
    random: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(&cli.db).await.map_err(|e| format!("{}: {e}", cli.db))?;
    let world = match cli.random {
        Some(seed) => world::random(seed),
        None => world::demo(),
    };
    match world::seed(&db, &world).await? {
        Some(ids) => tracing::info!(
            db = db.backend(),
            users = ids.users.len(),
            orgs = ids.orgs.len(),
            repos = ids.repos.len(),
            issues = ids.issues.len(),
            "seeded"
        ),
        None => tracing::info!(db = db.backend(), "the database already has users: not seeded"),
    }
    let listener =
        tokio::net::TcpListener::bind(&cli.bind).await.map_err(|e| format!("{}: {e}", cli.bind))?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(AppState { db: db.clone() }))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    db.close().await;
    Ok(())
}
