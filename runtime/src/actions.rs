//! What the enumerating entry points of a compiled policy return: [`Allowed`], the set of
//! actions (`authorized_actions`) or fields (`authorized_fields`) a query allows, and
//! [`InlineQueryError`], the failure of an inline query (`?=`).

use std::fmt;

use crate::RuntimeError;

/// The strings (actions or fields) for which a rule holds, as Oso's `authorized_actions` /
/// `authorized_fields` compute them: every solution of `allow(actor, action, resource)` with
/// `action` unbound, duplicates removed.
///
/// A clause that holds without binding the action (`allow(_: User, _action, _: Repo);`) holds
/// for *every* action: Oso reports that as an unbound variable, which it turns into an error
/// unless `allow_wildcard` is set (then its answer is `{"*"}`). Here it sets the
/// [wildcard](Allowed::is_wildcard) flag instead: [`contains`](Allowed::contains) then
/// answers `true` for any string, and [`iter`](Allowed::iter) still lists only the strings the
/// policy named. Code that wants Oso's default (no wildcard) checks `is_wildcard()`.
///
/// Strings that are literals of the policy are stored as bits over a static table, so the
/// usual case (`"read"`, `"push"`, ...) allocates nothing; strings taken from the data
/// (`action in user.permissions`) are copied.
#[derive(Clone)]
pub struct Allowed {
    /// The policy's string literals that can be results; at most 128 (the width of `bits`).
    known: &'static [&'static str],
    bits: u128,
    /// Results that are not in `known`, in the order found, without duplicates.
    extra: Vec<String>,
    wildcard: bool,
}

impl Allowed {
    /// An empty set over the policy's table of literal results (generated code only).
    #[doc(hidden)]
    pub const fn new(known: &'static [&'static str]) -> Self {
        let known = if known.len() > 128 { known.split_at(128).0 } else { known };
        Allowed { known, bits: 0, extra: Vec::new(), wildcard: false }
    }

    /// Adds the literal `known[index]` (generated code only).
    #[doc(hidden)]
    pub fn insert_known(&mut self, index: usize) {
        if index < self.known.len() {
            self.bits |= 1 << index;
        }
    }

    /// Adds a string found in the data (generated code only).
    #[doc(hidden)]
    pub fn insert(&mut self, value: &str) {
        if let Some(index) = self.known.iter().position(|k| *k == value) {
            self.bits |= 1 << index;
        } else if !self.extra.iter().any(|e| e == value) {
            self.extra.push(value.to_owned());
        }
    }

    /// Records a solution that left the result unbound (generated code only).
    #[doc(hidden)]
    pub fn insert_wildcard(&mut self) {
        self.wildcard = true;
    }

    /// Whether some clause holds for every string (Oso: an unbound result, `"*"` with
    /// `allow_wildcard`).
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// Whether `value` is allowed: named by a solution, or any string when
    /// [`is_wildcard`](Allowed::is_wildcard).
    pub fn contains(&self, value: &str) -> bool {
        self.wildcard || self.iter().any(|v| v == value)
    }

    /// The strings solutions named: the policy's literals in the order the policy first
    /// mentions them, then strings from the data in the order found. A wildcard is not listed.
    pub fn iter(&self) -> AllowedIter<'_> {
        AllowedIter { known: self.known, bits: self.bits, index: 0, extra: self.extra.iter() }
    }

    /// How many strings solutions named (a wildcard not counted).
    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize + self.extra.len()
    }

    /// Whether nothing is allowed: no string named and no wildcard.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && !self.wildcard
    }
}

impl<'a> IntoIterator for &'a Allowed {
    type Item = &'a str;
    type IntoIter = AllowedIter<'a>;

    fn into_iter(self) -> AllowedIter<'a> {
        self.iter()
    }
}

/// The strings of an [`Allowed`] set ([`Allowed::iter`]).
#[derive(Clone, Debug)]
pub struct AllowedIter<'a> {
    known: &'static [&'static str],
    /// The literals not yet visited (`index` and above).
    bits: u128,
    index: usize,
    extra: std::slice::Iter<'a, String>,
}

impl<'a> Iterator for AllowedIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while self.index < self.known.len() {
            let i = self.index;
            self.index += 1;
            if self.bits & (1 << i) != 0 {
                return Some(self.known[i]);
            }
        }
        self.extra.next().map(String::as_str)
    }
}

