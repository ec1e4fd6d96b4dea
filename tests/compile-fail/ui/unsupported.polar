actor User {}

allow(user: User, "read", repo: Repo) if
  is_reader(user, repo: repo);

is_reader(_: User, _: Repo);
