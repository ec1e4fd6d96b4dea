//! Helpers shared by the cross-crate tests in `tests/tests/`.

pub mod corpus {
    //! The `.polar` files of the Oso repository, kept beside this repository in
    //! `../shared/corpus/oso` (not part of it; tests that read them are `#[ignore]`d and run
    //! as an extra step of `.ci/run`). `POLAR_CORPUS_DIR` points elsewhere.

    use std::path::{Path, PathBuf};

    pub fn root() -> PathBuf {
        match std::env::var_os("POLAR_CORPUS_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/oso"),
        }
    }

    /// Every `.polar` file under `root`, as (path relative to `root` with `/`, text), sorted.
    pub fn polar_files(root: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "polar") {
                    let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {rel}: {e}"));
                    out.push((rel, text));
                }
            }
        }
        out.sort();
        out
    }
}
