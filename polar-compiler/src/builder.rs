//! [`Builder`]: compiles policies from a build script, the route for crates that prefer a
//! generated file to the `polar!` macro.
//!
//! In `build.rs`, as the body of `main`:
//!
//! ```no_run
//! polar_compiler::Builder::new().file("policies/app.polar").compile("app.rs").unwrap_or_else(|e| e.exit());
//! ```
//!
//! and in the crate, in a module that imports the types the policy names:
//!
//! ```text
//! use crate::models::*;
//! include!(concat!(env!("OUT_DIR"), "/app.rs"));
//! ```
//!
//! The generated items are those of `polar!(file = ...)`; the diagnostics are the same text
//! (same renderer, same `path:line:column`, the path as written in the build script).

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::source::SourceMap;

/// Compiles one policy, made of one or more `.polar` files, to a Rust file in `OUT_DIR`.
#[derive(Clone, Debug)]
pub struct Builder {
    files: Vec<PathBuf>,
    manifest_dir: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    rerun_if_changed: bool,
    options: crate::Options,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            files: Vec::new(),
            manifest_dir: None,
            out_dir: None,
            rerun_if_changed: true,
            options: crate::Options::default(),
        }
    }
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a policy file, relative to the crate's directory (`CARGO_MANIFEST_DIR`) like
    /// `polar!(file = ...)`. Several files form one policy, as with Oso's `load_files`; the
    /// path is shown as written in diagnostics.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds several policy files (see [`Builder::file`]).
    pub fn files<P: AsRef<Path>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.files.extend(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        self
    }

    /// The directory policy paths are relative to; `CARGO_MANIFEST_DIR` when not set.
    pub fn manifest_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.manifest_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The directory [`Builder::compile`] writes to; `OUT_DIR` when not set.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Generates data filtering too (`authorized_filter`; `docs/data-filtering.md`).
    pub fn filters(mut self, yes: bool) -> Self {
        self.options.filters = yes;
        self
    }

    /// Whether to print `cargo:rerun-if-changed=` for every policy file (the default), so
    /// that editing a policy reruns the build script.
    pub fn rerun_if_changed(mut self, yes: bool) -> Self {
        self.rerun_if_changed = yes;
        self
    }

    /// Compiles the policy and writes it, formatted, to `out_file` in the output directory
    /// (an absolute `out_file` is used as is). Returns the path written. The file is left
    /// untouched when its content would not change.
    pub fn compile(&self, out_file: impl AsRef<Path>) -> Result<PathBuf, Error> {
        self.compile_with(out_file.as_ref(), &mut io::stdout().lock())
    }

    /// The generated Rust file as text, without writing it.
    pub fn expand(&self) -> Result<String, Error> {
        self.expand_with(&mut io::stdout().lock())
    }

    fn compile_with(&self, out_file: &Path, directives: &mut dyn Write) -> Result<PathBuf, Error> {
        let code = self.expand_with(directives)?;
        let path = dir(self.out_dir.as_deref(), "OUT_DIR")?.join(out_file);
        let write = || -> io::Result<()> {
            if std::fs::read(&path).is_ok_and(|old| old == code.as_bytes()) {
                return Ok(());
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &code)
        };
        write().map_err(|source| Error::Write { path: path.clone(), source })?;
        Ok(path)
    }

    /// `directives` receives the `cargo:` lines (stdout in a build script).
    fn expand_with(&self, directives: &mut dyn Write) -> Result<String, Error> {
        if self.files.is_empty() {
            return Err(Error::NoFiles);
        }
        let base = dir(self.manifest_dir.as_deref(), "CARGO_MANIFEST_DIR")?;
        // Every file is tracked before any is read: a missing file or a policy error must
        // still rerun the script once the user fixes it.
        if self.rerun_if_changed {
            for file in &self.files {
                // Cargo reads these lines; a failed write only loses change tracking.
                let _ = writeln!(directives, "cargo:rerun-if-changed={}", base.join(file).display());
            }
        }
        let mut sources = SourceMap::new();
        for file in &self.files {
            let name = file.display().to_string();
            if file.extension().is_none_or(|ext| ext != "polar") {
                return Err(Error::Load(format!(
                    "policy files must have the .polar extension. {name} does not."
                )));
            }
            let path = base.join(file);
            // Read as `polar!` reads, so that both routes accept the same files.
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read { path, source })?;
            // Oso's `load_files` refuses a file loaded twice, under one name or two.
            for (_, earlier) in sources.files() {
                if earlier.name == name {
                    return Err(Error::Load(format!("File {name} has already been loaded.")));
                }
                if earlier.text == text {
                    return Err(Error::Load(format!(
                        "A file with the same contents as {name} named {} has already been loaded.",
                        earlier.name
                    )));
                }
            }
            sources.add(name, text);
        }
        let code = crate::expand_with(&sources, &self.options).map_err(Error::Policy)?;
        let names: Vec<String> = self.files.iter().map(|f| f.display().to_string()).collect();
        Ok(format!("// Generated by polar-compiler from {}. Do not edit.\n\n{code}", names.join(", ")))
    }
}

