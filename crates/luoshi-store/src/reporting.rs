//! Reporting (信息报送): obligations, reports, their versions, review and attachments.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::periods::{DueRule, PeriodKey};
use luoshi_domain::reporting::round::{FiledFacts, TaskWindow};
use luoshi_domain::reporting::{Figure, ReportKind, ReviewState, WorkStatus};
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

/// A report as listed: one obligation of one unit for one task and period, filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub id: Id,
    pub task_id: Id,
    pub task_number: String,
    pub task_title: String,
    pub document_id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    pub kind: ReportKind,
    pub period: PeriodKey,
    /// The last on-time day.
    pub due: Date,
    pub state: ReviewState,
    pub status: WorkStatus,
    pub progress: i64,
    pub versions: i64,
    /// How often the office returned it.
    pub returns: i64,
    /// First filed after the deadline.
    pub late: bool,
    /// Day of the first filing.
    pub first_filed_on: Date,
    pub updated_at: i64,
}

impl ReportRow {
    /// What the round's rules read of it.
    pub fn facts(&self) -> FiledFacts {
        FiledFacts {
            late: self.late,
            returns: self.returns,
            state: self.state,
            status: self.status,
            progress: self.progress,
        }
    }
}

/// A stored attachment's description (its bytes are fetched separately, permission-checked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub id: Id,
    pub report_id: Id,
    /// The name the user gave, for display and download.
    pub file_name: String,
    pub mime: String,
    pub size: i64,
}

/// One filed version of a report, with its review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportVersion {
    pub version_no: i64,
    pub status: WorkStatus,
    pub progress: i64,
    pub narrative: String,
    pub figures: Vec<Figure>,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub filed_on: Date,
    pub review: Option<ReviewState>,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub attachments: Vec<AttachmentMeta>,
    /// The indicator values filed with this version.
    pub values: Vec<crate::indicators::IndicatorValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub row: ReportRow,
    /// Oldest first.
    pub history: Vec<ReportVersion>,
}

pub use crate::common::NewAttachment;

/// A filing saved as a draft (草稿): the unit's text kept before it is sent, as typed. Nobody
/// but its unit sees it, and it counts for nothing until filed; filing removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    pub task_id: Id,
    pub unit_id: Id,
    pub period: PeriodKey,
    /// As chosen, when one was.
    pub status: Option<WorkStatus>,
    pub progress: Option<i64>,
    pub narrative: String,
    /// As typed, one figure per line.
    pub figures: String,
    /// Set by the store when it keeps the draft (ignored on saving).
    pub saved_at: i64,
    pub saved_by: String,
}

/// A filing (first or revised) of one obligation.
#[derive(Debug, Clone)]
pub struct SubmitReport {
    pub task_id: Id,
    pub unit_id: Id,
    pub kind: ReportKind,
    pub period: PeriodKey,
    /// The period's last on-time day; a first filing after it is marked late.
    pub due: Date,
    /// Today.
    pub filed_on: Date,
    pub status: WorkStatus,
    pub progress: i64,
    pub narrative: String,
    pub figures: Vec<Figure>,
    /// Indicator values filed with the report (its task's indicators, or those the office
    /// assigned to the unit); reviewed with it.
    pub values: Vec<crate::indicators::NewValue>,
    pub attachments: Vec<NewAttachment>,
    /// The client's idempotency key: a repeated submission with the same key returns the first.
    pub idempotency_key: Option<String>,
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submitted {
    pub report: ReportRow,
    pub version_no: i64,
    /// True when the idempotency key had been seen: nothing new was written.
    pub replayed: bool,
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub units: Option<Vec<Id>>,
    pub tasks: Option<Vec<Id>>,
    pub periods: Option<Vec<PeriodKey>>,
    pub kind: Option<ReportKind>,
    pub state: Option<ReviewState>,
}

/// The office's decision on a report's latest version.
#[derive(Debug, Clone)]
pub struct Review {
    pub report_id: Id,
    /// The version the reviewer saw; a newer one makes the review stale (Conflict).
    pub version_no: i64,
    pub accept: bool,
    pub reason: String,
}

/// One unit's link to a live task, for working out what it owes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obligation {
    pub task_id: Id,
    pub task_number: String,
    pub task_title: String,
    pub document_id: Id,
    pub document_title: String,
    /// The unit that carries the duty today (after 机构改革, the successor).
    pub unit_id: Id,
    pub unit_name: String,
    /// The name the document wrote, when it names a unit since succeeded or merged.
    pub written_as: Option<String>,
    /// 牵头 or 配合 (`lead` / `support` in JSON).
    pub role: luoshi_doc::Role,
    /// The document's own reporting rule, if it states one.
    pub due_rule: Option<DueRule>,
    /// When the task owes reports and what 序时进度 runs over.
    pub window: TaskWindow,
}

