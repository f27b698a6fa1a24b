//! The records of the work the documents prescribe: progress reports, supervision items,
//! notifications, the leading group and its meetings, and the office's settings.

pub use luoshi_domain::lights::Thresholds;
pub use luoshi_domain::periods::DueRule;
pub use luoshi_domain::reports::{Figure, ReportKind, ReviewState, WorkStatus};
pub use luoshi_domain::supervision::{Action, Grade, Stage};
use serde::{Deserialize, Serialize};

use crate::Id;

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
    /// The period key (`2026-Q3`).
    pub period: String,
    /// The last on-time day, ISO.
    pub due: String,
    pub state: ReviewState,
    pub status: WorkStatus,
    pub progress: i64,
    pub versions: i64,
    /// How often the office returned it.
    pub returns: i64,
    /// First filed after the deadline.
    pub late: bool,
    /// Day of the first filing, ISO.
    pub first_filed_on: String,
    pub updated_at: i64,
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
    pub filed_on: String,
    pub review: Option<ReviewState>,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub attachments: Vec<AttachmentMeta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub row: ReportRow,
    /// Oldest first.
    pub history: Vec<ReportVersion>,
}

/// An uploaded file, already checked by content.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// A filing (first or revised) of one obligation.
#[derive(Debug, Clone)]
pub struct SubmitReport {
    pub task_id: Id,
    pub unit_id: Id,
    pub kind: ReportKind,
    pub period: String,
    /// The period's last on-time day, ISO; a first filing after it is marked late.
    pub due: String,
    /// Today, ISO.
    pub filed_on: String,
    pub status: WorkStatus,
    pub progress: i64,
    pub narrative: String,
    pub figures: Vec<Figure>,
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
    pub periods: Option<Vec<String>>,
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
    pub unit_id: Id,
    pub unit_name: String,
    /// "lead" or "support".
    pub role: String,
    /// The document's own reporting rule, if it states one.
    pub due_rule: Option<DueRule>,
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

/// Where a supervision item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// 领导批示
    Instruction,
    /// 会议议定事项
    Meeting,
    /// 专项督查
    Inspection,
}

impl ItemSource {
    pub const ALL: [ItemSource; 3] = [
        ItemSource::Instruction,
        ItemSource::Meeting,
        ItemSource::Inspection,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ItemSource::Instruction => "instruction",
            ItemSource::Meeting => "meeting",
            ItemSource::Inspection => "inspection",
        }
    }
    pub fn from_code(code: &str) -> Option<ItemSource> {
        ItemSource::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            ItemSource::Instruction => "领导批示",
            ItemSource::Meeting => "会议议定",
            ItemSource::Inspection => "专项督查",
        }
    }
}

/// A supervision item to open (立项).
#[derive(Debug, Clone)]
pub struct NewItem {
    pub title: String,
    pub source: ItemSource,
    /// The instruction's or inspection's reference (e.g. who instructed, when).
    pub source_ref: String,
    pub task_id: Option<Id>,
    pub decision_id: Option<Id>,
    pub lead_unit_id: Id,
    pub support_unit_ids: Vec<Id>,
    pub due: String,
    pub opened_on: String,
    /// Also 交办 at once.
    pub assign: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub id: Id,
    pub title: String,
    pub source: ItemSource,
    pub source_ref: String,
    pub task_id: Option<Id>,
    pub decision_id: Option<Id>,
    pub lead_unit_id: Id,
    pub lead_unit_name: String,
    pub stage: Stage,
    pub opened_on: String,
    pub due: String,
    pub original_due: String,
    pub requested_due: Option<String>,
    pub closed_on: Option<String>,
    pub progress: i64,
    pub grade: Option<Grade>,
    pub reminders: i64,
    pub updated_at: i64,
}

/// One step in an item's history, reminders included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemEvent {
    pub at: i64,
    pub actor: String,
    /// An action's code, or "open" for 立项.
    pub action: String,
    /// The action in Chinese.
    pub label: String,
    pub from_stage: Stage,
    pub to_stage: Stage,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemUnit {
    pub unit_id: Id,
    pub unit_name: String,
    /// "lead" or "support".
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub row: ItemRow,
    pub units: Vec<ItemUnit>,
    pub events: Vec<ItemEvent>,
}

/// One action on an item.
#[derive(Debug, Clone)]
pub struct ItemStep {
    pub action: Action,
    pub note: String,
    /// With feedback and closing: progress in percent.
    pub progress: Option<i64>,
    /// With an extension request: the date asked for.
    pub new_due: Option<String>,
    pub grade: Option<Grade>,
    /// Today, ISO.
    pub today: String,
    /// The stage the actor saw; another stage means someone acted first (Conflict).
    pub expected_stage: Option<Stage>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Items these units lead or support.
    pub units: Option<Vec<Id>>,
    pub open_only: bool,
    pub task: Option<Id>,
    pub decision: Option<Id>,
}

/// What the reminder job did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReminderRun {
    pub items_checked: i64,
    pub reminders_sent: i64,
}

/// An inbox entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Id,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

/// A notification on its way out by e-mail or webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Id,
    /// "smtp" or "webhook".
    pub channel: String,
    /// An e-mail address or a URL.
    pub target: String,
    pub username: String,
    pub title: String,
    pub body: String,
    pub link: String,
    /// "pending", "sent" or "failed" (gave up).
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone)]
pub enum DeliveryResult {
    Sent,
    /// Failed with this error (English, for the office's list and the logs).
    Failed(String),
}

/// SMTP relay (an intranet mail server; plain SMTP, no authentication).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub from: String,
}

/// What the office configures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub thresholds: Thresholds,
    /// Days before a deadline when reminders go out.
    pub reminder_days: Vec<i64>,
    pub smtp: Option<SmtpSettings>,
    /// Where a JSON POST goes for every notification (intranet messaging).
    pub webhook: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            thresholds: Thresholds::default(),
            reminder_days: vec![7, 3],
            smtp: None,
            webhook: None,
        }
    }
}

/// A member of the leading group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: Id,
    pub seq: i64,
    /// 组长, 副组长, 成员, 办公室主任 …
    pub role: String,
    pub person: String,
    pub position: String,
    pub unit_id: Option<Id>,
    pub unit_name: Option<String>,
    pub liaison_user_id: Option<Id>,
    pub liaison_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MemberEdit {
    pub role: String,
    pub person: String,
    pub position: String,
    pub unit_id: Option<Id>,
    pub liaison_user_id: Option<Id>,
}

/// A decision (议定事项) of a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: Id,
    pub meeting_id: Id,
    pub seq: i64,
    pub text: String,
    pub lead_unit_id: Option<Id>,
    pub lead_unit_name: Option<String>,
    pub due: Option<String>,
    /// Supervision items opened from it.
    pub item_ids: Vec<Id>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Id,
    /// "plenary" (全体会议) or "office" (办公室会议).
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub summary: String,
    pub decisions: Vec<Decision>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewDecision {
    pub text: String,
    pub lead_unit_id: Option<Id>,
    pub due: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewMeeting {
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub summary: String,
    pub decisions: Vec<NewDecision>,
}
