allow(user: User, "read", repo: Repo) if
  repo.public or user.nmae = repo.owner;
