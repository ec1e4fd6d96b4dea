//! Prints, for the sample users, who may do which action on which organization, repository
//! and issue, as decided by `../policies/gitclub.polar` compiled into Rust.

use gitclub::authz::{IssueAction, OrgAction, RepoAction, is_allowed};
use gitclub::models::User;
use gitclub::sample::sample;

fn main() {
    let (world, notes) = sample();
    println!("Users:");
    for (name, note) in &notes {
        println!("  {name:<6} {note}");
    }
    println!();

    let users = &world.users;
    let orgs: Vec<_> = world.orgs.iter().map(|o| (o.name.clone(), o)).collect();
    table("Org", users, &orgs, &OrgAction::NAMES, |u, a, r| is_allowed(u, a, r));

    let repos: Vec<_> = world
        .repos
        .iter()
        .map(|r| (format!("{}/{}{}", r.org.name, r.name, if r.public { " (public)" } else { "" }), r))
        .collect();
    table("Repo", users, &repos, &RepoAction::NAMES, |u, a, r| is_allowed(u, a, r));

    let issues: Vec<_> =
        world.issues.iter().map(|i| (format!("{}/{}#{}", i.repo.org.name, i.repo.name, i.id), i)).collect();
    table("Issue", users, &issues, &IssueAction::NAMES, |u, a, r| is_allowed(u, a, r));
}

/// One table: a row per (resource, action), a column per user; "yes" where allowed.
fn table<R>(
    kind: &str,
    users: &[User],
    resources: &[(String, &R)],
    actions: &[&str],
    allowed: impl Fn(&User, &str, &R) -> bool,
) {
    let w0 = resources.iter().map(|(label, _)| label.len()).chain([kind.len()]).max().unwrap_or(0);
    let w1 = actions.iter().map(|a| a.len()).max().unwrap_or(0);
    let col = |user: &User| user.name.len().max(5);

    let mut header = format!("{kind:<w0$}  {:<w1$}", "");
    for user in users {
        header += &format!("  {:^w$}", user.name, w = col(user));
    }
    println!("{}", header.trim_end());
    println!("{}", "-".repeat(header.trim_end().len()));
    for (label, resource) in resources {
        for (i, action) in actions.iter().enumerate() {
            let shown = if i == 0 { label.as_str() } else { "" };
            let mut line = format!("{shown:<w0$}  {action:<w1$}");
            for user in users {
                let mark = if allowed(user, action, resource) { "yes" } else { "." };
                line += &format!("  {mark:^w$}", w = col(user));
            }
            println!("{}", line.trim_end());
        }
    }
    println!();
}
