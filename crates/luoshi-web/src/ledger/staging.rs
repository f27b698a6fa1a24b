//! An upload staged for import: parsed (in a child process in production), planned, kept as a
//! pending import and previewed; confirming writes it. The import pages and the API share it.

use axum::http::StatusCode;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::now;
use crate::kit::error::{AppError, AppResult};
use luoshi_domain::calendar::Date;
use luoshi_store::accounts::Session;
use luoshi_store::ledger::{ImportOutcome, ImportPlan, PendingImport, PlanTarget};

/// Parses an upload and keeps it pending; answers the preview with its token.
pub async fn stage_upload(
    state: &AppState,
    s: &Session,
    file_name: String,
    bytes: Vec<u8>,
) -> AppResult<crate::ledger::ingest::Preview> {
    if bytes.is_empty() {
        return Err(AppError::bad_request("文件为空"));
    }
    if bytes.len() > state.config.max_upload {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("文件超过 {} MB 上限", state.config.max_upload / 1024 / 1024),
        ));
    }
    let (extracted, document) =
        crate::ledger::ingest::parse_upload(&state.config.parse_mode, bytes.clone()).await?;
    let token = luoshi_store::accounts::credentials::random_token(18);
    state
        .store
        .save_pending_import(PendingImport {
            token: token.clone(),
            user_id: s.user.id,
            file_name: file_name.clone(),
            bytes: bytes.clone(),
            extracted: extracted.clone(),
            document: document.clone(),
            created_at: now(),
        })
        .await?;
    let plan =
        crate::ledger::ingest::plan(&*state.store, file_name, bytes, extracted, document).await?;
    preview_of(state, &token, plan).await
}

/// The preview, with the day a new document's reporting would start.
async fn preview_of(
    state: &AppState,
    token: &str,
    plan: ImportPlan,
) -> AppResult<crate::ledger::ingest::Preview> {
    let mut p = crate::ledger::ingest::preview(&*state.store, token, &plan).await?;
    if matches!(plan.target, PlanTarget::NewDocument) {
        p.reporting_from = plan
            .with_default_start(crate::kit::clock::today(state))
            .reporting_from;
    }
    Ok(p)
}

/// The preview of a pending import of this user.
pub async fn pending_preview(
    state: &AppState,
    s: &Session,
    token: &str,
) -> AppResult<crate::ledger::ingest::Preview> {
    let p = state
        .store
        .pending_import(token, s.user.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plan =
        crate::ledger::ingest::plan(&*state.store, p.file_name, p.bytes, p.extracted, p.document)
            .await?;
    preview_of(state, token, plan).await
}

/// Writes a pending import (planned afresh, so it reflects the ledger as it is now). A new
/// document's reporting starts on `reporting_from`, or by default at its date or the current
/// round (`default_reporting_from`).
pub async fn confirm_pending(
    state: &AppState,
    auth: &Auth,
    token: &str,
    reporting_from: Option<Date>,
    unit_map: Vec<(String, luoshi_store::Id)>,
) -> AppResult<ImportOutcome> {
    let p = state
        .store
        .pending_import(token, auth.0.user.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plan =
        crate::ledger::ingest::plan(&*state.store, p.file_name, p.bytes, p.extracted, p.document)
            .await?
            .with_default_start(crate::kit::clock::today(state));
    // Only names the document writes can be mapped.
    let written: std::collections::HashSet<&str> = plan
        .input
        .document
        .tasks
        .iter()
        .flat_map(|t| t.units.iter().map(|u| u.name.as_str()))
        .collect();
    let unit_map = unit_map
        .into_iter()
        .filter(|(w, _)| written.contains(w.as_str()))
        .collect();
    let plan = ImportPlan {
        reporting_from: reporting_from.or(plan.reporting_from),
        unit_map,
        ..plan
    };
    let outcome = state.store.apply_import(&auth.actor(), &plan).await?;
    state.store.delete_pending_import(token).await?;
    Ok(outcome)
}
