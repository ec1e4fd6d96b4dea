//! Helpers for values in generated code: lookups, method receivers, arithmetic on values of
//! unknown type, list and dictionary literals, `print`. Re-exported by [`support`](crate::support).

use std::fmt;

/// Arithmetic whose result type follows the operands' (see `typed_arith.rs`).
pub mod typed {
    pub use crate::typed_arith::*;
}

use crate::{Dict, Lookup, Number, PolarClass, PolarList, RuntimeError, View};

/// `x.name` (a field, or a dictionary key: `None` when absent, and the lookup fails).
#[inline(always)]
pub fn lookup<'a, const H: u64, T: ?Sized + Lookup<H>>(value: &'a T, name: &str) -> Option<&'a T::Value> {
    value.lookup(name)
}

/// A value whose methods a policy may call: an instance of a Polar class.
///
/// Methods are called on classes only: Oso's built-in methods of strings, lists and
/// dictionaries (`s.len()`, ...) have their own semantics, which calling the Rust method of
/// the same name would not reproduce.
#[diagnostic::on_unimplemented(
    message = "a Polar policy calls a method on `{Self}`, which is not a Polar class",
    label = "methods are called only on `#[derive(PolarClass)]` types",
    note = "Oso's built-in methods of strings, lists and dictionaries are not supported by compiled policies"
)]
pub trait MethodReceiver {}

impl<T: PolarClass> MethodReceiver for T {}

/// The receiver of a method call `x.m(...)`, checked to be a class instance.
///
/// ```compile_fail,E0277
/// let name = String::from("ann");
/// let _ = polar_runtime::support::receiver(&name).len(); // Oso's String.len is not Rust's
/// ```
#[inline(always)]
pub fn receiver<T: MethodReceiver>(value: &T) -> &T {
    value
}

/// A value of unknown type (a parameter without a specializer) as an operand of arithmetic:
/// Oso raises an error on anything but a number.
#[inline]
pub fn number(view: View<'_>) -> Result<Number, RuntimeError> {
    match view {
        View::Int(i) => Ok(Number::Int(i)),
        View::Float(f) => Ok(Number::Float(f)),
        View::WideInt(_) => Err(RuntimeError::IntegerOutOfRange),
        _ => Err(RuntimeError::Unsupported { what: "arithmetic on a value that is not a number" }),
    }
}

/// The elements of a list that a list literal unifies with.
#[inline(always)]
pub fn list_members<L: ?Sized + PolarList>(list: &L) -> impl Iterator<Item = &L::Item> {
    list.members()
}

/// The number of entries of a dictionary that a dictionary literal unifies with.
#[inline(always)]
pub fn dict_len<D: ?Sized + Dict>(dict: &D) -> usize {
    dict.len()
}

/// The value of `key` in a dictionary that a dictionary literal unifies with.
#[inline(always)]
pub fn dict_get<'a, D: ?Sized + Dict>(dict: &'a D, key: &str) -> Option<&'a D::Value> {
    dict.lookup(key)
}

/// A value printed the way Polar writes it (`print(x)`): strings quoted, lists in brackets,
/// dictionaries as `{key: value}`, `nil`, and class instances by their class name.
#[derive(Clone, Copy)]
pub struct Show<'a>(pub View<'a>);

impl fmt::Display for Show<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            View::Str(s) => write!(f, "{s:?}"),
            View::Int(i) => write!(f, "{i}"),
            View::WideInt(i) => write!(f, "{i}"),
            View::Float(x) => write!(f, "{}", Number::Float(x)),
            View::Bool(b) => write!(f, "{b}"),
            View::Absent => f.write_str("nil"),
            View::Some(v) => write!(f, "Some({})", Show(v.view())),
            View::Instance { class, .. } => write!(f, "{class}{{...}}"),
            View::List(l) => {
                f.write_str("[")?;
                let mut first = true;
                let mut result = Ok(());
                l.any(&mut |v| {
                    let sep = if first { "" } else { ", " };
                    first = false;
                    result = write!(f, "{sep}{}", Show(v));
                    result.is_err()
                });
                result?;
                f.write_str("]")
            }
            View::Dict(d) => {
                f.write_str("{")?;
                let mut first = true;
                let mut result = Ok(());
                d.any(&mut |k, v| {
                    let sep = if first { "" } else { ", " };
                    first = false;
                    result = write!(f, "{sep}{k}: {}", Show(v));
                    result.is_err()
                });
                result?;
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Polar;
    use crate::support::is_float;

    #[test]
    fn numbers_of_unknown_values() {
        assert_eq!(number(3i64.view()), Ok(Number::Int(3)));
        assert_eq!(number(1.5f64.view()), Ok(Number::Float(1.5)));
        assert_eq!(number(u64::MAX.view()), Err(RuntimeError::IntegerOutOfRange));
        assert!(matches!(number("a".view()), Err(RuntimeError::Unsupported { .. })));
        assert!(matches!(number(true.view()), Err(RuntimeError::Unsupported { .. })));
    }

    #[test]
    fn float_literals() {
        assert!(is_float(&1i64, 1.0));
        assert!(is_float(&1.5f32, 1.5));
        assert!(!is_float(&f64::NAN, f64::NAN));
        assert!(is_float(&f64::INFINITY, f64::INFINITY));
        assert!(!is_float("1", 1.0));
        assert!(is_float(&(1u64 << 63), 2f64.powi(63)));
        assert!(!is_float(&u64::MAX, 2f64.powi(63)));
    }

    #[test]
    fn show_writes_polar_syntax() {
        let show = |v: View<'_>| Show(v).to_string();
        assert_eq!(show("a\"b".view()), r#""a\"b""#);
        assert_eq!(show(3u8.view()), "3");
        assert_eq!(show(2.0f64.view()), "2.0");
        assert_eq!(show(f64::NAN.view()), "nan");
        assert_eq!(show(vec![1i64, 2].view()), "[1, 2]");
        assert_eq!(show(Vec::<i64>::new().view()), "[]");
        assert_eq!(show(BTreeMap::from([("b", true), ("a", false)]).view()), "{a: false, b: true}");
        assert_eq!(show(None::<u8>.view()), "nil");
        assert_eq!(show(Some(vec!["x"]).view()), r#"Some(["x"])"#);
        assert_eq!(show(u64::MAX.view()), u64::MAX.to_string());
    }
}
