//! The reporting outputs: the 季度工作进展汇编 as .docx and PDF, and the reporting sheets as .xlsx,
//! gathered within the session's scope and written by `luoshi-output`.

use std::collections::BTreeMap;

use crate::kit::attach::file_response;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use luoshi_output::blocks::Block;
use luoshi_output::xlsx::{Cell, Sheet};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Query;
use crate::reporting::compilation::compilation;
use crate::reporting::round::{
    Owed, item_facts, owed_facts, owed_in_round, round_param, visible_links,
};
use luoshi_domain::reporting::round::{Figures, Round, Score, figures, scorecards};
use luoshi_store::Id;
use luoshi_store::reporting::{ObligationFilter, ReportDetail};
use luoshi_store::supervision::{ItemFilter, ItemRow};

#[derive(Deserialize, Default)]
pub struct OutputQuery {
    pub round: Option<String>,
    pub unit: Option<Id>,
    pub area: Option<String>,
    pub document: Option<Id>,
}

/// Everything the compilation and the sheets print, within the session's scope.
struct Gathered {
    round: Round,
    owed: Vec<Owed>,
    details: BTreeMap<Id, ReportDetail>,
    items: Vec<ItemRow>,
    scores: Vec<Score>,
    figures: Figures,
    /// The indicators of the compiled documents (all, without a document filter), judged today.
    indicators: Vec<crate::indicators::pages::Row>,
}

async fn gather(state: &AppState, a: &Auth, q: &OutputQuery) -> AppResult<Gathered> {
    let round = round_param(state, q.round.as_deref())?;
    let units = match q.unit {
        Some(u) => {
            crate::kit::scope::visible_unit(state, &a.0, u).await?;
            Some(state.store.unit_family(u).await?)
        }
        None => None,
    };
    let links = visible_links(
        state,
        &a.0,
        ObligationFilter {
            units: units.clone(),
            area: q.area.clone().filter(|x| !x.is_empty()),
            document: q.document,
            task: None,
        },
    )
    .await?;
    let owed = owed_in_round(state, links, round).await?;
    // Only the filings this reader may read go into the compilation and the sheets' text.
    let reader = crate::kit::scope::ReportReader::of(state, &a.0).await?;
    let mut leads: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
    for o in owed.iter().filter(|o| o.ob.role.is_lead()) {
        leads.entry(o.ob.task_id).or_default().push(o.ob.unit_id);
    }
    let mut details = BTreeMap::new();
    for o in &owed {
        let task_leads = leads.get(&o.ob.task_id).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(r) = &o.report
            && reader.may_read(o.ob.unit_id, task_leads)
            && let Some(d) = state.store.report(r.id).await?
        {
            details.insert(r.id, d);
        }
    }
    let item_units = match units {
        Some(u) => Some(u),
        None => crate::kit::scope::item_units(state, &a.0).await?,
    };
    let items = state
        .store
        .items(&ItemFilter {
            units: item_units,
            ..Default::default()
        })
        .await?;
    let day = today(state);
    let settings = state.store.settings().await?;
    let facts = owed_facts(&owed);
    let scores = scorecards(&facts, &item_facts(&items), day);
    let figures = figures(&facts, day, &settings.thresholds);
    let indicators = crate::indicators::panel(
        state,
        luoshi_store::indicators::IndicatorFilter {
            document_id: q.document,
            ..Default::default()
        },
    )
    .await?;
    Ok(Gathered {
        indicators,
        round,
        owed,
        details,
        items,
        scores,
        figures,
    })
}

fn blocks(state: &AppState, g: &Gathered) -> Vec<Block> {
    compilation(&crate::reporting::compilation::Sources {
        round: g.round,
        today: today(state),
        owed: &g.owed,
        details: &g.details,
        items: &g.items,
        scores: &g.scores,
        figures: &g.figures,
        indicators: &g.indicators,
    })
}

fn output_failed(what: &str, e: String) -> AppError {
    tracing::error!(what, error = %e, "output failed");
    AppError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "output",
        format!("{what}生成失败，请联系管理员查看日志"),
    )
}

pub async fn compilation_docx(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<OutputQuery>,
) -> AppResult<Response> {
    let g = gather(&state, &a, &q).await?;
    let bytes = luoshi_output::docx::write(&blocks(&state, &g))
        .map_err(|e| output_failed("Word 汇编", e))?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!(
            "{}年第{}季度工作进展汇编.docx",
            g.round.year, g.round.quarter
        ),
        bytes,
    ))
}

pub async fn compilation_pdf(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<OutputQuery>,
) -> AppResult<Response> {
    let g = gather(&state, &a, &q).await?;
    let blocks = blocks(&state, &g);
    let fonts = state.config.fonts.clone();
    if let Some(missing) = fonts
        .iter()
        .find(|f| !std::path::Path::new(&f.path).exists())
    {
        tracing::error!(font = %missing.path, "PDF font missing");
        return Err(AppError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "font_missing",
            "服务器缺少 PDF 所需的中文字体：请运行 scripts/setup.sh 安装 fonts-noto-cjk，或用 LUOSHI_FONT_BODY 等变量指定字体文件",
        ));
    }
    // Setting type is CPU work: keep it off the request threads.
    let bytes = tokio::task::spawn_blocking(move || luoshi_output::pdf::write(&blocks, &fonts))
        .await
        .map_err(|e| output_failed("PDF 汇编", e.to_string()))?
        .map_err(|e| output_failed("PDF 汇编", e))?;
    Ok(file_response(
        "application/pdf",
        &format!(
            "{}年第{}季度工作进展汇编.pdf",
            g.round.year, g.round.quarter
        ),
        bytes,
    ))
}

