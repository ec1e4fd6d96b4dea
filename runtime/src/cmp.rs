//! `=` ([`Unify`]), `==` ([`Equal`]) and `!= < <= > >=` ([`Compare`]) with Oso's semantics.
//!
//! What Oso 0.27.3 does (`vm.rs`: `unify`, `compare`; `numerics.rs`; `oso/src/host`), and so
//! what these impls do:
//!
//! | operands | `=` | `==` | `!=`, `<`, `<=`, `>`, `>=` |
//! |---|---|---|---|
//! | numbers (every integer width but `u128`, `f32`, `f64`, [`Number`]) | by value, `1 = 1.0` | by value | by value |
//! | NaN | never equal, also to itself | never equal | `!=` true, the others false |
//! | strings (`str`, `String`, `&str`) | by value | by value | lexicographic by bytes |
//! | booleans | by value | by value; `true == 1` (0 and 1) | as 0 and 1: `false < true`, `true < 2.5` |
//! | boolean × number | **no impl**: Oso fails (`true = 1` is false) | as 0 and 1 | as 0 and 1 |
//! | two values of one class | `PartialEq` | `PartialEq` | **no impl**: the Rust host errors |
//! | `Option<T>` × [`Nil`] | `is_none()` | `is_none()` | **no impl**: the Rust host errors |
//! | anything else (string × number, class × number, ...) | **no impl** | **no impl** | **no impl** |
//!
//! Where Oso *fails* on a pair (`"a" = 1`, `true = 1`, a class against a number) or raises a
//! run-time error (`"a" < 1`, `a != b` on instances), there is no impl, so a policy doing it
//! is a compile error instead of a silent `false` or a run-time error.
//!
//! [`Number`]: crate::Number

use std::cmp::Ordering;
use std::fmt;

use crate::PolarClass;
use crate::num::{ToNum, cmp};

/// Polar's `=` (unification of two bound values): true when the values unify.
#[diagnostic::on_unimplemented(
    message = "a Polar policy unifies `{Self}` with `{Rhs}` (`=`), which can never succeed",
    label = "no `=` between `{Self}` and `{Rhs}`",
    note = "`=` is defined between numbers (any integer width but u128, and floats), between strings, \
            between booleans, between two values of one class that implements `PartialEq`, and \
            between an `Option` and `nil`"
)]
pub trait Unify<Rhs: ?Sized = Self> {
    /// `self = rhs`.
    fn unify(&self, rhs: &Rhs) -> bool;
}

/// Polar's `==`.
#[diagnostic::on_unimplemented(
    message = "a Polar policy compares `{Self}` with `{Rhs}` using `==`, which Oso does not support",
    label = "no `==` between `{Self}` and `{Rhs}`",
    note = "`==` is defined between numbers and booleans (a boolean counts as 0 or 1), between strings, \
            between two values of one class that implements `PartialEq`, and between an `Option` and `nil`"
)]
pub trait Equal<Rhs: ?Sized = Self> {
    /// `self == rhs`.
    fn equal(&self, rhs: &Rhs) -> bool;
}

/// Polar's ordering comparisons `!= < <= > >=` (and `==`, which agrees with [`Equal`]).
///
/// Defined for numbers, strings and booleans only: for class instances and `Option` Oso's
/// Rust host raises "comparison operators are unimplemented" on every operator but `==`.
#[diagnostic::on_unimplemented(
    message = "a Polar policy compares `{Self}` with `{Rhs}` using `!=`, `<`, `<=`, `>` or `>=`, which Oso does not support",
    label = "no ordering between `{Self}` and `{Rhs}`",
    note = "these operators are defined between numbers and booleans (a boolean counts as 0 or 1) and \
            between strings; Oso's Rust host supports only `==` on class instances"
)]
pub trait Compare<Rhs: ?Sized = Self> {
    /// The order of `self` and `rhs`; `None` when they are unordered (a NaN is involved).
    fn compare(&self, rhs: &Rhs) -> Option<Ordering>;

