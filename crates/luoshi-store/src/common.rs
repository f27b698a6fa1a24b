//! Names every feature shares: row ids, the acting user, what a user may see, pages, and the one
//! wall clock ([`now`]): the only place the system time is read, so the web layer and the SQL
//! backends stamp rows from the same source.

use serde::Serialize;

/// Row ids.
pub type Id = i64;

/// Who is acting, for the audit log. `user_id` is `None` for the command line and first-run setup.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Option<Id>,
    pub name: String,
}

impl Actor {
    /// The command line or the server itself.
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
        }
    }
}

/// An uploaded file (a report's attachment, a 督办 step's evidence), already checked by content.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// What a user may see of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    /// These units (a unit and its predecessors).
    Units(Vec<Id>),
    /// An area's tasks, plus the committee's own units.
    Area {
        area: String,
        units: Vec<Id>,
    },
}

/// A page request: `offset` rows skipped, at most `limit` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
}

impl Page {
    pub const MAX_LIMIT: i64 = 500;

    pub fn new(offset: i64, limit: i64) -> Page {
        Page {
            offset: offset.max(0),
            limit: limit.clamp(1, Page::MAX_LIMIT),
        }
    }

    pub fn all() -> Page {
        Page {
            offset: 0,
            limit: i64::MAX / 2,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// Unix seconds now: the one reading of the system clock (pure crates take time as an argument).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Today in China (UTC+8), from [`now`].
pub fn today_in_china() -> luoshi_domain::calendar::Date {
    luoshi_domain::calendar::Date::from_days((now() + 8 * 3600).div_euclid(86_400))
}
