//! Indicators (指标): the documents' targets watched against the values filed. The list filters
//! by document, unit, year, scope and light; an indicator's page draws its values against the
//! target path, lists its milestones with their history, and lets the office set the baseline.
//! Pages and API read through the same `find` use case; the light and its reason are
//! `luoshi_domain::indicators::assess`.

mod api;
pub(crate) use api::schemas;
pub(crate) mod filing;
pub(crate) mod pages;
mod sheet;

use luoshi_domain::accounts::Access::{Admin, Reader};
use luoshi_domain::indicators::IndicatorThresholds;
use luoshi_domain::lights::Light;
use luoshi_store::indicators::{Indicator, IndicatorFilter};
use serde::Deserialize;

use crate::AppState;
use crate::kit::error::{AppError, AppResult};
use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/indicators", Reader, pages::list),
        Route::get("/indicators/{id}", Reader, pages::indicator),
        Route::get("/export/indicators.xlsx", Reader, pages::export),
        Route::post("/indicators/{id}/baseline", Admin, pages::baseline),
        Route::post("/indicators/{id}/edit", Admin, pages::edit),
        Route::post("/indicators/{id}/units", Admin, pages::units),
        Route::post("/indicators/{id}/merge", Admin, pages::merge),
        Route::post("/indicators/{id}/values", Admin, pages::values),
        Route::get("/figures", Admin, sheet::form),
        Route::post("/figures/preview", Admin, sheet::preview).upload(),
        Route::post("/figures/import", Admin, sheet::import).upload(),
        Route::get("/api/v1/indicators", Reader, api::list).doc(
            "指标列表（目标、节点、责任单位、红黄绿灯及原因）",
            None,
            "IndicatorList",
            &[
                "document", "unit", "year", "scope", "light", "offset", "limit",
            ],
        ),
        Route::get("/api/v1/indicators/{id}", Reader, api::indicator).doc(
            "指标详情",
            None,
            "Indicator",
            &[],
        ),
        Route::post("/api/v1/indicators/{id}/values", Admin, api::values).doc(
            "办公室录入指标实际值（直接采纳；单位的数值随报告 values 字段填报）",
            Some("ValuesBody"),
            "ValuesWritten",
            &[],
        ),
        Route::post("/api/v1/figures", Admin, api::figures)
            .upload()
            .doc(
                "导入统计报表（.xlsx，base64）；dry_run=1 只预览，全部行无误才写入",
                Some("SheetBody"),
                "SheetPlan",
                &["dry_run"],
            ),
    ]
}

/// The list's filter as a query string gives it (empty fields are no filter).
#[derive(Debug, Default, Deserialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    /// grey, green, yellow, red.
    #[serde(default)]
    pub light: Option<String>,
    #[serde(default)]
    pub offset: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl IndicatorQuery {
    /// The query string of the filter (for the pager and the export link).
    pub fn filter_query(&self) -> String {
        let enc = crate::kit::format::url_encode;
        let v = |o: &Option<String>| enc(o.as_deref().unwrap_or(""));
        format!(
            "document={}&unit={}&year={}&scope={}&light={}",
            v(&self.document),
            v(&self.unit),
            v(&self.year),
            v(&self.scope),
            v(&self.light)
        )
    }
}

fn number<T: std::str::FromStr>(v: &Option<String>, what: &str) -> AppResult<Option<T>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request(format!("{what}应为数字：{s}"))),
    }
}

fn light_of(code: &str) -> AppResult<Light> {
    Light::ALL
        .into_iter()
        .find(|l| {
            serde_json::to_value(l)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                == Some(code.to_string())
        })
        .ok_or_else(|| {
            AppError::bad_request(format!("灯色应为 grey、green、yellow 或 red：{code}"))
        })
}

/// The office's thresholds for indicators (设置).
pub(crate) async fn thresholds(state: &AppState) -> AppResult<IndicatorThresholds> {
    Ok(state.store.settings().await?.indicator_thresholds)
}

/// An indicator with where it stands today.
pub struct Judged {
    pub indicator: Indicator,
    pub status: luoshi_domain::indicators::Status,
}

