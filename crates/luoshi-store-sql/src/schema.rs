//! Migrations for both dialects, written once with type placeholders and spelled out per dialect.
//!
//! `{ID}` is an auto-assigned 64-bit key, `{INT}` a 64-bit integer, `{BLOB}` bytes. Each migration runs in one transaction and is recorded in `schema_migrations`.

use crate::Dialect;

/// Ordered migrations: (version, shared DDL, SQLite-only DDL, PostgreSQL-only DDL).
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[(1, V1, V1_SQLITE, V1_POSTGRES)];

const V1: &str = r#"
CREATE TABLE units (
    id {ID},
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    area TEXT,
    successor_id {INT} REFERENCES units(id),
    succeeded_on TEXT,
    merged_into {INT} REFERENCES units(id),
    created_at {INT} NOT NULL
);
CREATE TABLE unit_aliases (
    alias_key TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    unit_id {INT} NOT NULL REFERENCES units(id)
);
CREATE INDEX unit_aliases_unit ON unit_aliases(unit_id);
CREATE TABLE users (
    id {ID},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id {INT} NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active {INT} NOT NULL DEFAULT 1,
    failed_logins {INT} NOT NULL DEFAULT 0,
    locked_until {INT},
    created_at {INT} NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id {INT} NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at {INT} NOT NULL,
    last_seen {INT} NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size {INT} NOT NULL,
    bytes {BLOB} NOT NULL
);
CREATE TABLE documents (
    id {ID},
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    doc_number TEXT,
    issuer TEXT,
    signed_date TEXT,
    latest_version_id {INT},
    created_at {INT} NOT NULL
);
CREATE INDEX documents_number ON documents(doc_number);
CREATE INDEX documents_title ON documents(title_key);
CREATE TABLE versions (
    id {ID},
    document_id {INT} NOT NULL REFERENCES documents(id),
    version_no {INT} NOT NULL,
    sha256 TEXT NOT NULL UNIQUE REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    parsed TEXT NOT NULL,
    extracted TEXT NOT NULL,
    similarity_ppm {INT},
    changes TEXT NOT NULL,
    imported_at {INT} NOT NULL,
    imported_by TEXT NOT NULL,
    UNIQUE (document_id, version_no)
);
CREATE TABLE tasks (
    id {ID},
    document_id {INT} NOT NULL REFERENCES documents(id),
    seq {INT} NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    units_text TEXT,
    path TEXT NOT NULL,
    first_version_id {INT} NOT NULL REFERENCES versions(id),
    last_version_id {INT} NOT NULL REFERENCES versions(id),
    retired {INT} NOT NULL DEFAULT 0
);
-- Live tasks in ledger order: the whole ledger's pages and counts read this index, not the rows.
CREATE INDEX tasks_live ON tasks(retired, document_id, seq);
CREATE INDEX tasks_title ON tasks(title);
CREATE TABLE task_units (
    task_id {INT} NOT NULL REFERENCES tasks(id),
    ord {INT} NOT NULL,
    unit_id {INT} NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    written_as TEXT NOT NULL,
    written_key TEXT NOT NULL,
    -- Copies of the task's state, so a unit's list is read from this index alone: 1 while the
    -- task is live; document_id * 1000000 + seq, the ledger's order. A task links a unit once.
    live {INT} NOT NULL DEFAULT 1,
    sort_key {INT} NOT NULL,
    PRIMARY KEY (task_id, ord),
    UNIQUE (task_id, unit_id)
);
CREATE INDEX task_units_unit ON task_units(unit_id, live, sort_key, task_id);
CREATE INDEX task_units_unit_role ON task_units(unit_id, role, live, sort_key, task_id);
CREATE INDEX units_area ON units(area);
CREATE TABLE unit_ops (
    id {ID},
    kind TEXT NOT NULL,
    unit_id {INT} NOT NULL REFERENCES units(id),
    other_id {INT} NOT NULL REFERENCES units(id),
    payload TEXT NOT NULL,
    at {INT} NOT NULL,
    by_name TEXT NOT NULL,
    undone {INT} NOT NULL DEFAULT 0
);
CREATE TABLE pending_imports (
    token TEXT PRIMARY KEY,
    user_id {INT} NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    bytes {BLOB} NOT NULL,
    extracted TEXT NOT NULL,
    parsed TEXT NOT NULL,
    created_at {INT} NOT NULL
);
CREATE TABLE audit_log (
    id {ID},
    at {INT} NOT NULL,
    user_id {INT},
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id {INT},
    before_json TEXT,
    after_json TEXT
);
"#;

const V1_SQLITE: &str = r#"
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"#;

const V1_POSTGRES: &str = r#"
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"#;

/// The DDL of one migration in one dialect.
pub fn ddl(dialect: Dialect, shared: &str, sqlite: &str, postgres: &str) -> String {
    let (id, int, blob, extra) = match dialect {
        Dialect::Sqlite => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "INTEGER",
            "BLOB",
            sqlite,
        ),
        Dialect::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BIGINT",
            "BYTEA",
            postgres,
        ),
    };
    let mut sql = shared
        .replace("{ID}", id)
        .replace("{INT}", int)
        .replace("{BLOB}", blob);
    sql.push_str(extra);
    sql
}
