//! Migrations for both dialects, written once with type placeholders and spelled out per dialect.
//!
//! `{ID}` is an auto-assigned 64-bit key, `{INT}` a 64-bit integer, `{BLOB}` bytes. Each migration runs in one transaction and is recorded in `schema_migrations`.

use crate::Dialect;

/// Ordered migrations: (version, shared DDL, SQLite-only DDL, PostgreSQL-only DDL).
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (1, V1, V1_SQLITE, V1_POSTGRES),
    (2, V2, "", ""),
    (3, V3, "", ""),
    (4, V4, "", ""),
    (5, V5, "", ""),
    (6, V6, "", ""),
    (7, V7, "", ""),
    (8, V8, "", ""),
    (9, V9, "", ""),
    (10, V10, "", ""),
    (11, V11, "", ""),
    (12, V12, "", ""),
    (13, V13, "", ""),
];

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

/// Reporting, supervision, notifications, the leading group, settings (issue 4).
const V2: &str = r#"
ALTER TABLE documents ADD COLUMN due_rule TEXT;
ALTER TABLE users ADD COLUMN email TEXT;
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at {INT} NOT NULL
);
CREATE TABLE reports (
    id {ID},
    task_id {INT} NOT NULL REFERENCES tasks(id),
    unit_id {INT} NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    due TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    progress {INT} NOT NULL,
    versions {INT} NOT NULL,
    returns {INT} NOT NULL DEFAULT 0,
    late {INT} NOT NULL,
    first_filed_on TEXT NOT NULL,
    updated_at {INT} NOT NULL,
    UNIQUE (task_id, unit_id, kind, period)
);
CREATE INDEX reports_unit ON reports(unit_id, period);
CREATE INDEX reports_period ON reports(period, state);
CREATE TABLE report_versions (
    id {ID},
    report_id {INT} NOT NULL REFERENCES reports(id),
    version_no {INT} NOT NULL,
    status TEXT NOT NULL,
    progress {INT} NOT NULL,
    narrative TEXT NOT NULL,
    figures TEXT NOT NULL,
    submitted_by {INT} REFERENCES users(id),
    submitted_by_name TEXT NOT NULL,
    submitted_at {INT} NOT NULL,
    filed_on TEXT NOT NULL,
    -- "<user id>:<client key>": a retried submission finds its first version.
    idem_key TEXT UNIQUE,
    review TEXT,
    review_reason TEXT,
    reviewed_by_name TEXT,
    reviewed_at {INT},
    UNIQUE (report_id, version_no)
);
CREATE TABLE attachments (
    id {ID},
    version_id {INT} NOT NULL REFERENCES report_versions(id),
    report_id {INT} NOT NULL REFERENCES reports(id),
    file_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size {INT} NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);
CREATE INDEX attachments_version ON attachments(version_id);
CREATE TABLE group_members (
    id {ID},
    seq {INT} NOT NULL,
    role TEXT NOT NULL,
    person TEXT NOT NULL,
    position TEXT NOT NULL,
    unit_id {INT} REFERENCES units(id),
    liaison_user_id {INT} REFERENCES users(id)
);
CREATE TABLE meetings (
    id {ID},
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at {INT} NOT NULL
);
CREATE TABLE decisions (
    id {ID},
    meeting_id {INT} NOT NULL REFERENCES meetings(id),
    seq {INT} NOT NULL,
    text TEXT NOT NULL,
    lead_unit_id {INT} REFERENCES units(id),
    due TEXT
);
CREATE TABLE items (
    id {ID},
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    task_id {INT} REFERENCES tasks(id),
    decision_id {INT} REFERENCES decisions(id),
    lead_unit_id {INT} NOT NULL REFERENCES units(id),
    stage TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    due TEXT NOT NULL,
    original_due TEXT NOT NULL,
    requested_due TEXT,
    closed_on TEXT,
    progress {INT} NOT NULL DEFAULT 0,
    grade TEXT,
    reminders {INT} NOT NULL DEFAULT 0,
    created_at {INT} NOT NULL,
    updated_at {INT} NOT NULL
);
CREATE INDEX items_stage ON items(stage, due);
CREATE TABLE item_units (
    item_id {INT} NOT NULL REFERENCES items(id),
    unit_id {INT} NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    PRIMARY KEY (item_id, unit_id)
);
CREATE INDEX item_units_unit ON item_units(unit_id);
CREATE TABLE item_events (
    id {ID},
    item_id {INT} NOT NULL REFERENCES items(id),
    at {INT} NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX item_events_item ON item_events(item_id, id);
-- One row per automatic reminder sent: the key makes each go out once, whoever runs the job.
CREATE TABLE item_reminders (
    item_id {INT} NOT NULL REFERENCES items(id),
    reminder_key TEXT NOT NULL,
    sent_at {INT} NOT NULL,
    PRIMARY KEY (item_id, reminder_key)
);
-- Periodic jobs: a process runs one only after claiming its row.
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    next_run {INT} NOT NULL,
    owner TEXT,
    claimed_at {INT}
);
CREATE TABLE notifications (
    id {ID},
    user_id {INT} NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at {INT} NOT NULL,
    read_at {INT}
);
CREATE INDEX notifications_user ON notifications(user_id, id);
-- Every page's header counts the unread ones.
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
CREATE TABLE deliveries (
    id {ID},
    notification_id {INT} NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts {INT} NOT NULL DEFAULT 0,
    next_at {INT} NOT NULL,
    locked_until {INT},
    last_error TEXT,
    sent_at {INT}
);
CREATE INDEX deliveries_due ON deliveries(state, next_at);
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

