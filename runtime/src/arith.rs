//! `+ - * / mod rem` with Oso's semantics (`polar-core/src/numerics.rs`).
//!
//! - Integers are `i64`; `+ - *` are checked: overflow is [`RuntimeError::ArithmeticOverflow`].
//! - `/` always gives a float, also for two integers: `7 / 2 = 3.5`, `1 / 0 = inf`, `0 / 0` is NaN.
//! - `mod` takes the sign of the divisor (`-7 mod 3 = 2`), `rem` that of the dividend
//!   (`-7 rem 3 = -1`). On integers a zero divisor is [`RuntimeError::DivisionByZero`] and
//!   `i64::MIN mod -1` / `i64::MIN rem -1` overflow; on floats both follow IEEE 754 (NaN).
//! - An integer and a float give a float.
//! - Oso computes integer `mod` as `((a rem b) + b) rem b` with an unchecked `+`: when that sum
//!   overflows (`9223372036854775806 mod 9223372036854775807`) Oso panics in a debug build and
//!   answers wrongly in a release build. Here it is [`RuntimeError::ArithmeticOverflow`], which denies.
//! - Operands are numbers only ([`ToNumber`]): Oso's run-time error on `"a" + 1` or `true + 1`
//!   is a compile error here.

use std::fmt;

use crate::RuntimeError;

/// A Polar number: the result of arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An `Integer`.
    Int(i64),
    /// A `Float`.
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) if x.is_nan() => f.write_str("nan"),
            Number::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "inf" } else { "-inf" }),
            Number::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => write!(f, "{x:.1}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// An arithmetic operator of Polar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `mod`
    Mod,
    /// `rem`
    Rem,
}

impl ArithOp {
    /// Every operator.
    pub const ALL: [ArithOp; 6] =
        [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Mod, ArithOp::Rem];

    /// The operator as written in Polar.
    pub const fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "mod",
            ArithOp::Rem => "rem",
        }
    }

    /// `a op b` on two numbers.
    pub fn apply(self, a: Number, b: Number) -> Result<Number, RuntimeError> {
        match self {
            ArithOp::Add => add(&a, &b),
            ArithOp::Sub => sub(&a, &b),
            ArithOp::Mul => mul(&a, &b),
            ArithOp::Div => div(&a, &b),
            ArithOp::Mod => modulo(&a, &b),
            ArithOp::Rem => rem(&a, &b),
        }
    }
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A Rust number usable in Polar arithmetic.
#[diagnostic::on_unimplemented(
    message = "a Polar policy does arithmetic on `{Self}`, which is not a number",
    label = "not a number",
    note = "`+ - * / mod rem` take integers (any width but u128) and floats; Oso raises an error on any other operand"
)]
pub trait ToNumber {
    /// The value as a Polar number; an integer outside `i64` is [`RuntimeError::IntegerOutOfRange`].
    fn to_number(&self) -> Result<Number, RuntimeError>;
}

macro_rules! small_int_to_number {
    ($($t:ty),*) => { $(
        impl ToNumber for $t {
            #[inline(always)]
            fn to_number(&self) -> Result<Number, RuntimeError> { Ok(Number::Int(i64::from(*self))) }
        }
    )* };
}
small_int_to_number!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int_to_number {
    ($($t:ty),*) => { $(
        impl ToNumber for $t {
            #[inline(always)]
            fn to_number(&self) -> Result<Number, RuntimeError> {
                i64::try_from(*self).map(Number::Int).map_err(|_| RuntimeError::IntegerOutOfRange)
            }
        }
    )* };
}
wide_int_to_number!(i128, isize, u64, usize);

impl ToNumber for f32 {
    #[inline(always)]
    fn to_number(&self) -> Result<Number, RuntimeError> {
        Ok(Number::Float(f64::from(*self)))
    }
}
impl ToNumber for f64 {
    #[inline(always)]
    fn to_number(&self) -> Result<Number, RuntimeError> {
        Ok(Number::Float(*self))
    }
}
impl ToNumber for Number {
    #[inline(always)]
    fn to_number(&self) -> Result<Number, RuntimeError> {
        Ok(*self)
    }
}

#[inline(always)]
fn operands<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(
    a: &A,
    b: &B,
) -> Result<(Number, Number), RuntimeError> {
    Ok((a.to_number()?, b.to_number()?))
}

