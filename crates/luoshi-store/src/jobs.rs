//! Periodic background jobs, claimed through the database so that one process runs each.

use async_trait::async_trait;

use crate::StoreResult;

/// Periodic job claims.
#[async_trait]
pub trait JobsStore: Send + Sync {
    /// Claims a periodic job for this process if it is due: true means run it now. Another
    /// process claiming the same job at the same time gets false.
    async fn claim_job(
        &self,
        name: &str,
        now: i64,
        every_secs: i64,
        owner: &str,
    ) -> StoreResult<bool>;
}
