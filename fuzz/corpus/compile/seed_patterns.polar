# List patterns: in unifications over a field (the rest borrows the Vec), in parameters over
# a list known only through its view, with recursion over the rest.
allow(user: User, "first", doc: Doc) if [first, *_] = doc.tags and first in user.tags;
allow(user: User, "second", doc: Doc) if [_, second, *_] = doc.tags and second = user.name;
allow(_user: User, "pair", doc: Doc) if [a, b] = doc.tags and a != b;
allow(user: User, "rest", doc: Doc) if [_, *rest] = doc.tags and user.name in rest;
allow(user: User, "member", doc: Doc) if has(doc.tags, user.name);
allow(user: User, "starts", doc: Doc) if starts(doc.tags, user.name);
allow(_user: User, "short", doc: Doc) if short(doc.tags);
allow(user: User, "tagged", doc: Doc) if tagged(doc, user.name);
allow(user: User, "same", doc: Doc) if same_tags(user.tags, doc.tags);

has([x, *_], x);
has([_, *rest], x) if has(rest, x);
starts([first, *_rest], first);
short([]);
short([_]);
tagged(_doc: Doc{tags: [t, *_]}, t);
same_tags([], []);
same_tags([x, *xs], [x, *ys]) if same_tags(xs, ys);

# Clause selection on typed arguments of any kind (a call that binds `n`, so inlined): a
# parameter pattern of another kind makes the clause not apply.
allow(user: User, "size", doc: Doc) if size(doc.tags, n) and n = user.level;
allow(user: User, "titled", doc: Doc) if size(doc.title, n) and n = user.level;
allow(user: User, "author", doc: Doc) if size(doc.author, n) and n = user.level;
size([], 0);
size([_], 1);
size([_, _], 2);
size(_x: String, 3);
size(_x: {name: "ann"}, 4);
size(_x: {name: "bo", admin: true}, 0);
