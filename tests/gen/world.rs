//! The fixed classes of the generated policies (`policy_gen.rs`, [`FIELDS`]), twice: as the
//! compiled policies see them (`compiled`, `polar_runtime::PolarClass`) and as Oso sees them
//! (`oso_side`, `oso::PolarClass`), with random worlds of them.
//!
//! [`FIELDS`]: crate::policy_gen::FIELDS

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};

use crate::policy_gen::{INTS, KEYS, ROLES, Rng, STRS};

pub mod compiled {
    use std::collections::HashMap;

    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Role {
        pub name: String,
        pub res: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        pub name: String,
        pub level: i64,
        pub public: bool,
        pub tags: Vec<String>,
        pub rating: f64,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct User {
        pub name: String,
        pub age: i64,
        pub score: f64,
        pub admin: bool,
        pub tags: Vec<String>,
        pub nums: Vec<i64>,
        pub org: Org,
        pub nick: Option<String>,
        pub prefs: HashMap<String, i64>,
        pub roles: Vec<Role>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Repo {
        pub name: String,
        pub org: Org,
        pub public: bool,
        pub stars: i64,
        pub weight: f64,
        pub topics: Vec<String>,
        pub owner: Option<String>,
        pub meta: HashMap<String, i64>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Doc {
        pub title: String,
        pub repo: Repo,
        pub level: i64,
        pub ratio: f64,
        pub locked: bool,
        pub tags: Vec<String>,
        pub nums: Vec<i64>,
        pub author: String,
    }
}

pub mod oso_side {
    use std::collections::HashMap;

    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Role {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub res: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub rating: f64,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub age: i64,
        #[polar(attribute)]
        pub score: f64,
        #[polar(attribute)]
        pub admin: bool,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub nums: Vec<i64>,
        #[polar(attribute)]
        pub org: Org,
        #[polar(attribute)]
        pub nick: Option<String>,
        #[polar(attribute)]
        pub prefs: HashMap<String, i64>,
        #[polar(attribute)]
        pub roles: Vec<Role>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Repo {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub org: Org,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub stars: i64,
        #[polar(attribute)]
        pub weight: f64,
        #[polar(attribute)]
        pub topics: Vec<String>,
        #[polar(attribute)]
        pub owner: Option<String>,
        #[polar(attribute)]
        pub meta: HashMap<String, i64>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Doc {
        #[polar(attribute)]
        pub title: String,
        #[polar(attribute)]
        pub repo: Repo,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub ratio: f64,
        #[polar(attribute)]
        pub locked: bool,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub nums: Vec<i64>,
        #[polar(attribute)]
        pub author: String,
    }

    /// An Oso with the five classes registered (instances compared with `PartialEq`) and
    /// `policy` loaded.
    pub fn oso(policy: &str) -> Result<oso::Oso, String> {
        let mut oso = oso::Oso::new();
        let classes = [
            Role::get_polar_class_builder().with_equality_check().build(),
            Org::get_polar_class_builder().with_equality_check().build(),
            User::get_polar_class_builder().with_equality_check().build(),
            Repo::get_polar_class_builder().with_equality_check().build(),
            Doc::get_polar_class_builder().with_equality_check().build(),
        ];
        for class in classes {
            oso.register_class(class).map_err(|e| e.to_string())?;
        }
        oso.load_str(policy).map_err(|e| e.to_string())?;
        Ok(oso)
    }
}

/// A value of one of the classes, as the compiled policies take it.
#[derive(Clone, Copy, Debug)]
pub enum Ref<'a> {
    User(&'a compiled::User),
    Org(&'a compiled::Org),
    Repo(&'a compiled::Repo),
    Doc(&'a compiled::Doc),
}

/// A world: a few instances of each class, related to each other (a repository's `org` is
/// one of the orgs, a document's `repo` one of the repositories, a role names one of them).
#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<compiled::User>,
    pub orgs: Vec<compiled::Org>,
    pub repos: Vec<compiled::Repo>,
    pub docs: Vec<compiled::Doc>,
}

/// Entity names: the string pool, so that comparisons with literals hold often.
fn name(rng: &mut Rng) -> String {
    (*rng.pick(STRS)).to_owned()
}

fn int(rng: &mut Rng) -> i64 {
    match rng.below(30) {
        // Edge values: overflow in arithmetic, and deep recursion in countdowns (an
        // error on both sides).
        0 => i64::MAX,
        1 => i64::MIN,
        2 => 1000,
        3 => -i64::MAX,
        _ => *rng.pick(INTS),
    }
}

fn float(rng: &mut Rng) -> f64 {
    match rng.below(40) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => -0.0,
        _ => *rng.pick(&[0.5, 1.0, 2.5, -1.5, 0.0, 2.0, 10.0]),
    }
}

fn strings(rng: &mut Rng) -> Vec<String> {
    let n = rng.below(4);
    (0..n).map(|_| name(rng)).collect()
}

fn ints(rng: &mut Rng) -> Vec<i64> {
    let n = rng.below(4);
    (0..n).map(|_| *rng.pick(INTS)).collect()
}

fn map(rng: &mut Rng) -> HashMap<String, i64> {
    let mut m = HashMap::new();
    for key in KEYS {
        if rng.chance(45) {
            m.insert((*key).to_owned(), int(rng));
        }
    }
    m
}

fn option(rng: &mut Rng) -> Option<String> {
    if rng.chance(50) { Some(name(rng)) } else { None }
}

impl World {
    pub fn generate(rng: &mut Rng) -> World {
        use compiled::*;
        let orgs: Vec<Org> = (0..2)
            .map(|_| Org {
                name: name(rng),
                level: int(rng),
                public: rng.chance(50),
                tags: strings(rng),
                rating: float(rng),
            })
            .collect();
        let repos: Vec<Repo> = (0..2)
            .map(|_| Repo {
                name: name(rng),
                org: rng.pick(&orgs).clone(),
                public: rng.chance(50),
                stars: int(rng),
                weight: float(rng),
                topics: strings(rng),
                owner: option(rng),
                meta: map(rng),
            })
            .collect();
        let docs: Vec<Doc> = (0..2)
            .map(|_| Doc {
                title: name(rng),
                repo: rng.pick(&repos).clone(),
                level: int(rng),
                ratio: float(rng),
                locked: rng.chance(50),
                tags: strings(rng),
                nums: ints(rng),
                author: name(rng),
            })
            .collect();
        let resources: Vec<String> = orgs
            .iter()
            .map(|o| o.name.clone())
            .chain(repos.iter().map(|r| r.name.clone()))
            .chain(docs.iter().map(|d| d.name_for_roles()))
            .collect();
        let users: Vec<User> = (0..2)
            .map(|_| {
                let n_roles = rng.below(4);
                let roles = (0..n_roles)
                    .map(|_| Role { name: (*rng.pick(ROLES)).to_owned(), res: rng.pick(&resources).clone() })
                    .collect();
                User {
                    name: name(rng),
                    age: int(rng),
                    score: float(rng),
                    admin: rng.chance(40),
                    tags: strings(rng),
                    nums: ints(rng),
                    org: rng.pick(&orgs).clone(),
                    nick: option(rng),
                    prefs: map(rng),
                    roles,
                }
            })
            .collect();
        World { users, orgs, repos, docs }
    }

    /// Every actor and every resource of the world.
    pub fn actors(&self) -> Vec<Ref<'_>> {
        self.users.iter().map(Ref::User).chain(self.orgs.iter().map(Ref::Org)).collect()
    }

    pub fn resources(&self) -> Vec<Ref<'_>> {
        self.orgs
            .iter()
            .map(Ref::Org)
            .chain(self.repos.iter().map(Ref::Repo))
            .chain(self.docs.iter().map(Ref::Doc))
            .chain(self.users.iter().map(Ref::User))
            .collect()
    }
}

impl compiled::Doc {
    /// What a role's `res` names for a document (documents have a title, not a name).
    fn name_for_roles(&self) -> String {
        self.title.clone()
    }
}

// ---- the same values on Oso's side

pub fn oso_role(r: &compiled::Role) -> oso_side::Role {
    oso_side::Role { name: r.name.clone(), res: r.res.clone() }
}

pub fn oso_org(o: &compiled::Org) -> oso_side::Org {
    oso_side::Org {
        name: o.name.clone(),
        level: o.level,
        public: o.public,
        tags: o.tags.clone(),
        rating: o.rating,
    }
}

pub fn oso_user(u: &compiled::User) -> oso_side::User {
    oso_side::User {
        name: u.name.clone(),
        age: u.age,
        score: u.score,
        admin: u.admin,
        tags: u.tags.clone(),
        nums: u.nums.clone(),
        org: oso_org(&u.org),
        nick: u.nick.clone(),
        prefs: u.prefs.clone(),
        roles: u.roles.iter().map(oso_role).collect(),
    }
}

pub fn oso_repo(r: &compiled::Repo) -> oso_side::Repo {
    oso_side::Repo {
        name: r.name.clone(),
        org: oso_org(&r.org),
        public: r.public,
        stars: r.stars,
        weight: r.weight,
        topics: r.topics.clone(),
        owner: r.owner.clone(),
        meta: r.meta.clone(),
    }
}

pub fn oso_doc(d: &compiled::Doc) -> oso_side::Doc {
    oso_side::Doc {
        title: d.title.clone(),
        repo: oso_repo(&d.repo),
        level: d.level,
        ratio: d.ratio,
        locked: d.locked,
        tags: d.tags.clone(),
        nums: d.nums.clone(),
        author: d.author.clone(),
    }
}

/// Oso's `is_allowed` on the Oso-side copies of `actor` and `resource`.
pub fn oso_is_allowed(
    oso: &oso::Oso,
    actor: Ref<'_>,
    action: &str,
    resource: Ref<'_>,
) -> Result<bool, String> {
    fn with_resource<A: oso::ToPolar>(
        oso: &oso::Oso,
        actor: A,
        action: &str,
        resource: Ref<'_>,
    ) -> Result<bool, String> {
        match resource {
            Ref::User(u) => oso.is_allowed(actor, action, oso_user(u)),
            Ref::Org(o) => oso.is_allowed(actor, action, oso_org(o)),
            Ref::Repo(r) => oso.is_allowed(actor, action, oso_repo(r)),
            Ref::Doc(d) => oso.is_allowed(actor, action, oso_doc(d)),
        }
        .map_err(|e| e.to_string())
    }
    match actor {
        Ref::User(u) => with_resource(oso, oso_user(u), action, resource),
        Ref::Org(o) => with_resource(oso, oso_org(o), action, resource),
        Ref::Repo(r) => with_resource(oso, oso_repo(r), action, resource),
        Ref::Doc(d) => with_resource(oso, oso_doc(d), action, resource),
    }
}

/// The strings an enumeration of actions yields, and whether one solution left the action
/// unbound (a wildcard).
pub type Enumerated = (BTreeSet<String>, bool);

/// Oso's solutions of `allow(actor, action, resource)` with `action` unbound, read as its
/// hosts read them (as `tests/api_vs_oso.rs` does): strings, an unbound action a wildcard,
/// anything else or an error an error (Rust's `get_allowed_actions::<String>`).
pub fn oso_allowed_actions(oso: &oso::Oso, actor: Ref<'_>, resource: Ref<'_>) -> Result<Enumerated, String> {
    fn enumerate(oso: &oso::Oso, args: impl oso::ToPolarList) -> Result<Enumerated, String> {
        let query = oso.query_rule("allow", args).map_err(|e| e.to_string())?;
        let mut strings = BTreeSet::new();
        let mut wildcard = false;
        for result in query {
            match result.map_err(|e| e.to_string())?.get("action") {
                Some(oso::PolarValue::String(s)) => {
                    strings.insert(s);
                }
                Some(oso::PolarValue::Variable(_)) => wildcard = true,
                other => return Err(format!("Type error: Expected String, got {other:?}")),
            }
        }
        Ok((strings, wildcard))
    }
    fn with_resource<A: oso::ToPolar>(
        oso: &oso::Oso,
        actor: A,
        resource: Ref<'_>,
    ) -> Result<Enumerated, String> {
        let action = oso::PolarValue::Variable("action".into());
        match resource {
            Ref::User(u) => enumerate(oso, (actor, action, oso_user(u))),
            Ref::Org(o) => enumerate(oso, (actor, action, oso_org(o))),
            Ref::Repo(r) => enumerate(oso, (actor, action, oso_repo(r))),
            Ref::Doc(d) => enumerate(oso, (actor, action, oso_doc(d))),
        }
    }
    match actor {
        Ref::User(u) => with_resource(oso, oso_user(u), resource),
        Ref::Org(o) => with_resource(oso, oso_org(o), resource),
        Ref::Repo(r) => with_resource(oso, oso_repo(r), resource),
        Ref::Doc(d) => with_resource(oso, oso_doc(d), resource),
    }
}
