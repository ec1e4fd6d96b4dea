//! Differential test of `tests/policies/recursion.polar`: recursive rules called with every
//! argument bound, recursive rules that bind a variable (compiled to one function per binding
//! mode with a continuation, see `codegen/recursion.rs`), and mutual recursion, on generated
//! folder hierarchies (a DAG: each folder has up to two parents among the folders made
//! before it, copied by value). The compiled policy must give Oso 0.27.3's answer.

use proptest::prelude::*;

mod drt_support;

const POLICY: &str = include_str!("../policies/recursion.polar");
const ACTIONS: [&str; 6] = ["read", "tag", "audit", "list", "share", "fly"];

mod compiled {
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub home: String,
        pub level: i64,
        pub tags: Vec<String>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Folder {
        pub name: String,
        pub owner: String,
        pub root: bool,
        pub tags: Vec<String>,
        pub parents: Vec<Folder>,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/recursion.polar");
    }
}

mod oso_side {
    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub home: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub tags: Vec<String>,
    }

    #[derive(oso::PolarClass, Clone, Debug, PartialEq)]
    pub struct Folder {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub owner: String,
        #[polar(attribute)]
        pub root: bool,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub parents: Vec<Folder>,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(<User as oso::PolarClass>::get_polar_class()).unwrap();
        // `a in f.parents` with `a` bound compares folders.
        oso.register_class(
            <Folder as oso::PolarClass>::get_polar_class_builder().with_equality_check().build(),
        )
        .unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    impl From<&super::compiled::User> for User {
        fn from(u: &super::compiled::User) -> Self {
            User { name: u.name.clone(), home: u.home.clone(), level: u.level, tags: u.tags.clone() }
        }
    }

    impl From<&super::compiled::Folder> for Folder {
        fn from(f: &super::compiled::Folder) -> Self {
            Folder {
                name: f.name.clone(),
                owner: f.owner.clone(),
                root: f.root,
                tags: f.tags.clone(),
                parents: f.parents.iter().map(Into::into).collect(),
            }
        }
    }
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "cy", ""]).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(vec!["shared", "x", "y"]).prop_map(str::to_owned), 0..3)
}

fn user() -> impl Strategy<Value = compiled::User> {
    (name(), name(), 0i64..2, tags()).prop_map(|(name, home, level, tags)| compiled::User {
        name,
        home,
        level,
        tags,
    })
}

/// Folders in creation order; each may have parents among the earlier ones.
fn folders() -> impl Strategy<Value = Vec<compiled::Folder>> {
    let spec =
        (name(), name(), any::<bool>(), tags(), prop::collection::vec(any::<prop::sample::Index>(), 0..3));
    prop::collection::vec(spec, 1..7).prop_map(|specs| {
        let mut made: Vec<compiled::Folder> = Vec::new();
        for (name, owner, root, tags, parents) in specs {
            let parents = if made.is_empty() {
                Vec::new()
            } else {
                parents.iter().map(|i| i.get(&made).clone()).collect()
            };
            made.push(compiled::Folder { name, owner, root, tags, parents });
        }
        made
    })
}

#[test]
fn compiled_recursive_policy_agrees_with_oso() {
    let oso = oso_side::oso();
    let compared = std::cell::Cell::new(0usize);
    let allowed = std::cell::Cell::new(0usize);
    let config = drt_support::config(300);
    proptest!(config, |(users in prop::collection::vec(user(), 1..3), folders in folders())| {
        for u in &users {
            for f in &folders {
                // `authorized_actions` enumerates the actions through the recursive rules.
                let theirs: Result<std::collections::HashSet<String>, _> =
                    oso.get_allowed_actions(oso_side::User::from(u), oso_side::Folder::from(f));
                let ours = compiled::authz::try_authorized_action_names(u, f);
                let ours: Option<std::collections::HashSet<String>> =
                    ours.ok().map(|set| set.iter().map(str::to_owned).collect());
                prop_assert_eq!(ours.clone(), theirs.as_ref().ok().cloned(), "authorized_actions({:?}, {:?})", u, f);
                compared.set(compared.get() + 1);
                for action in ACTIONS {
                    let theirs = oso.is_allowed(oso_side::User::from(u), action, oso_side::Folder::from(f));
                    let theirs = theirs.map_err(|e| format!("Oso error: {e}"));
                    let ours = compiled::authz::try_is_allowed(u, action, f).map_err(|e| e.to_string());
                    prop_assert_eq!(
                        ours.clone().unwrap_or(false),
                        theirs.clone().unwrap_or(false),
                        "is_allowed({:?}, {:?}, {:?}): ours {:?}, Oso {:?}", u, action, f, ours, theirs
                    );
                    compared.set(compared.get() + 1);
                    allowed.set(allowed.get() + usize::from(theirs.unwrap_or(false)));
                }
            }
        }
    });
    let (compared, allowed) = (compared.get(), allowed.get());
    eprintln!("recursion: {compared} queries compared with Oso, {allowed} allowed");
    assert!(allowed > 0 && allowed < compared, "the generated worlds exercise both answers");
}

/// Every rule also has its typed function: `rules::ancestor(&a, &f)`.
#[test]
fn rule_functions_answer_ground_queries() {
    let root =
        compiled::Folder { name: "r".into(), owner: "ann".into(), root: true, tags: vec![], parents: vec![] };
    let mid = compiled::Folder {
        name: "m".into(),
        owner: "bo".into(),
        root: false,
        tags: vec![],
        parents: vec![root.clone()],
    };
    let leaf = compiled::Folder {
        name: "l".into(),
        owner: "cy".into(),
        root: false,
        tags: vec![],
        parents: vec![mid.clone()],
    };
    assert!(compiled::authz::rules::ancestor(&root, &leaf).unwrap());
    assert!(!compiled::authz::rules::ancestor(&leaf, &root).unwrap());
    assert!(compiled::authz::rules::even_depth(&leaf).unwrap());
    assert!(!compiled::authz::rules::even_depth(&mid).unwrap());
}
