//! `luoshi indicators` and `luoshi figures import`: the indicators as the office watches them,
//! and a statistics sheet loaded as the office would load it (the same use case as the page:
//! `luoshi_store::indicators::plan_sheet`, `import_sheet`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use luoshi_domain::indicators::filing::period_label;
use luoshi_store::Actor;

use crate::ledger_cmd::DbArgs;

/// `luoshi indicators`: every indicator with its milestones, units, source and status; with
/// `--json` one object per line.
pub async fn indicators(db: &DbArgs, json: bool) -> Result<ExitCode> {
    use luoshi_store::indicators::{IndicatorFilter, indicator_json};
    let store = db.open().await?;
    let thresholds = store.settings().await?.indicator_thresholds;
    let today = luoshi_store::today_in_china();
    let mut out = std::io::stdout().lock();
    for i in store.indicators(&IndicatorFilter::default()).await? {
        let line = if json {
            indicator_json(&i, &thresholds, today).to_string()
        } else {
            let status = i.status(&thresholds, today);
            let milestones: Vec<String> = i
                .live_milestones()
                .map(|m| format!("{}年 {}{}", m.milestone.year, m.milestone.value, i.unit))
                .collect();
            let scope = i
                .scope
                .as_deref()
                .map_or(String::new(), |s| format!("［{s}］"));
            format!(
                "{}\t{scope}{}\t{}\t{}：{}",
                i.id,
                i.subject,
                milestones.join("，"),
                status.light.label(),
                status.reason
            )
        };
        // A reader that stops early (`| head`) ends the listing, not the process with a panic.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `luoshi figures import FILE.xlsx [--dry-run]`: the sheet's plan (what it adds and changes,
/// or every bad row); without `--dry-run` it is imported when every row is valid. Exit status 1
/// when the sheet has problems (nothing is written then).
pub async fn figures_import(db: &DbArgs, file: &Path, dry_run: bool) -> Result<ExitCode> {
    let meta = std::fs::metadata(file).with_context(|| format!("{}", file.display()))?;
    if meta.len() > 64 * 1024 * 1024 {
        bail!("{}：文件过大（file too large）", file.display());
    }
    let bytes = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let store = db.open().await?;
    let today = luoshi_store::today_in_china();
    let plan = luoshi_store::indicators::plan_sheet(&*store, &bytes, today).await?;
    let mut out = std::io::stdout().lock();
    if !plan.problems.is_empty() {
        eprintln!(
            "{}：有 {} 处问题，未导入任何数据",
            file.display(),
            plan.problem_count
        );
        for p in &plan.problems {
            eprintln!("  {p}");
        }
        return Ok(ExitCode::FAILURE);
    }
    let (new, changed, same) = plan.counts();
    if dry_run {
        for c in &plan.changes {
            let scope = c
                .scope
                .as_deref()
                .map_or(String::new(), |s| format!("［{s}］"));
            let before = c
                .before
                .map_or("—".to_string(), |b| format!("{b}{}", c.unit));
            let line = format!(
                "第 {} 行\t{}{scope}\t{}\t{before} → {}{}\t{}",
                c.row,
                c.subject,
                period_label(c.year, c.quarter),
                c.value,
                c.unit,
                c.kind().label()
            );
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        writeln!(
            out,
            "预览（未写入）：共 {} 行，新增 {new} 个、修改 {changed} 个数值，{same} 个不变",
            plan.rows
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let actor = Actor::system("命令行导入统计报表");
    let (_, written) =
        luoshi_store::indicators::import_sheet(&*store, &actor, &bytes, today).await?;
    writeln!(
        out,
        "{}：已导入，新增 {new} 个、修改 {changed} 个数值，{same} 个不变（写入 {written} 个）",
        file.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A statistics sheet as 统计局 would send it, for the demo: (指标, 范围, 年份, 期别, 数值, 单位,
/// 统计口径及来源) rows.
fn demo_sheet(rows: &[(&str, &str, &str, &str, &str)]) -> Result<Vec<u8>> {
    use luoshi_output::xlsx::{Cell, Sheet, write};
    let mut sheet = Sheet::new(
        "统计快报",
        &[
            ("指标名称", 24.0),
            ("统计范围", 14.0),
            ("年份", 8.0),
            ("期别", 10.0),
            ("数值", 10.0),
            ("计量单位", 10.0),
            ("统计口径及来源", 30.0),
        ],
    );
    for (subject, year, period, value, unit) in rows {
        sheet.rows.push(vec![
            Cell::from(*subject),
            Cell::from(""),
            Cell::from(*year),
            Cell::from(*period),
            Cell::from(value.parse::<f64>().unwrap_or(0.0)),
            Cell::from(*unit),
            Cell::from("示例：自治区统计局统计快报（演示数据）"),
        ]);
    }
    Ok(write(&[sheet])?)
}

/// The demo's indicators at work: the sample plan's trade target gets a baseline and 商务厅 as
/// its lead (it sits in the goals section, so the office assigns it); a statistics sheet with
/// this year's first two quarters is imported (and written beside the database, with a third
/// quarter's sheet to preview and import on the 统计报表导入 page); 交通运输厅 files its freight
/// trains with its task report and the office accepts it.
pub async fn demo_indicators(
    store: &dyn luoshi_store::Store,
    actor: &Actor,
    day: luoshi_domain::calendar::Date,
    dir: &Path,
) -> Result<()> {
    use luoshi_domain::indicators::Decimal;
    use luoshi_store::indicators::{Baseline, IndicatorFilter, NewValue};
    use luoshi_store::reporting::{ObligationFilter, Review, SubmitReport};
    let all = store.indicators(&IndicatorFilter::default()).await?;
    let find = |subject: &str| all.iter().find(|i| i.subject == subject);
    let commerce = store.unit_by_name("自治区商务厅").await?;
    if let Some(i) = find("数字贸易进出口额") {
        let baseline = Baseline {
            year: 2025,
            value: Decimal::from(120),
            source: Some("示例：自治区商务厅 2025 年统计快报".into()),
        };
        store.set_baseline(actor, i.id, Some(baseline)).await?;
    }
    if let Some(c) = &commerce {
        for subject in ["数字贸易进出口额", "培育数字贸易重点企业"] {
            if let Some(i) = find(subject) {
                store
                    .assign_units(actor, i.id, &[(c.id, "lead".to_string())])
                    .await?;
            }
        }
    }
    let year = day.year.to_string();
    let first = demo_sheet(&[
        ("数字贸易进出口额", &year, "一季度", "31.5", "亿元"),
        ("数字贸易进出口额", &year, "1-6月", "72", "亿元"),
        ("培育数字贸易重点企业", &year, "上半年", "38", "家"),
    ])?;
    let third = demo_sheet(&[
        ("数字贸易进出口额", &year, "1-9月", "1180000", "万元"),
        ("培育数字贸易重点企业", &year, "前三季度", "44", "家"),
    ])?;
    std::fs::write(dir.join("统计报表示例-上半年.xlsx"), &first)?;
    std::fs::write(dir.join("统计报表示例-前三季度.xlsx"), &third)?;
    let office = Actor::system("自贸办（演示：导入统计报表）");
    luoshi_store::indicators::import_sheet(store, &office, &first, day).await?;
    // 交通运输厅 files 1-9月 with this period's report on the freight-train task.
    let Some(trains) = find("海铁联运班列开行量") else {
        return Ok(());
    };
    let Some(task_id) = trains.source().and_then(|s| s.task_id) else {
        return Ok(());
    };
    let baseline = Baseline {
        year: 2025,
        value: "0.9".parse().unwrap_or_default(),
        source: Some("示例：2025 年开行 9000 列（演示数据）".into()),
    };
    store.set_baseline(actor, trains.id, Some(baseline)).await?;
    let links = store
        .obligations(&ObligationFilter {
            task: Some(task_id),
            ..Default::default()
        })
        .await?;
    let Some((ob, p)) = links.iter().find_map(|ob| {
        let p = ob.due_rule.unwrap_or_default().period_of(day);
        (ob.role.is_lead() && ob.window.owes(&p) && p.start <= day).then_some((ob, p))
    }) else {
        return Ok(());
    };
    let unit = Actor::system("交通运输厅信息联络员（演示）");
    let filed = store
        .submit_report(
            &unit,
            SubmitReport {
                task_id,
                unit_id: ob.unit_id,
                kind: luoshi_domain::reporting::ReportKind::Task,
                period: p.key(),
                due: p.due,
                filed_on: day,
                status: luoshi_domain::reporting::WorkStatus::Ongoing,
                progress: 70,
                narrative: "新开钦州港—重庆、钦州港—成都两条班列线路，1-9月开行量同比增长一成。"
                    .into(),
                figures: Vec::new(),
                values: vec![NewValue {
                    indicator_id: trains.id,
                    year: day.year,
                    quarter: Some(3),
                    value: "0.82".parse().unwrap_or_default(),
                    source: Some("示例：中国铁路南宁局集团统计（演示数据）".into()),
                }],
                attachments: Vec::new(),
                idempotency_key: None,
            },
        )
        .await?;
    store
        .review_report(
            actor,
            Review {
                report_id: filed.report.id,
                version_no: filed.version_no,
                accept: true,
                reason: String::new(),
            },
        )
        .await?;
    Ok(())
}
