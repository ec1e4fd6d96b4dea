# Recursive hierarchies over data that may be CYCLIC: a node's parents and a group's subgroups
# are computed from a shared graph by methods, so a node can be its own ancestor and a group
# its own subgroup. The compiled policy stops at its depth limit with an error (a deny);
# tests/tests/cyclic_vs_oso.rs records what Oso does on the same data.
actor User {}

resource Group {
  roles = ["member"];
  relations = { subgroup: Group };

  # Recursive role: the members of a subgroup are members of the group.
  "member" if "member" on "subgroup";
}

resource Node {
  roles = ["viewer", "editor"];
  permissions = ["read", "write"];
  relations = { parent: Node, group: Group };

  "read" if "viewer";
  "write" if "editor";
  "viewer" if "editor";
  # Recursive roles down the hierarchy, and through (recursive) group membership.
  "viewer" if "viewer" on "parent";
  "editor" if "member" on "group";
}

has_role(user: User, "member", group: Group) if user.id in group.members;
has_role(user: User, "viewer", node: Node) if node.owner = user.id;
has_role(user: User, "editor", node: Node) if user.id in node.editors;

has_relation(sub: Group, "subgroup", group: Group) if sub in group.subgroups();
has_relation(parent: Node, "parent", node: Node) if parent in node.parents();
has_relation(group: Group, "group", node: Node) if group in node.groups();

# Plain recursive rules: one that binds its first argument, one called with both bound.
ancestor(a: Node, n: Node) if a in n.parents();
ancestor(a: Node, n: Node) if p in n.parents() and ancestor(a, p);

reaches(n: Node, id) if n.id = id;
reaches(n: Node, id) if p in n.parents() and reaches(p, id);

allow(user: User, "audit", node: Node) if ancestor(a, node) and a.owner = user.id;
allow(user: User, "trace", node: Node) if reaches(node, user.home);
allow(user: User, "leaf", node: Node) if not ancestor(node, node) and node.owner = user.id;
allow(actor, action, resource) if has_permission(actor, action, resource);
