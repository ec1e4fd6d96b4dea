//! Differential test of `tests/policies/abac.polar`: attribute conditions, `not`, `or`,
//! comparisons, `in` (binding and testing), `matches` (class and dictionary pattern), `:=`,
//! boolean fields as conditions, a parameter without a specializer, and a call that binds a
//! variable. The compiled policy (`polar!`) must give Oso 0.27.3's answer on generated worlds.

use proptest::prelude::*;

const POLICY: &str = include_str!("../policies/abac.polar");
const ACTIONS: [&str; 11] =
    ["view", "edit", "comment", "share", "audit", "archive", "rename", "publish", "fly", "", "View"];

mod compiled {
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub level: i64,
        pub tags: Vec<String>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Doc {
        pub title: String,
        pub owner: String,
        pub public: bool,
        pub locked: bool,
        pub level: i64,
        pub tags: Vec<String>,
        pub special_action: String,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/abac.polar");
    }
}

mod oso_side {
    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub tags: Vec<String>,
    }

    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct Doc {
        #[polar(attribute)]
        pub title: String,
        #[polar(attribute)]
        pub owner: String,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub locked: bool,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub special_action: String,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(<User as oso::PolarClass>::get_polar_class()).unwrap();
        oso.register_class(<Doc as oso::PolarClass>::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "", "Ann"]).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "sharing", ""]).prop_map(str::to_owned), 0..4)
}

fn user() -> impl Strategy<Value = compiled::User> {
    (name(), 0i64..11, tags()).prop_map(|(name, level, tags)| compiled::User { name, level, tags })
}

fn doc() -> impl Strategy<Value = compiled::Doc> {
    (name(), name(), any::<bool>(), any::<bool>(), 0i64..11, tags(), prop::sample::select(ACTIONS.to_vec()))
        .prop_map(|(title, owner, public, locked, level, tags, special)| compiled::Doc {
            title,
            owner,
            public,
            locked,
            level,
            tags,
            special_action: special.to_owned(),
        })
}

fn to_oso_user(u: &compiled::User) -> oso_side::User {
    oso_side::User { name: u.name.clone(), level: u.level, tags: u.tags.clone() }
}

fn to_oso_doc(d: &compiled::Doc) -> oso_side::Doc {
    oso_side::Doc {
        title: d.title.clone(),
        owner: d.owner.clone(),
        public: d.public,
        locked: d.locked,
        level: d.level,
        tags: d.tags.clone(),
        special_action: d.special_action.clone(),
    }
}

fn cases() -> u32 {
    std::env::var("POLAR_DRT_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(600)
}

#[test]
fn compiled_abac_policy_agrees_with_oso() {
    let oso = oso_side::oso();
    let compared = std::cell::Cell::new(0usize);
    let allowed = std::cell::Cell::new(0usize);
    let config = ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
        for u in &users {
            for d in &docs {
                for action in ACTIONS {
                    let theirs = oso.is_allowed(to_oso_user(u), action, to_oso_doc(d));
                    let theirs = theirs.map_err(|e| format!("Oso error: {e}"));
                    let ours = compiled::authz::try_is_allowed(u, action, d).map_err(|e| e.to_string());
                    prop_assert_eq!(
                        ours.clone().unwrap_or(false),
                        theirs.clone().unwrap_or(false),
                        "is_allowed({:?}, {:?}, {:?}): ours {:?}, Oso {:?}", u, action, d, ours, theirs
                    );
                    compared.set(compared.get() + 1);
                    allowed.set(allowed.get() + usize::from(theirs.unwrap_or(false)));
                }
            }
        }
    });
    let (compared, allowed) = (compared.get(), allowed.get());
    eprintln!("abac: {compared} queries compared with Oso, {allowed} allowed");
    assert!(allowed > 0 && allowed < compared, "the generated worlds exercise both answers");
}
