//! The reporting API: a round's obligations, filing (with an `Idempotency-Key` header), a report
//! with its versions, review, and 一键催报.

use crate::kit::openapi::{obj, r, scalars};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppError;
use crate::kit::extract::{Json, Path, Query};
use crate::reporting::filing::{Filing, file_report};
use crate::reporting::pages::RoundQuery;
use crate::reporting::round::{owed_in_round, round_param, visible_links};
use luoshi_domain::reporting::{Figure, ReportKind};
use luoshi_store::Id;
use luoshi_store::reporting::{ObligationFilter, ReportDetail, ReportRow, Review};

/// One obligation as the API lists it.
#[derive(Serialize)]
pub struct OwedJson {
    pub task_id: Id,
    pub task_number: String,
    pub task_title: String,
    pub document_id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    /// The name the document wrote, when it names a unit since succeeded.
    pub written_as: Option<String>,
    pub kind: ReportKind,
    pub period: luoshi_domain::periods::PeriodKey,
    pub due: luoshi_domain::calendar::Date,
    pub standing: luoshi_domain::reporting::round::Standing,
    pub report_id: Option<Id>,
    pub late: bool,
}

pub async fn obligations(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<RoundQuery>,
) -> Result<Json<Vec<OwedJson>>, AppError> {
    async {
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
                    written_as: o.ob.written_as,
                    kind: o.kind,
                    period: o.period_key,
                    due: o.due,
                    standing: o.standing,
                    report_id: o.report.map(|r| r.id),
                })
                .collect(),
        ))
    }
    .await
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
    /// Indicator values filed with the report (the task's indicators, or the unit's).
    #[serde(default)]
    pub values: Vec<crate::indicators::filing::ValueInput>,
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
                values: body.values,
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
        Err(e) => e.into_response(),
    }
}

pub async fn report(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> Result<Json<ReportDetail>, AppError> {
    async {
        Ok(Json(
            crate::kit::scope::visible_report(&state, &a.0, id).await?,
        ))
    }
    .await
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
    async {
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
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindBody {
    /// The round, `2026-Q3`.
    pub round: String,
    /// One unit; none: every unit with a late duty.
    #[serde(default)]
    pub unit_id: Option<Id>,
}

/// 一键催报 by API: the same use case as the 催报 buttons (each duty at most once a day).
pub async fn remind(
    State(state): State<AppState>,
    a: Auth,
    Json(b): Json<RemindBody>,
) -> Result<Json<luoshi_store::reporting::RemindOutcome>, AppError> {
    let round = round_param(&state, Some(&b.round))?;
    let whom = match b.unit_id {
        Some(u) => crate::reporting::reminders::Whom::Unit(u),
        None => crate::reporting::reminders::Whom::AllLate,
    };
    Ok(Json(
        crate::reporting::reminders::remind(&state, &a.actor(), round, whom).await?,
    ))
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, _, ni, _) = scalars();
    vec![
        (
            "Obligation",
            obj(
                &[
                    "task_id",
                    "unit_id",
                    "kind",
                    "period",
                    "due",
                    "standing",
                    "report_id",
                    "late",
                ],
                json!({
                    "task_id": i, "task_number": s, "task_title": s, "document_id": i, "unit_id": i,
                    "unit_name": s, "written_as": { "type": ["string", "null"] },
                    "kind": { "enum": ["task", "contribution"] }, "period": s, "due": s,
                    "standing": { "enum": ["open", "missing", "submitted", "returned", "accepted"] },
                    "report_id": ni, "late": { "type": "boolean" }
                }),
            ),
        ),
        (
            "ObligationList",
            json!({ "type": "array", "items": r("Obligation") }),
        ),
        (
            "ReportBody",
            obj(
                &["task_id", "period", "status", "progress", "narrative"],
                json!({
                    "task_id": i, "period": s,
                    "status": { "enum": ["not_started", "ongoing", "done", "lagging"] },
                    "progress": i, "narrative": s,
                    "figures": { "type": "array", "items": obj(&["name", "value"], json!({ "name": s, "value": { "type": "number" }, "unit": s })) },
                    "values": { "type": "array", "items": r("ValueInput") },
                    "attachments": { "type": "array", "items": obj(&["file_name", "content"], json!({ "file_name": s, "content": { "type": "string", "contentEncoding": "base64" } })) }
                }),
            ),
        ),
        (
            "ReportRow",
            obj(
                &[
                    "id", "task_id", "unit_id", "kind", "period", "due", "state", "status",
                    "progress", "versions", "late",
                ],
                json!({
                    "id": i, "task_id": i, "task_number": s, "task_title": s, "document_id": i, "unit_id": i,
                    "unit_name": s, "kind": s, "period": s, "due": s, "state": { "enum": ["submitted", "accepted", "returned"] },
                    "status": s, "progress": i, "versions": i, "returns": i, "late": { "type": "boolean" },
                    "first_filed_on": s, "updated_at": i
                }),
            ),
        ),
        (
            "Submitted",
            obj(
                &["report", "version_no", "replayed"],
                json!({ "report": r("ReportRow"), "version_no": i, "replayed": { "type": "boolean" } }),
            ),
        ),
        (
            "ReportDetail",
            obj(
                &["id", "history"],
                json!({ "id": i, "history": { "type": "array", "items": { "type": "object" } } }),
            ),
        ),
        (
            "RemindBody",
            obj(&["round"], json!({ "round": s, "unit_id": i })),
        ),
        (
            "RemindOutcome",
            obj(
                &["reminders", "units"],
                json!({ "reminders": i, "units": i }),
            ),
        ),
        (
            "ReviewBody",
            obj(
                &["version_no", "accept"],
                json!({ "version_no": i, "accept": { "type": "boolean" }, "reason": s }),
            ),
        ),
    ]
}