/// Applies `int` to two integers (`None` is an overflow), `float` otherwise.
#[inline(always)]
fn binary(
    op: ArithOp,
    (a, b): (Number, Number),
    int: impl FnOnce(i64, i64) -> Option<i64>,
    float: impl FnOnce(f64, f64) -> f64,
) -> Result<Number, RuntimeError> {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => {
            int(a, b).map(Number::Int).ok_or(RuntimeError::ArithmeticOverflow { op })
        }
        (Number::Int(a), Number::Float(b)) => Ok(Number::Float(float(a as f64, b))),
        (Number::Float(a), Number::Int(b)) => Ok(Number::Float(float(a, b as f64))),
        (Number::Float(a), Number::Float(b)) => Ok(Number::Float(float(a, b))),
    }
}

/// `a + b`.
#[inline]
pub fn add<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    binary(ArithOp::Add, operands(a, b)?, i64::checked_add, |a, b| a + b)
}

/// `a - b`.
#[inline]
pub fn sub<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    binary(ArithOp::Sub, operands(a, b)?, i64::checked_sub, |a, b| a - b)
}

/// `a * b`.
#[inline]
pub fn mul<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    binary(ArithOp::Mul, operands(a, b)?, i64::checked_mul, |a, b| a * b)
}

/// `a / b`: always a float (`1 / 0` is `inf`, `0 / 0` is NaN; never an error).
#[inline]
pub fn div<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    let (a, b) = operands(a, b)?;
    Ok(Number::Float(as_f64(a) / as_f64(b)))
}

/// `a mod b`: the remainder with the sign of the divisor.
#[inline]
pub fn modulo<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    let op = ArithOp::Mod;
    let (a, b) = operands(a, b)?;
    if let (Number::Int(_), Number::Int(0)) = (a, b) {
        return Err(RuntimeError::DivisionByZero { op });
    }
    // Oso: `a.checked_rem(b).map(|c| (c + b) % b)`, with `+` unchecked (see the module docs).
    let int = |a: i64, b: i64| a.checked_rem(b)?.checked_add(b)?.checked_rem(b);
    // Oso's float formula, kept as is (it can differ from the exact result in the last bit).
    binary(op, (a, b), int, |a, b| ((a % b) + b) % b)
}

/// `a rem b`: the remainder with the sign of the dividend.
#[inline]
pub fn rem<A: ToNumber + ?Sized, B: ToNumber + ?Sized>(a: &A, b: &B) -> Result<Number, RuntimeError> {
    let op = ArithOp::Rem;
    let (a, b) = operands(a, b)?;
    if let (Number::Int(_), Number::Int(0)) = (a, b) {
        return Err(RuntimeError::DivisionByZero { op });
    }
    binary(op, (a, b), i64::checked_rem, |a, b| a % b)
}

