//! Supervision items (督查督办): items, their steps and automatic reminders.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::reporting::round::ItemFacts;
use luoshi_domain::supervision::{Action, Grade, ItemProgress, Stage};
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

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
    pub due: Date,
    pub opened_on: Date,
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
    pub opened_on: Date,
    pub due: Date,
    pub original_due: Date,
    pub requested_due: Option<Date>,
    pub closed_on: Option<Date>,
    pub progress: i64,
    pub grade: Option<Grade>,
    pub reminders: i64,
    pub updated_at: i64,
}

impl ItemRow {
    /// What its light reads.
    pub fn progress_facts(&self) -> ItemProgress {
        ItemProgress {
            stage: self.stage,
            opened_on: self.opened_on,
            due: self.due,
            closed_on: self.closed_on,
            progress: self.progress,
        }
    }

    /// What a round's scorecards read.
    pub fn round_facts(&self) -> ItemFacts<'_> {
        ItemFacts {
            lead_unit_id: self.lead_unit_id,
            lead_unit_name: &self.lead_unit_name,
            closed: self.stage.is_closed(),
            closed_on: self.closed_on,
            due: self.due,
        }
    }
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
    /// Evidence filed with the step (反馈, 办结).
    #[serde(default)]
    pub attachments: Vec<ItemAttachment>,
}

/// A file filed as evidence with an item's step; its bytes are fetched separately,
/// permission-checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAttachment {
    pub id: Id,
    pub item_id: Id,
    /// The name the user gave, for display and download.
    pub file_name: String,
    pub mime: String,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemUnit {
    pub unit_id: Id,
    pub unit_name: String,
    /// 牵头 or 配合 (`lead` / `support` in JSON).
    pub role: luoshi_doc::Role,
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
    pub new_due: Option<Date>,
    pub grade: Option<Grade>,
    /// Today, ISO.
    pub today: Date,
    /// The stage the actor saw; another stage means someone acted first (Conflict).
    pub expected_stage: Option<Stage>,
    /// Evidence (反馈, 办结 only), already checked by content.
    pub attachments: Vec<crate::NewAttachment>,
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

/// Supervision items (督查督办).
#[async_trait]
pub trait SupervisionStore: Send + Sync {
    async fn create_item(&self, actor: &Actor, new: NewItem) -> StoreResult<ItemRow>;
    async fn items(&self, filter: &ItemFilter) -> StoreResult<Vec<ItemRow>>;
    async fn item(&self, id: Id) -> StoreResult<Option<ItemDetail>>;
    /// Moves an item through its state machine; refused moves write nothing.
    async fn item_step(&self, actor: &Actor, id: Id, step: ItemStep) -> StoreResult<ItemRow>;
    /// An item's evidence file: its description and bytes.
    async fn item_attachment(&self, id: Id) -> StoreResult<Option<(ItemAttachment, Vec<u8>)>>;
    /// Sends the reminders due on `today` (each once, whichever process runs it).
    async fn run_reminders(&self, today: Date, lead_days: &[i64]) -> StoreResult<ReminderRun>;
}
