//! Reading the audit log (records are written by every change, in its transaction: `sql::audit`).

use async_trait::async_trait;

use crate::{Col, Fetch, SqlStore, scalar};
use luoshi_store::audit::{AuditEntry, AuditStore};
use luoshi_store::{Page, Paged, StoreResult};

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>> {
        let total: i64 = scalar("SELECT COUNT(*) FROM audit_log")
            .one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT id, at, user_id, actor, action, object_type, object_id, before_json, after_json \
             FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2",
        )
        .bind(page.limit)
        .bind(page.offset)
        .all(&self.pool).await?;
        let parse = |v: Option<String>| v.and_then(|s| serde_json::from_str(&s).ok());
        let items = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.col("id")?,
                    at: r.col("at")?,
                    user_id: r.col("user_id")?,
                    actor: r.col("actor")?,
                    action: r.col("action")?,
                    object_type: r.col("object_type")?,
                    object_id: r.col("object_id")?,
                    before: parse(r.col("before_json")?),
                    after: parse(r.col("after_json")?),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Paged {
            items,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }
}
