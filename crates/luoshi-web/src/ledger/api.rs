//! The ledger API: documents, tasks, imports.

use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;

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
    confirm_pending(&state, &auth, &token).await.map(Json)
}
