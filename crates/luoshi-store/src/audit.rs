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
    /// Records an event that changes nothing stored (a login, a logout, a download, a refusal):
    /// sealed like every record.
    async fn record_event(
        &self,
        actor: &crate::Actor,
        action: &str,
        object_type: &str,
        object_id: Option<Id>,
        detail: serde_json::Value,
    ) -> StoreResult<()>;
    /// Recomputes the seal chain over every record.
    async fn verify_chain(&self) -> StoreResult<ChainCheck>;
    /// The last record's sequence number (0 for an empty log). Every change writes a record in
    /// its own transaction and audited writes commit in the order of their records, so an
    /// unchanged head means nothing stored has changed: what is derived from the database may
    /// be kept while the head stands still.
    async fn audit_head(&self) -> StoreResult<i64>;
}

/// What a check of the audit log's seal chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub records: i64,
    /// Records written before the chain existed, not sealed.
    pub unsealed: i64,
    /// The first record whose seal does not hold, if any.
    pub broken_at: Option<Id>,
    /// Checked with a key file (false: the built-in key).
    pub keyed: bool,
}

impl ChainCheck {
    /// The check in words (Chinese), as the 审计 page and `luoshi audit verify` say it.
    pub fn words(&self) -> String {
        let key = if self.keyed {
            ""
        } else {
            "（注意：未加载审计密钥文件，使用内置密钥）"
        };
        match self.broken_at {
            None => format!(
                "审计日志完整性校验通过：{} 条记录的 HMAC-SM3 链完好{}{key}",
                self.records - self.unsealed,
                if self.unsealed > 0 {
                    format!("（另有 {} 条早于校验链的记录）", self.unsealed)
                } else {
                    String::new()
                }
            ),
            Some(id) => format!(
                "审计日志完整性校验失败：第 {id} 条记录起校验链断裂，记录可能被篡改，请立即报告安全管理员{key}"
            ),
        }
    }
}
