//! Reporting and meeting rules: "每个季度最后1个月的20日前…报送", "每年召开一至两次…会议".
//!
//! A rule needs a period (每季度, 每月, 每年, 每半年) and a duty (报送/上报 → report; 召开/会议 →
//! meeting) in one sentence. The deadline is read as the month of the period (最后1个月, 末月 → 3 for
//! a quarter) and the day (20日前); a frequency (一次, 一至两次) gives count and count_max.

use crate::layout::Para;
use crate::model::{Period, ReportingRule, RuleKind};
use crate::outline::cn_number;

fn small_number(s: &str) -> Option<u32> {
    if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
        return s.parse().ok();
    }
    cn_number(s)
}

fn period(sentence: &str) -> Option<(Period, usize)> {
    let table: &[(&str, Period)] = &[
        ("每个季度", Period::Quarter),
        ("每季度", Period::Quarter),
        ("每半年", Period::HalfYear),
        ("每个月", Period::Month),
        ("每月", Period::Month),
        ("每年度", Period::Year),
        ("每年", Period::Year),
    ];
    table
        .iter()
        .filter_map(|(w, p)| sentence.find(w).map(|i| (*p, i + w.len())))
        .min_by_key(|(_, i)| *i)
}

/// The number just before `suffix` at byte `end` ("20日" → 20).
fn number_before(s: &str) -> Option<u32> {
    let digits: String = s
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十两".contains(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    small_number(&digits)
}

fn month_of_period(after: &str, period: Period) -> Option<u32> {
    let months = match period {
        Period::Quarter => 3,
        Period::HalfYear => 6,
        Period::Year => 12,
        Period::Month => return None,
    };
    if after.starts_with("末月") || after.starts_with("最后") || after.starts_with("末") {
        return Some(months);
    }
    if after.starts_with("首月")
        || after.starts_with("第一个月")
        || after.starts_with("第1个月")
        || after.starts_with("初")
    {
        return Some(1);
    }
    if period == Period::Year
        && let Some(pos) = after.find('月')
        && pos <= 6
    {
        return number_before(&after[..pos]).filter(|m| (1..=12).contains(m));
    }
    None
}

fn count(sentence: &str) -> (Option<u32>, Option<u32>) {
    let Some(pos) = sentence.find('次') else {
        return (None, None);
    };
    let before = &sentence[..pos];
    for sep in ["至", "到", "—", "-"] {
        if let Some(sp) = before.rfind(sep) {
            let hi = number_before(before);
            let lo = number_before(&before[..sp]);
            if let (Some(lo), Some(hi)) = (lo, hi)
                && before[sp + sep.len()..].chars().count() <= 2
            {
                return (Some(lo), Some(hi));
            }
        }
    }
    (number_before(before), None)
}

fn strip_marker(s: &str) -> String {
    match crate::outline::detect_marker(s) {
        Some(m) => s[m.len..].trim().to_string(),
        None => s.to_string(),
    }
}

/// Finds the rules in a paragraph.
pub fn extract(p: &Para) -> Vec<ReportingRule> {
    let mut out = Vec::new();
    let mut offset = 0;
    for sentence in p.text.split_inclusive('。') {
        let base = offset;
        offset += sentence.len();
        if !sentence.contains('每') {
            continue;
        }
        let Some((every, after_at)) = period(sentence) else {
            continue;
        };
        let what = if sentence.contains("召开") || sentence.contains("会议") {
            RuleKind::Meeting
        } else if ["报送", "上报", "报告", "提交", "报"]
            .iter()
            .any(|w| sentence.contains(w))
        {
            RuleKind::Report
        } else {
            continue;
        };
        let after = &sentence[after_at..];
        let month = month_of_period(after, every);
        let day = after
            .find("日前")
            .or_else(|| after.find("日之前"))
            .and_then(|pos| number_before(&after[..pos]))
            .filter(|d| (1..=31).contains(d));
        let (count, count_max) = count(after);
        out.push(ReportingRule {
            what,
            every,
            month_of_period: month,
            day,
            count,
            count_max,
            text: strip_marker(sentence.trim_end_matches('。').trim()),
            line: p.line_at(base),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{blocks, paras, split_lines};

    fn rules(src: &str) -> Vec<ReportingRule> {
        let mut lines = split_lines(src);
        let b = blocks(&mut lines);
        paras(&b).flat_map(extract).collect()
    }

    #[test]
    fn quarterly_report() {
        let r = rules("每个季度最后 1 个月的 20 日前，各成员单位向办公室报送一次信息材料。");
        assert_eq!(
            (
                r[0].what,
                r[0].every,
                r[0].month_of_period,
                r[0].day,
                r[0].count
            ),
            (
                RuleKind::Report,
                Period::Quarter,
                Some(3),
                Some(20),
                Some(1)
            )
        );
        let r = rules("各单位每季度末月25日前报送工作进展。");
        assert_eq!((r[0].month_of_period, r[0].day), (Some(3), Some(25)));
    }

    #[test]
    fn yearly_meeting() {
        let r = rules("专班每年召开一至两次全体会议，由组长主持。");
        assert_eq!(
            (r[0].what, r[0].every, r[0].count, r[0].count_max),
            (RuleKind::Meeting, Period::Year, Some(1), Some(2))
        );
    }
}
