//! Indicators (指标): a document's quantified targets for one subject and scope, with their
//! milestones across years, watched against the values the units file.
//!
//! The rules here are pure: which way is better (an inverse target — 以内, 压缩, 下降 — is met by
//! going down), the level a milestone asks for (a change against a base year and a yearly growth
//! rate become levels through the base value), the expected value today on the path from the
//! baseline to the target (a straight line for levels and shares; compound growth for growth
//! rates, and the reason says which), the achieved share, the light with its reason in words, a
//! projection of the target year from the recent trend, and the checks a filed value must pass
//! (its unit and magnitude: 亿元 against 万元).
//!
//! Values are decimals as written (`rust_decimal`); the arithmetic of paths and projections is
//! in `f64` and only ever shown rounded.

use std::str::FromStr;

pub mod filing;

pub use luoshi_doc::{Comparator, Direction, Measure};
pub use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::lights::Light;

/// Which way is better for an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sense {
    /// More is better (达, 不少于, 增长).
    Up,
    /// Less is better (以内, 不超过, 压缩, 下降).
    Down,
}

/// Inverse targets go down: at most a level, or a change or rate downwards.
pub fn sense(measure: Measure, comparator: Comparator, direction: Option<Direction>) -> Sense {
    match measure {
        Measure::Level | Measure::Share if comparator == Comparator::AtMost => Sense::Down,
        Measure::Change | Measure::AnnualGrowth if direction == Some(Direction::Decrease) => {
            Sense::Down
        }
        _ => Sense::Up,
    }
}

/// How the expected value moves from the baseline to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathShape {
    /// The same amount each year (levels, shares, changes).
    Linear,
    /// The same rate each year (annual growth targets).
    Compound,
}

impl PathShape {
    pub fn of(measure: Measure) -> PathShape {
        if measure == Measure::AnnualGrowth {
            PathShape::Compound
        } else {
            PathShape::Linear
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PathShape::Linear => "线性",
            PathShape::Compound => "复合增长",
        }
    }
}

/// A milestone: the target for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub year: i32,
    pub value: Decimal,
    pub value_max: Option<Decimal>,
    pub comparator: Comparator,
}

/// A value at a moment: a year's, or a quarter's year-to-date (累计).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub year: i32,
    /// 1–4 for a quarter's year-to-date value; `None` for the whole year.
    pub quarter: Option<u8>,
    pub value: Decimal,
}

impl Point {
    pub fn year(year: i32, value: Decimal) -> Point {
        Point {
            year,
            quarter: None,
            value,
        }
    }

    /// Where the point sits on the time axis, in years: a year's value at its end (2024 →
    /// 2024.0), a quarter's at the quarter's end (2024 Q2 → 2023.5).
    pub fn at(&self) -> f64 {
        match self.quarter {
            None => self.year as f64,
            Some(q) => (self.year - 1) as f64 + f64::from(q) / 4.0,
        }
    }

    fn value(&self) -> f64 {
        to_f64(self.value)
    }
}

/// A day on the same time axis as [`Point::at`]: 31 December 2026 is 2026.0, 1 July 2026 about
/// 2025.5.
pub fn moment(d: crate::calendar::Date) -> f64 {
    let start = crate::calendar::Date::new(d.year, 1, 1).map_or(d.days(), |s| s.days());
    let length = if crate::calendar::is_leap(d.year) {
        366.0
    } else {
        365.0
    };
    f64::from(d.year - 1) + (d.days() - start + 1) as f64 / length
}

fn to_f64(d: Decimal) -> f64 {
    f64::from_str(&d.to_string()).unwrap_or(0.0)
}

/// Everything known of an indicator that its status depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub subject: String,
    pub unit: String,
    pub measure: Measure,
    pub direction: Option<Direction>,
    /// The value at the start of the path (and the base of a change or growth target).
    pub baseline: Option<Point>,
    pub milestones: Vec<Milestone>,
    /// Accepted values, any order.
    pub actuals: Vec<Point>,
    /// A yearly flow (年产值, 年度利用外资): a quarter's year-to-date value is compared with
    /// that share of the year's expected value. A stock or a rate is compared as it stands.
    pub cumulative: bool,
}

/// The office's thresholds for indicators: lag behind the expected value, percent of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndicatorThresholds {
    pub yellow_lag: f64,
    pub red_lag: f64,
}

