//! Differential test of `polar-runtime`'s operators against Oso 0.27.3 evaluating the same
//! operation on the same host values.
//!
//! Oso runs a small policy (`POLICY`: one rule per operator) through `Oso::query_rule` with
//! the operands passed as Rust values, so no literal syntax gets in the way (Oso cannot even
//! parse `-9223372036854775808`). For every pair of operands and every operator, our answer
//! must be Oso's: the same truth value, the same number (bit for bit, NaN for NaN), or an
//! error where Oso raises one (or panics: see `oso_modulo_panics`).
//!
//! Our integer operands come in every Rust width (Oso's host converts each to an `i64`) and
//! both float widths, and the dispatch below instantiates every pair of types, so every impl
//! of the numeric cross product is compared with Oso.
//!
//! Pairs we refuse at compile time (a string with a number, a boolean with a number under
//! `=`, ...) are checked to be ones where Oso never answers true: it fails or errors.
//!
//! Inputs: hand-picked edge values (every pair of them), and proptest-generated values (scale
//! with `PROPTEST_CASES`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use oso::{Oso, PolarValue, ToPolarList};
use polar_runtime::{
    ArithOp, CmpOp, Dict, Members, Number, RuntimeError, add, compare, div, equal, modulo, mul, rem, sub,
    unify,
};
use proptest::prelude::*;

const POLICY: &str = r#"
op_unify(a, b) if a = b;
op_eq(a, b) if a == b;
op_ne(a, b) if a != b;
op_lt(a, b) if a < b;
op_le(a, b) if a <= b;
op_gt(a, b) if a > b;
op_ge(a, b) if a >= b;
op_add(a, b, c) if c = a + b;
op_sub(a, b, c) if c = a - b;
op_mul(a, b, c) if c = a * b;
op_div(a, b, c) if c = a / b;
op_mod(a, b, c) if c = a mod b;
op_rem(a, b, c) if c = a rem b;
op_member(x, xs) if x in xs;
op_entry(k, v, m) if [k, v] in m;
"#;

thread_local! {
    static OSO: Oso = {
        let mut oso = Oso::new();
        oso.load_str(POLICY).expect("the test policy loads");
        oso
    };
}

/// Oso's answer to a query: `Ok(first result)` or `Err` (an error, or a panic inside Oso).
fn oso_first<T>(
    rule: &str,
    args: impl ToPolarList,
    f: impl FnOnce(Option<oso::ResultSet>) -> T,
) -> Result<T, String> {
    OSO.with(|oso| {
        catch_unwind(AssertUnwindSafe(|| {
            let mut query = oso.query_rule(rule, args).map_err(|e| e.to_string())?;
            match query.next() {
                None => Ok(f(None)),
                Some(Ok(result)) => Ok(f(Some(result))),
                Some(Err(e)) => Err(e.to_string()),
            }
        }))
        .unwrap_or_else(|_| Err(String::from("Oso panicked")))
    })
}

/// Whether the rule holds for these arguments, per Oso.
fn oso_holds(rule: &str, args: impl ToPolarList) -> Result<bool, String> {
    oso_first(rule, args, |r| r.is_some())
}

/// `c` in `rule(a, b, c)`, per Oso.
fn oso_arith(op: ArithOp, a: PolarValue, b: PolarValue) -> Result<PolarValue, String> {
    let rule = match op {
        ArithOp::Add => "op_add",
        ArithOp::Sub => "op_sub",
        ArithOp::Mul => "op_mul",
        ArithOp::Div => "op_div",
        ArithOp::Mod => "op_mod",
        ArithOp::Rem => "op_rem",
    };
    oso_first(rule, (a, b, PolarValue::Variable("c".into())), |r| r.and_then(|r| r.get("c")))
        .and_then(|c| c.ok_or_else(|| String::from("no result")))
}

fn cmp_rule(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "op_eq",
        CmpOp::Ne => "op_ne",
        CmpOp::Lt => "op_lt",
        CmpOp::Le => "op_le",
        CmpOp::Gt => "op_gt",
        CmpOp::Ge => "op_ge",
    }
}

// ---- operands

/// A number in one of the Rust types the runtime accepts. Wide integers hold values in `i64`
/// (Oso cannot receive others; the runtime's unit tests cover them).
#[derive(Clone, Copy, Debug)]
enum Num {
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    I128(i128),
    Isize(isize),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    Usize(usize),
    F32(f32),
    F64(f64),
}

