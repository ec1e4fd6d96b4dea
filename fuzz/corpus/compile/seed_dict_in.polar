# `[key, value] in map`: Polar dictionaries held in Rust maps (the Rust types of each field are
# in tests/tests/dict_in_vs_oso.rs), with the key and value unbound, bound, literals or nested
# patterns, under `not` and `forall`, before a `cut`, in recursive rules, over a collection of
# lists, and over dictionary literals (Oso iterates a dictionary in key order).
actor User {}

# Key and value unbound, then tested.
allow(u: User, "score", b: Bag) if [k, v] in b.scores and k = u.name and v > u.level;
# The key bound (hoisted from a lookup), the value bound.
allow(u: User, "named", b: Bag) if [u.name, v] in b.scores and v >= 0;
allow(u: User, "level", b: Bag) if [_, u.level] in b.scores;
# Literals.
allow(u: User, "literal", b: Bag) if ["ann", 1] in b.scores and [k, "owner"] in b.labels and k = u.name;
# String values, `in` on them, `!=` on keys.
allow(u: User, "label", b: Bag) if [k, v] in b.labels and v in u.tags and k != u.name;
# Instance values: a field of the value, and instance equality.
allow(u: User, "team", b: Bag) if [k, t] in b.teams and t.size > u.level and k = u.name;
allow(_: User, "team_eq", b: Bag) if [_, t] in b.teams and t = b.lead;
# `not`.
allow(u: User, "not", b: Bag) if not [u.name, _] in b.scores and not [_, "owner"] in b.labels;
# `forall` over a field (Oso compares each entry with the map again: NaN values are skipped)
# and over a bound map (nothing is compared: NaN is not skipped).
allow(u: User, "forall", b: Bag) if forall([k, v] in b.scores, v > u.level or k = u.name);
allow(_: User, "forall_nan", b: Bag) if forall([_k, x] in b.floats, x > 0);
allow(_: User, "forall_bound", b: Bag) if m = b.floats and forall([_k, x] in m, x > 0);
# Instances without an equality check: an entry is compared only with itself.
allow(u: User, "forall_members", b: Bag) if forall([_, m] in b.members, m.age > u.level);
allow(u: User, "not_forall", b: Bag) if not forall([k, _] in b.labels, k in u.tags);
# A collection of lists: elements that are not two-element lists do not match.
allow(u: User, "pairs", b: Bag) if [a, c] in b.pairs and a = u.name and c in u.tags;
allow(u: User, "forall_pairs", b: Bag) if forall([a, _] in b.pairs, a != u.name);
allow(_: User, "forall_fpairs", b: Bag) if forall([x, y] in b.fpairs, x < y);
# A list literal of another length over a field inside `forall` (compared like Oso too).
allow(_: User, "forall_single", b: Bag) if forall([x] in b.fpairs, x > 0);
# Nested patterns on list and dictionary values.
allow(u: User, "nested", b: Bag) if [k, [x, y]] in b.nested and x < y and k = u.name;
allow(u: User, "grade", b: Bag) if [k, {level: l}] in b.grades and l > u.level and k in u.tags;
# Errors depend on the order: Oso answers with the first entry in key order.
allow(u: User, "overflow", b: Bag) if [_, v] in b.big and v + 1 > u.level;
allow(u: User, "not_overflow", b: Bag) if not ([_, v] in b.big and v + u.level > 5);
# `cut` takes the first entry in key order.
allow(u: User, "cut", b: Bag) if first_score(b, k) and k = u.name;
first_score(b: Bag, k) if [k, _] in b.scores and cut;
# A recursive rule over a map of links (an acyclic graph).
allow(u: User, "reach", b: Bag) if reach(b, u.name, "z");
allow(u: User, "reach_from", b: Bag) if reach(b, x, u.name) and x in u.tags;
reach(b: Bag, from, to) if [from, to] in b.links;
reach(b: Bag, from, to) if [from, mid] in b.links and reach(b, mid, to);
# Dictionary literals.
allow(u: User, "dict_literal", _: Bag) if [k, v] in {bo: 2, ann: 1, a: 0} and k = u.name and v > u.level;
allow(u: User, "dict_pair", b: Bag) if x in {owner: "ann", admin: "bo"} and x = [role, u.name] and role in b.roles;
allow(u: User, "dict_first", _: Bag) if first_literal(k) and k = u.name;
first_literal(k) if [k, _] in {bo: 1, ann: 2} and cut;
# Actions from a map's keys and from a dictionary literal (authorized_actions).
allow(u: User, action, b: Bag) if [action, v] in b.labels and v = u.name;
allow(u: User, action, _: Bag) if [action, min] in {read: 0, write: 1, admin: 2} and u.level >= min;
