//! `luoshi bench ledger`: a generated ledger (by default 10,000 documents, 400,000 tasks, 300
//! units) imported through the real import path, then a unit's task list served over loopback
//! under concurrent load from `wrk` (Debian's package), on SQLite or PostgreSQL. Reports import
//! throughput, requests per second, p50/p99 latency and peak RSS.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use luoshi_doc::{Document, Extracted, Format, LeadRule, Meta, Role as DocRole, Task, UnitRef};
use luoshi_store::accounts::NewSession;
use luoshi_store::ledger::{ImportInput, TaskFilter, plan_import};
use luoshi_store::{Actor, Page, Store};
use luoshi_store_sql::SqlStore;
use luoshi_web::{AppState, Config};

#[derive(Args, Debug)]
pub struct LedgerBench {
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    #[arg(long, default_value_t = 40)]
    tasks_per_doc: usize,
    #[arg(long, default_value_t = 300)]
    units: usize,
    /// Run on a fresh PostgreSQL database at 127.0.0.1:5432 instead of a SQLite file.
    #[arg(long)]
    postgres: bool,
    /// Seconds of load.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: u32,
}

const DEPTS: &[&str] = &[
    "发展改革",
    "工业和信息化",
    "商务",
    "财政",
    "自然资源",
    "生态环境",
    "交通运输",
    "农业农村",
    "文化和旅游",
    "卫生健康",
    "市场监管",
    "科技",
    "教育",
    "司法",
    "人力资源社会保障",
];
const VERBS: &[&str] = &[
    "推进", "完善", "建设", "培育", "优化", "深化", "拓展", "强化",
];
const OBJECTS: &[&str] = &[
    "跨境贸易便利化",
    "数字口岸",
    "产业链协同",
    "金融开放创新",
    "人才引进机制",
    "营商环境",
    "海铁联运通道",
    "边境经济合作",
    "制度创新试点",
    "数据跨境流动",
];

/// A small deterministic generator (xorshift), so every run builds the same ledger.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards small indexes: a few units carry many tasks, as in real documents.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

fn unit_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 10 {
            0 => format!("第{i}号市人民政府"),
            1 => format!("广西第{i}号集团有限公司"),
            _ => format!("自治区{}第{i}办", DEPTS[i % DEPTS.len()]),
        })
        .collect()
}

fn generate(i: usize, tasks: usize, units: &[String], rng: &mut Rng) -> ImportInput {
    let mut text = format!("关于印发第{i}号测试实施方案的通知\n\n桂测发〔2026〕{i}号\n\n");
    let mut list = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let title = format!(
            "{}{}（第{i}-{t}项）",
            VERBS[rng.below(VERBS.len())],
            OBJECTS[rng.below(OBJECTS.len())]
        );
        let body = format!(
            "围绕{}开展专项工作，年内完成阶段目标，形成可复制可推广经验。",
            OBJECTS[rng.below(OBJECTS.len())]
        );
        let mut named: Vec<usize> = Vec::new();
        while named.len() < 3 {
            let u = rng.skewed(units.len());
            if !named.contains(&u) {
                named.push(u);
            }
        }
        let mut refs: Vec<UnitRef> = named
            .iter()
            .enumerate()
            .map(|(k, u)| UnitRef {
                name: units[*u].clone(),
                role: if k == 0 {
                    DocRole::Lead
                } else {
                    DocRole::Support
                },
            })
            .collect();
        if rng.below(10) == 0 {
            refs.push(UnitRef {
                name: ["南宁片区管理机构", "钦州港片区管理机构", "崇左片区管理机构"][rng.below(3)]
                    .into(),
                role: DocRole::Support,
            });
        }
        let clause = refs
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("，");
        text.push_str(&format!(
            "{}.{title}。{body}（责任单位：{clause}）\n",
            t + 1
        ));
        list.push(Task {
            path: vec!["二、主要任务".into()],
            number: (t + 1).to_string(),
            title,
            text: body,
            units_text: Some(clause),
            units: refs,
            open_ended: false,
            others: false,
            deadline: None,
            line: t + 5,
        });
    }
    let document = Document {
        format: Format::Text,
        encoding: "utf-8".into(),
        meta: Meta {
            doc_number: Some(format!("桂测发〔2026〕{i}号")),
            title: Some(format!("关于印发第{i}号测试实施方案的通知")),
            ..Meta::default()
        },
        outline: Vec::new(),
        lead_rule: LeadRule::Declared,
        tasks: list,
        targets: Vec::new(),
        reporting_rules: Vec::new(),
        roster: Vec::new(),
        achievements: Vec::new(),
        warnings: Vec::new(),
    };
    ImportInput {
        file_name: format!("doc{i}.txt"),
        bytes: text.clone().into_bytes(),
        extracted: Extracted {
            format: Format::Text,
            encoding: "utf-8".into(),
            text,
            warnings: Vec::new(),
        },
        document,
    }
}

/// Loads `url` with `wrk` (2 threads) as the session `token`: (req/s, p50 ms, p99 ms); refused
/// when any answer was not a 2xx.
pub(crate) async fn wrk(
    label: &str,
    url: &str,
    token: &str,
    connections: u32,
    seconds: u64,
) -> Result<()> {
    let out = tokio::process::Command::new("wrk")
        .args([
            // wrk wants at least one connection per thread.
            &format!("-t{}", connections.clamp(1, 2)),
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            &format!("Cookie: luoshi_session={token}"),
            url,
        ])
        .output()
        .await
        .context("wrk must be installed (Debian package wrk; scripts/setup.sh)")?;
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    if report.contains("Non-2xx") {
        bail!("wrk saw errors on {url}:\n{report}");
    }
    let (rps, p50, p99) = wrk_figures(&report).ok_or_else(|| anyhow!("wrk output:\n{report}"))?;
    println!(
        "{label}, {connections} connections, {seconds} s: {rps:.0} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms"
    );
    Ok(())
}

