allow(user: User, "digest", _: User) if forall(r in user.watching, r.id > 0);