#[inline(always)]
fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Number::{Float, Int};

    fn ok(r: Result<Number, RuntimeError>) -> Number {
        r.expect("no error")
    }

    #[test]
    fn integer_arithmetic_is_checked() {
        assert_eq!(ok(add(&1i64, &2i64)), Int(3));
        assert_eq!(ok(sub(&1i64, &2u8)), Int(-1));
        assert_eq!(ok(mul(&-3i32, &4u16)), Int(-12));
        let overflow = |op| Err(RuntimeError::ArithmeticOverflow { op });
        assert_eq!(add(&i64::MAX, &1i64), overflow(ArithOp::Add));
        assert_eq!(sub(&i64::MIN, &1i64), overflow(ArithOp::Sub));
        assert_eq!(mul(&i64::MIN, &-1i64), overflow(ArithOp::Mul));
        assert_eq!(mul(&(1i64 << 32), &(1i64 << 31)), overflow(ArithOp::Mul));
        assert_eq!(ok(add(&i64::MAX, &i64::MIN)), Int(-1));
    }

    #[test]
    fn division_is_float() {
        assert_eq!(ok(div(&7i64, &2i64)), Float(3.5));
        assert_eq!(ok(div(&6i64, &2i64)), Float(3.0));
        assert_eq!(ok(div(&1i64, &0i64)), Float(f64::INFINITY));
        assert_eq!(ok(div(&-1i64, &0i64)), Float(f64::NEG_INFINITY));
        assert_eq!(ok(div(&1.0f64, &0i64)), Float(f64::INFINITY));
        assert!(matches!(ok(div(&0i64, &0i64)), Float(f) if f.is_nan()));
        assert_eq!(ok(div(&i64::MIN, &-1i64)), Float(2f64.powi(63)));
    }

    #[test]
    fn modulo_and_rem_signs() {
        assert_eq!(ok(modulo(&-7i64, &3i64)), Int(2));
        assert_eq!(ok(rem(&-7i64, &3i64)), Int(-1));
        assert_eq!(ok(modulo(&7i64, &-3i64)), Int(-2));
        assert_eq!(ok(rem(&7i64, &-3i64)), Int(1));
        assert_eq!(ok(modulo(&6i64, &3i64)), Int(0));
        assert_eq!(ok(modulo(&-7.5f64, &2i64)), Float(0.5));
        assert_eq!(ok(rem(&-7.5f64, &2i64)), Float(-1.5));
        assert_eq!(ok(modulo(&7i64, &-2.5f64)), Float(-0.5));
    }

    #[test]
    fn zero_divisors_and_overflow_in_mod_rem() {
        assert_eq!(modulo(&1i64, &0i64), Err(RuntimeError::DivisionByZero { op: ArithOp::Mod }));
        assert_eq!(rem(&1i64, &0u8), Err(RuntimeError::DivisionByZero { op: ArithOp::Rem }));
        assert!(matches!(ok(modulo(&1.0f64, &0i64)), Float(f) if f.is_nan()));
        assert!(matches!(ok(modulo(&1i64, &0.0f64)), Float(f) if f.is_nan()));
        assert!(matches!(ok(rem(&1i64, &0.0f64)), Float(f) if f.is_nan()));
        assert_eq!(modulo(&i64::MIN, &-1i64), Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Mod }));
        assert_eq!(rem(&i64::MIN, &-1i64), Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Rem }));
        // Oso panics (debug) or answers -3 (release) here.
        assert_eq!(
            modulo(&(i64::MAX - 1), &i64::MAX),
            Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Mod })
        );
        assert_eq!(ok(modulo(&-1i64, &i64::MAX)), Int(i64::MAX - 1));
        assert_eq!(ok(modulo(&i64::MIN, &i64::MAX)), Int(i64::MAX - 1));
    }

    #[test]
    fn mixed_operands_give_floats() {
        assert_eq!(ok(add(&1i64, &0.5f64)), Float(1.5));
        assert_eq!(ok(add(&0.5f32, &1u8)), Float(1.5));
        assert_eq!(ok(sub(&Float(1.0), &Int(1))), Float(0.0));
        assert_eq!(ok(mul(&2.0f64, &3i64)), Float(6.0));
        assert_eq!(ok(add(&f64::INFINITY, &1i64)), Float(f64::INFINITY));
        assert!(matches!(ok(sub(&f64::INFINITY, &f64::INFINITY)), Float(f) if f.is_nan()));
        // Floats never overflow: they go to infinity.
        assert_eq!(ok(mul(&f64::MAX, &2i64)), Float(f64::INFINITY));
    }

    #[test]
    fn wide_integers_must_fit_i64() {
        assert_eq!(ok(add(&(i64::MAX as u64), &0i64)), Int(i64::MAX));
        assert_eq!(add(&u64::MAX, &0i64), Err(RuntimeError::IntegerOutOfRange));
        assert_eq!(div(&0i64, &(1u64 << 63)), Err(RuntimeError::IntegerOutOfRange));
        assert_eq!(sub(&i128::MIN, &0i64), Err(RuntimeError::IntegerOutOfRange));
        assert_eq!(ok(add(&5usize, &5isize)), Int(10));
        assert_eq!(ok(add(&-5i128, &5u32)), Int(0));
        assert_eq!(usize::MAX.to_number(), Err(RuntimeError::IntegerOutOfRange));
        assert_eq!(Int(3).to_number(), Ok(Int(3)));
        assert_eq!(1.5f32.to_number(), Ok(Float(1.5)));
    }

    #[test]
    fn apply_and_symbols() {
        let symbols: Vec<&str> = ArithOp::ALL.iter().map(|op| op.symbol()).collect();
        assert_eq!(symbols, ["+", "-", "*", "/", "mod", "rem"]);
        assert_eq!(ArithOp::Mod.to_string(), "mod");
        let results: Vec<Number> = ArithOp::ALL.iter().map(|op| ok(op.apply(Int(-7), Int(2)))).collect();
        assert_eq!(results, [Int(-5), Int(-9), Int(-14), Float(-3.5), Int(1), Int(-1)]);
    }

    #[test]
    fn display() {
        assert_eq!(Int(-3).to_string(), "-3");
        assert_eq!(Float(3.0).to_string(), "3.0");
        assert_eq!(Float(3.25).to_string(), "3.25");
        assert_eq!(Float(f64::NAN).to_string(), "nan");
        assert_eq!(Float(f64::NEG_INFINITY).to_string(), "-inf");
        assert_eq!(Float(1e300).to_string(), format!("{}", 1e300));
    }
}