/// `explicit`, or else the directory in the environment variable `var` (set by cargo for
/// build scripts).
fn dir(explicit: Option<&Path>, var: &'static str) -> Result<PathBuf, Error> {
    match explicit {
        Some(dir) => Ok(dir.to_path_buf()),
        None => std::env::var_os(var).map(PathBuf::from).ok_or(Error::Env(var)),
    }
}

/// Why a [`Builder`] produced no file.
#[non_exhaustive]
pub enum Error {
    /// No policy file was given.
    NoFiles,
    /// The environment variable is not set (not run by cargo) and the builder was not given
    /// the directory it names.
    Env(&'static str),
    /// A policy file could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The files do not form a policy Oso would load (extension, a file given twice).
    Load(String),
    /// The policy has errors: every one, rendered as `polar!` renders them.
    Policy(String),
    /// The output file could not be written.
    Write { path: PathBuf, source: io::Error },
}

impl Error {
    /// What a build script prints: the rendered diagnostics, or one `error:` line.
    pub fn report(&self) -> String {
        match self {
            Error::Policy(rendered) => rendered.clone(),
            other => format!("error: {other}\n"),
        }
    }

    /// Prints [`Error::report`] to stderr, which cargo shows when a build script fails, and
    /// exits with status 1.
    pub fn exit(&self) -> ! {
        eprint!("{}", self.report());
        std::process::exit(1)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoFiles => f.write_str("no policy file given to polar_compiler::Builder"),
            Error::Env(var) => write!(
                f,
                "{var} is not set: run from a build script, or give the directory to polar_compiler::Builder"
            ),
            Error::Read { path, source } => write!(f, "cannot read policy {}: {source}", path.display()),
            Error::Load(message) => f.write_str(message),
            Error::Policy(rendered) => f.write_str(rendered.trim_end()),
            Error::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
        }
    }
}

