# Constructs mixed with resource blocks: instance and dictionary patterns (as specializers of
# the rules the blocks call and after `matches`), `not` over a recursive role call, `cut` in a
# rule that binds its output, `forall` over permission checks, a list pattern with a rest,
# arithmetic, and a wildcard clause (every action) for authorized_actions.
actor User {}

resource Org {
  roles = ["member", "owner"];
  permissions = ["read", "invite"];

  "read" if "member";
  "invite" if "owner";
  "member" if "owner";
}

resource Repo {
  roles = ["reader", "writer", "maintainer"];
  permissions = ["read", "push", "merge"];
  relations = { parent: Org };

  "read" if "reader";
  "push" if "writer";
  "merge" if "maintainer";
  "reader" if "writer";
  "writer" if "maintainer";
  "reader" if "member" on "parent";
  "maintainer" if "owner" on "parent";
}

has_role(user: User{banned: false}, name: String, org: Org) if
  grant in user.grants and grant matches Grant{kind: "org", id: org.id, role: name};
has_role(user: User{banned: false}, name: String, repo: Repo{archived: false}) if
  grant in user.grants and grant matches {kind: "repo", id: repo.id, role: name};
has_relation(org: Org, "parent", repo: Repo) if org = repo.org;

allow(actor, action, resource) if has_permission(actor, action, resource);
# Admins may do anything to unlocked repositories: a wildcard for authorized_actions.
allow(_: User{admin: true}, _action, _: Repo{locked: false});
# `not` over a recursive role call.
allow(user: User, "comment", repo: Repo) if has_permission(user, "read", repo) and not has_role(user, "writer", repo);
# `cut` in a rule that binds its output: only the best role counts.
allow(user: User, "label", repo: Repo) if best_role(user, repo, role) and role in repo.labelers;
best_role(user: User, repo: Repo, "maintainer") if has_role(user, "maintainer", repo) and cut;
best_role(user: User, repo: Repo, "writer") if has_role(user, "writer", repo) and cut;
best_role(_user: User, _repo: Repo, "none");
# `forall` over the repositories a user watches, each a permission check.
allow(user: User, "digest", org: Org) if
  has_role(user, "member", org) and forall(r in user.watching, has_permission(user, "read", r));
# A list pattern with a rest on a field.
allow(user: User, "first", repo: Repo) if [first, *rest] = repo.maintainers and first = user.name and not first in rest;
# Arithmetic beside a role.
allow(user: User, "push", repo: Repo) if has_role(user, "reader", repo) and user.karma - repo.threshold >= 10;
