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
# Two choices at each level and a failure at the bottom: 2^n calls. Oso fails on its goal
# stack or its timeout; the compiled check stops at MAX_STEPS recursive calls.
branchy(n: Integer) if n = 0 and false;
branchy(n: Integer) if n > 0 and x in [1, 2] and branchy(n - 1) and x = 3;