/// Runs `$body` with `$x` bound to a reference to the number in its own Rust type.
macro_rules! on_num {
    ($v:expr, $x:ident => $body:expr) => {
        match $v {
            Num::I8($x) => $body,
            Num::I16($x) => $body,
            Num::I32($x) => $body,
            Num::I64($x) => $body,
            Num::I128($x) => $body,
            Num::Isize($x) => $body,
            Num::U8($x) => $body,
            Num::U16($x) => $body,
            Num::U32($x) => $body,
            Num::U64($x) => $body,
            Num::Usize($x) => $body,
            Num::F32($x) => $body,
            Num::F64($x) => $body,
        }
    };
}

impl Num {
    /// The value as Oso's Rust host would convert it.
    fn to_oso(self) -> PolarValue {
        match self {
            Num::F32(f) => PolarValue::Float(f64::from(f)),
            Num::F64(f) => PolarValue::Float(f),
            _ => PolarValue::Integer(self.as_i64()),
        }
    }

    fn as_i64(self) -> i64 {
        let wide: i128 = match self {
            Num::I8(x) => x.into(),
            Num::I16(x) => x.into(),
            Num::I32(x) => x.into(),
            Num::I64(x) => x.into(),
            Num::I128(x) => x,
            Num::Isize(x) => x as i128,
            Num::U8(x) => x.into(),
            Num::U16(x) => x.into(),
            Num::U32(x) => x.into(),
            Num::U64(x) => x.into(),
            Num::Usize(x) => x as i128,
            Num::F32(_) | Num::F64(_) => unreachable!("not an integer"),
        };
        i64::try_from(wide).expect("generated integers fit i64")
    }

    /// `i` in every integer type where it fits (for the hand-picked cases).
    fn ints(i: i64) -> Vec<Num> {
        let mut out = vec![Num::I64(i), Num::I128(i.into())];
        out.extend(i8::try_from(i).ok().map(Num::I8));
        out.extend(i16::try_from(i).ok().map(Num::I16));
        out.extend(i32::try_from(i).ok().map(Num::I32));
        out.extend(isize::try_from(i).ok().map(Num::Isize));
        out.extend(u8::try_from(i).ok().map(Num::U8));
        out.extend(u16::try_from(i).ok().map(Num::U16));
        out.extend(u32::try_from(i).ok().map(Num::U32));
        out.extend(u64::try_from(i).ok().map(Num::U64));
        out.extend(usize::try_from(i).ok().map(Num::Usize));
        out
    }
}

/// Our answer for every operator on a pair of numbers.
#[derive(Debug)]
struct NumAnswers {
    unify: bool,
    equal: bool,
    compare: [bool; 6],
    arith: [Result<Number, RuntimeError>; 6],
}

fn ours_num(a: Num, b: Num) -> NumAnswers {
    on_num!(a, x => on_num!(b, y => NumAnswers {
        unify: unify(&x, &y),
        equal: equal(&x, &y),
        compare: CmpOp::ALL.map(|op| compare(&x, op, &y)),
        arith: [add(&x, &y), sub(&x, &y), mul(&x, &y), div(&x, &y), modulo(&x, &y), rem(&x, &y)],
    }))
}

