//! Exact comparison of numbers of any supported width (the core of `=`, `==`, `<`... on numbers).
//!
//! Oso compares an `i64` with an `f64` exactly (`numerics.rs`, `PartialOrd for Numeric`, after
//! MongoDB's `compareLongToDouble`); [`cmp`] is the same algorithm over `i128`, so it gives
//! Oso's answer on every `i64`, and the exact answer on the wider Rust integers.

use std::cmp::Ordering;

/// A number as compared by Polar: an exact integer or a float.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

/// The numeric value of a Rust number (booleans count as 0 and 1 in comparisons, as in Oso).
pub(crate) trait ToNum {
    fn to_num(&self) -> Num;
}

macro_rules! int_to_num {
    ($($t:ty),*) => { $(
        impl ToNum for $t {
            #[inline(always)]
            fn to_num(&self) -> Num { Num::Int(*self as i128) }
        }
    )* };
}
int_to_num!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl ToNum for f32 {
    #[inline(always)]
    fn to_num(&self) -> Num {
        Num::Float(f64::from(*self))
    }
}
impl ToNum for f64 {
    #[inline(always)]
    fn to_num(&self) -> Num {
        Num::Float(*self)
    }
}
impl ToNum for bool {
    #[inline(always)]
    fn to_num(&self) -> Num {
        Num::Int(i128::from(*self))
    }
}
impl ToNum for crate::Number {
    #[inline(always)]
    fn to_num(&self) -> Num {
        match *self {
            crate::Number::Int(i) => Num::Int(i128::from(i)),
            crate::Number::Float(f) => Num::Float(f),
        }
    }
}

/// Below this magnitude an integer converts to `f64` exactly (53 bits of mantissa).
const EXACT: i128 = 1 << 53;
/// 2^127 as a float: no `i128` reaches it.
const TWO_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

/// Compares an integer with a float exactly; `None` when the float is NaN.
#[inline]
fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        None
    } else if -EXACT < i && i < EXACT {
        // The integer is exactly representable as a float.
        (i as f64).partial_cmp(&f)
    } else if f >= TWO_127 {
        Some(Ordering::Less)
    } else if f < -TWO_127 {
        Some(Ordering::Greater)
    } else {
        // |i| >= 2^53, so truncating `f` cannot change the answer: either |f| >= 2^53 and `f`
        // is integral, or |f| < 2^53 <= |i| and `i` differs from `f` by more than its fraction.
        Some(i.cmp(&(f as i128)))
    }
}

