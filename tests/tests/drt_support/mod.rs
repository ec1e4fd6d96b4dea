//! Shared machinery of the differential random tests (`*_vs_oso.rs`): case counts, the
//! comparison of one query or one enumeration with Oso 0.27.3, tallies and their report, and
//! reproductions printed as Rust source.
//!
//! A test file includes it with `mod drt_support;`. Its proptest runs shrink a failing world
//! (fewer entities, then simpler values: `prop::sample::select` shrinks towards its first
//! element, so lists of choices start with the simplest), and the failure message of the
//! smallest failing world is printed by proptest: the query, both answers, and the world as
//! Rust source ([`ToRust`]) to paste into a regression test.

#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Debug;
use std::rc::Rc;
use std::sync::Once;
use std::time::Instant;

use oso::{Oso, PolarValue, ToPolar};
use polar_runtime::{Allowed, RuntimeError};
use proptest::test_runner::{Config, TestCaseError};

/// The number of worlds of a test: `POLAR_DRT_CASES` when set (the existing convention),
/// else `default`.
pub fn cases(default: u32) -> u32 {
    match std::env::var("POLAR_DRT_CASES") {
        Ok(n) => n.parse().expect("POLAR_DRT_CASES is a number"),
        Err(_) => default,
    }
}

/// Oso 0.27.3 panics on some `mod` overflows, which the tests that reach them expect (they
/// catch the panic): keep the panic messages out of the output.
pub fn silence_oso_mod_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().ends_with("numerics.rs")) {
                default(info);
            }
        }));
    });
}

/// A proptest configuration of `cases(default)` worlds, shrinking a failure for at most two
/// minutes (each step asks Oso every query of a world).
pub fn config(default: u32) -> Config {
    Config { cases: cases(default), failure_persistence: None, max_shrink_time: 120_000, ..Config::default() }
}

/// An answer: a boolean, or a run-time error (message).
pub type Answer = Result<bool, String>;

pub fn ours(answer: Result<bool, RuntimeError>) -> Answer {
    answer.map_err(|e| e.to_string())
}

pub fn theirs(answer: Result<bool, oso::OsoError>) -> Answer {
    answer.map_err(|e| format!("Oso: {e}"))
}

/// Whether `rule(args)` has a solution for Oso (its first result).
pub fn oso_holds(oso: &Oso, rule: &str, args: impl oso::ToPolarList) -> Answer {
    let mut query = oso.query_rule(rule, args).map_err(|e| format!("Oso: {e}"))?;
    match query.next() {
        Some(Ok(_)) => Ok(true),
        Some(Err(e)) => Err(format!("Oso: {e}")),
        None => Ok(false),
    }
}

/// The strings of an enumeration, and whether it is a wildcard (a result that leaves the
/// variable unbound), or an error.
pub type Enumerated = Result<(BTreeSet<String>, bool), String>;

/// Ours, read the way [`oso_enumerate`] reads Oso's.
pub fn our_set(set: Result<Allowed, RuntimeError>) -> Enumerated {
    let set = set.map_err(|e| e.to_string())?;
    Ok((set.iter().map(String::from).collect(), set.is_wildcard()))
}

/// Oso's solutions of `rule(args)` for the variable `var`, read as Oso's hosts read
/// `get_allowed_actions`: the set of strings bound; a result leaving `var` unbound is a
/// wildcard (Python: an error unless `allow_wildcard`); a result that is not a string, or an
/// error, is an error (the Rust host's `get_allowed_actions::<String>`).
pub fn oso_enumerate(oso: &Oso, rule: &str, args: impl oso::ToPolarList, var: &str) -> Enumerated {
    let query = oso.query_rule(rule, args).map_err(|e| format!("Oso: {e}"))?;
    let mut strings = BTreeSet::new();
    let mut wildcard = false;
    for result in query {
        match result.map_err(|e| format!("Oso: {e}"))?.get(var) {
            Some(PolarValue::String(s)) => {
                strings.insert(s);
            }
            Some(PolarValue::Variable(_)) => wildcard = true,
            other => return Err(format!("Oso: Type error: Expected String, got {other:?}")),
        }
    }
    Ok((strings, wildcard))
}

