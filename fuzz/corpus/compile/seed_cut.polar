# `cut` and Oso's clause order: more specific clauses run first wherever they are in the
# source, a `cut` skips the clauses after its own, and an error hides what comes after it.

# Locked documents only for admins: the more specific clause is last in the source.
allow(_user: User, "read", doc: Doc) if doc.public;
allow(user: User, "read", _doc: Doc{locked: true}) if cut and user.admin;

# Only the first tag counts: `cut` also drops the remaining choices of `in`.
allow(user: User, "tag", doc: Doc) if t in doc.tags and cut and t in user.tags;

# A `cut` in a rule that binds `l` (inlined into the caller) does not cut the caller's
# choices of `t`.
allow(user: User, "level", doc: Doc) if t in doc.tags and level_of(user, t, l) and l >= doc.level;
level_of(user: User, _t, l) if l = user.level;
level_of(_user: User{admin: true}, "boost", 10) if cut;

# The goals after a `cut` still backtrack.
allow(user: User, "after", doc: Doc) if cut and t in doc.tags and t in user.tags;

# A ground call: the called rule's `cut` decides its answer.
allow(user: User, "ground", doc: Doc) if gate(user, doc);
gate(_user: User, doc: Doc) if doc.public;
gate(user: User, _doc: Doc{locked: true}) if user.level > 2 and cut and user.admin;
gate(_user: User{admin: false}, doc: Doc{locked: true}) if cut and doc.level < 1;

# An error in a clause (a string used as a condition) hides the clauses after it.
allow(_user: User, "err", doc: Doc) if doc.title;
allow(_user: User, "err", _doc: Doc{public: true});

# Oso decides which clauses apply before it runs any body, from the last clause to the
# first: comparing two users (a class without `==`) there is an error, whatever comes first.
allow(user: User, "peer", doc: Doc) if peer(user, doc.author);
peer(_a, _b);
peer(x, x);

# A ground call whose continuation fails: Oso goes on through the called rule's other
# solutions (each binds nothing, so the continuation fails again), and an error there ends
# the query, whatever the clauses after would say.
allow(_user: User, "again", doc: Doc) if titled(doc) and doc.locked;
allow(_user: User, "again", doc: Doc) if doc.public;
titled(_doc: Doc);
titled(doc: Doc) if doc.title;
