//! Reporting periods and their deadlines (信息报送).
//!
//! The default rule: every quarter, due before the 20th of the quarter's last month. A document's
//! own rule (每季度末月25日前, 每年12月10日前, 每月5日前, …, read by the parser as a
//! `ReportingRule`) overrides it for that document's tasks. "Before the Nth" is taken literally:
//! the last day that is on time is the day before the Nth (for the 1st, the previous month's last
//! day).

use luoshi_doc::{Period, ReportingRule, RuleKind};
use serde::{Deserialize, Serialize};

use crate::calendar::{Date, days_in_month};

/// When reports fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRule {
    pub every: Period,
    /// Month of the period the deadline is in (1-based; 3 = a quarter's last month).
    pub month_of_period: u32,
    /// Reports are due before this day of that month.
    pub before_day: u32,
}

impl Default for DueRule {
    fn default() -> DueRule {
        DueRule {
            every: Period::Quarter,
            month_of_period: 3,
            before_day: 20,
        }
    }
}

fn months(p: Period) -> u32 {
    match p {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::HalfYear => 6,
        Period::Year => 12,
    }
}

impl DueRule {
    /// The rule a document states for reports, if it states a deadline.
    pub fn from_rules(rules: &[ReportingRule]) -> Option<DueRule> {
        rules
            .iter()
            .filter(|r| r.what == RuleKind::Report)
            .find_map(|r| {
                let day = r.day?;
                let len = months(r.every);
                let month = r.month_of_period.unwrap_or(len).clamp(1, len);
                (1..=31).contains(&day).then_some(DueRule {
                    every: r.every,
                    month_of_period: month,
                    before_day: day,
                })
            })
    }

    /// The period that contains `date`.
    pub fn period_of(&self, date: Date) -> ReportPeriod {
        let len = months(self.every);
        let index = (date.month - 1) / len + 1;
        self.period(date.year, index)
    }

    /// Period `index` (1-based) of `year`.
    pub fn period(&self, year: i32, index: u32) -> ReportPeriod {
        let len = months(self.every);
        let first_month = (index - 1) * len + 1;
        let last_month = first_month + len - 1;
        let start = Date {
            year,
            month: first_month,
            day: 1,
        };
        let end = Date {
            year,
            month: last_month,
            day: days_in_month(year, last_month),
        };
        let due_month = first_month + self.month_of_period - 1;
        let day = self.before_day.min(days_in_month(year, due_month) + 1);
        let due = Date {
            year,
            month: due_month,
            day: 1,
        }
        .add_days(i64::from(day) - 2);
        ReportPeriod {
            rule: *self,
            year,
            index,
            start,
            end,
            due,
        }
    }

    /// The period a key names under this rule, if the key is of this rule's kind.
    pub fn from_key(&self, key: &str) -> Option<ReportPeriod> {
        self.period_at(PeriodKey::parse(key)?)
    }

    /// The period a parsed key names under this rule, if the key is of this rule's kind.
    pub fn period_at(&self, key: PeriodKey) -> Option<ReportPeriod> {
        (key.every == self.every).then(|| self.period(key.year, key.index))
    }

    /// This rule's periods that end within calendar quarter `quarter` (1–4) of `year`: what a
    /// task under this rule owes in that quarter's reporting round (three monthly reports, one
    /// quarterly, a half-year's in Q2 and Q4, a year's in Q4).
    pub fn periods_in_quarter(&self, year: i32, quarter: u32) -> Vec<ReportPeriod> {
        let q = DueRule::default().period(year, quarter.clamp(1, 4));
        self.periods_between(q.start, q.end)
            .into_iter()
            .filter(|p| p.end >= q.start && p.end <= q.end)
            .collect()
    }

    /// Every period overlapping `from..=to`, in order (across year ends).
    pub fn periods_between(&self, from: Date, to: Date) -> Vec<ReportPeriod> {
        let mut out = Vec::new();
        let mut p = self.period_of(from);
        while p.start <= to {
            out.push(p);
            p = p.next();
        }
        out
    }
}

/// One reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    pub rule: DueRule,
    pub year: i32,
    /// 1-based: quarter 1–4, half 1–2, month 1–12, 1 for a year.
    pub index: u32,
    pub start: Date,
    pub end: Date,
    /// The last day a report is on time.
    pub due: Date,
}

impl ReportPeriod {
    /// The period after this one (across the year end).
    pub fn next(&self) -> ReportPeriod {
        let count = 12 / months(self.rule.every);
        if self.index < count {
            self.rule.period(self.year, self.index + 1)
        } else {
            self.rule.period(self.year + 1, 1)
        }
    }