impl Obligation {
    /// `自治区数据局（原文作自治区大数据发展局）` where the document wrote a predecessor's name.
    pub fn unit_label(&self) -> String {
        match &self.written_as {
            Some(w) => format!("{}（原文作{w}）", self.unit_name),
            None => self.unit_name.clone(),
        }
    }
}

/// One 催报 of one duty: which obligation, under which key (`before:7`, `overdue:0`,
/// `manual:2026-12-02`; each is sent once) and what it said of the deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportReminder {
    pub task_id: Id,
    pub task_number: String,
    pub unit_id: Id,
    pub kind: ReportKind,
    pub period: PeriodKey,
    pub key: String,
    pub note: String,
}

/// A 催报 as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReminderRecord {
    #[serde(flatten)]
    pub reminder: ReportReminder,
    pub sent_at: i64,
    pub sent_by: String,
}

/// What a 催报 run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RemindOutcome {
    /// Duties reminded for the first time under their key.
    pub reminders: usize,
    /// Units that received a notice.
    pub units: usize,
}

/// Which links to list.
#[derive(Debug, Clone, Default)]
pub struct ObligationFilter {
    pub units: Option<Vec<Id>>,
    pub task: Option<Id>,
    /// Every link of the tasks that name this area's committee.
    pub area: Option<String>,
    pub document: Option<Id>,
}

/// Reporting (信息报送).
#[async_trait]
pub trait ReportingStore: Send + Sync {
    /// Live task links of units, with each document's own reporting rule: what is owed.
    async fn obligations(&self, filter: &ObligationFilter) -> StoreResult<Vec<Obligation>>;
    /// Files a report (or a revision) in one transaction; replays an idempotency key seen before.
    async fn submit_report(&self, actor: &Actor, submit: SubmitReport) -> StoreResult<Submitted>;
    async fn review_report(&self, actor: &Actor, review: Review) -> StoreResult<ReportRow>;
    async fn reports(&self, filter: &ReportFilter) -> StoreResult<Vec<ReportRow>>;
    /// Records each reminder not yet sent under its key and sends each unit one notice for the
    /// duties newly reminded (to its working accounts, and to its leaders when `leaders_too`).
    /// One transaction, audited; several processes may run it, each key is sent once.
    async fn remind_reports(
        &self,
        actor: &Actor,
        round: PeriodKey,
        reminders: &[ReportReminder],
        manual: bool,
        leaders_too: bool,
    ) -> StoreResult<RemindOutcome>;
    /// The reminders recorded for these tasks' duties in these periods, oldest first.
    async fn report_reminders(
        &self,
        tasks: &[Id],
        periods: &[PeriodKey],
    ) -> StoreResult<Vec<ReminderRecord>>;
    async fn report(&self, id: Id) -> StoreResult<Option<ReportDetail>>;
    /// An attachment's description and bytes.
    async fn attachment(&self, id: Id) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>>;
    /// Keeps a draft of one obligation (replacing the unit's earlier draft of it); audited
    /// without its text.
    async fn save_draft(&self, actor: &Actor, draft: ReportDraft) -> StoreResult<()>;
    /// The drafts of these units in this period (of these tasks, when given).
    async fn drafts(
        &self,
        units: &[Id],
        period: PeriodKey,
        tasks: Option<&[Id]>,
    ) -> StoreResult<Vec<ReportDraft>>;
}
