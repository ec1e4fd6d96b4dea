# Membership `in` over every collection type the runtime supports (the Rust types of each
# field are in tests/tests/collections_vs_oso.rs), testing a bound value and binding a variable,
# over list literals, dictionaries looked up, under `not` and `forall`, and binding the action (authorized_actions).
actor User {}

allow(u: User, "vec", b: Bag) if u.name in b.vec;
allow(u: User, "slice", b: Bag) if u.level in b.slice;
allow(u: User, "array", b: Bag) if x in b.array and x > u.level;
allow(u: User, "deque", b: Bag) if t in b.deque and t in u.tags;
allow(u: User, "hash_set", b: Bag) if u.name in b.hash_set;
allow(u: User, "btree_set", b: Bag) if n in b.btree_set and n = u.level;
# Maps are dictionaries: looked up and matched (`[k, v] in m` is tested in dict_in.polar).
allow(u: User, "hash_map", b: Bag) if b.hash_map.ann = u.level;
allow(u: User, "btree_map", b: Bag) if b.btree_map.owner = u.name;
allow(u: User, "option", b: Bag) if o in b.maybe and o = u.name;
allow(u: User, "chars", b: Bag) if c in u.name and c in b.text;
allow(u: User, "linked", b: Bag) if n in b.linked and n < u.level;
allow(u: User, "heap", b: Bag) if u.level in b.heap;
allow(u: User, "nested", b: Bag) if xs in b.nested and x in xs and x = u.level;
allow(u: User, "shared", b: Bag) if u.name in b.shared;
allow(u: User, "literal", b: Bag) if u.name in ["ann", "bo"] and b.text in ["", "ab", u.name];
allow(u: User, "not_in", b: Bag) if not u.name in b.hash_set and not u.level in b.btree_set;
allow(u: User, "forall", b: Bag) if forall(n in b.slice, n in b.btree_set) and u.level > 0;
# Oso compares the elements of a field iterated by `forall`: NaN is skipped.
allow(u: User, "forall_floats", b: Bag) if forall(x in b.floats, x > u.level);
allow(u: User, "forall_nested", b: Bag) if forall(xs in b.nested, u.level in xs);
allow(u: User, "key", b: Bag) if b.hash_map matches {bo: v} and v < u.level;
allow(u: User, "empty", b: Bag) if not _ in b.maybe and not _ in u.tags;
# The action bound by data: from a set, from a map's value.
allow(u: User, action, b: Bag) if action in b.actions and action in u.tags;
allow(_: User, action, b: Bag) if action = b.btree_map.next;