fn filter_of(q: &IndicatorQuery) -> AppResult<(IndicatorFilter, Option<Light>)> {
    let filter = IndicatorFilter {
        document_id: number(&q.document, "文件")?,
        unit_id: number(&q.unit, "单位")?,
        year: number(&q.year, "年份")?,
        scope: q.scope.clone().filter(|s| !s.trim().is_empty()),
        task_id: None,
    };
    let light = q
        .light
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(light_of)
        .transpose()?;
    Ok((filter, light))
}

/// One page of what a query selects, each judged today, with the total and the counts by
/// light: the one use case of the list page and the API.
pub(crate) async fn find_page(
    state: &AppState,
    q: &IndicatorQuery,
    default_limit: i64,
    with_values: bool,
) -> AppResult<(
    Vec<Judged>,
    usize,
    [usize; Light::COUNT],
    luoshi_store::Page,
)> {
    let (filter, light) = filter_of(q)?;
    let today = crate::kit::clock::today(state);
    let t = thresholds(state).await?;
    let page = luoshi_store::Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(default_limit));
    let found = state
        .store
        .indicator_page(&filter, light, &t, today, page, with_values)
        .await?;
    let judged = found
        .items
        .into_iter()
        .map(|(indicator, status)| Judged { indicator, status })
        .collect();
    Ok((judged, found.total, found.counts, page))
}

/// Every indicator a query selects, each judged today (the export).
pub(crate) async fn find(state: &AppState, q: &IndicatorQuery) -> AppResult<Vec<Judged>> {
    let (filter, light) = filter_of(q)?;
    Ok(judged(state, &filter)
        .await?
        .into_iter()
        .filter(|j| light.is_none_or(|l| j.status.light == l))
        .collect())
}

/// The indicators a filter selects, each judged today.
async fn judged(state: &AppState, filter: &IndicatorFilter) -> AppResult<Vec<Judged>> {
    let today = crate::kit::clock::today(state);
    let t = thresholds(state).await?;
    Ok(state
        .store
        .indicators(filter)
        .await?
        .into_iter()
        .map(|indicator| Judged {
            status: indicator.status(&t, today),
            indicator,
        })
        .collect())
}

/// The indicators a filter selects as list rows, judged today: the panel other pages show (a
/// task's, a unit's, the dashboard's).
pub(crate) async fn panel(state: &AppState, filter: IndicatorFilter) -> AppResult<Vec<pages::Row>> {
    Ok(judged(state, &filter)
        .await?
        .iter()
        .map(pages::Row::of)
        .collect())
}

/// The counts by light of what a filter selects and its first `n` indicators behind their path
/// (red, then yellow), each judged today: the dashboard's panel, a page's worth of work however
/// many indicators there are.
pub(crate) async fn behind(
    state: &AppState,
    filter: &IndicatorFilter,
    n: i64,
) -> AppResult<([usize; Light::COUNT], Vec<pages::Row>)> {
    let today = crate::kit::clock::today(state);
    let t = thresholds(state).await?;
    let mut rows = Vec::new();
    let mut counts = [0; Light::COUNT];
    for light in [Light::Red, Light::Yellow] {
        let left = n - rows.len() as i64;
        if left <= 0 {
            break;
        }
        let found = state
            .store
            .indicator_page(
                filter,
                Some(light),
                &t,
                today,
                luoshi_store::Page::new(0, left),
                false,
            )
            .await?;
        counts = found.counts;
        rows.extend(
            found
                .items
                .into_iter()
                .map(|(indicator, status)| pages::Row::of(&Judged { indicator, status })),
        );
    }
    Ok((counts, rows))
}

/// Counts by light (grey, green, yellow, red) of panel rows.
pub(crate) fn light_counts(rows: &[pages::Row]) -> [usize; Light::COUNT] {
    let mut counts = [0; Light::COUNT];
    for r in rows {
        counts[r.light_index] += 1;
    }
    counts
}

pub use luoshi_domain::indicators::measure_label;
