//! Backups of the embedded database: an online snapshot (`VACUUM INTO`, consistent while the
//! server runs and writes) verified by reopening it (`integrity_check`, the migrations recorded),
//! and a restore that verifies first and replaces the database file in one rename. PostgreSQL
//! deployments back up with the server's own tools (`pg_dump`, a streaming standby).

use std::path::Path;

use luoshi_store::StoreError;
use luoshi_store::StoreResult;

use crate::{Dialect, Fetch, SqlStore, scalar};

/// What a verified backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub schema_version: i64,
    pub documents: i64,
    pub reports: i64,
    pub audit_records: i64,
}

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string(), None)
}

impl SqlStore {
    /// Writes a consistent snapshot of this (SQLite) database to `to`, which must not exist, and
    /// verifies it.
    pub async fn backup_to(&self, to: &Path) -> StoreResult<BackupReport> {
        if self.dialect != Dialect::Sqlite {
            return Err(StoreError::Invalid(
                "backup_postgres",
                "PostgreSQL 请使用 pg_dump 或流复制备库备份".into(),
            ));
        }
        if to.exists() {
            return Err(StoreError::Invalid(
                "backup_exists",
                format!("备份文件已存在：{}", to.display()),
            ));
        }
        let target = to.to_str().ok_or_else(|| bad("backup path is not UTF-8"))?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "VACUUM INTO '{}'",
            target.replace('\'', "''")
        )))
        .execute(&self.pool)
        .await
        .map_err(crate::db_err)?;
        verify(to).await
    }
}

/// Opens a database file on its own (read-only), checks it and says what it holds.
pub async fn verify(path: &Path) -> StoreResult<BackupReport> {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let opts: sqlx::any::AnyConnectOptions = url.parse().map_err(bad)?;
    let mut conn = opts.connect().await.map_err(bad)?;
    let check: String = scalar("PRAGMA integrity_check").one(&mut conn).await?;
    if check != "ok" {
        return Err(StoreError::Invalid(
            "backup_corrupt",
            format!("备份文件校验失败：{check}"),
        ));
    }
    let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
    let schema_version: i64 = scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .one(&mut conn)
        .await
        .map_err(|_| StoreError::Invalid("backup_not_luoshi", "不是落实的数据库文件".into()))?;
    let documents: i64 = scalar(sqlx::AssertSqlSafe(count("documents")))
        .one(&mut conn)
        .await?;
    let reports: i64 = scalar(sqlx::AssertSqlSafe(count("reports")))
        .one(&mut conn)
        .await?;
    let audit_records: i64 = scalar(sqlx::AssertSqlSafe(count("audit_log")))
        .one(&mut conn)
        .await?;
    let bytes = std::fs::metadata(path).map_err(bad)?.len();
    Ok(BackupReport {
        bytes,
        schema_version,
        documents,
        reports,
        audit_records,
    })
}

/// Replaces the database at `db` with the verified backup `from`: copied beside it, synced, and
/// renamed over it (so a crash leaves the old or the new file, never half of one). The server must
/// be stopped; its `-wal` and `-shm` files are removed with the old database.
pub async fn restore(from: &Path, db: &Path) -> StoreResult<BackupReport> {
    let report = verify(from).await?;
    let staged = db.with_extension("restoring");
    std::fs::copy(from, &staged).map_err(bad)?;
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(bad)?;
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(bad)?;
        }
    }
    std::fs::rename(&staged, db).map_err(bad)?;
    Ok(report)
}
