//! Periodic job claims: a job runs in the one process that claims it when it is due.

use async_trait::async_trait;

use crate::{Dialect, Fetch, Run, SqlStore, commit, rollback, scalar};
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
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO jobs (name, next_run) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name.to_string())
        .run(&mut *tx)
        .await?;
        let lock = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!("SELECT next_run FROM jobs WHERE name = $1{lock}");
        let next_run: Option<i64> = scalar(sqlx::AssertSqlSafe(sql))
            .bind(name.to_string())
            .maybe(&mut *tx)
            .await?;
        if next_run.is_none_or(|n| n > at) {
            // End the transaction now: a dropped one is rolled back only when its connection is next
            // used, and until then it would hold the row (and SQLite's write lock).
            rollback(tx).await?;
            return Ok(false);
        }
        sqlx::query("UPDATE jobs SET next_run = $1, owner = $2, claimed_at = $3 WHERE name = $4")
            .bind(at + every_secs)
            .bind(owner.to_string())
            .bind(at)
            .bind(name.to_string())
            .run(&mut *tx)
            .await?;
        commit(tx).await?;
        Ok(true)
    }
}
