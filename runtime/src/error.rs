//! Errors of compiled policies.

use std::error::Error;
use std::fmt;

use crate::ArithOp;

/// A run-time error while evaluating a policy. It always denies: `is_allowed` answers `false`
/// and the `Result` APIs return it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuntimeError {
    /// `+`, `-`, `*`, `mod` or `rem` on integers overflowed `i64` (Oso: `ArithmeticError`).
    ArithmeticOverflow {
        /// The operator.
        op: ArithOp,
    },
    /// Integer `mod` or `rem` by zero (Oso: `ArithmeticError`). `/` never fails: it gives a float.
    DivisionByZero {
        /// The operator.
        op: ArithOp,
    },
    /// A Rust integer outside `i64` (e.g. a `u64` above `i64::MAX`) used in arithmetic, where
    /// Polar's integers are `i64`.
    IntegerOutOfRange,
    /// Rule calls nested deeper than the limit (recursion over deep or cyclic data); Oso stops
    /// at a goal stack of 10,000.
    RecursionLimit {
        /// The depth limit that was reached.
        limit: u32,
    },
    /// The search made more recursive rule calls than the limit: a search that backtracks
    /// over deep recursion can take exponential time, and Oso stops every query after 30 s;
    /// the compiled check stops after this many calls, far more than Oso can make in that time.
    SearchLimit {
        /// The number of recursive rule calls allowed in one check.
        limit: u32,
    },
    /// An operation the compiled policy cannot perform faithfully on these values; the check
    /// denies instead of guessing.
    Unsupported {
        /// What was attempted.
        what: &'static str,
    },
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::ArithmeticOverflow { op } => write!(f, "arithmetic overflow in `{op}`"),
            RuntimeError::DivisionByZero { op } => write!(f, "integer division by zero in `{op}`"),
            RuntimeError::IntegerOutOfRange => {
                f.write_str("integer out of the range of Polar integers (i64)")
            }
            RuntimeError::Unsupported { what } => write!(f, "unsupported at run time: {what}"),
            RuntimeError::RecursionLimit { limit } => {
                write!(f, "recursion limit of {limit} nested rule calls reached")
            }
            RuntimeError::SearchLimit { limit } => {
                write!(f, "search limit of {limit} recursive rule calls in one check reached")
            }
        }
    }
}

impl Error for RuntimeError {}

/// Why `authorize` refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The actor may not even read the resource: answer as if it did not exist (HTTP 404).
    NotFound,
    /// The actor may read the resource but not perform the action (HTTP 403).
    Forbidden,
    /// Evaluating the policy failed; the request is denied.
    Runtime(RuntimeError),
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizationError::NotFound => f.write_str("not found"),
            AuthorizationError::Forbidden => f.write_str("forbidden"),
            AuthorizationError::Runtime(e) => write!(f, "policy evaluation failed: {e}"),
        }
    }
}

impl Error for AuthorizationError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            AuthorizationError::Runtime(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RuntimeError> for AuthorizationError {
    fn from(e: RuntimeError) -> Self {
        AuthorizationError::Runtime(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_source() {
        let e = RuntimeError::ArithmeticOverflow { op: ArithOp::Add };
        assert_eq!(e.to_string(), "arithmetic overflow in `+`");
        assert_eq!(
            RuntimeError::DivisionByZero { op: ArithOp::Mod }.to_string(),
            "integer division by zero in `mod`"
        );
        assert_eq!(
            RuntimeError::IntegerOutOfRange.to_string(),
            "integer out of the range of Polar integers (i64)"
        );
        assert_eq!(
            RuntimeError::RecursionLimit { limit: 64 }.to_string(),
            "recursion limit of 64 nested rule calls reached"
        );
        let a: AuthorizationError = e.into();
        assert_eq!(a, AuthorizationError::Runtime(e));
        assert_eq!(a.to_string(), "policy evaluation failed: arithmetic overflow in `+`");
        assert_eq!(a.source().map(ToString::to_string), Some(e.to_string()));
        assert!(AuthorizationError::NotFound.source().is_none());
        assert_eq!(AuthorizationError::NotFound.to_string(), "not found");
        assert_eq!(AuthorizationError::Forbidden.to_string(), "forbidden");
        fn is_error<E: Error + Send + Sync + 'static>() {}
        is_error::<RuntimeError>();
        is_error::<AuthorizationError>();
    }
}
