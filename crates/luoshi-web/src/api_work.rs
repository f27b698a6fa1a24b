//! The JSON API of reporting and supervision: obligations, filing (with an `Idempotency-Key`
//! header: a retried request gets the first answer and writes nothing), review, items and their
//! steps, and the inbox.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use luoshi_store::*;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::reporting::{Filing, RoundQuery, file_report};
use crate::scope::visible_task;
use crate::supervise::{StepForm, take_step, visible_item};
use crate::work::{owed_in_round, round_param, visible_links};

fn api<T>(r: AppResult<T>) -> Result<T, AppError> {
    r.map_err(AppError::api)
}

/// One obligation as the API lists it.
#[derive(Serialize)]
pub struct OwedJson {
    pub task_id: Id,
    pub task_number: String,
    pub task_title: String,
    pub document_id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    pub kind: ReportKind,
    pub period: String,
    pub due: String,
    pub standing: crate::work::Standing,
    pub report_id: Option<Id>,
    pub late: bool,
}

pub async fn obligations(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<RoundQuery>,
) -> Result<Json<Vec<OwedJson>>, AppError> {
    api(async {
        let round = round_param(&state, q.round.as_deref())?;
        let links = visible_links(&state, &a.0, ObligationFilter::default()).await?;
        let owed = owed_in_round(&state, links, round).await?;
        Ok(Json(
            owed.into_iter()
                .map(|o| OwedJson {
                    late: o.late_filed(),
                    task_id: o.ob.task_id,
                    task_number: o.ob.task_number,
                    task_title: o.ob.task_title,
                    document_id: o.ob.document_id,
                    unit_id: o.ob.unit_id,
                    unit_name: o.ob.unit_name,
                    kind: o.kind,
                    period: o.period_key,
                    due: o.due,
                    standing: o.standing,
                    report_id: o.report.map(|r| r.id),
                })
                .collect(),
        ))
    }
    .await)
}

#[derive(Deserialize)]
pub struct AttachmentBody {
    pub file_name: String,
    /// The file's bytes, base64.
    pub content: String,
}

#[derive(Deserialize)]
pub struct ReportBody {
    pub task_id: Id,
    /// The period key, e.g. `2026-Q3`.
    pub period: String,
    pub status: String,
    pub progress: i64,
    pub narrative: String,
    #[serde(default)]
    pub figures: Vec<Figure>,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    headers: HeaderMap,
    Json(body): Json<ReportBody>,
) -> Response {
    let result = async {
        let idem = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut files = Vec::new();
        for f in body.attachments {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content.as_bytes())
                .map_err(|_| AppError::bad_request("附件内容不是有效的 base64"))?;
            files.push((f.file_name, bytes));
        }
        file_report(
            &state,
            &a,
            body.task_id,
            &body.period,
            Filing {
                status: body.status,
                progress: body.progress,
                narrative: body.narrative,
                figures: body.figures,
                files,
                idem,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(s) => {
            let status = if s.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (status, Json(s)).into_response()
        }
        Err(e) => e.api().into_response(),
    }
}

pub async fn report(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> Result<Json<ReportDetail>, AppError> {
    api(async {
        let r = state
            .store
            .report(id)
            .await?
            .ok_or_else(AppError::not_found)?;
        visible_task(&state, &a.0, r.row.task_id).await?;
        Ok(Json(r))
    }
    .await)
}

#[derive(Deserialize)]
pub struct ReviewBody {
    pub version_no: i64,
    pub accept: bool,
    #[serde(default)]
    pub reason: String,
}

pub async fn review(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<ReviewBody>,
) -> Result<Json<ReportRow>, AppError> {
    api(async {
        Ok(Json(
            state
                .store
                .review_report(
                    &a.actor(),
                    Review {
                        report_id: id,
                        version_no: b.version_no,
                        accept: b.accept,
                        reason: b.reason,
                    },
                )
                .await?,
        ))
    }
    .await)
}

pub async fn items(State(state): State<AppState>, a: Auth) -> Result<Json<Vec<ItemRow>>, AppError> {
    api(async {
        let units = crate::scope::item_units(&state, &a.0).await?;
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
    .await)
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
                due: b.due,
                opened_on: crate::work::today(&state).to_string(),
                assign: true,
            },
        )
        .await;
    match made {
        Ok(item) => (StatusCode::CREATED, Json(item)).into_response(),
        Err(e) => AppError::from(e).api().into_response(),
    }
}

pub async fn item(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> Result<Json<ItemDetail>, AppError> {
    api(visible_item(&state, &a.0, id).await.map(Json))
}

pub async fn item_step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(f): Json<StepForm>,
) -> Result<Json<ItemRow>, AppError> {
    api(take_step(&state, &a, id, f).await.map(Json))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn notifications(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<Paged<Notification>>, AppError> {
    api(async {
        Ok(Json(
            state
                .store
                .inbox(
                    a.0.user.id,
                    Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50)),
                )
                .await?,
        ))
    }
    .await)
}
