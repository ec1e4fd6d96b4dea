# Scaling benchmark 1: a user with many role assignments (gitclub-style `has_role` over a
# `Vec` of roles). See `../scaling.rs` and BENCHMARKS.md, section "Scaling".

actor User {}

resource Repo {
  roles = ["reader", "writer", "admin"];
  permissions = ["read", "push", "delete"];

  "read" if "reader";
  "push" if "writer";
  "delete" if "admin";

  "reader" if "writer";
  "writer" if "admin";
}

has_role(user: User, name: String, repo: Repo) if
  role in user.roles and
  role matches { name: name, resource_id: repo.id };

allow(actor, action, resource) if has_permission(actor, action, resource);
