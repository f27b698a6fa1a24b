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
use luoshi_domain::indicators::filing::ValueOrigin;
use luoshi_domain::indicators::{
    Comparator, Decimal, Direction, Facts, IndicatorThresholds, Measure, Milestone, Point, Status,
};
use luoshi_domain::reporting::ReviewState;
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

/// One version of one period's value (a year's, or a quarter's year-to-date), as filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub id: Id,
    pub indicator_id: Id,
    /// The indicator's subject and unit, for lists that show values of several.
    pub subject: String,
    pub unit: String,
    pub point: Point,
    /// 统计口径, 来源.
    pub source: Option<String>,
    pub origin: ValueOrigin,
    /// The report it was filed with (reviewed with it), and that report's version.
    pub report_id: Option<Id>,
    pub report_version: Option<i64>,
    /// The unit that filed it (with a report), as it is named today.
    pub unit_name: Option<String>,
    pub state: ReviewState,
    pub review_reason: Option<String>,
    pub filed_by: String,
    pub filed_at: i64,
    pub filed_on: Date,
    /// 1 for the period's first value, counting every filing of it.
    pub version: i64,
}

/// A value to file: its period and the number in the indicator's unit (checked by
/// `luoshi_domain::indicators::filing::check_filing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewValue {
    pub indicator_id: Id,
    pub year: i32,
    /// 1–4 for a quarter's year-to-date value; `None` for the year.
    pub quarter: Option<u8>,
    pub value: Decimal,
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
    /// The accepted values: each period's latest accepted version.
    pub actuals: Vec<Point>,
    /// Every value filed, every version, newest first.
    pub values: Vec<IndicatorValue>,
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

    /// What a filed value is checked against (`filing::check_filing`): the plan's years, the
    /// latest accepted value or the first target as the reference, the accepted values.
    pub fn known(&self) -> luoshi_domain::indicators::filing::Known {
        use luoshi_domain::indicators::filing::{Known, plan_years};
        let years: Vec<i32> = self.live_milestones().map(|m| m.milestone.year).collect();
        let latest = self
            .actuals
            .iter()
            .max_by(|a, b| a.at().total_cmp(&b.at()))
            .map(|p| p.value);
        let target = self.live_milestones().next().map(|m| m.milestone.value);
        Known {
            id: self.id,
            subject: self.subject.clone(),
            scope: self.scope.clone(),
            unit: self.unit.clone(),
            years: plan_years(&years, self.baseline.as_ref().map(|b| b.year)).unwrap_or((0, 0)),
            reference: latest.or(target).filter(|_| self.measure == Measure::Level),
            current: self
                .actuals
                .iter()
                .map(|p| ((p.year, p.quarter), p.value))
                .collect(),
        }
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

/// A page of the indicators a filter selects, with how many there are by light. Each item comes
/// with its status as judged today; without `with_values` an item's only actual is its latest
/// accepted value and it carries no value history (a list shows no more).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorPage {
    pub items: Vec<(Indicator, Status)>,
    /// The filtered indicators (of the light asked for, when one is).
    pub total: usize,
    /// The filtered indicators by light (grey, green, yellow, red), whatever light was asked.
    pub counts: [usize; luoshi_domain::lights::Light::COUNT],
}

#[async_trait]
pub trait IndicatorsStore: Send + Sync {
    /// Every indicator the filter selects that has a live milestone, by subject.
    async fn indicators(&self, filter: &IndicatorFilter) -> StoreResult<Vec<Indicator>>;
    async fn indicator(&self, id: Id) -> StoreResult<Option<Indicator>>;
    /// One page of the indicators a filter (and a light) selects, by subject, and the counts by
    /// light: lights are judged once a day per thresholds and kept (`indicator_lights`), so a
    /// page loads only its own indicators.
    async fn indicator_page(
        &self,
        filter: &IndicatorFilter,
        light: Option<luoshi_domain::lights::Light>,
        thresholds: &IndicatorThresholds,
        today: Date,
        page: crate::Page,
        with_values: bool,
    ) -> StoreResult<IndicatorPage>;
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
    /// What a statistics sheet's rows are checked against, for every live indicator: its plan's
    /// years, the reference for a thousandfold slip (the latest accepted value, else the first
    /// target, for levels) and its accepted values in `years` (a preview's 原值) — read without
    /// the values of other years.
    async fn known(
        &self,
        years: &[i32],
    ) -> StoreResult<Vec<luoshi_domain::indicators::filing::Known>>;
    /// The office's values (from a statistics sheet, its page or the API): all written in one
    /// transaction, each a new version of its period, accepted as written; a value equal to
    /// its period's accepted one is skipped; `filed_on` is today. Audited per indicator. Returns how many were
    /// written. (A unit's values come with its report: `SubmitReport::values`.)
    async fn record_values(
        &self,
        actor: &Actor,
        origin: ValueOrigin,
        filed_on: Date,
        values: &[NewValue],
    ) -> StoreResult<usize>;
}

