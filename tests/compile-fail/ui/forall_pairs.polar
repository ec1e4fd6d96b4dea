allow(user: User, "read", _: User) if forall([a, _] in user.pairs, a.id > 0);
