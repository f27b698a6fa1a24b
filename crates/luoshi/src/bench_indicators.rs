//! `luoshi bench indicators`: a generated set of indicators (by default 5,000: 50 documents of
//! 100 goals, each subject with a 2025 and a 2030 milestone) with ten years of quarterly values
//! (200,000, written as the office's own through `record_values`), on SQLite or PostgreSQL. Then
//! the list (first page, and filtered by light), its API and one indicator's page under
//! concurrent load from `wrk`, and a 10,000-row statistics sheet previewed and imported through
//! the same use case as the page. Reports seconds, req/s, p50/p99 and peak RSS.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use luoshi_doc::{Comparator, Document, Extracted, Format, LeadRule, Measure, Meta, Target};
use luoshi_domain::indicators::filing::ValueOrigin;
use luoshi_store::accounts::NewSession;
use luoshi_store::indicators::{IndicatorFilter, NewValue};
use luoshi_store::ledger::{ImportInput, plan_import};
use luoshi_store::{Actor, Store};
use luoshi_store_sql::SqlStore;
use luoshi_web::{AppState, Config};

use crate::bench_ledger::{tempfile_dir, wrk};

#[derive(Args, Debug)]
pub struct IndicatorsBench {
    #[arg(long, default_value_t = 50)]
    docs: usize,
    #[arg(long, default_value_t = 100)]
    per_doc: usize,
    /// Years of quarterly values per indicator (ending 2026).
    #[arg(long, default_value_t = 10)]
    years: i32,
    /// Rows of the statistics sheet.
    #[arg(long, default_value_t = 10_000)]
    sheet_rows: usize,
    #[arg(long)]
    postgres: bool,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value_t = 32)]
    connections: u32,
}

const PLACES: &[&str] = &[
    "南宁",
    "钦州",
    "崇左",
    "北海",
    "防城港",
    "柳州",
    "桂林",
    "梧州",
    "玉林",
    "百色",
    "贵港",
    "河池",
    "来宾",
    "贺州",
];
const TRADES: &[&str] = &[
    "电子信息",
    "汽车",
    "化工新材料",
    "中药材加工",
    "东盟特色食品",
    "跨境电商",
    "冷链物流",
    "数字贸易",
    "海洋装备",
    "新能源电池",
];
const ASPECTS: &[&str] = &["年产值", "年营业收入", "进出口额", "年度利用外资"];

/// The i-th subject: a place, a trade and an aspect, each document its own place set.
fn subject(doc: usize, k: usize) -> String {
    let place = PLACES[(doc + k / 40) % PLACES.len()];
    let trade = TRADES[k % TRADES.len()];
    let aspect = ASPECTS[(k / TRADES.len()) % ASPECTS.len()];
    format!("{place}{trade}产业{aspect}（第{doc}组）")
}

