# GitHub, the Cedar OOPSLA 2024 example (cedar/github.cedar), ported to Polar.
#
# Cedar models each repository permission as an entity ("repo_3_writers") that users and teams
# are members of, and orders the actions read < triage < write < maintain < admin. Here the
# permissions are roles of a resource block, the action order is the chain of role
# implications, and the memberships are data: grants held by users and by teams (teams nest),
# and organization grants held by users or by organizations they belong to.

actor User {}

resource Repository {
  permissions = ["read", "triage", "write", "maintain", "admin"];
  roles = ["readers", "triagers", "writers", "maintainers", "admins"];
  relations = { owner: Organization };

  "read" if "readers";
  "triage" if "triagers";
  "write" if "writers";
  "maintain" if "maintainers";
  "admin" if "admins";

  "readers" if "triagers";
  "triagers" if "writers";
  "writers" if "maintainers";
  "maintainers" if "admins";

  # Users also inherit permissions from the owner of a repository.
  "readers" if "readers" on "owner";
  "writers" if "writers" on "owner";
  "admins" if "admins" on "owner";
}

resource Organization {
  roles = ["readers", "writers", "admins"];
}

has_relation(org: Organization, "owner", repo: Repository) if org = repo.owner;

# A grant on the repository, to the user or to a team the user is in.
has_role(user: User, role: String, repo: Repository) if
  grant in user.repo_grants and
  grant matches { target: repo.id, role: role };
has_role(user: User, role: String, repo: Repository) if
  team in user.teams and
  team_has_role(team, role, repo);

# Teams nest: a team has the grants of the teams it is in.
team_has_role(team: Team, role: String, repo: Repository) if
  grant in team.repo_grants and
  grant matches { target: repo.id, role: role };
team_has_role(team: Team, role: String, repo: Repository) if
  parent in team.parents and
  team_has_role(parent, role, repo);

# A grant on the organization, to the user or to an organization the user belongs to.
has_role(user: User, role: String, org: Organization) if
  grant in user.org_grants and
  grant matches { target: org.id, role: role };
has_role(user: User, role: String, org: Organization) if
  member_of in user.orgs and
  grant in member_of.org_grants and
  grant matches { target: org.id, role: role };

allow(actor, action, resource) if has_permission(actor, action, resource);
