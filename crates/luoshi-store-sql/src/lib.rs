//! The SQL backends of the ledger: SQLite (one file, the embedded default) and PostgreSQL.
//!
//! Both speak through sqlx's `Any` driver with `$n` placeholders, so every query is written once;
//! what differs (DDL types, the append-only trigger, how a write transaction starts, connection
//! pragmas) is decided by [`Dialect`]. SQLite runs with WAL, `synchronous=FULL`, foreign keys on
//! and a busy timeout, and its write transactions start with `BEGIN IMMEDIATE` so that concurrent
//! writers queue instead of failing. On PostgreSQL, imports and registry operations take a
//! transaction-scoped advisory lock, so several server processes never interleave them.

mod docs;
mod group;
mod items;
mod ledger;
mod notify;
mod reports;
mod schema;
mod sql;
mod units;
mod users;

use std::time::Duration;

use async_trait::async_trait;
use luoshi_store::*;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub(crate) use sql::{Arg, Q, Tx, audit, db_err, get, now};

/// The SQL dialect behind a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A ledger stored in SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// The whole ledger's front-page figures, kept for a few seconds: derived data, so another
    /// process never needs it, and staleness is bounded by `COUNTS_TTL`.
    pub(crate) counts_cache:
        std::sync::Arc<std::sync::Mutex<Option<(std::time::Instant, LedgerCounts)>>>,
}

/// How long the whole ledger's front-page figures are reused.
pub(crate) const COUNTS_TTL: Duration = Duration::from_secs(10);

impl SqlStore {
    /// Opens (creating if needed) a SQLite database file and brings its schema up to date.
    pub async fn open_sqlite(path: &std::path::Path) -> Result<SqlStore, String> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        SqlStore::connect(&url, 8).await
    }

    /// Connects to `sqlite://…` or `postgres://…` and migrates.
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore, String> {
        install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(format!(
                "unsupported database URL (sqlite: or postgres:): {url}"
            ));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA foreign_keys=ON; PRAGMA busy_timeout=15000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", redact(url)))?;
        let store = SqlStore {
            pool,
            dialect,
            counts_cache: Default::default(),
        };
        store
            .migrate()
            .await
            .map_err(|e| format!("migration failed: {e}"))?;
        Ok(store)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut tx = self.write().await?;
        if self.dialect == Dialect::Postgres {
            // Two processes starting together must not both migrate.
            sqlx::query("SELECT pg_advisory_xact_lock(7351001)")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let int = match self.dialect {
            Dialect::Sqlite => "INTEGER",
            Dialect::Postgres => "BIGINT",
        };
        let create = format!(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version {int} PRIMARY KEY, applied_at {int} NOT NULL)"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        for (version, shared, lite, pg) in schema::MIGRATIONS {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
            if done.is_some() {
                continue;
            }
            let ddl = schema::ddl(self.dialect, shared, lite, pg);
            sqlx::raw_sql(sqlx::AssertSqlSafe(ddl))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if *version == 2 {
                docs::backfill_due_rules(&mut tx).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(now())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so writers queue on the lock.
    pub(crate) async fn write(&self) -> StoreResult<Tx> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
        .map_err(db_err)
    }

    /// Serialises registry-changing transactions across processes (PostgreSQL; SQLite's write
    /// lock already does).
    pub(crate) async fn registry_lock(&self, tx: &mut Tx) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7351002)")
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// A one-connection pool on a PostgreSQL maintenance database, for creating databases.
    pub async fn admin_pool(url: &str) -> Result<AnyPool, String> {
        install_default_drivers();
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", redact(url)))
    }

    /// Drops (if present) and creates a PostgreSQL database: tests and benchmarks start fresh.
    pub async fn recreate_database(admin: &AnyPool, name: &str) -> Result<(), String> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad database name {name}"));
        }
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(admin)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// A fresh, empty PostgreSQL database for a test or benchmark, on the server named by
    /// `LUOSHI_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`); returns its URL. The name
    /// gets the process id, so parallel test binaries never share one.
    pub async fn fresh_postgres_url(name: &str) -> Result<String, String> {
        let base = std::env::var("LUOSHI_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
        let admin = SqlStore::admin_pool(&format!("{base}/postgres"))
            .await
            .map_err(|e| {
                format!("{e} (PostgreSQL must run at 127.0.0.1:5432; scripts/setup.sh starts it)")
            })?;
        let db = format!("luoshi_{name}_{}", std::process::id());
        SqlStore::recreate_database(&admin, &db).await?;
        admin.close().await;
        Ok(format!("{base}/{db}"))
    }

    /// [`SqlStore::fresh_postgres_url`], connected.
    pub async fn fresh_postgres(name: &str) -> Result<SqlStore, String> {
        SqlStore::connect(&SqlStore::fresh_postgres_url(name).await?, 8).await
    }

    /// Number of audit records (for tests).
    pub async fn audit_rows(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }

    /// Tries to rewrite and delete audit records, which the schema must refuse (for tests).
    pub async fn tamper_with_audit(&self) -> StoreResult<()> {
        sqlx::query("UPDATE audit_log SET actor = 'x'")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM audit_log")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// SQLite's journal mode, synchronous level and foreign-key switch on a pooled connection.
    pub async fn sqlite_pragmas(&self) -> StoreResult<(String, i64, i64)> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        Ok((mode, sync, fk))
    }
}