/// Polar's comparison of two numbers: `None` when a NaN is involved.
#[inline]
pub(crate) fn cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
        (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
        (Num::Int(i), Num::Float(f)) => cmp_int_float(i, f),
        (Num::Float(f), Num::Int(i)) => cmp_int_float(i, f).map(Ordering::reverse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn c(a: impl ToNum, b: impl ToNum) -> Option<Ordering> {
        cmp(a.to_num(), b.to_num())
    }

    #[test]
    fn the_mixed_comparisons_of_oso_numerics_rs() {
        // The cases of `numerics.rs::tests::mixed_comparison`, which define Oso's behaviour.
        let p = |e: i32| 2f64.powi(e);
        assert_eq!(c(1i64, f64::NAN), None);
        assert_eq!(c(f64::NAN, f64::NAN), None);
        assert_eq!(c(0i64, 0.0), Some(Equal));
        assert_eq!(c(0i64, -0.0), Some(Equal));
        assert_eq!(c(0.0, -0.0), Some(Equal));
        assert_eq!(c(i64::MAX, f64::INFINITY), Some(Less));
        assert_eq!(c(i64::MIN, f64::INFINITY), Some(Less));
        assert_eq!(c(i64::MIN, f64::NEG_INFINITY), Some(Greater));
        assert_eq!(c(i64::MAX, f64::NEG_INFINITY), Some(Greater));
        assert_eq!(c(1i64 << 53, p(53)), Some(Equal));
        assert_eq!(c((1i64 << 52) + 1, p(52) + 1.0), Some(Equal));
        assert_eq!(c((1i64 << 53) + 1, p(53)), Some(Greater));
        assert_eq!(c((1i64 << 53) - 1, p(53) - 1.0), Some(Equal));
        assert_eq!(c(-(1i64 << 53) - 1, -p(53)), Some(Less));
        assert_eq!(c(-(1i64 << 54), -p(53)), Some(Less));
        assert_eq!(c(1i64 << 56, p(70)), Some(Less));
        assert_eq!(c(1i64 << 56, -p(70)), Some(Greater));
        assert_eq!(c(i64::MIN, -p(70)), Some(Greater));
        assert_eq!(c(i64::MAX, p(65) + 3.1), Some(Less));
        assert_eq!(c(i64::MAX, p(63)), Some(Less));
        assert_eq!(c(i64::MAX, p(63) - 1024.0), Some(Greater));
        assert_eq!(c(i64::MAX, p(63) + 2048.0), Some(Less));
        assert_eq!(c(i64::MIN, -p(63)), Some(Equal));
        assert_eq!(c(i64::MIN, -p(63) - 2048.0), Some(Greater));
        assert_eq!(c(i64::MIN, -p(63) + 1024.0), Some(Less));
        assert_eq!(c(2i64, 2.0 + 2.0 * f64::EPSILON), Some(Less));
        assert_eq!(c(2i64, 2.0 - 2.0 * f64::EPSILON), Some(Greater));
        assert_eq!(c(1i64, 1.0 + f64::EPSILON), Some(Less));
        assert_eq!(c(1i64, 1.0 - f64::EPSILON), Some(Greater));
    }

    #[test]
    fn wide_integers_compare_exactly() {
        assert_eq!(c(u64::MAX, i64::MAX), Some(Greater));
        assert_eq!(c(u64::MAX, -1i64), Some(Greater));
        assert_eq!(c(u64::MAX, 2f64.powi(64)), Some(Less));
        assert_eq!(c(u64::MAX, 2f64.powi(64) - 4096.0), Some(Greater));
        assert_eq!(c(1u64 << 63, 2f64.powi(63)), Some(Equal));
        assert_eq!(c(i128::MAX, TWO_127), Some(Less));
        assert_eq!(c(i128::MIN, -TWO_127), Some(Equal));
        assert_eq!(c(i128::MIN, f64::NEG_INFINITY), Some(Greater));
        assert_eq!(c(i128::MIN, -TWO_127 * 2.0), Some(Greater));
        assert_eq!(c(i128::MAX, 0.5), Some(Greater));
        assert_eq!(c(i128::MIN, 0.5), Some(Less));
        assert_eq!(c(1u64 << 60, (1u64 << 60) as f64 + 0.0), Some(Equal));
        assert_eq!(c(usize::MAX, u64::MAX), Some(Equal));
        assert_eq!(c(f32::NAN, 1u8), None);
        assert_eq!(c(f32::INFINITY, u64::MAX), Some(Greater));
        assert_eq!(c(0.1f32, 0.1f64), Some(Greater)); // f32 0.1 widens exactly, and is above f64 0.1
        assert_eq!(c(true, 1u8), Some(Equal));
        assert_eq!(c(false, 0.0), Some(Equal));
    }

    #[test]
    fn cmp_matches_the_float_value_when_exact() {
        // Around 2^53 the exact path and the float path meet.
        for i in [(1i128 << 53) - 2, (1 << 53) - 1, 1 << 53, (1 << 53) + 1, (1 << 53) + 2] {
            for f in [2f64.powi(53) - 1.0, 2f64.powi(53), 2f64.powi(53) + 2.0] {
                let expected = i.cmp(&(f as i128)); // every `f` here is an integer
                assert_eq!(cmp(Num::Int(i), Num::Float(f)), Some(expected), "{i} vs {f}");
                assert_eq!(cmp(Num::Float(f), Num::Int(i)), Some(expected.reverse()), "{f} vs {i}");
            }
        }
    }
}
