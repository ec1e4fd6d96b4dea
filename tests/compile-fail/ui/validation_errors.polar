actor User {}

allow(user: User, "read", repo: Repo) if
  is_reader(user, repo);

allow(user: User, "push", repo: Repo) if
  repo.public;

has_reader(_: User, _: Repo);
