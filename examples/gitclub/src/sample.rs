//! Sample data: two organizations with a private and a public repository each, a few issues,
//! and users whose roles exercise every way the policy grants a permission.

use crate::models::{Issue, Org, Repo, User};

/// A small GitClub world.
#[derive(Clone, Debug)]
pub struct Sample {
    pub users: Vec<User>,
    pub orgs: Vec<Org>,
    pub repos: Vec<Repo>,
    pub issues: Vec<Issue>,
}

/// The sample world, with a line of explanation per user.
pub fn sample() -> (Sample, Vec<(&'static str, &'static str)>) {
    let acme = Org { id: 1, name: "acme".into() };
    let globex = Org { id: 2, name: "globex".into() };
    let repo = |id, name: &str, org: &Org, public| Repo { id, name: name.into(), org: org.clone(), public };
    let anvil = repo(1, "anvil", &acme, false);
    let website = repo(2, "website", &acme, true);
    let hydra = repo(3, "hydra", &globex, false);
    let docs = repo(4, "docs", &globex, true);

    let alice = User::new("alice").with_org_role("owner", &acme);
    let bob = User::new("bob").with_org_role("member", &acme).with_repo_role("writer", &hydra);
    let carol = User::new("carol").with_repo_role("reader", &anvil).with_repo_role("admin", &docs);
    let dave = User::new("dave");
    let eve = User::new("eve").with_org_role("member", &globex).with_repo_role("reader", &website);
    let notes = vec![
        ("alice", "owner of acme"),
        ("bob", "member of acme, writer on globex/hydra"),
        ("carol", "reader on acme/anvil, admin on globex/docs"),
        ("dave", "no roles; opened website#2"),
        ("eve", "member of globex, reader on acme/website"),
    ];

    let issue = |id, title: &str, repo: &Repo, creator: &User| Issue {
        id,
        title: title.into(),
        repo: repo.clone(),
        creator: creator.clone(),
    };
    let issues = vec![
        issue(1, "Anvil falls too slowly", &anvil, &bob),
        issue(2, "Typo on the home page", &website, &dave),
        issue(3, "Too many heads", &hydra, &carol),
    ];
    let sample = Sample {
        users: vec![alice, bob, carol, dave, eve],
        orgs: vec![acme, globex],
        repos: vec![anvil, website, hydra, docs],
        issues,
    };
    (sample, notes)
}
