//! The quarterly round (报送轮次) and where each obligation stands in it.
//!
//! A round is a calendar quarter. In a round a task owes, under its document's rule, the reports of
//! the periods that end in that quarter (one for the default quarterly rule). Also: per-unit
//! scorecards and a task's light.

use std::collections::HashMap;

use serde::Serialize;

use crate::AppState;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::scope::scope_of;
use luoshi_domain::calendar::Date;
use luoshi_domain::lights::assess;
use luoshi_domain::lights::{Assessment, Light, Thresholds};
use luoshi_domain::periods::{DueRule, PeriodKey, ReportPeriod};
use luoshi_domain::reports::{ReportKind, ReviewState, WorkStatus};
use luoshi_store::accounts::Session;
use luoshi_store::reporting::{Obligation, ObligationFilter, ReportFilter, ReportRow};
use luoshi_store::supervision::ItemRow;
use luoshi_store::{Id, Scope};

/// A calendar quarter: the reporting round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Round {
    pub year: i32,
    pub quarter: u32,
}

impl Round {
    pub fn of(d: Date) -> Round {
        Round {
            year: d.year,
            quarter: (d.month - 1) / 3 + 1,
        }
    }

    /// `2026-Q3`.
    pub fn parse(s: &str) -> Option<Round> {
        let p = DueRule::default().from_key(s)?;
        Some(Round {
            year: p.year,
            quarter: p.index,
        })
    }

    pub fn key(&self) -> String {
        format!("{}-Q{}", self.year, self.quarter)
    }

    pub fn label(&self) -> String {
        format!("{}年第{}季度", self.year, self.quarter)
    }

