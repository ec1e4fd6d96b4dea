//! Deep recursion on acyclic data against Oso 0.27.3: Oso answers `countdown(1427)` and fails
//! from 1,428 levels, when its goal stack passes 10,000 goals (through `allow`, one level
//! fewer: `is_allowed` for 1,426, an error from 1,427). The compiled rule answers the
//! same wherever Oso answers, on a thread with the default 2 MiB stack, and also past Oso's
//! limit (up to `MAX_DEPTH` recursive calls): that is the one intended difference. The
//! compiled side alone, in a release build too, is `runtime/tests/depth.rs`.

const POLICY: &str = include_str!("../policies/depth.polar");

mod authz {
    polar_runtime::polar!(file = "policies/depth.polar");
}

/// Oso's answer: `Some(holds)`, or `None` when the query fails with an error.
fn oso_answer(oso: &oso::Oso, rule: &str, n: i64) -> Option<bool> {
    match oso.query_rule(rule, (n,)) {
        Ok(mut results) => match results.next() {
            None => Some(false),
            Some(Ok(_)) => Some(true),
            Some(Err(_)) => None,
        },
        Err(_) => None,
    }
}

fn compiled_answer(rule: &str, n: i64) -> Option<bool> {
    let rule = rule.to_owned();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || match rule.as_str() {
            "countdown" => authz::rules::countdown(&n).ok(),
            "even" => authz::rules::even(&n).ok(),
            _ => authz::rules::odd(&n).ok(),
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_recursion_answers_as_oso_does() {
    let mut oso = oso::Oso::new();
    oso.load_str(POLICY).unwrap();
    let cases = [
        ("countdown", 1000, Some(true)),
        ("countdown", 1427, Some(true)),
        // Oso's goal stack overflows here; the compiled rule goes on (see the module doc).
        ("countdown", 1428, None),
        ("even", 1000, Some(true)),
        ("odd", 1000, Some(false)),
        ("odd", 1427, Some(true)),
        ("even", 1428, None),
    ];
    for (rule, n, expected) in cases {
        assert_eq!(oso_answer(&oso, rule, n), expected, "Oso: {rule}({n})");
        let compiled = compiled_answer(rule, n);
        match expected {
            Some(answer) => assert_eq!(compiled, Some(answer), "compiled: {rule}({n})"),
            None => assert_eq!(compiled, Some(true), "compiled past Oso's limit: {rule}({n})"),
        }
    }
}

#[test]
fn deep_recursion_through_allow_answers_as_oso_does() {
    let mut oso = oso::Oso::new();
    oso.load_str(POLICY).unwrap();
    assert_eq!(oso.is_allowed("alice", "count", 1426i64).ok(), Some(true));
    assert!(oso.is_allowed("alice", "count", 1427i64).is_err(), "Oso's goal stack");
    let compiled = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| [1426i64, 1427, 5000].map(|n| authz::try_is_allowed(&"alice", "count", &n)))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(compiled, [Ok(true), Ok(true), Ok(true)]);
}

/// `authorized_actions` over a deep rule: Oso's enumeration returns the action where its
/// goal stack holds (and fails whole one level deeper); the compiled one returns it at both.
#[test]
fn authorized_actions_over_a_deep_rule() {
    let mut oso = oso::Oso::new();
    oso.load_str(POLICY).unwrap();
    let theirs: std::collections::HashSet<String> = oso.get_allowed_actions("alice", 1426i64).unwrap();
    assert_eq!(theirs, ["count".to_owned()].into());
    assert!(oso.get_allowed_actions::<_, _, String>("alice", 1427i64).is_err());
    let ours = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            [1426i64, 1427].map(|n| {
                let allowed = authz::try_authorized_action_names(&"alice", &n).unwrap();
                (allowed.contains("count"), allowed.iter().count())
            })
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(ours, [(true, 1), (true, 1)]);
}