impl Default for IndicatorThresholds {
    fn default() -> IndicatorThresholds {
        IndicatorThresholds {
            yellow_lag: 5.0,
            red_lag: 15.0,
        }
    }
}

impl IndicatorThresholds {
    /// The office's thresholds are percentages, yellow no larger than red.
    pub fn check(&self) -> Result<(), &'static str> {
        let ok = |v: f64| (0.0..=100.0).contains(&v);
        if ok(self.yellow_lag) && ok(self.red_lag) && self.yellow_lag <= self.red_lag {
            Ok(())
        } else {
            Err("指标预警阈值无效：落后百分比须在 0–100 之间，且黄灯不大于红灯")
        }
    }
}

/// The value the trend points to in the milestone's year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub year: i32,
    pub value: f64,
    /// The projection reaches the milestone.
    pub meets: bool,
}

/// Where an indicator stands, and why in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub light: Light,
    /// The milestone judged: the first not yet past, else the last.
    pub milestone_year: Option<i32>,
    /// The level that milestone asks for, in the indicator's unit.
    pub target: Option<f64>,
    /// Achieved share of the way to the target, percent.
    pub progress: Option<f64>,
    /// The expected value at the latest actual's moment.
    pub expected: Option<f64>,
    pub path: PathShape,
    pub projection: Option<Projection>,
    pub reason: String,
}

/// Whether an indicator is a yearly flow (年产值, 年度利用外资, 进出口额, 开行量, 货运量), whose
/// quarter values are year-to-date (累计) and compared with that share of the year's expected
/// value; a stock (企业数, 航线) or a duration or a rate is compared as it stands.
pub fn is_flow(subject: &str, unit: &str, measure: Measure) -> bool {
    const DURATIONS: [&str; 4] = ["小时", "工作日", "天", "分钟"];
    const FLOWS: [&str; 5] = ["额", "产值", "量", "收入", "外资"];
    measure == Measure::Level
        && unit != "%"
        && !DURATIONS.iter().any(|u| unit.ends_with(u))
        && (subject.contains('年') || FLOWS.iter().any(|f| subject.ends_with(f)))
}

/// What an indicator's number measures, in words.
pub fn measure_label(m: Measure) -> &'static str {
    match m {
        Measure::Level => "总量",
        Measure::Share => "占比",
        Measure::Change => "较基期变化",
        Measure::AnnualGrowth => "年均增长",
    }
}

/// A milestone as a line: "2025年 ≥ 700亿元", "2025年 50—60万辆".
pub fn milestone_text(m: &Milestone, unit: &str) -> String {
    let cmp = match m.comparator {
        Comparator::AtLeast => "≥ ",
        Comparator::AtMost => "≤ ",
        Comparator::Equal | Comparator::Range => "",
    };
    match m.value_max {
        Some(max) => format!("{}年 {}—{}{unit}", m.year, m.value, max),
        None => format!("{}年 {cmp}{}{unit}", m.year, m.value),
    }
}

/// A number as people read it: at most two decimals, no trailing zeros.
pub fn show(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The level a milestone asks for, in the indicator's unit. A level or share is its value (a
/// range: the end that must be passed); a change is the base value moved by it (a percentage of
/// it, or an amount); an annual growth rate compounds the base value to the milestone's year.
/// `None` when a change or rate has no base value to start from.
pub fn target_level(
    measure: Measure,
    direction: Option<Direction>,
    unit: &str,
    milestone: &Milestone,
    base: Option<&Point>,
) -> Option<f64> {
    let value = to_f64(milestone.value);
    let down = direction == Some(Direction::Decrease);
    match measure {
        Measure::Level | Measure::Share => {
            Some(match (milestone.comparator, milestone.value_max) {
                (Comparator::AtMost, _) => value,
                (Comparator::Range, Some(max)) if down => to_f64(max),
                _ => value,
            })
        }
        Measure::Change => {
            let b = base?.value();
            let signed = if down { -value } else { value };
            Some(if unit == "%" {
                b * (1.0 + signed / 100.0)
            } else {
                b + signed
            })
        }
        Measure::AnnualGrowth => {
            let base = base?;
            let years = (f64::from(milestone.year) - base.at()).max(0.0);
            let rate = if down { -value } else { value } / 100.0;
            Some(base.value() * (1.0 + rate).powf(years))
        }
    }
}

/// The expected value at moment `t` on the path from `start` to `target` in `target_year`.
pub fn expected_at(start: &Point, target_year: i32, target: f64, shape: PathShape, t: f64) -> f64 {
    let span = f64::from(target_year) - start.at();
    let b = start.value();
    if span <= 0.0 {
        return target;
    }
    let frac = ((t - start.at()) / span).clamp(0.0, 1.0);
    match shape {
        PathShape::Compound if b > 0.0 && target > 0.0 => b * (target / b).powf(frac),
        _ => b + (target - b) * frac,
    }
}

/// A share from its numerator and denominator, percent; `None` when the whole is zero.
pub fn share_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    Some(
        (part * Decimal::ONE_HUNDRED / whole)
            .round_dp(2)
            .normalize(),
    )
}

