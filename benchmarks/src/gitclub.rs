//! GitClub, `examples/gitclub`: every (user, action, resource) of its sample world
//! (`gitclub::sample`), with the compiled policy `gitclub::authz`, the hand-written
//! `gitclub::hand`, Oso on the types of `tests/support/gitclub_oso.rs`, and a Cedar port of the
//! policy (`policies/cedar/gitclub.cedar`, roles as sets of records on the user, the role
//! implications spelled out in each permission).

use gitclub::models::{Issue, Org, Repo, User, actions};
use std::hint::black_box;

use gitclub::{authz, hand};
use serde_json::{Value, json};

use crate::cedar::{CedarSide, SchemaSource, entity, euid, uid};
use crate::{Engine, Typed, Workload, count, typed};

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
        queries.sort_by_key(|q| match q.resource {
            Resource::Org(_) => 0,
            Resource::Repo(_) => 1,
            Resource::Issue(_) => 2,
        });
        let by_type = [
            typed(&queries, |q| {
                if let Resource::Org(r) = q.resource { Some((q.user, q.action, r)) } else { None }
            }),
            typed(&queries, |q| {
                if let Resource::Repo(r) = q.resource { Some((q.user, q.action, r)) } else { None }
            }),
            typed(&queries, |q| {
                if let Resource::Issue(r) = q.resource { Some((q.user, q.action, r)) } else { None }
            }),
        ];
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

    /// Every query's answer by `org`, `repo` and `issue`, one loop per resource type, in the
    /// order of `queries`.
    #[inline]
    fn each<F, G, H>(&self, org: F, repo: G, issue: H, mut answer: impl FnMut(bool))
    where
        F: Fn(&User, &str, &Org) -> bool,
        G: Fn(&User, &str, &Repo) -> bool,
        H: Fn(&User, &str, &Issue) -> bool,
    {
        let (w, [orgs, repos, issues]) = (&self.world, &self.by_type);
        for &(u, a, r) in orgs {
            answer(org(black_box(&w.users[u]), black_box(a), black_box(&w.orgs[r])));
        }
        for &(u, a, r) in repos {
            answer(repo(black_box(&w.users[u]), black_box(a), black_box(&w.repos[r])));
        }
        for &(u, a, r) in issues {
            answer(issue(black_box(&w.users[u]), black_box(a), black_box(&w.issues[r])));
        }
    }

    /// The compiled (`true`) or hand-written (`false`) answers.
    fn typed_answers(&self, compiled: bool, answer: impl FnMut(bool)) {
        if compiled {
            self.each(authz::is_allowed, authz::is_allowed, authz::is_allowed, answer)
        } else {
            self.each(hand::is_allowed, hand::is_allowed, hand::is_allowed, answer)
        }
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
            Engine::Compiled | Engine::Hand => {
                let mut allowed = 0;
                self.typed_answers(engine == Engine::Compiled, |a| allowed += usize::from(a));
                allowed
            }
            Engine::Oso => count(&self.queries, |q| self.oso(q)),
            Engine::Cedar => self.cedar.run(),
        }
    }

    fn answers(&self, engine: Engine) -> Vec<bool> {
        match engine {
            Engine::Compiled | Engine::Hand => {
                let mut answers = Vec::new();
                self.typed_answers(engine == Engine::Compiled, |a| answers.push(a));
                answers
            }
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
