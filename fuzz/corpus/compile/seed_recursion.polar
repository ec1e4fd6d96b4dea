# Recursion over folder hierarchies: ground calls, calls that bind a variable (the
# ancestor `a`, the tag `t`), and mutual recursion (`even_depth` / `odd_depth`).
ancestor(a: Folder, f: Folder) if a in f.parents;
ancestor(a: Folder, f: Folder) if p in f.parents and ancestor(a, p);

tag_of(f: Folder, t) if t in f.tags;
tag_of(f: Folder, t) if p in f.parents and tag_of(p, t);

reaches(f: Folder, name: String) if f.name = name;
reaches(f: Folder, name: String) if p in f.parents and reaches(p, name);

even_depth(f: Folder) if f.root;
even_depth(f: Folder) if p in f.parents and odd_depth(p);
odd_depth(f: Folder) if p in f.parents and even_depth(p);

allow(u: User, "read", f: Folder) if f.owner = u.name;
allow(u: User, "read", f: Folder) if ancestor(a, f) and a.owner = u.name;
allow(u: User, "tag", f: Folder) if tag_of(f, t) and t in u.tags;
allow(u: User, "audit", f: Folder) if reaches(f, u.home);
allow(u: User, "list", f: Folder) if even_depth(f) and u.level > 0;
allow(u: User, "share", f: Folder) if ancestor(a, f) and tag_of(a, "shared") and a.owner = u.name;