/// The recent trend carried to `year`: a least-squares line through the last three year
/// values for a linear path, their average yearly rate for a compound one.
fn project(points: &[&Point], year: i32, shape: PathShape) -> Option<f64> {
    let recent: Vec<(f64, f64)> = points
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|p| (p.at(), p.value()))
        .collect();
    if recent.len() < 2 {
        return None;
    }
    let (first, last) = (recent[0], recent[recent.len() - 1]);
    let ahead = f64::from(year) - last.0;
    if shape == PathShape::Compound && first.1 > 0.0 && last.1 > 0.0 {
        let rate = (last.1 / first.1).powf(1.0 / (last.0 - first.0));
        return Some(last.1 * rate.powf(ahead));
    }
    let n = recent.len() as f64;
    let mx = recent.iter().map(|p| p.0).sum::<f64>() / n;
    let my = recent.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = recent.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = recent.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some(my + slope * (f64::from(year) - mx))
}

fn meets(sense: Sense, value: f64, target: f64) -> bool {
    match sense {
        Sense::Up => value >= target - 1e-9,
        Sense::Down => value <= target + 1e-9,
    }
}

/// Where an indicator stands on the latest accepted value, and why, on the day `today` (a
/// [`moment`]): the milestone judged is the first not past the latest value (or, with none
/// filed, today); a milestone whose year is over with no value filed is a warning.
pub fn assess(f: &Facts, t: &IndicatorThresholds, today: f64) -> Status {
    let shape = PathShape::of(f.measure);
    let mut status = Status {
        light: Light::Grey,
        milestone_year: None,
        target: None,
        progress: None,
        expected: None,
        path: shape,
        projection: None,
        reason: String::new(),
    };
    let mut actuals: Vec<&Point> = f.actuals.iter().collect();
    actuals.sort_by(|a, b| a.at().total_cmp(&b.at()));
    let latest = actuals.last().copied();
    let mut milestones: Vec<&Milestone> = f.milestones.iter().collect();
    milestones.sort_by_key(|m| m.year);
    let Some(&last_milestone) = milestones.last() else {
        status.reason = "没有目标值".into();
        return status;
    };
    let now = latest.map_or(today, Point::at);
    let milestone = milestones
        .iter()
        .copied()
        .find(|m| f64::from(m.year) >= now)
        .unwrap_or(last_milestone);
    status.milestone_year = Some(milestone.year);
    let sense = sense(f.measure, milestone.comparator, f.direction);
    let unit = if matches!(f.measure, Measure::Change | Measure::AnnualGrowth) {
        // A change or rate becomes a level of the indicator's own unit.
        f.unit.as_str()
    } else {
        ""
    };
    let base = f.baseline.as_ref();
    let Some(target) = target_level(f.measure, f.direction, unit, milestone, base) else {
        status.reason = format!(
            "{}年目标是相对基期的变化，缺少基期值，无法换算目标",
            milestone.year
        );
        return status;
    };
    status.target = Some(target);
    let Some(latest) = latest else {
        if today > f64::from(milestone.year) {
            status.light = Light::Yellow;
            status.reason = format!(
                "{}年目标 {} 已到期，尚未填报实际值",
                milestone.year,
                show(target)
            );
        } else {
            status.reason = format!(
                "尚未填报实际值（{}年目标 {}）",
                milestone.year,
                show(target)
            );
        }
        return status;
    };
    let actual = latest.value();
    let when = match latest.quarter {
        None => format!("{}年", latest.year),
        // A flow's quarter value is the year so far; a stock's is where it stood then.
        Some(q) if f.cumulative => format!("{}年第{q}季度累计", latest.year),
        Some(q) => format!("{}年第{q}季度末", latest.year),
    };
    // The path starts at the baseline, or else at the earliest value filed.
    let start = base
        .filter(|b| b.at() < latest.at())
        .or_else(|| actuals.first().copied().filter(|p| p.at() < latest.at()));
    if let Some(s) = start {
        let b = s.value();
        status.progress = Some(match sense {
            Sense::Up if (target - b).abs() > 1e-9 => (actual - b) / (target - b) * 100.0,
            Sense::Down if (b - target).abs() > 1e-9 => (b - actual) / (b - target) * 100.0,
            _ => 100.0,
        });
    } else if target.abs() > 1e-9 && actual.abs() > 1e-9 {
        status.progress = Some(match sense {
            Sense::Up => actual / target * 100.0,
            Sense::Down => target / actual * 100.0,
        });
    }
    // The milestone's own year is in: met or missed.
    if latest.quarter.is_none() && latest.year >= milestone.year {
        let met = meets(sense, actual, target);
        status.light = if met { Light::Green } else { Light::Red };
        status.reason = if met {
            format!(
                "{}年目标 {} 已达成（实际 {}）",
                milestone.year,
                show(target),
                show(actual)
            )
        } else {
            let gap = ((actual - target) / target * 100.0).abs();
            format!(
                "{}年目标 {} 未达成（实际 {}，差 {}%）",
                milestone.year,
                show(target),
                show(actual),
                show(gap)
            )
        };
        return status;
    }
    let expected = match (start, f.cumulative, latest.quarter) {
        // A flow's year-to-date in the milestone's own year is held against that share of the
        // target itself: no baseline is needed.
        (_, true, Some(q)) if latest.year == milestone.year => target * f64::from(q) / 4.0,
        // Other years: that share of the year's expected value on the path.
        (Some(start), true, Some(q)) => {
            expected_at(start, milestone.year, target, shape, f64::from(latest.year)) * f64::from(q)
                / 4.0
        }
        (Some(start), _, _) => expected_at(start, milestone.year, target, shape, latest.at()),
        (None, _, _) => {
            status.reason = format!(
                "{when}实际 {}；缺少基期值，无法计算序时目标（{}年目标 {}）",
                show(actual),
                milestone.year,
                show(target)
            );
            return status;
        }
    };
    status.expected = Some(expected);
    let lag = if expected.abs() < 1e-9 {
        0.0
    } else {
        match sense {
            Sense::Up => (expected - actual) / expected * 100.0,
            Sense::Down => (actual - expected) / expected * 100.0,
        }
    };
    let words = if lag > 0.0 {
        format!("落后 {}%", show(lag))
    } else {
        format!("好于序时 {}%", show(-lag))
    };
    status.light = if lag >= t.red_lag {
        Light::Red
    } else if lag >= t.yellow_lag {
        Light::Yellow
    } else {
        Light::Green
    };
    status.reason = format!(
        "按序时（{}）{when}应{} {}，实际 {}，{words}",
        shape.label(),
        if sense == Sense::Up {
            "达"
        } else {
            "不高于"
        },
        show(expected),
        show(actual),
    );
    // The trend of the year values (with the baseline) carried to the milestone's year.
    let mut years: Vec<&Point> = actuals
        .iter()
        .copied()
        .filter(|p| p.quarter.is_none())
        .collect();
    if let Some(b) = base.filter(|b| years.first().is_none_or(|p| b.at() < p.at())) {
        years.insert(0, b);
    }
    if let Some(value) = project(&years, milestone.year, shape) {
        let ok = meets(sense, value, target);
        status.projection = Some(Projection {
            year: milestone.year,
            value,
            meets: ok,
        });
        status.reason.push_str(&format!(
            "；按近年趋势，{}年预计 {}，{}目标 {}",
            milestone.year,
            show(value),
            if ok { "可达到" } else { "达不到" },
            show(target)
        ));
        if !ok && status.light == Light::Green {
            status.light = Light::Yellow;
        }
    }
    status
}

