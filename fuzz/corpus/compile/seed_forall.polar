# `forall`, `print`, and goals nested in them.
allow(u: User, "all_tags", d: Doc) if forall(t in d.tags, t in u.tags);
allow(u: User, "all_positive", d: Doc) if forall(n in d.nums, n > 0) and u.age > 0;
allow(_u: User, "below_a", d: Doc) if forall(n in d.nums, n < d.dict.a);
allow(_u: User, "vacuous", d: Doc) if forall(x in d.nums, x = 1 and x = 2);
allow(u: User, "method", d: Doc) if forall(t in d.tags, u.has_tag(t));
allow(u: User, "doubled", d: Doc) if forall(n in d.nums, y = n * 2 and y > u.age);
allow(u: User, "nested", d: Doc) if forall(t in d.tags, forall(c in t, c in u.name));
allow(u: User, "not", d: Doc) if not forall(t in u.tags, t in d.tags);
allow(u: User, "pairs", d: Doc) if forall(n in d.nums and m in d.nums, n = m or n < m or n > m) and d.level = u.age;
allow(u: User, "print", d: Doc) if d.level = 424242 and print("check", u.name, d.level, d.nums, u.prefs, d.owner);
allow(u: User, "print2", _d: Doc) if u.age = 3 and print(u.age + 1, 2.5, [1, 2], nil, u);
# Oso runs the goal of `not` (and `forall`) to completion: an error in a later alternative
# aborts the query although an earlier one answered, and the second clause is never tried.
allow(_u: User, "late_error", d: Doc) if not (n in d.nums and n * 2 > 4);
allow(_u: User, "late_error", _d: Doc);
allow(_u: User, "late_forall", d: Doc) if forall(n in d.nums, n * 2 > 4);
allow(_u: User, "late_forall", _d: Doc);
allow(_u: User, "late_call", d: Doc) if not has_big(d);
allow(_u: User, "late_call", _d: Doc);
has_big(d: Doc) if n in d.nums and n * 2 > 4;
# A rule call answers at its first solution; when the rest of the conjunction then fails,
# Oso backtracks into the rule and may meet an error there.
allow(u: User, "backtrack", _d: Doc) if succ_small(u.age) and u.age = 2;
allow(_u: User, "backtrack", _d: Doc);
succ_small(x) if x = 1;
succ_small(x) if x + 9223372036854775807 > 0;
