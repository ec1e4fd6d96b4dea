# Arithmetic in value position (Oso's semantics: checked i64, `/` always a float, `mod` takes
# the divisor's sign and `rem` the dividend's, integer `mod`/`rem` by zero is an error).
allow(u: User, "double", d: Doc) if x := u.age * 2 and x > d.level;
allow(u: User, "succ", d: Doc) if u.age + 1 > d.level;
allow(u: User, "diff", d: Doc) if d.level - u.age = 3;
allow(u: User, "ratio", d: Doc) if u.age / d.level > 0.5;
allow(u: User, "modulo", d: Doc) if u.age mod d.level = 1;
allow(u: User, "remainder", d: Doc) if u.age rem 3 = -1 or d.level rem u.age == 0;
allow(u: User, "float", d: Doc) if u.score * 2 >= d.weight + 1;
allow(u: User, "mixed", d: Doc) if u.age + d.weight < 10;
allow(u: User, "chain", d: Doc) if (u.age + d.level) * 2 - 1 == 7;
allow(u: User, "negate", _d: Doc) if -1 * u.age > 0;
allow(u: User, "not", d: Doc) if not u.age * 3 = d.level;
allow(u: User, "generic", _d: Doc) if positive_successor(u.age);
allow(u: User, "assign", d: Doc) if n := d.level mod 4 and m := u.age rem 5 and n = m;
allow(u: User, "prefs", d: Doc) if u.prefs.a * d.level > 2;
# A dictionary lookup of a missing key fails; an overflow is an error: Oso hoists them in
# order, innermost first and left to right, so these two differ when both happen.
allow(u: User, "order", d: Doc) if d.dict.missing = u.age + 1;
allow(u: User, "order2", d: Doc) if u.age + 1 = d.dict.a;
allow(u: User, "order3", d: Doc) if u.prefs.a - 1 < d.level * 2;
positive_successor(n) if n + 1 > 1;
