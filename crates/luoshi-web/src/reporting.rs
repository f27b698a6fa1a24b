//! The reporting pages (信息报送): a round's obligations, one task's reports for a period with the
//! filing and review forms, and attachment downloads.
//!
//! A filing form carries a one-time key made when the page is drawn; the same key posted twice (a
//! double click, a retry after a timeout) files once. The unit that files is the user's own unit,
//! or the predecessor it succeeded, whichever the task names.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use luoshi_domain::access::Role;
use luoshi_domain::lights::Assessment;
use luoshi_domain::reports::{WorkStatus, parse_figures};
use luoshi_store::*;
use serde::Deserialize;

use crate::AppState;
use crate::attach;
use crate::auth::{Auth, random_token};
use crate::error::{AppError, AppResult};
use crate::pages::{Nav, back, nav, page};
use crate::scope::visible_task;
use crate::work::{
    Owed, Round, Score, Standing, owed_in_round, period_of, round_param, scorecards, task_light,
    today, visible_links,
};

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    pub round: Option<String>,
    pub msg: Option<String>,
}

#[derive(Template)]
#[template(path = "reporting.html")]
struct ReportingPage {
    nav: Nav,
    round: Round,
    prev: String,
    next: String,
    today: String,
    /// The user's own obligations (unit roles).
    mine: Vec<Owed>,
    /// Filed and awaiting review (office).
    pending: Vec<Owed>,
    /// Past due, not filed.
    missing: Vec<Owed>,
    scores: Vec<Score>,
    office: bool,
}

pub async fn reporting(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<RoundQuery>,
) -> AppResult<Html<String>> {
    let round = round_param(&state, q.round.as_deref())?;
    let links = visible_links(&state, &a.0, ObligationFilter::default()).await?;
    let owed = owed_in_round(&state, links, round).await?;
    let user = &a.0.user;
    let everything = user.role.sees_everything();
    let family = state.store.unit_family(user.unit_id).await?;
    let mine: Vec<Owed> = owed
        .iter()
        .filter(|o| family.contains(&o.ob.unit_id))
        .cloned()
        .collect();
    let pending: Vec<Owed> = owed
        .iter()
        .filter(|o| o.standing == Standing::Submitted)
        .take(300)
        .cloned()
        .collect();
    let missing: Vec<Owed> = owed
        .iter()
        .filter(|o| o.standing == Standing::Missing)
        .take(300)
        .cloned()
        .collect();
    let items = if everything {
        state.store.items(&ItemFilter::default()).await?
    } else {
        Vec::new()
    };
    let scores = scorecards(&owed, &items, today(&state));
    Ok(page(ReportingPage {
        nav: nav(&a, "reporting", q.msg),
        prev: round.prev().key(),
        next: round.next().key(),
        round,
        today: today(&state).to_string(),
        mine,
        pending,
        missing,
        scores,
        office: everything,
    }))
}

/// One obligation on the task page, with its history when filed.
pub struct Slot {
    pub owed: Owed,
    pub detail: Option<ReportDetail>,
    /// The signed-in user may file it now.
    pub can_file: bool,
}

#[derive(Template)]
#[template(path = "report_task.html")]
struct ReportTaskPage {
    nav: Nav,
    task: TaskDetail,
    period_key: String,
    period_label: String,
    due: String,
    slots: Vec<Slot>,
    light: Assessment,
    statuses: Vec<(&'static str, &'static str)>,
    idem: String,
    office: bool,
}

/// A task's obligations for one period (lead first, then contributions), and the period.
async fn owed_for_period(
    state: &AppState,
    task_id: Id,
    period_key: &str,
) -> AppResult<(Vec<Owed>, luoshi_domain::periods::ReportPeriod)> {
    let links = state
        .store
        .obligations(&ObligationFilter {
            task: Some(task_id),
            ..Default::default()
        })
        .await?;
    let first = links.first().ok_or_else(AppError::not_found)?;
    let period = period_of(first, period_key).ok_or_else(AppError::not_found)?;
    let mut owed: Vec<Owed> = owed_in_round(state, links, Round::of(period.end))
        .await?
        .into_iter()
        .filter(|o| o.period_key == period_key)
        .collect();
    owed.sort_by_key(|o| (o.kind != ReportKind::Task, o.ob.unit_name.clone()));
    Ok((owed, period))
}

/// The task page's slots: each obligation with its history and whether this user may file it.
async fn slots(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: &str,
) -> AppResult<(Vec<Slot>, luoshi_domain::periods::ReportPeriod)> {
    let (owed, period) = owed_for_period(state, task_id, period_key).await?;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let may_write = a.0.user.role != Role::Leader && period.start <= today(state);
    let mut out = Vec::new();
    for o in owed {
        let detail = match &o.report {
            Some(r) => state.store.report(r.id).await?,
            None => None,
        };
        let can_file =
            may_write && family.contains(&o.ob.unit_id) && o.standing != Standing::Accepted;
        out.push(Slot {
            owed: o,
            detail,
            can_file,
        });
    }
    Ok((out, period))
}

