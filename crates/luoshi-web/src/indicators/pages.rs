//! The indicators' pages: 指标 (the list, filtered) and one indicator (its chart, milestones
//! with history, units, source, and the office's baseline form).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use super::{IndicatorQuery, Judged, find, measure_label, thresholds};
use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::charts::{Trend, trend_chart};
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, Query};
use crate::kit::memo::Memo;
use crate::kit::page::{Nav, back, nav, page, refused};
use luoshi_domain::accounts::Role;
use luoshi_domain::indicators::{Point, Status, check_value, show, target_level};
use luoshi_store::indicators::{Baseline, Indicator};
use luoshi_store::ledger::DocumentRow;
use luoshi_store::registry::UnitSummary;
use luoshi_store::{Id, Page, Scope};

pub use luoshi_domain::indicators::milestone_text;

pub fn light_code(s: &Status) -> &'static str {
    match s.light {
        luoshi_domain::lights::Light::Grey => "grey",
        luoshi_domain::lights::Light::Green => "green",
        luoshi_domain::lights::Light::Yellow => "yellow",
        luoshi_domain::lights::Light::Red => "red",
    }
}

/// A list row, ready to show.
pub struct Row {
    pub id: Id,
    pub subject: String,
    pub scope: String,
    pub measure: &'static str,
    pub milestones: String,
    pub leads: String,
    pub light: &'static str,
    pub light_label: &'static str,
    /// grey 0, green 1, yellow 2, red 3.
    pub light_index: usize,
    pub reason: String,
    pub progress: String,
    /// The latest accepted value with its period, or "—".
    pub latest: String,
}

impl Row {
    pub(crate) fn of(j: &Judged) -> Row {
        let i = &j.indicator;
        Row {
            id: i.id,
            subject: i.subject.clone(),
            scope: i.scope.clone().unwrap_or_default(),
            measure: measure_label(i.measure),
            milestones: i
                .live_milestones()
                .map(|m| milestone_text(&m.milestone, &i.unit))
                .collect::<Vec<_>>()
                .join("；"),
            leads: {
                let leads: Vec<&str> = i
                    .units
                    .iter()
                    .filter(|u| u.role == "lead")
                    .map(|u| u.name.as_str())
                    .collect();
                if leads.is_empty() {
                    "待办公室指定".into()
                } else {
                    leads.join("、")
                }
            },
            light: light_code(&j.status),
            light_label: j.status.light.label(),
            light_index: j.status.light as usize,
            reason: j.status.reason.clone(),
            progress: j
                .status
                .progress
                .map_or_else(|| "—".into(), |p| format!("{}%", show(p))),
            latest: i
                .actuals
                .iter()
                .max_by(|a, b| a.at().total_cmp(&b.at()))
                .map_or_else(
                    || "—".into(),
                    |p| {
                        format!(
                            "{} {}{}",
                            luoshi_domain::indicators::filing::period_label(p.year, p.quarter),
                            p.value,
                            i.unit
                        )
                    },
                ),
        }
    }
}

/// What the list shows besides the chrome: the same for every reader of the same query on the
/// same day, so it is kept while the database is unchanged (`kit::memo`).
pub struct ListData {
    rows: Vec<Row>,
    /// Counts by light: grey, green, yellow, red.
    counts: [usize; 4],
    documents: Vec<DocumentRow>,
    units: Vec<UnitSummary>,
    total: usize,
    pager: String,
}

#[derive(Template)]
#[template(path = "indicators/list.html")]
struct ListPage {
    nav: Nav,
    d: std::sync::Arc<ListData>,
    q: IndicatorQuery,
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<IndicatorQuery>,
) -> AppResult<Html<String>> {
    let key = format!(
        "indicators?{}&offset={:?}&limit={:?}&day={}",
        q.filter_query(),
        q.offset,
        q.limit,
        crate::kit::clock::today(&state)
    );
    let d = Memo::get(&state, key, || async {
        let (judged, total, counts, shown) = super::find_page(&state, &q, 50, false).await?;
        Ok(ListData {
            pager: crate::kit::page::pager(
                &format!("/indicators?{}", q.filter_query()),
                shown.offset,
                shown.limit,
                total as i64,
            ),
            total,
            counts,
            rows: judged.iter().map(Row::of).collect(),
            documents: state
                .store
                .documents(&Scope::All, Page::new(0, 200))
                .await?
                .items,
            units: state.store.units().await?,
        })
    })
    .await?;
    Ok(page(ListPage {
        nav: nav(&a, "indicators"),
        d,
        q,
    }))
}

