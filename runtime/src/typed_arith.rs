//! `+ - * / mod rem` with a result type rustc can see: the semantics of [`crate::add`] and
//! friends (Oso's), but two integers give an `i64`, an integer and a float or two floats an
//! `f64`, `/` always an `f64`, and only an operand of unknown type (a [`Number`]) a `Number`.
//!
//! So a computed value can be passed to a method taking `&i64` (as Oso passes an `Integer`),
//! and a method taking `&f64` gets a float (Oso's host refuses an `Integer` there too).

use crate::{Number, RuntimeError, ToNumber};

/// The kind of an integer operand.
pub enum IntKind {}
/// The kind of a float operand.
pub enum FloatKind {}
/// The kind of an operand whose kind is known only at run time ([`Number`]).
pub enum AnyKind {}

/// A Rust number and its kind, which types the result of arithmetic on it.
#[diagnostic::on_unimplemented(
    message = "a Polar policy does arithmetic on `{Self}`, which is not a number",
    label = "not a number",
    note = "`+ - * / mod rem` take integers (any width but u128) and floats; Oso raises an error on any other operand"
)]
pub trait NumberKind: ToNumber {
    /// [`IntKind`], [`FloatKind`] or [`AnyKind`].
    type Kind;
}

macro_rules! kind {
    ($kind:ty: $($t:ty),*) => { $( impl NumberKind for $t { type Kind = $kind; } )* };
}
kind!(IntKind: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);
kind!(FloatKind: f32, f64);
kind!(AnyKind: Number);

/// The result type of arithmetic on two kinds.
pub trait Combine<Rhs> {
    /// `i64`, `f64` or [`Number`].
    type Output: FromNumber;
}

macro_rules! combine {
    ($($a:ty, $b:ty => $out:ty;)*) => { $( impl Combine<$b> for $a { type Output = $out; } )* };
}
combine! {
    IntKind, IntKind => i64;
    IntKind, FloatKind => f64;
    FloatKind, IntKind => f64;
    FloatKind, FloatKind => f64;
    AnyKind, IntKind => Number;
    AnyKind, FloatKind => Number;
    AnyKind, AnyKind => Number;
    IntKind, AnyKind => Number;
    FloatKind, AnyKind => Number;
}

/// A result type of arithmetic.
pub trait FromNumber: Sized {
    /// The result as this type (the kinds guarantee it fits).
    fn from_number(n: Number) -> Result<Self, RuntimeError>;
}

impl FromNumber for i64 {
    #[inline(always)]
    fn from_number(n: Number) -> Result<i64, RuntimeError> {
        match n {
            Number::Int(i) => Ok(i),
            Number::Float(_) => Err(RuntimeError::Unsupported { what: "an integer operation gave a float" }),
        }
    }
}

impl FromNumber for f64 {
    #[inline(always)]
    fn from_number(n: Number) -> Result<f64, RuntimeError> {
        match n {
            Number::Float(f) => Ok(f),
            Number::Int(_) => Err(RuntimeError::Unsupported { what: "a float operation gave an integer" }),
        }
    }
}

impl FromNumber for Number {
    #[inline(always)]
    fn from_number(n: Number) -> Result<Number, RuntimeError> {
        Ok(n)
    }
}

/// The result type of `A op B` for `+ - * mod rem`.
pub type Output<A, B> = <<A as NumberKind>::Kind as Combine<<B as NumberKind>::Kind>>::Output;

macro_rules! typed {
    ($($(#[$doc:meta])* $name:ident => $f:path;)*) => { $(
        $(#[$doc])*
        #[inline(always)]
        pub fn $name<A: ?Sized + NumberKind, B: ?Sized + NumberKind>(a: &A, b: &B) -> Result<Output<A, B>, RuntimeError>
        where
            A::Kind: Combine<B::Kind>,
        {
            FromNumber::from_number($f(a, b)?)
        }
    )* };
}
typed! {
    /// `a + b`.
    add => crate::add;
    /// `a - b`.
    sub => crate::sub;
    /// `a * b`.
    mul => crate::mul;
    /// `a mod b`.
    modulo => crate::modulo;
    /// `a rem b`.
    rem => crate::rem;
}

/// `a / b`: always a float.
#[inline(always)]
pub fn div<A: ?Sized + NumberKind, B: ?Sized + NumberKind>(a: &A, b: &B) -> Result<f64, RuntimeError> {
    f64::from_number(crate::div(a, b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_types_follow_the_operands() {
        let i: i64 = add(&1u8, &2i32).unwrap();
        assert_eq!(i, 3);
        let f: f64 = mul(&2i64, &1.5f32).unwrap();
        assert_eq!(f, 3.0);
        let f: f64 = sub(&2.5f64, &1u64).unwrap();
        assert_eq!(f, 1.5);
        let f: f64 = div(&7i64, &2i64).unwrap();
        assert_eq!(f, 3.5);
        let n: Number = add(&Number::Int(1), &2i64).unwrap();
        assert_eq!(n, Number::Int(3));
        let n: Number = rem(&2.5f64, &Number::Int(2)).unwrap();
        assert_eq!(n, Number::Float(0.5));
        let i: i64 = modulo(&-7i64, &3i64).unwrap();
        assert_eq!(i, 2);
        let f: f64 = div(&Number::Int(1), &0i64).unwrap();
        assert_eq!(f, f64::INFINITY);
    }

    #[test]
    fn errors_are_oso_s() {
        assert!(add(&i64::MAX, &1i64).is_err());
        assert!(modulo(&1i64, &0u8).is_err());
        assert!(rem(&1i64, &0i64).is_err());
        assert!(add(&u64::MAX, &0i64).is_err());
        assert!(modulo(&1.0f64, &0i64).unwrap().is_nan());
        assert!(i64::from_number(Number::Float(1.0)).is_err());
        assert!(f64::from_number(Number::Int(1)).is_err());
    }
}
