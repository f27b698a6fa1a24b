//! The audit log through the API, paged.

use axum::extract::State;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Json, Query};
use crate::kit::page::PageQuery;
use luoshi_store::Paged;
use luoshi_store::audit::AuditEntry;

pub async fn audit(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Paged<AuditEntry>>> {
    async { Ok(Json(state.store.audit(q.page()).await?)) }.await
}
