//! The supervision API: items, opening one, an item with its log, steps.

use crate::kit::openapi::{obj, r, scalars};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppError;
use crate::kit::extract::{Json, Path};
use crate::supervision::steps::{StepForm, take_step, visible_item};
use luoshi_store::Id;
use luoshi_store::supervision::{ItemDetail, ItemFilter, ItemRow, ItemSource, NewItem};

pub async fn items(State(state): State<AppState>, a: Auth) -> Result<Json<Vec<ItemRow>>, AppError> {
    async {
        let units = crate::kit::scope::item_units(&state, &a.0).await?;
        Ok(Json(
            state
                .store
                .items(&ItemFilter {
                    units,
                    ..Default::default()
                })
                .await?,
        ))
    }
    .await
}

#[derive(Deserialize)]
pub struct ItemBody {
    pub title: String,
    pub source: ItemSource,
    #[serde(default)]
    pub source_ref: String,
    pub lead_unit_id: Id,
    #[serde(default)]
    pub support_unit_ids: Vec<Id>,
    pub due: String,
    pub task_id: Option<Id>,
}

pub async fn item_create(
    State(state): State<AppState>,
    a: Auth,
    Json(b): Json<ItemBody>,
) -> Response {
    let due = match crate::kit::extract::date_field(&b.due, "办理时限") {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let made = state
        .store
        .create_item(
            &a.actor(),
            NewItem {
                title: b.title,
                source: b.source,
                source_ref: b.source_ref,
                task_id: b.task_id,
                decision_id: None,
                lead_unit_id: b.lead_unit_id,
                support_unit_ids: b.support_unit_ids,
                due,
                opened_on: crate::kit::clock::today(&state),
                assign: true,
            },
        )
        .await;
    match made {
        Ok(item) => (StatusCode::CREATED, Json(item)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub async fn item(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> Result<Json<ItemDetail>, AppError> {
    visible_item(&state, &a.0, id).await.map(Json)
}

pub async fn item_step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(f): Json<StepForm>,
) -> Result<Json<ItemRow>, AppError> {
    take_step(&state, &a, id, f, Vec::new()).await.map(Json)
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, ns, ni, _) = scalars();
    vec![
        (
            "ItemRow",
            obj(
                &[
                    "id",
                    "title",
                    "source",
                    "lead_unit_id",
                    "stage",
                    "due",
                    "progress",
                ],
                json!({
                    "id": i, "title": s, "source": { "enum": ["instruction", "meeting", "inspection"] }, "source_ref": s,
                    "task_id": ni, "decision_id": ni, "lead_unit_id": i, "lead_unit_name": s, "stage": s,
                    "opened_on": s, "due": s, "original_due": s, "requested_due": ns, "closed_on": ns,
                    "progress": i, "grade": ns, "reminders": i, "updated_at": i
                }),
            ),
        ),
        (
            "ItemList",
            json!({ "type": "array", "items": r("ItemRow") }),
        ),
        (
            "ItemDetail",
            obj(
                &["id", "stage", "units", "events"],
                json!({ "id": i, "stage": s, "units": { "type": "array" }, "events": { "type": "array" } }),
            ),
        ),
        (
            "ItemBody",
            obj(
                &["title", "source", "lead_unit_id", "due"],
                json!({ "title": s, "source": { "enum": ["instruction", "meeting", "inspection"] }, "source_ref": s,
                        "lead_unit_id": i, "support_unit_ids": { "type": "array", "items": i }, "due": s, "task_id": ni }),
            ),
        ),
        (
            "StepBody",
            obj(
                &["action"],
                json!({ "action": { "enum": luoshi_domain::supervision::Action::ALL.map(|a| a.code()) },
                        "note": s, "progress": s, "new_due": s, "grade": s, "stage": s }),
            ),
        ),
    ]
}
