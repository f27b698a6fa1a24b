//! The records storage speaks in. They serialise as the JSON API's bodies.

use luoshi_doc::{Change, OutlineNode, Warning};
pub use luoshi_domain::access::Role;
pub use luoshi_domain::registry::UnitKind;
use serde::{Deserialize, Serialize};

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

/// An account. Every account belongs to a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Id,
    pub unit_name: String,
    pub active: bool,
    /// For e-mail notifications, when the office configures SMTP.
    pub email: Option<String>,
}

/// What login needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    /// Unix seconds until which the account is locked.
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Id,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie's token: a stolen database does not yield live sessions.
    pub token_hash: String,
    pub user_id: Id,
    pub csrf: String,
    pub now: i64,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// Unread notifications, for the header.
    pub unread: i64,
}

/// A registry entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: Id,
    pub name: String,
    pub kind: UnitKind,
    /// Area code (`nanning`, …) for an area committee.
    pub area: Option<String>,
    pub successor_id: Option<Id>,
    /// ISO date the successor took over.
    pub succeeded_on: Option<String>,
    /// Set when the unit was merged into another.
    pub merged_into: Option<Id>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitSummary {
    #[serde(flatten)]
    pub unit: Unit,
    /// Live tasks led, including those of predecessors.
    pub lead_tasks: i64,
    pub support_tasks: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    pub aliases: Vec<String>,
    pub predecessors: Vec<Unit>,
    pub successor: Option<Unit>,
}

/// An edit of a unit's own fields; `None` leaves a field alone.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitEdit {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    /// Absent: unchanged; `null`: cleared; a value: set.
    #[serde(default, deserialize_with = "present")]
    pub successor_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "present")]
    pub succeeded_on: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one not sent (`None`, via `default`).
fn present<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize)]
pub struct UnitSplit {
    pub unit_id: Id,
    pub new_name: String,
    pub kind: UnitKind,
    /// Aliases of `unit_id` that belong to the new unit; tasks written with them move too.
    pub aliases: Vec<String>,
}

/// A merge or split, kept so it can be undone.
#[derive(Debug, Clone, Serialize)]
pub struct UnitOp {
    pub id: Id,
    /// "merge" or "split".
    pub kind: String,
    pub unit_id: Id,
    pub other_id: Id,
    pub at: i64,
    pub by: String,
    pub undone: bool,
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

/// Which tasks to list.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub scope: Scope,
    /// Tasks of these units (a unit's family).
    pub units: Option<Vec<Id>>,
    /// With `units`: only where they lead.
    pub lead_only: bool,
    pub area: Option<String>,
    pub document: Option<Id>,
    /// Text contained in number, title or text.
    pub q: Option<String>,
}

impl TaskFilter {
    pub fn all() -> TaskFilter {
        TaskFilter {
            scope: Scope::All,
            units: None,
            lead_only: false,
            area: None,
            document: None,
            q: None,
        }
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    pub id: Id,
    pub document_id: Id,
    pub document_title: String,
    pub seq: i64,
    pub number: String,
    pub title: String,
    pub text: String,
    /// Lead unit names (registry names).
    pub lead: Vec<String>,
    pub support: Vec<String>,
    /// Area codes.
    pub areas: Vec<String>,
}

/// A unit as a task names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskUnit {
    pub unit_id: Id,
    pub unit_name: String,
    /// The name as the document wrote it.
    pub written_as: String,
    /// "lead" or "support".
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub row: TaskRow,
    pub path: Vec<String>,
    /// The clause as written.
    pub units_text: Option<String>,
    pub units: Vec<TaskUnit>,
    pub first_version_id: Id,
    pub last_version_id: Id,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRow {
    pub id: Id,
    pub title: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub signed_date: Option<String>,
    pub versions: i64,
    pub tasks: i64,
    pub latest_version_id: Id,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    pub id: Id,
    pub document_id: Id,
    pub version_no: i64,
    pub sha256: String,
    pub file_name: String,
    pub format: String,
    pub imported_at: i64,
    pub imported_by: String,
    /// Character similarity to the previous version (None for the first).
    pub similarity: Option<f64>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub doc: DocumentRow,
    pub versions: Vec<VersionRow>,
    pub outline: Vec<OutlineNode>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionDetail {
    #[serde(flatten)]
    pub version: VersionRow,
    pub document: luoshi_doc::Document,
}

/// A stored document a new file may continue.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub document_id: Id,
    pub version_id: Id,
    pub version_no: i64,
    pub extracted: luoshi_doc::Extracted,
    /// Its live tasks in order: id and wording.
    pub tasks: Vec<(Id, luoshi_domain::matching::TaskWording)>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// These bytes were imported before: nothing changed.
    Unchanged { document_id: Id, version_id: Id },
    NewDocument {
        document_id: Id,
        version_id: Id,
        tasks: i64,
        new_units: i64,
    },
    NewVersion {
        document_id: Id,
        version_id: Id,
        version_no: i64,
        matched: i64,
        added: i64,
        retired: i64,
        changes: i64,
        new_units: i64,
    },
}

impl ImportOutcome {
    pub fn document_id(&self) -> Id {
        match self {
            ImportOutcome::Unchanged { document_id, .. }
            | ImportOutcome::NewDocument { document_id, .. }
            | ImportOutcome::NewVersion { document_id, .. } => *document_id,
        }
    }
}

/// A parsed upload waiting for confirmation. Kept in the database so any server process can
/// confirm it.
#[derive(Debug, Clone)]
pub struct PendingImport {
    pub token: String,
    pub user_id: Id,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub extracted: luoshi_doc::Extracted,
    pub document: luoshi_doc::Document,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerCounts {
    pub documents: i64,
    pub tasks: i64,
    pub units: i64,
    /// Live tasks per area code.
    pub by_area: Vec<(String, i64)>,
    /// The units leading most tasks: name, id, count.
    pub top_leads: Vec<(String, Id, i64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: Id,
    pub at: i64,
    pub user_id: Option<Id>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Id>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::UnitEdit;

    #[test]
    fn null_clears_and_absent_keeps() {
        let e: UnitEdit = serde_json::from_str(r#"{"successor_id": null}"#).unwrap();
        assert_eq!(e.successor_id, Some(None));
        assert_eq!(e.succeeded_on, None);
        let e: UnitEdit = serde_json::from_str(r#"{"successor_id": 7}"#).unwrap();
        assert_eq!(e.successor_id, Some(Some(7)));
    }
}