    pub fn prev(&self) -> Round {
        if self.quarter == 1 {
            Round {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Round {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    pub fn next(&self) -> Round {
        if self.quarter == 4 {
            Round {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Round {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }

    /// The last `n` rounds up to this one, oldest first.
    pub fn trail(&self, n: usize) -> Vec<Round> {
        let mut out = vec![*self];
        while out.len() < n {
            let first = out[0].prev();
            out.insert(0, first);
        }
        out
    }
}

/// The round asked for (`?round=2026-Q3`), or the current one.
pub fn round_param(state: &AppState, round: Option<&str>) -> AppResult<Round> {
    match round.filter(|r| !r.is_empty()) {
        None => Ok(Round::of(today(state))),
        Some(r) => Round::parse(r).ok_or_else(|| AppError::bad_request("报送轮次格式应为 2026-Q3")),
    }
}

/// Where one obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Not yet due, not filed.
    Open,
    /// Past due and not filed: 逾期未报, shown until filed.
    Missing,
    Submitted,
    Returned,
    Accepted,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Open => "待报送",
            Standing::Missing => "逾期未报",
            Standing::Submitted => "待审核",
            Standing::Returned => "已退回",
            Standing::Accepted => "已采纳",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            Standing::Open => "open",
            Standing::Missing => "red",
            Standing::Submitted => "yellow",
            Standing::Returned => "red",
            Standing::Accepted => "green",
        }
    }
}

/// One obligation in a round.
#[derive(Debug, Clone, Serialize)]
pub struct Owed {
    pub ob: Obligation,
    pub kind: ReportKind,
    pub period: ReportPeriod,
    pub period_key: PeriodKey,
    pub period_label: String,
    pub due: Date,
    pub report: Option<ReportRow>,
    pub standing: Standing,
}

impl Owed {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
    pub fn late_filed(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.late)
    }
}

/// The rule a document's tasks report under.
pub fn rule_of(ob: &Obligation) -> DueRule {
    ob.due_rule.unwrap_or_default()
}

/// The period a key names for an obligation, if it is one of its rule's.
pub fn period_of(ob: &Obligation, key: &str) -> Option<ReportPeriod> {
    rule_of(ob).from_key(key)
}

/// Every obligation of `links` in `round`, with its report if filed.
pub async fn owed_in_round(
    state: &AppState,
    links: Vec<Obligation>,
    round: Round,
) -> AppResult<Vec<Owed>> {
    let today = today(state);
    let mut wanted: Vec<(Obligation, ReportPeriod)> = Vec::new();
    let mut keys = Vec::new();
    for ob in links {
        for p in rule_of(&ob).periods_in_quarter(round.year, round.quarter) {
            let k = p.key();
            if !keys.contains(&k) {
                keys.push(k);
            }
            wanted.push((ob.clone(), p));
        }
    }
    let units: Vec<Id> = {
        let mut u: Vec<Id> = wanted.iter().map(|(o, _)| o.unit_id).collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let reports = if wanted.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .reports(&ReportFilter {
                units: Some(units),
                periods: Some(keys),
                ..Default::default()
            })
            .await?
    };
    let mut by_key: HashMap<(Id, Id, ReportKind, PeriodKey), ReportRow> = HashMap::new();
    for r in reports {
        by_key.insert((r.task_id, r.unit_id, r.kind, r.period), r);
    }
    Ok(wanted
        .into_iter()
        .map(|(ob, period)| {
            let kind = if ob.role.is_lead() {
                ReportKind::Task
            } else {
                ReportKind::Contribution
            };
            let period_key = period.key();
            let report = by_key
                .get(&(ob.task_id, ob.unit_id, kind, period_key))
                .cloned();
            let standing = match report.as_ref().map(|r| r.state) {
                None if today > period.due => Standing::Missing,
                None => Standing::Open,
                Some(ReviewState::Submitted) => Standing::Submitted,
                Some(ReviewState::Returned) => Standing::Returned,
                Some(ReviewState::Accepted) => Standing::Accepted,
            };
            Owed {
                kind,
                period_label: period.label(),
                due: period.due,
                period_key,
                period,
                report,
                standing,
                ob,
            }
        })
        .collect())
}

/// The links a session may see: everything for the office and leaders, an area's for its
/// committee, a unit family's otherwise.
pub async fn visible_links(
    state: &AppState,
    session: &Session,
    mut filter: ObligationFilter,
) -> AppResult<Vec<Obligation>> {
    match scope_of(state, session).await? {
        Scope::All => {}
        Scope::Units(ids) => {
            filter.units = Some(match filter.units {
                Some(asked) => asked.into_iter().filter(|u| ids.contains(u)).collect(),
                None => ids,
            })
        }
        Scope::Area { area, units } => {
            let mut mine = state
                .store
                .obligations(&ObligationFilter {
                    units: Some(units),
                    ..filter.clone()
                })
                .await?;
            let area_links = state
                .store
                .obligations(&ObligationFilter {
                    area: Some(area),
                    ..filter
                })
                .await?;
            let mut seen: std::collections::HashSet<(Id, Id)> =
                mine.iter().map(|m| (m.task_id, m.unit_id)).collect();
            mine.extend(
                area_links
                    .into_iter()
                    .filter(|l| seen.insert((l.task_id, l.unit_id))),
            );
            return Ok(mine);
        }
    }
    Ok(state.store.obligations(&filter).await?)
}

/// A unit's figures for a round (the scorecard).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub unit_id: Id,
    pub unit_name: String,
    pub owed: i64,
    /// Not yet due and not filed: left out of the on-time rate until the deadline passes.
    pub pending: i64,
    pub filed: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub returned: i64,
    pub accepted: i64,
    pub items: i64,
    pub items_closed: i64,
    pub items_closed_on_time: i64,
    pub items_overdue: i64,
}

impl Score {
    /// Reports whose deadline has passed or that were filed: what the on-time rate counts.
    pub fn counted(&self) -> i64 {
        self.owed - self.pending
    }
    /// Share of counted reports filed on time, 0–1.
    pub fn on_time_rate(&self) -> f64 {
        if self.counted() == 0 {
            0.0
        } else {
            self.on_time as f64 / self.counted() as f64
        }
    }
    pub fn on_time_pct(&self) -> String {
        if self.counted() == 0 {
            "—".into()
        } else {
            format!("{:.0}%", self.on_time_rate() * 100.0)
        }
    }
}

/// Scorecards per unit from a round's obligations and the items.
pub fn scorecards(owed: &[Owed], items: &[ItemRow], today: Date) -> Vec<Score> {
    let mut by_unit: HashMap<Id, Score> = HashMap::new();
    for o in owed {
        let s = by_unit.entry(o.ob.unit_id).or_insert_with(|| Score {
            unit_id: o.ob.unit_id,
            unit_name: o.ob.unit_name.clone(),
            ..Default::default()
        });
        s.owed += 1;
        match &o.report {
            Some(r) => {
                s.filed += 1;
                if r.late {
                    s.late += 1;
                } else {
                    s.on_time += 1;
                }
                s.returned += r.returns;
                if r.state == ReviewState::Accepted {
                    s.accepted += 1;
                }
            }
            None if o.standing == Standing::Missing => s.missing += 1,
            None => s.pending += 1,
        }
    }
    for i in items {
        let s = by_unit.entry(i.lead_unit_id).or_insert_with(|| Score {
            unit_id: i.lead_unit_id,
            unit_name: i.lead_unit_name.clone(),
            ..Default::default()
        });
        s.items += 1;
        if i.stage.is_closed() {
            s.items_closed += 1;
            if i.closed_on.is_some_and(|c| c <= i.due) {
                s.items_closed_on_time += 1;
            }
        } else if i.due < today {
            s.items_overdue += 1;
        }
    }
    let mut out: Vec<Score> = by_unit.into_values().collect();
    out.sort_by(|a, b| {
        b.missing
            .cmp(&a.missing)
            .then(b.owed.cmp(&a.owed))
            .then(a.unit_name.cmp(&b.unit_name))
    });
    out
}

/// A task's light in a round: its work year runs from January 1 (or the document's signing, if
/// later) to December 31; progress is the lead's latest report.
pub fn task_light(
    report: Option<&ReportRow>,
    standing: Standing,
    start: Option<Date>,
    today: Date,
    t: &Thresholds,
) -> Assessment {
    let year_start = Date::new(today.year, 1, 1).expect("valid");
    let start = start.filter(|s| *s > year_start).unwrap_or(year_start);
    let due = Date::new(today.year, 12, 31).expect("valid");
    let done = report.is_some_and(|r| r.status == WorkStatus::Done);
    let mut a = assess(
        today,
        start,
        due,
        report.map(|r| r.progress as f64),
        done,
        t,
    );
    if let Some(r) = report
        && r.status == WorkStatus::Lagging
        && !done
    {
        a.light = a.light.max(Light::Yellow);
        a.reasons.push("单位报告进度滞后".into());
    }
    if standing == Standing::Missing {
        a.light = a.light.max(Light::Yellow);
        a.reasons.push("本期报告逾期未报".into());
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_walk_across_year_ends() {
        let r = Round::parse("2026-Q1").unwrap();
        assert_eq!(r.prev().key(), "2025-Q4");
        assert_eq!(r.prev().next(), r);
        assert_eq!(
            r.trail(3).iter().map(Round::key).collect::<Vec<_>>(),
            ["2025-Q3", "2025-Q4", "2026-Q1"]
        );
        assert_eq!(
            Round::of(Date::parse("2024-02-29").unwrap()).key(),
            "2024-Q1"
        );
        assert!(Round::parse("2026-Q5").is_none());
    }

    fn owed(task: Id, standing: Standing, late: Option<bool>) -> Owed {
        let period = DueRule::default().period(2026, 3);
        Owed {
            ob: Obligation {
                task_id: task,
                task_number: task.to_string(),
                task_title: "t".into(),
                document_id: 1,
                document_title: "d".into(),
                unit_id: 7,
                unit_name: "u".into(),
                role: luoshi_doc::Role::Lead,
                due_rule: None,
            },
            kind: ReportKind::Task,
            period_key: period.key(),
            period_label: period.label(),
            due: period.due,
            period,
            report: late.map(|late| ReportRow {
                id: task,
                task_id: task,
                task_number: String::new(),
                task_title: String::new(),
                document_id: 1,
                unit_id: 7,
                unit_name: "u".into(),
                kind: ReportKind::Task,
                period: period.key(),
                due: period.due,
                state: ReviewState::Submitted,
                status: WorkStatus::Ongoing,
                progress: 10,
                versions: 1,
                returns: 0,
                late,
                first_filed_on: period.due,
                updated_at: 0,
            }),
            standing,
        }
    }

    #[test]
    fn the_on_time_rate_counts_only_what_is_due_or_filed() {
        let today = Date::parse("2026-09-25").unwrap();
        let rows = [
            owed(1, Standing::Submitted, Some(false)),
            owed(2, Standing::Submitted, Some(true)),
            owed(3, Standing::Missing, None),
            owed(4, Standing::Open, None),
        ];
        let s = &scorecards(&rows, &[], today)[0];
        assert_eq!(
            (s.owed, s.pending, s.filed, s.on_time, s.late, s.missing),
            (4, 1, 2, 1, 1, 1)
        );
        assert_eq!(s.counted(), 3);
        assert_eq!(s.on_time_pct(), "33%");
    }

    #[test]
    fn a_missing_report_turns_a_task_yellow_with_its_reason() {
        let t = Thresholds::default();
        let today = Date::parse("2026-03-25").unwrap();
        let a = task_light(None, Standing::Missing, None, today, &t);
        assert!(a.light >= Light::Yellow);
        assert!(a.reasons.iter().any(|r| r.contains("逾期未报")));
    }
}
