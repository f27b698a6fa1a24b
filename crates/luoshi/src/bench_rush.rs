//! `luoshi bench rush`: the deadline rush. `--users` liaison officers (default 500) each open
//! their obligations and file their quarterly report within `--seconds` (default 300), at random
//! moments, against the real router on loopback, on SQLite or PostgreSQL. A share of them retry
//! the same submission with the same idempotency key, as a browser does after a timeout. Then the
//! database is checked: exactly one report with one version per officer (none lost, none
//! duplicated). Reports errors, p50/p95/p99/max latency and peak RSS.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use clap::Args;
use luoshi_domain::accounts::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_store::Actor;
use luoshi_store::Store;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_store::ledger::sha256_hex;
use luoshi_store::reporting::ReportFilter;
use luoshi_store_sql::SqlStore;
use luoshi_testkit::rush::{RushUser, prepare, report_body};
use luoshi_web::{AppState, Config};

#[derive(Args, Debug)]
pub struct RushBench {
    #[arg(long, default_value_t = 500)]
    users: usize,
    /// The window in which every officer files.
    #[arg(long, default_value_t = 300)]
    seconds: u64,
    /// Share of officers who send their submission a second time (same key).
    #[arg(long, default_value_t = 0.2)]
    retry_share: f64,
    /// Client threads (officers filing at the same moment).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Run on a fresh PostgreSQL database at 127.0.0.1:5432 instead of a SQLite file.
    #[arg(long)]
    postgres: bool,
}

/// Latencies in ms, and a count of failures.
#[derive(Default)]
struct Tally {
    get: Vec<f64>,
    post: Vec<f64>,
    retry: Vec<f64>,
    errors: Vec<String>,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i.min(v.len() - 1)]
}

fn line(name: &str, v: &mut [f64]) -> String {
    format!(
        "{name:<22} n={:<5} p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
        v.len(),
        pct(v, 50.0),
        pct(v, 95.0),
        pct(v, 99.0),
        pct(v, 100.0)
    )
}

/// One officer: open the obligations, file, maybe retry.
fn officer(addr: &str, u: &RushUser, retry: bool, tally: &Mutex<Tally>) {
    let cookie = format!("luoshi_session={}", u.token);
    let timeout = Duration::from_secs(30);
    let t = Instant::now();
    let got = luoshi_testgen::http::request(
        addr,
        "GET",
        "/api/v1/obligations?round=2026-Q3",
        &[("Cookie", &cookie)],
        b"",
        timeout,
    );
    let get_ms = t.elapsed().as_secs_f64() * 1000.0;
    let body = report_body(u, "2026-Q3");
    let key = format!("rush-{}", u.username);
    let headers = [
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", u.csrf.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", key.as_str()),
    ];
    let t = Instant::now();
    let posted = luoshi_testgen::http::request(
        addr,
        "POST",
        "/api/v1/reports",
        &headers,
        body.as_bytes(),
        timeout,
    );
    let post_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut again = None;
    if retry {
        let t = Instant::now();
        let r = luoshi_testgen::http::request(
            addr,
            "POST",
            "/api/v1/reports",
            &headers,
            body.as_bytes(),
            timeout,
        );
        again = Some((r, t.elapsed().as_secs_f64() * 1000.0));
    }
    let mut tally = tally.lock().expect("not poisoned");
    match got {
        Ok(a) if a.status == 200 => tally.get.push(get_ms),
        Ok(a) => tally.errors.push(format!("GET {}: {}", a.status, a.body)),
        Err(e) => tally.errors.push(format!("GET: {e}")),
    }
    match posted {
        Ok(a) if a.status == 201 => tally.post.push(post_ms),
        Ok(a) => tally.errors.push(format!("POST {}: {}", a.status, a.body)),
        Err(e) => tally.errors.push(format!("POST: {e}")),
    }
    if let Some((r, ms)) = again {
        match r {
            Ok(a) if a.status == 200 && a.body.contains("\"replayed\":true") => {
                tally.retry.push(ms)
            }
            Ok(a) => tally.errors.push(format!("retry {}: {}", a.status, a.body)),
            Err(e) => tally.errors.push(format!("retry: {e}")),
        }
    }
}

