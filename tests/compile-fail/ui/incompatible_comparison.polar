allow(user: User, "read", repo: Repo) if
  user.name = repo.id;
allow(user: User, "write", repo: Repo) if
  repo.id > user.name;
