# Scaling benchmark 2: folder hierarchies, a role on the root and a check on the leaf.
# "read" recurses through the resource block (`"viewer" if "viewer" on "parent"`), "view"
# through an explicit recursive rule. See `../scaling.rs` and BENCHMARKS.md, section "Scaling".

actor User {}

resource Folder {
  roles = ["viewer"];
  permissions = ["read"];
  relations = { parent: Folder };

  "read" if "viewer";
  "viewer" if "viewer" on "parent";
}

has_role(user: User, name: String, folder: Folder) if
  role in user.roles and
  role matches { name: name, resource_id: folder.id };

has_relation(parent: Folder, "parent", folder: Folder) if parent in folder.parents;

allow(actor, action, resource) if has_permission(actor, action, resource);

allow(user: User, "view", folder: Folder) if can_view(user, folder);

can_view(user: User, folder: Folder) if
  role in user.roles and
  role matches { name: "viewer", resource_id: folder.id };
can_view(user: User, folder: Folder) if
  parent in folder.parents and
  can_view(user, parent);
