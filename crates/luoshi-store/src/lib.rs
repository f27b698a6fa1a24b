//! The ledger's storage boundary: the [`Store`] trait, the records it speaks in, import planning,
//! and the storage test story that every backend runs.
//!
//! Backends live in their own crate (`luoshi-store-sql`: SQLite and PostgreSQL). Everything above
//! storage (HTTP, CLI) holds an `Arc<dyn Store>` and never sees SQL. Every method that changes
//! data takes the acting user and writes its audit record in the same transaction.

mod error;
mod import;
pub mod rush;
pub mod samples;
pub mod story;
pub mod story_work;
mod types;
mod work;

use async_trait::async_trait;

pub use error::{StoreError, StoreResult};
pub use import::{ImportInput, ImportPlan, PlanTarget, TaskMatch, plan_import, sha256_hex};
pub use types::*;
pub use work::*;

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

    // --- reporting (信息报送) ---
    /// Live task links of units, with each document's own reporting rule: what is owed.
    async fn obligations(&self, filter: &ObligationFilter) -> StoreResult<Vec<Obligation>>;
    /// Files a report (or a revision) in one transaction; replays an idempotency key seen before.
    async fn submit_report(&self, actor: &Actor, submit: SubmitReport) -> StoreResult<Submitted>;
    async fn review_report(&self, actor: &Actor, review: Review) -> StoreResult<ReportRow>;
    async fn reports(&self, filter: &ReportFilter) -> StoreResult<Vec<ReportRow>>;
    async fn report(&self, id: Id) -> StoreResult<Option<ReportDetail>>;
    /// An attachment's description and bytes.
    async fn attachment(&self, id: Id) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>>;

    // --- supervision items (督查督办) ---
    async fn create_item(&self, actor: &Actor, new: NewItem) -> StoreResult<ItemRow>;
    async fn items(&self, filter: &ItemFilter) -> StoreResult<Vec<ItemRow>>;
    async fn item(&self, id: Id) -> StoreResult<Option<ItemDetail>>;
    /// Moves an item through its state machine; refused moves write nothing.
    async fn item_step(&self, actor: &Actor, id: Id, step: ItemStep) -> StoreResult<ItemRow>;
    /// Sends the reminders due on `today` (each once, whichever process runs it).
    async fn run_reminders(&self, today: &str, lead_days: &[i64]) -> StoreResult<ReminderRun>;
    /// Claims a periodic job for this process if it is due: true means run it now. Another
    /// process claiming the same job at the same time gets false.
    async fn claim_job(
        &self,
        name: &str,
        now: i64,
        every_secs: i64,
        owner: &str,
    ) -> StoreResult<bool>;

    // --- notifications ---
    async fn inbox(&self, user_id: Id, page: Page) -> StoreResult<Paged<Notification>>;
    async fn unread_count(&self, user_id: Id) -> StoreResult<i64>;
    async fn mark_read(&self, user_id: Id, id: Option<Id>) -> StoreResult<()>;
    /// Claims up to `limit` deliveries due at `now` for `lease_secs` (no two processes get one).
    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_secs: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// Records an attempt: sent, or failed and retried later with backoff, or given up.
    async fn finish_delivery(&self, id: Id, result: DeliveryResult, now: i64) -> StoreResult<()>;
    async fn deliveries(&self, page: Page) -> StoreResult<Paged<Delivery>>;
    async fn set_email(&self, actor: &Actor, user_id: Id, email: Option<&str>) -> StoreResult<()>;

    // --- the leading group and its meetings ---
    async fn members(&self) -> StoreResult<Vec<Member>>;
    /// Appends members (one, or a roster read from a document) in one transaction.
    async fn add_members(&self, actor: &Actor, new: Vec<MemberEdit>) -> StoreResult<Vec<Member>>;
    async fn update_member(&self, actor: &Actor, id: Id, edit: MemberEdit) -> StoreResult<Member>;
    async fn delete_member(&self, actor: &Actor, id: Id) -> StoreResult<()>;
    async fn meetings(&self) -> StoreResult<Vec<Meeting>>;
    async fn meeting(&self, id: Id) -> StoreResult<Option<Meeting>>;
    async fn create_meeting(&self, actor: &Actor, new: NewMeeting) -> StoreResult<Meeting>;

    // --- settings ---
    async fn settings(&self) -> StoreResult<Settings>;
    async fn save_settings(&self, actor: &Actor, settings: &Settings) -> StoreResult<()>;

    // --- the audit log ---
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
