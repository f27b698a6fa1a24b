//! The audit log: reading it, and its seal (`seal`: the HMAC chain every record joins as
//! `sql::audit` writes it in the change's transaction).

pub mod seal;

use async_trait::async_trait;

use crate::{Arg, Col, Fetch, Q, SqlStore};
use luoshi_domain::calendar::Date;
use luoshi_store::audit::{AuditEntry, AuditFilter, AuditStore, ChainCheck};
use luoshi_store::{Page, Paged, StoreResult};

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_event(
        &self,
        actor: &luoshi_store::Actor,
        action: &str,
        object_type: &str,
        object_id: Option<luoshi_store::Id>,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        crate::audit(
            &mut tx,
            actor,
            action,
            object_type,
            object_id,
            None,
            Some(detail),
        )
        .await?;
        crate::commit(tx).await
    }

    async fn verify_chain(&self) -> StoreResult<ChainCheck> {
        self.verify_audit().await
    }

    async fn audit_head(&self) -> StoreResult<i64> {
        Ok(
            crate::scalar::<Option<i64>>("SELECT MAX(id) FROM audit_log")
                .fetch_one(&self.pool)
                .await
                .map_err(crate::sql::db_err)?
                .unwrap_or(0),
        )
    }

    async fn audit(&self, f: &AuditFilter, page: Page) -> StoreResult<Paged<AuditEntry>> {
        // Days are China time (UTC+8): a day starts at 16:00 UTC the day before.
        let day_start = |d: Date| d.days() * 86_400 - 8 * 3600;
        let mut q = Q::new("");
        let mut cond = String::from(" WHERE 1 = 1");
        if let Some(actor) = &f.actor {
            cond.push_str(&format!(" AND a.actor = {}", q.bind(Arg::S(actor.clone()))));
        }
        if let Some(unit) = f.unit_id {
            cond.push_str(&format!(" AND u.unit_id = {}", q.bind(Arg::I(unit))));
        }
        if let Some(from) = f.from {
            cond.push_str(&format!(" AND a.at >= {}", q.bind(Arg::I(day_start(from)))));
        }
        if let Some(to) = f.to {
            let end = day_start(to.add_days(1));
            cond.push_str(&format!(" AND a.at < {}", q.bind(Arg::I(end))));
        }
        let from = " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id";
        q.sql = format!("SELECT COUNT(*){from}{cond}");
        let total = q.fetch_i64(&self.pool).await?;
        let limit = q.bind(Arg::I(page.limit));
        let offset = q.bind(Arg::I(page.offset));
        q.sql = format!(
            "SELECT a.id, a.at, a.user_id, a.actor, a.action, a.object_type, a.object_id, \
             a.before_json, a.after_json{from}{cond} ORDER BY a.id DESC LIMIT {limit} OFFSET {offset}"
        );
        let rows = q.query().all(&self.pool).await?;
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