/// An indicator as its page shows it to every reader on a day: kept while the database is
/// unchanged (`kit::memo`).
pub struct Viewed {
    i: Indicator,
    status: Status,
    chart: String,
    /// The values its periods are judged on (each period's latest accepted version).
    current: std::collections::HashSet<Id>,
}

#[derive(Template)]
#[template(path = "indicators/indicator.html")]
struct IndicatorPage {
    nav: Nav,
    v: std::sync::Arc<Viewed>,
    light: &'static str,
    measure: &'static str,
    office: bool,
    /// The office's own assignment, as typed in its form.
    assigned_leads: String,
    assigned_support: String,
    unit_names: Vec<String>,
    this_year: i32,
}

impl IndicatorPage {
    /// The version its period is judged on: the latest accepted one.
    fn is_current(&self, v: &luoshi_store::indicators::IndicatorValue) -> bool {
        self.v.current.contains(&v.id)
    }
}

/// The chart's series: actual values against the path from the baseline through every live
/// milestone's level.
fn trend(i: &Indicator) -> String {
    let base = i.baseline.as_ref().map(|b| Point::year(b.year, b.value));
    let unit = if matches!(
        i.measure,
        luoshi_domain::indicators::Measure::Change
            | luoshi_domain::indicators::Measure::AnnualGrowth
    ) {
        i.unit.as_str()
    } else {
        ""
    };
    let value =
        |d: &luoshi_domain::indicators::Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
    let mut path: Vec<(f64, f64)> = base.iter().map(|b| (b.at(), value(&b.value))).collect();
    let mut milestones = Vec::new();
    for m in i.live_milestones() {
        if let Some(level) = target_level(i.measure, i.direction, unit, &m.milestone, base.as_ref())
        {
            path.push((f64::from(m.milestone.year), level));
            milestones.push((f64::from(m.milestone.year), level, show(level)));
        }
    }
    let mut actuals: Vec<(f64, f64)> = i
        .actuals
        .iter()
        .map(|p| (p.at(), value(&p.value)))
        .collect();
    actuals.sort_by(|a, b| a.0.total_cmp(&b.0));
    trend_chart(&Trend {
        label: &i.subject,
        actuals,
        path,
        milestones,
    })
}