/// A URL with its password hidden, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
    async fn user_count(&self) -> StoreResult<i64> {
        users::user_count(self).await
    }
    async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User> {
        users::create_user(self, actor, new).await
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        users::users(self, None).await
    }
    async fn user(&self, id: Id) -> StoreResult<Option<User>> {
        Ok(users::users(self, Some(id)).await?.pop())
    }
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        users::credentials(self, username).await
    }
    async fn record_login_failure(
        &self,
        user_id: Id,
        now: i64,
        max_failures: i64,
        lock_secs: i64,
    ) -> StoreResult<()> {
        users::record_login_failure(self, user_id, now, max_failures, lock_secs).await
    }
    async fn record_login_success(&self, user_id: Id) -> StoreResult<()> {
        users::record_login_success(self, user_id).await
    }
    async fn set_password(&self, actor: &Actor, user_id: Id, hash: &str) -> StoreResult<()> {
        users::set_password(self, actor, user_id, hash).await
    }
    async fn set_user_active(&self, actor: &Actor, user_id: Id, active: bool) -> StoreResult<()> {
        users::set_user_active(self, actor, user_id, active).await
    }
    async fn create_session(&self, new: NewSession) -> StoreResult<()> {
        users::create_session(self, new).await
    }
    async fn session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> StoreResult<Option<Session>> {
        users::session(self, token_hash, now, idle_secs).await
    }
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        users::delete_session(self, token_hash).await
    }
    async fn seed_registry(&self, actor: &Actor) -> StoreResult<()> {
        units::seed_registry(self, actor).await
    }
    async fn units(&self) -> StoreResult<Vec<UnitSummary>> {
        units::units(self).await
    }
    async fn unit(&self, id: Id) -> StoreResult<Option<UnitDetail>> {
        units::unit_detail(self, id).await
    }
    async fn unit_by_name(&self, name: &str) -> StoreResult<Option<Unit>> {
        units::unit_by_name(self, name).await
    }
    async fn unit_family(&self, id: Id) -> StoreResult<Vec<Id>> {
        units::unit_family(self, id).await
    }
    async fn create_unit(&self, actor: &Actor, name: &str, kind: UnitKind) -> StoreResult<Unit> {
        units::create_unit(self, actor, name, kind).await
    }
    async fn update_unit(&self, actor: &Actor, id: Id, edit: UnitEdit) -> StoreResult<Unit> {
        units::update_unit(self, actor, id, edit).await
    }
    async fn add_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()> {
        units::add_alias(self, actor, id, alias).await
    }
    async fn remove_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()> {
        units::remove_alias(self, actor, id, alias).await
    }
    async fn merge_units(&self, actor: &Actor, from: Id, into: Id) -> StoreResult<Id> {
        units::merge_units(self, actor, from, into).await
    }
    async fn split_unit(&self, actor: &Actor, split: UnitSplit) -> StoreResult<Id> {
        units::split_unit(self, actor, split).await
    }
    async fn undo_unit_op(&self, actor: &Actor, op_id: Id) -> StoreResult<()> {
        units::undo_unit_op(self, actor, op_id).await
    }
    async fn unit_ops(&self, unit: Option<Id>) -> StoreResult<Vec<UnitOp>> {
        units::unit_ops(self, unit).await
    }
    async fn version_candidates(
        &self,
        doc_number: Option<&str>,
        title: Option<&str>,
        task_titles: &[String],
    ) -> StoreResult<Vec<Candidate>> {
        docs::version_candidates(self, doc_number, title, task_titles).await
    }
    async fn version_by_sha(&self, sha256: &str) -> StoreResult<Option<(Id, Id)>> {
        docs::version_by_sha(self, sha256).await
    }
    async fn apply_import(&self, actor: &Actor, plan: &ImportPlan) -> StoreResult<ImportOutcome> {
        docs::apply_import(self, actor, plan).await
    }
    async fn documents(&self, scope: &Scope, page: Page) -> StoreResult<Paged<DocumentRow>> {
        docs::documents(self, scope, page).await
    }
    async fn document(&self, id: Id) -> StoreResult<Option<DocumentDetail>> {
        docs::document(self, id).await
    }
    async fn version(&self, id: Id) -> StoreResult<Option<VersionDetail>> {
        docs::version(self, id).await
    }
    async fn blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        docs::blob(self, sha256).await
    }
    async fn save_pending_import(&self, pending: PendingImport) -> StoreResult<()> {
        docs::save_pending(self, pending).await
    }
    async fn pending_import(&self, token: &str, user_id: Id) -> StoreResult<Option<PendingImport>> {
        docs::pending(self, token, user_id).await
    }
    async fn delete_pending_import(&self, token: &str) -> StoreResult<()> {
        docs::delete_pending(self, token).await
    }
    async fn tasks(&self, filter: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRow>> {
        ledger::tasks(self, filter, page).await
    }
    async fn task(&self, id: Id) -> StoreResult<Option<TaskDetail>> {
        ledger::task(self, id).await
    }
    async fn ledger_counts(&self, scope: &Scope) -> StoreResult<LedgerCounts> {
        if *scope != Scope::All {
            return ledger::counts(self, scope).await;
        }
        if let Some((at, counts)) = self.counts_cache.lock().expect("not poisoned").as_ref()
            && at.elapsed() < COUNTS_TTL
        {
            return Ok(counts.clone());
        }
        let counts = ledger::counts(self, scope).await?;
        *self.counts_cache.lock().expect("not poisoned") =
            Some((std::time::Instant::now(), counts.clone()));
        Ok(counts)
    }
    async fn audit(&self, page: Page) -> StoreResult<Paged<AuditEntry>> {
        ledger::audit_log(self, page).await
    }
    async fn obligations(&self, filter: &ObligationFilter) -> StoreResult<Vec<Obligation>> {
        reports::obligations(self, filter).await
    }
    async fn submit_report(&self, actor: &Actor, submit: SubmitReport) -> StoreResult<Submitted> {
        reports::submit_report(self, actor, submit).await
    }
    async fn review_report(&self, actor: &Actor, review: Review) -> StoreResult<ReportRow> {
        reports::review_report(self, actor, review).await
    }
    async fn reports(&self, filter: &ReportFilter) -> StoreResult<Vec<ReportRow>> {
        reports::reports(self, filter).await
    }
    async fn report(&self, id: Id) -> StoreResult<Option<ReportDetail>> {
        reports::report(self, id).await
    }
    async fn attachment(&self, id: Id) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>> {
        reports::attachment(self, id).await
    }
    async fn create_item(&self, actor: &Actor, new: NewItem) -> StoreResult<ItemRow> {
        items::create_item(self, actor, new).await
    }
    async fn items(&self, filter: &ItemFilter) -> StoreResult<Vec<ItemRow>> {
        items::items(self, filter).await
    }
    async fn item(&self, id: Id) -> StoreResult<Option<ItemDetail>> {
        items::item(self, id).await
    }
    async fn item_step(&self, actor: &Actor, id: Id, step: ItemStep) -> StoreResult<ItemRow> {
        items::item_step(self, actor, id, step).await
    }
    async fn run_reminders(&self, today: &str, lead_days: &[i64]) -> StoreResult<ReminderRun> {
        items::run_reminders(self, today, lead_days).await
    }
    async fn claim_job(
        &self,
        name: &str,
        now: i64,
        every_secs: i64,
        owner: &str,
    ) -> StoreResult<bool> {
        items::claim_job(self, name, now, every_secs, owner).await
    }
    async fn inbox(&self, user_id: Id, page: Page) -> StoreResult<Paged<Notification>> {
        notify::inbox(self, user_id, page).await
    }
    async fn unread_count(&self, user_id: Id) -> StoreResult<i64> {
        notify::unread_count(self, user_id).await
    }
    async fn mark_read(&self, user_id: Id, id: Option<Id>) -> StoreResult<()> {
        notify::mark_read(self, user_id, id).await
    }
    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_secs: i64,
    ) -> StoreResult<Vec<Delivery>> {
        notify::claim_deliveries(self, now, limit, lease_secs).await
    }
    async fn finish_delivery(&self, id: Id, result: DeliveryResult, now: i64) -> StoreResult<()> {
        notify::finish_delivery(self, id, result, now).await
    }
    async fn deliveries(&self, page: Page) -> StoreResult<Paged<Delivery>> {
        notify::deliveries(self, page).await
    }
    async fn set_email(&self, actor: &Actor, user_id: Id, email: Option<&str>) -> StoreResult<()> {
        users::set_email(self, actor, user_id, email).await
    }
    async fn members(&self) -> StoreResult<Vec<Member>> {
        group::members(self).await
    }
    async fn add_members(&self, actor: &Actor, new: Vec<MemberEdit>) -> StoreResult<Vec<Member>> {
        group::add_members(self, actor, new).await
    }
    async fn update_member(&self, actor: &Actor, id: Id, edit: MemberEdit) -> StoreResult<Member> {
        group::update_member(self, actor, id, edit).await
    }
    async fn delete_member(&self, actor: &Actor, id: Id) -> StoreResult<()> {
        group::delete_member(self, actor, id).await
    }
    async fn meetings(&self) -> StoreResult<Vec<Meeting>> {
        group::meetings(self).await
    }
    async fn meeting(&self, id: Id) -> StoreResult<Option<Meeting>> {
        group::meeting(self, id).await
    }
    async fn create_meeting(&self, actor: &Actor, new: NewMeeting) -> StoreResult<Meeting> {
        group::create_meeting(self, actor, new).await
    }
    async fn settings(&self) -> StoreResult<Settings> {
        notify::settings_in(&self.pool).await
    }
    async fn save_settings(&self, actor: &Actor, settings: &Settings) -> StoreResult<()> {
        notify::save_settings(self, actor, settings).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_logs() {
        assert_eq!(
            super::redact("postgres://u:secret@127.0.0.1/db"),
            "postgres://u:***@127.0.0.1/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
