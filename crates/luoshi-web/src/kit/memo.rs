//! Reads derived from the database, kept in this process only while the database is unchanged.
//!
//! An entry is keyed by what was asked (the caller puts the day in the key when the answer
//! depends on it) and stamped with the audit log's head read *before* it was computed. Every
//! change writes an audit record in its own transaction, and audited writes commit in the order
//! of their records (`AuditStore::audit_head`), so an entry whose stamp equals the head now was
//! computed from a state at least as new as every committed change: it is served as is. Any
//! process's write moves the head, and the next read here computes again. No other process needs
//! what is kept; losing it costs one computation.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::AppState;
use crate::kit::error::AppResult;

/// Entries kept at most; past that, stale entries go first, then all.
const CAPACITY: usize = 256;

type Value = Arc<dyn Any + Send + Sync>;

/// One key's answer at one head: requests that miss at once wait for one computation.
type Slot = Arc<OnceCell<Value>>;

/// The kept reads of one process.
#[derive(Default)]
pub struct Memo {
    entries: Mutex<HashMap<String, (i64, Slot)>>,
}

impl Memo {
    /// The kept answer to `key` if nothing has changed since it was computed, else `compute`'s
    /// (kept for the next read; concurrent readers of the same key wait for it). A failed
    /// computation keeps nothing.
    pub async fn get<V, F, Fut>(state: &AppState, key: String, compute: F) -> AppResult<Arc<V>>
    where
        V: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<V>>,
    {
        let head = state.store.audit_head().await?;
        let slot = state.memo.slot(key.clone(), head);
        let v = slot
            .get_or_try_init(|| async {
                Ok::<Value, crate::kit::error::AppError>(Arc::new(compute().await?))
            })
            .await?;
        v.clone().downcast::<V>().map_err(|_| {
            tracing::error!("memo: the key {key:?} was used for two types");
            crate::kit::error::AppError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
            )
        })
    }

    /// The slot of `key` at `head`: the kept one, or a new empty one in its place.
    fn slot(&self, key: String, head: i64) -> Slot {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((stamp, slot)) = entries.get(&key)
            && *stamp == head
        {
            return slot.clone();
        }
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.retain(|_, (stamp, _)| *stamp == head);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let slot = Slot::default();
        entries.insert(key, (head, slot.clone()));
        slot
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(m: &Memo, key: &str, head: i64) -> bool {
        m.slot(key.into(), head).initialized()
    }

    #[test]
    fn an_entry_is_served_only_at_its_stamp() {
        let m = Memo::default();
        let slot = m.slot("a".into(), 5);
        slot.set(Arc::new(1u32)).unwrap();
        assert!(filled(&m, "a", 5));
        assert!(!filled(&m, "b", 5));
        assert!(!filled(&m, "a", 6), "the head moved: a new, empty slot");
        assert!(!filled(&m, "a", 5), "and the old answer is gone");
    }

    #[test]
    fn a_full_memo_drops_stale_entries_first() {
        let m = Memo::default();
        for i in 0..CAPACITY {
            m.slot(format!("old{i}"), 1);
        }
        m.slot("fresh".into(), 2);
        assert_eq!(m.len(), 1, "every entry of the old head went");
        for i in 0..CAPACITY - 1 {
            m.slot(format!("new{i}"), 2);
        }
        m.slot("one more".into(), 2);
        assert_eq!(m.len(), 1, "a memo full of fresh entries starts again");
    }
}