fn document(doc: usize, per_doc: usize) -> ImportInput {
    let mut text =
        format!("第{doc}组产业目标测试方案\n\n桂测发〔2026〕{doc}号\n\n一、工作目标\n\n");
    let mut targets = Vec::with_capacity(per_doc * 2);
    for k in 0..per_doc {
        let s = subject(doc, k);
        let base = 100 + (doc * 7 + k * 13) % 900;
        let sentence = format!(
            "到2025年，{s}达到{}亿元，到2030年达到{}亿元。",
            base,
            base * 2
        );
        for (year, value) in [(2025, base), (2030, base * 2)] {
            targets.push(Target {
                year: Some(year),
                subject: s.clone(),
                scope: None,
                value: value as f64,
                value_max: None,
                unit: "亿元".into(),
                comparator: Comparator::AtLeast,
                measure: Measure::Level,
                base_year: None,
                direction: None,
                text: sentence.clone(),
                line: k + 5,
            });
        }
        text.push_str(&sentence);
        text.push('\n');
    }
    let document = Document {
        format: Format::Text,
        encoding: "utf-8".into(),
        meta: Meta {
            doc_number: Some(format!("桂测发〔2026〕{doc}号")),
            title: Some(format!("第{doc}组产业目标测试方案")),
            ..Meta::default()
        },
        outline: Vec::new(),
        lead_rule: LeadRule::Declared,
        tasks: Vec::new(),
        targets,
        reporting_rules: Vec::new(),
        roster: Vec::new(),
        achievements: Vec::new(),
        warnings: Vec::new(),
    };
    ImportInput {
        file_name: format!("targets{doc}.txt"),
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

/// A value on the indicator's path, a little behind or ahead by indicator.
fn value_of(i: usize, year: i32, quarter: u8, base: f64) -> String {
    let ytd = f64::from(quarter) / 4.0;
    let level = base * (1.0 + 0.08 * f64::from(year - 2020));
    let drift = 0.85 + (i % 30) as f64 / 100.0;
    format!("{:.2}", level * ytd * drift)
}

pub async fn run(a: IndicatorsBench) -> Result<ExitCode> {
    let tmp = tempfile_dir()?;
    let store: Arc<dyn Store> = if a.postgres {
        Arc::new(
            SqlStore::fresh_postgres("bench_ind")
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
    println!(
        "bench indicators on {backend}: {} documents × {} subjects, {} years of quarterly values",
        a.docs, a.per_doc, a.years
    );
    let start = Instant::now();
    for d in 0..a.docs {
        let plan = plan_import(&*store, document(d, a.per_doc)).await?;
        store.apply_import(&actor, &plan).await?;
    }
    let imported = start.elapsed().as_secs_f64();
    let all = store.indicators(&IndicatorFilter::default()).await?;
    println!(
        "import: {:.1} s for {} indicators ({} milestones)",
        imported,
        all.len(),
        all.iter().map(|i| i.milestones.len()).sum::<usize>()
    );
    let start = Instant::now();
    let today = luoshi_domain::calendar::Date::parse("2026-12-15").context("date")?;
    let mut batch = Vec::new();
    let mut values = 0usize;
    for (n, i) in all.iter().enumerate() {
        let base = i.live_milestones().next().map_or(100.0, |m| {
            m.milestone
                .value
                .to_string()
                .parse::<f64>()
                .unwrap_or(100.0)
                / 1.4
        });
        for year in (2027 - a.years)..2027 {
            for q in 1..=4u8 {
                if year == 2026 && q == 4 {
                    continue;
                }
                batch.push(NewValue {
                    indicator_id: i.id,
                    year,
                    quarter: Some(q),
                    value: value_of(n, year, q, base).parse()?,
                    source: Some("统计快报".into()),
                });
            }
        }
        if batch.len() >= 10_000 || n + 1 == all.len() {
            values += store
                .record_values(&actor, ValueOrigin::Office, today, &batch)
                .await?;
            batch.clear();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "values: {values} written in {secs:.1} s ({:.0} values/s, batches of 10,000)",
        values as f64 / secs
    );

    // Where a list's time goes, one request at a time.
    let t = luoshi_domain::indicators::IndicatorThresholds::default();
    for (label, limit) in [
        ("page of 100", 100),
        ("page of 100 (lights kept)", 100),
        ("page of 10", 10),
    ] {
        let start = Instant::now();
        store
            .indicator_page(
                &IndicatorFilter::default(),
                None,
                &t,
                today,
                luoshi_store::Page::new(0, limit),
                false,
            )
            .await?;
        println!(
            "  {label}: {:.1} ms",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }

    for _ in 0..2 {
        let start = Instant::now();
        store.units().await?;
        let units = start.elapsed().as_secs_f64() * 1000.0;
        let start = Instant::now();
        store
            .documents(&luoshi_store::Scope::All, luoshi_store::Page::new(0, 200))
            .await?;
        println!(
            "  the list's filter choices: units {units:.1} ms, documents {:.1} ms",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }

    // The office's session, with its second factor, and the server.
    let admin = store.users().await?.into_iter().next().context("admin")?;
    luoshi_testkit::enrol_test_factor(&*store, admin.id, 0).await;
    let token = "bench-session-token";
    store
        .create_session(NewSession {
            token_hash: luoshi_store::accounts::credentials::token_hash(token),
            user_id: admin.id,
            csrf: "x".into(),
            now: luoshi_store::now(),
        })
        .await?;
    let state = AppState {
        store: store.clone(),
        config: Arc::new(Config {
            rate_limits: luoshi_domain::limits::RateLimits::UNLIMITED,
            today: Some(today),
            ..Config::default()
        }),
        memo: Default::default(),
    };
    let app = luoshi_web::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = |path: &str| {
        let url = format!("http://{addr}{path}");
        async move {
            let out = tokio::process::Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
                .args(["-H", &format!("Cookie: luoshi_session={token}")])
                .arg(&url)
                .output()
                .await?;
            Ok::<_, anyhow::Error>(String::from_utf8_lossy(&out.stdout).to_string())
        }
    };
    // The first list of the day judges every light and keeps it.
    let start = Instant::now();
    let code = client("/indicators").await?;
    if code != "200" {
        bail!("/indicators answered {code}");
    }
    println!(
        "first list of the day (judges and keeps {} lights): {:.0} ms",
        all.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    let one = all[all.len() / 2].id;
    // The last two run while the office writes a value ten times a second: reads are kept
    // while nothing changes (`kit::memo`), and every write makes the next read compute again.
    let list = "/indicators".to_string();
    let page = format!("/indicators/{one}");
    let targets = [
        ("indicator list, first page of 50", list.clone(), false),
        (
            "indicator list, red only",
            "/indicators?light=red".into(),
            false,
        ),
        (
            "indicators API, 50",
            "/api/v1/indicators?limit=50".into(),
            false,
        ),
        ("one indicator's page (38 values)", page.clone(), false),
        ("dashboard", "/dashboard".into(), false),
        ("indicator list, a value written every 100 ms", list, true),
        (
            "one indicator's page, a value written every 100 ms",
            page,
            true,
        ),
    ];
    let mut writer = None;
    for (label, path, writes) in targets {
        if writes && writer.is_none() {
            let (store, actor, id) = (store.clone(), actor.clone(), all[0].id);
            writer = Some(tokio::spawn(async move {
                for n in 0.. {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    let value = NewValue {
                        indicator_id: id,
                        year: 2026,
                        quarter: Some(3),
                        value: format!("{}.{}", 100 + n, n % 10).parse()?,
                        source: Some("统计快报（修订）".into()),
                    };
                    store
                        .record_values(&actor, ValueOrigin::Office, today, &[value])
                        .await?;
                }
                Ok::<_, anyhow::Error>(())
            }));
        }
        wrk(
            label,
            &format!("http://{addr}{path}"),
            token,
            a.connections,
            a.seconds,
        )
        .await?;
    }
    if let Some(w) = writer {
        w.abort();
    }
    server.abort();

    // A statistics sheet of 10,000 rows: this year's quarters of 3,333 indicators, revised.
    let mut sheet = luoshi_output::xlsx::Sheet::new(
        "统计快报",
        &[
            ("指标名称", 30.0),
            ("年份", 8.0),
            ("期别", 8.0),
            ("数值", 10.0),
            ("计量单位", 8.0),
            ("统计口径及来源", 20.0),
        ],
    );
    use luoshi_output::xlsx::Cell;
    'rows: for (n, i) in all.iter().enumerate() {
        for (q, words) in [(1u8, "一季度"), (2, "1-6月"), (3, "前三季度")] {
            if sheet.rows.len() >= a.sheet_rows {
                break 'rows;
            }
            let base = i.actuals.last().map_or(100.0, |p| {
                p.value.to_string().parse::<f64>().unwrap_or(100.0)
            });
            sheet.rows.push(vec![
                Cell::from(i.subject.as_str()),
                Cell::from("2026"),
                Cell::from(words),
                Cell::from(format!(
                    "{:.2}",
                    base * f64::from(q) / 3.0 * 1.01 + (n % 7) as f64
                )),
                Cell::from("亿元"),
                Cell::from("统计局快报"),
            ]);
        }
    }
    let rows = sheet.rows.len();
    let bytes = luoshi_output::xlsx::write(&[sheet])?;
    let start = Instant::now();
    let plan = luoshi_store::indicators::plan_sheet(&*store, &bytes, today).await?;
    let preview = start.elapsed().as_secs_f64();
    if !plan.problems.is_empty() {
        bail!(
            "the sheet has problems: {:?}",
            &plan.problems[..plan.problems.len().min(5)]
        );
    }
    let start = Instant::now();
    let (_, written) =
        luoshi_store::indicators::import_sheet(&*store, &actor, &bytes, today).await?;
    let import = start.elapsed().as_secs_f64();
    println!(
        "statistics sheet, {rows} rows ({:.1} MB): preview {preview:.2} s, import {import:.2} s (read, matched and {written} values written)",
        bytes.len() as f64 / 1e6
    );
    println!(
        "peak RSS of this process (server + generator): {:.0} MiB",
        crate::bench::peak_rss_mib()
    );
    if std::env::var_os("LUOSHI_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    } else {
        println!("kept {}", tmp.display());
    }
    Ok(ExitCode::SUCCESS)
}
