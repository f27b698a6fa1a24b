//! The audit log: an append-only record of every change.

use async_trait::async_trait;
use serde::Serialize;

use crate::{Id, Page, Paged, StoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: Id,
    pub at: i64,
    pub user_id: Option<Id>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Id>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
