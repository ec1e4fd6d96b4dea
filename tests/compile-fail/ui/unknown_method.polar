allow(user: User, "read", repo: Repo) if
  user.can_read(repo.id);
