# Deep recursion on acyclic data (issue 15): Oso 0.27.3 answers countdown(1427) by query and
# allow for 1426, and fails one level deeper on its 10,000-goal stack. Used by
# tests/tests/depth_vs_oso.rs and runtime/tests/depth.rs.
countdown(n: Integer) if n = 0;
countdown(n: Integer) if n > 0 and countdown(n - 1);
even(n: Integer) if n = 0;
even(n: Integer) if n > 0 and odd(n - 1);
odd(n: Integer) if n > 0 and even(n - 1);
# Never ends: fails closed at the depth limit.
forever(n: Integer) if forever(n + 1);
allow(_, "count", n: Integer) if countdown(n);
