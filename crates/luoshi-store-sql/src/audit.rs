//! Reading the audit log (records are written by every change, in its transaction: `sql::audit`).

use async_trait::async_trait;
use sqlx::Row;

use crate::{SqlStore, db_err};
use luoshi_store::audit::{AuditEntry, AuditStore};
use luoshi_store::{Page, Paged, StoreResult};

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>> {
        let s = self;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&s.pool)
            .await
            .map_err(db_err)?;
        let rows = sqlx::query(
            "SELECT id, at, user_id, actor, action, object_type, object_id, before_json, after_json \
             FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2",
        )
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
        let parse = |v: Option<String>| v.and_then(|s| serde_json::from_str(&s).ok());
        let items = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id").map_err(db_err)?,
                    at: r.try_get("at").map_err(db_err)?,
                    user_id: r.try_get("user_id").map_err(db_err)?,
                    actor: r.try_get("actor").map_err(db_err)?,
                    action: r.try_get("action").map_err(db_err)?,
                    object_type: r.try_get("object_type").map_err(db_err)?,
                    object_id: r.try_get("object_id").map_err(db_err)?,
                    before: parse(r.try_get("before_json").map_err(db_err)?),
                    after: parse(r.try_get("after_json").map_err(db_err)?),
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
