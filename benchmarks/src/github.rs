//! GitHub, from Cedar's OOPSLA 2024 benchmarks: users, teams (nested), organizations and
//! repositories; a user may read, triage, write, maintain or administer a repository through a
//! grant to them, to a team they are in (transitively), or, for read, write and admin, through
//! the repository owner's organization grants (to them, or to an organization they belong to).
//!
//! - Polar: `policies/github.polar` (a resource block; the action order is a chain of role
//!   implications), compiled by `polar!` into [`authz`];
//! - hand-written: [`hand`];
//! - Cedar: its own `policies/cedar/github.cedar` and schema, entities as its generator
//!   builds them (a permission entity per repository role, memberships as the hierarchy).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::cedar::{CedarSide, SchemaSource, entity, euid, uid};
use crate::rng::{Rng, sample};
use crate::{Engine, MAX_QUERIES, Workload, count};

pub const ACTIONS: [&str; 5] = ["read", "triage", "write", "maintain", "admin"];
/// Roles on a repository, in the order of the actions they grant first.
pub const REPO_ROLES: [&str; 5] = ["readers", "triagers", "writers", "maintainers", "admins"];
pub const ORG_ROLES: [&str; 3] = ["readers", "writers", "admins"];

pub mod models {
    use std::sync::Arc;

    use polar_runtime::PolarClass;

    /// A role (`"readers"` … `"admins"`) on the repository or organization with id `target`.
    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Grant {
        pub target: u32,
        pub role: String,
    }

    /// A team: its grants on repositories, and the teams it is in.
    #[derive(PolarClass, Debug)]
    pub struct Team {
        pub id: u32,
        pub repo_grants: Vec<Grant>,
        pub parents: Vec<Arc<Team>>,
    }

    /// An organization: the grants it holds on (other) organizations.
    #[derive(PolarClass, Debug, PartialEq)]
    pub struct Organization {
        pub id: u32,
        pub org_grants: Vec<Grant>,
    }

    #[derive(PolarClass, Debug)]
    pub struct Repository {
        pub id: u32,
        pub owner: Arc<Organization>,
    }

    #[derive(PolarClass, Debug)]
    pub struct User {
        pub id: u32,
        pub repo_grants: Vec<Grant>,
        pub teams: Vec<Arc<Team>>,
        pub orgs: Vec<Arc<Organization>>,
        pub org_grants: Vec<Grant>,
    }
}

/// `policies/github.polar`, compiled.
pub mod authz {
    use super::models::*;

    polar_runtime::polar!(file = "policies/github.polar");
}

/// The policy written by hand, as a careful programmer would: one rank per action and role
/// (read < triage < write < maintain < admin), one walk over the grants and the team DAG.
pub mod hand {
    use super::models::{Grant, Repository, Team, User};

    fn action_rank(action: &str) -> Option<u8> {
        Some(match action {
            "read" => 1,
            "triage" => 2,
            "write" => 3,
            "maintain" => 4,
            "admin" => 5,
            _ => return None,
        })
    }

    /// The highest action a repository role grants.
    fn repo_role_rank(role: &str) -> u8 {
        match role {
            "readers" => 1,
            "triagers" => 2,
            "writers" => 3,
            "maintainers" => 4,
            "admins" => 5,
            _ => 0,
        }
    }

    /// The highest action an organization role grants on the organization's repositories.
    fn org_role_rank(role: &str) -> u8 {
        match role {
            "readers" => 1,
            "writers" => 3,
            "admins" => 5,
            _ => 0,
        }
    }

    #[inline]
    fn granted(grants: &[Grant], target: u32, need: u8, rank: fn(&str) -> u8) -> bool {
        grants.iter().any(|g| g.target == target && rank(&g.role) >= need)
    }

    fn team_granted(team: &Team, repo: u32, need: u8) -> bool {
        granted(&team.repo_grants, repo, need, repo_role_rank)
            || team.parents.iter().any(|parent| team_granted(parent, repo, need))
    }

