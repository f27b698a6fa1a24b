//! The task ledger: documents, their versions, tasks and imports.

use async_trait::async_trait;
use luoshi_doc::{Change, OutlineNode, Warning};
use serde::Serialize;

mod import;

pub use import::{
    ImportInput, ImportPlan, PlanTarget, TaskMatch, WorkerOutput, plan_import, sha256_hex,
    worker_output,
};

use crate::{Actor, Id, Page, Paged, Scope, StoreResult};

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
    /// Overdue on this day: the 完成时限 has passed and the task is not 办结.
    pub overdue_on: Option<luoshi_domain::calendar::Date>,
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
            overdue_on: None,
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
    /// 牵头 or 配合 (`lead` / `support` in JSON).
    pub role: luoshi_doc::Role,
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
    /// 完成时限, as the office set it (lights and 序时进度 run to it).
    pub deadline: Option<luoshi_domain::calendar::Date>,
    /// When the office last corrected the task: a later version's import keeps its title and
    /// units as corrected.
    pub corrected_at: Option<i64>,
    /// 办结: the day the lead reported it done and the office accepted; it owes nothing after.
    pub completed_on: Option<luoshi_domain::calendar::Date>,
}

/// The office's correction of a task after import.
#[derive(Debug, Clone)]
pub struct TaskEdit {
    pub title: String,
    /// The units in order; the first leads, the rest support.
    pub units: Vec<Id>,
    pub deadline: Option<luoshi_domain::calendar::Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRow {
    pub id: Id,
    pub title: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub signed_date: Option<luoshi_domain::calendar::Date>,
    /// 印发日期.
    pub printed_date: Option<luoshi_domain::calendar::Date>,
    /// The day the office started reporting on it in Luoshi; none: from its own date.
    pub reporting_from: Option<luoshi_domain::calendar::Date>,
    pub versions: i64,
    pub tasks: i64,
    pub latest_version_id: Id,
    /// In force, 废止 or 到期; an ended document owes nothing for periods after `ended_on`.
    pub status: luoshi_domain::ledger::DocumentStatus,
    pub ended_on: Option<luoshi_domain::calendar::Date>,
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
    pub tasks: Vec<(Id, luoshi_domain::ledger::TaskWording)>,
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

/// Documents, versions, imports and the task ledger.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Stored documents an incoming one may be a new version of: same 文号, same title, or a
    /// live task with one of the given titles (a reprint often lacks the 版头).
    async fn version_candidates(
        &self,
        doc_number: Option<&str>,
        title: Option<&str>,
        task_titles: &[String],
    ) -> StoreResult<Vec<Candidate>>;
    async fn version_by_sha(&self, sha256: &str) -> StoreResult<Option<(Id, Id)>>;
    /// Writes a planned import in one transaction. Fails with `Conflict` if the document gained a
    /// version since the plan was made.
    async fn apply_import(&self, actor: &Actor, plan: &ImportPlan) -> StoreResult<ImportOutcome>;
    async fn documents(&self, scope: &Scope, page: Page) -> StoreResult<Paged<DocumentRow>>;
    async fn document(&self, id: Id) -> StoreResult<Option<DocumentDetail>>;
    /// Sets the day the document's reporting starts (none: from its own date). Audited.
    async fn set_reporting_from(
        &self,
        actor: &Actor,
        document_id: Id,
        from: Option<luoshi_domain::calendar::Date>,
    ) -> StoreResult<DocumentRow>;
    /// Marks a document 废止 or 到期 from a day, or in force again. Audited.
    async fn set_document_status(
        &self,
        actor: &Actor,
        document_id: Id,
        status: luoshi_domain::ledger::DocumentStatus,
        ended_on: Option<luoshi_domain::calendar::Date>,
    ) -> StoreResult<DocumentRow>;
    /// Removes a document imported by mistake with its versions and tasks; refused once a report
    /// or a supervision item refers to its tasks. Audited (the document's row is kept there).
    async fn undo_import(&self, actor: &Actor, document_id: Id) -> StoreResult<()>;
    async fn version(&self, id: Id) -> StoreResult<Option<VersionDetail>>;
    async fn blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>>;
    async fn save_pending_import(&self, pending: PendingImport) -> StoreResult<()>;
    async fn pending_import(&self, token: &str, user_id: Id) -> StoreResult<Option<PendingImport>>;
    async fn delete_pending_import(&self, token: &str) -> StoreResult<()>;

    // --- the ledger ---
    async fn tasks(&self, filter: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRow>>;
    async fn task(&self, id: Id) -> StoreResult<Option<TaskDetail>>;
    /// The office corrects a task's title, units and deadline. Audited with before and after.
    async fn edit_task(&self, actor: &Actor, id: Id, edit: TaskEdit) -> StoreResult<TaskDetail>;
    /// The office reopens a 办结 task with the reason (it was not done after all): it owes the
    /// rounds since its 办结 again, as if it had never closed; audited. Refused when the task is
    /// not 办结.
    async fn reopen_task(&self, actor: &Actor, id: Id, reason: &str) -> StoreResult<()>;
    async fn ledger_counts(&self, scope: &Scope) -> StoreResult<LedgerCounts>;
}
