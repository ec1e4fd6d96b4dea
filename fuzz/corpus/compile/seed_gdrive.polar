# Google Drive, the Cedar OOPSLA 2024 example (cedar/gdrive.cedar), ported to Polar.
#
# Cedar encodes "who may view" as entities of type View that documents and folders are members
# of; here documents and folders list the users and groups that may view them. Documents sit
# in folders and folders in folders (a DAG): viewing and owning a folder extend to everything
# in it, transitively.

# If a document is public, then anyone can read it.
allow(_: User, "read", doc: Document) if doc.public;

# A user can read a document they, or a group they are in, may view, directly or through the
# folders it is in.
allow(user: User, "read", doc: Document) if viewer(user, doc);
allow(user: User, "read", doc: Document) if
  folder in doc.folders and
  folder_viewer(user, folder);

# A document's owner (or an owner of a folder it is in) can read, write or share it.
allow(user: User, action: String, doc: Document) if
  action in ["read", "write", "share"] and
  owns(user, doc);

# A document's owner can change the owner.
allow(user: User, "changeOwner", doc: Document) if doc.id in user.owned_documents;

# A folder's owner can create documents.
allow(user: User, "createDocument", folder: Folder) if folder.id in user.owned_folders;

viewer(user: User, doc: Document) if user.id in doc.viewers;
viewer(user: User, doc: Document) if group in user.groups and group in doc.viewer_groups;

folder_viewer(user: User, folder: Folder) if user.id in folder.viewers;
folder_viewer(user: User, folder: Folder) if group in user.groups and group in folder.viewer_groups;
folder_viewer(user: User, folder: Folder) if
  parent in folder.parents and
  folder_viewer(user, parent);

owns(user: User, doc: Document) if doc.id in user.owned_documents;
owns(user: User, doc: Document) if folder in doc.folders and owns_folder(user, folder);

owns_folder(user: User, folder: Folder) if folder.id in user.owned_folders;
owns_folder(user: User, folder: Folder) if
  parent in folder.parents and
  owns_folder(user, parent);
