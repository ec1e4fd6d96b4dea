//! Time per check on every (user, action, resource) of the GitClub sample world, in one run:
//! the policy compiled by `polar!` (`gitclub::authz`), the same policy written by hand
//! (`gitclub::hand`), and Oso 0.27.3 interpreting it (`Oso::is_allowed`, with the types of
//! `support/gitclub_oso.rs`, built beforehand: Oso's time includes converting the three
//! arguments to Polar values, which every Oso call does):
//!
//!     cargo bench -p polar-tests --bench gitclub
//!
//! Each round runs all queries once; the median round over many rounds is reported per query.

use std::hint::black_box;
use std::time::Instant;

use gitclub::authz::{IssueAction, OrgAction, RepoAction};
use gitclub::sample::sample;
use gitclub::{authz, hand};

#[path = "../support/gitclub_oso.rs"]
mod oso_side;

const POLICY: &str = include_str!("../../examples/policies/gitclub.polar");

fn median_ns_per_query(rounds: usize, queries: usize, mut round: impl FnMut() -> usize) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            black_box(round());
            start.elapsed().as_nanos() as f64 / queries as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let (world, _) = sample();
    let mut queries = 0;
    for _ in &world.users {
        queries += world.orgs.len() * OrgAction::NAMES.len()
            + world.repos.len() * RepoAction::NAMES.len()
            + world.issues.len() * IssueAction::NAMES.len();
    }
    macro_rules! round {
        ($f:path) => {
            || {
                let mut allowed = 0;
                for user in &world.users {
                    for org in &world.orgs {
                        for action in OrgAction::NAMES {
                            allowed += $f(black_box(user), black_box(action), black_box(org)) as usize;
                        }
                    }
                    for repo in &world.repos {
                        for action in RepoAction::NAMES {
                            allowed += $f(black_box(user), black_box(action), black_box(repo)) as usize;
                        }
                    }
                    for issue in &world.issues {
                        for action in IssueAction::NAMES {
                            allowed += $f(black_box(user), black_box(action), black_box(issue)) as usize;
                        }
                    }
                }
                allowed
            }
        };
    }
    let mut compiled = round!(authz::is_allowed);
    let mut handwritten = round!(hand::is_allowed);
    assert_eq!(compiled(), handwritten(), "the two implementations disagree on the sample world");

    let oso = oso_side::oso(POLICY);
    let users: Vec<oso_side::User> = world.users.iter().map(Into::into).collect();
    let orgs: Vec<oso_side::Org> = world.orgs.iter().map(Into::into).collect();
    let repos: Vec<oso_side::Repo> = world.repos.iter().map(Into::into).collect();
    let issues: Vec<oso_side::Issue> = world.issues.iter().map(Into::into).collect();
    let mut interpreted = || {
        let mut allowed = 0;
        for user in &users {
            for org in &orgs {
                for action in OrgAction::NAMES {
                    allowed +=
                        oso.is_allowed(user.clone(), action.to_string(), org.clone()).unwrap() as usize;
                }
            }
            for repo in &repos {
                for action in RepoAction::NAMES {
                    allowed +=
                        oso.is_allowed(user.clone(), action.to_string(), repo.clone()).unwrap() as usize;
                }
            }
            for issue in &issues {
                for action in IssueAction::NAMES {
                    allowed +=
                        oso.is_allowed(user.clone(), action.to_string(), issue.clone()).unwrap() as usize;
                }
            }
        }
        allowed
    };
    assert_eq!(compiled(), interpreted(), "Oso and the compiled policy disagree on the sample world");
    // Interleave to share the machine's noise between both.
    let (mut c, mut h) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        c.push(median_ns_per_query(200, queries, &mut compiled));
        h.push(median_ns_per_query(200, queries, &mut handwritten));
    }
    // Oso is about 10^4 times slower: a few rounds give a stable median.
    let o = median_ns_per_query(7, queries, &mut interpreted);
    c.sort_by(f64::total_cmp);
    h.sort_by(f64::total_cmp);
    let (c, h) = (c[c.len() / 2], h[h.len() / 2]);
    println!(
        "| workload | queries | compiled (ns/check) | hand-written (ns/check) | Oso 0.27.3 (ns/check) \
         | compiled / hand-written | Oso / compiled |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| gitclub sample world, every (user, action, resource) | {queries} | {c:.1} | {h:.1} | {o:.0} \
         | {:.2}× | {:.0}× |",
        c / h,
        o / c
    );
}
