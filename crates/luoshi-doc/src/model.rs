//! The document model: what the parser reads out of a 公文.
//!
//! Field names and their order follow `shared/spec/parse-output.md` exactly, because these types are
//! serialised as the `luoshi parse --json` contract. Absent scalars are `None` (JSON `null`), absent
//! lists are empty; nothing is ever omitted.

use serde::{Deserialize, Serialize};

/// The container a document arrived in, recognised by content, never by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Docx,
    Pdf,
    Html,
    Xlsx,
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub format: Format,
    /// Encoding of the text layer actually read ("utf-8", "gb18030", ...).
    pub encoding: String,
    pub meta: Meta,
    pub outline: Vec<OutlineNode>,
    pub lead_rule: LeadRule,
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub reporting_rules: Vec<ReportingRule>,
    pub roster: Vec<RosterEntry>,
    pub achievements: Vec<Achievement>,
    pub warnings: Vec<Warning>,
}

/// 公文 metadata (版头 and 版记).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// 发文字号, normalised to 〔〕 brackets.
    pub doc_number: Option<String>,
    /// 发文机关.
    pub issuer: Option<String>,
    pub title: Option<String>,
    /// 成文日期, ISO 8601.
    pub signed_date: Option<String>,
    /// 印发日期, ISO 8601.
    pub printed_date: Option<String>,
    /// 印发机关.
    pub printed_by: Option<String>,
    /// 主送机关.
    pub addressees: Vec<String>,
    /// 抄送机关.
    pub cc: Vec<String>,
    /// 此件公开发布 / 主动公开 → true; 不予公开 → false; not stated → None.
    pub public: Option<bool>,
    /// 附件 names as listed after 附件：.
    pub attachments: Vec<String>,
}

/// One heading of the outline tree (一、 / （一） / 1. / （1）, and 附件 for an annex).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlineNode {
    pub marker: String,
    pub title: String,
    pub line: usize,
    pub children: Vec<OutlineNode>,
}

/// Whether the document says who leads ("declared") or the first-listed rule is assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadRule {
    Declared,
    Assumed,
}

/// A numbered duty and the units responsible for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Enclosing headings, each as marker + title ("三、主要任务").
    pub path: Vec<String>,
    /// As numbered in the text: "1", "（二）".
    pub number: String,
    pub title: String,
    pub text: String,
    /// The responsibility clause as written (labels and brackets stripped).
    pub units_text: Option<String>,
    pub units: Vec<UnitRef>,
    pub open_ended: bool,
    pub others: bool,
    /// 完成时限, from a deadline column or the task's own text.
    #[serde(default)]
    pub deadline: Option<Deadline>,
    pub line: usize,
}

/// A task's 完成时限 as written, and the last day it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub text: String,
    /// ISO 8601; `None` for an ongoing task (长期坚持) or a wording with no date.
    pub date: Option<String>,
    pub ongoing: bool,
}

/// A unit named in a responsibility clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub name: String,
    pub role: Role,
}

/// 牵头 (lead) or 配合 (support).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Lead,
    Support,
}

impl Role {
    /// `lead` or `support`, as serialised and stored.
    pub fn code(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Support => "support",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        match s {
            "lead" => Some(Role::Lead),
            "support" => Some(Role::Support),
            _ => None,
        }
    }

    pub fn is_lead(self) -> bool {
        self == Role::Lead
    }
}

/// How a target's value compares with what must be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = "range")]
    Range,
}

/// What a target's number measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A quantity reached: 达700亿元, 不少于12个, 控制在30小时以内.
    #[default]
    Level,
    /// A part of a whole: 占全区利用外资总额40%以上.
    Share,
    /// A change against `base_year`: 较2025年压缩10%.
    Change,
    /// A yearly average rate: 年均增长8%以上.
    AnnualGrowth,
}

/// Which way a change or a growth rate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 增长, 提高, 提升.
    Increase,
    /// 下降, 压缩, 减少, 降低.
    Decrease,
}

/// A quantified goal (目标).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub year: Option<i32>,
    pub subject: String,
    pub scope: Option<String>,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    pub comparator: Comparator,
    #[serde(default)]
    pub measure: Measure,
    /// The year a `change` is measured against (较2025年 → 2025).
    #[serde(default)]
    pub base_year: Option<i32>,
    /// For a `change` or `annual_growth`: up or down (压缩10% is 10, decrease).
    #[serde(default)]
    pub direction: Option<Direction>,
    pub text: String,
    pub line: usize,
}

/// A recurring duty: a progress report or a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportingRule {
    /// "report" or "meeting".
    pub what: RuleKind,
    /// "quarter", "year", "month" or "half_year".
    pub every: Period,
    /// Which month of the period the deadline falls in (3 = the quarter's last month).
    pub month_of_period: Option<u32>,
    /// Day of that month before which the duty is due.
    pub day: Option<u32>,
    /// How many times per period (the minimum where a range is given).
    pub count: Option<u32>,
    /// The maximum where a range is given (一至两次 → count 1, count_max 2).
    pub count_max: Option<u32>,
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Report,
    Meeting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Quarter,
    Year,
    Month,
    HalfYear,
}

/// One member of a leading group's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// 组长, 副组长, 成员 ...
    pub role: String,
    pub name: String,
    pub position: String,
}

/// One row of a 制度创新成果 table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Achievement {
    pub batch: Option<u32>,
    pub category: Option<String>,
    pub number: u32,
    pub name: String,
    pub content: String,
    pub scope: Option<String>,
    pub lead_units: Vec<String>,
    pub replication_units: Vec<String>,
}

/// Something the parser had to guess or could not read, pointing at a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}