pub async fn reports_xlsx(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<OutputQuery>,
) -> AppResult<Response> {
    let g = gather(&state, &a, &q).await?;
    let bytes =
        luoshi_output::xlsx::write(&reports_sheets(&g.owed, &g.details, &g.scores, &g.items))
            .map_err(|e| output_failed("Excel 报表", e.to_string()))?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}年第{}季度报送情况.xlsx", g.round.year, g.round.quarter),
        bytes,
    ))
}

/// The reporting sheets: every obligation, the scorecard, and the items.
pub fn reports_sheets(
    owed: &[Owed],
    details: &BTreeMap<Id, ReportDetail>,
    scores: &[Score],
    items: &[ItemRow],
) -> Vec<Sheet> {
    let mut filed = Sheet::new(
        "报送情况",
        &[
            ("任务", 30.0),
            ("来源文件", 24.0),
            ("单位", 20.0),
            ("类型", 10.0),
            ("报送期", 14.0),
            ("截止日期", 12.0),
            ("状态", 10.0),
            ("迟报", 6.0),
            ("推进状态", 10.0),
            ("进度%", 8.0),
            ("版本", 6.0),
            ("退回次数", 8.0),
            ("进展情况", 60.0),
        ],
    );
    filed.freeze_header = true;
    for o in owed {
        let latest = o
            .report
            .as_ref()
            .and_then(|x| details.get(&x.id))
            .and_then(|d| d.history.last());
        let mut row: Vec<Cell> = vec![
            format!("{} {}", o.ob.task_number, o.ob.task_title).into(),
            o.ob.document_title.clone().into(),
            o.ob.unit_name.clone().into(),
            o.kind.label().into(),
            o.period_label.clone().into(),
            o.due.to_string().into(),
            o.standing.label().into(),
            if o.late_filed() { "是" } else { "" }.into(),
            latest.map(|v| v.status.label()).unwrap_or("").into(),
        ];
        match (latest, &o.report) {
            (Some(v), Some(rep)) => row.extend([
                Cell::from(v.progress),
                Cell::from(rep.versions),
                Cell::from(rep.returns),
                Cell::from(v.narrative.clone()),
            ]),
            _ => row.extend((0..4).map(|_| Cell::from(""))),
        }
        filed.rows.push(row);
    }
    let score_heads = [
        "单位",
        "应报",
        "已报",
        "按时",
        "迟报",
        "逾期未报",
        "被退回",
        "已采纳",
        "按时率%",
        "督办事项",
        "已办结",
        "按时办结",
        "逾期未结",
    ];
    let cols: Vec<(&str, f64)> = score_heads
        .iter()
        .enumerate()
        .map(|(c, h)| (*h, if c == 0 { 30.0 } else { 9.0 }))
        .collect();
    let mut scored = Sheet::new("单位评分", &cols);
    for s in scores {
        let mut row: Vec<Cell> = vec![s.unit_name.clone().into()];
        row.extend(
            [
                s.owed, s.filed, s.on_time, s.late, s.missing, s.returned, s.accepted,
            ]
            .map(Cell::from),
        );
        row.push(match s.on_time_percent() {
            Some(p) => Cell::from(p),
            None => Cell::from("—"),
        });
        row.extend(
            [
                s.items,
                s.items_closed,
                s.items_closed_on_time,
                s.items_overdue,
            ]
            .map(Cell::from),
        );
        scored.rows.push(row);
    }
    let item_heads = [
        "事项",
        "来源",
        "依据",
        "牵头单位",
        "立项日期",
        "办理时限",
        "原时限",
        "状态",
        "进度%",
        "办结日期",
        "评价",
        "催办次数",
    ];
    let cols: Vec<(&str, f64)> = item_heads
        .iter()
        .enumerate()
        .map(|(c, h)| (*h, if c == 0 { 40.0 } else { 12.0 }))
        .collect();
    let mut listed = Sheet::new("督办事项", &cols);
    for it in items {
        listed.rows.push(vec![
            it.title.clone().into(),
            it.source.label().into(),
            it.source_ref.clone().into(),
            it.lead_unit_name.clone().into(),
            it.opened_on.to_string().into(),
            it.due.to_string().into(),
            it.original_due.to_string().into(),
            it.stage.label().into(),
            Cell::from(it.progress),
            crate::kit::format::opt_day(&it.closed_on, "").into(),
            it.grade.map(|g| g.label()).unwrap_or("").into(),
            Cell::from(it.reminders),
        ]);
    }
    vec![filed, scored, listed]
}
