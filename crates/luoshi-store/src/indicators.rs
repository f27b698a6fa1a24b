//! Indicators (指标): the documents' targets, one indicator per subject and scope, with their
//! milestones (kept with their history across versions), the office's baseline, and where each
//! stands (`luoshi_domain::indicators::assess`).
//!
//! Imports write them: every target of an imported version becomes a milestone of the
//! indicator of its subject and scope, in the import's transaction. A target inside a task
//! takes that task's units (read live from the task, so a corrected task's units follow); a
//! target in a goals section takes the units the office assigns.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::indicators::{
    Comparator, Decimal, Direction, Facts, IndicatorThresholds, Measure, Milestone, Point, Status,
};
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

/// Where a milestone was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub document_id: Id,
    pub version_id: Id,
    pub doc_number: Option<String>,
    pub title: String,
    pub line: i64,
    pub text: String,
    /// The task the target sits in, when it sits in one.
    pub task_id: Option<Id>,
}

/// One year's target of an indicator, as a document (version) states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMilestone {
    pub id: Id,
    pub milestone: Milestone,
    /// The unit as written in the document (the indicator's unit unless it was converted).
    pub unit: String,
    pub source: Source,
    /// Still what the latest version says; earlier values are kept as history.
    pub live: bool,
}

/// A unit responsible for an indicator, and how it came to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorUnit {
    pub unit_id: Id,
    pub name: String,
    /// "lead" or "support".
    pub role: String,
    /// From the task the target sits in (`true`), or assigned by the office.
    pub from_task: bool,
}

/// The office's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub year: i32,
    pub value: Decimal,
    /// 统计口径, 来源.
    pub source: Option<String>,
}

/// An indicator with everything its page and its status need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: Id,
    pub subject: String,
    pub scope: Option<String>,
    pub unit: String,
    pub measure: Measure,
    pub direction: Option<Direction>,
    pub base_year: Option<i32>,
    /// A yearly flow (年产值): quarter values are year-to-date.
    pub cumulative: bool,
    pub baseline: Option<Baseline>,
    /// Live milestones first by year, then the history.
    pub milestones: Vec<StoredMilestone>,
    pub units: Vec<IndicatorUnit>,
    /// Accepted values (none are filed yet in this version of Luoshi).
    pub actuals: Vec<Point>,
}

impl Indicator {
    pub fn live_milestones(&self) -> impl Iterator<Item = &StoredMilestone> {
        self.milestones.iter().filter(|m| m.live)
    }

    /// The source shown for the indicator: its latest live milestone's.
    pub fn source(&self) -> Option<&Source> {
        self.live_milestones().last().map(|m| &m.source)
    }

    /// The facts its status is judged on.
    pub fn facts(&self) -> Facts {
        let base = self.baseline.as_ref().map(|b| Point::year(b.year, b.value));
        Facts {
            subject: self.subject.clone(),
            unit: self.unit.clone(),
            measure: self.measure,
            direction: self.direction,
            baseline: base,
            milestones: self
                .live_milestones()
                .map(|m| m.milestone.clone())
                .collect(),
            actuals: self.actuals.clone(),
            cumulative: self.cumulative,
        }
    }

    /// Where it stands on `today`.
    pub fn status(&self, thresholds: &IndicatorThresholds, today: Date) -> Status {
        luoshi_domain::indicators::assess(
            &self.facts(),
            thresholds,
            luoshi_domain::indicators::moment(today),
        )
    }

    /// The comparator of the first live milestone (how the indicator is read: ≥, ≤).
    pub fn comparator(&self) -> Comparator {
        self.live_milestones()
            .next()
            .map_or(Comparator::AtLeast, |m| m.milestone.comparator)
    }
}

/// Which indicators a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct IndicatorFilter {
    pub document_id: Option<Id>,
    /// Units responsible (from the task or assigned), this unit or its successors'.
    pub unit_id: Option<Id>,
    /// With a milestone in this year.
    pub year: Option<i32>,
    /// The scope written, exactly (广西自贸试验区, 南宁片区 …).
    pub scope: Option<String>,
    /// Indicators of targets in this task.
    pub task_id: Option<Id>,
}

#[async_trait]
pub trait IndicatorsStore: Send + Sync {
    /// Every indicator the filter selects that has a live milestone, by subject.
    async fn indicators(&self, filter: &IndicatorFilter) -> StoreResult<Vec<Indicator>>;
    async fn indicator(&self, id: Id) -> StoreResult<Option<Indicator>>;
    /// The office renames an indicator or its scope (the document's wording still maps to it);
    /// audited.
    async fn edit_indicator(
        &self,
        actor: &Actor,
        id: Id,
        subject: &str,
        scope: Option<&str>,
    ) -> StoreResult<()>;
    /// The office's units for an indicator (a goals section's target has none of its own),
    /// replacing the earlier assignment: (unit, "lead" | "support"); audited.
    async fn assign_units(&self, actor: &Actor, id: Id, units: &[(Id, String)]) -> StoreResult<()>;
    /// The same subject written two ways: `drop`'s milestones and units move to `keep`, and
    /// later imports of `drop`'s wording land on `keep`; audited. Refused (with the reason)
    /// for indicators of different measures or units.
    async fn merge_indicators(&self, actor: &Actor, keep: Id, drop: Id) -> StoreResult<()>;
    /// The office sets (or clears) the baseline; audited.
    async fn set_baseline(
        &self,
        actor: &Actor,
        id: Id,
        baseline: Option<Baseline>,
    ) -> StoreResult<()>;
}

/// A decimal as a JSON number, as written (700, 0.85).
fn number(d: &Decimal) -> serde_json::Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(serde_json::Value::Null)
}

/// The indicator as `luoshi indicators --json` prints it and `/api/v1/indicators` answers:
/// `{id, subject, scope, unit, measure, milestones, baseline, actuals, units, source, status}`.
pub fn indicator_json(
    i: &Indicator,
    thresholds: &IndicatorThresholds,
    today: Date,
) -> serde_json::Value {
    use serde_json::json;
    let status = i.status(thresholds, today);
    let round = |v: f64| (v * 100.0).round() / 100.0;
    json!({
        "id": i.id,
        "subject": i.subject,
        "scope": i.scope,
        "unit": i.unit,
        "measure": i.measure,
        "direction": i.direction,
        "base_year": i.base_year,
        "milestones": i.live_milestones().map(|m| json!({
            "year": m.milestone.year,
            "value": number(&m.milestone.value),
            "value_max": m.milestone.value_max.as_ref().map(number),
            "comparator": m.milestone.comparator,
        })).collect::<Vec<_>>(),
        "baseline": i.baseline.as_ref().map(|b| json!({
            "year": b.year, "value": number(&b.value), "source": b.source,
        })),
        "actuals": i.actuals.iter().map(|p| json!({
            "year": p.year,
            "period": p.quarter.map_or("year".to_string(), |q| format!("Q{q}")),
            "value": number(&p.value),
            "status": "accepted",
        })).collect::<Vec<_>>(),
        "units": i.units.iter().map(|u| json!({"name": u.name, "role": u.role})).collect::<Vec<_>>(),
        "source": i.source().map(|s| json!({
            "doc_number": s.doc_number, "title": s.title, "line": s.line,
        })),
        "status": {
            "light": status.light,
            "progress": status.progress.map(round),
            "expected": status.expected.map(round),
            "target": status.target.map(round),
            "path": status.path,
            "reason": status.reason,
        },
    })
}
