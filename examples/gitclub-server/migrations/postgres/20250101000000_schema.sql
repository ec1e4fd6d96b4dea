-- GitClub on PostgreSQL: the schema of ../sqlite in PostgreSQL's dialect (identity columns
-- instead of AUTOINCREMENT). Ids are assigned by the database. Every column the policy reads is
-- NOT NULL, every many-to-one column REFERENCES its table; deleting a repository takes its
-- issues and roles with it (the server deletes them explicitly too, in one transaction; the
-- cascade covers rows inserted concurrently).
CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE orgs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE repos (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    public BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX repos_org_id ON repos (org_id);

CREATE TABLE issues (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    repo_id BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    creator_id BIGINT NOT NULL REFERENCES users (id),
    closed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX issues_repo_id ON issues (repo_id);

CREATE TABLE org_roles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs (id)
);
CREATE INDEX org_roles_user_id ON org_roles (user_id);

CREATE TABLE repo_roles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    repo_id BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE
);
CREATE INDEX repo_roles_user_id ON repo_roles (user_id);
CREATE INDEX repo_roles_repo_id ON repo_roles (repo_id);