/// Messages for a session's next page, removed as they are shown (and with their session).
const V3: &str = r#"
CREATE TABLE flashes (
    id {ID},
    token_hash TEXT NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
    tone TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at {INT} NOT NULL
);
CREATE INDEX flashes_session ON flashes(token_hash, id);
"#;

/// Who carries each unit today (`current_id`, NULL for itself; kept by every registry change),
/// when a document's reporting starts, and when a task was 办结.
const V4: &str = r#"
ALTER TABLE units ADD COLUMN current_id {INT} REFERENCES units(id);
CREATE INDEX units_current ON units(current_id);
ALTER TABLE documents ADD COLUMN printed_date TEXT;
ALTER TABLE documents ADD COLUMN reporting_from TEXT;
ALTER TABLE tasks ADD COLUMN completed_on TEXT;
"#;

/// 催报: every reminder of a reporting duty, once per key.
const V5: &str = r#"
CREATE TABLE report_reminders (
    id {ID},
    task_id {INT} NOT NULL REFERENCES tasks(id),
    unit_id {INT} NOT NULL REFERENCES units(id),
    task_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    reminder_key TEXT NOT NULL,
    note TEXT NOT NULL,
    sent_at {INT} NOT NULL,
    sent_by TEXT NOT NULL,
    UNIQUE (task_id, unit_id, kind, period, reminder_key)
);
CREATE INDEX report_reminders_period ON report_reminders(period, task_id);
"#;

/// The office's corrections: a task's 完成时限, a document's 废止/到期.
const V6: &str = r#"
ALTER TABLE tasks ADD COLUMN deadline TEXT;
ALTER TABLE documents ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE documents ADD COLUMN ended_on TEXT;
"#;

/// Evidence on 督办 steps (反馈, 办结), drafts of a filing kept before it is sent, and which tasks
/// the office corrected (a later version's import keeps the correction).
const V7: &str = r#"
CREATE TABLE item_attachments (
    id {ID},
    item_id {INT} NOT NULL REFERENCES items(id),
    event_id {INT} NOT NULL REFERENCES item_events(id),
    file_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size {INT} NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);
CREATE INDEX item_attachments_item ON item_attachments(item_id, event_id);
CREATE TABLE report_drafts (
    task_id {INT} NOT NULL REFERENCES tasks(id),
    unit_id {INT} NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    progress {INT} NOT NULL,
    narrative TEXT NOT NULL,
    figures TEXT NOT NULL,
    saved_at {INT} NOT NULL,
    saved_by_name TEXT NOT NULL,
    PRIMARY KEY (task_id, unit_id, period)
);
ALTER TABLE tasks ADD COLUMN corrected_at {INT};
"#;

/// The audit log's HMAC chain: each record's seal covers its content and the previous seal.
const V8: &str = r#"
ALTER TABLE audit_log ADD COLUMN seal TEXT;
"#;

/// Failed logins, by client address and account: throttling and locks that every process of a
/// deployment sees.
const V9: &str = r#"
CREATE TABLE login_failures (
    id {ID},
    at {INT} NOT NULL,
    address TEXT NOT NULL,
    username TEXT NOT NULL
);
CREATE INDEX login_failures_address ON login_failures(address, at);
CREATE INDEX login_failures_user ON login_failures(username, at);
"#;

