//! The ledger's storage boundary: the [`Store`] trait, the records it speaks in, import planning,
//! and the storage test story that every backend runs.
//!
//! Backends live in their own crate (`luoshi-store-sql`: SQLite and PostgreSQL). Everything above
//! storage (HTTP, CLI) holds an `Arc<dyn Store>` and never sees SQL. Every method that changes
//! data takes the acting user and writes its audit record in the same transaction.

mod error;
mod import;
pub mod samples;
pub mod story;
mod types;

use async_trait::async_trait;

pub use error::{StoreError, StoreResult};
pub use import::{ImportInput, ImportPlan, PlanTarget, TaskMatch, plan_import, sha256_hex};
pub use types::*;

/// Everything the ledger reads and writes.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which backend this is ("sqlite" or "postgres").
    fn backend(&self) -> &'static str;

    // --- users, sessions, login throttling ---
    async fn user_count(&self) -> StoreResult<i64>;
    async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn user(&self, id: Id) -> StoreResult<Option<User>>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;
    /// Counts a failed login; at `max_failures` the account locks until `now + lock_secs`.
    async fn record_login_failure(
        &self,
        user_id: Id,
        now: i64,
        max_failures: i64,
        lock_secs: i64,
    ) -> StoreResult<()>;
    async fn record_login_success(&self, user_id: Id) -> StoreResult<()>;
    async fn set_password(&self, actor: &Actor, user_id: Id, hash: &str) -> StoreResult<()>;
    async fn set_user_active(&self, actor: &Actor, user_id: Id, active: bool) -> StoreResult<()>;
    async fn create_session(&self, new: NewSession) -> StoreResult<()>;
    /// The session behind a token hash, if it is live; touches its idle clock.
    async fn session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> StoreResult<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    // --- the unit registry ---
    /// Loads the shipped registry into an empty database (idempotent).
    async fn seed_registry(&self, actor: &Actor) -> StoreResult<()>;
    async fn units(&self) -> StoreResult<Vec<UnitSummary>>;
    async fn unit(&self, id: Id) -> StoreResult<Option<UnitDetail>>;
    /// The unit an alias (or name, or predecessor's name) resolves to, successors not followed.
    async fn unit_by_name(&self, name: &str) -> StoreResult<Option<Unit>>;
    /// A unit and, transitively, every unit it succeeded.
    async fn unit_family(&self, id: Id) -> StoreResult<Vec<Id>>;
    async fn create_unit(&self, actor: &Actor, name: &str, kind: UnitKind) -> StoreResult<Unit>;
    async fn update_unit(&self, actor: &Actor, id: Id, edit: UnitEdit) -> StoreResult<Unit>;
    async fn add_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()>;
    async fn remove_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()>;
    /// Folds `from` into `into`: names, tasks and accounts move. Returns the operation's id.
    async fn merge_units(&self, actor: &Actor, from: Id, into: Id) -> StoreResult<Id>;
    /// Splits the named aliases (and the tasks written with them) off into a new unit.
    async fn split_unit(&self, actor: &Actor, split: UnitSplit) -> StoreResult<Id>;
    async fn undo_unit_op(&self, actor: &Actor, op_id: Id) -> StoreResult<()>;
    async fn unit_ops(&self, unit: Option<Id>) -> StoreResult<Vec<UnitOp>>;

    // --- documents and imports ---
    /// Stored documents an incoming one may be a new version of: same 文号, same title, or a
    /// live task with one of the given titles (a reprint often lacks the 版头).
    async fn version_candidates(
        &self,
        doc_number: Option<&str>,
        title: Option<&str>,
        task_titles: &[String],
    ) -> StoreResult<Vec<Candidate>>;
    async fn version_by_sha(&self, sha256: &str) -> StoreResult<Option<(Id, Id)>>;
    /// Writes a planned import in one transaction. Fails with `Conflict` if the document gained a
    /// version since the plan was made.
    async fn apply_import(&self, actor: &Actor, plan: &ImportPlan) -> StoreResult<ImportOutcome>;
    async fn documents(&self, scope: &Scope, page: Page) -> StoreResult<Paged<DocumentRow>>;
    async fn document(&self, id: Id) -> StoreResult<Option<DocumentDetail>>;
    async fn version(&self, id: Id) -> StoreResult<Option<VersionDetail>>;
    async fn blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>>;
    async fn save_pending_import(&self, pending: PendingImport) -> StoreResult<()>;
    async fn pending_import(&self, token: &str, user_id: Id) -> StoreResult<Option<PendingImport>>;
    async fn delete_pending_import(&self, token: &str) -> StoreResult<()>;

    // --- the ledger ---
    async fn tasks(&self, filter: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRow>>;
    async fn task(&self, id: Id) -> StoreResult<Option<TaskDetail>>;
    async fn ledger_counts(&self, scope: &Scope) -> StoreResult<LedgerCounts>;

    // --- the audit log ---
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
