allow(user: User, "read", _org: Org) if user.admin;
