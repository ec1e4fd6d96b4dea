# ReBAC in the style of Google Drive: folders in folders, documents in folders, teams of users
# and of teams. Roles are granted to users on folders, documents and teams, and to services on
# folders; they flow down the folder hierarchy and through (nested) team membership: the
# roles of the resource blocks are recursive.
actor User {}
actor Service {}

resource Team {
  roles = ["member", "maintainer"];
  relations = { subteam: Team };

  "member" if "maintainer";
  # The members of a subteam are members of the team (any depth).
  "member" if "member" on "subteam";
}

resource Folder {
  roles = ["viewer", "commenter", "editor", "owner"];
  permissions = ["read", "comment", "write", "share", "delete"];
  relations = { parent: Folder, team: Team, creator: User };

  "read" if "viewer";
  "comment" if "commenter";
  "write" if "editor";
  "share" if "owner";
  "delete" if "owner";

  "viewer" if "commenter";
  "commenter" if "editor";
  "editor" if "owner";
  "owner" if "creator";

  "viewer" if "viewer" on "parent";
  "commenter" if "commenter" on "parent";
  "editor" if "editor" on "parent";
  "owner" if "owner" on "parent";

  "editor" if "member" on "team";
  "owner" if "maintainer" on "team";
}

resource Document {
  roles = ["viewer", "editor", "owner"];
  permissions = ["read", "comment", "write", "share", "delete"];
  relations = { folder: Folder, creator: User };

  "read" if "viewer";
  "comment" if "viewer";
  "write" if "editor";
  "share" if "owner";
  "delete" if "owner";

  "viewer" if "editor";
  "editor" if "owner";
  "owner" if "creator";

  "viewer" if "commenter" on "folder";
  "editor" if "editor" on "folder";
  "owner" if "owner" on "folder";
}

# Direct grants: a user's grants name a resource kind and id.
has_role(user: User, name: String, team: Team) if
  grant in user.grants and grant matches {kind: "team", id: team.id, role: name};
has_role(user: User, name: String, folder: Folder) if
  grant in user.grants and grant matches {kind: "folder", id: folder.id, role: name};
has_role(user: User, name: String, doc: Document) if
  grant in user.grants and grant.kind = "document" and grant.id = doc.id and grant.role = name;
# A service sees the folders in its scope; anyone with a role sees a public document.
has_role(service: Service, "viewer", folder: Folder) if folder.id in service.scopes;
has_role(actor: Actor, "viewer", doc: Document) if doc.public and actor matches {active: true};

has_relation(sub: Team, "subteam", team: Team) if sub in team.subteams;
has_relation(parent: Folder, "parent", folder: Folder) if parent in folder.parent;
has_relation(team: Team, "team", folder: Folder) if team in folder.teams;
has_relation(user: User, "creator", folder: Folder) if user.id = folder.creator;
has_relation(folder: Folder, "folder", doc: Document) if folder = doc.folder;
has_relation(user: User, "creator", doc: Document) if user.id = doc.creator;

allow(actor: Actor, action, resource: Resource) if has_permission(actor, action, resource);
# A service that indexes reads every document it can see the folder of.
allow(service: Service, "index", doc: Document) if service.indexer and has_role(service, "viewer", doc.folder);
