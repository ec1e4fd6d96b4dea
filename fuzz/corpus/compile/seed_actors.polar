# Several actor types (users, services, teams acting on their own) under the `Actor` and
# `Resource` unions; roles granted per actor type, a user inheriting its teams' roles; Oso's
# most-specific-first order between a class and a union, with `cut`.
actor User {}
actor Service {}
actor Team {}

resource Org {
  roles = ["member", "admin", "owner"];
  permissions = ["view", "manage"];

  "view" if "member";
  "manage" if "admin";
  "member" if "admin";
  "admin" if "owner";
}

resource Project {
  roles = ["guest", "dev", "lead"];
  permissions = ["view", "build", "deploy", "manage"];
  relations = { org: Org };

  "view" if "guest";
  "build" if "dev";
  "deploy" if "lead";
  "manage" if "manage" on "org";

  "guest" if "dev";
  "dev" if "lead";
  "lead" if "owner" on "org";
  "guest" if "member" on "org";
}

has_role(user: User, name: String, org: Org) if user.org = org.id and name in user.org_roles;
has_role(user: User, name: String, project: Project) if
  role in user.project_roles and role.project = project.id and role.name = name;
# A user has the roles of its teams; a team has its role on its projects.
has_role(user: User, name: String, project: Project) if team in user.teams and has_role(team, name, project);
has_role(team: Team, name: String, project: Project) if project.id in team.projects and name = team.role;
has_role(service: Service, "dev", project: Project) if project.id in service.projects;

has_relation(org: Org, "org", project: Project) if org = project.org;

allow(actor: Actor, action, resource: Resource) if has_permission(actor, action, resource);
allow(_: Actor, "view", project: Project) if project.public;
# The class beats the union: users ping when active; any other actor when it is a service
# or a team (`matches` on the union).
allow(user: User, "ping", _: Resource) if user.active;
allow(actor: Actor, "ping", _: Resource) if actor matches Service or actor matches Team;
allow(service: Service, action, _: Project) if service.admin and action in ["deploy", "build"];
allow(_: Actor, "audit", org: Org) if org.audited and not org.frozen;
# For a user, the more specific clause runs first and its `cut` drops every other clause of
# `allow`: also when enumerating the actions, where it is the only one a user on an org gets.
allow(user: User, "freeze", org: Org) if cut and user.org = org.id and "owner" in user.org_roles;
allow(_: Actor, "freeze", _: Org);
