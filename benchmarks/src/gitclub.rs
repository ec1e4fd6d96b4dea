//! GitClub, `examples/gitclub`: every (user, action, resource) of its sample world
//! (`gitclub::sample`), with the compiled policy `gitclub::authz`, the hand-written
//! `gitclub::hand`, Oso on the types of `tests/support/gitclub_oso.rs`, and a Cedar port of the
//! policy (`policies/cedar/gitclub.cedar`, roles as sets of records on the user, the role
//! implications spelled out in each permission).

use gitclub::models::{Issue, Org, Repo, User, actions};
use gitclub::{authz, hand};
use serde_json::{Value, json};

use crate::cedar::{CedarSide, SchemaSource, entity, euid, uid};
use crate::{Engine, Workload, count};

#[path = "../../tests/support/gitclub_oso.rs"]
mod oso_side;

#[derive(Clone, Copy, Debug)]
pub enum Resource {
    Org(usize),
    Repo(usize),
    Issue(usize),
}

#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub user: usize,
    pub action: &'static str,
    pub resource: Resource,
}

pub struct Gitclub {
    pub world: gitclub::sample::Sample,
    pub queries: Vec<Query>,
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
        let mut queries = Vec::new();
        for user in 0..world.users.len() {
            for org in 0..world.orgs.len() {
                queries.extend(actions::ORG.map(|action| Query {
                    user,
                    action,
                    resource: Resource::Org(org),
                }));
            }
            for repo in 0..world.repos.len() {
                queries.extend(actions::REPO.map(|action| Query {
                    user,
                    action,
                    resource: Resource::Repo(repo),
                }));
            }
            for issue in 0..world.issues.len() {
                queries.extend(actions::ISSUE.map(|action| Query {
                    user,
                    action,
                    resource: Resource::Issue(issue),
                }));
            }
        }
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
            cedar,
        }
    }

    #[inline]
    fn check<F, G, H>(&self, q: &Query, org: F, repo: G, issue: H) -> bool
    where
        F: Fn(&User, &str, &Org) -> bool,
        G: Fn(&User, &str, &Repo) -> bool,
        H: Fn(&User, &str, &Issue) -> bool,
    {
        let user = &self.world.users[q.user];
        match q.resource {
            Resource::Org(i) => org(user, q.action, &self.world.orgs[i]),
            Resource::Repo(i) => repo(user, q.action, &self.world.repos[i]),
            Resource::Issue(i) => issue(user, q.action, &self.world.issues[i]),
        }
    }

    #[inline]
    fn compiled(&self, q: &Query) -> bool {
        self.check(q, authz::is_allowed, authz::is_allowed, authz::is_allowed)
    }

    #[inline]
    fn hand(&self, q: &Query) -> bool {
        self.check(q, hand::is_allowed, hand::is_allowed, hand::is_allowed)
    }

    /// Oso's time includes cloning the Oso-side structs and converting them to Polar values.
    fn oso(&self, q: &Query) -> bool {
        let user = self.oso_users[q.user].clone();
        match q.resource {
            Resource::Org(i) => self.oso.is_allowed(user, q.action, self.oso_orgs[i].clone()),
            Resource::Repo(i) => self.oso.is_allowed(user, q.action, self.oso_repos[i].clone()),
            Resource::Issue(i) => self.oso.is_allowed(user, q.action, self.oso_issues[i].clone()),
        }
        .expect("Oso answers")
    }
}

impl Default for Gitclub {
    fn default() -> Self {
        Self::new()
    }
}

impl Workload for Gitclub {
    fn id(&self) -> String {
        "gitclub-sample".into()
    }

    fn description(&self) -> String {
        "gitclub sample world, every query".into()
    }

    fn queries(&self) -> usize {
        self.queries.len()
    }

    fn run(&self, engine: Engine) -> usize {
        match engine {
            Engine::Compiled => count(&self.queries, |q| self.compiled(q)),
            Engine::Hand => count(&self.queries, |q| self.hand(q)),
            Engine::Oso => count(&self.queries, |q| self.oso(q)),
            Engine::Cedar => self.cedar.run(),
        }
    }

    fn answers(&self, engine: Engine) -> Vec<bool> {
        match engine {
            Engine::Compiled => self.queries.iter().map(|q| self.compiled(q)).collect(),
            Engine::Hand => self.queries.iter().map(|q| self.hand(q)).collect(),
            Engine::Oso => self.queries.iter().map(|q| self.oso(q)).collect(),
            Engine::Cedar => self.cedar.answers(),
        }
    }

    fn describe(&self, i: usize) -> String {
        let q = self.queries[i];
        let user = &self.world.users[q.user].name;
        match q.resource {
            Resource::Org(i) => format!("{user} {} org {}", q.action, self.world.orgs[i].name),
            Resource::Repo(i) => format!("{user} {} repo {}", q.action, self.world.repos[i].name),
            Resource::Issue(i) => format!("{user} {} issue {}", q.action, self.world.issues[i].id),
        }
    }
}
