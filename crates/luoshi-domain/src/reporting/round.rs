//! The quarterly round (报送轮次), where each obligation stands in it, and what a round adds up
//! to: per-unit scorecards (单位评分), the dashboard's figures and a task's light.
//!
//! A round is a calendar quarter. In a round a task owes, under its document's rule, the reports
//! of the periods that end in that quarter (one for the default quarterly rule). The rules here
//! read plain facts ([`OwedFacts`], [`FiledFacts`], [`ItemFacts`]) so storage records stay above.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::calendar::Date;
use crate::lights::{Assessment, Light, Thresholds, behind, expected_progress};
use crate::periods::{DueRule, ReportPeriod};
use crate::reporting::{ReportKind, ReviewState, WorkStatus};

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
    /// From the review state of the filed report, or, when nothing is filed, from the deadline.
    pub fn of(filed: Option<ReviewState>, due: Date, today: Date) -> Standing {
        match filed {
            None if today > due => Standing::Missing,
            None => Standing::Open,
            Some(ReviewState::Submitted) => Standing::Submitted,
            Some(ReviewState::Returned) => Standing::Returned,
            Some(ReviewState::Accepted) => Standing::Accepted,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Open => "待报送",
            Standing::Missing => "逾期未报",
            Standing::Submitted => "待审核",
            Standing::Returned => "已退回",
            Standing::Accepted => "已采纳",
        }
    }

    /// The page's colour class.
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

/// What the round's rules read of a filed report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiledFacts {
    pub late: bool,
    /// How often the office returned it.
    pub returns: i64,
    pub state: ReviewState,
    pub status: WorkStatus,
    pub progress: i64,
}

/// What the round's rules read of one obligation.
#[derive(Debug, Clone, PartialEq)]
pub struct OwedFacts<'a> {
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: &'a str,
    pub kind: ReportKind,
    pub standing: Standing,
    /// The period's last on-time day.
    pub due: Date,
    pub window: TaskWindow,
    pub report: Option<FiledFacts>,
}

/// A task's own time: when its obligations start (the document's 印发/成文 date, or the day the
/// office started using Luoshi for it), its 完成时限 if it has one, and the day it was 办结 (the
/// office accepted its lead's report saying 已完成), if it was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskWindow {
    pub starts_on: Option<Date>,
    pub deadline: Option<Date>,
    pub completed_on: Option<Date>,
}

impl TaskWindow {
    /// Whether the task owes period `p`'s report: not when the period's deadline came before its
    /// obligations started, nor when the period begins after it was 办结.
    pub fn owes(&self, p: &ReportPeriod) -> bool {
        self.starts_on.is_none_or(|s| p.due >= s) && self.completed_on.is_none_or(|c| p.start <= c)
    }

    /// The span 序时进度 runs over on `today`: from the start to the 完成时限 when the task has
    /// one; otherwise the task is yearly work, from January 1 (or its start, if later) to
    /// December 31 of `today`'s year.
    pub fn span(&self, today: Date) -> (Date, Date) {
        let year_start = Date::new(today.year, 1, 1).expect("valid");
        match self.deadline {
            Some(deadline) => {
                let start = self
                    .starts_on
                    .unwrap_or(year_start)
                    .min(deadline.add_days(-1));
                (start, deadline)
            }
            None => {
                let start = self
                    .starts_on
                    .filter(|s| *s > year_start)
                    .unwrap_or(year_start);
                (start, Date::new(today.year, 12, 31).expect("valid"))
            }
        }
    }
}

/// The day reporting on a newly imported document starts, unless the office says otherwise: its
/// date when that falls in the current round or later; otherwise the current round's first day —
/// the office did not track the quarters before it started using Luoshi for the document, so they
/// owe nothing (and show no history of 0%).
pub fn default_reporting_from(document_date: Option<Date>, today: Date) -> Date {
    let round_start = DueRule::default().period_of(today).start;
    document_date
        .filter(|d| *d >= round_start)
        .unwrap_or(round_start)
}

