//! The reporting pages (信息报送): a round's obligations, one task's reports for a period with
//! the filing and review forms, and attachment downloads.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::indicators::filing::ValueInput;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, Query};
use crate::kit::page::{Nav, back, nav, page, pager_for, refused};
use crate::kit::scope::visible_task;
use crate::reporting::filing::owed_for_period;
use crate::reporting::filing::{DraftInput, Filing, file_report, save_draft};
use crate::reporting::round::{
    Owed, item_facts, owed_facts, owed_in_round, round_param, visible_links,
};
use luoshi_domain::accounts::Role;
use luoshi_domain::lights::Assessment;
use luoshi_domain::reporting::round::{Round, Score, Standing, scorecards, task_light};
use luoshi_domain::reporting::{ReportKind, WorkStatus};
use luoshi_domain::reporting::{ReviewState, figures_text, parse_figures};
use luoshi_store::Id;
use luoshi_store::accounts::credentials::random_token;
use luoshi_store::ledger::TaskDetail;
use luoshi_store::reporting::{ObligationFilter, ReportDetail, ReportDraft, ReportRow, Review};
use luoshi_store::supervision::ItemFilter;

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    pub round: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReportingQuery {
    pub round: Option<String>,
    /// Where the 待审核 list's page starts.
    pub pending_offset: Option<usize>,
    /// Where the 逾期未报 list's page starts.
    pub missing_offset: Option<usize>,
}

/// Rows of a long list per page.
const LIST_PAGE: usize = 100;

/// One unit's rows on a page of a grouped list.
pub struct UnitGroup {
    pub unit_id: Id,
    pub unit_name: String,
    /// The unit's rows in the whole list, not only on this page.
    pub total: usize,
    pub rows: Vec<Owed>,
}

/// A page of a long obligation list, grouped by unit, with the totals of the whole list.
pub struct Grouped {
    pub total: usize,
    pub units: usize,
    pub groups: Vec<UnitGroup>,
    pub pager: String,
}

/// Sorts `list` by unit and task, cuts the page at `offset` and groups it by unit.
fn grouped(mut list: Vec<Owed>, offset: usize, base: &str, param: &str) -> Grouped {
    list.sort_by(|a, b| {
        (&a.ob.unit_name, a.ob.task_id, a.period_key).cmp(&(
            &b.ob.unit_name,
            b.ob.task_id,
            b.period_key,
        ))
    });
    let mut per_unit: std::collections::HashMap<Id, usize> = std::collections::HashMap::new();
    for o in &list {
        *per_unit.entry(o.ob.unit_id).or_default() += 1;
    }
    let total = list.len();
    let offset = offset.min(total.saturating_sub(1) / LIST_PAGE * LIST_PAGE);
    let mut groups: Vec<UnitGroup> = Vec::new();
    for o in list.into_iter().skip(offset).take(LIST_PAGE) {
        match groups.last_mut() {
            Some(g) if g.unit_id == o.ob.unit_id => g.rows.push(o),
            _ => groups.push(UnitGroup {
                unit_id: o.ob.unit_id,
                unit_name: o.ob.unit_name.clone(),
                total: per_unit[&o.ob.unit_id],
                rows: vec![o],
            }),
        }
    }
    Grouped {
        total,
        units: per_unit.len(),
        groups,
        pager: pager_for(base, param, offset as i64, LIST_PAGE as i64, total as i64),
    }
}

#[derive(Template)]
#[template(path = "reporting/reporting.html")]
struct ReportingPage {
    nav: Nav,
    round: Round,
    prev: String,
    next: String,
    today: String,
    /// The user's own obligations (unit roles).
    mine: Vec<Owed>,
    /// Filed and awaiting review (office), a page of it.
    pending: Grouped,
    /// Past due, not filed, a page of it.
    missing: Grouped,
    scores: Vec<Score>,
    office: bool,
}