fn same_number(ours: &Result<Number, RuntimeError>, oso: &Result<PolarValue, String>) -> bool {
    match (ours, oso) {
        (Ok(Number::Int(a)), Ok(PolarValue::Integer(b))) => a == b,
        (Ok(Number::Float(a)), Ok(PolarValue::Float(b))) => {
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
        }
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// Compares every operator on `(a, b)` with Oso; returns the disagreements.
fn check_num_pair(a: Num, b: Num) -> Vec<String> {
    let ours = ours_num(a, b);
    let mut diffs = Vec::new();
    let args = || (a.to_oso(), b.to_oso());
    let oso_unify = oso_holds("op_unify", args());
    if oso_unify != Ok(ours.unify) {
        diffs.push(format!("{a:?} = {b:?}: ours {}, Oso {oso_unify:?}", ours.unify));
    }
    if ours.equal != ours.compare[0] {
        diffs.push(format!("{a:?} == {b:?}: Equal says {}, Compare says {}", ours.equal, ours.compare[0]));
    }
    for (op, ours) in CmpOp::ALL.into_iter().zip(ours.compare) {
        let oso = oso_holds(cmp_rule(op), args());
        if oso != Ok(ours) {
            diffs.push(format!("{a:?} {op} {b:?}: ours {ours}, Oso {oso:?}"));
        }
    }
    for (op, ours) in ArithOp::ALL.into_iter().zip(&ours.arith) {
        let oso = oso_arith(op, a.to_oso(), b.to_oso());
        if !same_number(ours, &oso) {
            diffs.push(format!("{a:?} {op} {b:?}: ours {ours:?}, Oso {oso:?}"));
        }
    }
    diffs
}

/// The same strings as `str`, `String` and `&str`: `$body` runs with `$x` bound to each.
macro_rules! on_str {
    ($s:expr, $x:ident => $body:expr) => {{
        let owned: &String = $s;
        let slice: &str = owned.as_str();
        let by_ref: &&str = &slice;
        [
            {
                let $x = owned;
                $body
            },
            {
                let $x = slice;
                $body
            },
            {
                let $x = by_ref;
                $body
            },
        ]
    }};
}

fn check_str_pair(a: &String, b: &String) -> Vec<String> {
    let mut diffs = Vec::new();
    let args = || (a.clone(), b.clone());
    let oso = oso_holds("op_unify", args());
    for ours in on_str!(a, x => on_str!(b, y => unify(x, y))).into_iter().flatten() {
        if oso != Ok(ours) {
            diffs.push(format!("{a:?} = {b:?}: ours {ours}, Oso {oso:?}"));
        }
    }
    for op in CmpOp::ALL {
        let oso = oso_holds(cmp_rule(op), args());
        for ours in on_str!(a, x => on_str!(b, y => compare(x, op, y))).into_iter().flatten() {
            if oso != Ok(ours) {
                diffs.push(format!("{a:?} {op} {b:?}: ours {ours}, Oso {oso:?}"));
            }
        }
        if op == CmpOp::Eq {
            for ours in on_str!(a, x => on_str!(b, y => equal(x, y))).into_iter().flatten() {
                if oso != Ok(ours) {
                    diffs.push(format!("{a:?} == {b:?} (Equal): ours {ours}, Oso {oso:?}"));
                }
            }
        }
    }
    diffs
}

/// Booleans: `=` only with booleans; `==` and the orderings also with numbers (0 and 1).
fn check_bool_num(b: bool, n: Num) -> Vec<String> {
    let mut diffs = Vec::new();
    for op in CmpOp::ALL {
        let ours_bn = on_num!(n, y => compare(&b, op, &y));
        let ours_nb = on_num!(n, x => compare(&x, op, &b));
        let oso_bn = oso_holds(cmp_rule(op), (b, n.to_oso()));
        let oso_nb = oso_holds(cmp_rule(op), (n.to_oso(), b));
        if oso_bn != Ok(ours_bn) {
            diffs.push(format!("{b} {op} {n:?}: ours {ours_bn}, Oso {oso_bn:?}"));
        }
        if oso_nb != Ok(ours_nb) {
            diffs.push(format!("{n:?} {op} {b}: ours {ours_nb}, Oso {oso_nb:?}"));
        }
        if op == CmpOp::Eq {
            let (e1, e2) = on_num!(n, y => (equal(&b, &y), equal(&y, &b)));
            if (Ok(e1), Ok(e2)) != (oso_bn.clone(), oso_nb.clone()) {
                diffs.push(format!("{b} == {n:?} (Equal): ours {e1}/{e2}, Oso {oso_bn:?}/{oso_nb:?}"));
            }
        }
    }
    // Refused at compile time: Oso must never unify them.
    for oso in [oso_holds("op_unify", (b, n.to_oso())), oso_holds("op_unify", (n.to_oso(), b))] {
        if oso != Ok(false) {
            diffs.push(format!("{b} = {n:?}: refused by us, Oso {oso:?}"));
        }
    }
    diffs
}

fn check_bools(a: bool, b: bool) -> Vec<String> {
    let mut diffs = Vec::new();
    let oso = oso_holds("op_unify", (a, b));
    if oso != Ok(unify(&a, &b)) {
        diffs.push(format!("{a} = {b}: ours {}, Oso {oso:?}", unify(&a, &b)));
    }
    for op in CmpOp::ALL {
        let oso = oso_holds(cmp_rule(op), (a, b));
        if oso != Ok(compare(&a, op, &b)) {
            diffs.push(format!("{a} {op} {b}: ours {}, Oso {oso:?}", compare(&a, op, &b)));
        }
    }
    if oso_holds("op_eq", (a, b)) != Ok(equal(&a, &b)) {
        diffs.push(format!("{a} == {b} (Equal): ours {}", equal(&a, &b)));
    }
    diffs
}

/// A string against a number: no impl of any operator here; Oso fails `=` and errors on
/// the comparisons and on arithmetic.
fn check_str_num(s: &str, n: Num) -> Vec<String> {
    let mut diffs = Vec::new();
    for args in [(PolarValue::String(s.into()), n.to_oso()), (n.to_oso(), PolarValue::String(s.into()))] {
        let oso = oso_holds("op_unify", args.clone());
        if oso != Ok(false) {
            diffs.push(format!("{args:?} with =: refused by us, Oso {oso:?}"));
        }
        for op in CmpOp::ALL {
            let oso = oso_holds(cmp_rule(op), args.clone());
            if oso.is_ok() {
                diffs.push(format!("{args:?} with {op}: refused by us, Oso {oso:?}"));
            }
        }
        let oso = oso_arith(ArithOp::Add, args.0.clone(), args.1.clone());
        if oso.is_ok() {
            diffs.push(format!("{args:?} with +: refused by us, Oso {oso:?}"));
        }
    }
    diffs
}

// ---- membership

/// `x in list` for a list of `i64`, `f64` or `u8` and an item of any numeric type.
fn check_num_member(x: Num, ints: &[i64], floats: &[f64]) -> Vec<String> {
    let mut diffs = Vec::new();
    let small: Vec<u8> = ints.iter().filter_map(|&i| u8::try_from(i).ok()).collect();
    let cases: [(bool, Vec<PolarValue>); 5] = [
        (
            on_num!(x, y => ints.members().any(|m| unify(&y, m))),
            ints.iter().map(|&i| PolarValue::Integer(i)).collect(),
        ),
        (
            on_num!(x, y => floats.members().any(|m| unify(&y, m))),
            floats.iter().map(|&f| PolarValue::Float(f)).collect(),
        ),
        (
            on_num!(x, y => small.members().any(|m| unify(&y, m))),
            small.iter().map(|&i| PolarValue::Integer(i.into())).collect(),
        ),
        (
            on_num!(x, y => ints.iter().copied().collect::<BTreeSet<i64>>().members().any(|m| unify(&y, m))),
            ints.iter().copied().collect::<BTreeSet<i64>>().into_iter().map(PolarValue::Integer).collect(),
        ),
        (
            on_num!(x, y => ints.first().copied().members().any(|m| unify(&y, m))),
            ints.first().map(|&i| PolarValue::Integer(i)).into_iter().collect(),
        ),
    ];
    for (ours, list) in cases {
        let oso = oso_holds("op_member", (x.to_oso(), PolarValue::List(list.clone())));
        if oso != Ok(ours) {
            diffs.push(format!("{x:?} in {list:?}: ours {ours}, Oso {oso:?}"));
        }
    }
    // An Option is an instance in Oso, iterated by the host.
    let opt = ints.first().copied();
    let ours = on_num!(x, y => opt.members().any(|m| unify(&y, m)));
    let oso = oso_holds("op_member", (x.to_oso(), opt));
    if oso != Ok(ours) {
        diffs.push(format!("{x:?} in {opt:?} (Option): ours {ours}, Oso {oso:?}"));
    }
    diffs
}

/// `s in string` (characters), `s in list of strings`, `[k, v] in map`.
fn check_str_members(
    item: &String,
    hay: &String,
    list: &[String],
    map: &BTreeMap<String, i64>,
    v: i64,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let ours = on_str!(item, x => hay.members().any(|c| unify(x, c)));
    let oso = oso_holds("op_member", (item.clone(), hay.clone()));
    if ours.iter().any(|&o| oso != Ok(o)) {
        diffs.push(format!("{item:?} in {hay:?}: ours {ours:?}, Oso {oso:?}"));
    }
    let ours = list.members().any(|s| unify(item, s));
    let oso = oso_holds("op_member", (item.clone(), list.to_vec()));
    if oso != Ok(ours) {
        diffs.push(format!("{item:?} in {list:?}: ours {ours}, Oso {oso:?}"));
    }
    let set: HashSet<String> = list.iter().cloned().collect();
    let ours = set.members().any(|s| unify(item.as_str(), s));
    let oso = oso_holds("op_member", (item.clone(), set.clone()));
    if oso != Ok(ours) {
        diffs.push(format!("{item:?} in {set:?}: ours {ours}, Oso {oso:?}"));
    }
    let hash: HashMap<String, i64> = map.clone().into_iter().collect();
    let ours_b = map.entries().any(|(k, x)| unify(item.as_str(), k) && unify(&v, x));
    let ours_h = hash.entries().any(|(k, x)| unify(item, k) && unify(x, &v));
    let oso = oso_holds("op_entry", (item.clone(), v, map.clone()));
    if oso != Ok(ours_b) || oso != Ok(ours_h) {
        diffs.push(format!("[{item:?}, {v}] in {map:?}: ours {ours_b}/{ours_h}, Oso {oso:?}"));
    }
    diffs
}

fn report(what: &str, diffs: Vec<String>) {
    assert!(diffs.is_empty(), "{what}: {} disagreements with Oso:\n{}", diffs.len(), diffs.join("\n"));
}

// ---- hand-picked cases

/// Edge values: every pair of them is compared on every operator.
fn edge_numbers() -> Vec<Num> {
    let mut out = Vec::new();
    for i in [
        0,
        1,
        -1,
        2,
        3,
        -3,
        7,
        -7,
        i64::MAX,
        i64::MIN,
        i64::MAX - 1,
        i64::MIN + 1,
        1 << 53,
        (1 << 53) + 1,
        -(1 << 53) - 1,
        (1 << 53) - 1,
        (1 << 24) + 1,
        1 << 62,
        i32::MAX.into(),
        u32::MAX.into(),
        255,
    ] {
        out.push(Num::I64(i));
    }
    let p = |e: i32| 2f64.powi(e);
    for f in [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.5,
        -7.5,
        3.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        p(24),
        p(53),
        p(53) - 1.0,
        p(53) + 2.0,
        p(63),
        -p(63),
        p(63) - 1024.0,
        p(64),
        1e300,
    ] {
        out.push(Num::F64(f));
    }
    out.extend([Num::F32(0.1), Num::F32(f32::NAN), Num::F32(f32::INFINITY), Num::F32(-2.5)]);
    out
}

#[test]
fn every_pair_of_edge_numbers_agrees_with_oso() {
    let numbers = edge_numbers();
    let mut diffs = Vec::new();
    for &a in &numbers {
        for &b in &numbers {
            diffs.extend(check_num_pair(a, b));
        }
    }
    report("edge numbers", diffs);
}

#[test]
fn every_integer_width_agrees_with_oso() {
    // Small values in every width, against each other: 169 type pairs per value pair.
    let mut diffs = Vec::new();
    for (a, b) in [(1, 1), (-7, 3), (7, 2), (0, 255), (300, -1), (2, 0)] {
        for x in Num::ints(a).into_iter().chain([Num::F32(a as f32), Num::F64(a as f64)]) {
            for y in Num::ints(b).into_iter().chain([Num::F32(b as f32), Num::F64(b as f64)]) {
                diffs.extend(check_num_pair(x, y));
            }
        }
    }
    report("integer widths", diffs);
}

#[test]
fn documented_cases() {
    use Number::{Float, Int};
    // The examples of the brief and of oso-polar-notes.md §2.3, on both sides.
    assert_eq!(add(&1i64, &2i64), Ok(Int(3)));
    assert!(unify(&add(&1i64, &2i64).unwrap(), &3.0f64));
    assert_eq!(oso_holds("op_unify", (3i64, 3.0f64)), Ok(true));
    assert_eq!(modulo(&-7i64, &3i64), Ok(Int(2)));
    assert_eq!(rem(&-7i64, &3i64), Ok(Int(-1)));
    assert_eq!(div(&7i64, &2i64), Ok(Float(3.5)));
    assert_eq!(div(&1i64, &0i64), Ok(Float(f64::INFINITY)));
    assert_eq!(div(&1.0f64, &0i64), Ok(Float(f64::INFINITY)));
    assert!(add(&i64::MAX, &1i64).is_err());
    assert!(compare("a", CmpOp::Lt, "b"));
    assert!(equal(&true, &1i64));
    assert_eq!(oso_holds("op_eq", (true, 1i64)), Ok(true));
    assert_eq!(oso_holds("op_unify", (true, 1i64)), Ok(false));
    assert!(!"".members().any(|c| unify("", c)));
    assert_eq!(oso_holds("op_member", ("", "")), Ok(false));
    for (a, b) in [(-7, 3), (7, -3), (i64::MIN, -1), (1, 0), (7, 2), (i64::MAX, 1), (i64::MIN, 1)] {
        report("documented", check_num_pair(Num::I64(a), Num::I64(b)));
    }
    for (a, b) in [(1.0, 0.0), (f64::NAN, f64::NAN), (f64::INFINITY, f64::INFINITY), (-7.5, 2.0)] {
        report("documented", check_num_pair(Num::F64(a), Num::F64(b)));
    }
}

/// Oso computes integer `mod` as `(a rem b + b) rem b` with an unchecked `+`: in a debug
/// build it panics when that sum overflows, in a release build it answers wrongly. We give
/// `ArithmeticOverflow` (deny).
#[test]
fn oso_modulo_panics() {
    let (a, b) = (i64::MAX - 1, i64::MAX);
    let oso = oso_arith(ArithOp::Mod, PolarValue::Integer(a), PolarValue::Integer(b));
    if cfg!(debug_assertions) {
        assert_eq!(oso, Err(String::from("Oso panicked")));
    }
    assert_eq!(modulo(&a, &b), Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Mod }));
}

