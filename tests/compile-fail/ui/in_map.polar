allow(user: User, "read", _: User) if pair in user.roles and pair = ["org", "admin"];