/// `12-19`: a deadline as the lights write it.
fn short(d: Date) -> String {
    format!("{:02}-{:02}", d.month, d.day)
}

/// What the round's rules read of a supervision item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFacts<'a> {
    pub lead_unit_id: i64,
    pub lead_unit_name: &'a str,
    pub closed: bool,
    pub closed_on: Option<Date>,
    pub due: Date,
}

/// A unit's figures for a round (the scorecard).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Score {
    pub unit_id: i64,
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

    /// The on-time rate in percent to one decimal, or none when nothing was due or filed yet (a
    /// rate of 0 would read as "all late").
    pub fn on_time_percent(&self) -> Option<f64> {
        (self.counted() > 0).then(|| (self.on_time_rate() * 1000.0).round() / 10.0)
    }

    pub fn on_time_pct(&self) -> String {
        match self.on_time_percent() {
            None => "—".into(),
            Some(p) => format!("{p:.0}%"),
        }
    }
}

/// Scorecards per unit from a round's obligations and the items: most missing first, then most
/// owed, then by name.
pub fn scorecards(owed: &[OwedFacts], items: &[ItemFacts], today: Date) -> Vec<Score> {
    let mut by_unit: HashMap<i64, Score> = HashMap::new();
    for o in owed {
        let s = by_unit.entry(o.unit_id).or_insert_with(|| Score {
            unit_id: o.unit_id,
            unit_name: o.unit_name.to_string(),
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
            unit_name: i.lead_unit_name.to_string(),
            ..Default::default()
        });
        s.items += 1;
        if i.closed {
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

/// A task's light in a round, from the lead's report of the period (due on `due`) and the task's
/// own window ([`TaskWindow::span`]).
///
/// - 已完成 is green.
/// - Not filed and not yet due is grey: nothing to judge yet ("本期待报送，截止 12-19，还有 17 天")
///   — unless the 完成时限 has passed, which is red.
/// - Not filed past the period's deadline is red (逾期未报).
/// - Filed: red or yellow when the reported progress lags 序时进度 by the office's thresholds,
///   when the 完成时限 has passed or is near, or when the unit reports 滞后; a returned report
///   waits for its revision (yellow). Otherwise green.
pub fn task_light(
    report: Option<&FiledFacts>,
    standing: Standing,
    due: Date,
    window: &TaskWindow,
    today: Date,
    t: &Thresholds,
) -> Assessment {
    let (start, end) = window.span(today);
    let expected = expected_progress(today, start, end);
    let mut light = Light::Green;
    let mut reasons = Vec::new();
    if report.is_some_and(|r| r.status == WorkStatus::Done) || window.completed_on.is_some() {
        return Assessment {
            light,
            expected,
            reasons: vec!["已完成".into()],
        };
    }
    if let Some(deadline) = window.deadline {
        let left = deadline.days() - today.days();
        if left < 0 {
            light = Light::Red;
            reasons.push(format!("已超过完成时限（{deadline}）{} 天", -left));
        } else if left <= t.yellow_days_left && report.is_some() {
            light = Light::Yellow;
            reasons.push(format!("距完成时限还有 {left} 天"));
        }
    }
    match report {
        None if standing == Standing::Missing => {
            light = Light::Red;
            reasons.push(format!(
                "本期报告逾期未报（截止 {}，已逾期 {} 天）",
                short(due),
                today.days() - due.days()
            ));
        }
        None => {
            if reasons.is_empty() {
                light = Light::Grey;
            }
            let left = due.days() - today.days();
            reasons.push(if left == 0 {
                format!("本期待报送，今天截止（{}）", short(due))
            } else {
                format!("本期待报送，截止 {}，还有 {left} 天", short(due))
            });
        }
        Some(r) => {
            if let Some((l, why)) = behind(expected, r.progress as f64, t) {
                light = light.max(l);
                reasons.push(why);
            }
            if r.status == WorkStatus::Lagging {
                light = light.max(Light::Yellow);
                reasons.push("单位报告进度滞后".into());
            }
            if r.state == ReviewState::Returned {
                light = light.max(Light::Yellow);
                reasons.push("本期报告已退回，待修改".into());
            }
        }
    }
    if reasons.is_empty() {
        reasons.push("进度正常".into());
    }
    Assessment {
        light,
        expected,
        reasons,
    }
}

/// The figures of one round for a set of obligations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub tasks: usize,
    pub done: usize,
    pub owed: usize,
    /// Not yet due and not filed: left out of the on-time rate.
    pub pending: usize,
    pub on_time: usize,
    pub filed: usize,
    /// Tasks per light, indexed by `Light as usize`: grey, green, yellow, red.
    pub lights: [usize; Light::COUNT],
}

impl Figures {
    pub fn grey(&self) -> usize {
        self.lights[Light::Grey as usize]
    }
    pub fn green(&self) -> usize {
        self.lights[Light::Green as usize]
    }
    pub fn yellow(&self) -> usize {
        self.lights[Light::Yellow as usize]
    }
    pub fn red(&self) -> usize {
        self.lights[Light::Red as usize]
    }

    pub fn completion(&self) -> f64 {
        ratio(self.done, self.tasks)
    }

    /// Reports due by now or filed.
    pub fn counted(&self) -> usize {
        self.owed - self.pending
    }

    pub fn on_time_rate(&self) -> f64 {
        ratio(self.on_time, self.counted())
    }

    pub fn pct(x: f64) -> String {
        format!("{:.0}%", x * 100.0)
    }
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A round's figures: completion from the leads' reports, the on-time rate over every
/// obligation, and one light per task (the worst over its lead reports; a task may have several
/// leads).
pub fn figures(owed: &[OwedFacts], today: Date, t: &Thresholds) -> Figures {
    let mut f = Figures::default();
    let mut tasks = HashSet::new();
    let mut task_lights: HashMap<i64, Light> = HashMap::new();
    for o in owed {
        tasks.insert(o.task_id);
        f.owed += 1;
        if let Some(r) = &o.report {
            f.filed += 1;
            if !r.late {
                f.on_time += 1;
            }
        } else if o.standing == Standing::Open {
            f.pending += 1;
        }
        if o.kind == ReportKind::Task {
            if o.report.is_some_and(|r| r.status == WorkStatus::Done) {
                f.done += 1;
            }
            let light = task_light(o.report.as_ref(), o.standing, o.due, &o.window, today, t).light;
            let worst = task_lights.entry(o.task_id).or_insert(light);
            *worst = (*worst).max(light);
        }
    }
    for light in task_lights.values() {
        f.lights[*light as usize] += 1;
    }
    f.tasks = tasks.len();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn rounds_walk_across_year_ends() {
        let r = Round::parse("2026-Q1").unwrap();
        assert_eq!(r.prev().key(), "2025-Q4");
        assert_eq!(r.prev().next(), r);
        assert_eq!(
            r.trail(3).iter().map(Round::key).collect::<Vec<_>>(),
            ["2025-Q3", "2025-Q4", "2026-Q1"]
        );
        assert_eq!(Round::of(d("2024-02-29")).key(), "2024-Q1");
        assert!(Round::parse("2026-Q5").is_none());
    }

    #[test]
    fn standing_comes_from_the_review_or_the_deadline() {
        let due = d("2026-09-19");
        let table = [
            (None, "2026-09-19", Standing::Open),
            (None, "2026-09-20", Standing::Missing),
            (
                Some(ReviewState::Submitted),
                "2026-12-01",
                Standing::Submitted,
            ),
            (
                Some(ReviewState::Returned),
                "2026-09-01",
                Standing::Returned,
            ),
            (
                Some(ReviewState::Accepted),
                "2026-09-30",
                Standing::Accepted,
            ),
        ];
        for (filed, today, want) in table {
            assert_eq!(
                Standing::of(filed, due, d(today)),
                want,
                "{filed:?} {today}"
            );
        }
    }

    fn owed(task: i64, standing: Standing, late: Option<bool>) -> OwedFacts<'static> {
        OwedFacts {
            task_id: task,
            unit_id: 7,
            unit_name: "u",
            kind: ReportKind::Task,
            standing,
            due: Date::new(2026, 9, 19).unwrap(),
            window: TaskWindow::default(),
            report: late.map(|late| FiledFacts {
                late,
                returns: 0,
                state: ReviewState::Submitted,
                status: WorkStatus::Ongoing,
                progress: 10,
            }),
        }
    }

    #[test]
    fn the_on_time_rate_counts_only_what_is_due_or_filed() {
        let today = d("2026-09-25");
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
        assert_eq!(s.on_time_percent(), Some(33.3));
        // Nothing due or filed yet: no rate, not 0.
        let pending = &scorecards(&[owed(5, Standing::Open, None)], &[], today)[0];
        assert_eq!(
            (pending.on_time_percent(), pending.on_time_pct().as_str()),
            (None, "—")
        );
        let f = figures(&rows, today, &Thresholds::default());
        assert_eq!(
            (f.tasks, f.owed, f.pending, f.filed, f.on_time),
            (4, 4, 1, 2, 1)
        );
        assert_eq!(f.lights.iter().sum::<usize>(), 4);
    }

    #[test]
    fn items_count_closed_on_time_and_overdue_for_their_lead() {
        let item = |closed, closed_on: Option<&str>, due: &str| ItemFacts {
            lead_unit_id: 9,
            lead_unit_name: "商务厅",
            closed,
            closed_on: closed_on.map(d),
            due: d(due),
        };
        let items = [
            item(true, Some("2026-09-01"), "2026-09-10"),
            item(true, Some("2026-09-11"), "2026-09-10"),
            item(false, None, "2026-09-24"),
            item(false, None, "2026-09-25"),
        ];
        let s = &scorecards(&[], &items, d("2026-09-25"))[0];
        assert_eq!(
            (
                s.unit_name.as_str(),
                s.items,
                s.items_closed,
                s.items_closed_on_time,
                s.items_overdue
            ),
            ("商务厅", 4, 2, 1, 1)
        );
    }

    #[test]
    fn reporting_starts_at_the_document_or_the_current_round() {
        let table = [
            (Some("2026-11-25"), "2026-12-02", "2026-11-25"),
            (Some("2020-01-22"), "2026-12-02", "2026-10-01"),
            (None, "2026-12-02", "2026-10-01"),
            (Some("2026-02-10"), "2026-09-21", "2026-07-01"),
            (Some("2026-07-01"), "2026-09-21", "2026-07-01"),
        ];
        for (doc, today, want) in table {
            assert_eq!(
                default_reporting_from(doc.map(d), d(today)),
                d(want),
                "{doc:?} {today}"
            );
        }
    }

    #[test]
    fn a_task_owes_from_its_start_until_it_is_done() {
        let q = |y, i| DueRule::default().period(y, i);
        let from_nov = TaskWindow {
            starts_on: Some(d("2026-11-25")),
            ..Default::default()
        };
        let done_in_q3 = TaskWindow {
            starts_on: Some(d("2026-02-10")),
            completed_on: Some(d("2026-08-30")),
            ..Default::default()
        };
        let table = [
            (TaskWindow::default(), q(2020, 1), true),
            (from_nov, q(2020, 1), false),
            (from_nov, q(2026, 3), false),
            // Q4 is due 12-19, after the signing: owed.
            (from_nov, q(2026, 4), true),
            (from_nov, q(2027, 1), true),
            (
                TaskWindow {
                    starts_on: Some(d("2026-12-25")),
                    ..Default::default()
                },
                q(2026, 4),
                false,
            ),
            (done_in_q3, q(2026, 1), true),
            (done_in_q3, q(2026, 3), true),
            (done_in_q3, q(2026, 4), false),
        ];
        for (w, p, want) in table {
            assert_eq!(w.owes(&p), want, "{w:?} {}", p.key());
        }
    }

    #[test]
    fn task_lights_wait_for_the_deadline_and_run_over_the_tasks_own_window() {
        let t = Thresholds::default();
        let due = d("2026-12-19");
        let signed = TaskWindow {
            starts_on: Some(d("2026-11-25")),
            ..Default::default()
        };
        let with_deadline = TaskWindow {
            starts_on: Some(d("2026-01-01")),
            deadline: Some(d("2026-06-30")),
            ..Default::default()
        };
        let filed = |progress, status, state| FiledFacts {
            late: false,
            returns: 0,
            state,
            status,
            progress,
        };
        let ongoing = |p| filed(p, WorkStatus::Ongoing, ReviewState::Submitted);
        struct Case {
            report: Option<FiledFacts>,
            standing: Standing,
            window: TaskWindow,
            today: &'static str,
            light: Light,
            reason: &'static str,
        }
        let table = [
            // Before the deadline nothing filed is neutral, however late in the year.
            Case {
                report: None,
                standing: Standing::Open,
                window: signed,
                today: "2026-12-02",
                light: Light::Grey,
                reason: "本期待报送，截止 12-19，还有 17 天",
            },
            Case {
                report: None,
                standing: Standing::Open,
                window: TaskWindow::default(),
                today: "2026-12-02",
                light: Light::Grey,
                reason: "本期待报送",
            },
            // Past the deadline it is red.
            Case {
                report: None,
                standing: Standing::Missing,
                window: signed,
                today: "2026-12-22",
                light: Light::Red,
                reason: "本期报告逾期未报（截止 12-19，已逾期 3 天）",
            },
            // 序时进度 runs from the signing: 10% a week after it is on pace.
            Case {
                report: Some(ongoing(10)),
                standing: Standing::Submitted,
                window: signed,
                today: "2026-12-02",
                light: Light::Green,
                reason: "进度正常",
            },
            // Truly behind: 20% of a task due at the end of June, in May.
            Case {
                report: Some(ongoing(20)),
                standing: Standing::Submitted,
                window: with_deadline,
                today: "2026-05-20",
                light: Light::Red,
                reason: "落后序时进度",
            },
            // Past its 完成时限 and not done: red even before the period is due.
            Case {
                report: None,
                standing: Standing::Open,
                window: with_deadline,
                today: "2026-09-01",
                light: Light::Red,
                reason: "已超过完成时限（2026-06-30）63 天",
            },
            Case {
                report: Some(filed(60, WorkStatus::Lagging, ReviewState::Submitted)),
                standing: Standing::Submitted,
                window: TaskWindow::default(),
                today: "2026-07-02",
                light: Light::Yellow,
                reason: "单位报告进度滞后",
            },
            Case {
                report: Some(filed(55, WorkStatus::Ongoing, ReviewState::Returned)),
                standing: Standing::Returned,
                window: TaskWindow::default(),
                today: "2026-07-02",
                light: Light::Yellow,
                reason: "本期报告已退回，待修改",
            },
            Case {
                report: Some(filed(100, WorkStatus::Done, ReviewState::Accepted)),
                standing: Standing::Accepted,
                window: with_deadline,
                today: "2026-09-01",
                light: Light::Green,
                reason: "已完成",
            },
        ];
        for c in table {
            let a = task_light(
                c.report.as_ref(),
                c.standing,
                due,
                &c.window,
                d(c.today),
                &t,
            );
            assert_eq!(
                a.light, c.light,
                "{} {:?}: {:?}",
                c.today, c.window, a.reasons
            );
            assert!(
                a.reasons.iter().any(|r| r.contains(c.reason)),
                "{} {:?}: {:?}",
                c.today,
                c.window,
                a.reasons
            );
        }
    }
}