    /// `self != rhs` (true when a NaN is involved).
    #[inline]
    fn not_equal(&self, rhs: &Rhs) -> bool {
        self.compare(rhs) != Some(Ordering::Equal)
    }
    /// `self < rhs`.
    #[inline]
    fn less(&self, rhs: &Rhs) -> bool {
        self.compare(rhs) == Some(Ordering::Less)
    }
    /// `self <= rhs`.
    #[inline]
    fn less_equal(&self, rhs: &Rhs) -> bool {
        matches!(self.compare(rhs), Some(Ordering::Less | Ordering::Equal))
    }
    /// `self > rhs`.
    #[inline]
    fn greater(&self, rhs: &Rhs) -> bool {
        self.compare(rhs) == Some(Ordering::Greater)
    }
    /// `self >= rhs`.
    #[inline]
    fn greater_equal(&self, rhs: &Rhs) -> bool {
        matches!(self.compare(rhs), Some(Ordering::Greater | Ordering::Equal))
    }
    /// `self op rhs` for any comparison operator.
    #[inline]
    fn compare_op(&self, op: CmpOp, rhs: &Rhs) -> bool {
        let ord = self.compare(rhs);
        match op {
            CmpOp::Eq => ord == Some(Ordering::Equal),
            CmpOp::Ne => ord != Some(Ordering::Equal),
            CmpOp::Lt => ord == Some(Ordering::Less),
            CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            CmpOp::Gt => ord == Some(Ordering::Greater),
            CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        }
    }
}

/// `a = b` as a free function: unlike method syntax, it names both operand types in the
/// error when they do not unify (the form generated code uses).
#[inline(always)]
pub fn unify<A: ?Sized + Unify<B>, B: ?Sized>(a: &A, b: &B) -> bool {
    a.unify(b)
}

/// `a == b` as a free function (see [`unify`]).
#[inline(always)]
pub fn equal<A: ?Sized + Equal<B>, B: ?Sized>(a: &A, b: &B) -> bool {
    a.equal(b)
}

/// `a op b` for `op` one of `!= < <= > >=` (or `==`) as a free function (see [`unify`]).
#[inline(always)]
pub fn compare<A: ?Sized + Compare<B>, B: ?Sized>(a: &A, op: CmpOp, b: &B) -> bool {
    a.compare_op(op, b)
}

/// A comparison operator of Polar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Every operator.
    pub const ALL: [CmpOp; 6] = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];

    /// The operator as written in Polar.
    pub const fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Polar's `nil`: equal to `Option::None` and nothing else.
///
/// In Oso `nil` is the constant `Option::<PolarValue>::None`, an instance of the class `Option`,
/// so `x = nil` holds exactly when `x` is a `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nil;

/// Not a Polar value: an uninhabited operand type whose impls only keep rustc from inferring
/// the right operand's type from a lone impl (with `bool: Unify<bool>` as the only impl,
/// `unify(&true, &1)` would report "expected `&bool`, found `&i64`" instead of the trait's
/// message naming both types).
#[doc(hidden)]
#[derive(Debug)]
pub enum __InferenceGuard {}

macro_rules! guard {
    ($([$($g:tt)*] $trait:ident for $t:ty => $f:ident),* $(,)?) => { $(
        impl<$($g)*> $trait<__InferenceGuard> for $t {
            fn $f(&self, rhs: &__InferenceGuard) -> bool {
                match *rhs {}
            }
        }
    )* };
}
guard!(
    [] Unify for bool => unify,
    [T] Unify for Option<T> => unify,
    [T] Equal for Option<T> => equal,
    // Only beside the real impl: for a class without `PartialEq`, a guard would be the lone
    // impl and rustc would infer it ("expected `&__InferenceGuard`").
    [T: PolarClass + PartialEq] Unify for T => unify,
    [T: PolarClass + PartialEq] Equal for T => equal,
);

// ---- classes

impl<T: PolarClass + PartialEq> Unify<T> for T {
    #[inline]
    fn unify(&self, rhs: &T) -> bool {
        self == rhs
    }
}

impl<T: PolarClass + PartialEq> Equal<T> for T {
    #[inline]
    fn equal(&self, rhs: &T) -> bool {
        self == rhs
    }
}

// ---- Option and nil

