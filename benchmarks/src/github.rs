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

use crate::MAX_QUERIES;
use crate::cedar::{CedarSide, SchemaSource, entity, euid};
use crate::rng::{Rng, sample};
use crate::workload::{self, Engines, Generated, Typed, answer_typed, by_type, queries_of};

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
        let classes = [
            Grant::get_polar_class(),
            Team::get_polar_class(),
            // `org = repo.owner` binds `org`; equality is there for completeness.
            Organization::get_polar_class_builder().with_equality_check().build(),
            Repository::get_polar_class(),
            User::get_polar_class(),
        ];
        crate::workload::oso(classes, policy)
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

/// A repository, by index.
#[derive(Clone, Copy, Debug)]
pub struct Repo(pub usize);

impl workload::Resource for Repo {
    fn typed(self) -> (usize, usize) {
        (0, self.0)
    }
}

impl Generated for Repo {
    fn entity(self) -> (&'static str, String) {
        ("Repository", format!("repo_{}", self.0))
    }
}

/// (user, action, repository), by index.
pub type Query = workload::Query<Repo>;

pub struct Github {
    n: usize,
    pub world: World,
    pub queries: Vec<Query>,
    /// `queries` as the typed loop of the compiled and hand-written checks reads them.
    by_type: [Typed; 1],
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
        let all = (0..n).flat_map(|user| queries_of(user, &ACTIONS, (0..n).map(Repo))).collect();
        let mut queries = sample(all, MAX_QUERIES, &mut rng);
        let by_type = by_type(&mut queries);
        let cedar = CedarSide::new(
            include_str!("../policies/cedar/github.cedar"),
            SchemaSource::Json(include_str!("../policies/cedar/github.cedarschema.json")),
            cedar_entities(&world),
            workload::cedar_requests(&queries),
        );
        Github {
            n,
            oso: oso_side::oso(include_str!("../policies/github.polar")),
            oso_users: world.users.iter().map(oso_side::user).collect(),
            oso_repos: world.repos.iter().map(oso_side::repo).collect(),
            world,
            queries,
            by_type,
            cedar,
        }
    }
}

impl Engines for Github {
    type Query = Query;

    fn names(&self) -> (String, String) {
        workload::per_type("github", self.n)
    }

    fn query_list(&self) -> &[Query] {
        &self.queries
    }

    fn typed_answers(&self, compiled: bool, mut answer: impl FnMut(bool)) {
        let (w, [queries]) = (&self.world, &self.by_type);
        let repo = |i| &w.repos[i];
        if compiled {
            answer_typed(queries, &w.users, repo, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
        } else {
            answer_typed(queries, &w.users, repo, hand::is_allowed, &mut answer);
        }
    }

    fn oso(&self, q: &Query) -> bool {
        let (user, repo) = (self.oso_users[q.user].clone(), self.oso_repos[q.resource.0].clone());
        self.oso.is_allowed(user, q.action, repo).expect("Oso answers")
    }

    fn cedar(&self) -> &CedarSide {
        &self.cedar
    }

    fn describe_query(&self, q: &Query) -> String {
        workload::describe_generated(q)
    }
}