/// Why two indicators cannot be merged into one (the office's 合并: the same subject written two
/// ways), or `None`: they must be two, measure the same way and count in the same unit.
pub fn merge_refusal(keep: (i64, Measure, &str), drop: (i64, Measure, &str)) -> Option<String> {
    if keep.0 == drop.0 {
        return Some("不能把指标并入它自己".into());
    }
    if keep.1 != drop.1 {
        return Some("两个指标的口径不同（总量、占比、变化、增速），不能合并".into());
    }
    if keep.2 != drop.2 {
        return Some(format!(
            "两个指标的单位不同（{}、{}），不能合并",
            keep.2, drop.2
        ));
    }
    None
}

/// Magnitude words a unit may start with, and their factor.
const MAGNITUDES: &[(&str, i64)] = &[
    ("亿", 100_000_000),
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("万", 10_000),
    ("千", 1_000),
    ("百", 100),
];

fn split_unit(unit: &str) -> (i64, &str) {
    for (word, factor) in MAGNITUDES {
        if let Some(base) = unit.strip_prefix(word)
            && !base.is_empty()
        {
            return (*factor, base);
        }
    }
    (1, unit)
}

/// A filed value made ready to store in the indicator's unit: the text parsed as a decimal, a
/// value given in another magnitude of the same unit converted (8500万元 → 0.85亿元), and what
/// cannot be right refused with the reason (Chinese): a different unit, a negative count or
/// amount, a share over 100%.
pub fn check_value(text: &str, given_unit: &str, unit: &str) -> Result<Decimal, String> {
    let text = text.trim().replace([',', '，'], "");
    let value = Decimal::from_str(&text).map_err(|_| format!("“{text}”不是数值"))?;
    let given_unit = given_unit.trim();
    let value = if given_unit.is_empty() || given_unit == unit {
        value
    } else {
        let (from, from_base) = split_unit(given_unit);
        let (to, to_base) = split_unit(unit);
        if from_base != to_base {
            return Err(format!("单位应为“{unit}”，填的是“{given_unit}”"));
        }
        (value * Decimal::from(from) / Decimal::from(to)).normalize()
    };
    if value.is_sign_negative() && unit != "%" {
        return Err(format!("数值不能为负数（{text}{unit}）"));
    }
    if unit == "%" && (value > Decimal::ONE_HUNDRED || value < -Decimal::ONE_HUNDRED) {
        return Err(format!("百分比应在 -100 到 100 之间（{text}%）"));
    }
    Ok(value)
}

