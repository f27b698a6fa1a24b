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

/// The feature words: every crate names its feature modules from this list, so "everything
/// about X" is `find crates -path '*X*'`.
const FEATURES: &[&str] = &[
    "accounts",
    "registry",
    "ledger",
    "reporting",
    "supervision",
    "group",
    "notify",
    "settings",
    "dashboard",
    "audit",
    "jobs",
    "indicators",
    "replication",
    "zones",
    "chains",
    "search",
    "portal",
];

/// Top-level modules of a crate's `src` (files and folders), without `lib`/`main`.
fn top_modules(src: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(src)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|n| n != "lib" && n != "main")
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn crates_from_the_domain_up_are_laid_out_by_feature() {
    // What each crate may hold besides feature modules.
    let infrastructure: &[(&str, &[&str])] = &[
        (
            "luoshi-domain",
            &["calendar", "periods", "lights", "limits"],
        ),
        ("luoshi-store", &["common", "error", "samples"]),
        (
            "luoshi-store-sql",
            &["schema", "sql", "backup", "encryption"],
        ),
        ("luoshi-web", &["kit", "app"]),
    ];
    for (krate, extra) in infrastructure {
        let mods = top_modules(&crates_dir().join(krate).join("src"));
        let strays: Vec<&String> = mods
            .iter()
            .filter(|m| !FEATURES.contains(&m.as_str()) && !extra.contains(&m.as_str()))
            .collect();
        assert!(
            strays.is_empty(),
            "{krate} has modules that are neither a feature nor its infrastructure: {strays:?}"
        );
        assert!(mods.iter().any(|m| m == "ledger"), "{krate} has no ledger");
    }
}

#[test]
fn the_domain_does_no_io_and_reads_no_clock() {
    let mut files = Vec::new();
    rust_files(&crates_dir().join("luoshi-domain/src"), &mut files);
    assert!(files.len() > 5);
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
            "async fn",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: domain rules are pure functions of their arguments",
                f.display()
            );
        }
    }
}

/// The names in a manifest's `[dependencies]` table.
fn dependencies(krate: &str) -> Vec<String> {
    let manifest =
        std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).expect("manifest");
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && let Some((name, _)) = line.split_once(['=', '.']) {
            out.push(name.trim().to_string());
        }
    }
    out
}

fn crate_names() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(crates_dir())
        .expect("crates")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("Cargo.toml").exists())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn only_the_web_layer_knows_http_and_only_the_sql_crate_knows_sqlx() {
    let names = crate_names();
    assert!(names.len() >= 8, "{names:?}");
    for krate in &names {
        let deps = dependencies(krate);
        if deps.iter().any(|d| d == "axum") {
            assert!(
                ["luoshi-web", "luoshi-portal", "luoshi"].contains(&krate.as_str()),
                "{krate} depends on axum: only the web, portal and binary crates may"
            );
        }
        if deps.iter().any(|d| d == "sqlx") {
            assert_eq!(krate, "luoshi-store-sql", "{krate} depends on sqlx");
        }
        // Test fixtures never reach a production library.
        if deps.iter().any(|d| d == "luoshi-testkit") {
            assert_eq!(
                krate, "luoshi",
                "{krate} depends on the test kit outside [dev-dependencies]"
            );
        }
    }
    // The binary takes the kit only for its benchmarks, behind a feature.
    let manifest =
        std::fs::read_to_string(crates_dir().join("luoshi/Cargo.toml")).expect("manifest");
    assert!(manifest.contains("luoshi-testkit = { workspace = true, optional = true }"));
}

#[test]
fn no_glob_re_exports() {
    let mut files = Vec::new();
    rust_files(&crates_dir(), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            assert!(
                !(t.starts_with("pub use") || t.starts_with("pub(crate) use")) || !t.contains("*"),
                "{}:{}: a glob re-export hides where a name lives: {t}",
                f.display(),
                n + 1
            );
        }
    }
}

#[test]
fn every_allow_carries_its_reason() {
    let mut files = Vec::new();
    rust_files(&crates_dir(), &mut files);
    let mut bare = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            if !(t.starts_with("#[allow(") || t.starts_with("#![allow(")) {
                continue;
            }
            let before = i.checked_sub(1).map(|j| lines[j].trim()).unwrap_or("");
            if !t.contains("//") && !before.starts_with("//") {
                bare.push(format!("{}:{}", f.display(), i + 1));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "#[allow] without a comment saying why:\n{}",
        bare.join("\n")
    );
}

#[test]
fn the_system_clock_is_read_in_one_place() {
    let mut files = Vec::new();
    rust_files(&crates_dir(), &mut files);
    let readers: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("tidy.rs"))
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("read")
                .contains("SystemTime::now")
        })
        .map(|f| {
            f.strip_prefix(crates_dir())
                .unwrap_or(f)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(readers, ["luoshi-store/src/common.rs"], "{readers:?}");
}

/// `crate::X` paths in a folder's files: the top-level modules it imports.
fn imports_of(dir: &Path) -> std::collections::BTreeSet<String> {
    let mut files = Vec::new();
    if dir.is_dir() {
        rust_files(dir, &mut files);
    } else {
        files.push(dir.with_extension("rs"));
    }
    let mut out = std::collections::BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
        // `use crate::{a, b::c}`
        for (i, _) in text.match_indices("use crate::{") {
            let rest = &text[i + "use crate::{".len()..];
            let group = &rest[..rest.find("};").unwrap_or(0)];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn the_web_features_stand_on_the_kit_without_circles() {
    let src = crates_dir().join("luoshi-web/src");
    let mods: Vec<String> = top_modules(&src)
        .into_iter()
        .filter(|m| m != "app")
        .collect();
    let mut edges = std::collections::BTreeMap::new();
    for m in &mods {
        let deps: Vec<String> = imports_of(&src.join(m))
            .into_iter()
            .filter(|d| d != m && mods.contains(d))
            .collect();
        edges.insert(m.clone(), deps);
    }
    assert!(
        edges["kit"].is_empty(),
        "the kit imports features: {:?}",
        edges["kit"]
    );
    // Depth-first search for a cycle.
    fn visit(
        m: &str,
        edges: &std::collections::BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import circle: {} → {m}", path[at..].join(" → "));
        }
        path.push(m.to_string());
        for d in &edges[m] {
            visit(d, edges, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = std::collections::BTreeSet::new();
    for m in &mods {
        visit(m, &edges, &mut Vec::new(), &mut done);
    }
    assert!(mods.len() >= 10, "{mods:?}");
}
