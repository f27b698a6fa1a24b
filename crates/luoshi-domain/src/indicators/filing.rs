//! Filing an indicator's value (填报): the period it is for, the years the plan allows, the one
//! check every way in applies (a report's form, the API, a statistics sheet), and the plan of a
//! statistics sheet (统计报表) — which rows change which values, or each bad row with its reason.
//!
//! A value is for a year (`None`) or a quarter's year-to-date (累计, `Some(1..=4)`). The plan's
//! years run from five years before the first milestone (or the baseline's year, if earlier) to
//! the last milestone; a year still to come is refused.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Decimal, check_value, magnitude_doubt};

crate::codes! {
    /// How a value came in: with a unit's report (reviewed with it), from a statistics sheet
    /// the office imported, or entered by the office (its page or the API). The office's own
    /// values are accepted as they are written.
    pub enum ValueOrigin {
        Report = ("report", "随报告填报"),
        Sheet = ("sheet", "统计报表导入"),
        Office = ("office", "办公室录入"),
    }
}

/// The period words a statistics sheet or a form may use: the whole year, or a quarter's
/// year-to-date (一季度, 1-3月, 上半年, 1-6月, 前三季度, 1-9月, 四季度, Q1 …). `Err` names what was
/// written.
pub fn parse_period(text: &str) -> Result<Option<u8>, String> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace(['—', '－', '–', '~', '～', '至'], "-")
        .to_uppercase();
    let t = t
        .trim_end_matches("累计")
        .trim_end_matches("末")
        .trim_start_matches("第");
    let q = match t {
        "" | "全年" | "年" | "年度" | "全年度" | "YEAR" | "1-12月" | "12月" => {
            return Ok(None);
        }
        "一季度" | "1季度" | "Q1" | "1-3月" | "3月" => 1,
        "二季度" | "2季度" | "Q2" | "上半年" | "1-6月" | "6月" => 2,
        "三季度" | "3季度" | "Q3" | "前三季度" | "1-9月" | "9月" => 3,
        "四季度" | "4季度" | "Q4" => 4,
        _ => {
            return Err(format!(
                "期别“{}”无法识别，应为 全年、一季度、上半年、前三季度、四季度 或 1-3月 等",
                text.trim()
            ));
        }
    };
    Ok(Some(q))
}

/// A period in words: 2026年全年, 2026年1-6月累计.
pub fn period_label(year: i32, quarter: Option<u8>) -> String {
    match quarter {
        None => format!("{year}年全年"),
        Some(q) => format!("{year}年1-{}月累计", u32::from(q) * 3),
    }
}

/// The period as the API and the CLI write it: `year`, `Q1` … `Q4`.
pub fn period_code(quarter: Option<u8>) -> String {
    quarter.map_or("year".to_string(), |q| format!("Q{q}"))
}

/// What a value is checked against: the indicator as the store knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Known {
    pub id: i64,
    pub subject: String,
    pub scope: Option<String>,
    pub unit: String,
    /// The first and last year the plan allows values for.
    pub years: (i32, i32),
    /// The latest accepted value, else the nearest milestone's target: what a thousandfold
    /// slip is measured against.
    pub reference: Option<Decimal>,
    /// The accepted values by (year, quarter), for a preview's 原值.
    pub current: HashMap<(i32, Option<u8>), Decimal>,
}

/// The plan's years: five before the first milestone, or the baseline's if earlier, to the last.
pub fn plan_years(milestone_years: &[i32], baseline_year: Option<i32>) -> Option<(i32, i32)> {
    let first = *milestone_years.iter().min()?;
    let last = *milestone_years.iter().max()?;
    Some((baseline_year.map_or(first - 5, |b| b.min(first - 5)), last))
}

/// A refusal naming the field it is about (年份, 期别, 数值, 单位, 指标, 范围).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub field: String,
    pub reason: String,
}

