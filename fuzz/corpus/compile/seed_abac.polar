# Attribute checks: every construct the back end compiles besides resource blocks.
allow(_user: User, "view", doc: Doc) if doc.public;
allow(user: User, "view", doc: Doc) if doc.owner = user.name;
allow(user: User, "edit", doc: Doc) if doc.owner = user.name and not doc.locked;
allow(user: User, "edit", doc: Doc) if user.level >= 5 and doc.level < user.level;
allow(user: User, "comment", doc: Doc) if tag in doc.tags and tag in user.tags;
allow(user: User, "share", _doc: Doc) if "sharing" in user.tags or user.level == 9;
allow(user: User, "audit", doc: Doc) if
    user matches User and doc matches {locked: true} and level := user.level and level > 2;
allow(user: User, "archive", doc: Doc) if not (doc.public or doc.locked) and user.level != 0;
allow(_: User, action, doc: Doc) if action = doc.special_action;
allow(user: User, "rename", doc: Doc) if owns(owner, doc) and owner = user.name and doc.title != "";
owns(name, doc: Doc) if name = doc.owner;
