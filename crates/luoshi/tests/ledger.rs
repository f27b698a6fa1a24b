//! The ledger commands against the seed documents, on SQLite and on PostgreSQL: importing gives
//! exactly the tasks and units the parser reads (the two versions of the 实施方案 as one document),
//! importing again changes nothing, and `units`, `tasks` and `export` answer by any of a unit's names.

use std::path::PathBuf;
use std::process::{Command, Output};

use luoshi_store::ledger::TaskFilter;
use luoshi_store::{Page, Store};
use luoshi_store_sql::SqlStore;
use serde_json::Value;

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"))
}

fn seeds() -> Vec<PathBuf> {
    let dir = manifest_dir().join("../../../shared/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the seed documents must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    files
}

fn luoshi(db: &[String], args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(args)
        .args(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "luoshi {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(db: &[String], args: &[&str]) -> Value {
    serde_json::from_slice(&luoshi(db, args).stdout).unwrap()
}

fn parsed(path: &PathBuf) -> luoshi_doc::Document {
    luoshi_doc::parse(
        &std::fs::read(path).unwrap(),
        &luoshi_doc::Limits::default(),
    )
    .unwrap()
}

async fn check(db: Vec<String>, store: &dyn Store) {
    let files = seeds();
    let mut import: Vec<String> = vec!["import".into()];
    import.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = import.iter().map(String::as_str).collect();
    let out = String::from_utf8(luoshi(&db, &args).stdout).unwrap();
    assert!(
        out.contains("第 2 版"),
        "001 must be a version of 000: {out}"
    );
    // The reprint has no 版头; the document keeps the title and 文号 of the first version.
    let docs = store
        .documents(&luoshi_store::Scope::All, Page::new(0, 10))
        .await
        .unwrap();
    let plan = docs.items.iter().find(|d| d.tasks == 45).unwrap();
    assert_eq!(plan.doc_number.as_deref(), Some("桂政发〔2020〕3号"));
    assert!(plan.title.contains("实施方案"), "{}", plan.title);

    // The ledger holds the latest version of each document with exactly the parser's units.
    let latest: Vec<&PathBuf> = files
        .iter()
        .filter(|f| !f.to_string_lossy().contains("/000_"))
        .collect();
    let mut expected_total = 0;
    for f in &latest {
        let doc = parsed(f);
        expected_total += doc.tasks.len() as i64;
        for t in &doc.tasks {
            let found = store
                .tasks(
                    &TaskFilter {
                        q: Some(t.text.chars().take(30).collect()),
                        ..TaskFilter::all()
                    },
                    Page::new(0, 5),
                )
                .await
                .unwrap();
            let row = found
                .items
                .iter()
                .find(|r| r.number == t.number && r.title == t.title)
                .unwrap_or_else(|| {
                    panic!("task {} {} of {} missing", t.number, t.title, f.display())
                });
            let detail = store.task(row.id).await.unwrap().unwrap();
            let written: Vec<(String, String)> = detail
                .units
                .iter()
                .map(|u| (u.written_as.clone(), u.role.code().to_string()))
                .collect();
            let want: Vec<(String, String)> = t
                .units
                .iter()
                .map(|u| (u.name.clone(), format!("{:?}", u.role).to_lowercase()))
                .collect();
            assert_eq!(written, want, "{}", t.title);
        }
    }
    let all = json(&db, &["tasks", "--json"]);
    assert_eq!(all.as_array().unwrap().len() as i64, expected_total);
    // 实施方案 45 (two versions, one document), 002: 6, 003: 23 + 6 safeguard tasks, 004: none.
    assert_eq!(expected_total, 80);

    // Importing again changes nothing.
    let again = String::from_utf8(luoshi(&db, &args).stdout).unwrap();
    assert_eq!(again.matches("已导入过").count(), 5, "{again}");
    assert_eq!(
        json(&db, &["tasks", "--json"]).as_array().unwrap().len() as i64,
        expected_total
    );

    // A unit by its new name finds the tasks written with its predecessor's.
    let written_old: usize = latest
        .iter()
        .flat_map(|f| parsed(f).tasks)
        .filter(|t| {
            t.units
                .iter()
                .any(|u| u.name == "自治区大数据发展局" || u.name == "自治区数据局")
        })
        .count();
    assert!(written_old > 10);
    let by_new = json(&db, &["tasks", "--unit", "自治区数据局", "--json"]);
    assert_eq!(by_new.as_array().unwrap().len(), written_old);
    let lead_old: usize = latest
        .iter()
        .flat_map(|f| parsed(f).tasks)
        .filter(|t| {
            t.units.iter().any(|u| {
                u.role == luoshi_doc::Role::Lead
                    && (u.name == "自治区大数据发展局" || u.name == "自治区数据局")
            })
        })
        .count();
    let led = json(
        &db,
        &["tasks", "--unit", "自治区数据局", "--lead", "--json"],
    );
    assert_eq!(led.as_array().unwrap().len(), lead_old);
    // Any spelling of a committee is one unit; its area lists the same tasks.
    let a = json(&db, &["tasks", "--unit", "南宁片区管理机构", "--json"]);
    let b = json(&db, &["tasks", "--unit", "南宁片区管委会", "--json"]);
    let area = json(&db, &["tasks", "--area", "南宁", "--json"]);
    assert_eq!(a, b);
    assert_eq!(a, area);
    assert!(a.as_array().unwrap().len() > 50);

    let units = json(&db, &["units", "--json"]);
    let nn = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "南宁片区管委会")
        .unwrap();
    assert!(
        nn["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "南宁片区管理机构")
    );
    assert_eq!(nn["kind"], "area_committee");

    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("分工表.xlsx");
    luoshi(
        &db,
        &[
            "export",
            "tasks",
            "--unit",
            "自治区商务厅",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let rows = book.worksheet_range("任务分工表").unwrap().rows().count();
    let commerce = json(&db, &["tasks", "--unit", "自治区商务厅", "--json"]);
    assert_eq!(rows - 1, commerce.as_array().unwrap().len());
    // The export reads back as a 任务分工表: the same tasks, numbers and units.
    let back = parsed(&xlsx);
    let listed = commerce.as_array().unwrap();
    assert_eq!(back.tasks.len(), listed.len());
    for (t, row) in back.tasks.iter().zip(listed) {
        assert_eq!(t.title, row["title"].as_str().unwrap());
        assert_eq!(t.number, row["number"].as_str().unwrap());
        let names = |role: luoshi_doc::Role| -> Vec<String> {
            t.units
                .iter()
                .filter(|u| u.role == role)
                .map(|u| u.name.clone())
                .collect()
        };
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            names(luoshi_doc::Role::Lead),
            strings(&row["lead"]),
            "{}",
            t.title
        );
        assert_eq!(
            names(luoshi_doc::Role::Support),
            strings(&row["support"]),
            "{}",
            t.title
        );
    }

    // Indicators, one JSON object per line in the contract's shape: the 003 seed's industry
    // outputs are one indicator per industry with milestones 2023 and 2025; its shares are shares.
    let out = luoshi(&db, &["indicators", "--json"]);
    let indicators: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for key in [
        "id",
        "subject",
        "scope",
        "unit",
        "measure",
        "milestones",
        "baseline",
        "actuals",
        "units",
        "source",
        "status",
    ] {
        assert!(indicators.iter().all(|i| i.get(key).is_some()), "{key}");
    }
    for industry in [
        "电子信息",
        "汽车和新能源汽车",
        "化工新材料",
        "中药材加工",
        "东盟特色产品加工",
    ] {
        let subject = format!("{industry}产业年产值");
        let same: Vec<&Value> = indicators
            .iter()
            .filter(|i| i["subject"] == subject)
            .collect();
        assert_eq!(same.len(), 1, "{subject}");
        let years: Vec<i64> = same[0]["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["year"].as_i64().unwrap())
            .collect();
        assert_eq!(years, [2023, 2025], "{subject}");
        assert_eq!(same[0]["unit"], "亿元");
        assert_eq!(same[0]["source"]["doc_number"], "桂政发〔2021〕17号");
    }
    let shares: Vec<&str> = indicators
        .iter()
        .filter(|i| i["measure"] == "share")
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(shares.len(), 2, "{shares:?}");
    let electronics = indicators
        .iter()
        .find(|i| i["subject"] == "电子信息产业年产值")
        .unwrap();
    assert_eq!(electronics["milestones"][1]["value"], 700);
    assert_eq!(electronics["scope"], "广西自贸试验区");
    assert!(
        electronics["status"]["reason"]
            .as_str()
            .unwrap()
            .contains("700")
    );
    // A target in a task names the task's units; 5000 企业 sits in one.
    let firms = indicators
        .iter()
        .find(|i| i["subject"] == "上下游中小微制造企业")
        .unwrap();
    assert!(!firms["units"].as_array().unwrap().is_empty(), "{firms}");
    figures_import(&db);
}

/// A statistics sheet (.xlsx) of (指标名称, 统计范围, 年份, 期别, 数值, 计量单位) rows.
fn stat_sheet(path: &std::path::Path, rows: &[[&str; 6]]) {
    use luoshi_output::xlsx::{Cell, Sheet, write};
    let mut s = Sheet::new(
        "统计快报",
        &[
            ("指标名称", 20.0),
            ("统计范围", 12.0),
            ("年份", 8.0),
            ("期别", 8.0),
            ("数值", 8.0),
            ("计量单位", 8.0),
        ],
    );
    for r in rows {
        s.rows.push(r.iter().map(|c| Cell::from(*c)).collect());
    }
    std::fs::write(path, write(&[s]).unwrap()).unwrap();
}

/// `luoshi figures import`: the seeds' 2025 figures for two indicators, previewed, then
/// imported; a bad sheet names its row, exits 1 and stores nothing.
fn figures_import(db: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xlsx");
    stat_sheet(
        &bad,
        &[
            [
                "电子信息产业年产值",
                "广西自贸试验区",
                "2025",
                "全年",
                "620",
                "亿元",
            ],
            [
                "年度利用外资",
                "广西自贸试验区",
                "2025",
                "全年",
                "8.5",
                "亿元",
            ],
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["figures", "import"])
        .arg(&bad)
        .args(db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("第 3 行“单位”列：单位应为“亿美元”"), "{said}");
    let good = dir.path().join("good.xlsx");
    stat_sheet(
        &good,
        &[
            [
                "电子信息产业年产值",
                "广西自贸试验区",
                "2025",
                "全年",
                "620",
                "亿元",
            ],
            [
                "年度利用外资",
                "广西自贸试验区",
                "2025",
                "全年",
                "85000",
                "万美元",
            ],
        ],
    );
    let path = good.display().to_string();
    let preview =
        String::from_utf8(luoshi(db, &["figures", "import", "--dry-run", &path]).stdout).unwrap();
    assert!(preview.contains("新增 2 个、修改 0 个"), "{preview}");
    assert!(preview.contains("— → 8.5亿美元"), "{preview}");
    let listed = |subject: &str| -> Value {
        String::from_utf8(luoshi(db, &["indicators", "--json"]).stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|i| i["subject"] == subject)
            .unwrap()
    };
    let electronics = listed("电子信息产业年产值");
    assert!(
        electronics["actuals"].as_array().unwrap().is_empty(),
        "the preview wrote nothing"
    );
    let done = String::from_utf8(luoshi(db, &["figures", "import", &path]).stdout).unwrap();
    assert!(done.contains("写入 2 个"), "{done}");
    let electronics = listed("电子信息产业年产值");
    assert_eq!(electronics["actuals"][0]["value"], 620, "{electronics}");
    assert_eq!(electronics["actuals"][0]["status"], "accepted");
    // The milestone year is over and the target missed: red, with the gap in words.
    assert_eq!(electronics["status"]["light"], "red", "{electronics}");
    let reason = electronics["status"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("实际 620") && reason.contains("700 未达成"),
        "{reason}"
    );
    let investment = listed("年度利用外资");
    assert_eq!(investment["actuals"][0]["value"], 8.5, "{investment}");
    // The same sheet again changes nothing.
    let again = String::from_utf8(luoshi(db, &["figures", "import", &path]).stdout).unwrap();
    assert!(again.contains("2 个不变（写入 0 个）"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_import_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let db = vec!["--db".to_string(), path.display().to_string()];
    // The command creates the file; the test reads it afterwards.
    luoshi(&db, &["units", "--json"]);
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    check(db, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_import_on_postgres() {
    let url = SqlStore::fresh_postgres_url("cli").await.unwrap();
    let store = SqlStore::connect(&url, 4).await.unwrap();
    check(vec!["--database-url".to_string(), url], &store).await;
}

/// 等保 item 15, the restore drill: a backup taken while the ledger holds one document is
/// verified; after more is imported, restoring it brings back exactly what it held, and a
/// corrupt or foreign file is refused without touching the database.
#[test]
fn a_backup_restores_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let db_args = vec!["--db".to_string(), db.display().to_string()];
    let files = seeds();
    luoshi(&db_args, &["import", files[0].to_str().unwrap()]);
    let before = json(&db_args, &["tasks", "--json"]);
    let backup = dir.path().join("backup.db");
    let out = luoshi(&db_args, &["backup", "--to", backup.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("校验通过") && said.contains("文件 1 份"),
        "{said}"
    );
    luoshi(&db_args, &["import", files[3].to_str().unwrap()]);
    assert_ne!(json(&db_args, &["tasks", "--json"]), before);
    let out = luoshi(&db_args, &["restore", "--from", backup.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("已从"));
    assert_eq!(json(&db_args, &["tasks", "--json"]), before);
    // A damaged backup is refused and the database stays as it is.
    let broken = dir.path().join("broken.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    bytes.truncate(bytes.len() / 2);
    bytes[100..200].fill(0xAB);
    std::fs::write(&broken, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["restore", "--from", broken.to_str().unwrap()])
        .args(&db_args)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(json(&db_args, &["tasks", "--json"]), before);
    // An existing backup file is never overwritten.
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["backup", "--to", backup.to_str().unwrap()])
        .args(&db_args)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// 等保 item 12: `luoshi audit verify` recomputes the seal chain with the key file beside the
/// database; with another key (the file replaced) the same records no longer verify.
#[test]
fn audit_verify_checks_the_chain_with_the_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let db_args = vec!["--db".to_string(), db.display().to_string()];
    luoshi(&db_args, &["import", seeds()[0].to_str().unwrap()]);
    let key = dir.path().join("luoshi-audit.key");
    assert!(key.exists(), "the key file is created beside the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o077,
            0
        );
    }
    let out = luoshi(&db_args, &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("校验通过"));
    std::fs::write(&key, b"another key of sufficient length!!").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["audit", "verify"])
        .args(&db_args)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("校验失败"));
}

/// 等保 item 15: stored files are sealed with the data key beside the database (owner-only);
/// `key rotate` adds a key, `key rekey` re-seals what an older key sealed (once), and without the
/// key file what is stored cannot be read.
#[test]
fn data_keys_rotate_and_rekey() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let db_args = vec!["--db".to_string(), db.display().to_string()];
    luoshi(&db_args, &["import", seeds()[0].to_str().unwrap()]);
    let key = dir.path().join("luoshi-data.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o077,
            0,
            "the data key is the owner's alone"
        );
    }
    let rekey = |db_args: &[String]| {
        String::from_utf8_lossy(&luoshi(db_args, &["key", "rekey"]).stdout).to_string()
    };
    assert!(rekey(&db_args).contains("文件 0 份"), "sealed at import");
    let out = luoshi(&db_args, &["key", "rotate"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("增加密钥 2"));
    assert!(rekey(&db_args).contains("文件 1 份"));
    assert!(rekey(&db_args).contains("文件 0 份"));
    // Another key file (the old one lost): nothing stored opens.
    std::fs::remove_file(&key).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["key", "rekey"])
        .args(&db_args)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not loaded"));
}

/// 等保 item 14: `luoshi serve --tls-cert --tls-key` speaks HTTPS itself (rustls), TLS 1.2 and 1.3
/// only, with HSTS (it implies `--secure-cookies`); a TLS 1.1 client is refused.
#[test]
fn serve_speaks_tls_itself() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl makes a test certificate");
    assert!(made.status.success(), "{made:?}");
    let db = dir.path().join("tls.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("落实已启动：").map(str::to_string))
        .expect("the server starts");
    let curl = |extra: &[&str], path: &str| {
        Command::new("curl")
            .args(["-sk", "-D", "-", "-o", "/dev/null", "--max-time", "10"])
            .args(extra)
            .arg(format!("{}{path}", url))
            .output()
            .unwrap()
    };
    let ok = curl(&["--tlsv1.2"], "healthz");
    let head = String::from_utf8_lossy(&ok.stdout).to_lowercase();
    let old = curl(&["--tlsv1.1", "--tls-max", "1.1"], "healthz");
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("https://"), "{url}");
    assert!(head.starts_with("http/"), "{head}");
    assert!(head.contains(" 200"), "{head}");
    assert!(
        head.contains("strict-transport-security: max-age=31536000"),
        "{head}"
    );
    assert!(!old.status.success(), "TLS 1.1 is refused");
}
