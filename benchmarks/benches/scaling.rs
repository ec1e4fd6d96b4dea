//! Scaling of a check with the data (BENCHMARKS.md, section "Scaling"), with criterion, in one
//! run: the policy compiled by `polar!`, the same policy written by hand, and Oso 0.27.3
//! interpreting it (`Oso::is_allowed`, arguments built beforehand; its time includes converting
//! them to Polar values, as every Oso call does):
//!
//!     cargo bench -p polar-benches --bench scaling
//!
//! 1. `roles`: a user with 1 to 10,000 role assignments (`scaling/roles.polar`), reading the
//!    repository of the last assignment (allowed after one scan of the list) and one without
//!    any (denied after three scans: "reader", "writer", "admin");
//! 2. `hierarchy`: a chain of 1 to 1,000 folders, a "viewer" role on the root, a check on the
//!    leaf, through the resource block ("read") and through an explicit recursive rule ("view").
//!
//! Oso is measured up to the size where one check stays under about a second. At the end the
//! medians are printed as the Markdown tables of BENCHMARKS.md (read back from the estimates
//! criterion writes), with where the compiled recursion's depth limit stops a check.

// Oso's error type is large; the closures only forward `Oso::is_allowed`'s result.
#![allow(clippy::result_large_err)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode};
use polar_benches::scaling::{self, Folder, hand, hierarchy, roles};

#[path = "scaling_oso/mod.rs"]
mod oso_side;

const ROLE_COUNTS: [usize; 5] = [1, 10, 100, 1_000, 10_000];
const DEPTHS: [usize; 4] = [1, 10, 100, 1_000];
/// Oso is not measured where a single check takes longer than this.
const OSO_BUDGET: Duration = Duration::from_secs(1);

/// Criterion's output directory: the workspace's `target/criterion` unless `CRITERION_HOME`
/// or `CARGO_TARGET_DIR` say otherwise.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// Runs `check` once and tells whether Oso is to be measured on it: it answers `expected`
/// within [`OSO_BUDGET`]. An error is reported, not measured.
fn oso_fits(label: &str, expected: bool, check: impl FnOnce() -> oso::Result<bool>) -> bool {
    let start = Instant::now();
    let answer = check();
    let took = start.elapsed();
    match answer {
        Ok(answer) => {
            assert_eq!(answer, expected, "Oso and the compiled policy disagree: {label}");
            if took > OSO_BUDGET {
                println!("{label}: Oso took {took:.2?} for one check; not measured");
            }
            took <= OSO_BUDGET
        }
        Err(e) => {
            println!("{label}: Oso fails after {took:.2?}: {e}");
            false
        }
    }
}

fn role_assignments(c: &mut Criterion) {
    let oso = oso_side::oso(roles::POLICY);
    let mut oso_on = true;
    for n in ROLE_COUNTS {
        let user = scaling::user_with_roles(n);
        let oso_user = oso_side::User::from(&user);
        for (query, repo, expected) in
            [("allowed", scaling::last_repo(n), true), ("denied", scaling::unrelated_repo(), false)]
        {
            assert_eq!(roles::try_is_allowed(&user, "read", &repo), Ok(expected));
            assert_eq!(hand::repo_allows(&user, "read", &repo), expected);
            let mut group = c.benchmark_group("scaling_roles");
            group.bench_with_input(BenchmarkId::new(format!("compiled-{query}"), n), &repo, |b, repo| {
                b.iter(|| roles::is_allowed(black_box(&user), black_box("read"), black_box(repo)))
            });
            group.bench_with_input(BenchmarkId::new(format!("hand-{query}"), n), &repo, |b, repo| {
                b.iter(|| hand::repo_allows(black_box(&user), black_box("read"), black_box(repo)))
            });
            group.finish();
            let oso_repo = oso_side::Repo::from(&repo);
            let oso_check = || oso.is_allowed(oso_user.clone(), "read", oso_repo.clone());
            oso_on = oso_on && oso_fits(&format!("roles {query} {n}"), expected, oso_check);
            if oso_on {
                oso_group(c, "scaling_roles")
                    .bench_function(BenchmarkId::new(format!("oso-{query}"), n), |b| {
                        b.iter(|| oso.is_allowed(oso_user.clone(), "read", oso_repo.clone()).unwrap())
                    });
            }
        }
    }
}

/// Oso's checks take from a fraction of a millisecond to a second: ten samples of equal
/// iteration counts.
fn oso_group<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group
}

/// The first depth at which the compiled `action` check on the leaf stops with an error (the
/// depth limit of `polar_runtime::support::MAX_DEPTH` rule calls).
fn compiled_depth_limit(action: &str) -> (usize, String) {
    let user = scaling::root_viewer();
    let (mut ok, mut fails) = (1, 4 * polar_runtime::support::MAX_DEPTH as usize);
    let mut error = String::new();
    assert!(hierarchy::try_is_allowed(&user, action, &scaling::folder_chain(fails)).is_err());
    while fails - ok > 1 {
        let mid = (ok + fails) / 2;
        match hierarchy::try_is_allowed(&user, action, &scaling::folder_chain(mid)) {
            Ok(answer) => {
                assert!(answer);
                ok = mid;
            }
            Err(e) => {
                error = e.to_string();
                fails = mid;
            }
        }
    }
    (fails, error)
}

