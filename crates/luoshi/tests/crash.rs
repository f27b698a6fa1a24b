//! The crash test, on both backends: officers file reports against a real `luoshi serve`
//! process, which is killed with SIGKILL in the middle of the submissions and started again.
//! Every report the server acknowledged must be there, intact, exactly once; every submission
//! retried with its idempotency key must end as one report, never two.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use luoshi_store::Store;
use luoshi_store::reporting::ReportFilter;
use luoshi_store_sql::SqlStore;
use luoshi_testgen::http::request;
use luoshi_testkit::rush::{RushUser, prepare, report_body};

const OFFICERS: usize = 80;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &[String], port: u16) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .arg("serve")
        .args(db)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--today",
            "2026-09-15",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let server = Server(child);
    for line in BufReader::new(out).lines() {
        if line.unwrap().starts_with("落实已启动") {
            return server;
        }
    }
    panic!("server did not start");
}

fn file(addr: &str, u: &RushUser) -> std::io::Result<luoshi_testgen::http::Answer> {
    let cookie = format!("luoshi_session={}", u.token);
    let key = format!("crash-{}", u.username);
    request(
        addr,
        "POST",
        "/api/v1/reports",
        &[
            ("Cookie", &cookie),
            ("X-CSRF-Token", &u.csrf),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &key),
        ],
        report_body(u, "2026-Q3").as_bytes(),
        Duration::from_secs(20),
    )
}

fn report_id(body: &str) -> i64 {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["report"]["id"].as_i64().unwrap()
}

async fn crash_and_recover(store: Arc<dyn Store>, db: Vec<String>) {
    let now = luoshi_store::now();
    let users = Arc::new(prepare(&*store, OFFICERS, now).await.unwrap());
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = start(&db, port);

    // Eight officers at a time; the server dies once a third of the reports are acknowledged.
    let acked: Arc<Mutex<Vec<(usize, i64)>>> = Arc::default();
    let dead = Arc::new(AtomicBool::new(false));
    let next = Arc::new(Mutex::new(0..OFFICERS));
    let server = Arc::new(Mutex::new(Some(server)));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (users, acked, dead, next, server, addr) = (
                users.clone(),
                acked.clone(),
                dead.clone(),
                next.clone(),
                server.clone(),
                addr.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let Some(i) = next.lock().unwrap().next() else {
                        return;
                    };
                    if dead.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(a) = file(&addr, &users[i])
                        && (a.status == 201 || a.status == 200)
                    {
                        let mut acked = acked.lock().unwrap();
                        acked.push((i, report_id(&a.body)));
                        if acked.len() >= OFFICERS / 3 && !dead.swap(true, Ordering::SeqCst) {
                            // SIGKILL: no shutdown, no flush, whatever is in flight is cut off.
                            drop(server.lock().unwrap().take());
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(dead.load(Ordering::SeqCst), "the server was killed mid-run");
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= OFFICERS / 3);

    // Restarted, every acknowledged report is there, intact.
    let _server = start(&db, port);
    for (i, id) in &acked {
        let u = &users[*i];
        let a = request(
            &addr,
            "GET",
            &format!("/api/v1/reports/{id}"),
            &[("Cookie", &format!("luoshi_session={}", u.token))],
            b"",
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(a.status, 200, "{}: {}", store.backend(), a.body);
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(v["versions"], 1);
        assert_eq!(v["task_id"], u.task_id);
        assert!(
            v["history"][0]["narrative"]
                .as_str()
                .unwrap()
                .starts_with(&u.username)
        );
    }
    // Everyone retries with their key: acknowledged ones are replayed, the rest filed once.
    for (i, u) in users.iter().enumerate() {
        let a = file(&addr, u).unwrap();
        let was_acked = acked.iter().any(|(j, _)| *j == i);
        if was_acked {
            assert_eq!(a.status, 200, "{}: {}", store.backend(), a.body);
            assert!(a.body.contains("\"replayed\":true"));
        } else {
            assert!(a.status == 201 || a.status == 200, "{}", a.body);
        }
    }
    let reports = store.reports(&ReportFilter::default()).await.unwrap();
    assert_eq!(
        reports.len(),
        OFFICERS,
        "{}: none lost, none twice",
        store.backend()
    );
    assert!(reports.iter().all(|r| r.versions == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_submissions_loses_no_acknowledged_report_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let store: Arc<dyn Store> = Arc::new(SqlStore::open_sqlite(&path).await.unwrap());
    crash_and_recover(
        store,
        vec!["--db".into(), path.to_str().unwrap().to_string()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_submissions_loses_no_acknowledged_report_on_postgres() {
    let url = SqlStore::fresh_postgres_url("crash").await.unwrap();
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&url, 4).await.unwrap());
    crash_and_recover(store, vec!["--database-url".into(), url]).await;
}
