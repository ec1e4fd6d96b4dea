-- GitClub on SQLite. Ids are assigned by the database. Every column the policy reads is NOT NULL
-- (docs/data-filtering.md: "What the mapping promises"), and every many-to-one column REFERENCES
-- its table. Deleting a repository takes its issues and roles with it (the server deletes them
-- explicitly too, in one transaction; the cascade covers rows inserted concurrently).
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);

CREATE TABLE repos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    public BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX repos_org_id ON repos (org_id);

CREATE TABLE issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    creator_id INTEGER NOT NULL REFERENCES users (id),
    closed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX issues_repo_id ON issues (repo_id);

CREATE TABLE org_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs (id)
);
CREATE INDEX org_roles_user_id ON org_roles (user_id);

CREATE TABLE repo_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE
);
CREATE INDEX repo_roles_user_id ON repo_roles (user_id);
CREATE INDEX repo_roles_repo_id ON repo_roles (repo_id);
