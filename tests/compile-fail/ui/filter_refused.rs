// The filters of `Doc` and `Note` reach what SQL cannot evaluate as Oso does: using them is a
// build error naming the policy lines; `is_allowed` and the filter of `Folder` still build.
use polar_runtime::PolarClass;

#[derive(PolarClass)]
struct User { name: String }

#[derive(PolarClass)]
#[polar(table = "docs")]
struct Doc { id: i64, title: String, public: bool }

#[derive(PolarClass)]
#[polar(table = "notes")]
struct Note { id: i64, pages: i64 }

#[derive(PolarClass)]
#[polar(table = "folders")]
struct Folder { id: i64, public: bool }

polar_runtime::polar!(file = "ui/filter_refused.polar", filters = true);

fn main() {
    let user = User { name: "ann".into() };
    let doc = Doc { id: 1, title: "ann".into(), public: false };
    assert!(is_allowed(&user, "read", &doc));
    let _ = authorized_filter::<User, Folder>(&user, "read");
    let _ = authorized_filter::<User, Doc>(&user, "read");
    let _ = authorized_filter::<User, Note>(&user, "read");
}