pub async fn indicator(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Html<String>> {
    let today = crate::kit::clock::today(&state);
    let v = Memo::get(&state, format!("indicator/{id}?day={today}"), || async {
        let i = state
            .store
            .indicator(id)
            .await?
            .ok_or_else(AppError::not_found)?;
        Ok(Viewed {
            status: i.status(&thresholds(&state).await?, today),
            chart: trend(&i),
            current: luoshi_store::indicators::latest_per_period(&i.values, |v| {
                v.state == luoshi_domain::reporting::ReviewState::Accepted
            })
            .iter()
            .map(|v| v.id)
            .collect(),
            i,
        })
    })
    .await?;
    let office = a.0.user.role == Role::Admin;
    let assigned = |role: &str| {
        v.i.units
            .iter()
            .filter(|u| !u.from_task && u.role == role)
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let (assigned_leads, assigned_support) = (assigned("lead"), assigned("support"));
    Ok(page(IndicatorPage {
        assigned_leads,
        assigned_support,
        unit_names: if office {
            crate::kit::names::suggestions(&state).await?
        } else {
            Vec::new()
        },
        nav: nav(&a, "indicators"),
        this_year: today.year,
        light: light_code(&v.status),
        measure: measure_label(v.i.measure),
        office,
        v,
    }))
}

#[derive(Deserialize)]
pub struct BaselineForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub source: String,
}

/// The office sets the baseline (a value in another magnitude of the unit is converted); an
/// empty year and value clear it.
pub async fn baseline(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<BaselineForm>,
) -> Response {
    let to = format!("/indicators/{id}");
    let result = async {
        let i = state
            .store
            .indicator(id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let baseline = if f.year.trim().is_empty() && f.value.trim().is_empty() {
            None
        } else {
            let year: i32 =
                f.year.trim().parse().map_err(|_| {
                    AppError::bad_request(format!("基期年份应为四位数字：{}", f.year))
                })?;
            let value = check_value(&f.value, &f.unit, &i.unit)
                .map_err(|m| AppError::bad_request(format!("基期值：{m}")))?;
            Some(Baseline {
                year,
                value,
                source: Some(f.source.trim().to_string()).filter(|s| !s.is_empty()),
            })
        };
        let cleared = baseline.is_none();
        state.store.set_baseline(&a.actor(), id, baseline).await?;
        Ok::<_, AppError>(cleared)
    }
    .await;
    match result {
        Ok(true) => back(&to, "已清除基期值"),
        Ok(false) => back(&to, "已保存基期值"),
        Err(e) => refused(&to, &e.message),
    }
}

/// The office enters one value (accepted as written).
pub async fn values(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<crate::indicators::filing::ValueInput>,
) -> Response {
    let to = format!("/indicators/{id}");
    let input = crate::indicators::filing::ValueInput {
        indicator_id: id,
        ..f
    };
    match crate::indicators::filing::record(&state, &a.actor(), &[input]).await {
        Ok(0) => back(&to, "数值与已采纳的相同，未新增版本"),
        Ok(_) => back(&to, "已录入实际值"),
        Err(e) => refused(&to, &e.message),
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub scope: String,
}

/// The office renames the indicator or its scope.
pub async fn edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<EditForm>,
) -> Response {
    let to = format!("/indicators/{id}");
    let scope = Some(f.scope.as_str());
    match state
        .store
        .edit_indicator(&a.actor(), id, &f.subject, scope)
        .await
    {
        Ok(()) => back(&to, "已保存指标名称和范围"),
        Err(e) => refused(&to, &AppError::from(e).message),
    }
}

#[derive(Deserialize)]
pub struct UnitsForm {
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub support: String,
}

/// Names as typed, separated by 、 ， , ； or new lines.
fn names(text: &str) -> impl Iterator<Item = &str> {
    text.split(['、', '，', ',', '；', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The office names the units responsible (each name as typed: exact, alias or short form).
pub async fn units(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<UnitsForm>,
) -> Response {
    let to = format!("/indicators/{id}");
    let result = async {
        let mut units = Vec::new();
        for (text, role) in [(&f.lead, "lead"), (&f.support, "support")] {
            for name in names(text) {
                let unit = crate::kit::names::unit_named(&state, name).await?;
                units.push((unit, role.to_string()));
            }
        }
        state.store.assign_units(&a.actor(), id, &units).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => back(&to, "已指定责任单位"),
        Err(e) => refused(&to, &e.message),
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    pub other: String,
}

/// The office merges another indicator (by its number) into this one.
pub async fn merge(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MergeForm>,
) -> Response {
    let to = format!("/indicators/{id}");
    let Ok(other) = f.other.trim().parse::<Id>() else {
        return refused(&to, &format!("请填写要并入的指标编号（数字）：{}", f.other));
    };
    match state.store.merge_indicators(&a.actor(), id, other).await {
        Ok(()) => back(&to, &format!("已将指标 {other} 并入本指标")),
        Err(e) => refused(&to, &AppError::from(e).message),
    }
}

/// The list as an .xlsx (指标表), filtered as the page is.
pub async fn export(
    State(state): State<AppState>,
    _a: Auth,
    Query(q): Query<IndicatorQuery>,
) -> AppResult<Response> {
    use axum::http::StatusCode;
    let rows: Vec<(Indicator, Status)> = find(&state, &q)
        .await?
        .into_iter()
        .map(|j| (j.indicator, j.status))
        .collect();
    let bytes = luoshi_output::indicators::indicators_xlsx(&rows).map_err(|e| {
        tracing::warn!("indicators export failed: {e}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败")
    })?;
    Ok(crate::kit::attach::file_response(
        crate::kit::attach::XLSX,
        "指标表.xlsx",
        bytes,
    ))
}