#[test]
fn strings_agree_with_oso() {
    let strings: Vec<String> =
        ["", "a", "b", "ab", "B", "é", "z", "€", "a\u{0}", "A", " a"].iter().map(|s| s.to_string()).collect();
    let mut diffs = Vec::new();
    for a in &strings {
        for b in &strings {
            diffs.extend(check_str_pair(a, b));
        }
        for n in [Num::I64(1), Num::F64(0.0), Num::U8(0)] {
            diffs.extend(check_str_num(a, n));
        }
    }
    report("strings", diffs);
}

#[test]
fn booleans_agree_with_oso() {
    let mut diffs = Vec::new();
    for a in [false, true] {
        for b in [false, true] {
            diffs.extend(check_bools(a, b));
        }
        for n in [
            Num::I64(0),
            Num::I64(1),
            Num::I64(2),
            Num::I64(-1),
            Num::F64(0.5),
            Num::F64(1.0),
            Num::U8(1),
            Num::F32(0.0),
        ] {
            diffs.extend(check_bool_num(a, n));
        }
        for n in [Num::F64(f64::NAN), Num::F64(f64::INFINITY)] {
            diffs.extend(check_bool_num(a, n));
        }
    }
    report("booleans", diffs);
}

#[test]
fn membership_agrees_with_oso() {
    let mut diffs = Vec::new();
    let ints = [1i64, 2, 2, i64::MAX, -3];
    let floats = [1.0, 2.5, f64::NAN, f64::INFINITY, -0.0];
    for x in [
        Num::I64(1),
        Num::U8(2),
        Num::F64(2.5),
        Num::F64(0.0),
        Num::F64(f64::NAN),
        Num::I64(i64::MAX),
        Num::F32(1.0),
    ] {
        diffs.extend(check_num_member(x, &ints, &floats));
        diffs.extend(check_num_member(x, &[], &[]));
    }
    let list: Vec<String> = vec!["a".into(), "bc".into(), "".into()];
    let map: BTreeMap<String, i64> = [("a".into(), 1), ("bc".into(), 2)].into_iter().collect();
    for item in ["a", "b", "bc", "", "é", "x"] {
        for hay in ["abc", "", "é€", "bc"] {
            for v in [1, 2] {
                diffs.extend(check_str_members(&item.to_string(), &hay.to_string(), &list, &map, v));
            }
        }
    }
    report("membership", diffs);
}