/// Each period's latest version that `keep` takes, ordered by period: with every version, what
/// was last filed; with the accepted ones, what the indicator is judged on. `values` is newest
/// first, as `Indicator::values` holds them.
pub fn latest_per_period(
    values: &[IndicatorValue],
    keep: impl Fn(&IndicatorValue) -> bool,
) -> Vec<&IndicatorValue> {
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<&IndicatorValue> = values
        .iter()
        .filter(|v| keep(v) && seen.insert((v.point.year, v.point.quarter)))
        .collect();
    latest.sort_by(|a, b| a.point.at().total_cmp(&b.point.at()));
    latest
}

/// Each period's latest version (accepted, awaiting review or returned), by period.
pub fn latest_values(i: &Indicator) -> impl Iterator<Item = &IndicatorValue> {
    latest_per_period(&i.values, |_| true).into_iter()
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
        // Each period's latest version, whatever its review.
        "actuals": latest_values(i).map(|v| json!({
            "year": v.point.year,
            "period": luoshi_domain::indicators::filing::period_code(v.point.quarter),
            "value": number(&v.point.value),
            "status": v.state.code(),
            "source": v.source,
            "origin": v.origin.code(),
            "version": v.version,
            "filed_on": v.filed_on,
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

/// A statistics sheet read and matched: its data rows, what it would change, or every bad row
/// (file problems first, then rows), in Chinese.
#[derive(Debug, Clone, Serialize)]
pub struct SheetPlan {
    pub rows: usize,
    pub changes: Vec<luoshi_domain::indicators::filing::Change>,
    /// The first problems in words (at most `MAX_PROBLEMS`, then a line saying how many more).
    pub problems: Vec<String>,
    /// How many problems there are in all.
    pub problem_count: usize,
}

impl SheetPlan {
    /// Rows by what they do: (新增, 修改, 不变).
    pub fn counts(&self) -> (usize, usize, usize) {
        use luoshi_domain::indicators::filing::ChangeKind;
        let of = |k: ChangeKind| self.changes.iter().filter(|c| c.kind() == k).count();
        (
            of(ChangeKind::New),
            of(ChangeKind::Changed),
            of(ChangeKind::Same),
        )
    }
}

/// Reads a statistics sheet (`luoshi_doc::statistics`) and plans it against every indicator
/// (`filing::plan_sheet`); nothing is written. The use case of the page, the API and
/// `luoshi figures import`.
pub async fn plan_sheet(
    store: &(dyn IndicatorsStore + '_),
    bytes: &[u8],
    today: Date,
) -> StoreResult<SheetPlan> {
    use luoshi_doc::statistics::{self, MAX_PROBLEMS, SheetProblem};
    let rows = match statistics::read(bytes, &luoshi_doc::Limits::default()) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(SheetPlan {
                rows: 0,
                changes: Vec::new(),
                problem_count: problems.len(),
                problems: problems.iter().map(SheetProblem::text).collect(),
            });
        }
    };
    let mut years: Vec<i32> = rows
        .iter()
        .filter_map(|r| {
            r.year
                .trim()
                .trim_end_matches('年')
                .trim_end_matches(".0")
                .parse()
                .ok()
        })
        .collect();
    years.sort_unstable();
    years.dedup();
    let known = store.known(&years).await?;
    let (changes, problems) =
        luoshi_domain::indicators::filing::plan_sheet(&rows, &known, today.year);
    let mut listed: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS)
        .map(luoshi_domain::indicators::filing::RowProblem::text)
        .collect();
    if problems.len() > MAX_PROBLEMS {
        listed.push(format!(
            "……另有 {} 处问题未列出",
            problems.len() - MAX_PROBLEMS
        ));
    }
    Ok(SheetPlan {
        rows: rows.len(),
        changes,
        problems: listed,
        problem_count: problems.len(),
    })
}

/// Imports a statistics sheet: planned from the bytes, written only when every row is valid
/// (one transaction, accepted as the office's). The plan and how many values were written;
/// refused (`sheet_rows`, every problem listed) when any row is bad.
pub async fn import_sheet(
    store: &(dyn IndicatorsStore + '_),
    actor: &Actor,
    bytes: &[u8],
    today: Date,
) -> StoreResult<(SheetPlan, usize)> {
    use luoshi_domain::indicators::filing::ChangeKind;
    let plan = plan_sheet(store, bytes, today).await?;
    if !plan.problems.is_empty() {
        return Err(crate::StoreError::Invalid(
            "sheet_rows",
            format!(
                "统计报表有 {} 处问题，未导入任何数据：{}",
                plan.problem_count,
                plan.problems.join("；")
            ),
        ));
    }
    let values: Vec<NewValue> = plan
        .changes
        .iter()
        .filter(|c| c.kind() != ChangeKind::Same)
        .map(|c| NewValue {
            indicator_id: c.indicator_id,
            year: c.year,
            quarter: c.quarter,
            value: c.value,
            source: c.source.clone(),
        })
        .collect();
    let written = store
        .record_values(actor, ValueOrigin::Sheet, today, &values)
        .await?;
    Ok((plan, written))
}
