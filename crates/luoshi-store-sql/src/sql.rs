//! Small SQL helpers shared by every query: dynamic placeholders, error mapping, the audit write.

use luoshi_domain::calendar::Date;
use luoshi_domain::periods::PeriodKey;
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::query::Query;
use sqlx::query::QueryScalar;
use sqlx::{Any, AssertSqlSafe};

pub(crate) type Tx = sqlx::Transaction<'static, Any>;

pub(crate) use luoshi_store::now;

/// Stores bytes once under their SHA-256 (a second copy of the same file adds nothing) and returns
/// the digest the referring row keeps.
pub(crate) async fn put_blob(tx: &mut Tx, bytes: &[u8]) -> StoreResult<String> {
    let sha = luoshi_store::ledger::sha256_hex(bytes);
    sqlx::query(
        "INSERT INTO blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha.clone())
    .bind(bytes.len() as i64)
    .bind(crate::encryption::seal(bytes, crate::encryption::Purpose::File))
    .run(&mut **tx)
    .await?;
    Ok(sha)
}

/// A stored file with its bytes: a report's attachment or an item's evidence. `owner` is the
/// report or the item.
pub(crate) struct StoredFile {
    pub id: Id,
    pub owner: Id,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub bytes: Vec<u8>,
}

/// Where files are listed: report attachments or item evidence.
#[derive(Clone, Copy)]
pub(crate) enum Files {
    Reports,
    Items,
}

/// Stores files for their owner (a report and its version, or an item and its event) in the
/// owner's transaction, each under its digest.
pub(crate) async fn put_files(
    tx: &mut Tx,
    files: Files,
    owner: Id,
    step: Id,
    new: &[luoshi_store::NewAttachment],
) -> StoreResult<()> {
    let sql = match files {
        Files::Reports => {
            "INSERT INTO attachments (report_id, version_id, file_name, mime, size, sha256) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        }
        Files::Items => {
            "INSERT INTO item_attachments (item_id, event_id, file_name, mime, size, sha256) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        }
    };
    for a in new {
        let sha = put_blob(tx, &a.bytes).await?;
        sqlx::query(sql)
            .bind(owner)
            .bind(step)
            .bind(a.file_name.clone())
            .bind(a.mime.clone())
            .bind(a.bytes.len() as i64)
            .bind(sha)
            .run(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A stored file by id, or None.
pub(crate) async fn stored_file(
    pool: &sqlx::AnyPool,
    files: Files,
    id: Id,
) -> StoreResult<Option<StoredFile>> {
    let sql = match files {
        Files::Reports => {
            "SELECT a.id, a.report_id AS owner, a.file_name, a.mime, a.size, b.bytes \
             FROM attachments a JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = $1"
        }
        Files::Items => {
            "SELECT a.id, a.item_id AS owner, a.file_name, a.mime, a.size, b.bytes \
             FROM item_attachments a JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = $1"
        }
    };
    let Some(r) = sqlx::query(sql).bind(id).maybe(pool).await? else {
        return Ok(None);
    };
    Ok(Some(StoredFile {
        id: r.col("id")?,
        owner: r.col("owner")?,
        file_name: r.col("file_name")?,
        mime: r.col("mime")?,
        size: r.col("size")?,
        bytes: crate::encryption::open(
            &r.col::<Vec<u8>, _>("bytes")?,
            crate::encryption::Purpose::File,
        )?,
    }))
}

/// A text field within its bound (`luoshi_domain::limits`), or the refusal naming the field.
pub(crate) fn bounded(field: &str, value: &str, max: usize) -> StoreResult<()> {
    luoshi_domain::limits::check_len(field, value, max)
        .map_err(|m| StoreError::Invalid("too_long", m))
}

/// A link's role column (`lead` / `support`).
pub(crate) fn link_role(r: &AnyRow) -> StoreResult<luoshi_doc::Role> {
    let code: String = get(r, "role")?;
    luoshi_doc::Role::from_code(&code)
        .ok_or_else(|| StoreError::Database(format!("unknown link role {code}"), None))
}

/// Maps a driver error: uniqueness to `Conflict`, anything else to `Database` (English, for logs).
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return StoreError::Conflict("名称或编号与已有记录重复".into());
    }
    StoreError::Database(e.to_string(), Some(Box::new(e)))
}

/// One column of a row, with the driver's error mapped (a name or an index).
pub(crate) fn get<'r, T, I>(r: &'r AnyRow, col: I) -> StoreResult<T>
where
    I: sqlx::ColumnIndex<AnyRow>,
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    r.try_get(col).map_err(db_err)
}

/// Columns read with the driver's error mapped: `row.col("name")?`.
/// Dates, periods and codes are stored as text and read back typed; a value that does not parse
/// is a database error naming the column.
pub(crate) trait Col {
    fn col<'r, T, I>(&'r self, col: I) -> StoreResult<T>
    where
        I: sqlx::ColumnIndex<AnyRow>,
        T: sqlx::Decode<'r, Any> + sqlx::Type<Any>;

    /// A text column parsed by `parse`.
    fn parsed<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
        let text: String = self.col(col)?;
        parse(&text)
            .ok_or_else(|| StoreError::Database(format!("bad value {text:?} in {col}"), None))
    }

    /// An optional text column parsed by `parse`.
    fn parsed_opt<T>(
        &self,
        col: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> StoreResult<Option<T>> {
        let text: Option<String> = self.col(col)?;
        text.map(|t| {
            parse(&t).ok_or_else(|| StoreError::Database(format!("bad value {t:?} in {col}"), None))
        })
        .transpose()
    }

    /// An ISO date column.
    fn date(&self, col: &str) -> StoreResult<Date> {
        self.parsed(col, Date::parse)
    }

    /// An optional ISO date column.
    fn opt_date(&self, col: &str) -> StoreResult<Option<Date>> {
        self.parsed_opt(col, Date::parse)
    }

    /// A period key column (`2026-Q3`).
    fn period(&self, col: &str) -> StoreResult<PeriodKey> {
        self.parsed(col, PeriodKey::parse)
    }
}

impl Col for AnyRow {
    fn col<'r, T, I>(&'r self, col: I) -> StoreResult<T>
    where
        I: sqlx::ColumnIndex<AnyRow>,
        T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
    {
        get(self, col)
    }
}