pub async fn task_reports(
    State(state): State<AppState>,
    a: Auth,
    Path((task_id, period_key)): Path<(Id, String)>,
    Query(q): Query<RoundQuery>,
) -> AppResult<Html<String>> {
    let task = visible_task(&state, &a.0, task_id).await?;
    let (slots, period) = slots(&state, &a, task_id, &period_key).await?;
    let settings = state.store.settings().await?;
    let lead = slots.iter().find(|s| s.owed.kind == ReportKind::Task);
    let light = task_light(
        lead.and_then(|s| s.owed.report.as_ref()),
        lead.map(|s| s.owed.standing).unwrap_or(Standing::Open),
        None,
        today(&state),
        &settings.thresholds,
    );
    Ok(page(ReportTaskPage {
        nav: nav(&a, "reporting", q.msg),
        task,
        period_label: period.label(),
        due: period.due.to_string(),
        period_key,
        slots,
        light,
        statuses: WorkStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        idem: random_token(16),
        office: a.0.user.role == Role::Admin,
    }))
}

/// A filing as the form or the API sends it.
pub struct Filing {
    pub status: String,
    pub progress: i64,
    pub narrative: String,
    pub figures: Vec<Figure>,
    pub files: Vec<(String, Vec<u8>)>,
    pub idem: Option<String>,
}

/// Files the signed-in user's obligation on a task for a period.
pub async fn file_report(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: &str,
    f: Filing,
) -> AppResult<Submitted> {
    if a.0.user.role == Role::Leader {
        return Err(AppError::forbidden());
    }
    visible_task(state, &a.0, task_id).await?;
    // Filing needs the obligations only, not every version already filed.
    let (owed, period) = owed_for_period(state, task_id, period_key).await?;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let owes = owed
        .iter()
        .find(|o| family.contains(&o.ob.unit_id))
        .ok_or_else(|| AppError::bad_request("本单位在此任务中没有报送义务"))?;
    if period.start > today(state) {
        return Err(AppError::bad_request("该报送期尚未开始"));
    }
    let status =
        WorkStatus::from_code(&f.status).ok_or_else(|| AppError::bad_request("请选择推进状态"))?;
    if f.files.len() > attach::MAX_FILES {
        return Err(AppError::bad_request(format!(
            "附件最多 {} 个",
            attach::MAX_FILES
        )));
    }
    let mut attachments = Vec::new();
    for (name, bytes) in f.files {
        let kind =
            attach::sniff(&bytes).map_err(|e| AppError::bad_request(format!("{name}：{e}")))?;
        attachments.push(NewAttachment {
            file_name: attach::clean_name(&name, kind),
            mime: kind.mime.to_string(),
            bytes,
        });
    }
    let submitted = state
        .store
        .submit_report(
            &a.actor(),
            SubmitReport {
                task_id,
                unit_id: owes.ob.unit_id,
                kind: owes.kind,
                period: period_key.to_string(),
                due: period.due.to_string(),
                filed_on: today(state).to_string(),
                status,
                progress: f.progress,
                narrative: f.narrative,
                figures: f.figures,
                attachments,
                idempotency_key: f.idem.filter(|k| !k.is_empty()),
            },
        )
        .await?;
    Ok(submitted)
}

