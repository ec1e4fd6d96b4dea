# TinyTodo, the Cedar OOPSLA 2024 example (cedar/tinytodo.cedar), ported to Polar.
#
# A list (class `TodoList`: `List` is Polar's built-in class of lists) names its owner, a team
# of readers and a team of editors; teams nest (a DAG), and a user is in a team when they are in
# it or in a team nested in it, transitively.

# Any user can create a list and see what lists they own.
allow(_: User, action: String, _: Application) if action in ["CreateList", "GetLists"];

# A user can perform any action on a list they own.
allow(user: User, _action: String, list: TodoList) if list.owner = user.id;

# A user can see a list if they are either a reader or an editor.
allow(user: User, "GetList", list: TodoList) if in_team(user, list.readers);
allow(user: User, "GetList", list: TodoList) if in_team(user, list.editors);

# A user can update a list and its tasks if they are an editor.
allow(user: User, action: String, list: TodoList) if
  action in ["UpdateList", "CreateTask", "UpdateTask", "DeleteTask"] and
  in_team(user, list.editors);

in_team(user: User, team_id) if team in user.teams and team_within(team, team_id);

team_within(team: Team, team_id) if team.id = team_id;
team_within(team: Team, team_id) if parent in team.parents and team_within(parent, team_id);
