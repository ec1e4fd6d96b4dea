use crate::plan::Plans;
use crate::source::SourceMap;
use crate::{Stop, check};

use super::refuse::{Unknown, classes, message_of, refusals};

fn refused(text: &str) -> Vec<(String, String)> {
    let mut sources = SourceMap::new();
    sources.add("app.polar", text);
    let checked = check(&sources, Stop::AfterValidation);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let (program, graph) = (checked.program.as_ref().unwrap(), checked.graph.as_ref().unwrap());
    let plans = Plans::new(program, graph);
    classes(program, &plans, Unknown::Resource)
        .into_iter()
        .map(|class| {
            let r = refusals(program, &plans, &class);
            let text = if r.is_empty() {
                "translates".to_owned()
            } else {
                message_of(&format!("data filtering of `{class}`"), &r, Some(&sources))
            };
            (class, text)
        })
        .collect()
}

/// GitClub translates for every resource: role chains are recursive by name only, and
/// relations are field reads.
#[test]
fn gitclub_translates() {
    let all = refused(include_str!("../../../examples/policies/gitclub.polar"));
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all.iter().all(|(_, text)| text == "translates"), "{all:?}");
}

/// What is refused is refused for the classes that reach it only, at its location.
#[test]
fn refusals_are_per_class_and_located() {
    let all = refused(
        r#"allow(_: User, "read", doc: Doc) if doc.public;
allow(user: User, "read", doc: Doc) if doc.title = user.name and cut;
allow(_: User, "read", note: Note) if note.pages + 1 > 3;
allow(user: User, "read", note: Note) if user.level + 1 > 3 and note.public;
allow(_: User, "read", f: Folder) if f.public and f.owner.name.len() > 3;
allow(_: User, "read", g: Group) if inside(g);
inside(g: Group) if g.public;
inside(g: Group) if inside(g.parent);
allow(_: User, "read", b: Book) if b.public;
"#,
    );
    insta::assert_debug_snapshot!(all);
}
