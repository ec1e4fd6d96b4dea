# GitClub: organizations own repositories, repositories hold issues.
# Roles are granted per organization and per repository; organization roles flow down
# to the organization's repositories through the "parent" relation.

actor User {}

resource Org {
  roles = ["owner", "member"];
  permissions = ["read", "create_repos", "list_repos", "manage_members"];

  "read" if "member";
  "list_repos" if "member";
  "create_repos" if "owner";
  "manage_members" if "owner";

  "member" if "owner";
}

resource Repo {
  roles = ["reader", "writer", "admin"];
  permissions = ["read", "pull", "push", "create_issues", "list_issues", "delete"];
  relations = { parent: Org };

  "read" if "reader";
  "pull" if "reader";
  "list_issues" if "reader";
  "push" if "writer";
  "create_issues" if "writer";
  "delete" if "admin";

  "reader" if "writer";
  "writer" if "admin";

  "reader" if "member" on "parent";
  "admin" if "owner" on "parent";
}

resource Issue {
  permissions = ["read", "comment", "close"];
  relations = { parent: Repo, creator: User };

  "read" if "reader" on "parent";
  "comment" if "reader" on "parent";
  "close" if "writer" on "parent";
  "close" if "creator";
}

has_role(user: User, name: String, org: Org) if
  role in user.org_roles and
  role matches { name: name, org_id: org.id };

has_role(user: User, name: String, repo: Repo) if
  role in user.repo_roles and
  role matches { name: name, repo_id: repo.id };

has_relation(org: Org, "parent", repo: Repo) if org = repo.org;
has_relation(repo: Repo, "parent", issue: Issue) if repo = issue.repo;
has_relation(user: User, "creator", issue: Issue) if user = issue.creator;

# Anyone may read and pull a public repository.
allow(_: User, "read", repo: Repo) if repo.public;
allow(_: User, "pull", repo: Repo) if repo.public;

allow(actor, action, resource) if has_permission(actor, action, resource);
