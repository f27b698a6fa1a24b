//! The indicators API: the list (with the page's filters) and one indicator, each in the shape
//! `luoshi indicators --json` prints (`luoshi_store::indicators::indicator_json`).

use axum::extract::State;
use serde_json::{Value, json};

use super::{IndicatorQuery, thresholds};
use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Json, Path, Query};
use crate::kit::memo::Memo;
use crate::kit::openapi::{obj, r, scalars};
use luoshi_store::Id;
use luoshi_store::indicators::indicator_json;

pub async fn list(
    State(state): State<AppState>,
    _a: Auth,
    Query(q): Query<IndicatorQuery>,
) -> AppResult<Json<std::sync::Arc<Vec<Value>>>> {
    let today = crate::kit::clock::today(&state);
    let key = format!(
        "api/indicators?{}&offset={:?}&limit={:?}&day={today}",
        q.filter_query(),
        q.offset,
        q.limit
    );
    let found = Memo::get(&state, key, || async {
        let t = thresholds(&state).await?;
        let (judged, ..) =
            super::find_page(&state, &q, luoshi_store::Page::MAX_LIMIT, true).await?;
        Ok(judged
            .iter()
            .map(|j| indicator_json(&j.indicator, &t, today))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(found))
}

pub async fn indicator(
    State(state): State<AppState>,
    _a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Json<Value>> {
    let i = state
        .store
        .indicator(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let today = crate::kit::clock::today(&state);
    Ok(Json(indicator_json(&i, &thresholds(&state).await?, today)))
}

#[derive(serde::Deserialize)]
pub struct ValuesBody {
    pub values: Vec<super::filing::ValueInput>,
}

/// The office's values for one indicator: checked, accepted as written.
pub async fn values(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(body): Json<ValuesBody>,
) -> AppResult<Json<Value>> {
    let inputs: Vec<super::filing::ValueInput> = body
        .values
        .into_iter()
        .map(|v| super::filing::ValueInput {
            indicator_id: id,
            ..v
        })
        .collect();
    let written = super::filing::record(&state, &a.actor(), &inputs).await?;
    Ok(Json(json!({ "written": written })))
}

#[derive(serde::Deserialize)]
pub struct SheetBody {
    /// The .xlsx, base64.
    pub content: String,
}

#[derive(serde::Deserialize, Default)]
pub struct SheetQuery {
    #[serde(default)]
    pub dry_run: Option<String>,
}

/// A statistics sheet: previewed (`dry_run=1`) or imported; the plan either way, and 422 with
/// every bad row when it cannot be imported.
pub async fn figures(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<SheetQuery>,
    Json(body): Json<SheetBody>,
) -> AppResult<Json<Value>> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.content.as_bytes())
        .map_err(|_| AppError::bad_request("content 不是有效的 base64"))?;
    let dry = matches!(q.dry_run.as_deref(), Some("1" | "true"));
    let (plan, written) = if dry {
        (super::filing::preview_sheet(&state, &bytes).await?, 0)
    } else {
        super::filing::import_sheet(&state, &a.actor(), &bytes).await?
    };
    let (new, changed, same) = plan.counts();
    Ok(Json(json!({
        "rows": plan.rows,
        "new": new,
        "changed": changed,
        "same": same,
        "written": written,
        "problems": plan.problems,
        "changes": plan.changes,
    })))
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, ns, _, _) = scalars();
    let num = json!({ "type": "number" });
    let nnum = json!({ "type": ["number", "null"] });
    vec![
        (
            "Indicator",
            obj(
                &[
                    "id",
                    "subject",
                    "scope",
                    "unit",
                    "measure",
                    "milestones",
                    "baseline",
                    "actuals",
                    "units",
                    "source",
                    "status",
                ],
                json!({
                    "id": i, "subject": s, "scope": ns, "unit": s,
                    "measure": { "enum": ["level", "share", "change", "annual_growth"] },
                    "milestones": { "type": "array", "items": obj(&["year", "value", "value_max", "comparator"],
                        json!({ "year": i, "value": num, "value_max": nnum, "comparator": { "enum": [">=", "<=", "=", "range"] } })) },
                    "baseline": { "type": ["object", "null"] },
                    "actuals": { "type": "array", "items": obj(&["year", "period", "value", "status"],
                        json!({ "year": i, "period": s, "value": num, "status": s })) },
                    "units": { "type": "array", "items": obj(&["name", "role"], json!({ "name": s, "role": s })) },
                    "source": { "type": ["object", "null"] },
                    "status": obj(&["light", "progress", "reason"],
                        json!({ "light": { "enum": ["grey", "green", "yellow", "red"] }, "progress": nnum, "reason": s })),
                }),
            ),
        ),
        (
            "IndicatorList",
            json!({ "type": "array", "items": r("Indicator") }),
        ),
        (
            "ValueInput",
            obj(
                &["value"],
                json!({
                    "indicator_id": i, "year": s,
                    "period": { "type": "string", "description": "year, Q1 … Q4, or 全年, 上半年, 1-9月 …" },
                    "value": s, "unit": s, "source": s,
                }),
            ),
        ),
        (
            "ValuesBody",
            obj(
                &["values"],
                json!({ "values": { "type": "array", "items": r("ValueInput") } }),
            ),
        ),
        ("ValuesWritten", obj(&["written"], json!({ "written": i }))),
        (
            "SheetBody",
            obj(
                &["content"],
                json!({ "content": { "type": "string", "contentEncoding": "base64" } }),
            ),
        ),
        (
            "SheetPlan",
            obj(
                &[
                    "rows", "new", "changed", "same", "written", "problems", "changes",
                ],
                json!({
                    "rows": i, "new": i, "changed": i, "same": i, "written": i,
                    "problems": { "type": "array", "items": s },
                    "changes": { "type": "array", "items": { "type": "object" } },
                }),
            ),
        ),
    ]
}
