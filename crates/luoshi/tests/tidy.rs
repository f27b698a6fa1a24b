//! Checks of the codebase itself: every Rust module says what it is for, and the parser crate stays
//! pure (no CLI, no async runtime, no file system access).

use std::path::{Path, PathBuf};

/// The package's folder, read when the test runs (not baked in at build time, so a build cache
/// shared between checkouts cannot point a test at another checkout).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"),
    )
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crates_dir() -> PathBuf {
    manifest_dir().join("..")
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut files = Vec::new();
    rust_files(&crates_dir(), &mut files);
    let root = crates_dir().join("../fuzz/fuzz_targets");
    if root.exists() {
        rust_files(&root, &mut files);
    }
    assert!(files.len() > 20);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .expect("read")
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a //! comment:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_parser_does_no_io() {
    let mut files = Vec::new();
    rust_files(&crates_dir().join("luoshi-doc/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in [
            "std::fs",
            "std::net",
            "std::time",
            "Instant::now",
            "SystemTime",
            "tokio",
            "std::env",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: the parser takes bytes and returns values",
                f.display()
            );
        }
    }
    let manifest =
        std::fs::read_to_string(crates_dir().join("luoshi-doc/Cargo.toml")).expect("manifest");
    for banned in ["clap", "tokio", "axum", "sqlx"] {
        assert!(!manifest.contains(banned), "luoshi-doc depends on {banned}");
    }
}