/// The report itself, so that `.unwrap()` and `fn main() -> Result<..>` in a build script
/// show readable diagnostics rather than an escaped string.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.report())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } | Error::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "actor User {}\nallow(_u: User, \"read\", r: Repo) if r.public;\n";

    /// A crate directory with `files`, and an empty output directory.
    fn setup(files: &[(&str, &str)]) -> (tempfile::TempDir, Builder) {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = tmp.path().join("crate").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(tmp.path().join("out")).unwrap();
        let builder = Builder::new().manifest_dir(tmp.path().join("crate")).out_dir(tmp.path().join("out"));
        (tmp, builder)
    }

    fn sources(files: &[(&str, &str)]) -> SourceMap {
        let mut sources = SourceMap::new();
        for (name, text) in files {
            sources.add(*name, *text);
        }
        sources
    }

    /// Runs `compile`, returning the result and the `cargo:` lines.
    fn compile(builder: &Builder, out: &str) -> (Result<PathBuf, Error>, String) {
        let mut directives = Vec::new();
        let result = builder.compile_with(Path::new(out), &mut directives);
        (result, String::from_utf8(directives).unwrap())
    }

    #[test]
    fn writes_the_expanded_policy_and_tracks_the_file() {
        let files = [("policies/app.polar", POLICY)];
        let (tmp, builder) = setup(&files);
        let (written, directives) = compile(&builder.file("policies/app.polar"), "authz/app.rs");
        let written = written.unwrap();
        assert_eq!(written, tmp.path().join("out/authz/app.rs"));
        let code = std::fs::read_to_string(&written).unwrap();
        let expected = crate::expand(&sources(&files)).unwrap();
        assert_eq!(
            code,
            format!("// Generated by polar-compiler from policies/app.polar. Do not edit.\n\n{expected}")
        );
        let policy = tmp.path().join("crate/policies/app.polar");
        assert_eq!(directives, format!("cargo:rerun-if-changed={}\n", policy.display()));
    }

    #[test]
    fn several_files_form_one_policy() {
        let files = [
            ("a.polar", "actor User {}\nallow(u: User, action, r: Repo) if can(u, action, r);\n"),
            ("b.polar", "can(_: User, \"read\", r: Repo) if r.public;\n"),
        ];
        let (tmp, builder) = setup(&files);
        let (written, directives) = compile(&builder.clone().files(["a.polar", "b.polar"]), "app.rs");
        let code = std::fs::read_to_string(written.unwrap()).unwrap();
        assert!(code.starts_with("// Generated by polar-compiler from a.polar, b.polar."), "{code}");
        assert!(code.ends_with(&crate::expand(&sources(&files)).unwrap()));
        assert_eq!(directives.lines().count(), 2);
        assert!(directives.contains(&tmp.path().join("crate/b.polar").display().to_string()));

        // Alone, the first file calls an undefined rule.
        let (alone, _) = compile(&builder.file("a.polar"), "app.rs");
        assert!(matches!(&alone, Err(Error::Policy(r)) if r.contains("a.polar:2:")), "{alone:?}");
    }

    #[test]
    fn policy_errors_render_as_the_macro_renders_them() {
        let text = "actor User {}\nallow(u: User, \"read\", r: Repo) if r.public and undefined(u);\n";
        let files = [("policies/app.polar", text)];
        let (tmp, builder) = setup(&files);
        let (result, directives) = compile(&builder.file("policies/app.polar"), "app.rs");
        let Err(error) = result else { panic!("compiled a policy calling an undefined rule") };
        // What `polar!` puts in its `compile_error!`.
        let rendered = crate::compile(&sources(&files)).unwrap_err();
        assert!(rendered.contains("--> policies/app.polar:2:"), "{rendered}");
        assert!(matches!(&error, Error::Policy(r) if *r == rendered), "{error:?}");
        assert_eq!(error.report(), rendered);
        assert_eq!(format!("{error:?}"), format!("\n{rendered}"));
        // Still tracked, so that fixing the policy reruns the build script; nothing written.
        assert_eq!(directives.lines().count(), 1);
        assert!(!tmp.path().join("out/app.rs").exists());
    }

    #[test]
    fn syntax_errors_in_every_file_are_reported() {
        let files = [("a.polar", "allow(x) if ;\n"), ("b.polar", "f(x) if x = ;\n")];
        let (_tmp, builder) = setup(&files);
        let (result, _) = compile(&builder.files(["a.polar", "b.polar"]), "app.rs");
        let report = result.unwrap_err().report();
        assert!(report.contains("--> a.polar:1:") && report.contains("--> b.polar:1:"), "{report}");
        assert_eq!(report, crate::compile(&sources(&files)).unwrap_err());
    }

    #[test]
    fn a_missing_file_is_named_and_still_tracked() {
        let (tmp, builder) = setup(&[]);
        let (result, directives) = compile(&builder.file("policies/missing.polar"), "app.rs");
        let missing = tmp.path().join("crate/policies/missing.polar");
        match &result {
            Err(Error::Read { path, source }) => {
                assert_eq!(*path, missing);
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
        let report = result.unwrap_err().report();
        assert!(report.starts_with(&format!("error: cannot read policy {}: ", missing.display())));
        assert_eq!(directives, format!("cargo:rerun-if-changed={}\n", missing.display()));
    }

    #[test]
    fn files_oso_would_not_load_are_refused() {
        let files = [("a.polar", POLICY), ("copy.polar", POLICY), ("a.txt", POLICY)];
        let (_tmp, builder) = setup(&files);
        let load_error = |b: Builder| match compile(&b, "app.rs").0 {
            Err(Error::Load(message)) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            load_error(builder.clone().file("a.txt")),
            "policy files must have the .polar extension. a.txt does not."
        );
        assert_eq!(
            load_error(builder.clone().files(["a.polar", "a.polar"])),
            "File a.polar has already been loaded."
        );
        assert_eq!(
            load_error(builder.clone().files(["a.polar", "copy.polar"])),
            "A file with the same contents as copy.polar named a.polar has already been loaded."
        );
        assert!(matches!(compile(&builder, "app.rs").0, Err(Error::NoFiles)));
    }

    #[test]
    fn unchanged_output_is_not_rewritten() {
        let (tmp, builder) = setup(&[("app.polar", POLICY)]);
        let builder = builder.file("app.polar").rerun_if_changed(false);
        let (first, directives) = compile(&builder, "app.rs");
        assert_eq!(directives, "");
        // Cargo compares modification times: an unchanged policy must leave the old one.
        let path = first.unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(old).unwrap();
        let (second, _) = compile(&builder, "app.rs");
        assert_eq!(second.unwrap(), path);
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
        assert_eq!(builder.expand_with(&mut io::sink()).unwrap(), std::fs::read_to_string(&path).unwrap());
        drop(tmp);
    }

    #[test]
    fn directories_come_from_the_builder_or_the_environment() {
        assert_eq!(dir(Some(Path::new("/x")), "POLAR_BUILDER_TEST_UNSET").unwrap(), Path::new("/x"));
        let error = dir(None, "POLAR_BUILDER_TEST_UNSET").unwrap_err();
        assert!(matches!(error, Error::Env("POLAR_BUILDER_TEST_UNSET")));
        assert!(error.report().starts_with("error: POLAR_BUILDER_TEST_UNSET is not set"));
    }
}
