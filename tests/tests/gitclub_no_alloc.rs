//! The compiled gitclub checks allocate nothing and the generated items are `Send + Sync`:
//! a counting global allocator (per thread) around every (user, action, resource) of the
//! sample world.

use std::hint::black_box;

use gitclub::authz;
use gitclub::models::actions;
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
                for action in actions::ORG {
                    allowed += usize::from(black_box(authz::is_allowed(user, action, org)));
                    checks += 1;
                }
            }
            for repo in &world.repos {
                for action in actions::REPO {
                    allowed += usize::from(black_box(authz::is_allowed(user, action, repo)));
                    checks += 1;
                }
            }
            for issue in &world.issues {
                for action in actions::ISSUE {
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
                found += black_box(authz::authorized_actions(user, repo)).len();
            }
            for issue in &world.issues {
                found += black_box(authz::try_authorized_actions(user, issue).unwrap()).len();
            }
        }
    });
    assert_eq!(n, 0, "{n} allocations");
    assert!(found > 0);
}

#[test]
fn generated_items_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: T) {}
    send_sync(authz::is_allowed::<gitclub::models::User, gitclub::models::Repo>);
    send_sync(authz::try_is_allowed::<gitclub::models::User, gitclub::models::Issue>);
    send_sync(authz::rules);
    send_sync(authz::authorized_actions::<gitclub::models::User, gitclub::models::Org>(
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
            for action in actions::REPO {
                let expected = if authz::is_allowed(user, action, repo) {
                    Ok(())
                } else if action == "read" || !authz::is_allowed(user, "read", repo) {
                    Err(NotFound)
                } else {
                    Err(Forbidden)
                };
                let got = authz::authorize(user, action, repo);
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
}