/// A query run with the driver's error mapped, so `?` needs no conversion at the call:
/// `one` / `all` / `maybe` fetch one row, every row, or an optional row (of a `query` or a
/// `query_scalar`), `run` executes.
pub(crate) trait Fetch<'q>: Sized {
    type Out: Send;
    fn one<'e, 'c: 'e, E>(self, e: E) -> impl Future<Output = StoreResult<Self::Out>> + Send + 'e
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Any>;
    fn all<'e, 'c: 'e, E>(
        self,
        e: E,
    ) -> impl Future<Output = StoreResult<Vec<Self::Out>>> + Send + 'e
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Any>;
    fn maybe<'e, 'c: 'e, E>(
        self,
        e: E,
    ) -> impl Future<Output = StoreResult<Option<Self::Out>>> + Send + 'e
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Any>;
}

/// Implements `Fetch` by forwarding to sqlx's own methods.
macro_rules! fetch_impl {
    () => {
        fn one<'e, 'c: 'e, E>(
            self,
            e: E,
        ) -> impl Future<Output = StoreResult<Self::Out>> + Send + 'e
        where
            'q: 'e,
            E: 'e + sqlx::Executor<'c, Database = Any>,
        {
            async move { self.fetch_one(e).await.map_err(db_err) }
        }
        fn all<'e, 'c: 'e, E>(
            self,
            e: E,
        ) -> impl Future<Output = StoreResult<Vec<Self::Out>>> + Send + 'e
        where
            'q: 'e,
            E: 'e + sqlx::Executor<'c, Database = Any>,
        {
            async move { self.fetch_all(e).await.map_err(db_err) }
        }
        fn maybe<'e, 'c: 'e, E>(
            self,
            e: E,
        ) -> impl Future<Output = StoreResult<Option<Self::Out>>> + Send + 'e
        where
            'q: 'e,
            E: 'e + sqlx::Executor<'c, Database = Any>,
        {
            async move { self.fetch_optional(e).await.map_err(db_err) }
        }
    };
}

impl<'q> Fetch<'q> for Query<'q, Any, AnyArguments> {
    type Out = AnyRow;
    fetch_impl!();
}

impl<'q, O> Fetch<'q> for QueryScalar<'q, Any, O, AnyArguments>
where
    O: Send + Unpin + 'q,
    (O,): for<'r> sqlx::FromRow<'r, AnyRow>,
{
    type Out = O;
    fetch_impl!();
}

/// A query answering one column (`sqlx::query_scalar` on this crate's database).
pub(crate) fn scalar<'q, O>(sql: impl sqlx::SqlSafeStr) -> QueryScalar<'q, Any, O, AnyArguments>
where
    (O,): for<'r> sqlx::FromRow<'r, AnyRow>,
{
    sqlx::query_scalar(sql)
}

/// A statement executed with the driver's error mapped.
pub(crate) trait Run<'q>: Sized {
    fn run<'e, 'c: 'e, E>(
        self,
        e: E,
    ) -> impl Future<Output = StoreResult<AnyQueryResult>> + Send + 'e
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Any>;
}