impl<T> Unify<Nil> for Option<T> {
    #[inline]
    fn unify(&self, _: &Nil) -> bool {
        self.is_none()
    }
}
impl<T> Unify<Option<T>> for Nil {
    #[inline]
    fn unify(&self, rhs: &Option<T>) -> bool {
        rhs.is_none()
    }
}
impl Unify for Nil {
    #[inline]
    fn unify(&self, _: &Nil) -> bool {
        true
    }
}
impl<T> Equal<Nil> for Option<T> {
    #[inline]
    fn equal(&self, _: &Nil) -> bool {
        self.is_none()
    }
}
impl<T> Equal<Option<T>> for Nil {
    #[inline]
    fn equal(&self, rhs: &Option<T>) -> bool {
        rhs.is_none()
    }
}
impl Equal for Nil {
    #[inline]
    fn equal(&self, _: &Nil) -> bool {
        true
    }
}

// ---- numbers: every pair

macro_rules! num_pairs {
    (@row $a:ty; [$($b:ty),*]) => { $(
        impl Unify<$b> for $a {
            #[inline]
            fn unify(&self, rhs: &$b) -> bool {
                cmp(self.to_num(), rhs.to_num()) == Some(Ordering::Equal)
            }
        }
        impl Equal<$b> for $a {
            #[inline]
            fn equal(&self, rhs: &$b) -> bool {
                cmp(self.to_num(), rhs.to_num()) == Some(Ordering::Equal)
            }
        }
        impl Compare<$b> for $a {
            #[inline]
            fn compare(&self, rhs: &$b) -> Option<Ordering> {
                cmp(self.to_num(), rhs.to_num())
            }
        }
    )* };
    (@rows [$($a:ty),*] $all:tt) => { $( num_pairs!(@row $a; $all); )* };
    ($($t:ty),* $(,)?) => { num_pairs!(@rows [$($t),*] [$($t),*]); };
}
num_pairs!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize, f32, f64, crate::Number);

// ---- booleans: `=` only with booleans; `==` and ordering also with numbers (as 0 and 1)

impl Unify for bool {
    #[inline]
    fn unify(&self, rhs: &bool) -> bool {
        self == rhs
    }
}
impl Equal for bool {
    #[inline]
    fn equal(&self, rhs: &bool) -> bool {
        self == rhs
    }
}
impl Compare for bool {
    #[inline]
    fn compare(&self, rhs: &bool) -> Option<Ordering> {
        Some(self.cmp(rhs))
    }
}

macro_rules! bool_num_pairs {
    ($($t:ty),* $(,)?) => { $(
        impl Equal<$t> for bool {
            #[inline]
            fn equal(&self, rhs: &$t) -> bool {
                cmp(self.to_num(), rhs.to_num()) == Some(Ordering::Equal)
            }
        }
        impl Equal<bool> for $t {
            #[inline]
            fn equal(&self, rhs: &bool) -> bool {
                cmp(self.to_num(), rhs.to_num()) == Some(Ordering::Equal)
            }
        }
        impl Compare<$t> for bool {
            #[inline]
            fn compare(&self, rhs: &$t) -> Option<Ordering> {
                cmp(self.to_num(), rhs.to_num())
            }
        }
        impl Compare<bool> for $t {
            #[inline]
            fn compare(&self, rhs: &bool) -> Option<Ordering> {
                cmp(self.to_num(), rhs.to_num())
            }
        }
    )* };
}
bool_num_pairs!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize, f32, f64, crate::Number);

// ---- strings: by value, ordered by bytes (Rust's `str` order, which Oso uses)

