//! The classes of `tests/policies/abac.polar` twice: for the compiled policy ([`authz`]) and,
//! as separate structs, for Oso 0.27.3 ([`oso_side`], made from the compiled side's with
//! `From`). Included with `#[path]` by the tests that compare the two.

use polar_runtime::PolarClass;
use proptest::prelude::*;

/// The policy's actions, one it does not know, the empty string and a case variant; each
/// document's `special_action` is one of them.
pub const ACTIONS: [&str; 11] =
    ["view", "edit", "comment", "share", "audit", "archive", "rename", "publish", "fly", "", "View"];

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

/// A user named one of `names`, of level 0 to 10, with up to three tags.
pub fn user(names: Vec<&'static str>) -> impl Strategy<Value = User> {
    (name(names), 0i64..11, tags()).prop_map(|(name, level, tags)| User { name, level, tags })
}

/// A document whose title and owner are among `names`, of level 0 to 10, with up to three
/// tags.
pub fn doc(names: Vec<&'static str>) -> impl Strategy<Value = Doc> {
    let special = prop::sample::select(ACTIONS.to_vec()).prop_map(str::to_owned);
    (name(names.clone()), name(names), any::<bool>(), any::<bool>(), 0i64..11, tags(), special).prop_map(
        |(title, owner, public, locked, level, tags, special_action)| Doc {
            title,
            owner,
            public,
            locked,
            level,
            tags,
            special_action,
        },
    )
}

fn name(names: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop::sample::select(names).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "sharing", ""]).prop_map(str::to_owned), 0..=3)
}

pub mod authz {
    use super::*;
    polar_runtime::polar!(file = "policies/abac.polar");
}

pub mod oso_side {
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
        oso.load_str(include_str!("../policies/abac.polar")).unwrap();
        oso
    }

    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User { name: u.name.clone(), level: u.level, tags: u.tags.clone() }
        }
    }

    impl From<&super::Doc> for Doc {
        fn from(d: &super::Doc) -> Self {
            Doc {
                title: d.title.clone(),
                owner: d.owner.clone(),
                public: d.public,
                locked: d.locked,
                level: d.level,
                tags: d.tags.clone(),
                special_action: d.special_action.clone(),
            }
        }
    }
}
