allow(user: User, "read", _: User) if [k, v] in user.ids and k = v;
