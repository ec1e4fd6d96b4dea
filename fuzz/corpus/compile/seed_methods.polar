# Method calls: the Rust method of the same name on the receiver's class, arguments by
# reference (see `codegen/values.rs`).
allow(u: User, "check", d: Doc) if u.check(d.level, "x");
allow(u: User, "plus", d: Doc) if u.plus(2) = d.level;
allow(u: User, "maybe_nil", _d: Doc) if u.maybe() = nil;
allow(u: User, "maybe_in", d: Doc) if x in u.maybe() and x = d.level;
allow(u: User, "greet", d: Doc) if u.greet(d.title) = "hi ann";
allow(u: User, "nested", d: Doc) if u.plus(u.plus(1)) > d.level;
allow(u: User, "adult", _d: Doc) if u.is_adult();
allow(u: User, "not_adult", _d: Doc) if not u.is_adult() and u.age > 0;
allow(u: User, "count", d: Doc) if u.count_tags(d.tags) > 1;
allow(u: User, "arith", d: Doc) if u.plus(d.level * 2) mod 3 = 0;
allow(u: User, "items", d: Doc) if t in d.tags and u.has_tag(t);
allow(u: User, "literal_list", _d: Doc) if u.count_tags(["a", "b"]) = 1;