pub async fn reporting(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<ReportingQuery>,
) -> AppResult<Response> {
    // A mistyped round on a page goes back to the current one and says why.
    let round = match round_param(&state, q.round.as_deref()) {
        Ok(r) => r,
        Err(e) => return Ok(refused("/reporting", &e.message)),
    };
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
    let (pending_at, missing_at) = (q.pending_offset.unwrap_or(0), q.missing_offset.unwrap_or(0));
    let of = |s: Standing| {
        owed.iter()
            .filter(|o| o.standing == s)
            .cloned()
            .collect::<Vec<_>>()
    };
    let key = round.key();
    let pending = grouped(
        of(Standing::Submitted),
        pending_at,
        &format!("/reporting?round={key}&missing_offset={missing_at}"),
        "pending_offset",
    );
    let missing = grouped(
        of(Standing::Missing),
        missing_at,
        &format!("/reporting?round={key}&pending_offset={pending_at}"),
        "missing_offset",
    );
    let items = if everything {
        state.store.items(&ItemFilter::default()).await?
    } else {
        Vec::new()
    };
    let scores = scorecards(&owed_facts(&owed), &item_facts(&items), today(&state));
    Ok(page(ReportingPage {
        nav: nav(&a, "reporting"),
        prev: round.prev().key(),
        next: round.next().key(),
        round,
        today: today(&state).to_string(),
        mine,
        pending,
        missing,
        scores,
        office: everything,
    })
    .into_response())
}

/// One obligation on the task page, with its history when filed.
pub struct Slot {
    pub owed: Owed,
    pub detail: Option<ReportDetail>,
    /// The signed-in user may file it now.
    pub can_file: bool,
    /// What the form starts from: the latest version when there is one.
    pub draft: Draft,
    /// The 催报 this duty received, oldest first.
    pub reminders: Vec<luoshi_store::reporting::ReminderRecord>,
    /// Nothing filed yet, and the same duty was filed last period: its label and report, which
    /// the form can start from (沿用上季度).
    pub previous: Option<(String, Id)>,
    /// The form starts from the unit's saved draft: when and by whom it was saved.
    pub saved: Option<String>,
    /// The indicators the unit may file with this report, with the form's values.
    pub indicators: Vec<ValueField>,
    /// The viewer may read this filing (`reporting::may_read_report`); unreadable slots count
    /// for the task's light but are not shown.
    pub readable: bool,
}

/// A filing form's starting values.
pub struct Draft {
    pub status: &'static str,
    pub progress: i64,
    pub narrative: String,
    pub figures: String,
    /// Indicator values as typed or as last filed.
    pub values: Vec<ValueInput>,
}

/// One indicator on the filing form: what it asks for, where it stands, and the fields.
pub struct ValueField {
    pub id: Id,
    pub subject: String,
    pub targets: String,
    pub latest: String,
    pub input: ValueInput,
}

/// The form's indicator fields: each indicator the unit may file, started from what was typed
/// (or last filed), else the period's year and quarter.
fn value_fields(
    indicators: &[luoshi_store::indicators::Indicator],
    typed: &[ValueInput],
    period: &luoshi_domain::periods::ReportPeriod,
) -> Vec<ValueField> {
    let (year, quarter) = (period.end.year, period.end.month / 3);
    let default_period = match (period.end.month % 3, quarter) {
        (0, 1..=3) => format!("Q{quarter}"),
        _ => "year".to_string(),
    };
    indicators
        .iter()
        .map(|i| {
            let input = typed
                .iter()
                .find(|v| v.indicator_id == i.id)
                .cloned()
                .unwrap_or_else(|| ValueInput {
                    indicator_id: i.id,
                    year: year.to_string(),
                    period: default_period.clone(),
                    unit: i.unit.clone(),
                    ..ValueInput::default()
                });
            ValueField {
                id: i.id,
                subject: match &i.scope {
                    Some(s) => format!("{}（{s}）", i.subject),
                    None => i.subject.clone(),
                },
                targets: i
                    .live_milestones()
                    .map(|m| crate::indicators::pages::milestone_text(&m.milestone, &i.unit))
                    .collect::<Vec<_>>()
                    .join("；"),
                latest: i
                    .actuals
                    .last()
                    .map(|p| {
                        format!(
                            "{} {}{}",
                            luoshi_domain::indicators::filing::period_label(p.year, p.quarter),
                            p.value,
                            i.unit
                        )
                    })
                    .unwrap_or_else(|| "尚无".into()),
                input,
            }
        })
        .collect()
}

