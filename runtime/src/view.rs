//! [`Polar`]: a value's Polar type and contents, for the places where the generated code is
//! generic over a type (specializer dispatch, printing, explanations).
//!
//! For a concrete type `view()` returns a constant variant that inlining folds away. Nothing
//! here allocates: collections are visited through callbacks.

use std::any::Any;
use std::borrow::{Borrow, Cow};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;
use std::sync::Arc;

use crate::{Dict, Members, Nil, Number};

/// A borrowed view of a value as Polar sees it.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum View<'a> {
    /// A `String`.
    Str(&'a str),
    /// An `Integer` in Polar's range (`i64`).
    Int(i64),
    /// An `Integer` outside `i64`, from a wider Rust integer (`u64`, `usize`, `i128`, ...).
    /// Oso cannot represent it; comparisons with it are exact, arithmetic on it is an error.
    WideInt(i128),
    /// A `Float`.
    Float(f64),
    /// A `Boolean`.
    Bool(bool),
    /// A `List` (Oso converts `Vec`, slices, `VecDeque`, `LinkedList`, sets and `BinaryHeap` to lists).
    List(&'a dyn ListView),
    /// A `Dictionary` (a map with string keys).
    Dict(&'a dyn DictView),
    /// `Option::None` or `nil`.
    Absent,
    /// `Option::Some`: in Oso an instance of the class `Option`, not the inner value.
    Some(&'a dyn Polar),
    /// An instance of a class (`#[derive(PolarClass)]`).
    Instance {
        /// The class name, [`PolarClass::NAME`](crate::PolarClass::NAME).
        class: &'static str,
        /// The instance, for downcasting.
        any: &'a dyn Any,
        /// Equality of two instances of the class (`any` of two views): the class's
        /// `PartialEq` (Oso's `with_equality_check`), or `None` when it has none (Oso's Rust
        /// host then raises an error). `#[derive(PolarClass)]` fills it in with
        /// [`support::instance_eq`](crate::support::instance_eq), so that instances known
        /// only through their views (parameters without a class specializer) compare as Oso
        /// compares them.
        eq: fn(&dyn Any, &dyn Any) -> Option<bool>,
        /// The instance as a Polar value, for its fields by name ([`Polar::field`]): what the
        /// data-filtering evaluator reads of instances it meets inside collections.
        value: &'a dyn Polar,
    },
}

impl<'a> View<'a> {
    /// The name of the Polar class of the value (`Integer`, `String`, `Option`, `List`, a
    /// class name, ...), as `x matches Name` tests it.
    pub fn class_name(&self) -> &'static str {
        match self {
            View::Str(_) => "String",
            View::Int(_) | View::WideInt(_) => "Integer",
            View::Float(_) => "Float",
            View::Bool(_) => "Boolean",
            View::List(_) => "List",
            View::Dict(_) => "Dictionary",
            View::Absent | View::Some(_) => "Option",
            View::Instance { class, .. } => class,
        }
    }

    /// The instance as a `T`, if it is one.
    pub fn downcast<T: Any>(&self) -> Option<&'a T> {
        match *self {
            View::Instance { any, .. } => any.downcast_ref(),
            _ => None,
        }
    }
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            View::Str(s) => f.debug_tuple("Str").field(s).finish(),
            View::Int(i) => f.debug_tuple("Int").field(i).finish(),
            View::WideInt(i) => f.debug_tuple("WideInt").field(i).finish(),
            View::Float(x) => f.debug_tuple("Float").field(x).finish(),
            View::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            View::List(l) => {
                let mut list = f.debug_list();
                l.any(&mut |v| {
                    list.entry(&v);
                    false
                });
                list.finish()
            }
            View::Dict(d) => {
                let mut map = f.debug_map();
                d.any(&mut |k, v| {
                    map.entry(&k, &v);
                    false
                });
                map.finish()
            }
            View::Absent => f.write_str("Absent"),
            View::Some(v) => f.debug_tuple("Some").field(&v.view()).finish(),
            View::Instance { class, .. } => write!(f, "Instance({class})"),
        }
    }
}

