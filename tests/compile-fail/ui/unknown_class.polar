allow(user: User, "read", _org: Organization) if user.admin;