/// A version's values as the form's inputs (a revision starts from them).
fn inputs_of(values: &[luoshi_store::indicators::IndicatorValue]) -> Vec<ValueInput> {
    values
        .iter()
        .map(|v| ValueInput {
            indicator_id: v.indicator_id,
            year: v.point.year.to_string(),
            period: luoshi_domain::indicators::filing::period_code(v.point.quarter),
            value: v.point.value.to_string(),
            unit: v.unit.clone(),
            source: v.source.clone().unwrap_or_default(),
        })
        .collect()
}

impl Draft {
    /// A saved draft as the form's start.
    fn saved(d: &ReportDraft) -> Draft {
        Draft {
            status: d.status.map(WorkStatus::code).unwrap_or(""),
            progress: d.progress.unwrap_or(0),
            narrative: d.narrative.clone(),
            figures: d.figures.clone(),
            values: Vec::new(),
        }
    }

    fn of(detail: Option<&ReportDetail>) -> Draft {
        match detail.and_then(|d| d.history.last()) {
            Some(v) => Draft {
                status: v.status.code(),
                progress: v.progress,
                narrative: v.narrative.clone(),
                figures: figures_text(&v.figures),
                values: inputs_of(&v.values),
            },
            None => Draft {
                status: WorkStatus::NotStarted.code(),
                progress: 0,
                narrative: String::new(),
                figures: String::new(),
                values: Vec::new(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "reporting/report_task.html")]
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
    /// Why the filing just posted was refused (its text is back in the form).
    error: Option<String>,
    /// What the form was started from (沿用上季度).
    notice: Option<String>,
}

/// The task page's slots: each obligation with its history and whether this user may file it.
async fn slots(
    state: &AppState,
    a: &Auth,
    task: &TaskDetail,
    period_key: &str,
) -> AppResult<(Vec<Slot>, luoshi_domain::periods::ReportPeriod)> {
    let task_id = task.row.id;
    let (owed, period) = owed_for_period(state, task_id, period_key).await?;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let may_write = a.0.user.role != Role::Leader && period.start <= today(state);
    let reminders = state
        .store
        .report_reminders(&[task_id], &[period.key()])
        .await?;
    let drafts = if may_write {
        state
            .store
            .drafts(&family, period.key(), Some(&[task_id]))
            .await?
    } else {
        Vec::new()
    };
    let reader = crate::kit::scope::ReportReader::with_family(&a.0, family.clone());
    let mut out = Vec::new();
    for o in owed {
        let readable = reader.may_read_on(task, o.ob.unit_id);
        let detail = match &o.report {
            Some(r) if readable => state.store.report(r.id).await?,
            _ => None,
        };
        let can_file =
            may_write && family.contains(&o.ob.unit_id) && o.standing != Standing::Accepted;
        let previous = if can_file && detail.is_none() {
            let before =
                crate::reporting::round::rule_of(&o.ob).period_of(period.start.add_days(-1));
            state
                .store
                .reports(&luoshi_store::reporting::ReportFilter {
                    units: Some(vec![o.ob.unit_id]),
                    tasks: Some(vec![task_id]),
                    periods: Some(vec![before.key()]),
                    kind: Some(o.kind),
                    state: None,
                })
                .await?
                .first()
                .map(|r| (before.label(), r.id))
        } else {
            None
        };
        let saved = drafts
            .iter()
            .find(|d| can_file && d.unit_id == o.ob.unit_id);
        let indicators = if can_file {
            crate::indicators::filing::of_filing(state, task_id, o.ob.unit_id).await?
        } else {
            Vec::new()
        };
        out.push(Slot {
            indicators: value_fields(
                &indicators,
                &detail
                    .as_ref()
                    .and_then(|d| d.history.last())
                    .map(|v| inputs_of(&v.values))
                    .unwrap_or_default(),
                &period,
            ),
            readable,
            saved: saved.map(|d| {
                format!(
                    "已载入{}于 {} 保存的草稿（尚未报送）",
                    d.saved_by,
                    crate::kit::format::fmt_time(&d.saved_at)
                )
            }),
            previous: previous.filter(|_| saved.is_none()),
            reminders: reminders
                .iter()
                .filter(|r| r.reminder.unit_id == o.ob.unit_id && r.reminder.kind == o.kind)
                .cloned()
                .collect(),
            draft: match saved {
                Some(d) => Draft::saved(d),
                None => Draft::of(detail.as_ref()),
            },
            owed: o,
            detail,
            can_file,
        });
    }
    Ok((out, period))
}

#[derive(Deserialize, Default)]
pub struct TaskReportsQuery {
    /// `1`: start an empty form from last period's report (沿用上季度).
    #[serde(default)]
    pub carry: Option<String>,
}

pub async fn task_reports(
    State(state): State<AppState>,
    a: Auth,
    Path((task_id, period_key)): Path<(Id, String)>,
    crate::kit::extract::Query(q): crate::kit::extract::Query<TaskReportsQuery>,
) -> AppResult<Html<String>> {
    let carry = q.carry.as_deref() == Some("1");
    task_page(&state, &a, task_id, period_key, None, carry).await
}

/// The task's reporting page; after a refused filing, the user's form holds what was typed, and
/// with `carry` an empty form starts from last period's report (沿用上季度).
async fn task_page(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: String,
    typed: Option<(Draft, Result<String, String>)>,
    carry: bool,
) -> AppResult<Html<String>> {
    let task = visible_task(state, &a.0, task_id).await?;
    let (mut slots, period) = slots(state, a, &task, &period_key).await?;
    let mut typed = typed;
    if carry
        && typed.is_none()
        && let Some((label, id)) = slots.iter().find_map(|s| s.previous.clone())
    {
        let last = state.store.report(id).await?;
        typed = Some((
            Draft::of(last.as_ref()),
            Ok(format!("已沿用{label}的报送内容，请按本期情况修改后报送")),
        ));
    }
    let (notice, error) = match typed {
        Some((draft, said)) => {
            if let Some(slot) = slots.iter_mut().find(|s| s.can_file) {
                for f in slot.indicators.iter_mut() {
                    if let Some(v) = draft.values.iter().find(|v| v.indicator_id == f.id) {
                        f.input = v.clone();
                    }
                }
                slot.draft = draft;
            }
            match said {
                Ok(n) => (Some(n), None),
                Err(e) => (None, Some(e)),
            }
        }
        None => (None, None),
    };
    let settings = state.store.settings().await?;
    let lead = slots.iter().find(|s| s.owed.kind == ReportKind::Task);
    let light = task_light(
        lead.and_then(|s| s.owed.report.as_ref())
            .map(ReportRow::facts)
            .as_ref(),
        lead.map(|s| s.owed.standing).unwrap_or(Standing::Open),
        period.due,
        &lead.map(|s| s.owed.ob.window).unwrap_or_default(),
        today(state),
        &settings.thresholds,
    );
    slots.retain(|s| s.readable);
    Ok(page(ReportTaskPage {
        nav: nav(a, "reporting"),
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
        error,
        notice,
    }))
}

#[derive(serde::Deserialize)]
pub struct RemindForm {
    round: String,
    #[serde(default)]
    unit: Option<Id>,
}

/// 一键催报: the office reminds one unit of everything it has not filed in the round, or every
/// unit of what is past its deadline. At most one reminder a day per duty.
pub async fn remind(
    State(state): State<AppState>,
    a: Auth,
    crate::kit::extract::Form(f): crate::kit::extract::Form<RemindForm>,
) -> AppResult<Response> {
    let round = round_param(&state, Some(&f.round))?;
    let to = format!("/reporting?round={}", round.key());
    let whom = match f.unit {
        Some(u) => crate::reporting::reminders::Whom::Unit(u),
        None => crate::reporting::reminders::Whom::AllLate,
    };
    let out = crate::reporting::reminders::remind(&state, &a.actor(), round, whom).await?;
    Ok(if out.reminders == 0 {
        refused(&to, "没有需要催报的事项（今天已催报过的不再重复发送）")
    } else {
        back(
            &to,
            &format!("已向 {} 个单位催报 {} 项未报事项", out.units, out.reminders),
        )
    })
}

/// A filing form as typed, before its fields are read as values.
#[derive(Default)]
struct Typed {
    status: String,
    progress: String,
    narrative: String,
    figures: String,
    values: Vec<ValueInput>,
    files: Vec<(String, Vec<u8>)>,
    idem: Option<String>,
    /// `draft`: keep the form as a draft instead of filing it.
    intent: String,
}

impl Typed {
    /// The values, or the first field that is wrong.
    fn filing(&self) -> AppResult<Filing> {
        let progress = match self.progress.trim() {
            "" => -1,
            p => p
                .parse()
                .map_err(|_| AppError::bad_request("进度须为 0 到 100 的整数"))?,
        };
        Ok(Filing {
            status: self.status.clone(),
            progress,
            narrative: self.narrative.clone(),
            figures: parse_figures(&self.figures).map_err(AppError::bad_request)?,
            values: self.values.clone(),
            files: self.files.clone(),
            idem: self.idem.clone(),
        })
    }

    /// The form again, as typed.
    fn draft(&self) -> Draft {
        Draft {
            status: WorkStatus::from_code(&self.status)
                .map(WorkStatus::code)
                .unwrap_or(""),
            progress: self.progress.trim().parse().unwrap_or(0),
            narrative: self.narrative.clone(),
            figures: self.figures.clone(),
            values: self.values.clone(),
        }
    }
}

/// The form's indicator fields (`iv_<id>_value`, `_year`, `_period`, `_unit`, `_source`).
fn typed_values(f: &crate::kit::attach::Fields) -> Vec<ValueInput> {
    let mut ids: Vec<Id> = f
        .text
        .keys()
        .filter_map(|k| k.strip_prefix("iv_")?.strip_suffix("_value")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.into_iter()
        .map(|id| {
            let get = |field: &str| f.get(&format!("iv_{id}_{field}"));
            ValueInput {
                indicator_id: id,
                year: get("year"),
                period: get("period"),
                value: get("value"),
                unit: get("unit"),
                source: get("source"),
            }
        })
        .collect()
}

/// Reads the filing form (multipart, for the attachments), bounded.
async fn read_form(state: &AppState, mp: Multipart) -> AppResult<Typed> {
    let mut f = crate::kit::attach::read_fields(mp, state.config.max_upload / 1024 / 1024).await?;
    Ok(Typed {
        status: f.get("status"),
        progress: f.get("progress"),
        narrative: f.get("narrative"),
        figures: f.get("figures"),
        values: typed_values(&f),
        idem: f.text.remove("idem"),
        intent: f.get("intent"),
        files: std::mem::take(&mut f.files),
    })
}

pub async fn task_reports_submit(
    State(state): State<AppState>,
    a: Auth,
    Path((task_id, period_key)): Path<(Id, String)>,
    mp: Multipart,
) -> Response {
    let here = format!("/reporting/tasks/{task_id}/{period_key}");
    let typed = match read_form(&state, mp).await {
        Ok(t) => t,
        Err(e) => return refused(&here, &e.message),
    };
    if typed.intent == "draft" {
        let kept = save_draft(
            &state,
            &a,
            task_id,
            &period_key,
            DraftInput {
                status: typed.status.clone(),
                progress: typed.progress.clone(),
                narrative: typed.narrative.clone(),
                figures: typed.figures.clone(),
            },
        )
        .await;
        return match kept {
            Ok(()) => back(
                &here,
                if typed.files.is_empty() {
                    "草稿已保存，尚未报送；下次打开本页将从草稿继续"
                } else {
                    "草稿已保存，尚未报送（草稿不保存附件，报送时请重新选择）"
                },
            ),
            Err(e) => refill(&state, &a, task_id, period_key, &typed, e).await,
        };
    }
    let result = match typed.filing() {
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
        Err(e) => refill(&state, &a, task_id, period_key, &typed, e).await,
    }
}

/// A refused filing or draft: 404 and 403 as they are, anything else the page again with what was
/// typed and why (nothing was stored).
async fn refill(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: String,
    typed: &Typed,
    e: AppError,
) -> Response {
    if matches!(
        e.status,
        axum::http::StatusCode::NOT_FOUND | axum::http::StatusCode::FORBIDDEN
    ) {
        return e.into_response();
    }
    let status = e.status;
    match task_page(
        state,
        a,
        task_id,
        period_key,
        Some((typed.draft(), Err(e.message))),
        false,
    )
    .await
    {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
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
        Err(e) => refused(&here, &AppError::from(e).message),
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
    // Whoever may read the filing may download what came with it.
    crate::kit::scope::visible_report(&state, &a.0, meta.report_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                crate::kit::attach::disposition(&meta.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}
