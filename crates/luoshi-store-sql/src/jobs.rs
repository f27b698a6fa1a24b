//! Periodic job claims: a job runs in the one process that claims it when it is due.

use async_trait::async_trait;

use crate::{Dialect, SqlStore, db_err};
use luoshi_store::StoreResult;
use luoshi_store::jobs::JobsStore;

#[async_trait]
impl JobsStore for SqlStore {
    async fn claim_job(
        &self,
        name: &str,
        at: i64,
        every_secs: i64,
        owner: &str,
    ) -> StoreResult<bool> {
        let s = self;
        let mut tx = s.write().await?;
        sqlx::query(
            "INSERT INTO jobs (name, next_run) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let lock = match s.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!("SELECT next_run FROM jobs WHERE name = $1{lock}");
        let next_run: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(name.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if next_run.is_none_or(|n| n > at) {
            // End the transaction now: a dropped one is rolled back only when its connection is next
            // used, and until then it would hold the row (and SQLite's write lock).
            tx.rollback().await.map_err(db_err)?;
            return Ok(false);
        }
        sqlx::query("UPDATE jobs SET next_run = $1, owner = $2, claimed_at = $3 WHERE name = $4")
            .bind(at + every_secs)
            .bind(owner.to_string())
            .bind(at)
            .bind(name.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }
}
