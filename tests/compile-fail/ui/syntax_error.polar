actor User {}

allow(_: User, "read", repo: Repo) if
  repo.public

allow(user: User, "push", repo: Repo) if user.name = repo.owner;