/// Password age, history and forced changes; second factors and their recovery codes.
const V10: &str = r#"
ALTER TABLE users ADD COLUMN must_change_password {INT} NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at {INT} NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at = created_at;
CREATE TABLE password_history (
    id {ID},
    user_id {INT} NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    set_at {INT} NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
CREATE TABLE second_factors (
    user_id {INT} PRIMARY KEY REFERENCES users(id),
    kind TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at {INT} NOT NULL,
    confirmed_at {INT},
    last_step {INT}
);
CREATE TABLE recovery_codes (
    id {ID},
    user_id {INT} NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at {INT}
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id, code_hash);
"#;

/// Requests per account, kind and minute, for the rate limits (every process counts here).
const V11: &str = r#"
CREATE TABLE request_counts (
    user_id {INT} NOT NULL,
    kind TEXT NOT NULL,
    window_start {INT} NOT NULL,
    count {INT} NOT NULL,
    PRIMARY KEY (user_id, kind, window_start)
);
"#;

/// Indicators: one per subject and scope (`key`), their milestones per document version (the
/// live ones are what the latest version says), the units the office assigns, the baseline.
const V12: &str = r#"
CREATE TABLE indicators (
    id {ID},
    key TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    scope TEXT,
    unit TEXT NOT NULL,
    measure TEXT NOT NULL,
    direction TEXT,
    base_year {INT},
    cumulative {INT} NOT NULL DEFAULT 0,
    baseline_year {INT},
    baseline_value TEXT,
    baseline_source TEXT,
    merged_into {INT} REFERENCES indicators(id),
    created_at {INT} NOT NULL
);
CREATE TABLE indicator_milestones (
    id {ID},
    indicator_id {INT} NOT NULL REFERENCES indicators(id),
    year {INT} NOT NULL,
    value TEXT NOT NULL,
    value_max TEXT,
    comparator TEXT NOT NULL,
    unit TEXT NOT NULL,
    document_id {INT} NOT NULL REFERENCES documents(id),
    version_id {INT} NOT NULL REFERENCES versions(id),
    task_id {INT} REFERENCES tasks(id),
    line {INT} NOT NULL,
    text TEXT NOT NULL,
    live {INT} NOT NULL DEFAULT 1
);
CREATE INDEX indicator_milestones_indicator ON indicator_milestones(indicator_id, live, year);
CREATE INDEX indicator_milestones_document ON indicator_milestones(document_id, live);
CREATE TABLE indicator_units (
    indicator_id {INT} NOT NULL REFERENCES indicators(id),
    unit_id {INT} NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    PRIMARY KEY (indicator_id, unit_id)
);
"#;

/// Indicator values: each row one version of one period's value (`quarter` 0 for the year),
/// filed with a report (reviewed with its version) or by the office (accepted as written). And
/// each indicator's light as judged on a day under the thresholds then (derived: dropped in the
/// transaction that changes what it was judged on, judged again when read).
const V13: &str = r#"
CREATE TABLE indicator_values (
    id {ID},
    indicator_id {INT} NOT NULL REFERENCES indicators(id),
    year {INT} NOT NULL,
    quarter {INT} NOT NULL,
    value TEXT NOT NULL,
    source TEXT,
    origin TEXT NOT NULL,
    report_id {INT} REFERENCES reports(id),
    report_version {INT},
    unit_id {INT} REFERENCES units(id),
    state TEXT NOT NULL,
    review_reason TEXT,
    filed_by_name TEXT NOT NULL,
    filed_at {INT} NOT NULL,
    filed_on TEXT NOT NULL
);
CREATE INDEX indicator_values_indicator ON indicator_values(indicator_id, year, quarter, id);
CREATE INDEX indicator_values_report ON indicator_values(report_id, report_version);
CREATE INDEX indicators_live ON indicators(merged_into);
CREATE TABLE indicator_lights (
    indicator_id {INT} PRIMARY KEY REFERENCES indicators(id),
    day TEXT NOT NULL,
    thresholds TEXT NOT NULL,
    light {INT} NOT NULL,
    subject TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    latest TEXT
);
CREATE INDEX indicator_lights_order ON indicator_lights(day, thresholds, subject, scope, indicator_id);
CREATE INDEX indicator_lights_light ON indicator_lights(day, thresholds, light, subject, scope, indicator_id);
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
