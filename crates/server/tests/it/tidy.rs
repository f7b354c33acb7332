//! House rules checked mechanically: every Rust file opens with a `//!` paragraph and no line
//! is wider than 100 columns.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn workspace_rust_files() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for member in std::fs::read_dir(&crates).unwrap().map(Result::unwrap) {
        for part in ["src", "tests", "benches", "build.rs"] {
            let path = member.path().join(part);
            if path.is_dir() {
                rust_files(&path, &mut found);
            } else if path.is_file() {
                found.push(path);
            }
        }
    }
    assert!(found.len() > 20, "the walk found too few files: {found:?}");
    found
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let missing: Vec<_> = workspace_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .collect();

    assert!(
        missing.is_empty(),
        "files without a //! opening paragraph: {missing:?}"
    );
}

#[test]
fn no_line_is_wider_than_100_columns() {
    let mut wide = Vec::new();
    for path in workspace_rust_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.chars().count() > 100 {
                wide.push(format!("{}:{}", path.display(), number + 1));
            }
        }
    }

    assert!(wide.is_empty(), "lines over 100 columns: {wide:?}");
}