fn refuse(field: &str, reason: String) -> Refusal {
    Refusal {
        field: field.to_string(),
        reason,
    }
}

/// One value as filed, in the indicator's unit; the one check for every way in.
pub fn check_filing(
    k: &Known,
    year: i32,
    quarter: Option<u8>,
    value: &str,
    unit: &str,
    this_year: i32,
) -> Result<Decimal, Refusal> {
    let (first, last) = k.years;
    if year > this_year {
        return Err(refuse(
            "年份",
            format!("{year}年尚未到来，不能填报该年数值"),
        ));
    }
    if year < first || year > last {
        return Err(refuse(
            "年份",
            format!("{year}年不在该指标的规划期（{first}—{last}年）内"),
        ));
    }
    if quarter.is_some_and(|q| !(1..=4).contains(&q)) {
        return Err(refuse("期别", "季度应为 1 到 4".into()));
    }
    if value.trim().is_empty() {
        return Err(refuse("数值", "未填数值".into()));
    }
    let v = check_value(value, unit, &k.unit).map_err(|r| {
        let field = if r.starts_with("单位") {
            "单位"
        } else {
            "数值"
        };
        refuse(field, r)
    })?;
    if let Some(reference) = k.reference
        && let Some(doubt) = magnitude_doubt(v, reference, &k.unit)
    {
        return Err(refuse("数值", doubt));
    }
    Ok(v)
}

/// One data row of a statistics sheet, as read (cells as text), with its row number.
pub use luoshi_doc::statistics::StatRow as SheetRow;

/// What one valid row does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub row: usize,
    pub indicator_id: i64,
    pub subject: String,
    pub scope: Option<String>,
    pub year: i32,
    pub quarter: Option<u8>,
    /// In the indicator's unit.
    pub value: Decimal,
    pub unit: String,
    /// The accepted value it replaces, if any.
    pub before: Option<Decimal>,
    pub source: Option<String>,
}

impl Change {
    /// 新增, 修改 or 不变 (the accepted value again: nothing is written for it).
    pub fn kind(&self) -> ChangeKind {
        match self.before {
            None => ChangeKind::New,
            Some(b) if b == self.value => ChangeKind::Same,
            Some(_) => ChangeKind::Changed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Changed,
    Same,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::New => "新增",
            ChangeKind::Changed => "修改",
            ChangeKind::Same => "不变",
        }
    }
}

/// A bad row: its number, the column and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl RowProblem {
    /// "第 5 行“数值”列：…".
    pub fn text(&self) -> String {
        format!("第 {} 行“{}”列：{}", self.row, self.column, self.reason)
    }
}

