//! The audit log's seal: every record carries HMAC-SM3 (GB/T 32905) over its content and the
//! previous record's seal, keyed by a secret kept outside the database (a file only the service
//! account reads). Editing, deleting or inserting a record — even with the append-only trigger
//! dropped and re-created — breaks the chain at that record, which `verify` finds.

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use luoshi_store::audit::ChainCheck;
use luoshi_store::{Id, StoreResult};

use crate::{Col, Fetch, SqlStore};

type HmacSm3 = Hmac<sm3::Sm3>;

static KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// Used when no key was loaded (tests, a first `luoshi` command before the key file exists):
/// the chain still detects edits by anyone who does not read this source.
const BUILT_IN: &[u8] = b"luoshi built-in audit key: load a key file in production";

/// Sets this process's audit key (once, at start-up, from the key file). A second call is ignored.
pub fn set_audit_key(key: &[u8]) {
    let _ = KEY.set(key.to_vec());
}

/// Whether a key file was loaded (else the built-in key is in use).
pub fn has_audit_key() -> bool {
    KEY.get().is_some()
}

fn key() -> &'static [u8] {
    KEY.get().map(Vec::as_slice).unwrap_or(BUILT_IN)
}

/// One audit record's content, as sealed.
pub(crate) struct Record {
    pub at: i64,
    pub user_id: Option<Id>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Id>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The seal of `record` after `prev` (empty for the first), as hex.
pub(crate) fn seal(prev: &str, r: &Record) -> String {
    let mut mac = HmacSm3::new_from_slice(key()).expect("HMAC takes any key length");
    let opt = |v: &Option<String>| v.as_deref().map(|s| format!("1{s}")).unwrap_or("0".into());
    let fields = [
        prev.to_string(),
        r.at.to_string(),
        r.user_id.map(|u| u.to_string()).unwrap_or_default(),
        r.actor.clone(),
        r.action.clone(),
        r.object_type.clone(),
        r.object_id.map(|u| u.to_string()).unwrap_or_default(),
        opt(&r.before),
        opt(&r.after),
    ];
    for f in fields {
        // Length-prefixed, so no two different records read alike.
        mac.update(&(f.len() as u64).to_be_bytes());
        mac.update(f.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

impl SqlStore {
    /// Recomputes the audit log's chain from its first sealed record.
    pub async fn verify_audit(&self) -> StoreResult<ChainCheck> {
        let rows = sqlx::query(
            "SELECT id, at, user_id, actor, action, object_type, object_id, before_json, \
             after_json, seal FROM audit_log ORDER BY id",
        )
        .all(&self.pool)
        .await?;
        let mut out = ChainCheck {
            records: rows.len() as i64,
            unsealed: 0,
            broken_at: None,
            keyed: has_audit_key(),
        };
        let mut prev = String::new();
        let mut started = false;
        for r in &rows {
            let stored: Option<String> = r.col("seal")?;
            let id: Id = r.col("id")?;
            let Some(stored) = stored else {
                if started {
                    out.broken_at = Some(id);
                    break;
                }
                out.unsealed += 1;
                continue;
            };
            started = true;
            let record = Record {
                at: r.col("at")?,
                user_id: r.col("user_id")?,
                actor: r.col("actor")?,
                action: r.col("action")?,
                object_type: r.col("object_type")?,
                object_id: r.col("object_id")?,
                before: r.col("before_json")?,
                after: r.col("after_json")?,
            };
            if seal(&prev, &record) != stored {
                out.broken_at = Some(id);
                break;
            }
            prev = stored;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_covers_every_field_and_the_one_before() {
        let r = || Record {
            at: 1,
            user_id: Some(2),
            actor: "admin".into(),
            action: "unit.create".into(),
            object_type: "unit".into(),
            object_id: Some(3),
            before: None,
            after: Some("{}".into()),
        };
        let base = seal("", &r());
        assert_eq!(base.len(), 64);
        assert_eq!(seal("", &r()), base, "deterministic");
        assert_ne!(seal("x", &r()), base, "the previous seal counts");
        let mut other = r();
        other.actor = "admin2".into();
        assert_ne!(seal("", &other), base);
        let mut moved = r();
        moved.before = Some(String::new());
        assert_ne!(seal("", &moved), base, "an empty before is not no before");
    }
}