/// `nil` is `Option::None`: `x = nil` holds exactly for `None`; an `Option` never unifies
/// with its content (we refuse that pair at compile time).
#[test]
fn options_agree_with_oso() {
    let mut oso = Oso::new();
    oso.load_str("is_nil(x) if x = nil; eq_nil(x) if x == nil; is_one(x) if x = 1;").unwrap();
    let holds = |rule: &str, opt: Option<i64>| oso.query_rule(rule, (opt,)).unwrap().next().is_some();
    for opt in [None, Some(1i64)] {
        assert_eq!(holds("is_nil", opt), unify(&opt, &polar_runtime::Nil), "{opt:?} = nil");
        assert_eq!(holds("eq_nil", opt), equal(&opt, &polar_runtime::Nil), "{opt:?} == nil");
        assert!(!holds("is_one", opt), "{opt:?} = 1");
    }
}

// ---- generated cases

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Integers: small ones (collisions and `mod`/`rem` signs), edges and anything in `i64`.
fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -10i64..10,
        2 => any::<i64>(),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1, 1 << 53, (1 << 53) + 1, -(1 << 53)]),
        1 => (-64i32..64).prop_map(|e| if e < 0 { -(1i64 << -e.max(-62)) } else { 1i64 << e.min(62) }),
    ]
}

