//! A few GitClub checks through the policy compiled by build.rs, and how many of the sample
//! world's queries it allows.

use gitclub::sample::sample;
use gitclub_build::authz::{self, IssueAction, OrgAction, RepoAction};

fn main() {
    let (world, _) = sample();
    let (alice, eve) = (&world.users[0], &world.users[4]);
    let (anvil, website) = (&world.repos[0], &world.repos[1]);
    let yes = |b: bool| if b { "yes" } else { "no" };
    println!("Policy compiled by build.rs (polar_compiler::Builder):");
    println!("  alice push acme/anvil:   {}", yes(authz::is_allowed(alice, "push", anvil)));
    println!(
        "  eve   push acme/anvil:   {:?}",
        authz::authorize(eve, authz::actions::Push, anvil).map(|_| ())
    );
    println!(
        "  eve   push acme/website: {:?}",
        authz::authorize(eve, authz::actions::Push, website).map(|_| ())
    );

    let mut allowed = 0;
    let mut total = 0;
    for user in &world.users {
        let mut count = |b: bool| {
            total += 1;
            allowed += usize::from(b);
        };
        for org in &world.orgs {
            OrgAction::ALL.iter().for_each(|a| count(authz::is_allowed(user, *a, org)));
        }
        for repo in &world.repos {
            RepoAction::ALL.iter().for_each(|a| count(authz::is_allowed(user, *a, repo)));
        }
        for issue in &world.issues {
            IssueAction::ALL.iter().for_each(|a| count(authz::is_allowed(user, *a, issue)));
        }
    }
    println!("{allowed} of {total} sample queries allowed (cargo run -p gitclub prints them all)");
}
