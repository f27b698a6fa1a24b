//! The indicators API: the list (with the page's filters) and one indicator, each in the shape
//! `luoshi indicators --json` prints (`luoshi_store::indicators::indicator_json`).

use axum::extract::State;
use serde_json::{Value, json};

use super::{IndicatorQuery, find, thresholds};
use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Json, Path, Query};
use crate::kit::openapi::{obj, r, scalars};
use luoshi_store::Id;
use luoshi_store::indicators::indicator_json;

pub async fn list(
    State(state): State<AppState>,
    _a: Auth,
    Query(q): Query<IndicatorQuery>,
) -> AppResult<Json<Vec<Value>>> {
    let today = crate::kit::clock::today(&state);
    let t = thresholds();
    Ok(Json(
        find(&state, &q)
            .await?
            .iter()
            .map(|j| indicator_json(&j.indicator, &t, today))
            .collect(),
    ))
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
    Ok(Json(indicator_json(&i, &thresholds(), today)))
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
    ]
}
