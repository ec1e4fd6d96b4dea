//! Typed actions: what the generated `<Class>Action` enums implement ([`ActionEnum`]), the
//! set `authorized_actions` returns over one ([`ActionSet`]), and the error of parsing an
//! action name that the policy does not know ([`UnknownAction`]).

use std::fmt;
use std::marker::PhantomData;

use crate::Allowed;

/// The actions a policy names for one resource class, as a generated fieldless enum
/// (`RepoAction::Push`). Generated code implements it; applications use its methods.
pub trait ActionEnum: Copy + Eq + fmt::Debug + fmt::Display + Send + Sync + Sized + 'static {
    /// The class whose actions these are (`"Repo"`).
    const RESOURCE: &'static str;
    /// Every action, in the policy's order (a resource block's permissions first).
    const ALL: &'static [Self];
    /// The actions' names in the policy, in the same order as `ALL`.
    const NAMES: &'static [&'static str];

    /// The position of `self` in `ALL` and `NAMES`.
    fn index(self) -> usize;

    /// The action's name in the policy (`"push"`).
    fn as_str(self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// The action named `name`, if the policy names it for this class.
    fn parse(name: &str) -> Result<Self, UnknownAction> {
        match Self::NAMES.iter().position(|n| *n == name) {
            Some(i) => Ok(Self::ALL[i]),
            None => {
                Err(UnknownAction { name: name.to_owned(), resource: Self::RESOURCE, known: Self::NAMES })
            }
        }
    }
}

/// An action name (from a URL, a form, a config file) that the policy does not name for the
/// resource class: the `FromStr` error of the generated action enums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAction {
    name: String,
    resource: &'static str,
    known: &'static [&'static str],
}

impl UnknownAction {
    /// The name that was not recognized.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The resource class whose actions were expected.
    pub fn resource(&self) -> &'static str {
        self.resource
    }

    /// The names that would have been accepted.
    pub fn expected(&self) -> &'static [&'static str] {
        self.known
    }
}

impl fmt::Display for UnknownAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown action {:?} on `{}`", self.name, self.resource)?;
        if let Some(near) = nearest(&self.name, self.known) {
            write!(f, "; did you mean {near:?}?")?;
        }
        write!(f, " (expected one of: {})", self.known.join(", "))
    }
}

impl std::error::Error for UnknownAction {}

/// The known name closest to `name` in edit distance, when it is close (at most a third of
/// its length away). Swapped neighbours count as one edit ("raed" is one from "read"): the
/// commonest typo.
fn nearest(name: &str, known: &[&'static str]) -> Option<&'static str> {
    let distance = |a: &str, b: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        // Optimal string alignment: Levenshtein plus adjacent transpositions.
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        d[0] = (0..=b.len()).collect();
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        d[a.len()][b.len()]
    };
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, k)| *d > 0 && *d * 3 <= k.chars().count().max(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The actions an actor may perform on one resource, over the resource's action enum: what
/// the generated `authorized_actions` returns. A set of bits, no allocation.
///
/// Oso's answer is a set of strings. Strings the enum has no variant for (an action taken from
/// the data, `action in user.permissions`, that the policy never names) are kept aside in
/// [`others`](ActionSet::others) rather than dropped; a clause that allows any action makes the
/// set a [wildcard](ActionSet::is_wildcard), which [`contains`](ActionSet::contains) every
/// action and [`iter`](ActionSet::iter)ates all of them.
pub struct ActionSet<E> {
    bits: u128,
    wildcard: bool,
    others: Vec<String>,
    action: PhantomData<E>,
}

impl<E: ActionEnum> ActionSet<E> {
    /// The empty set.
    pub fn new() -> Self {
        ActionSet { bits: 0, wildcard: false, others: Vec::new(), action: PhantomData }
    }

    /// The typed view of the strings `authorized_action_names` found (generated code only).
    #[doc(hidden)]
    pub fn from_names(allowed: &Allowed) -> Self {
        let mut set = ActionSet::new();
        set.wildcard = allowed.is_wildcard();
        for name in allowed {
            match E::NAMES.iter().position(|n| *n == name) {
                Some(i) if i < 128 => set.bits |= 1 << i,
                _ => set.others.push(name.to_owned()),
            }
        }
        set
    }

    /// Whether `action` is allowed.
    pub fn contains(&self, action: E) -> bool {
        self.wildcard || (action.index() < 128 && self.bits & (1 << action.index()) != 0)
    }

    /// The allowed actions in the policy's order; every action for a wildcard.
    pub fn iter(&self) -> impl Iterator<Item = E> + '_ {
        E::ALL.iter().copied().filter(|a| self.contains(*a))
    }

    /// The names of the allowed actions ([`iter`](ActionSet::iter)), then the
    /// [`others`](ActionSet::others).
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|a| -> &str { a.as_str() }).chain(self.others.iter().map(String::as_str))
    }

    /// Allowed strings that name no action of the enum (from the data, not the policy).
    pub fn others(&self) -> &[String] {
        &self.others
    }

    /// Whether some clause allows every action (Oso: an unbound action).
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// How many actions of the enum are allowed.
    pub fn len(&self) -> usize {
        if self.wildcard { E::ALL.len() } else { self.bits.count_ones() as usize }
    }

    /// Whether nothing at all is allowed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.others.is_empty()
    }
}

