//! The ledger API: documents, tasks, imports.

use crate::kit::openapi::{obj, page_of, scalars};
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Json, Path, Query};
use crate::kit::page::PageQuery;
use crate::kit::scope::{scope_of, visible_document, visible_task};
use crate::ledger::filter::{TaskQuery, task_filter};
use crate::ledger::staging::{confirm_pending, pending_preview, stage_upload};
use luoshi_store::ledger::{DocumentDetail, DocumentRow, ImportOutcome, TaskDetail, TaskRow};
use luoshi_store::{Id, Page, Paged};

pub async fn documents(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Paged<DocumentRow>>> {
    async {
        let scope = scope_of(&state, &auth.0).await?;
        Ok(Json(state.store.documents(&scope, q.page()).await?))
    }
    .await
}

pub async fn document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> AppResult<Json<DocumentDetail>> {
    visible_document(&state, &auth.0, id)
        .await
        .map(|(_, doc)| Json(doc))
}

pub async fn tasks(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TaskQuery>,
) -> AppResult<Json<Paged<TaskRow>>> {
    async {
        let filter = task_filter(&state, &auth.0, &q).await?;
        let page = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
        Ok(Json(state.store.tasks(&filter, page).await?))
    }
    .await
}

pub async fn task(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> AppResult<Json<TaskDetail>> {
    visible_task(&state, &auth.0, id).await.map(Json)
}

#[derive(Deserialize)]
pub struct UploadQuery {
    pub name: Option<String>,
}

pub async fn import_upload(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> AppResult<Json<crate::ledger::ingest::Preview>> {
    let name = q.name.unwrap_or_else(|| "upload".into());
    stage_upload(&state, &auth.0, name, body.to_vec())
        .await
        .map(Json)
}

pub async fn import_preview(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> AppResult<Json<crate::ledger::ingest::Preview>> {
    pending_preview(&state, &auth.0, &token).await.map(Json)
}

pub async fn import_confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> AppResult<Json<ImportOutcome>> {
    confirm_pending(&state, &auth, &token, None, Vec::new())
        .await
        .map(Json)
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, ns, ni, strs) = scalars();
    let task_props = json!({
        "id": i, "document_id": i, "document_title": s, "seq": i, "number": s, "title": s, "text": s,
        "lead": strs, "support": strs, "areas": strs
    });
    let task_req = [
        "id",
        "document_id",
        "document_title",
        "number",
        "title",
        "text",
        "lead",
        "support",
        "areas",
    ];
    let mut task_detail = task_props.clone();
    task_detail["path"] = strs.clone();
    task_detail["units_text"] = ns.clone();
    task_detail["units"] = json!({ "type": "array", "items": obj(&["unit_id", "unit_name", "written_as", "role"], json!({
        "unit_id": i, "unit_name": s, "written_as": s, "role": { "type": "string", "enum": ["lead", "support"] }
    })) });
    let doc_props = json!({
        "id": i, "title": s, "doc_number": ns, "issuer": ns, "signed_date": ns, "printed_date": ns, "reporting_from": ns,
        "versions": i, "tasks": i, "latest_version_id": i
    });
    let mut doc_detail = doc_props.clone();
    doc_detail["versions"] = json!({ "type": "array", "items": obj(&["id", "version_no", "sha256", "file_name", "changes"], json!({
        "id": i, "document_id": i, "version_no": i, "sha256": s, "file_name": s, "format": s,
        "imported_at": i, "imported_by": s, "similarity": { "type": ["number", "null"] },
        "changes": { "type": "array", "items": obj(&["before", "after"], json!({ "before": s, "after": s, "line_a": i, "line_b": i })) }
    })) });
    doc_detail["outline"] = json!({ "type": "array", "items": { "type": "object" } });
    doc_detail["warnings"] = json!({ "type": "array", "items": { "type": "object" } });
    vec![
        ("Task", obj(&task_req, task_props)),
        (
            "TaskDetail",
            obj(&["id", "title", "units", "units_text", "path"], task_detail),
        ),
        ("TaskPage", page_of("Task")),
        (
            "Document",
            obj(&["id", "title", "versions", "tasks"], doc_props),
        ),
        (
            "DocumentDetail",
            obj(&["id", "title", "versions", "outline"], doc_detail),
        ),
        ("DocumentPage", page_of("Document")),
        (
            "Preview",
            obj(
                &[
                    "token",
                    "file_name",
                    "sha256",
                    "kind",
                    "tasks",
                    "changes",
                    "warnings",
                ],
                json!({
                    "token": s, "file_name": s, "sha256": s, "title": ns, "doc_number": ns, "issuer": ns,
                    "kind": { "type": "string", "enum": ["already_stored", "new_document", "new_version"] },
                    "document_id": ni, "version_no": ni, "similarity": { "type": ["number", "null"] },
                    "changes": { "type": "array", "items": { "type": "object" } }, "retired": i,
                    "tasks": { "type": "array", "items": { "type": "object" } }, "targets": strs, "warnings": strs
                }),
            ),
        ),
        (
            "ImportOutcome",
            obj(
                &["outcome", "document_id"],
                json!({
                    "outcome": { "type": "string", "enum": ["unchanged", "new_document", "new_version"] },
                    "document_id": i, "version_id": i
                }),
            ),
        ),
    ]
}
