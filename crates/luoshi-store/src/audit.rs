//! The audit log: an append-only record of every change.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
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

/// Which audit records to list; every part narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The actor's user name (or the system actor's name), exactly.
    pub actor: Option<String>,
    /// Records of the users of this unit.
    pub unit_id: Option<Id>,
    /// From this day on (China time).
    pub from: Option<Date>,
    /// Up to and including this day (China time).
    pub to: Option<Date>,
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Newest first.
    async fn audit(&self, filter: &AuditFilter, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
