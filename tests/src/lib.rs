//! Helpers shared by the cross-crate tests in `tests/tests/`.

pub mod alloc_count {
    //! A global allocator that counts allocations per thread, for the tests that check that
    //! compiled checks allocate nothing. Each test binary installs it:
    //!
    //! ```ignore
    //! #[global_allocator]
    //! static GLOBAL: polar_tests::alloc_count::Counting = polar_tests::alloc_count::Counting;
    //! ```

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    }

    /// The counting allocator: the system allocator, plus a per-thread count.
    pub struct Counting;

    fn count() {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    }

    // SAFETY: forwards to the system allocator; counting touches only a const-initialized
    // thread-local `Cell`, which does not allocate.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count();
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count();
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count();
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// `f`'s result and the number of allocations this thread made while it ran (meaningful
    /// only where `Counting` is the global allocator).
    pub fn allocations_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let before = ALLOCATIONS.with(Cell::get);
        let result = std::hint::black_box(f());
        (result, ALLOCATIONS.with(Cell::get) - before)
    }
}

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
