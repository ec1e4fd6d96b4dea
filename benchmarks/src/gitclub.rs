//! GitClub, `examples/gitclub`: every (user, action, resource) of its sample world
//! (`gitclub::sample`), with the compiled policy `gitclub::authz`, the hand-written
//! `gitclub::hand`, Oso on the types of `tests/support/gitclub_oso.rs`, and a Cedar port of the
//! policy (`policies/cedar/gitclub.cedar`, roles as sets of records on the user, the role
//! implications spelled out in each permission).

use gitclub::authz::{IssueAction, OrgAction, RepoAction};
use gitclub::models::{Org, Repo};
use gitclub::{authz, hand};
use serde_json::{Value, json};

use crate::cedar::{CedarSide, SchemaSource, entity, euid, uid};
use crate::workload::{self, Engines, Typed, answer_typed, by_type, queries_of};

#[path = "../../tests/support/gitclub_oso.rs"]
mod oso_side;

#[derive(Clone, Copy, Debug)]
pub enum Resource {
    Org(usize),
    Repo(usize),
    Issue(usize),
}

impl workload::Resource for Resource {
    fn typed(self) -> (usize, usize) {
        match self {
            Resource::Org(i) => (0, i),
            Resource::Repo(i) => (1, i),
            Resource::Issue(i) => (2, i),
        }
    }
}

pub type Query = workload::Query<Resource>;

pub struct Gitclub {
    pub world: gitclub::sample::Sample,
    /// Sorted by resource type.
    pub queries: Vec<Query>,
    /// `queries` split by resource type: organizations, repositories, issues.
    by_type: [Typed; 3],
    oso: oso::Oso,
    oso_users: Vec<oso_side::User>,
    oso_orgs: Vec<oso_side::Org>,
    oso_repos: Vec<oso_side::Repo>,
    oso_issues: Vec<oso_side::Issue>,
    cedar: CedarSide,
}

fn org_euid(o: &Org) -> Value {
    euid("Org", o.id)
}

fn repo_euid(r: &Repo) -> Value {
    euid("Repo", r.id)
}

fn cedar_entities(w: &gitclub::sample::Sample) -> Vec<Value> {
    let mut out = Vec::new();
    for u in &w.users {
        let org = |id: u64| euid("Org", id);
        let repo = |id: u64| euid("Repo", id);
        let attrs = json!({
            "org_roles": u.org_roles.iter().map(|r| json!({ "name": r.name, "org": org(r.org_id) })).collect::<Vec<_>>(),
            "repo_roles": u.repo_roles.iter().map(|r| json!({ "name": r.name, "repo": repo(r.repo_id) })).collect::<Vec<_>>(),
        });
        out.push(entity("User", &u.name, attrs, vec![]));
    }
    for o in &w.orgs {
        out.push(entity("Org", o.id, json!({}), vec![]));
    }
    for r in &w.repos {
        out.push(entity("Repo", r.id, json!({ "org": org_euid(&r.org), "public": r.public }), vec![]));
    }
    for i in &w.issues {
        let attrs = json!({ "repo": repo_euid(&i.repo), "creator": euid("User", &i.creator.name) });
        out.push(entity("Issue", i.id, attrs, vec![]));
    }
    out
}

impl Gitclub {
    pub fn new() -> Self {
        let (world, _) = gitclub::sample::sample();
        // Every query, by user, then resource, then action.
        let mut queries = Vec::new();
        for user in 0..world.users.len() {
            let mut on = |actions: &[&'static str], resource| {
                queries.extend(queries_of(user, actions, std::iter::once(resource)));
            };
            (0..world.orgs.len()).for_each(|i| on(&OrgAction::NAMES, Resource::Org(i)));
            (0..world.repos.len()).for_each(|i| on(&RepoAction::NAMES, Resource::Repo(i)));
            (0..world.issues.len()).for_each(|i| on(&IssueAction::NAMES, Resource::Issue(i)));
        }
        let by_type = by_type(&mut queries);
        let cedar = CedarSide::new(
            include_str!("../policies/cedar/gitclub.cedar"),
            SchemaSource::Cedar(include_str!("../policies/cedar/gitclub.cedarschema")),
            cedar_entities(&world),
            queries.iter().map(|q| {
                let resource = match q.resource {
                    Resource::Org(i) => uid("Org", &world.orgs[i].id.to_string()),
                    Resource::Repo(i) => uid("Repo", &world.repos[i].id.to_string()),
                    Resource::Issue(i) => uid("Issue", &world.issues[i].id.to_string()),
                };
                (uid("User", &world.users[q.user].name), q.action, resource)
            }),
        );
        Gitclub {
            oso: oso_side::oso(include_str!("../../examples/policies/gitclub.polar")),
            oso_users: world.users.iter().map(Into::into).collect(),
            oso_orgs: world.orgs.iter().map(Into::into).collect(),
            oso_repos: world.repos.iter().map(Into::into).collect(),
            oso_issues: world.issues.iter().map(Into::into).collect(),
            world,
            queries,
            by_type,
            cedar,
        }
    }
}

impl Default for Gitclub {
    fn default() -> Self {
        Self::new()
    }
}

impl Engines for Gitclub {
    type Query = Query;

    fn names(&self) -> (String, String) {
        ("gitclub-sample".into(), "gitclub sample world, every query".into())
    }

    fn query_list(&self) -> &[Query] {
        &self.queries
    }

    fn typed_answers(&self, compiled: bool, mut answer: impl FnMut(bool)) {
        let (w, [orgs, repos, issues]) = (&self.world, &self.by_type);
        let (org, repo, issue) = (|i| &w.orgs[i], |i| &w.repos[i], |i| &w.issues[i]);
        if compiled {
            answer_typed(orgs, &w.users, org, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
            answer_typed(repos, &w.users, repo, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
            answer_typed(issues, &w.users, issue, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
        } else {
            answer_typed(orgs, &w.users, org, hand::is_allowed, &mut answer);
            answer_typed(repos, &w.users, repo, hand::is_allowed, &mut answer);
            answer_typed(issues, &w.users, issue, hand::is_allowed, &mut answer);
        }
    }

    fn oso(&self, q: &Query) -> bool {
        let user = self.oso_users[q.user].clone();
        match q.resource {
            Resource::Org(i) => self.oso.is_allowed(user, q.action, self.oso_orgs[i].clone()),
            Resource::Repo(i) => self.oso.is_allowed(user, q.action, self.oso_repos[i].clone()),
            Resource::Issue(i) => self.oso.is_allowed(user, q.action, self.oso_issues[i].clone()),
        }
        .expect("Oso answers")
    }

    fn cedar(&self) -> &CedarSide {
        &self.cedar
    }

    fn describe_query(&self, q: &Query) -> String {
        let user = &self.world.users[q.user].name;
        match q.resource {
            Resource::Org(i) => format!("{user} {} org {}", q.action, self.world.orgs[i].name),
            Resource::Repo(i) => format!("{user} {} repo {}", q.action, self.world.repos[i].name),
            Resource::Issue(i) => format!("{user} {} issue {}", q.action, self.world.issues[i].id),
        }
    }
}