/// A value that policies can see: its [`View`].
pub trait Polar {
    /// The value's Polar type and contents.
    fn view(&self) -> View<'_>;

    /// The field `name` of an instance, for a dictionary pattern on a value whose class the
    /// compiled policy does not know (`x: {name: "a"}`). `#[derive(PolarClass)]` implements
    /// it; other types have no fields.
    #[inline(always)]
    fn field(&self, name: &str) -> crate::support::FieldLookup<'_> {
        let _ = name;
        crate::support::FieldLookup::Missing
    }
}

/// A Polar list, visited without allocation.
pub trait ListView {
    /// The number of elements.
    fn len(&self) -> usize;
    /// Whether there are no elements.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calls `f` on the elements in order until it returns `true`; returns whether it did.
    fn any(&self, f: &mut dyn FnMut(View<'_>) -> bool) -> bool;
    /// The element at `index` (list patterns such as `[first, *rest]`).
    fn get(&self, index: usize) -> Option<View<'_>>;
}

/// A Polar dictionary, visited without allocation.
pub trait DictView {
    /// The number of entries.
    fn len(&self) -> usize;
    /// Whether there are no entries.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The value for `key`.
    fn get(&self, key: &str) -> Option<View<'_>>;
    /// Calls `f` on the entries until it returns `true`; returns whether it did.
    fn any(&self, f: &mut dyn FnMut(&str, View<'_>) -> bool) -> bool;
}

// ---- primitives

impl Polar for str {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Str(self)
    }
}
impl Polar for String {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Str(self)
    }
}
impl Polar for bool {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Bool(*self)
    }
}

macro_rules! small_int_view {
    ($($t:ty),*) => { $(
        impl Polar for $t {
            #[inline(always)]
            fn view(&self) -> View<'_> { View::Int(i64::from(*self)) }
        }
    )* };
}
small_int_view!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int_view {
    ($($t:ty),*) => { $(
        impl Polar for $t {
            #[inline(always)]
            fn view(&self) -> View<'_> {
                match i64::try_from(*self) {
                    Ok(i) => View::Int(i),
                    Err(_) => View::WideInt(*self as i128),
                }
            }
        }
    )* };
}
wide_int_view!(i128, isize, u64, usize);

impl Polar for f32 {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Float(f64::from(*self))
    }
}
impl Polar for f64 {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Float(*self)
    }
}
impl Polar for Number {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        match *self {
            Number::Int(i) => View::Int(i),
            Number::Float(f) => View::Float(f),
        }
    }
}
impl Polar for Nil {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Absent
    }
}

impl<T: Polar> Polar for Option<T> {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        match self {
            Some(v) => View::Some(v),
            None => View::Absent,
        }
    }
}

// ---- pointers: the pointee's view

macro_rules! pointer_view {
    ($($p:ty),*) => { $(
        impl<T: ?Sized + Polar> Polar for $p {
            #[inline(always)]
            fn view(&self) -> View<'_> { (**self).view() }
            #[inline(always)]
            fn field(&self, name: &str) -> crate::support::FieldLookup<'_> { (**self).field(name) }
        }
    )* };
}
pointer_view!(Box<T>, Rc<T>, Arc<T>, &T, &mut T);

impl<B: ?Sized + Polar + ToOwned> Polar for Cow<'_, B> {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        (**self).view()
    }
    #[inline(always)]
    fn field(&self, name: &str) -> crate::support::FieldLookup<'_> {
        (**self).field(name)
    }
}

// ---- lists
//
// A bare `[T]` cannot be viewed (`&[T]` does not coerce to `&dyn ListView`), so slices are
// viewed through the pointers that hold them: `&[T]`, `Box<[T]>`, `Rc<[T]>`, `Arc<[T]>`.