/// Oso's `authorized_actions` for `(actor, resource)`: `allow(actor, action, resource)` with
/// `action` unbound.
pub fn oso_actions(oso: &Oso, actor: impl ToPolar, resource: impl ToPolar) -> Enumerated {
    let action = PolarValue::Variable("action".into());
    oso_enumerate(oso, "allow", (actor, action, resource), "action")
}

/// How strictly two answers must agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strict {
    /// The same boolean, or both an error (which one may differ): every new DRT test.
    Errors,
    /// The same decision, an error counting as a deny (what `is_allowed` returns).
    Decisions,
}

/// Whether two answers agree under `strict`.
pub fn agree(ours: &Answer, theirs: &Answer, strict: Strict) -> bool {
    match strict {
        Strict::Errors => match (ours, theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        },
        Strict::Decisions => ours.clone().unwrap_or(false) == theirs.clone().unwrap_or(false),
    }
}

/// Whether two enumerations agree: the same sets and wildcard flag, or both an error.
pub fn same_set(ours: &Enumerated, theirs: &Enumerated) -> bool {
    match (ours, theirs) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// Counts of one DRT test, reported at its end (`report`): every compared case, by kind.
pub struct Tally {
    name: &'static str,
    start: Instant,
    worlds: Cell<usize>,
    queries: Cell<usize>,
    allowed: Cell<usize>,
    /// Queries where both sides raised an error.
    errors: Cell<usize>,
    enumerations: Cell<usize>,
    /// Enumerations of two strings or more.
    several: Cell<usize>,
    wildcards: Cell<usize>,
    enum_errors: Cell<usize>,
    /// Per action: (queries, allowed by Oso).
    actions: RefCell<BTreeMap<String, (usize, usize)>>,
}

impl Tally {
    pub fn new(name: &'static str) -> Self {
        Tally {
            name,
            start: Instant::now(),
            worlds: Cell::new(0),
            queries: Cell::new(0),
            allowed: Cell::new(0),
            errors: Cell::new(0),
            enumerations: Cell::new(0),
            several: Cell::new(0),
            wildcards: Cell::new(0),
            enum_errors: Cell::new(0),
            actions: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn world(&self) {
        bump(&self.worlds);
    }

    /// Compares one query; `Err` is the failure message (the caller adds the world).
    pub fn query(
        &self,
        what: impl Fn() -> String,
        ours: Answer,
        theirs: Answer,
        strict: Strict,
    ) -> Result<(), String> {
        if !agree(&ours, &theirs, strict) {
            return Err(format!("{}: ours {ours:?}, Oso {theirs:?}", what()));
        }
        bump(&self.queries);
        match theirs {
            Ok(true) => bump(&self.allowed),
            Ok(false) => {}
            Err(_) => bump(&self.errors),
        }
        Ok(())
    }

    /// Compares one enumeration.
    pub fn enumeration(
        &self,
        what: impl Fn() -> String,
        ours: Enumerated,
        theirs: Enumerated,
    ) -> Result<(), String> {
        if !same_set(&ours, &theirs) {
            return Err(format!("{}: ours {ours:?}, Oso {theirs:?}", what()));
        }
        bump(&self.enumerations);
        match theirs {
            Ok((set, wildcard)) => {
                self.several.set(self.several.get() + usize::from(set.len() > 1));
                self.wildcards.set(self.wildcards.get() + usize::from(wildcard));
            }
            Err(_) => bump(&self.enum_errors),
        }
        Ok(())
    }

    /// Like [`query`](Tally::query), and counts the answer per action, so that the report
    /// names the actions no world allowed.
    pub fn action_query(
        &self,
        action: &str,
        what: impl Fn() -> String,
        ours: Answer,
        theirs: Answer,
        strict: Strict,
    ) -> Result<(), String> {
        let allowed = theirs == Ok(true);
        self.query(what, ours, theirs, strict)?;
        let mut actions = self.actions.borrow_mut();
        let entry = actions.entry(action.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(allowed);
        Ok(())
    }

    pub fn queries(&self) -> usize {
        self.queries.get()
    }
    pub fn allowed(&self) -> usize {
        self.allowed.get()
    }
    pub fn errors(&self) -> usize {
        self.errors.get()
    }
    pub fn enumerations(&self) -> usize {
        self.enumerations.get()
    }
    pub fn wildcards(&self) -> usize {
        self.wildcards.get()
    }
    pub fn several(&self) -> usize {
        self.several.get()
    }
    pub fn enum_errors(&self) -> usize {
        self.enum_errors.get()
    }
    pub fn compared(&self) -> usize {
        self.queries.get() + self.enumerations.get()
    }

    /// Prints one line (`cargo test -- --nocapture` shows it) and checks that the worlds
    /// exercised both answers.
    pub fn report(&self) {
        eprintln!(
            "DRT {}: {} compared cases on {} worlds in {:.1?}: {} is_allowed ({} allowed, {} errors on both sides), \
             {} authorized_actions ({} of several actions, {} wildcards, {} errors on both sides)",
            self.name,
            self.compared(),
            self.worlds.get(),
            self.start.elapsed(),
            self.queries.get(),
            self.allowed.get(),
            self.errors.get(),
            self.enumerations.get(),
            self.several.get(),
            self.wildcards.get(),
            self.enum_errors.get(),
        );
        let actions = self.actions.borrow();
        let never: Vec<&str> = actions.iter().filter(|(_, n)| n.1 == 0).map(|(a, _)| a.as_str()).collect();
        if !never.is_empty() {
            eprintln!("DRT {}: actions no world allowed: {never:?}", self.name);
        }
        if self.queries.get() > 0 {
            assert!(
                self.allowed.get() > 0 && self.allowed.get() < self.queries.get(),
                "{}: the generated worlds exercise both answers",
                self.name
            );
        }
    }
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

/// A failure of one world, with the world printed as Rust source.
pub fn failure(message: String, world: &impl ToRust) -> TestCaseError {
    TestCaseError::fail(format!("DRT mismatch: {message}\nin the world (Rust source):\n{}", world.to_rust()))
}

// ---- reproductions as Rust source

/// A value written as the Rust expression that builds it.
pub trait ToRust {
    fn to_rust(&self) -> String;
}

impl ToRust for String {
    fn to_rust(&self) -> String {
        format!("{self:?}.to_owned()")
    }
}

impl ToRust for &str {
    fn to_rust(&self) -> String {
        format!("{self:?}")
    }
}

macro_rules! to_rust_plain {
    ($($t:ty),*) => { $(
        impl ToRust for $t {
            fn to_rust(&self) -> String { format!("{self:?}") }
        }
    )* };
}
to_rust_plain!(bool, i8, i16, i32, i64, u8, u16, u32, u64, usize, char);

impl ToRust for f64 {
    fn to_rust(&self) -> String {
        if self.is_nan() {
            "f64::NAN".into()
        } else if self.is_infinite() {
            if *self > 0.0 { "f64::INFINITY".into() } else { "f64::NEG_INFINITY".into() }
        } else {
            format!("{self:?}")
        }
    }
}

fn items<'a, T: ToRust + 'a>(items: impl IntoIterator<Item = &'a T>) -> String {
    items.into_iter().map(ToRust::to_rust).collect::<Vec<_>>().join(", ")
}

impl<T: ToRust> ToRust for Vec<T> {
    fn to_rust(&self) -> String {
        format!("vec![{}]", items(self))
    }
}

impl<T: ToRust, const N: usize> ToRust for [T; N] {
    fn to_rust(&self) -> String {
        format!("[{}]", items(self))
    }
}

impl<T: ToRust> ToRust for Box<[T]> {
    fn to_rust(&self) -> String {
        format!("Box::from([{}])", items(self.iter()))
    }
}

impl<T: ToRust> ToRust for Box<T> {
    fn to_rust(&self) -> String {
        format!("Box::new({})", (**self).to_rust())
    }
}

impl<T: ToRust> ToRust for Rc<T> {
    fn to_rust(&self) -> String {
        format!("Rc::new({})", (**self).to_rust())
    }
}

impl<T: ToRust> ToRust for Option<T> {
    fn to_rust(&self) -> String {
        match self {
            Some(x) => format!("Some({})", x.to_rust()),
            None => "None".into(),
        }
    }
}

impl<T: ToRust> ToRust for VecDeque<T> {
    fn to_rust(&self) -> String {
        format!("VecDeque::from([{}])", items(self))
    }
}

impl<T: ToRust> ToRust for BTreeSet<T> {
    fn to_rust(&self) -> String {
        format!("BTreeSet::from([{}])", items(self))
    }
}

impl<T: ToRust, S> ToRust for HashSet<T, S> {
    fn to_rust(&self) -> String {
        format!("HashSet::from([{}])", items(self))
    }
}

fn entries<'a, K: ToRust + 'a, V: ToRust + 'a>(entries: impl IntoIterator<Item = (&'a K, &'a V)>) -> String {
    entries
        .into_iter()
        .map(|(k, v)| format!("({}, {})", k.to_rust(), v.to_rust()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<K: ToRust, V: ToRust> ToRust for BTreeMap<K, V> {
    fn to_rust(&self) -> String {
        format!("BTreeMap::from([{}])", entries(self))
    }
}

impl<K: ToRust, V: ToRust, S> ToRust for HashMap<K, V, S> {
    fn to_rust(&self) -> String {
        format!("HashMap::from([{}])", entries(self))
    }
}

/// `impl ToRust` for structs, listing their fields.
///
/// ```ignore
/// to_rust_struct!(User { name, level });
/// ```
#[macro_export]
macro_rules! to_rust_struct {
    ($($t:ident { $($f:ident),* $(,)? })*) => { $(
        impl $crate::drt_support::ToRust for $t {
            fn to_rust(&self) -> String {
                let fields: Vec<String> = vec![
                    $(format!("{}: {}", stringify!($f), $crate::drt_support::ToRust::to_rust(&self.$f))),*
                ];
                format!("{} {{ {} }}", stringify!($t), fields.join(", "))
            }
        }
    )* };
}

/// Compares, for every actor of `$actors` and resource of `$resources`, the compiled
/// policy's `authorized_actions` with Oso's, and `is_allowed` on every action of `$actions`.
/// The Oso-side values are made with `From<&compiled>` into `$OsoActor` / `$OsoResource`. On
/// a mismatch the enclosing proptest closure returns the failure with `$world` as Rust source.
#[macro_export]
macro_rules! compare_pairs {
    (
        $($authz:ident)::+, $oso:expr, $tally:expr, $world:expr, $actions:expr,
        $actors:expr => $OsoActor:ty, $resources:expr => $OsoResource:ty $(,)?
    ) => {{
        for (a, actor) in $actors.iter().enumerate() {
            let oso_actor = <$OsoActor>::from(actor);
            for (r, resource) in $resources.iter().enumerate() {
                let oso_resource = <$OsoResource>::from(resource);
                let pair = || format!("{} {a}, {} {r}", stringify!($OsoActor), stringify!($OsoResource));
                let theirs = $crate::drt_support::oso_actions(&$oso, oso_actor.clone(), oso_resource.clone());
                let mine = $crate::drt_support::our_set($($authz)::+::try_authorized_action_names(actor, resource));
                let what = || format!("authorized_actions({})", pair());
                $tally.enumeration(what, mine, theirs).map_err(|e| $crate::drt_support::failure(e, $world))?;
                for action in $actions {
                    let theirs = $crate::drt_support::theirs($oso.is_allowed(
                        oso_actor.clone(),
                        action,
                        oso_resource.clone(),
                    ));
                    let mine = $crate::drt_support::ours($($authz)::+::try_is_allowed(actor, action, resource));
                    let what = || format!("is_allowed({action:?}, {})", pair());
                    $tally
                        .action_query(action, what, mine, theirs, $crate::drt_support::Strict::Errors)
                        .map_err(|e| $crate::drt_support::failure(e, $world))?;
                }
            }
        }
    }};
}
