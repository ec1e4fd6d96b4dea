//! Differential test of `tests/policies/actors.polar`: three actor types (`User`, `Service`,
//! `Team`) under the `Actor` union, `Resource`, roles per actor type (a user inheriting its
//! teams' roles, through `has_role` calling itself on another class), `matches` on a union,
//! Oso's most-specific-first clause order between a class and a union, and a `cut` that drops
//! the other clauses of `allow`, in `is_allowed` and in `authorized_actions`. Compared strictly
//! with Oso 0.27.3 on generated worlds.

mod drt_support;

use drt_support::{Tally, config};
use proptest::prelude::*;
use proptest::sample::Index;

const POLICY: &str = include_str!("../policies/actors.polar");
const ACTIONS: [&str; 10] =
    ["view", "build", "deploy", "manage", "ping", "audit", "freeze", "guest", "owner", "fly"];

mod compiled {
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct ProjectRole {
        pub name: String,
        pub project: i32,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Team {
        pub name: String,
        pub role: String,
        pub projects: Vec<i32>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub active: bool,
        pub org: i32,
        pub org_roles: Vec<String>,
        pub project_roles: Vec<ProjectRole>,
        pub teams: Vec<Team>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Service {
        pub name: String,
        pub admin: bool,
        pub projects: Vec<i32>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        pub id: i32,
        pub audited: bool,
        pub frozen: bool,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Project {
        pub id: i32,
        pub public: bool,
        pub org: Org,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/actors.polar");
    }
}

use compiled::{Org, Project, ProjectRole, Service, Team, User};

to_rust_struct!(
    ProjectRole { name, project }
    Team { name, role, projects }
    User { name, active, org, org_roles, project_roles, teams }
    Service { name, admin, projects }
    Org { id, audited, frozen }
    Project { id, public, org }
    World { users, services, teams, orgs, projects }
);

mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct ProjectRole {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub project: i32,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Team {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub role: String,
        #[polar(attribute)]
        pub projects: Vec<i32>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub active: bool,
        #[polar(attribute)]
        pub org: i32,
        #[polar(attribute)]
        pub org_roles: Vec<String>,
        #[polar(attribute)]
        pub project_roles: Vec<ProjectRole>,
        #[polar(attribute)]
        pub teams: Vec<Team>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Service {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub admin: bool,
        #[polar(attribute)]
        pub projects: Vec<i32>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        #[polar(attribute)]
        pub id: i32,
        #[polar(attribute)]
        pub audited: bool,
        #[polar(attribute)]
        pub frozen: bool,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Project {
        #[polar(attribute)]
        pub id: i32,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub org: Org,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(ProjectRole::get_polar_class()).unwrap();
        oso.register_class(Team::get_polar_class()).unwrap();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.register_class(Service::get_polar_class()).unwrap();
        oso.register_class(Org::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Project::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    impl From<&super::Team> for Team {
        fn from(t: &super::Team) -> Self {
            Team { name: t.name.clone(), role: t.role.clone(), projects: t.projects.clone() }
        }
    }
    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User {
                name: u.name.clone(),
                active: u.active,
                org: u.org,
                org_roles: u.org_roles.clone(),
                project_roles: u
                    .project_roles
                    .iter()
                    .map(|r| ProjectRole { name: r.name.clone(), project: r.project })
                    .collect(),
                teams: u.teams.iter().map(Into::into).collect(),
            }
        }
    }
    impl From<&super::Service> for Service {
        fn from(s: &super::Service) -> Self {
            Service { name: s.name.clone(), admin: s.admin, projects: s.projects.clone() }
        }
    }
    impl From<&super::Org> for Org {
        fn from(o: &super::Org) -> Self {
            Org { id: o.id, audited: o.audited, frozen: o.frozen }
        }
    }
    impl From<&super::Project> for Project {
        fn from(p: &super::Project) -> Self {
            Project { id: p.id, public: p.public, org: (&p.org).into() }
        }
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<User>,
    pub services: Vec<Service>,
    pub teams: Vec<Team>,
    pub orgs: Vec<Org>,
    pub projects: Vec<Project>,
}

fn ids() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(1i32..=3, 0..=2)
}

fn world() -> impl Strategy<Value = World> {
    let role = |names: Vec<&'static str>| prop::sample::select(names).prop_map(str::to_owned);
    let teams = prop::collection::vec((role(vec!["dev", "guest", "lead", "owner"]), ids()), 0..=2);
    let project_roles = prop::collection::vec((role(vec!["dev", "lead", "guest", "admin"]), 1i32..=3), 0..=2);
    let org_roles = prop::collection::vec(role(vec!["member", "admin", "owner", "dev"]), 0..=2);
    let users = prop::collection::vec(
        (
            prop::bool::weighted(0.7),
            1i32..=2,
            org_roles,
            project_roles,
            prop::collection::vec(any::<Index>(), 0..=1),
        ),
        1..=3,
    );
    let services = prop::collection::vec((any::<bool>(), ids()), 0..=2);
    let orgs = prop::collection::vec((any::<bool>(), prop::bool::weighted(0.3)), 1..=2);
    let projects = prop::collection::vec((prop::bool::weighted(0.3), any::<Index>()), 1..=3);
    (teams, users, services, orgs, projects).prop_map(|(teams, users, services, orgs, projects)| {
        let teams: Vec<Team> = teams
            .into_iter()
            .zip(["red", "blue"])
            .map(|((role, projects), name)| Team { name: name.into(), role, projects })
            .collect();
        let users = users
            .into_iter()
            .zip(["ann", "bo", "cy"])
            .map(|((active, org, org_roles, project_roles, my_teams), name)| User {
                name: name.into(),
                active,
                org,
                org_roles,
                project_roles: project_roles
                    .into_iter()
                    .map(|(name, project)| ProjectRole { name, project })
                    .collect(),
                teams: if teams.is_empty() {
                    vec![]
                } else {
                    my_teams.iter().map(|i| i.get(&teams).clone()).collect()
                },
            })
            .collect();
        let services = services
            .into_iter()
            .zip(["ci", "bot"])
            .map(|((admin, projects), name)| Service { name: name.into(), admin, projects })
            .collect();
        let orgs: Vec<Org> =
            orgs.into_iter().zip(1..).map(|((audited, frozen), id)| Org { id, audited, frozen }).collect();
        let projects = projects
            .into_iter()
            .zip(1..)
            .map(|((public, org), id)| Project { id, public, org: org.get(&orgs).clone() })
            .collect();
        World { users, services, teams, orgs, projects }
    })
}

#[test]
fn several_actor_types_agree_with_oso() {
    let oso = oso_side::oso();
    let tally = Tally::new("actors");
    proptest!(config(150), |(world in world())| {
        tally.world();
        let w = &world;
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.orgs => oso_side::Org);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.projects => oso_side::Project);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.services => oso_side::Service, w.orgs => oso_side::Org);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.services => oso_side::Service, w.projects => oso_side::Project);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.teams => oso_side::Team, w.orgs => oso_side::Org);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.teams => oso_side::Team, w.projects => oso_side::Project);
    });
    tally.report();
    assert!(tally.several() > 0);
}

/// Hand-picked: the `cut` of the user's `freeze` clause hides every other action of a user on
/// an organization from `authorized_actions`, as in Oso, while `is_allowed` still grants them.
#[test]
fn a_cut_in_allow_hides_the_other_actions_of_a_user() {
    use compiled::authz::{authorized_action_names, is_allowed};
    let org = Org { id: 1, audited: true, frozen: false };
    let admin = User {
        name: "ann".into(),
        active: true,
        org: 1,
        org_roles: vec!["admin".into()],
        project_roles: vec![],
        teams: vec![],
    };
    assert!(is_allowed(&admin, "view", &org) && is_allowed(&admin, "audit", &org));
    assert!(!is_allowed(&admin, "freeze", &org));
    assert!(authorized_action_names(&admin, &org).is_empty());
    let owner = User { org_roles: vec!["owner".into()], ..admin };
    assert_eq!(authorized_action_names(&owner, &org).iter().collect::<Vec<_>>(), ["freeze"]);
    let ci = Service { name: "ci".into(), admin: false, projects: vec![] };
    let mut actions: Vec<_> = authorized_action_names(&ci, &org).iter().map(str::to_owned).collect();
    actions.sort();
    assert_eq!(actions, ["audit", "freeze", "ping"]);
}