/// Floats: integral ones (to meet integers), fractions, every class of `f64`.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-10i32..10).prop_map(f64::from),
        2 => (-100i32..100).prop_map(|i| f64::from(i) / 4.0),
        2 => any::<f64>(),
        2 => int().prop_map(|i| i as f64),
        1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 2f64.powi(63), -2f64.powi(63)]),
    ]
}

/// A number in a random Rust type that can hold it.
fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        3 => (int(), 0usize..16).prop_map(|(i, pick)| {
            let options = Num::ints(i);
            options[pick % options.len()]
        }),
        2 => float().prop_map(Num::F64),
        1 => float().prop_map(|f| Num::F32(f as f32)),
    ]
}

/// Two numbers close to each other, where exactness matters: an integer and a float at,
/// next to or half a unit from it, at any magnitude.
fn close_pair() -> impl Strategy<Value = (Num, Num)> {
    let magnitude = prop_oneof![
        -1000i64..1000,
        (0u32..63).prop_flat_map(|bits| {
            let hi = 1i64 << bits;
            prop_oneof![(hi / 2)..=hi, -hi..=(-hi / 2)]
        }),
    ];
    (
        magnitude,
        0usize..16,
        -2i64..=2,
        prop::sample::select(vec![0.0, 0.5, -0.5, 0.25]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(i, pick, step, frac, f32_side, swap)| {
            let options = Num::ints(i);
            let int = options[pick % options.len()];
            let f = (i.saturating_add(step)) as f64 + frac;
            let float = if f32_side { Num::F32(f as f32) } else { Num::F64(f) };
            if swap { (float, int) } else { (int, float) }
        })
}

fn short_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ab]{0,3}",
        1 => "[a-zA-Z0-9 é€\u{0}]{0,4}",
        1 => any::<String>().prop_map(|s| s.chars().take(4).collect()),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn generated_numbers_agree_with_oso(a in num(), b in num()) {
        let diffs = check_num_pair(a, b);
        prop_assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }

    #[test]
    fn generated_close_numbers_agree_with_oso((a, b) in close_pair()) {
        let diffs = check_num_pair(a, b);
        prop_assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }

    #[test]
    fn generated_strings_agree_with_oso(a in short_string(), b in short_string(), n in num()) {
        let mut diffs = check_str_pair(&a, &b);
        diffs.extend(check_str_num(&a, n));
        prop_assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }

    #[test]
    fn generated_booleans_agree_with_oso(a: bool, b: bool, n in num()) {
        let mut diffs = check_bools(a, b);
        diffs.extend(check_bool_num(a, n));
        prop_assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }

    #[test]
    fn generated_membership_agrees_with_oso(
        x in num(),
        ints in prop::collection::vec(int(), 0..5),
        floats in prop::collection::vec(float(), 0..5),
        item in short_string(),
        hay in short_string(),
        list in prop::collection::vec(short_string(), 0..4),
        map in prop::collection::btree_map(short_string(), -3i64..3, 0..4),
        v in -3i64..3,
    ) {
        let mut diffs = check_num_member(x, &ints, &floats);
        diffs.extend(check_str_members(&item, &hay, &list, &map, v));
        prop_assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }
}
