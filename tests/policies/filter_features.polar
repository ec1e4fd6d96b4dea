# Data filtering: every relation kind, `or`, `not`, `forall`, comparisons and known lists.
# Used by tests/tests/filter_features.rs.

actor User {}

allow(_: User, "read", doc: Doc) if doc.public;
allow(user: User, "read", doc: Doc) if doc.owner_id = user.id;
allow(user: User, "read", doc: Doc) if doc.folder.owner_id = user.id;
allow(user: User, "read", doc: Doc) if tag in doc.tags and tag.name in user.interests;

allow(user: User, "edit", doc: Doc) if doc.owner_id = user.id and not doc.locked;
allow(user: User, "edit", doc: Doc) if share in doc.shares and share.user_id = user.id and share.level >= 2;

allow(user: User, "review", doc: Doc) if
    doc.pages > user.min_pages and doc.pages <= 100 or doc.title = "README";

allow(user: User, "archive", doc: Doc) if
    user.level > 0 and forall(share in doc.shares, share.level < user.level);

allow(user: User, "delete", doc: Doc) if
    user.admin and not (tag in doc.tags and tag.name = "protected");

allow(user: User, "tag", doc: Doc) if
    doc.title != user.name and has_tag(doc, "draft");

has_tag(doc: Doc, name: String) if tag in doc.tags and tag.name = name;

allow(user: User, "list", folder: Folder) if doc in folder.docs and doc.owner_id = user.id;
allow(user: User, "list", folder: Folder) if folder.owner_id = user.id;
