//! A task's 完成时限: "2026年底前", "2027年6月底前", "2027年第三季度", "长期坚持".
//!
//! Read from a deadline column's cell (the whole cell is the deadline), or from the task's own
//! text where the text says so: after a label (完成时限：2027年3月) or in an aside
//! (（2026年底前完成）). A year inside the task's prose (到2025年，…达700亿元) is a target's year,
//! never a deadline. `date` is the last day the wording allows.

use crate::model::Deadline;

/// Words that make a task last with no end date.
const ONGOING: &[&str] = &[
    "长期坚持",
    "长期推进",
    "长期",
    "持续推进",
    "持续开展",
    "持续实施",
    "持续",
    "常态化推进",
    "常态化",
];

/// Labels that introduce a deadline inside a task's text.
const LABELS: &[&str] = &["完成时限", "完成时间", "时间节点", "完成期限"];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn last_day(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn iso(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// Leading ASCII or full-width digits as a number, and the rest.
fn number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(s.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    s[..end].parse().ok().map(|n| (n, &s[end..]))
}

/// A quarter written as 第三季度, 三季度, 第3季度, 一季度.
fn quarter(s: &str) -> Option<u32> {
    let s = s.strip_prefix('第').unwrap_or(s);
    let c = s.chars().next()?;
    let q = match c {
        '一' | '1' => 1,
        '二' | '2' => 2,
        '三' | '3' => 3,
        '四' | '4' => 4,
        _ => return None,
    };
    s[c.len_utf8()..].starts_with("季度").then_some(q)
}

/// The last day a date phrase allows, when `s` starts with one (2027年6月底前, 2026年底).
fn date_phrase(s: &str) -> Option<String> {
    let s = s.trim_start_matches(['到', '至', '于', '在']);
    let (year, rest) = number(s)?;
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let year = year as i32;
    let rest = rest.strip_prefix('年')?;
    if rest.starts_with("上半年") {
        return Some(iso(year, 6, 30));
    }
    if rest.starts_with("下半年") || rest.starts_with("年底") || rest.starts_with('底') {
        return Some(iso(year, 12, 31));
    }
    if rest.starts_with("年末") || rest.starts_with('末') {
        return Some(iso(year, 12, 31));
    }
    if let Some(q) = quarter(rest) {
        let month = q * 3;
        return Some(iso(year, month, last_day(year, month)));
    }
    if let Some((month, after)) = number(rest) {
        let after = after
            .strip_prefix('月')
            .filter(|_| (1..=12).contains(&month))?;
        if let Some((day, after_day)) = number(after)
            && after_day.starts_with(['日', '号'])
            && (1..=last_day(year, month)).contains(&day)
        {
            return Some(iso(year, month, day));
        }
        return Some(iso(year, month, last_day(year, month)));
    }
    Some(iso(year, 12, 31))
}

/// A deadline cell or a deadline phrase as a whole: "2026年底前", "长期坚持".
pub fn parse(text: &str) -> Option<Deadline> {
    let text = text
        .trim()
        .trim_matches(['（', '）', '(', ')', '。'])
        .trim();
    if text.is_empty() {
        return None;
    }
    if let Some(date) = date_phrase(text) {
        return Some(Deadline {
            text: text.to_string(),
            date: Some(date),
            ongoing: false,
        });
    }
    ONGOING
        .iter()
        .any(|w| text.starts_with(w))
        .then(|| Deadline {
            text: text.to_string(),
            date: None,
            ongoing: true,
        })
}

/// The phrase of a deadline at the start of `s`: up to the end of its clause.
fn phrase(s: &str) -> &str {
    let end = s
        .find(['，', '。', '；', '）', ')', ',', '\n'])
        .unwrap_or(s.len());
    s[..end].trim()
}

/// The deadline a task's text states: after a label, or in an aside that is only a deadline
/// (（2026年底前完成）, （长期坚持）).
pub fn in_text(text: &str) -> Option<Deadline> {
    for label in LABELS {
        if let Some(i) = text.find(label) {
            let rest = text[i + label.len()..].trim_start_matches(['：', ':', ' ', '为']);
            if let Some(d) = parse(phrase(rest)) {
                return Some(d);
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find(['（', '(']) {
        let open = rest[i..].chars().next().map_or(1, char::len_utf8);
        let inner = &rest[i + open..];
        let close = inner.find(['）', ')']).unwrap_or(inner.len());
        let aside = inner[..close].trim();
        // The aside is the deadline with at most a verb after it: 前完成, 前全面完成, 完成.
        let core = aside
            .trim_end_matches("全面完成")
            .trim_end_matches("完成")
            .trim_end_matches("落实")
            .trim_end_matches("实现");
        let dated = date_phrase(core).is_some() && (core.ends_with('前') || core != aside);
        let ongoing = ONGOING.contains(&core);
        if (dated || ongoing)
            && let Some(d) = parse(core)
        {
            return Some(Deadline {
                text: aside.to_string(),
                ..d
            });
        }
        rest = &inner[close.min(inner.len())..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_in_the_contract_gives_its_last_day() {
        let table = [
            ("2026年底前", Some("2026-12-31"), false),
            ("2026年12月底前", Some("2026-12-31"), false),
            ("2027年6月底前", Some("2027-06-30"), false),
            ("2027年3月31日前", Some("2027-03-31"), false),
            ("2027年上半年", Some("2027-06-30"), false),
            ("2027年下半年", Some("2027-12-31"), false),
            ("2027年第三季度", Some("2027-09-30"), false),
            ("2027年一季度", Some("2027-03-31"), false),
            ("2027年", Some("2027-12-31"), false),
            ("2027年前", Some("2027-12-31"), false),
            ("2028年2月", Some("2028-02-29"), false),
            ("2027年2月底前", Some("2027-02-28"), false),
            ("2027年年底", Some("2027-12-31"), false),
            ("（2026年9月30日前）", Some("2026-09-30"), false),
            ("长期坚持", None, true),
            ("持续推进", None, true),
            ("常态化推进", None, true),
        ];
        for (text, date, ongoing) in table {
            let d = parse(text).unwrap_or_else(|| panic!("{text}: no deadline"));
            assert_eq!((d.date.as_deref(), d.ongoing), (date, ongoing), "{text}");
        }
        for none in ["", "按职责分工负责", "1999年", "2027年13月", "及时"] {
            assert_eq!(parse(none), None, "{none}");
        }
        // A day that month does not have is the month's end, not an invalid date.
        assert_eq!(
            parse("2027年2月30日前").unwrap().date.as_deref(),
            Some("2027-02-28")
        );
    }

    #[test]
    fn a_tasks_text_states_its_deadline_in_an_aside_or_after_a_label() {
        let table = [
            (
                "建成跨境数据服务中心（2026年底前完成）。",
                Some("2026-12-31"),
            ),
            ("完善口岸设施。完成时限：2027年3月。", Some("2027-03-31")),
            ("推进通关便利化，时间节点：2027年上半年", Some("2027-06-30")),
            ("深化金融改革（长期坚持）", None),
            ("推广电子证照（2027年6月底前全面完成）", Some("2027-06-30")),
        ];
        for (text, date) in table {
            let d = in_text(text).unwrap_or_else(|| panic!("{text}: no deadline"));
            assert_eq!(d.date.as_deref(), date, "{text}");
            assert_eq!(d.ongoing, date.is_none(), "{text}");
        }
        // A target's year or an aside about something else is not the task's deadline.
        for none in [
            "到2025年，电子信息产业年产值达700亿元。",
            "落实《总体方案》（2019年印发）的要求。",
            "培育外贸主体（以下简称市场主体）",
        ] {
            assert_eq!(in_text(none), None, "{none}");
        }
        assert_eq!(
            in_text("打造平台（2026年底前完成）").unwrap().text,
            "2026年底前完成"
        );
    }
}