/// Whether a value looks a thousandfold off against what is known of the indicator (the last
/// value or the target): filed in 万元 for an 亿元 indicator, say. The reason, or `None`.
pub fn magnitude_doubt(value: Decimal, reference: Decimal, unit: &str) -> Option<String> {
    let (v, r) = (to_f64(value).abs(), to_f64(reference).abs());
    if v == 0.0 || r == 0.0 {
        return None;
    }
    let ratio = v / r;
    (!(0.001..=1000.0).contains(&ratio)).then(|| {
        format!(
            "数值 {}{unit} 与参考值 {}{unit} 相差千倍以上，请核对单位和数量级",
            show(v),
            show(r)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn milestone(year: i32, value: &str, comparator: Comparator) -> Milestone {
        Milestone {
            year,
            value: d(value),
            value_max: None,
            comparator,
        }
    }

    fn facts(measure: Measure, direction: Option<Direction>, cmp: Comparator) -> Facts {
        Facts {
            subject: "电子信息产业年产值".into(),
            unit: "亿元".into(),
            measure,
            direction,
            baseline: Some(Point::year(2020, d("300"))),
            milestones: vec![milestone(2025, "700", cmp)],
            actuals: vec![],
            cumulative: true,
        }
    }

    #[test]
    fn a_flow_in_its_milestone_year_needs_no_baseline() {
        let mut f = facts(Measure::Level, None, Comparator::AtLeast);
        f.baseline = None;
        f.cumulative = true;
        let ms = f.milestones.last().unwrap().year;
        let at = |q: u8, v: &str| Point {
            year: ms,
            quarter: Some(q),
            value: d(v),
        };
        // 700 a year: by the end of Q3, 525.
        f.actuals = vec![at(3, "480")];
        let s = assess(&f, &IndicatorThresholds::default(), f64::from(ms - 1) + 0.8);
        assert_eq!(s.light, Light::Yellow, "{}", s.reason);
        assert!(s.reason.contains("应达 525"), "{}", s.reason);
        // A stock has no share of the year: without a baseline there is no path.
        f.cumulative = false;
        let s = assess(&f, &IndicatorThresholds::default(), f64::from(ms - 1) + 0.8);
        assert_eq!(s.light, Light::Grey, "{}", s.reason);
        assert!(s.reason.contains("缺少基期值"), "{}", s.reason);
    }

    #[test]
    fn a_stocks_quarter_is_where_it_stood_not_the_year_so_far() {
        let mut f = facts(Measure::Level, None, Comparator::AtLeast);
        f.cumulative = false;
        f.actuals = vec![Point {
            year: 2022,
            quarter: Some(2),
            value: d("300"),
        }];
        let s = assess(&f, &IndicatorThresholds::default(), 2022.6);
        assert!(s.reason.contains("2022年第2季度末"), "{}", s.reason);
        f.cumulative = true;
        let s = assess(&f, &IndicatorThresholds::default(), 2022.6);
        assert!(s.reason.contains("2022年第2季度累计"), "{}", s.reason);
    }

    #[test]
    fn thresholds_are_percentages_yellow_before_red() {
        let t = |yellow_lag, red_lag| {
            IndicatorThresholds {
                yellow_lag,
                red_lag,
            }
            .check()
            .is_ok()
        };
        let table = [
            ((5.0, 15.0), true),
            ((0.0, 0.0), true),
            ((15.0, 5.0), false),
            ((-1.0, 5.0), false),
            ((5.0, 101.0), false),
        ];
        for ((y, r), ok) in table {
            assert_eq!(t(y, r), ok, "{y} {r}");
        }
    }

    #[test]
    fn flows_are_told_from_stocks_durations_and_rates() {
        let table: &[(&str, &str, Measure, bool)] = &[
            ("电子信息产业年产值", "亿元", Measure::Level, true),
            ("数字贸易进出口额", "亿元", Measure::Level, true),
            ("海铁联运班列开行量", "万列", Measure::Level, true),
            ("年度利用外资", "亿美元", Measure::Level, true),
            ("引进知名物流企业", "家", Measure::Level, false),
            ("开通国际全货机航线", "条", Measure::Level, false),
            ("整体通关时间", "小时", Measure::Level, false),
            (
                "年度外贸进出口总额占全区外贸进出口总额",
                "%",
                Measure::Share,
                false,
            ),
            ("进出口额", "%", Measure::AnnualGrowth, false),
        ];
        for (subject, unit, measure, flow) in table {
            assert_eq!(is_flow(subject, unit, *measure), *flow, "{subject}");
        }
    }

    #[test]
    fn inverse_targets_go_down() {
        use Comparator::*;
        use Direction::*;
        use Measure::*;
        let table = [
            (Level, AtLeast, None, Sense::Up),
            (Level, AtMost, None, Sense::Down),
            (Share, AtMost, None, Sense::Down),
            (Level, Range, None, Sense::Up),
            (Change, Equal, Some(Decrease), Sense::Down),
            (Change, AtLeast, Some(Decrease), Sense::Down),
            (Change, AtLeast, Some(Increase), Sense::Up),
            (AnnualGrowth, AtLeast, Some(Increase), Sense::Up),
            (AnnualGrowth, Equal, Some(Decrease), Sense::Down),
        ];
        for (m, c, dir, want) in table {
            assert_eq!(sense(m, c, dir), want, "{m:?} {c:?} {dir:?}");
        }
    }

    #[test]
    fn milestones_become_levels() {
        use Direction::*;
        let base = Point::year(2024, d("200"));
        // (measure, direction, unit, value, comparator, base?) → level
        type Row = (
            Measure,
            Option<Direction>,
            &'static str,
            &'static str,
            Comparator,
            bool,
            Option<f64>,
        );
        #[rustfmt::skip]
        let table: &[Row] = &[
            (Measure::Level, None, "", "700", Comparator::AtLeast, false, Some(700.0)),
            (Measure::Share, None, "", "30", Comparator::AtLeast, false, Some(30.0)),
            // 较2024年压缩30%: 200 → 140.
            (Measure::Change, Some(Decrease), "%", "30", Comparator::Equal, true, Some(140.0)),
            // 比2024年增长50%: 200 → 300.
            (Measure::Change, Some(Increase), "%", "50", Comparator::Equal, true, Some(300.0)),
            // An amount: 减少 20 小时.
            (Measure::Change, Some(Decrease), "小时", "20", Comparator::Equal, true, Some(180.0)),
            (Measure::Change, Some(Decrease), "%", "30", Comparator::Equal, false, None),
            // 年均增长10% over two years: 200 × 1.1² = 242.
            (Measure::AnnualGrowth, Some(Increase), "亿元", "10", Comparator::AtLeast, true, Some(242.0)),
        ];
        for (m, dir, unit, value, cmp, with_base, want) in table {
            let got = target_level(
                *m,
                *dir,
                unit,
                &milestone(2026, value, *cmp),
                with_base.then_some(&base),
            );
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-6, "{m:?} {value}: {g}"),
                (g, w) => assert_eq!(g, *w, "{m:?} {value}"),
            }
        }
    }

    #[test]
    fn the_path_is_linear_for_levels_and_compound_for_growth() {
        let start = Point::year(2020, d("300"));
        // (shape, moment) → expected
        let table = [
            (PathShape::Linear, 2020.0, 300.0),
            (PathShape::Linear, 2022.0, 460.0),
            (PathShape::Linear, 2025.0, 700.0),
            (PathShape::Linear, 2030.0, 700.0),
            (PathShape::Linear, 2019.0, 300.0),
            (
                PathShape::Compound,
                2022.0,
                300.0 * (700.0f64 / 300.0).powf(0.4),
            ),
        ];
        for (shape, t, want) in table {
            let got = expected_at(&start, 2025, 700.0, shape, t);
            assert!((got - want).abs() < 1e-6, "{shape:?} {t}: {got} != {want}");
        }
        assert_eq!(
            Point {
                year: 2024,
                quarter: Some(2),
                value: d("1")
            }
            .at(),
            2023.5
        );
    }

    #[test]
    fn lights_and_reasons_in_words() {
        let th = IndicatorThresholds::default();
        // (actuals, light, reason contains)
        type Row = (
            &'static [(i32, Option<u8>, &'static str)],
            Light,
            &'static str,
        );
        #[rustfmt::skip]
        let table: &[Row] = &[
            (&[], Light::Grey, "尚未填报实际值（2025年目标 700）"),
            // On the path: 2022 expects 460.
            (&[(2022, None, "470")], Light::Green, "按序时（线性）2022年应达 460，实际 470，好于序时 2.17%"),
            (&[(2022, None, "431")], Light::Yellow, "落后 6.3%"),
            (&[(2022, None, "380")], Light::Red, "落后 17.39%"),
            // The milestone's year is in.
            (&[(2025, None, "712")], Light::Green, "2025年目标 700 已达成（实际 712）"),
            (&[(2025, None, "650")], Light::Red, "2025年目标 700 未达成（实际 650，差 7.14%）"),
            // A flow's year-to-date against that share of the year: Q2 of 2022 expects 230.
            (&[(2022, Some(2), "228")], Light::Green, "2022年第2季度累计应达 230"),
            // A trend that misses the target turns green to yellow, and says so.
            (&[(2021, None, "390"), (2022, None, "465"), (2023, None, "535")], Light::Yellow, "2025年预计 680.83，达不到目标 700"),
        ];
        for (actuals, light, words) in table {
            let mut f = facts(Measure::Level, None, Comparator::AtLeast);
            f.actuals = actuals
                .iter()
                .map(|(y, q, v)| Point {
                    year: *y,
                    quarter: *q,
                    value: d(v),
                })
                .collect();
            let s = assess(&f, &th, 2022.5);
            assert_eq!(s.light, *light, "{actuals:?}: {}", s.reason);
            assert!(s.reason.contains(words), "{actuals:?}: {}", s.reason);
        }
    }

    #[test]
    fn inverse_and_growth_targets_are_judged_the_right_way_round() {
        let th = IndicatorThresholds::default();
        // 通关时间 2020 → 60 小时, 2025 ≤ 30: 2022 expects 48; 44 is better, 56 is behind.
        let mut f = Facts {
            subject: "进口整体通关时间".into(),
            unit: "小时".into(),
            measure: Measure::Level,
            direction: None,
            baseline: Some(Point::year(2020, d("60"))),
            milestones: vec![milestone(2025, "30", Comparator::AtMost)],
            actuals: vec![Point::year(2022, d("44"))],
            cumulative: false,
        };
        let s = assess(&f, &th, 2022.5);
        assert_eq!(s.light, Light::Green, "{}", s.reason);
        assert!(
            s.reason.contains("应不高于 48，实际 44，好于序时 8.33%"),
            "{}",
            s.reason
        );
        assert!((s.progress.unwrap() - 16.0 / 30.0 * 100.0).abs() < 1e-6);
        f.actuals = vec![Point::year(2022, d("56"))];
        let s = assess(&f, &th, 2022.5);
        assert_eq!(s.light, Light::Red, "{}", s.reason);
        f.actuals = vec![Point::year(2025, d("29"))];
        assert_eq!(assess(&f, &th, 2026.0).light, Light::Green);
        // 年均增长10% from 100 in 2020: compound path, 2022 expects 121.
        let f = Facts {
            subject: "数字贸易额".into(),
            unit: "亿元".into(),
            measure: Measure::AnnualGrowth,
            direction: Some(Direction::Increase),
            baseline: Some(Point::year(2020, d("100"))),
            milestones: vec![milestone(2025, "10", Comparator::AtLeast)],
            actuals: vec![Point::year(2022, d("121"))],
            cumulative: true,
        };
        let s = assess(&f, &th, 2022.5);
        assert_eq!(s.path, PathShape::Compound);
        assert!((s.target.unwrap() - 161.051).abs() < 1e-6);
        assert!(
            s.reason
                .contains("按序时（复合增长）2022年应达 121，实际 121"),
            "{}",
            s.reason
        );
        // A change needs its base value.
        let mut f = f;
        f.measure = Measure::Change;
        f.baseline = None;
        assert!(assess(&f, &th, 2022.5).reason.contains("缺少基期值"));
        // No value filed: grey until the milestone's year is over, then a warning.
        let mut f = facts(Measure::Level, None, Comparator::AtLeast);
        f.milestones
            .insert(0, milestone(2023, "450", Comparator::AtLeast));
        let s = assess(
            &f,
            &th,
            moment(crate::calendar::Date::new(2024, 6, 30).unwrap()),
        );
        assert_eq!(
            (s.light, s.milestone_year),
            (Light::Grey, Some(2025)),
            "{}",
            s.reason
        );
        let s = assess(&f, &th, 2026.2);
        assert_eq!(s.light, Light::Yellow);
        assert_eq!(s.reason, "2025年目标 700 已到期，尚未填报实际值");
        assert!((moment(crate::calendar::Date::new(2026, 12, 31).unwrap()) - 2026.0).abs() < 1e-9);
    }

    #[test]
    fn only_like_indicators_merge() {
        use Measure::*;
        let table = [
            ((1, Level, "亿元"), (2, Level, "亿元"), None),
            (
                (1, Level, "亿元"),
                (1, Level, "亿元"),
                Some("不能把指标并入它自己"),
            ),
            (
                (1, Level, "%"),
                (2, Share, "%"),
                Some("两个指标的口径不同（总量、占比、变化、增速），不能合并"),
            ),
            (
                (1, Level, "亿元"),
                (2, Level, "万元"),
                Some("两个指标的单位不同（亿元、万元），不能合并"),
            ),
        ];
        for (keep, drop, want) in table {
            assert_eq!(
                merge_refusal(keep, drop).as_deref(),
                want,
                "{keep:?} {drop:?}"
            );
        }
    }

    #[test]
    fn filed_values_are_checked_and_converted() {
        // (text, given unit, indicator unit) → value or refusal
        let table = [
            ("431", "亿元", "亿元", Ok("431")),
            ("8500", "万元", "亿元", Ok("0.85")),
            ("0.1", "", "亿元", Ok("0.1")),
            ("1,200", "家", "家", Ok("1200")),
            ("12", "万标箱", "万标箱", Ok("12")),
            ("3", "亿美元", "亿元", Err("单位应为“亿元”，填的是“亿美元”")),
            ("-5", "家", "家", Err("数值不能为负数（-5家）")),
            ("130", "%", "%", Err("百分比应在 -100 到 100 之间（130%）")),
            ("-3.5", "%", "%", Ok("-3.5")),
            ("约400", "亿元", "亿元", Err("“约400”不是数值")),
        ];
        for (text, given, unit, want) in table {
            let got = check_value(text, given, unit).map(|v| v.to_string());
            assert_eq!(
                got,
                want.map(str::to_string).map_err(str::to_string),
                "{text}{given}"
            );
        }
        assert_eq!((d("0.1") + d("0.2")).to_string(), "0.3");
        assert_eq!(share_of(d("750"), d("2500")), Some(d("30")));
        assert_eq!(share_of(d("1"), d("3")).unwrap().to_string(), "33.33");
        assert_eq!(share_of(d("1"), d("0")), None);
        assert!(magnitude_doubt(d("4310000"), d("700"), "亿元").is_some());
        assert_eq!(magnitude_doubt(d("431"), d("700"), "亿元"), None);
    }
}
