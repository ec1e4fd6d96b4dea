//! The compiled gitclub checks allocate nothing and the generated items are `Send + Sync`:
//! a counting global allocator (per thread) around every (user, action, resource) of the
//! sample world.

use std::hint::black_box;

use gitclub::authz;
use gitclub::authz::{IssueAction, OrgAction, RepoAction};
use gitclub::sample::sample;

#[global_allocator]
static GLOBAL: polar_tests::alloc_count::Counting = polar_tests::alloc_count::Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    polar_tests::alloc_count::allocations_during(f).1
}

#[test]
fn compiled_checks_allocate_nothing() {
    let (world, _) = sample();
    let mut allowed = 0usize;
    let mut checks = 0usize;
    let n = allocations_during(|| {
        for user in &world.users {
            for org in &world.orgs {
                for action in OrgAction::NAMES {
                    allowed += usize::from(black_box(authz::is_allowed(user, action, org)));
                    checks += 1;
                }
            }
            for repo in &world.repos {
                for action in RepoAction::NAMES {
                    allowed += usize::from(black_box(authz::is_allowed(user, action, repo)));
                    checks += 1;
                }
            }
            for issue in &world.issues {
                for action in IssueAction::NAMES {
                    allowed += usize::from(black_box(authz::try_is_allowed(user, action, issue).unwrap()));
                    checks += 1;
                }
            }
        }
    });
    assert_eq!(n, 0, "{n} allocations in {checks} checks");
    assert!(allowed > 0 && allowed < checks);
}

/// `authorized_actions` stores the policy's literal actions as bits: no allocation either.
#[test]
fn authorized_actions_allocate_nothing() {
    let (world, _) = sample();
    let mut found = 0usize;
    let n = allocations_during(|| {
        for user in &world.users {
            for repo in &world.repos {
                found += black_box(authz::authorized_action_names(user, repo)).len();
            }
            for issue in &world.issues {
                found += black_box(authz::try_authorized_action_names(user, issue).unwrap()).len();
            }
        }
    });
    assert_eq!(n, 0, "{n} allocations");
    assert!(found > 0);
}

#[test]
fn generated_items_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: T) {}
    use gitclub::models::{Issue, Repo, User};
    send_sync(|u: &User, a: &str, r: &Repo| authz::is_allowed(u, a, r));
    send_sync(|u: &User, a: authz::IssueAction, i: &Issue| authz::try_is_allowed(u, a, i));
    send_sync(authz::RepoAction::Push);
    send_sync(authz::authorized_actions::<gitclub::models::User, gitclub::models::Repo>(
        &sample().0.users[0],
        &sample().0.repos[0],
    ));
    send_sync(authz::rules);
    send_sync(authz::authorized_action_names::<gitclub::models::User, gitclub::models::Org>(
        &sample().0.users[0],
        &sample().0.orgs[0],
    ));
    // A check can run on another thread while this one runs checks too.
    let (world, _) = sample();
    let (user, repo) = (world.users[0].clone(), world.repos[0].clone());
    let here = authz::is_allowed(&user, "read", &repo);
    let there = std::thread::spawn(move || authz::is_allowed(&user, "read", &repo)).join().unwrap();
    assert_eq!(here, there);
}

#[test]
fn authorize_distinguishes_not_found_from_forbidden() {
    use polar_runtime::AuthorizationError::{Forbidden, NotFound};
    let (world, _) = sample();
    for user in &world.users {
        for repo in &world.repos {
            for action in RepoAction::NAMES {
                let expected = if authz::is_allowed(user, action, repo) {
                    Ok(())
                } else if action == "read" || !authz::is_allowed(user, "read", repo) {
                    Err(NotFound)
                } else {
                    Err(Forbidden)
                };
                let got = authz::authorize(user, action, repo).map(|proof| {
                    assert!(std::ptr::eq(proof.resource(), repo) && *proof.action() == action);
                });
                assert_eq!(
                    format!("{got:?}"),
                    format!("{expected:?}"),
                    "{} {action} {}",
                    user.name,
                    repo.name
                );
            }
        }
    }
    // Both outcomes occur on the sample world: bob may read acme/anvil but not delete it.
    let bob = world.users.iter().find(|u| u.name == "bob").unwrap();
    let anvil = world.repos.iter().find(|r| r.name == "anvil").unwrap();
    let hydra = world.repos.iter().find(|r| r.name == "hydra").unwrap();
    let dave = world.users.iter().find(|u| u.name == "dave").unwrap();
    assert!(matches!(authz::authorize(bob, "delete", anvil), Err(Forbidden)));
    assert!(matches!(authz::authorize(dave, "push", hydra), Err(NotFound)));
    assert!(authz::authorize(bob, "push", hydra).is_ok());
    // The typed forms answer the same.
    assert!(matches!(authz::authorize(bob, authz::actions::Delete, anvil), Err(Forbidden)));
    assert!(matches!(authz::authorize(dave, RepoAction::Push, hydra), Err(NotFound)));
    let proof = authz::authorize(bob, authz::actions::Push, hydra).unwrap();
    assert_eq!(proof.name, "hydra"); // dereferences to the repository
    let actions = authz::authorized_actions(bob, hydra);
    assert!(actions.contains(RepoAction::Push));
    let strings = authz::authorized_action_names(bob, hydra);
    let (mut typed, mut names): (Vec<_>, Vec<_>) = (actions.names().collect(), strings.iter().collect());
    typed.sort();
    names.sort();
    assert_eq!(typed, names);
    assert_eq!("push".parse::<RepoAction>(), Ok(RepoAction::Push));
    assert!("pussh".parse::<RepoAction>().is_err());
}
