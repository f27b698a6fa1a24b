//! The audit log through the API, paged.

use crate::kit::openapi::{obj, page_of, scalars};
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::audit::filter::AuditQuery;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Json, Query};
use luoshi_store::Paged;
use luoshi_store::audit::AuditEntry;

pub async fn audit(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Paged<AuditEntry>>> {
    let (filter, page) = q.filter()?;
    Ok(Json(state.store.audit(&filter, page).await?))
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, _, ni, _) = scalars();
    vec![
        (
            "AuditEntry",
            obj(
                &["id", "at", "actor", "action", "object_type"],
                json!({
                    "id": i, "at": i, "user_id": ni, "actor": s, "action": s, "object_type": s, "object_id": ni,
                    "before": {}, "after": {}
                }),
            ),
        ),
        ("AuditPage", page_of("AuditEntry")),
    ]
}