/// Reads the filing form (multipart, for the attachments), bounded.
async fn read_form(state: &AppState, mut mp: Multipart) -> AppResult<Filing> {
    let mut f = Filing {
        status: String::new(),
        progress: -1,
        narrative: String::new(),
        figures: Vec::new(),
        files: Vec::new(),
        idem: None,
    };
    let too_big = || {
        AppError::bad_request(format!(
            "上传内容过大：单个附件不超过 {} MB，合计不超过 {} MB",
            attach::MAX_FILE / 1024 / 1024,
            state.config.max_upload / 1024 / 1024
        ))
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                eprintln!("luoshi: report form: {e}");
                return Err(too_big());
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| {
            eprintln!("luoshi: report form field: {e}");
            too_big()
        })?;
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "status" => f.status = text(),
            "progress" => {
                f.progress = text()
                    .parse()
                    .map_err(|_| AppError::bad_request("进度须为 0 到 100 的整数"))?
            }
            "narrative" => f.narrative = text(),
            "figures" => f.figures = parse_figures(&text()).map_err(AppError::bad_request)?,
            "idem" => f.idem = Some(text()),
            "file" => {
                if let Some(n) = file_name.filter(|_| !bytes.is_empty()) {
                    f.files.push((n, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

pub async fn task_reports_submit(
    State(state): State<AppState>,
    a: Auth,
    Path((task_id, period_key)): Path<(Id, String)>,
    mp: Multipart,
) -> Response {
    let here = format!("/reporting/tasks/{task_id}/{period_key}");
    let result = match read_form(&state, mp).await {
        Ok(f) => file_report(&state, &a, task_id, &period_key, f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) if s.replayed => back(&here, "该报告已提交过，未重复报送"),
        Ok(s) => back(
            &here,
            &format!(
                "已报送（第 {} 版）{}",
                s.version_no,
                if s.report.late {
                    "，本期报告为逾期报送"
                } else {
                    ""
                }
            ),
        ),
        Err(e)
            if matches!(
                e.status,
                axum::http::StatusCode::NOT_FOUND | axum::http::StatusCode::FORBIDDEN
            ) =>
        {
            e.into_response()
        }
        Err(e) => back(&here, &e.message),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    pub version_no: i64,
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn review(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let report = match state.store.report(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let here = format!(
        "/reporting/tasks/{}/{}",
        report.row.task_id, report.row.period
    );
    let result = state
        .store
        .review_report(
            &a.actor(),
            Review {
                report_id: id,
                version_no: f.version_no,
                accept: f.decision == "accept",
                reason: f.reason,
            },
        )
        .await;
    match result {
        Ok(r) => back(&here, r.state.label()),
        Err(e) => back(&here, &AppError::from(e).message),
    }
}

/// A report's page is its task's page for the period.
pub async fn report_redirect(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Redirect> {
    let r = state
        .store
        .report(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    visible_task(&state, &a.0, r.row.task_id).await?;
    Ok(Redirect::to(&format!(
        "/reporting/tasks/{}/{}#r{}",
        r.row.task_id, r.row.period, id
    )))
}

pub async fn attachment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    let (meta, bytes) = state
        .store
        .attachment(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let report = state
        .store
        .report(meta.report_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    // Whoever may see the task may see what was filed on it.
    visible_task(&state, &a.0, report.row.task_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                attach::disposition(&meta.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Template helpers.
pub fn size_kb(n: &i64) -> String {
    format!("{:.1} KB", *n as f64 / 1024.0)
}

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
    details: std::collections::BTreeMap<Id, ReportDetail>,
    items: Vec<ItemRow>,
    scores: Vec<Score>,
    figures: crate::dash::Figures,
}

async fn gather(state: &AppState, a: &Auth, q: &OutputQuery) -> AppResult<Gathered> {
    let round = round_param(state, q.round.as_deref())?;
    let units = match q.unit {
        Some(u) => {
            crate::scope::visible_unit(state, &a.0, u).await?;
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
    let mut details = std::collections::BTreeMap::new();
    for o in &owed {
        if let Some(r) = &o.report
            && let Some(d) = state.store.report(r.id).await?
        {
            details.insert(r.id, d);
        }
    }
    let item_units = match units {
        Some(u) => Some(u),
        None => crate::scope::item_units(state, &a.0).await?,
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
    let scores = scorecards(&owed, &items, day);
    let figures = crate::dash::figures(&owed, day, &settings.thresholds);
    Ok(Gathered {
        round,
        owed,
        details,
        items,
        scores,
        figures,
    })
}

fn file_response(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attach::disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

fn blocks(state: &AppState, g: &Gathered) -> Vec<crate::compile::Block> {
    crate::compile::compilation(
        g.round,
        &today(state).to_string(),
        &g.owed,
        &g.details,
        &g.items,
        &g.scores,
        &g.figures,
    )
}

fn output_failed(what: &str, e: String) -> AppError {
    eprintln!("luoshi: {what} failed: {e}");
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
    let bytes =
        crate::compile::docx(&blocks(&state, &g)).map_err(|e| output_failed("Word 汇编", e))?;
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
    let fonts = crate::compile::pdf_fonts();
    if let Some(missing) = fonts
        .iter()
        .find(|f| !std::path::Path::new(&f.path).exists())
    {
        eprintln!("luoshi: PDF font missing: {}", missing.path);
        return Err(AppError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "font_missing",
            "服务器缺少 PDF 所需的中文字体：请运行 scripts/setup.sh 安装 fonts-noto-cjk，或用 LUOSHI_FONT_BODY 等变量指定字体文件",
        ));
    }
    // Setting type is CPU work: keep it off the request threads.
    let bytes = tokio::task::spawn_blocking(move || crate::compile::pdf(&blocks, &fonts))
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
    let bytes = crate::compile::reports_xlsx(&g.owed, &g.details, &g.scores, &g.items)
        .map_err(|e| output_failed("Excel 报表", e.to_string()))?;
    Ok(file_response(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}年第{}季度报送情况.xlsx", g.round.year, g.round.quarter),
        bytes,
    ))
}
