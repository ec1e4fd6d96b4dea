# Built-in classes as specializers and after `matches`, instance and dictionary patterns with
# fields (also nested, also on map fields), and variables bound by patterns.

# Which built-in class a value belongs to; the test calls it with values of every Rust type.
kind(_x: Integer, "Integer");
kind(_x: Float, "Float");
kind(_x: Boolean, "Boolean");
kind(_x: String, "String");
kind(_x: List, "List");
kind(_x: Dictionary, "Dictionary");
kind(_x: Option, "Option");
kind(_x: User, "User");
kind(x, "matches Integer") if x matches Integer;
kind(x, "matches Float") if x matches Float;
kind(x, "matches Boolean") if x matches Boolean;
kind(x, "matches List") if x matches List;
kind(x, "matches Dictionary") if x matches Dictionary;
kind(x, "matches Option") if x matches Option;
kind(x, "matches User") if x matches User;
kind(x: Integer, "big") if x > 10;
kind(x: Float, "positive") if x > 0;
kind(x: Boolean, "true") if x;
kind(x: String, "late") if x > "m";
kind(_x: Dictionary{a: 1}, "a is 1");
kind(_x: Dictionary{a: v, b: v}, "a is b");
kind(_x: [1, *_], "starts with 1");
kind(_x: User{admin: true}, "admin");
kind(1.0, "literal 1.0");
kind(true, "literal true");
kind("a", "literal a");

# Instance patterns as specializers.
allow(_user: User, "read", doc: Doc) if doc.public;
allow(_user: User{admin: true}, _action, _doc: Doc);
allow(_user: User, "read", _doc: Doc{public: true, locked: false});
allow(user: User, "edit", _doc: Doc{owner: name}) if name = user.name;
allow(_user: User{level: 3}, "audit", _doc: Doc{org: Org{public: true}});
allow(_user: User{admin: false}, "meta", _doc: Doc{meta: {kind: "secret"}});
allow(_user: User{attrs: {clearance: c}}, "classified", doc: Doc) if c >= doc.level;
# Patterns after `matches`.
allow(user: User, "tag", doc: Doc) if doc matches Doc{tags: [first, *_rest]} and first in user.tags;
allow(user: User, "score", doc: Doc) if
    doc.score matches Float and user.level matches Integer and doc.score > user.level;
allow(_user: User, "org", doc: Doc) if doc.org matches Org{name: "acme"};
allow(user: User, "manager", _doc: Doc) if user.manager matches Option and user.attrs matches Dictionary{clearance: _};
allow(user: User, "dict", doc: Doc) if doc.meta matches Dictionary{kind: k} and k = user.name;
allow(user: User, "list", doc: Doc) if doc.tags matches List and user.tags matches [_, _];
allow(user: User, "nested", doc: Doc) if user matches User{attrs: {clearance: 2}} and doc matches {level: 2};

# Dictionary patterns on values whose class the compiled rule does not know: a map's keys,
# an instance's fields (looked up by name).
kind(_x: {name: "ann"}, "named ann");
kind(_x: {a: 1, b: _}, "a 1, b set");
allow(user: User, "named", doc: Doc) if named(doc.author, user.name);
allow(user: User, "keyed", doc: Doc) if keyed(doc.meta, user.name);
named(_x: {name: n}, n);
keyed(_m: {kind: k}, k);
# A field the instance does not have: the pattern fails.
allow(_user: User, "untitled", doc: Doc) if untitled(doc) or doc.public;
untitled(_x: {subtitle: ""});
