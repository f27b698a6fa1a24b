//! End-to-end tests of the `luoshi` binary: the JSON contract of `parse --json`, errors in plain
//! Chinese with a non-zero exit, and `diff --json`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The package's folder, read when the test runs (not baked in at build time, so a build cache
/// shared between checkouts cannot point a test at another checkout).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"),
    )
}

fn luoshi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_luoshi"))
}

fn repo() -> PathBuf {
    manifest_dir().join("../..")
}

fn seed(prefix: &str) -> PathBuf {
    let dir = repo().join("../shared/seeds");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the seed documents must be at {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("seed {prefix}"))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn parse_json_follows_the_contract() {
    let sample = repo().join("test_data/ok/0001_notice_with_plan.txt");
    let out = luoshi()
        .args(["parse", "--json"])
        .arg(seed("000_"))
        .arg(&sample)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    for doc in &lines {
        let mut top = keys(doc);
        top.sort_unstable();
        let mut want = [
            "source",
            "format",
            "encoding",
            "meta",
            "outline",
            "lead_rule",
            "tasks",
            "targets",
            "reporting_rules",
            "roster",
            "achievements",
            "warnings",
        ];
        want.sort_unstable();
        assert_eq!(top, want);
        let meta = keys(&doc["meta"]);
        for k in [
            "doc_number",
            "issuer",
            "title",
            "signed_date",
            "printed_date",
            "printed_by",
            "addressees",
            "cc",
            "public",
            "attachments",
        ] {
            assert!(meta.contains(&k), "meta.{k}");
        }
        for t in doc["tasks"].as_array().expect("tasks") {
            for k in [
                "path",
                "number",
                "title",
                "text",
                "units_text",
                "units",
                "open_ended",
                "others",
                "line",
            ] {
                assert!(t.get(k).is_some(), "task.{k}");
            }
        }
    }
    assert_eq!(lines[0]["source"], seed("000_").display().to_string());
    assert_eq!(lines[0]["tasks"].as_array().map(Vec::len), Some(45));
    assert_eq!(
        lines[0]["tasks"][0]["units"][0],
        serde_json::json!({"name": "自治区商务厅", "role": "lead"})
    );
    assert_eq!(lines[0]["lead_rule"], "declared");
    assert_eq!(lines[1]["targets"][0]["comparator"], ">=");
    assert_eq!(lines[1]["reporting_rules"][0]["every"], "quarter");
}

#[test]
fn readable_parse_marks_leads() {
    let out = luoshi()
        .arg("parse")
        .arg(seed("003_"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("★牵头：南宁片区管委会、钦州港片区管委会、崇左片区管委会"),
        "{text}"
    );
    assert!(text.contains("── 任务（29 项）"));
}

#[test]
fn bad_files_are_reported_in_chinese_and_the_rest_still_parse() {
    let dir = std::env::temp_dir().join(format!("luoshi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").expect("write");
    let missing = dir.join("missing.docx");
    let out = luoshi()
        .args(["parse", "--json"])
        .arg(&empty)
        .arg(&missing)
        .arg(seed("002_"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(stderr.contains("empty.txt: 文件是空的"), "{stderr}");
    assert!(
        stderr.contains("missing.docx: 无法读取文件：文件不存在"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), 1, "the good file is still parsed");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn diff_json_tells_versions_apart() {
    let out = luoshi()
        .args(["diff", "--json"])
        .arg(seed("000_"))
        .arg(seed("001_"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["same_document"], true);
    let change = &v["changes"][0];
    for k in ["before", "after", "line_a", "line_b"] {
        assert!(change.get(k).is_some(), "change.{k}");
    }
    let out = luoshi()
        .args(["diff", "--json"])
        .arg(seed("000_"))
        .arg(seed("002_"))
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["same_document"], false);
}