fn hierarchies(c: &mut Criterion) -> Vec<String> {
    let oso = oso_side::oso(hierarchy::POLICY);
    let user = scaling::root_viewer();
    let oso_user = oso_side::User::from(&user);
    let mut notes = Vec::new();
    for action in ["read", "view"] {
        let (limit, error) = compiled_depth_limit(action);
        notes.push(format!(
            "compiled \"{action}\": fine up to {} levels, error from {limit} levels on: {error}",
            limit - 1
        ));
        let mut oso_on = true;
        for depth in DEPTHS {
            let group_name = format!("scaling_hierarchy_{action}");
            let leaf: Folder = scaling::folder_chain(depth);
            assert_eq!(hierarchy::try_is_allowed(&user, action, &leaf), Ok(true), "{action} {depth}");
            assert!(hand::folder_allows(&user, action, &leaf));
            let mut group = c.benchmark_group(&group_name);
            group.bench_with_input(BenchmarkId::new("compiled", depth), &leaf, |b, leaf| {
                b.iter(|| hierarchy::is_allowed(black_box(&user), black_box(action), black_box(leaf)))
            });
            group.bench_with_input(BenchmarkId::new("hand", depth), &leaf, |b, leaf| {
                b.iter(|| hand::folder_allows(black_box(&user), black_box(action), black_box(leaf)))
            });
            group.bench_with_input(BenchmarkId::new("hand-guarded", depth), &leaf, |b, leaf| {
                b.iter(|| {
                    let cx = polar_runtime::support::Cx::new();
                    hand::folder_viewer_guarded(&cx, black_box(&user), black_box(leaf)).unwrap_or(false)
                })
            });
            group.finish();
            let oso_leaf = oso_side::Folder::from(&leaf);
            let label = format!("hierarchy {action} {depth}");
            oso_on = oso_on
                && oso_fits(&label, true, || oso.is_allowed(oso_user.clone(), action, oso_leaf.clone()));
            if oso_on {
                oso_group(c, &group_name).bench_function(BenchmarkId::new("oso", depth), |b| {
                    b.iter(|| oso.is_allowed(oso_user.clone(), action, oso_leaf.clone()).unwrap())
                });
            }
        }
    }
    notes
}

/// The median criterion estimated for `group/function/parameter`, in nanoseconds, if it ran.
fn median_ns(dir: &Path, group: &str, function: &str, parameter: usize) -> Option<f64> {
    let path = dir.join(group).join(function).join(parameter.to_string()).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn format_ns(ns: Option<f64>) -> String {
    match ns {
        None => "—".into(),
        Some(ns) if ns < 1e3 => format!("{ns:.1} ns"),
        Some(ns) if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        Some(ns) if ns < 1e9 => format!("{:.2} ms", ns / 1e6),
        Some(ns) => format!("{:.2} s", ns / 1e9),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a / b >= 100.0 => format!("{:.0}×", a / b),
        (Some(a), Some(b)) => format!("{:.2}×", a / b),
        _ => "—".into(),
    }
}

/// One Markdown table of the medians of `group` (compiled, hand-written, Oso), with the
/// hand-written version with a depth guard where `guarded`.
fn table(dir: &Path, title: &str, group: &str, suffix: &str, sizes: &[usize], guarded: bool) {
    println!("\n{title}\n");
    let (extra, line) = if guarded { (" hand-written + depth guard |", "---:|") } else { ("", "") };
    println!(
        "| size | compiled | hand-written |{extra} Oso 0.27.3 | compiled / hand-written | Oso / compiled |"
    );
    println!("|---:|---:|---:|{line}---:|---:|---:|");
    for &n in sizes {
        let c = median_ns(dir, group, &format!("compiled{suffix}"), n);
        let h = median_ns(dir, group, &format!("hand{suffix}"), n);
        let o = median_ns(dir, group, &format!("oso{suffix}"), n);
        if c.is_none() && h.is_none() {
            continue;
        }
        let g = if guarded {
            format!(" {} |", format_ns(median_ns(dir, group, "hand-guarded", n)))
        } else {
            String::new()
        };
        println!(
            "| {n} | {} | {} |{g} {} | {} | {} |",
            format_ns(c),
            format_ns(h),
            format_ns(o),
            ratio(c, h),
            ratio(o, c)
        );
    }
}

fn main() {
    let dir = criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    role_assignments(&mut c);
    let notes = hierarchies(&mut c);
    c.final_summary();

    let roles = "scaling_roles";
    table(&dir, "Role assignments, allowed (the last one matches)", roles, "-allowed", &ROLE_COUNTS, false);
    table(&dir, "Role assignments, denied (no match)", roles, "-denied", &ROLE_COUNTS, false);
    table(&dir, "Hierarchy, \"read\" (resource block)", "scaling_hierarchy_read", "", &DEPTHS, true);
    table(&dir, "Hierarchy, \"view\" (explicit recursive rule)", "scaling_hierarchy_view", "", &DEPTHS, true);
    println!();
    for note in notes {
        println!("- {note}");
    }
}