    /// Its stable key: `2026-Q3`, `2026-H1`, `2026-M05`, `2026-Y`.
    pub fn key(&self) -> PeriodKey {
        PeriodKey {
            year: self.year,
            every: self.rule.every,
            index: self.index,
        }
    }

    /// Whether a report filed on `day` is on time.
    pub fn on_time(&self, day: Date) -> bool {
        day <= self.due
    }

    /// 2026年第3季度, 2026年上半年, 2026年5月, 2026年度.
    pub fn label(&self) -> String {
        match self.rule.every {
            Period::Quarter => format!("{}年第{}季度", self.year, self.index),
            Period::HalfYear => {
                format!(
                    "{}年{}",
                    self.year,
                    if self.index == 1 {
                        "上半年"
                    } else {
                        "下半年"
                    }
                )
            }
            Period::Month => format!("{}年{}月", self.year, self.index),
            Period::Year => format!("{}年度", self.year),
        }
    }
}

/// A period named without its deadline rule: `2026-Q3`, `2026-H1`, `2026-M05`, `2026-Y`. This is
/// what records store; the rule of the task's document turns it back into a `ReportPeriod`.
/// Serialised as its key string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeriodKey {
    pub year: i32,
    pub every: Period,
    /// 1-based: quarter 1–4, half 1–2, month 1–12, 1 for a year.
    pub index: u32,
}

impl PeriodKey {
    /// Parses a key; `None` for anything that is not one (a year outside 1900–2999, an index out
    /// of range, another letter).
    pub fn parse(key: &str) -> Option<PeriodKey> {
        let (year, rest) = key.split_once('-')?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok().filter(|y| (1900..=2999).contains(y))?;
        let kind = rest.get(..1)?;
        let index = &rest[1..];
        let index: u32 = if kind == "Y" && index.is_empty() {
            1
        } else {
            index.parse().ok()?
        };
        let every = match kind {
            "Q" => Period::Quarter,
            "H" => Period::HalfYear,
            "M" => Period::Month,
            "Y" => Period::Year,
            _ => return None,
        };
        (1..=12 / months(every))
            .contains(&index)
            .then_some(PeriodKey { year, every, index })
    }

    /// The first month (1–12) the period covers.
    pub fn first_month(&self) -> u32 {
        (self.index - 1) * months(self.every) + 1
    }
}

impl Ord for PeriodKey {
    /// By year, then by the first month covered, then the shorter period first.
    fn cmp(&self, other: &PeriodKey) -> std::cmp::Ordering {
        (self.year, self.first_month(), months(self.every)).cmp(&(
            other.year,
            other.first_month(),
            months(other.every),
        ))
    }
}

impl PartialOrd for PeriodKey {
    fn partial_cmp(&self, other: &PeriodKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.every {
            Period::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            Period::HalfYear => write!(f, "{}-H{}", self.year, self.index),
            Period::Month => write!(f, "{}-M{:02}", self.year, self.index),
            Period::Year => write!(f, "{}-Y", self.year),
        }
    }
}

impl Serialize for PeriodKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PeriodKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PeriodKey, D::Error> {
        let s = String::deserialize(d)?;
        PeriodKey::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a period key: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn rule(every: Period, month_of_period: u32, before_day: u32) -> DueRule {
        DueRule {
            every,
            month_of_period,
            before_day,
        }
    }

