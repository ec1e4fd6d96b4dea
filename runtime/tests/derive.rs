//! `#[derive(PolarClass)]` as a user crate sees it: only `polar_runtime` in scope.

#![forbid(unsafe_code)]

use std::rc::Rc;
use std::sync::Arc;

use polar_runtime::{
    Bare, CmpOp, Field, Members, Polar, PolarClass, View, compare, equal, field_hash, unify,
};

/// Documentation and other attributes are ignored.
#[derive(PolarClass, PartialEq, Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    /// The id.
    #[serde(rename = "ID")]
    pub id: u64,
    #[polar(attribute)] // Oso's marker, accepted
    pub name: String,
    #[polar(skip)]
    #[allow(dead_code)]
    secret: Vec<u8>,
}

#[derive(PolarClass)]
#[polar(class_name = "Repository")]
pub struct Repo {
    pub r#type: &'static str,
    pub org: Box<Org>,
    pub public: bool,
    pub tags: Vec<String>,
    pub parent: Option<Rc<Repo>>,
    pub shared: Arc<Org>,
}

#[derive(PolarClass, Default, PartialEq)]
pub enum Status {
    #[default]
    Open,
    Closed,
}

#[derive(PolarClass)]
pub struct Unit;

#[derive(PolarClass)]
pub struct Id(#[allow(dead_code)] pub u64);

/// A type whose fields are named like the runtime's items: the derive's paths must be absolute.
#[allow(non_snake_case)]
#[derive(PolarClass)]
pub struct Shadows {
    pub Field: u8,
    pub Polar: u8,
    pub polar_runtime: u8,
}

fn get<const H: u64, T: Field<H>>(x: &T) -> &T::Value {
    x.get()
}

fn org() -> Org {
    Org { id: 7, name: "acme".into(), secret: vec![1] }
}

#[test]
fn names_and_fields() {
    assert_eq!(Org::NAME, "Org");
    assert_eq!(Org::FIELDS, ["id", "name"]);
    assert_eq!(Repo::NAME, "Repository");
    assert_eq!(Repo::FIELDS, ["type", "org", "public", "tags", "parent", "shared"]);
    assert_eq!(Status::NAME, "Status");
    assert!(Status::FIELDS.is_empty());
    assert_eq!(Unit::NAME, "Unit");
    assert!(Id::FIELDS.is_empty()); // tuple fields have no Polar name
    // `#[polar(skip)]` hides `secret` (a compile-fail doctest in the crate docs checks the impl).
    assert_eq!(Shadows::FIELDS, ["Field", "Polar", "polar_runtime"]);
}

#[test]
fn field_lookups_are_typed() {
    let o = org();
    let id: &u64 = get::<{ field_hash("id") }, _>(&o);
    assert_eq!(*id, 7);
    let name: &String = get::<{ field_hash("name") }, _>(&o);
    assert_eq!(name, "acme");

    let repo = Repo {
        r#type: "git",
        org: Box::new(o.clone()),
        public: true,
        tags: vec!["a".into()],
        parent: None,
        shared: Arc::new(o.clone()),
    };
    let ty: &&str = get::<{ field_hash("type") }, _>(&repo);
    assert!(unify(ty.bare(), "git"));
    // Nested lookups through a Box: `repo.org.id`.
    let nested = get::<{ field_hash("id") }, _>(get::<{ field_hash("org") }, _>(&repo).bare());
    assert!(unify(nested, &7i64));
    let shared_name = get::<{ field_hash("name") }, _>(get::<{ field_hash("shared") }, _>(&repo).bare());
    assert!(equal(shared_name, "acme"));
    assert!(*get::<{ field_hash("public") }, _>(&repo));
    assert!(get::<{ field_hash("tags") }, _>(&repo).members().any(|t| unify(t, "a")));
    assert!(unify(get::<{ field_hash("parent") }, _>(&repo), &polar_runtime::Nil));
    let s = Shadows { Field: 1, Polar: 2, polar_runtime: 3 };
    assert_eq!(*get::<{ field_hash("polar_runtime") }, _>(&s), 3);
    assert_eq!(*get::<{ field_hash("Field") }, _>(&s) + *get::<{ field_hash("Polar") }, _>(&s), 3);
}

#[test]
fn views_and_equality() {
    let o = org();
    let v = o.view();
    assert_eq!(v.class_name(), "Org");
    assert!(matches!(v, View::Instance { class: "Org", .. }));
    assert_eq!(v.downcast::<Org>(), Some(&o));
    assert!(v.downcast::<Repo>().is_none());
    assert_eq!(Box::new(Status::Closed).view().class_name(), "Status");
    assert_eq!(Some(Unit).view().class_name(), "Option");
    assert_eq!(format!("{:?}", Id(1).view()), "Instance(Id)");
    assert!(unify(&o, &org()));
    assert!(equal(&o, &o.clone()));
    assert!(!unify(&o, &Org { id: 8, ..org() }));
    assert!(unify(&Status::Open, &Status::default()));
    assert!(!equal(&Status::Open, &Status::Closed));
    // Pointers reach the class through `Bare`.
    let boxed: Box<Rc<Org>> = Box::new(Rc::new(org()));
    assert!(unify(boxed.bare(), &o));
    assert!(compare(&o.id, CmpOp::Ge, &7i64));
}

#[test]
fn classes_are_send_sync_when_their_fields_are() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Org>();
    send_sync::<Status>();
}