    pub fn is_allowed(user: &User, action: &str, repo: &Repository) -> bool {
        let Some(need) = action_rank(action) else { return false };
        let org = repo.owner.id;
        granted(&user.repo_grants, repo.id, need, repo_role_rank)
            || user.teams.iter().any(|team| team_granted(team, repo.id, need))
            || granted(&user.org_grants, org, need, org_role_rank)
            || user.orgs.iter().any(|member_of| granted(&member_of.org_grants, org, need, org_role_rank))
    }
}

/// The policy written by hand in the policy's own shape: one function per role, each role
/// asking the roles that imply it, so that a denied "read" walks the grants and the team DAG
/// once per role (five times), as the compiled policy does. Not a benchmarked engine: it
/// separates what the policy's formulation costs from what the code generator costs (see the
/// ignored test `github_gap_breakdown` and BENCHMARKS.md).
pub mod hand_shaped {
    use super::models::{Grant, Repository, Team, User};

    fn direct(grants: &[Grant], target: u32, role: &str) -> bool {
        grants.iter().any(|g| g.target == target && g.role == role)
    }

    fn team_has_role(team: &Team, role: &str, repo: u32) -> bool {
        direct(&team.repo_grants, repo, role) || team.parents.iter().any(|p| team_has_role(p, role, repo))
    }

    fn repo_role(user: &User, role: &str, repo: &Repository) -> bool {
        direct(&user.repo_grants, repo.id, role) || user.teams.iter().any(|t| team_has_role(t, role, repo.id))
    }

    fn org_role(user: &User, role: &str, repo: &Repository) -> bool {
        let org = repo.owner.id;
        direct(&user.org_grants, org, role) || user.orgs.iter().any(|o| direct(&o.org_grants, org, role))
    }

    fn admins(u: &User, r: &Repository) -> bool {
        repo_role(u, "admins", r) || org_role(u, "admins", r)
    }

    fn maintainers(u: &User, r: &Repository) -> bool {
        repo_role(u, "maintainers", r) || admins(u, r)
    }

    fn writers(u: &User, r: &Repository) -> bool {
        repo_role(u, "writers", r) || maintainers(u, r) || org_role(u, "writers", r)
    }

    fn triagers(u: &User, r: &Repository) -> bool {
        repo_role(u, "triagers", r) || writers(u, r)
    }

    fn readers(u: &User, r: &Repository) -> bool {
        repo_role(u, "readers", r) || triagers(u, r) || org_role(u, "readers", r)
    }

    pub fn is_allowed(user: &User, action: &str, repo: &Repository) -> bool {
        match action {
            "read" => readers(user, repo),
            "triage" => triagers(user, repo),
            "write" => writers(user, repo),
            "maintain" => maintainers(user, repo),
            "admin" => admins(user, repo),
            _ => false,
        }
    }
}

mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Grant {
        #[polar(attribute)]
        pub target: i64,
        #[polar(attribute)]
        pub role: String,
    }

    #[derive(PolarClass, Clone)]
    pub struct Team {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub repo_grants: Vec<Grant>,
        #[polar(attribute)]
        pub parents: Vec<Team>,
    }

    #[derive(PolarClass, Clone, PartialEq)]
    pub struct Organization {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub org_grants: Vec<Grant>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Repository {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub owner: Organization,
    }

    #[derive(PolarClass, Clone)]
    pub struct User {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub repo_grants: Vec<Grant>,
        #[polar(attribute)]
        pub teams: Vec<Team>,
        #[polar(attribute)]
        pub orgs: Vec<Organization>,
        #[polar(attribute)]
        pub org_grants: Vec<Grant>,
    }

    use super::models as m;

    fn grants(g: &[m::Grant]) -> Vec<Grant> {
        g.iter().map(|g| Grant { target: g.target.into(), role: g.role.clone() }).collect()
    }

    fn team(t: &m::Team) -> Team {
        Team {
            id: t.id.into(),
            repo_grants: grants(&t.repo_grants),
            parents: t.parents.iter().map(|p| team(p)).collect(),
        }
    }

    fn org(o: &m::Organization) -> Organization {
        Organization { id: o.id.into(), org_grants: grants(&o.org_grants) }
    }

    pub fn user(u: &m::User) -> User {
        User {
            id: u.id.into(),
            repo_grants: grants(&u.repo_grants),
            teams: u.teams.iter().map(|t| team(t)).collect(),
            orgs: u.orgs.iter().map(|o| org(o)).collect(),
            org_grants: grants(&u.org_grants),
        }
    }

    pub fn repo(r: &m::Repository) -> Repository {
        Repository { id: r.id.into(), owner: org(&r.owner) }
    }

    pub fn oso(policy: &str) -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(Grant::get_polar_class()).unwrap();
        oso.register_class(Team::get_polar_class()).unwrap();
        // `org = repo.owner` binds `org`; equality is there for completeness.
        oso.register_class(Organization::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Repository::get_polar_class()).unwrap();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.load_str(policy).expect("Oso loads policies/github.polar");
        oso
    }
}