    #[test]
    fn keys_name_periods_and_round_trip() {
        let cases = [
            (rule(Period::Quarter, 3, 20), "2026-12-31", "2026-Q4"),
            (rule(Period::HalfYear, 6, 10), "2024-02-29", "2024-H1"),
            (rule(Period::Month, 1, 5), "2025-01-31", "2025-M01"),
            (rule(Period::Year, 12, 10), "2028-07-01", "2028-Y"),
        ];
        for (r, day, key) in cases {
            let p = r.period_of(d(day));
            assert_eq!(p.key().to_string(), key);
            assert_eq!(PeriodKey::parse(key), Some(p.key()));
            assert_eq!(r.from_key(key), Some(p));
        }
        let q = DueRule::default();
        for bad in [
            "2026-Q5", "2026-Q0", "2026-M03", "26-Q1", "2026Q1", "2026-Q", "",
        ] {
            assert_eq!(q.from_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_order_by_time_and_serialise_as_strings() {
        let k = |s: &str| PeriodKey::parse(s).unwrap();
        let mut keys = [
            k("2027-Q1"),
            k("2026-Y"),
            k("2026-M12"),
            k("2026-Q4"),
            k("2026-H2"),
        ];
        keys.sort();
        let sorted: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(
            sorted,
            ["2026-Y", "2026-H2", "2026-Q4", "2026-M12", "2027-Q1"]
        );
        let json = serde_json::to_string(&k("2026-M05")).unwrap();
        assert_eq!(json, "\"2026-M05\"");
        assert_eq!(
            serde_json::from_str::<PeriodKey>(&json).unwrap(),
            k("2026-M05")
        );
        assert!(serde_json::from_str::<PeriodKey>("\"2026-Q9\"").is_err());
        for bad in ["2026-H3", "2026-Y1x", "02026-Q1", "2026-", "2026-q1"] {
            assert_eq!(PeriodKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_quarters_round_holds_the_periods_ending_in_it() {
        let keys = |r: DueRule, q| {
            r.periods_in_quarter(2026, q)
                .iter()
                .map(|p| p.key().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(DueRule::default(), 3), ["2026-Q3"]);
        assert_eq!(
            keys(rule(Period::Month, 1, 5), 1),
            ["2026-M01", "2026-M02", "2026-M03"]
        );
        assert!(keys(rule(Period::HalfYear, 6, 10), 1).is_empty());
        assert_eq!(keys(rule(Period::HalfYear, 6, 10), 2), ["2026-H1"]);
        assert_eq!(keys(rule(Period::Year, 12, 10), 4), ["2026-Y"]);
        assert!(keys(rule(Period::Year, 12, 10), 3).is_empty());
    }

    #[test]
    fn the_default_is_before_the_20th_of_the_quarters_last_month() {
        let r = DueRule::default();
        let cases = [
            ("2026-01-01", "2026年第1季度", "2026-03-19"),
            ("2026-05-17", "2026年第2季度", "2026-06-19"),
            ("2026-09-30", "2026年第3季度", "2026-09-19"),
            ("2026-12-31", "2026年第4季度", "2026-12-19"),
        ];
        for (day, label, due) in cases {
            let p = r.period_of(d(day));
            assert_eq!(
                (p.label(), p.due.to_string()),
                (label.to_string(), due.to_string()),
                "{day}"
            );
        }
        let q3 = r.period_of(d("2026-08-01"));
        assert!(q3.on_time(d("2026-09-19")));
        assert!(!q3.on_time(d("2026-09-20")));
    }

    #[test]
    fn periods_run_across_year_ends() {
        let r = DueRule::default();
        let ps = r.periods_between(d("2025-11-15"), d("2026-04-01"));
        let labels: Vec<String> = ps.iter().map(|p| p.label()).collect();
        assert_eq!(labels, ["2025年第4季度", "2026年第1季度", "2026年第2季度"]);
        assert_eq!(ps[0].end, d("2025-12-31"));
        assert_eq!(ps[1].start, d("2026-01-01"));
        let monthly = rule(Period::Month, 1, 5);
        let ps = monthly.periods_between(d("2025-12-10"), d("2026-01-10"));
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].due, d("2026-01-04"));
    }

    #[test]
    fn leap_years_and_short_months() {
        // Before the 30th of February: the last day of February is on time.
        let r = rule(Period::Quarter, 2, 30);
        assert_eq!(r.period(2024, 1).due, d("2024-02-29"));
        assert_eq!(r.period(2026, 1).due, d("2026-02-28"));
        // Before the 1st: the previous month's last day.
        let r = rule(Period::Quarter, 3, 1);
        assert_eq!(r.period(2024, 1).due, d("2024-02-29"));
        assert_eq!(r.period(2025, 1).due, d("2025-02-28"));
        // A yearly rule before 10 December; a half-year rule in its sixth month.
        assert_eq!(
            rule(Period::Year, 12, 10).period_of(d("2028-02-29")).due,
            d("2028-12-09")
        );
        let h = rule(Period::HalfYear, 6, 25).period_of(d("2026-10-01"));
        assert_eq!(
            (h.label(), h.due),
            ("2026年下半年".to_string(), d("2026-12-24"))
        );
    }

    #[test]
    fn a_documents_rule_overrides_the_default() {
        let parsed = ReportingRule {
            what: RuleKind::Report,
            every: Period::Quarter,
            month_of_period: Some(3),
            day: Some(25),
            count: None,
            count_max: None,
            text: String::new(),
            line: 1,
        };
        let r = DueRule::from_rules(std::slice::from_ref(&parsed)).unwrap();
        assert_eq!(r.period(2026, 4).due, d("2026-12-24"));
        let meeting = ReportingRule {
            what: RuleKind::Meeting,
            ..parsed
        };
        assert_eq!(DueRule::from_rules(&[meeting]), None);
    }
}