macro_rules! list_view {
    ($([$($g:tt)*] $t:ty),* $(,)?) => { $(
        impl<$($g)*> ListView for $t {
            #[inline]
            fn len(&self) -> usize { self.members().count() }
            #[inline]
            fn any(&self, f: &mut dyn FnMut(View<'_>) -> bool) -> bool {
                self.members().any(|x| f(x.view()))
            }
            #[inline]
            fn get(&self, index: usize) -> Option<View<'_>> {
                self.members().nth(index).map(Polar::view)
            }
        }
        impl<$($g)*> Polar for $t {
            #[inline(always)]
            fn view(&self) -> View<'_> { View::List(self) }
        }
    )* };
}
list_view!(
    [T: Polar] Vec<T>,
    [T: Polar] Box<[T]>,
    [T: Polar] Rc<[T]>,
    [T: Polar] Arc<[T]>,
    ['a, T: Polar] &'a [T],
    [T: Polar, const N: usize] [T; N],
    [T: Polar] VecDeque<T>,
    [T: Polar] LinkedList<T>,
    [T: Polar, S] HashSet<T, S>,
    [T: Polar] BTreeSet<T>,
    [T: Polar] BinaryHeap<T>,
);

// ---- dictionaries

impl<K: Borrow<str> + Hash + Eq, V: Polar, S: BuildHasher> DictView for HashMap<K, V, S> {
    #[inline]
    fn len(&self) -> usize {
        HashMap::len(self)
    }
    #[inline]
    fn get(&self, key: &str) -> Option<View<'_>> {
        self.lookup(key).map(Polar::view)
    }
    #[inline]
    fn any(&self, f: &mut dyn FnMut(&str, View<'_>) -> bool) -> bool {
        self.entries().any(|(k, v)| f(k, v.view()))
    }
}
impl<K: Borrow<str> + Hash + Eq, V: Polar, S: BuildHasher> Polar for HashMap<K, V, S> {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Dict(self)
    }
}

