//! The SQL backends of the ledger: SQLite (one file, the embedded default) and PostgreSQL.
//!
//! Both speak through sqlx's `Any` driver with `$n` placeholders, so every query is written once;
//! what differs (DDL types, the append-only trigger, how a write transaction starts, connection
//! pragmas) is decided by [`Dialect`]. SQLite runs with WAL, `synchronous=FULL`, foreign keys on
//! and a busy timeout, and its write transactions start with `BEGIN IMMEDIATE` so that concurrent
//! writers queue instead of failing. On PostgreSQL, imports and registry operations take a
//! transaction-scoped advisory lock, so several server processes never interleave them.

mod accounts;
pub mod audit;
pub mod backup;
pub mod encryption;
mod group;
mod indicators;
mod jobs;
mod ledger;
mod notify;
mod registry;
mod reporting;
mod schema;
mod settings;
mod sql;
mod supervision;

use std::time::Duration;

use luoshi_store::ledger::LedgerCounts;
use luoshi_store::{Backend, StoreResult};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub(crate) use sql::{
    Arg, Col, Fetch, Q, Run, Tx, audit, begin, bounded, commit, db_err, now, put_blob, rollback,
    scalar,
};

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
    /// Reads counted here and not yet added to `request_counts` (at most `accounts::READ_BATCH`
    /// per account): the rate limits stay in the database, and a page view writes once in a few.
    pub(crate) read_meter: std::sync::Arc<std::sync::Mutex<accounts::ReadMeter>>,
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
            // A connection whose COMMIT failed after the database rolled the transaction back
            // itself (a full disk, an I/O error) still counts a transaction; used again, every
            // later write would fail. Such a connection is closed, never handed out.
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    let clean = !sqlx::Connection::is_in_transaction(conn);
                    if !clean {
                        eprintln!("luoshi: closing a pooled connection left inside a transaction");
                    }
                    Ok(clean)
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA foreign_keys=ON; PRAGMA busy_timeout=15000; \
                             PRAGMA secure_delete=ON;",
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
            read_meter: Default::default(),
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
                .run(&mut *tx)
                .await?;
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
                scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .maybe(&mut *tx)
                    .await?;
            if done.is_some() {
                continue;
            }
            let ddl = schema::ddl(self.dialect, shared, lite, pg);
            sqlx::raw_sql(sqlx::AssertSqlSafe(ddl))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if *version == 2 {
                ledger::backfill_due_rules(&mut tx).await?;
            }
            if *version == 4 {
                registry::refresh_current(&mut tx).await?;
                ledger::backfill_printed_dates(&mut tx).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(now())
                .run(&mut *tx)
                .await?;
        }
        commit(tx).await
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so writers queue on the lock.
    /// After removing a document or a cancelled import: with `secure_delete` the freed pages are
    /// zeroed in the database file, and truncating the WAL drops the copies of them it still holds
    /// (SQLite; PostgreSQL's VACUUM reclaims its own pages). A busy WAL is left for the next time.
    pub(crate) async fn leave_no_residue(&self) -> StoreResult<()> {
        if matches!(self.dialect, Dialect::Sqlite) {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .run(&self.pool)
                .await?;
        }
        Ok(())
    }

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
                .run(&mut **tx)
                .await?;
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

    #[cfg(feature = "testing")]
    /// Leaves a pooled connection as a failed COMMIT on a full disk does: the database has rolled
    /// the transaction back, the driver still counts it (for tests).
    pub async fn break_a_commit(&self) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("ROLLBACK").run(&mut *tx).await?;
        match commit(tx).await {
            Err(_) => Ok(()),
            Ok(()) => Err(luoshi_store::StoreError::Database(
                "the commit was expected to fail".into(),
                None,
            )),
        }
    }

    #[cfg(feature = "testing")]
    /// What an intruder with database rights does: drops the append-only trigger, rewrites one
    /// audit record and re-creates the trigger (for tests: the seal must catch it).
    pub async fn rewrite_audit_behind_the_trigger(&self, id: i64, actor: &str) -> StoreResult<()> {
        let (drop, create) = match self.dialect {
            Dialect::Sqlite => (
                "DROP TRIGGER audit_log_no_update",
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            ),
            Dialect::Postgres => (
                "DROP TRIGGER audit_log_no_change ON audit_log",
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            ),
        };
        // One connection for the three statements, as an intruder's session would be.
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        sqlx::query(drop).run(&mut *conn).await?;
        sqlx::query("UPDATE audit_log SET actor = $1 WHERE id = $2")
            .bind(actor.to_string())
            .bind(id)
            .run(&mut *conn)
            .await?;
        sqlx::query(create).run(&mut *conn).await?;
        Ok(())
    }

    #[cfg(feature = "testing")]
    /// Number of audit records (for tests).
    pub async fn audit_rows(&self) -> StoreResult<i64> {
        scalar("SELECT COUNT(*) FROM audit_log")
            .one(&self.pool)
            .await
    }

    #[cfg(feature = "testing")]
    /// Tries to rewrite and delete audit records, which the schema must refuse (for tests).
    pub async fn tamper_with_audit(&self) -> StoreResult<()> {
        sqlx::query("UPDATE audit_log SET actor = 'x'")
            .run(&self.pool)
            .await?;
        sqlx::query("DELETE FROM audit_log").run(&self.pool).await?;
        Ok(())
    }

    #[cfg(feature = "testing")]
    /// SQLite's journal mode, synchronous level and foreign-key switch on a pooled connection.
    pub async fn sqlite_pragmas(&self) -> StoreResult<(String, i64, i64)> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        let mode: String = scalar("PRAGMA journal_mode").one(&mut *conn).await?;
        let sync: i64 = scalar("PRAGMA synchronous").one(&mut *conn).await?;
        let fk: i64 = scalar("PRAGMA foreign_keys").one(&mut *conn).await?;
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

impl Backend for SqlStore {
    fn backend(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
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
