//! Compile-fail tests of `polar!` with trybuild: every `ui/NAME.rs` must fail to compile
//! with exactly the pinned `ui/NAME.stderr`.
//!
//! To add a case, drop `ui/NAME.rs` in `tests/compile-fail/ui/` (and the policy it reads, if any, as
//! `ui/NAME.polar`, named `polar!(file = "ui/NAME.polar")` as from this package's root), run
//! `TRYBUILD=overwrite cargo test -p polar-compile-fail --test ui`, and read the new `.stderr`.
//!
//! trybuild compiles the cases in its own crate, `<target>/tests/trybuild/polar-compile-fail/`, which
//! is then the `CARGO_MANIFEST_DIR` `polar!` resolves paths against: the policies are copied
//! there, under the same relative paths, so that a case reads as it would in this package.

use std::path::Path;

#[test]
fn ui() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `CARGO_TARGET_TMPDIR` is `<target>/tmp`: the target directory trybuild uses too.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory");
    let project_dir = target_dir.join("tests/trybuild/polar-compile-fail");
    copy_policies(&manifest_dir.join("ui"), &project_dir.join("ui"));
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}

/// Copies every `.polar` file under `from` to the same place under `to`.
fn copy_policies(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the ui directory") {
        let path = entry.expect("a ui entry").path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_policies(&path, &target);
        } else if path.extension().is_some_and(|ext| ext == "polar") {
            std::fs::create_dir_all(to).expect("the trybuild project directory");
            std::fs::copy(&path, &target).expect("copying a policy");
        }
    }
}

/// `polar_compiler::Builder` (build.rs) reports a policy error with the text `polar!` shows:
/// for every case whose policy (`ui/NAME.polar`) has errors, the Builder's report is the
/// rendering `polar!` puts in its `compile_error!` (`polar_compiler::compile`), and it is,
/// line for line, the message pinned in `ui/NAME.stderr` (rustc and trybuild re-indent the
/// lines of a long message, hence the trimming).
#[test]
fn builder_reports_what_the_macro_reports() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for entry in std::fs::read_dir(manifest_dir.join("ui")).expect("the ui directory") {
        let path = entry.expect("a ui entry").path();
        let Ok(stderr) = std::fs::read_to_string(path.with_extension("stderr")) else { continue };
        if path.extension().is_none_or(|ext| ext != "polar") {
            continue;
        }
        let name = format!("ui/{}", path.file_name().expect("a file name").to_string_lossy());
        let built = polar_compiler::Builder::new()
            .manifest_dir(manifest_dir)
            .out_dir(env!("CARGO_TARGET_TMPDIR"))
            .file(&name)
            .rerun_if_changed(false)
            .compile("ui_builder.rs");
        let mut sources = polar_compiler::source::SourceMap::new();
        sources.add(name.as_str(), std::fs::read_to_string(&path).expect("the policy"));
        let report = match (built, polar_compiler::compile(&sources)) {
            // A valid policy: the case is about Rust types, which rustc reports.
            (Ok(_), Ok(_)) => continue,
            (Err(error), Err(rendered)) => {
                assert_eq!(
                    error.report(),
                    rendered,
                    "{name}: the Builder and polar_compiler::compile differ"
                );
                rendered
            }
            (built, compiled) => panic!("{name}: Builder {built:?}, but compile {:?}", compiled.map(|_| ())),
        };
        let report: Vec<&str> = report.trim_end().lines().map(str::trim).collect();
        let message = stderr.strip_prefix("error: ").expect("the .stderr starts with the macro's error");
        let pinned: Vec<&str> = message.lines().map(str::trim).take(report.len()).collect();
        assert_eq!(report, pinned, "{name}: the Builder's report is not the message of {name}'s .stderr");
        compared += 1;
    }
    assert!(compared >= 3, "only {compared} UI cases with a policy and a .stderr");
}