impl<E: ActionEnum> Default for ActionSet<E> {
    fn default() -> Self {
        ActionSet::new()
    }
}

impl<E> Clone for ActionSet<E> {
    fn clone(&self) -> Self {
        ActionSet {
            bits: self.bits,
            wildcard: self.wildcard,
            others: self.others.clone(),
            action: PhantomData,
        }
    }
}

impl<E> PartialEq for ActionSet<E> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits && self.wildcard == other.wildcard && self.others == other.others
    }
}

impl<E> Eq for ActionSet<E> {}

impl<E: ActionEnum> fmt::Debug for ActionSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        set.entries(self.iter());
        set.entries(&self.others);
        if self.wildcard {
            set.entry(&format_args!("*"));
        }
        set.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Act {
        Read,
        Push,
        Delete,
    }

    impl fmt::Display for Act {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.as_str())
        }
    }

    impl ActionEnum for Act {
        const RESOURCE: &'static str = "Repo";
        const ALL: &'static [Self] = &[Act::Read, Act::Push, Act::Delete];
        const NAMES: &'static [&'static str] = &["read", "push", "delete"];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn names_parse_and_misspellings_are_explained() {
        assert_eq!(Act::parse("push"), Ok(Act::Push));
        let e = Act::parse("pussh").unwrap_err();
        assert_eq!(e.name(), "pussh");
        assert_eq!(
            e.to_string(),
            "unknown action \"pussh\" on `Repo`; did you mean \"push\"? (expected one of: read, push, delete)"
        );
        let swapped = Act::parse("raed").unwrap_err().to_string();
        assert!(swapped.contains("did you mean \"read\"?"), "{swapped}");
        let e = Act::parse("fly").unwrap_err();
        assert_eq!(e.to_string(), "unknown action \"fly\" on `Repo` (expected one of: read, push, delete)");
    }

    #[test]
    fn a_set_is_typed_and_keeps_the_strings_it_has_no_variant_for() {
        const KNOWN: &[&str] = &["delete", "read", "fly"];
        let mut allowed = Allowed::new(KNOWN);
        allowed.insert_known(0);
        allowed.insert_known(1);
        allowed.insert("swim");
        let set = ActionSet::<Act>::from_names(&allowed);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Act::Read, Act::Delete]);
        assert!(set.contains(Act::Delete) && !set.contains(Act::Push));
        assert_eq!(set.others(), ["swim"]);
        assert_eq!(set.names().collect::<Vec<_>>(), ["read", "delete", "swim"]);
        assert_eq!(set.len(), 2);
        assert_eq!(format!("{set:?}"), r#"{Read, Delete, "swim"}"#);
        assert!(ActionSet::<Act>::new().is_empty());
    }

    #[test]
    fn a_wildcard_holds_every_action() {
        let mut allowed = Allowed::new(&[]);
        allowed.insert_wildcard();
        let set = ActionSet::<Act>::from_names(&allowed);
        assert!(set.is_wildcard() && set.contains(Act::Push));
        assert_eq!(set.iter().count(), 3);
        assert_eq!(set.len(), 3);
    }
}