impl<'q> Run<'q> for Query<'q, Any, AnyArguments> {
    async fn run<'e, 'c: 'e, E>(self, e: E) -> StoreResult<AnyQueryResult>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Any>,
    {
        self.execute(e).await.map_err(db_err)
    }
}

/// Opens a transaction.
pub(crate) async fn begin(pool: &sqlx::AnyPool) -> StoreResult<Tx> {
    pool.begin().await.map_err(db_err)
}

/// Commits a transaction.
pub(crate) async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await.map_err(db_err)
}

/// Rolls a transaction back now rather than when its connection is released.
pub(crate) async fn rollback(tx: Tx) -> StoreResult<()> {
    tx.rollback().await.map_err(db_err)
}

/// A bound value.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I(i64),
    S(String),
}

/// A query whose text is built with placeholders as values are bound.
#[derive(Debug, Default)]
pub(crate) struct Q {
    pub sql: String,
    args: Vec<Arg>,
}

impl Q {
    pub fn new(sql: &str) -> Q {
        Q {
            sql: sql.to_string(),
            args: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder.
    pub fn bind(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// `$a, $b, …` for a list of ids.
    pub fn bind_ids(&mut self, ids: &[Id]) -> String {
        ids.iter()
            .map(|i| self.bind(Arg::I(*i)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Appends ` AND {column} IN (…)` for an optional id list; false when the list is empty (the
    /// query can only answer nothing).
    pub fn and_in(&mut self, column: &str, ids: Option<&Vec<Id>>) -> bool {
        match ids {
            None => true,
            Some(ids) if ids.is_empty() => false,
            Some(ids) => {
                let list = self.bind_ids(ids);
                self.sql.push_str(&format!(" AND {column} IN ({list})"));
                true
            }
        }
    }

    /// Like [`Q::and_in`] for a unit column, also taking the rows written under units the given
    /// units carry today (their predecessors and merged units), so a successor sees its duties.
    pub fn and_unit_in(&mut self, column: &str, ids: Option<&Vec<Id>>) -> bool {
        match ids {
            None => true,
            Some(ids) if ids.is_empty() => false,
            Some(ids) => {
                let a = self.bind_ids(ids);
                let b = self.bind_ids(ids);
                self.sql.push_str(&format!(
                    " AND {column} IN (SELECT id FROM units WHERE id IN ({a}) OR current_id IN ({b}))"
                ));
                true
            }
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Q {
        self.sql.push_str(s);
        self
    }

    /// Runs a query whose first column of its one row is an integer (a count).
    pub async fn fetch_i64(&self, pool: &sqlx::AnyPool) -> StoreResult<i64> {
        self.query()
            .fetch_one(pool)
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)
    }

    /// Runs the query and answers its rows.
    pub async fn rows(&self, pool: &sqlx::AnyPool) -> StoreResult<Vec<sqlx::any::AnyRow>> {
        self.query().fetch_all(pool).await.map_err(db_err)
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.sql.clone()));
        for a in &self.args {
            q = match a {
                Arg::I(i) => q.bind(*i),
                Arg::S(s) => q.bind(s.clone()),
            };
        }
        q
    }
}

/// A text the user must give, trimmed: refused when empty (`code`, with the message `empty`) or
/// longer than `max` characters (naming `field`).
pub(crate) fn required_text<'a>(
    text: &'a str,
    field: &str,
    max: usize,
    code: &'static str,
    empty: &str,
) -> StoreResult<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(luoshi_store::StoreError::Invalid(code, empty.to_string()));
    }
    luoshi_domain::limits::check_len(field, text, max)
        .map_err(|m| luoshi_store::StoreError::Invalid("too_long", m))?;
    Ok(text)
}

/// Appends an audit record in the caller's transaction.
pub(crate) async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: Option<Id>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> StoreResult<()> {
    // One chain: audited writes take their turn at this point (SQLite's write lock already
    // serialises them).
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock(7351003)")
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let prev: Option<String> =
        scalar("SELECT seal FROM audit_log WHERE seal IS NOT NULL ORDER BY id DESC LIMIT 1")
            .maybe(&mut **tx)
            .await?;
    let record = crate::audit::seal::Record {
        at: now(),
        user_id: actor.user_id,
        actor: actor.name.clone(),
        action: action.to_string(),
        object_type: object_type.to_string(),
        object_id,
        before: before.map(|v| v.to_string()),
        after: after.map(|v| v.to_string()),
    };
    let seal = crate::audit::seal::seal(prev.as_deref().unwrap_or(""), &record);
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, object_type, object_id, before_json, \
         after_json, seal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(record.at)
    .bind(record.user_id)
    .bind(record.actor)
    .bind(record.action)
    .bind(record.object_type)
    .bind(record.object_id)
    .bind(record.before)
    .bind(record.after)
    .bind(seal)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}