/// A subject as compared: without spaces and full-width brackets folded.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// The sheet's plan: every row matched to its indicator (by subject, and by scope where the
/// subject has several) and checked; the changes, and every bad row with its reason. Nothing
/// is to be written unless `problems` is empty. A row the same as an accepted value is kept as
/// [`ChangeKind::Same`] (written as nothing).
pub fn plan_sheet(
    rows: &[SheetRow],
    known: &[Known],
    this_year: i32,
) -> (Vec<Change>, Vec<RowProblem>) {
    let mut by_subject: HashMap<String, Vec<&Known>> = HashMap::new();
    for k in known {
        by_subject.entry(fold(&k.subject)).or_default().push(k);
    }
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<(i64, i32, Option<u8>), usize> = HashMap::new();
    for r in rows {
        let mut problem = |column: &str, reason: String| {
            problems.push(RowProblem {
                row: r.row,
                column: column.to_string(),
                reason,
            })
        };
        let subject = r.subject.trim();
        if subject.is_empty() {
            problem("指标", "未填指标名称".into());
            continue;
        }
        let Some(candidates) = by_subject.get(&fold(subject)) else {
            problem("指标", format!("没有名为“{subject}”的指标"));
            continue;
        };
        let scope = fold(&r.scope);
        let fits: Vec<&Known> = if scope.is_empty() {
            candidates.clone()
        } else {
            candidates
                .iter()
                .copied()
                .filter(|k| k.scope.as_deref().map(fold).unwrap_or_default() == scope)
                .collect()
        };
        let k = match fits.as_slice() {
            [k] => *k,
            [] => {
                problem(
                    "范围",
                    format!("指标“{subject}”没有范围为“{}”的", r.scope.trim()),
                );
                continue;
            }
            many => {
                let scopes: Vec<&str> = many
                    .iter()
                    .map(|k| k.scope.as_deref().unwrap_or("（未注明）"))
                    .collect();
                problem(
                    "范围",
                    format!(
                        "指标“{subject}”有多个范围（{}），请填写范围",
                        scopes.join("、")
                    ),
                );
                continue;
            }
        };
        let year_text = r.year.trim().trim_end_matches('年');
        let year_text = year_text.strip_suffix(".0").unwrap_or(year_text);
        let Ok(year) = year_text.parse::<i32>() else {
            problem("年份", format!("“{}”不是年份", r.year.trim()));
            continue;
        };
        let quarter = match parse_period(&r.period) {
            Ok(q) => q,
            Err(reason) => {
                problem("期别", reason);
                continue;
            }
        };
        let value = match check_filing(k, year, quarter, &r.value, &r.unit, this_year) {
            Ok(v) => v,
            Err(refusal) => {
                problem(&refusal.field, refusal.reason);
                continue;
            }
        };
        if let Some(first) = seen.insert((k.id, year, quarter), r.row) {
            problem(
                "期别",
                format!(
                    "与第 {first} 行重复：同一指标的{}只能有一个数值",
                    period_label(year, quarter)
                ),
            );
            continue;
        }
        let source = r.source.trim();
        changes.push(Change {
            row: r.row,
            indicator_id: k.id,
            subject: k.subject.clone(),
            scope: k.scope.clone(),
            year,
            quarter,
            value,
            unit: k.unit.clone(),
            before: k.current.get(&(year, quarter)).copied(),
            source: (!source.is_empty()).then(|| source.to_string()),
        });
    }
    (changes, problems)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn periods_read_every_way_a_sheet_writes_them() {
        let table: &[(&str, Result<Option<u8>, ()>)] = &[
            ("", Ok(None)),
            ("全年", Ok(None)),
            ("年度", Ok(None)),
            ("1-12月", Ok(None)),
            ("一季度", Ok(Some(1))),
            ("第一季度", Ok(Some(1))),
            ("1—3月", Ok(Some(1))),
            ("q1", Ok(Some(1))),
            ("上半年", Ok(Some(2))),
            ("1-6月累计", Ok(Some(2))),
            ("前三季度", Ok(Some(3))),
            ("1至9月", Ok(Some(3))),
            ("四季度", Ok(Some(4))),
            ("Q4", Ok(Some(4))),
            ("五季度", Err(())),
            ("1-5月", Err(())),
        ];
        for (text, want) in table {
            assert_eq!(parse_period(text).map_err(|_| ()), *want, "{text}");
        }
        assert_eq!(period_label(2026, Some(2)), "2026年1-6月累计");
        assert_eq!(period_label(2025, None), "2025年全年");
    }

    fn known(id: i64, subject: &str, scope: Option<&str>) -> Known {
        Known {
            id,
            subject: subject.into(),
            scope: scope.map(str::to_string),
            unit: "亿元".into(),
            years: (2020, 2027),
            reference: Some(d("450")),
            current: HashMap::from([((2025, None), d("430"))]),
        }
    }

    #[test]
    fn plan_years_start_five_before_the_first_milestone_or_at_the_baseline() {
        assert_eq!(plan_years(&[2025, 2023], None), Some((2018, 2025)));
        assert_eq!(plan_years(&[2025], Some(2015)), Some((2015, 2025)));
        assert_eq!(plan_years(&[2025], Some(2022)), Some((2020, 2025)));
        assert_eq!(plan_years(&[], Some(2022)), None);
    }

    #[test]
    fn a_filing_is_refused_for_its_year_unit_magnitude_or_sign() {
        let k = known(1, "产值", None);
        let ok = |v: &str, u: &str| check_filing(&k, 2026, None, v, u, 2026);
        assert_eq!(ok("431", "亿元"), Ok(d("431")));
        assert_eq!(ok("4,310,000", "万元"), Ok(d("431")));
        assert_eq!(ok("431", ""), Ok(d("431")));
        let field = |r: Result<Decimal, Refusal>| r.unwrap_err().field;
        assert_eq!(field(ok("431", "亿美元")), "单位");
        assert_eq!(field(ok("-3", "亿元")), "数值");
        assert_eq!(field(ok("abc", "亿元")), "数值");
        assert_eq!(field(ok("", "亿元")), "数值");
        // Filed in 万元 but labelled 亿元: a thousandfold off the reference.
        assert!(ok("4310000", "亿元").unwrap_err().reason.contains("千倍"));
        assert_eq!(
            field(check_filing(&k, 2027, None, "1", "亿元", 2026)),
            "年份"
        );
        assert_eq!(
            field(check_filing(&k, 2019, None, "431", "亿元", 2026)),
            "年份"
        );
        assert_eq!(
            field(check_filing(&k, 2026, Some(5), "431", "亿元", 2026)),
            "期别"
        );
    }

    fn row(
        n: usize,
        subject: &str,
        scope: &str,
        year: &str,
        period: &str,
        value: &str,
    ) -> SheetRow {
        SheetRow {
            row: n,
            subject: subject.into(),
            scope: scope.into(),
            year: year.into(),
            period: period.into(),
            value: value.into(),
            unit: "亿元".into(),
            source: "统计局".into(),
        }
    }

    #[test]
    fn a_sheet_plans_its_changes_or_names_every_bad_row() {
        let known = vec![
            known(1, "电子信息产业产值", None),
            known(2, "外贸进出口额", Some("南宁片区")),
            known(3, "外贸进出口额", Some("钦州港片区")),
        ];
        let rows = vec![
            row(2, "电子信息产业产值", "", "2025", "全年", "430"),
            row(3, "电子信息 产业产值", "", "2026年", "上半年", "231.5"),
            row(4, "外贸进出口额", "南宁片区", "2026", "一季度", "120"),
            row(5, "外贸进出口额", "", "2026", "", "120"),
            row(6, "外贸进出口额", "崇左片区", "2026", "", "120"),
            row(7, "未知指标", "", "2026", "", "1"),
            row(8, "电子信息产业产值", "", "二〇二六", "", "1"),
            row(9, "电子信息产业产值", "", "2026", "八月", "1"),
            row(10, "电子信息产业产值", "", "2026", "1-6月", "232"),
            row(11, "电子信息产业产值", "", "2024", "", "-1"),
            row(12, "", "", "2024", "", "1"),
        ];
        let (changes, problems) = plan_sheet(&rows, &known, 2026);
        let kinds: Vec<(usize, i64, ChangeKind)> = changes
            .iter()
            .map(|c| (c.row, c.indicator_id, c.kind()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (2, 1, ChangeKind::Same),
                (3, 1, ChangeKind::New),
                (4, 2, ChangeKind::New),
            ]
        );
        assert_eq!(changes[1].quarter, Some(2));
        let named: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            named,
            vec![
                (5, "范围"),
                (6, "范围"),
                (7, "指标"),
                (8, "年份"),
                (9, "期别"),
                (10, "期别"),
                (11, "数值"),
                (12, "指标"),
            ]
        );
        assert!(problems[0].reason.contains("南宁片区、钦州港片区"));
        assert!(
            problems[5]
                .text()
                .starts_with("第 10 行“期别”列：与第 3 行重复")
        );
    }
}