macro_rules! str_pair {
    ([$($l:lifetime),*] $a:ty, $b:ty) => {
        impl<$($l),*> Unify<$b> for $a {
            #[inline]
            fn unify(&self, rhs: &$b) -> bool {
                AsRef::<str>::as_ref(self) == AsRef::<str>::as_ref(rhs)
            }
        }
        impl<$($l),*> Equal<$b> for $a {
            #[inline]
            fn equal(&self, rhs: &$b) -> bool {
                AsRef::<str>::as_ref(self) == AsRef::<str>::as_ref(rhs)
            }
        }
        impl<$($l),*> Compare<$b> for $a {
            #[inline]
            fn compare(&self, rhs: &$b) -> Option<Ordering> {
                Some(AsRef::<str>::as_ref(self).cmp(AsRef::<str>::as_ref(rhs)))
            }
        }
    };
}
str_pair!([] str, str);
str_pair!([] str, String);
str_pair!(['b] str, &'b str);
str_pair!([] String, str);
str_pair!([] String, String);
str_pair!(['b] String, &'b str);
str_pair!(['a] &'a str, str);
str_pair!(['a] &'a str, String);
str_pair!(['a, 'b] &'a str, &'b str);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Number;

    /// Builds a value of any numeric type from a small integer.
    trait FromSmall {
        fn small(v: i8) -> Self;
    }
    macro_rules! from_small {
        ($($t:ty),*) => { $( impl FromSmall for $t { fn small(v: i8) -> Self { v as $t } } )* };
    }
    from_small!(i8, i16, i32, i64, i128, isize, f32, f64);
    macro_rules! from_small_unsigned {
        ($($t:ty),*) => { $( impl FromSmall for $t { fn small(v: i8) -> Self { v.unsigned_abs() as $t } } )* };
    }
    from_small_unsigned!(u8, u16, u32, u64, usize);
    impl FromSmall for Number {
        fn small(v: i8) -> Self {
            Number::Int(v.into())
        }
    }

    /// Every impl of the numeric cross product, on equal, smaller and greater values.
    macro_rules! check_num_pairs {
        (@row $n:ident $a:ty; [$($b:ty),*]) => { $( {
            let (one, two): ($a, $a) = (FromSmall::small(1), FromSmall::small(2));
            let (b1, b2): ($b, $b) = (FromSmall::small(1), FromSmall::small(2));
            let what = concat!(stringify!($a), " vs ", stringify!($b));
            assert!(one.unify(&b1), "{what}");
            assert!(!one.unify(&b2), "{what}");
            assert!(one.equal(&b1), "{what}");
            assert!(!two.equal(&b1), "{what}");
            assert_eq!(one.compare(&b2), Some(Ordering::Less), "{what}");
            assert_eq!(two.compare(&b1), Some(Ordering::Greater), "{what}");
            assert_eq!(two.compare(&b2), Some(Ordering::Equal), "{what}");
            assert!(true.equal(&b1) && b1.equal(&true) && false.less(&b1) && b2.greater(&true), "{what}");
            $n += 1;
        } )* };
        (@rows $n:ident [$($a:ty),*] $all:tt) => { $( check_num_pairs!(@row $n $a; $all); )* };
        ($n:ident; $($t:ty),*) => { check_num_pairs!(@rows $n [$($t),*] [$($t),*]); };
    }

    #[test]
    fn every_numeric_pair() {
        let mut count = 0;
        check_num_pairs!(count; i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize, f32, f64, Number);
        assert_eq!(count, 14 * 14);
    }

    #[test]
    fn integers_and_floats() {
        assert!(1i64.unify(&1.0f64));
        assert!(1.0f32.unify(&1u8));
        assert!(!1i64.unify(&1.5f64));
        assert!(u64::MAX.greater(&i64::MAX));
        assert!(!u64::MAX.unify(&-1i64));
        assert!((-1i8).less(&0u64));
        assert!(i64::MIN.unify(&-(2f64.powi(63))));
        assert!(i64::MAX.less(&2f64.powi(63)));
        assert!(Number::Float(3.0).unify(&3u16));
        assert!(Number::Int(3).equal(&Number::Float(3.0)));
        assert!(0i32.unify(&-0.0f64));
    }

    #[test]
    fn nan_and_infinities() {
        let nan = f64::NAN;
        assert!(!nan.unify(&nan));
        assert!(!nan.equal(&nan));
        assert!(nan.not_equal(&nan));
        assert!(1i64.not_equal(&nan));
        for op in [CmpOp::Eq, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge] {
            assert!(!nan.compare_op(op, &1i64), "{op}");
            assert!(!1i64.compare_op(op, &nan), "{op}");
            assert!(!nan.compare_op(op, &nan), "{op}");
        }
        assert!(nan.compare_op(CmpOp::Ne, &nan));
        assert!(f64::INFINITY.greater(&i64::MAX));
        assert!(f64::NEG_INFINITY.less(&i64::MIN));
        assert!(f64::INFINITY.unify(&f64::INFINITY));
        assert!(f32::INFINITY.unify(&f64::INFINITY));
        assert!(f64::NEG_INFINITY.less(&f64::INFINITY));
        assert!(!f32::NAN.unify(&f32::NAN));
        assert!(!true.equal(&nan));
    }

    #[test]
    fn booleans() {
        assert!(true.unify(&true));
        assert!(!true.unify(&false));
        assert!(true.equal(&1i64));
        assert!(true.equal(&1.0f64));
        assert!(1u8.equal(&true));
        assert!(false.equal(&0i64));
        assert!(!true.equal(&2i64));
        assert!(false.less(&true));
        assert!(!true.less(&false));
        assert!(true.less(&2.5f64));
        assert!(false.less(&0.5f32));
        assert!(true.greater_equal(&true));
        assert!(Number::Int(1).equal(&true));
        assert!(true.compare_op(CmpOp::Eq, &1i64));
        assert!(false.compare_op(CmpOp::Ne, &true));
    }

    #[test]
    fn strings() {
        let s = String::from("abc");
        let r: &str = "abc";
        assert!(s.unify("abc"));
        assert!("abc".unify(&s));
        assert!(r.unify(&r));
        assert!(s.unify(&r));
        assert!(r.unify(&s));
        assert!(r.unify("abc"));
        assert!("abc".unify(&r));
        assert!(s.unify(&s));
        assert!("abc".unify("abc"));
        assert!(!s.unify("abd"));
        assert!(s.equal(&r) && r.equal(&s) && "abc".equal(&s) && s.equal("abc") && r.equal(&r));
        assert!(r.equal("abc") && "abc".equal(&r) && s.equal(&s) && "abc".equal("abc"));
        assert!("a".less("b"));
        assert!("a".less("ab"));
        assert!("B".less("a"));
        assert!("é".greater("z"));
        assert!("".less("a"));
        assert!(s.less_equal(&r) && r.greater_equal(&s) && s.compare_op(CmpOp::Eq, "abc"));
        assert!(String::new().compare_op(CmpOp::Ne, &r) && r.not_equal(&String::new()));
        assert!("b".compare(&s) == Some(Ordering::Greater) && r.compare("x") == Some(Ordering::Less));
        assert!(r.compare(&r) == Some(Ordering::Equal) && s.compare(&s) == Some(Ordering::Equal));
        assert!("a".compare(&String::from("a")) == Some(Ordering::Equal));
    }

    #[test]
    fn option_and_nil() {
        assert!(None::<u8>.unify(&Nil));
        assert!(!Some(1u8).unify(&Nil));
        assert!(Nil.unify(&None::<String>));
        assert!(!Nil.unify(&Some(String::new())));
        assert!(Nil.unify(&Nil));
        assert!(None::<u8>.equal(&Nil));
        assert!(!Some(1u8).equal(&Nil));
        assert!(Nil.equal(&None::<u8>));
        assert!(!Nil.equal(&Some(0u8)));
        assert!(Nil.equal(&Nil));
    }

    #[derive(PartialEq)]
    struct Org {
        id: u64,
    }
    impl PolarClass for Org {
        const NAME: &'static str = "Org";
    }

    #[test]
    fn classes_use_partial_eq() {
        assert!(Org { id: 1 }.unify(&Org { id: 1 }));
        assert!(!Org { id: 1 }.unify(&Org { id: 2 }));
        assert!(Org { id: 1 }.equal(&Org { id: 1 }));
        assert!(!Org { id: 1 }.equal(&Org { id: 2 }));
    }

    #[test]
    fn free_functions() {
        assert!(unify(&1u8, &1.0f64));
        assert!(!unify("a", &String::from("b")));
        assert!(equal(&true, &1i64));
        assert!(compare(&1i64, CmpOp::Lt, &1.5f64));
        assert!(compare("a", CmpOp::Le, "a"));
        assert!(!compare(&f64::NAN, CmpOp::Ge, &f64::NAN));
    }

    #[test]
    fn cmp_op_symbols() {
        let all: Vec<String> = CmpOp::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(all, ["==", "!=", "<", "<=", ">", ">="]);
    }
}
