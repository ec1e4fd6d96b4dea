allow(_: User, "read", doc: Doc) if doc.public;
allow(user: User, "read", doc: Doc) if doc.title = user.name and cut;
allow(_: User, "read", note: Note) if note.pages + 1 > 3;
allow(_: User, "read", folder: Folder) if folder.public;