impl<K: Borrow<str> + Ord, V: Polar> DictView for BTreeMap<K, V> {
    #[inline]
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
    #[inline]
    fn get(&self, key: &str) -> Option<View<'_>> {
        self.lookup(key).map(Polar::view)
    }
    #[inline]
    fn any(&self, f: &mut dyn FnMut(&str, View<'_>) -> bool) -> bool {
        self.entries().any(|(k, v)| f(k, v.view()))
    }
}
impl<K: Borrow<str> + Ord, V: Polar> Polar for BTreeMap<K, V> {
    #[inline(always)]
    fn view(&self) -> View<'_> {
        View::Dict(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbg<T: Polar + ?Sized>(x: &T) -> String {
        format!("{:?}", x.view())
    }

    #[test]
    fn primitives() {
        assert_eq!(dbg("a"), r#"Str("a")"#);
        assert_eq!(dbg(&String::from("b")), r#"Str("b")"#);
        assert_eq!(dbg(&true), "Bool(true)");
        assert_eq!(dbg(&-3i8), "Int(-3)");
        assert_eq!(dbg(&3i16), "Int(3)");
        assert_eq!(dbg(&3i32), "Int(3)");
        assert_eq!(dbg(&i64::MIN), "Int(-9223372036854775808)");
        assert_eq!(dbg(&3u8), "Int(3)");
        assert_eq!(dbg(&3u16), "Int(3)");
        assert_eq!(dbg(&u32::MAX), "Int(4294967295)");
        assert_eq!(dbg(&(i64::MAX as u64)), "Int(9223372036854775807)");
        assert_eq!(dbg(&u64::MAX), "WideInt(18446744073709551615)");
        assert_eq!(dbg(&usize::MAX), format!("WideInt({})", usize::MAX));
        assert_eq!(dbg(&3usize), "Int(3)");
        assert_eq!(dbg(&-3isize), "Int(-3)");
        assert_eq!(dbg(&i128::MIN), format!("WideInt({})", i128::MIN));
        assert_eq!(dbg(&5i128), "Int(5)");
        assert_eq!(dbg(&1.5f32), "Float(1.5)");
        assert_eq!(dbg(&f64::NAN), "Float(NaN)");
        assert_eq!(dbg(&Number::Int(2)), "Int(2)");
        assert_eq!(dbg(&Number::Float(2.0)), "Float(2.0)");
        assert_eq!(dbg(&Nil), "Absent");
    }

    #[test]
    fn options_and_pointers() {
        assert_eq!(dbg(&None::<u8>), "Absent");
        assert_eq!(dbg(&Some(1u8)), "Some(Int(1))");
        assert_eq!(Some(1u8).view().class_name(), "Option");
        assert_eq!(dbg(&Box::new(1u8)), "Int(1)");
        assert_eq!(dbg(&Rc::new(String::from("r"))), r#"Str("r")"#);
        assert_eq!(dbg(&Arc::<str>::from("a")), r#"Str("a")"#);
        assert_eq!(dbg(&&1u8), "Int(1)");
        let mut x = 2u8;
        assert_eq!(dbg(&&mut x), "Int(2)");
        assert_eq!(dbg(&Cow::<str>::Borrowed("c")), r#"Str("c")"#);
    }

    #[test]
    fn collections() {
        assert_eq!(dbg(&vec![1u8, 2]), "[Int(1), Int(2)]");
        assert_eq!(dbg(&&[1u8][..]), "[Int(1)]");
        assert_eq!(dbg(&Box::<[u8]>::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&Rc::<[u8]>::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&Arc::<[u8]>::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&[true; 2]), "[Bool(true), Bool(true)]");
        assert_eq!(dbg(&VecDeque::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&LinkedList::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&HashSet::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&BTreeSet::from([2u8, 1])), "[Int(1), Int(2)]");
        assert_eq!(dbg(&BinaryHeap::from([1u8])), "[Int(1)]");
        assert_eq!(dbg(&HashMap::from([("k", 1u8)])), r#"{"k": Int(1)}"#);
        assert_eq!(
            dbg(&BTreeMap::from([(String::from("b"), 2u8), (String::from("a"), 1)])),
            r#"{"a": Int(1), "b": Int(2)}"#
        );
        let v = vec![1u8, 2, 3];
        let View::List(l) = v.view() else { panic!() };
        assert_eq!(l.len(), 3);
        assert!(!l.is_empty());
        assert!(l.any(&mut |x| matches!(x, View::Int(2))));
        assert!(!l.any(&mut |x| matches!(x, View::Int(4))));
        assert!(matches!(l.get(2), Some(View::Int(3))));
        assert!(l.get(3).is_none());
        let m = BTreeMap::from([("k", 1u8)]);
        let View::Dict(d) = m.view() else { panic!() };
        assert_eq!(d.len(), 1);
        assert!(!d.is_empty());
        assert!(matches!(d.get("k"), Some(View::Int(1))));
        assert!(d.get("x").is_none());
        let h = HashMap::from([("k", 1u8)]);
        let View::Dict(d) = h.view() else { panic!() };
        assert_eq!(d.len(), 1);
        assert!(matches!(d.get("k"), Some(View::Int(1))));
        assert_eq!(v.view().class_name(), "List");
        assert_eq!(m.view().class_name(), "Dictionary");
    }

    #[test]
    fn class_names() {
        let names: Vec<&str> =
            [View::Str(""), View::Int(0), View::WideInt(0), View::Float(0.0), View::Bool(true), View::Absent]
                .iter()
                .map(View::class_name)
                .collect();
        assert_eq!(names, ["String", "Integer", "Integer", "Float", "Boolean", "Option"]);
        assert!(View::Int(1).downcast::<u8>().is_none());
    }
}