/// A generated world: `n` entities of each type.
pub struct World {
    pub users: Vec<models::User>,
    pub teams: Vec<Arc<models::Team>>,
    pub orgs: Vec<Arc<models::Organization>>,
    pub repos: Vec<models::Repository>,
}

/// The paper's generator, in Rust: each possible edge with probability `p` (0.05 in the
/// paper); teams only nest
/// into lower-numbered teams (a DAG).
pub fn generate(n: usize, p: f64, rng: &mut Rng) -> World {
    use models::*;
    // A grant on each of the `n` targets with probability `p`, of a role drawn from `roles`.
    fn grants(rng: &mut Rng, n: usize, p: f64, roles: &[&str]) -> Vec<Grant> {
        let mut out = Vec::new();
        for target in 0..n {
            if rng.chance(p) {
                out.push(Grant { target: target as u32, role: rng.pick(roles).into() });
            }
        }
        out
    }
    let orgs: Vec<Arc<Organization>> = (0..n)
        .map(|i| Arc::new(Organization { id: i as u32, org_grants: grants(rng, n, p, &ORG_ROLES) }))
        .collect();
    let repos: Vec<Repository> =
        (0..n).map(|i| Repository { id: i as u32, owner: orgs[rng.below(n)].clone() }).collect();
    let mut teams: Vec<Arc<Team>> = Vec::new();
    for i in 0..n {
        let parents = (0..i).filter(|_| rng.chance(p)).map(|j| teams[j].clone()).collect();
        let repo_grants = grants(rng, n, p, &REPO_ROLES);
        teams.push(Arc::new(Team { id: i as u32, repo_grants, parents }));
    }
    let users = (0..n)
        .map(|i| {
            let repo_grants = grants(rng, n, p, &REPO_ROLES);
            let teams = (0..n).filter(|_| rng.chance(p)).map(|j| teams[j].clone()).collect();
            let (mut member_of, mut org_grants) = (Vec::new(), Vec::new());
            for (j, org) in orgs.iter().enumerate() {
                if rng.chance(p) {
                    member_of.push(org.clone());
                }
                if rng.chance(p) {
                    org_grants.push(Grant { target: j as u32, role: rng.pick(&ORG_ROLES).into() });
                }
            }
            User { id: i as u32, repo_grants, teams, orgs: member_of, org_grants }
        })
        .collect();
    World { users, teams, orgs, repos }
}

