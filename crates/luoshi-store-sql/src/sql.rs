//! Small SQL helpers shared by every query: dynamic placeholders, error mapping, the audit write.

use luoshi_store::{Actor, Id, StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

pub(crate) type Tx = sqlx::Transaction<'static, Any>;

pub(crate) use luoshi_store::now;

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

/// One column of a row, with the driver's error mapped.
pub(crate) fn get<T>(r: &AnyRow, col: &str) -> StoreResult<T>
where
    T: for<'a> sqlx::Decode<'a, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    r.try_get(col).map_err(db_err)
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
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, object_type, object_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now())
    .bind(actor.user_id)
    .bind(actor.name.clone())
    .bind(action.to_string())
    .bind(object_type.to_string())
    .bind(object_id)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}
