allow(user: User, "read", repo: Repo) if user.name = repo.owner;
