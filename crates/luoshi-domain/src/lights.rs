//! Red / yellow / green lights (红黄绿灯) for tasks and supervision items, from time left and from
//! lag behind expected progress (序时进度: the share of the time from start to deadline that has
//! passed). The office sets the thresholds; the reasons say why in Chinese. Grey is neutral: a
//! period's report not yet filed and not yet due says nothing about the work.

use serde::{Deserialize, Serialize};

use crate::calendar::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Nothing to judge yet (本期待报送, not due): neither good nor bad.
    Grey,
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Grey => "灰灯",
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// The office's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Yellow when this many days or fewer are left.
    pub yellow_days_left: i64,
    /// Yellow when progress lags expected progress by this many percentage points.
    pub yellow_lag: f64,
    /// Red at this lag (overdue is always red).
    pub red_lag: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            yellow_days_left: 7,
            yellow_lag: 15.0,
            red_lag: 30.0,
        }
    }
}

/// A light and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub light: Light,
    /// Expected progress today, 0–100.
    pub expected: f64,
    pub reasons: Vec<String>,
}

/// Expected progress (序时进度) on `today` for work running from `start` to `due`, in percent.
pub fn expected_progress(today: Date, start: Date, due: Date) -> f64 {
    let span = (due.days() - start.days()).max(1) as f64;
    let gone = (today.days() - start.days()) as f64;
    (gone / span * 100.0).clamp(0.0, 100.0)
}

/// How many lights there are: per-light counts are `[usize; Light::COUNT]`, indexed by
/// `light as usize` (grey, green, yellow, red).
impl Light {
    pub const COUNT: usize = 4;
    pub const ALL: [Light; 4] = [Light::Grey, Light::Green, Light::Yellow, Light::Red];
}

/// Whether reported progress `actual` lags expected progress far enough for a light, and why.
pub fn behind(expected: f64, actual: f64, t: &Thresholds) -> Option<(Light, String)> {
    let actual = actual.clamp(0.0, 100.0);
    let lag = expected - actual;
    if lag >= t.red_lag {
        Some((
            Light::Red,
            format!("进度 {actual:.0}%，落后序时进度 {expected:.0}% 达 {lag:.0} 个百分点"),
        ))
    } else if lag >= t.yellow_lag {
        Some((
            Light::Yellow,
            format!("进度 {actual:.0}%，落后序时进度 {expected:.0}% {lag:.0} 个百分点"),
        ))
    } else {
        None
    }
}

/// Assesses work due on `due`. `progress` is the reported share done (None: nothing reported).
pub fn assess(
    today: Date,
    start: Date,
    due: Date,
    progress: Option<f64>,
    done: bool,
    t: &Thresholds,
) -> Assessment {
    let expected = expected_progress(today, start, due);
    if done {
        return Assessment {
            light: Light::Green,
            expected,
            reasons: vec!["已完成".into()],
        };
    }
    let mut light = Light::Green;
    let mut reasons = Vec::new();
    let left = due.days() - today.days();
    if left < 0 {
        light = Light::Red;
        reasons.push(format!("已逾期 {} 天", -left));
    } else if left <= t.yellow_days_left {
        light = Light::Yellow;
        reasons.push(if left == 0 {
            "今天截止".to_string()
        } else {
            format!("距截止还有 {left} 天")
        });
    }
    if let Some((l, why)) = behind(expected, progress.unwrap_or(0.0), t) {
        light = light.max(l);
        reasons.push(why);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn lights_from_time_and_lag() {
        let t = Thresholds::default();
        let (start, due) = (d("2026-01-01"), d("2026-12-31"));
        let case = |today: &str, progress: Option<f64>, done: bool| {
            assess(d(today), start, due, progress, done, &t)
        };
        // Mid-year, on pace.
        let a = case("2026-07-02", Some(55.0), false);
        assert_eq!(
            (a.light, a.reasons.clone()),
            (Light::Green, vec!["进度正常".to_string()])
        );
        assert!((a.expected - 50.0).abs() < 0.5, "{}", a.expected);
        // Lagging 20 points: yellow; 35 points: red.
        assert_eq!(case("2026-07-02", Some(30.0), false).light, Light::Yellow);
        let red = case("2026-07-02", Some(15.0), false);
        assert_eq!(red.light, Light::Red);
        assert!(red.reasons[0].contains("落后序时进度"), "{:?}", red.reasons);
        // Nothing reported counts as no progress.
        assert_eq!(case("2026-07-02", None, false).light, Light::Red);
        // A week before the deadline, on pace: yellow for time.
        let y = case("2026-12-26", Some(99.0), false);
        assert_eq!(
            (y.light, y.reasons[0].as_str()),
            (Light::Yellow, "距截止还有 5 天")
        );
        // Overdue across the year end, and done.
        let late = case("2027-01-03", Some(100.0), false);
        assert_eq!(
            (late.light, late.reasons[0].as_str()),
            (Light::Red, "已逾期 3 天")
        );
        assert_eq!(case("2027-01-03", Some(100.0), true).light, Light::Green);
    }

    #[test]
    fn expected_progress_in_a_leap_year() {
        let p = expected_progress(d("2024-03-01"), d("2024-02-01"), d("2024-03-02"));
        assert!((p - 29.0 / 30.0 * 100.0).abs() < 1e-9, "{p}");
        assert_eq!(
            expected_progress(d("2023-12-31"), d("2024-01-01"), d("2024-02-01")),
            0.0
        );
    }
}
