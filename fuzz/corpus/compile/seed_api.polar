# The entry points beyond is_allowed (tests/tests/api_vs_oso.rs): actions bound by literal
# parameters, by called rules, by data, and left unbound (wildcards); allow_request and
# allow_field; an inline query.

# Negation of a goal with a variable local to the `not`.
allow(user: User, "manage", _: Doc) if user.admin and not (p in user.perms and p = "fly");
# Every action: a wildcard.
allow(user: User, _action, _: Doc) if user.level > 8;
# Bound by data, the specializer checked after the body has bound it.
allow(user: User, action: String, _: Doc) if action in user.perms;
allow(_: User, "read", doc: Doc) if doc.public;
# Bound by a called rule: literals, and a wildcard through `_`.
allow(user: User, action, doc: Doc) if can(user, action, doc);
# Not a string: an error for Oso's get_allowed_actions::<String> and for ours.
allow(_: User, 1, doc: Doc) if doc.owner = "zed" and doc.locked;

can(user: User, "edit", doc: Doc) if doc.owner = user.name and not doc.locked;
can(user: User, "read", doc: Doc) if doc.owner = user.name;
can(_: User, _, doc: Doc) if doc.locked and doc.public;

allow_request(_: User, request: Request) if request.path = "/";
allow_request(user: User, request: Request) if user.admin and request.method = "POST";
allow_request(user: User, request: Request) if request.method = "GET" and request.path in user.paths;

allow_field(_: User, "read", doc: Doc, "title") if doc.public;
allow_field(user: User, "read", doc: Doc, field) if doc.owner = user.name and field in doc.fields;
allow_field(user: User, action, doc: Doc, field) if action in user.perms and field = doc.secret_field;
allow_field(user: User, "write", _: Doc, _field) if user.level = 10;

known_action("read");
?= known_action("read");