impl fmt::Debug for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        set.entries(self.iter());
        if self.wildcard {
            set.entry(&format_args!("*"));
        }
        set.finish()
    }
}

/// Equal when the same strings are allowed (whatever the table they came from) and both or
/// neither are wildcards.
impl PartialEq for Allowed {
    fn eq(&self, other: &Self) -> bool {
        self.wildcard == other.wildcard
            && self.len() == other.len()
            && self.iter().all(|v| other.iter().any(|w| w == v))
    }
}

impl Eq for Allowed {}

/// An inline query (`?= goal;`) of the policy has no solution, or its evaluation failed. Oso
/// refuses to load such a policy; a compiled policy reports it from the generated `#[test]`
/// functions and from `check_inline_queries()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineQueryError {
    /// `path:line:column` of the query in the policy.
    pub location: &'static str,
    /// The query's text.
    pub query: &'static str,
    /// The run-time error, when evaluating the query failed; `None` when it has no solution.
    pub error: Option<RuntimeError>,
}

impl InlineQueryError {
    /// The outcome of one inline query (generated code only).
    #[doc(hidden)]
    pub fn check(
        location: &'static str,
        query: &'static str,
        outcome: Result<bool, RuntimeError>,
    ) -> Result<(), InlineQueryError> {
        match outcome {
            Ok(true) => Ok(()),
            Ok(false) => Err(InlineQueryError { location, query, error: None }),
            Err(e) => Err(InlineQueryError { location, query, error: Some(e) }),
        }
    }
}

impl fmt::Display for InlineQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            None => write!(f, "{}: inline query `?= {};` has no solution", self.location, self.query),
            Some(e) => write!(f, "{}: inline query `?= {};` failed: {e}", self.location, self.query),
        }
    }
}

impl std::error::Error for InlineQueryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.as_ref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["read", "push", "delete"];

    #[test]
    fn literals_are_bits_and_data_is_copied_once() {
        let mut a = Allowed::new(KNOWN);
        assert!(a.is_empty());
        a.insert_known(1);
        a.insert_known(1);
        a.insert("read");
        a.insert("fly");
        a.insert("fly");
        assert_eq!(a.iter().collect::<Vec<_>>(), ["read", "push", "fly"]);
        assert_eq!(a.len(), 3);
        assert!(a.contains("fly") && a.contains("push") && !a.contains("delete"));
        assert!(!a.is_wildcard());
        assert_eq!(format!("{a:?}"), r#"{"read", "push", "fly"}"#);
        assert_eq!((&a).into_iter().count(), 3);
    }

    #[test]
    fn a_wildcard_contains_everything_but_lists_only_named_strings() {
        let mut a = Allowed::new(KNOWN);
        a.insert_wildcard();
        assert!(!a.is_empty() && a.is_wildcard());
        assert!(a.contains("anything"));
        assert_eq!(a.len(), 0);
        assert_eq!(format!("{a:?}"), "{*}");
    }

    #[test]
    fn equality_is_set_equality() {
        let mut a = Allowed::new(KNOWN);
        a.insert_known(0);
        a.insert("x");
        let mut b = Allowed::new(&[]);
        b.insert("x");
        b.insert("read");
        assert_eq!(a, b);
        b.insert_wildcard();
        assert_ne!(a, b);
    }

    #[test]
    fn more_literals_than_bits_never_panic() {
        static MANY: [&str; 130] = ["x"; 130];
        let mut a = Allowed::new(&MANY);
        a.insert_known(129);
        a.insert_known(127);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn inline_query_outcomes() {
        assert_eq!(InlineQueryError::check("a.polar:1:4", "f(1)", Ok(true)), Ok(()));
        let e = InlineQueryError::check("a.polar:1:4", "f(1)", Ok(false)).unwrap_err();
        assert_eq!(e.to_string(), "a.polar:1:4: inline query `?= f(1);` has no solution");
        let e =
            InlineQueryError::check("a.polar:2:4", "g(1)", Err(RuntimeError::IntegerOutOfRange)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.polar:2:4: inline query `?= g(1);` failed: integer out of the range of Polar integers (i64)"
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}