pub async fn run(a: RushBench) -> Result<ExitCode> {
    let tmp = std::env::temp_dir().join(format!("luoshi-rush-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let store: Arc<dyn Store> = if a.postgres {
        Arc::new(
            SqlStore::fresh_postgres("rush")
                .await
                .map_err(|e| anyhow!(e))?,
        )
    } else {
        Arc::new(
            SqlStore::open_sqlite(&tmp.join("rush.db"))
                .await
                .map_err(|e| anyhow!(e))?,
        )
    };
    let backend = store.backend();
    let now = luoshi_store::now();
    let users = prepare(&*store, a.users, now).await?;
    let app = luoshi_web::app(AppState {
        store: store.clone(),
        config: Arc::new(Config {
            // Mid-September: the third quarter's reports are due by the 19th.
            today: luoshi_domain::calendar::Date::parse("2026-09-15"),
            ..Config::default()
        }),
        memo: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Each officer files at a random moment of the window (a fixed seed: runs are comparable).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let window_ms = a.seconds * 1000;
    let mut plan: Vec<(u64, usize, bool)> = (0..users.len())
        .map(|i| {
            let at = next() % window_ms.max(1);
            let retry = (next() % 1000) as f64 / 1000.0 < a.retry_share;
            (at, i, retry)
        })
        .collect();
    plan.sort_unstable();
    println!(
        "deadline rush on {backend}: {} officers within {} s, {:.0}% retry with the same key, {} client threads",
        users.len(),
        a.seconds,
        a.retry_share * 100.0,
        a.clients
    );
    let plan = Arc::new(Mutex::new(plan.into_iter()));
    let users = Arc::new(users);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let handles: Vec<_> = (0..a.clients)
        .map(|_| {
            let (plan, users, tally, addr) =
                (plan.clone(), users.clone(), tally.clone(), addr.clone());
            std::thread::spawn(move || {
                loop {
                    let Some((at, i, retry)) = plan.lock().expect("not poisoned").next() else {
                        return;
                    };
                    let due = Duration::from_millis(at);
                    if let Some(wait) = due.checked_sub(start.elapsed()) {
                        std::thread::sleep(wait);
                    }
                    officer(&addr, &users[i], retry, &tally);
                }
            })
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        for h in handles {
            let _ = h.join();
        }
    })
    .await?;
    let wall = start.elapsed().as_secs_f64();

    // None lost, none duplicated.
    let reports = store.reports(&ReportFilter::default()).await?;
    let multi = reports.iter().filter(|r| r.versions != 1).count();
    let mut t = std::mem::take(&mut *tally.lock().expect("not poisoned"));
    let requests = t.get.len() + t.post.len() + t.retry.len() + t.errors.len();
    println!("wall time              {wall:.1} s, {requests} requests");
    println!("{}", line("open obligations (GET)", &mut t.get));
    println!("{}", line("file report (POST)", &mut t.post));
    println!("{}", line("retry, same key (POST)", &mut t.retry));
    println!(
        "errors                 {}{}",
        t.errors.len(),
        t.errors
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "reports stored         {} for {} officers; with more than one version: {multi}",
        reports.len(),
        users.len()
    );
    office_pages(&*store, &addr, now).await?;
    println!(
        "peak RSS               {:.0} MiB (server and clients in one process)",
        crate::bench::peak_rss_mib()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    let ok = t.errors.is_empty() && reports.len() == users.len() && multi == 0;
    let mut all = t.post.clone();
    let (p95, p99) = (pct(&mut all, 95.0), pct(&mut all, 99.0));
    let fast = p95 < 1000.0 && p99 < 3000.0;
    println!(
        "verdict                {} (0 errors, none lost or duplicated, p95 < 1 s, p99 < 3 s)",
        if ok && fast { "PASS" } else { "FAIL" }
    );
    Ok(if ok && fast {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Times the office's pages and outputs over the filed round (one request each).
async fn office_pages(store: &dyn Store, addr: &str, now: i64) -> Result<()> {
    let actor = Actor::system("rush");
    let office = store
        .create_unit(&actor, "压力测试办公室", UnitKind::RegionalDept)
        .await?;
    let admin = store
        .create_user(
            &actor,
            NewUser {
                username: "rush-office".into(),
                display_name: "办公室".into(),
                role: Role::Admin,
                unit_id: office.id,
                password_hash: "unused".into(),
                must_change_password: false,
            },
        )
        .await?;
    // The office's administrators sign in with a second factor; without one every page would
    // send this session to 我的账户 (and time a redirect).
    luoshi_testkit::enrol_test_factor(store, admin.id, 0).await;
    store
        .create_session(NewSession {
            token_hash: sha256_hex(b"rush-office"),
            user_id: admin.id,
            csrf: "c".into(),
            now,
        })
        .await?;
    for path in [
        "/reporting?round=2026-Q3",
        "/dashboard?round=2026-Q3",
        "/export/reports.xlsx?round=2026-Q3",
        "/compilation.docx?round=2026-Q3",
        "/compilation.pdf?round=2026-Q3",
    ] {
        let addr = addr.to_string();
        let (ms, status, size) = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let a = luoshi_testgen::http::request(
                &addr,
                "GET",
                path,
                &[("Cookie", "luoshi_session=rush-office")],
                b"",
                Duration::from_secs(120),
            );
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            a.map(|a| (ms, a.status, a.body.len()))
                .unwrap_or((ms, 0, 0))
        })
        .await?;
        println!("office {path:<36} {status} in {ms:>7.1} ms ({size} bytes)");
        if status != 200 {
            bail!("office {path} answered {status}: the timing would not be of the page");
        }
    }
    Ok(())
}