/// The world as Cedar's generator writes it: a `RepoPermission` entity per repository and
/// role, an `OrgPermission` per organization and role, memberships as parents.
fn cedar_entities(w: &World) -> Vec<Value> {
    let mut out = Vec::new();
    let perm =
        |ty: &str, prefix: &str, target: u32, role: &str| euid(ty, format!("{prefix}_{target}_{role}"));
    for o in &w.orgs {
        let mut attrs = serde_json::Map::new();
        for role in ORG_ROLES {
            attrs.insert(role.into(), perm("OrgPermission", "org", o.id, role));
            out.push(entity("OrgPermission", format!("org_{}_{role}", o.id), json!({}), vec![]));
        }
        let parents = o.org_grants.iter().map(|g| perm("OrgPermission", "org", g.target, &g.role)).collect();
        out.push(entity("Organization", format!("org_{}", o.id), Value::Object(attrs), parents));
    }
    for r in &w.repos {
        let mut attrs = serde_json::Map::new();
        for role in REPO_ROLES {
            attrs.insert(role.into(), perm("RepoPermission", "repo", r.id, role));
            out.push(entity("RepoPermission", format!("repo_{}_{role}", r.id), json!({}), vec![]));
        }
        attrs.insert("owner".into(), euid("Organization", format!("org_{}", r.owner.id)));
        out.push(entity("Repository", format!("repo_{}", r.id), Value::Object(attrs), vec![]));
    }
    for t in &w.teams {
        let parents = t
            .parents
            .iter()
            .map(|p| euid("Team", format!("team_{}", p.id)))
            .chain(t.repo_grants.iter().map(|g| perm("RepoPermission", "repo", g.target, &g.role)))
            .collect();
        out.push(entity("Team", format!("team_{}", t.id), json!({}), parents));
    }
    for u in &w.users {
        let parents = u
            .repo_grants
            .iter()
            .map(|g| perm("RepoPermission", "repo", g.target, &g.role))
            .chain(u.teams.iter().map(|t| euid("Team", format!("team_{}", t.id))))
            .chain(u.orgs.iter().map(|o| euid("Organization", format!("org_{}", o.id))))
            .chain(u.org_grants.iter().map(|g| perm("OrgPermission", "org", g.target, &g.role)))
            .collect();
        out.push(entity("User", format!("user_{}", u.id), json!({}), parents));
    }
    out
}

/// (user, action, repository), by index.
#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub user: usize,
    pub action: &'static str,
    pub repo: usize,
}

pub struct Github {
    n: usize,
    pub world: World,
    pub queries: Vec<Query>,
    oso: oso::Oso,
    oso_users: Vec<oso_side::User>,
    oso_repos: Vec<oso_side::Repository>,
    cedar: CedarSide,
}

impl Github {
    /// The paper's world: `n` entities per type, each edge with probability
    /// [`CONNECTION_PROBABILITY`](crate::CONNECTION_PROBABILITY).
    pub fn new(n: usize, seed: u64) -> Self {
        Self::with(n, crate::CONNECTION_PROBABILITY, seed)
    }

    /// A world with `n` entities per type and edges with probability `p`.
    pub fn with(n: usize, p: f64, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let world = generate(n, p, &mut rng);
        let mut all = Vec::new();
        for user in 0..n {
            for action in ACTIONS {
                for repo in 0..n {
                    all.push(Query { user, action, repo });
                }
            }
        }
        let queries = sample(all, MAX_QUERIES, &mut rng);
        let cedar = CedarSide::new(
            include_str!("../policies/cedar/github.cedar"),
            SchemaSource::Json(include_str!("../policies/cedar/github.cedarschema.json")),
            cedar_entities(&world),
            queries.iter().map(|q| {
                (
                    uid("User", &format!("user_{}", q.user)),
                    q.action,
                    uid("Repository", &format!("repo_{}", q.repo)),
                )
            }),
        );
        Github {
            n,
            oso: oso_side::oso(include_str!("../policies/github.polar")),
            oso_users: world.users.iter().map(oso_side::user).collect(),
            oso_repos: world.repos.iter().map(oso_side::repo).collect(),
            world,
            queries,
            cedar,
        }
    }

    #[inline]
    fn compiled(&self, q: &Query) -> bool {
        authz::is_allowed(&self.world.users[q.user], q.action, &self.world.repos[q.repo])
    }

    #[inline]
    fn hand(&self, q: &Query) -> bool {
        hand::is_allowed(&self.world.users[q.user], q.action, &self.world.repos[q.repo])
    }

    /// Oso's time includes cloning the two Oso-side structs (it takes its arguments by value)
    /// and converting them to Polar values.
    fn oso(&self, q: &Query) -> bool {
        self.oso
            .is_allowed(self.oso_users[q.user].clone(), q.action, self.oso_repos[q.repo].clone())
            .expect("Oso answers")
    }
}

impl Workload for Github {
    fn id(&self) -> String {
        format!("github-{}", self.n)
    }

    fn description(&self) -> String {
        format!("github, {} per type", self.n)
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
        format!("user_{} {} repo_{}", q.user, q.action, q.repo)
    }
}