/// Pulls "Requests/sec", and the 50% and 99% latencies (in ms) out of wrk's report.
fn wrk_figures(out: &str) -> Option<(f64, f64, f64)> {
    let ms = |v: &str| -> Option<f64> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = num.parse().ok()?;
        Some(match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            "m" => n * 60_000.0,
            _ => return None,
        })
    };
    let find = |key: &str| {
        out.lines()
            .map(str::trim)
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
    };
    let rps: f64 = find("Requests/sec:")?.parse().ok()?;
    Some((rps, ms(find("50%")?)?, ms(find("99%")?)?))
}

pub async fn run(a: LedgerBench) -> Result<ExitCode> {
    let tmp = tempfile_dir()?;
    let store: Arc<dyn Store> = if a.postgres {
        Arc::new(
            SqlStore::fresh_postgres("bench")
                .await
                .map_err(|e| anyhow!(e))?,
        )
    } else {
        Arc::new(
            SqlStore::open_sqlite(&tmp.join("bench.db"))
                .await
                .map_err(|e| anyhow!(e))?,
        )
    };
    let backend = store.backend();
    luoshi_store::accounts::credentials::bootstrap_admin(&*store, false).await?;
    let actor = Actor::system("bench");
    let units = unit_names(a.units);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    println!(
        "bench ledger on {backend}: {} documents × {} tasks, {} units",
        a.docs, a.tasks_per_doc, a.units
    );
    let start = Instant::now();
    let mut bytes = 0usize;
    for i in 0..a.docs {
        let input = generate(i, a.tasks_per_doc, &units, &mut rng);
        bytes += input.bytes.len();
        let plan = plan_import(&*store, input).await?;
        store.apply_import(&actor, &plan).await?;
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "  imported {} documents, {:.0} s",
                i + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let tasks = store
        .tasks(&TaskFilter::all(), Page::new(0, 1))
        .await?
        .total;
    println!(
        "import: {:.1} s, {:.0} documents/s, {:.0} tasks/s, {:.2} MB/s of source text; {} live tasks",
        secs,
        a.docs as f64 / secs,
        tasks as f64 / secs,
        bytes as f64 / 1e6 / secs,
        tasks
    );

    // The unit with the longest list, and a median one.
    let mut summary = store.units().await?;
    summary.sort_by_key(|u| -(u.lead_tasks + u.support_tasks));
    let busiest = &summary[0];
    let median = &summary[summary.len() / 2];

    let admin = store.users().await?.into_iter().next().context("admin")?;
    // An administrator needs a second factor, or every page redirects to 我的账户.
    luoshi_testkit::enrol_test_factor(&*store, admin.id, 0).await;
    let token = "bench-session-token";
    store
        .create_session(NewSession {
            token_hash: luoshi_store::accounts::credentials::token_hash(token),
            user_id: admin.id,
            csrf: "x".into(),
            now: now(),
        })
        .await?;
    let app = luoshi_web::app(AppState {
        store: store.clone(),
        // One session stands for the whole load here: the server is measured, not the
        // per-account limiter (which would answer 429 after 600 reads).
        config: Arc::new(Config {
            rate_limits: luoshi_domain::limits::RateLimits::UNLIMITED,
            ..Config::default()
        }),
        memo: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let targets = [
        (
            format!(
                "unit task list (busiest: {}, {} tasks)",
                busiest.unit.name,
                busiest.lead_tasks + busiest.support_tasks
            ),
            format!("/api/v1/units/{}/tasks?limit=50", busiest.unit.id),
        ),
        (
            format!(
                "unit task list (median: {}, {} tasks)",
                median.unit.name,
                median.lead_tasks + median.support_tasks
            ),
            format!("/api/v1/units/{}/tasks?limit=50", median.unit.id),
        ),
        (
            "whole ledger, first page (admin)".to_string(),
            "/api/v1/tasks?limit=50".to_string(),
        ),
        (
            "front page with counts (admin)".to_string(),
            "/".to_string(),
        ),
    ];
    for (label, path) in targets {
        wrk(
            &label,
            &format!("http://{addr}{path}"),
            token,
            a.connections,
            a.seconds,
        )
        .await?;
    }
    server.abort();
    println!(
        "peak RSS of this process (server + generator): {:.0} MiB",
        crate::bench::peak_rss_mib()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(ExitCode::SUCCESS)
}

fn now() -> i64 {
    luoshi_store::now()
}

pub(crate) fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("luoshi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::wrk_figures;

    #[test]
    fn reads_wrk_reports() {
        let report = "  Latency Distribution\n     50%    3.21ms\n     75%    4.00ms\n     90%    5.00ms\n     99%   12.50ms\n  1000 requests in 1.00s\nRequests/sec:   9876.54\n";
        assert_eq!(wrk_figures(report), Some((9876.54, 3.21, 12.5)));
        assert_eq!(
            wrk_figures("     50%  900.00us\n     99%    1.20s\nRequests/sec: 5\n"),
            Some((5.0, 0.9, 1200.0))
        );
    }
}
