//! Quantified targets: "到2026年，广西自贸试验区数字经济产业年产值达300亿元".
//!
//! A number followed by a unit of measure is a target when it is stated with a comparator (达,
//! 不少于, 以上, 以内 …) or under a due year (到2025年), which holds for the rest of its paragraph. The
//! value and unit are kept as written (700亿元 is 700 and 亿元); a range 50万—60万辆 gives value,
//! value_max and comparator "range". The scope is the area named at the head of the clause
//! (广西自贸试验区, 3个片区 …) and carries over to the following targets of the sentence.

use crate::layout::Para;
use crate::model::{Comparator, Target};

/// Counters and measures that make a number a quantity. Longest first where one is a prefix.
const UNITS: &[&str] = &[
    "平方公里",
    "平方米",
    "千瓦时",
    "人次",
    "标箱",
    "美元",
    "公里",
    "千瓦",
    "元",
    "吨",
    "辆",
    "家",
    "个",
    "条",
    "名",
    "人",
    "项",
    "座",
    "亩",
    "次",
    "架",
    "艘",
    "台",
    "套",
    "户",
    "件",
    "所",
    "批",
    "票",
    "%",
];

const MAGNITUDES: &[char] = &['万', '亿', '千', '百'];

const SCOPES: &[&str] = &[
    "中国（广西）自由贸易试验区",
    "广西自贸试验区",
    "自贸试验区",
    "3个片区",
    "三个片区",
    "南宁片区",
    "钦州港片区",
    "崇左片区",
    "广西北部湾经济区",
    "广西北部湾港",
    "北部湾港",
    "全区",
];

const AT_LEAST_BEFORE: &[&str] = &[
    "不少于",
    "不低于",
    "至少",
    "超过",
    "突破",
    "达到",
    "达",
    "力争",
    "实现",
    "增至",
    "提高到",
    "提升至",
    "提高至",
];
const AT_MOST_BEFORE: &[&str] = &["不超过", "不高于", "控制在", "降至", "低于", "少于"];

struct Quantity {
    start: usize,
    end: usize,
    value: f64,
    value_max: Option<f64>,
    unit: String,
    comparator: Comparator,
}

fn parse_number(chars: &[(usize, char)], i: usize) -> Option<(f64, usize)> {
    let mut j = i;
    let mut s = String::new();
    while j < chars.len()
        && (chars[j].1.is_ascii_digit()
            || (chars[j].1 == '.' && j + 1 < chars.len() && chars[j + 1].1.is_ascii_digit()))
    {
        s.push(chars[j].1);
        j += 1;
    }
    if s.is_empty() {
        return None;
    }
    s.parse().ok().map(|v| (v, j))
}

fn magnitude(chars: &[(usize, char)], mut j: usize) -> (String, usize) {
    let mut m = String::new();
    while j < chars.len() && MAGNITUDES.contains(&chars[j].1) && m.chars().count() < 2 {
        m.push(chars[j].1);
        j += 1;
    }
    (m, j)
}

fn unit_at(chars: &[(usize, char)], j: usize) -> Option<(&'static str, usize)> {
    let rest: String = chars[j..chars.len().min(j + 4)]
        .iter()
        .map(|c| c.1)
        .collect();
    UNITS
        .iter()
        .find(|u| rest.starts_with(**u))
        .map(|u| (*u, j + u.chars().count()))
}

fn ends_with_any<'a>(s: &str, words: &[&'a str]) -> Option<&'a str> {
    words
        .iter()
        .copied()
        .filter(|w| s.ends_with(w))
        .max_by_key(|w| w.len())
}

/// Finds quantities in a sentence.
fn quantities(sentence: &str) -> Vec<Quantity> {
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let preceded_by_digit = i > 0
            && (chars[i - 1].1.is_ascii_alphanumeric()
                || chars[i - 1].1 == '.'
                || chars[i - 1].1 == '第');
        if !c.is_ascii_digit() || preceded_by_digit {
            i += 1;
            continue;
        }
        let Some((value, j)) = parse_number(&chars, i) else {
            i += 1;
            continue;
        };
        let (mag, mut j) = magnitude(&chars, j);
        let mut value_max = None;
        let mut mag_max = String::new();
        // A range: 50万—60万辆, 3—5家, 1至2个.
        if j < chars.len()
            && matches!(chars[j].1, '—' | '-' | '~' | '～' | '至' | '到')
            && j + 1 < chars.len()
            && chars[j + 1].1.is_ascii_digit()
            && let Some((v2, k)) = parse_number(&chars, j + 1)
        {
            {
                let (m2, k) = magnitude(&chars, k);
                value_max = Some(v2);
                mag_max = m2;
                j = k;
            }
        }
        let Some((base, after)) = unit_at(&chars, j) else {
            i = j.max(i + 1);
            continue;
        };
        // "30万吨级码头", "千亿元级企业": a class of thing, not a quantity; "3个片区": a collective.
        let next2: String = chars[after..chars.len().min(after + 2)]
            .iter()
            .map(|c| c.1)
            .collect();
        if next2.starts_with('级') || (base == "个" && next2 == "片区") {
            i = after;
            continue;
        }
        let mag = if mag.is_empty() { mag_max } else { mag };
        let unit = if base == "%" {
            "%".to_string()
        } else {
            format!("{mag}{base}")
        };
        let mut end_idx = after;
        let after_text: String = chars[after..chars.len().min(after + 3)]
            .iter()
            .map(|c| c.1)
            .collect();
        let before_text = &sentence[..chars[i].0];
        let mut comparator = Comparator::Equal;
        if value_max.is_some() {
            comparator = Comparator::Range;
        } else if let Some(w) = ["及以上", "以上"]
            .iter()
            .find(|w| after_text.starts_with(**w))
        {
            comparator = Comparator::AtLeast;
            end_idx += w.chars().count();
        } else if let Some(w) = ["以内", "以下"]
            .iter()
            .find(|w| after_text.starts_with(**w))
        {
            comparator = Comparator::AtMost;
            end_idx += w.chars().count();
        } else {
            // The longest comparator word wins: 不少于 (at least) over 少于, 不超过 (at most) over 超过.
            let least = ends_with_any(before_text, AT_LEAST_BEFORE).map_or(0, str::len);
            let most = ends_with_any(before_text, AT_MOST_BEFORE).map_or(0, str::len);
            if most > least {
                comparator = Comparator::AtMost;
            } else if least > 0 {
                comparator = Comparator::AtLeast;
            }
        }
        let end = chars.get(end_idx).map_or(sentence.len(), |c| c.0);
        out.push(Quantity {
            start: chars[i].0,
            end,
            value,
            value_max,
            unit,
            comparator,
        });
        i = end_idx;
    }
    out
}

/// The due year stated in `s` (到2025年, 2025年前, 2021年，), ignoring baselines (比2020年).
fn due_years(s: &str) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && s[i + 4..].starts_with('年')
        {
            let year: i32 = s[i..i + 4].parse().unwrap_or(0);
            let before = &s[..i];
            let after = &s[i + 4 + '年'.len_utf8()..];
            let baseline = ["比", "较", "与", "同", "自", "从", "于"]
                .iter()
                .any(|w| before.ends_with(w))
                || after.starts_with("基础上")
                || after.starts_with("相比")
                || after.starts_with("水平");
            let due = before.ends_with('到')
                || before.ends_with('至')
                || before.ends_with("力争")
                || after.starts_with('，')
                || after.starts_with("前")
                || after.starts_with("底")
                || after.starts_with("末");
            if (2000..=2100).contains(&year) && !baseline && due {
                out.push((i, year));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

fn strip_scope(clause: &str) -> (Option<&'static str>, &str) {
    for s in SCOPES {
        if let Some(rest) = clause.strip_prefix(s) {
            return (Some(*s), rest);
        }
    }
    (None, clause)
}

/// Removes asides such as （以下统称3个片区） from a subject.
fn strip_asides(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    let mut aside = String::new();
    for c in s.chars() {
        match c {
            '（' | '(' => {
                depth += 1;
                aside.push(c);
            }
            '）' | ')' if depth > 0 => {
                depth -= 1;
                aside.push(c);
                if depth == 0 {
                    if !aside.contains("以下") && !aside.contains("简称") && !aside.contains("统称")
                    {
                        out.push_str(&aside);
                    }
                    aside.clear();
                }
            }
            _ if depth > 0 => aside.push(c),
            _ => out.push(c),
        }
    }
    out.push_str(&aside);
    out
}

fn clean_subject(s: &str) -> String {
    let s = strip_asides(s);
    let mut t = s.trim_matches(|c: char| matches!(c, '，' | '、' | '；' | '：' | ' ' | '的'));
    for p in ["其中", "并", "和", "及"] {
        t = t.strip_prefix(p).unwrap_or(t).trim_start_matches('，');
    }
    let mut changed = true;
    while changed {
        changed = false;
        for w in AT_LEAST_BEFORE
            .iter()
            .chain(AT_MOST_BEFORE)
            .chain(["分别", "累计", "年均", "达"].iter())
        {
            if let Some(r) = t.strip_suffix(w) {
                t = r;
                changed = true;
            }
        }
    }
    t.trim_matches(|c: char| matches!(c, '，' | '、' | ' '))
        .to_string()
}

/// Finds the targets in a paragraph.
pub fn extract(p: &Para) -> Vec<Target> {
    // Numbers inside the responsibility clause (3个片区管委会) are never targets.
    let text = match crate::clause::find_clause(&p.text) {
        Some(c) => &p.text[..c.start],
        None => p.text.as_str(),
    };
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let years = due_years(text);
    let mut out = Vec::new();
    let mut sentence_start = 0;
    let mut scope: Option<&'static str> = None;
    for sentence in text.split_inclusive(['。', '；']) {
        let base = sentence_start;
        sentence_start += sentence.len();
        let ends_period = sentence.ends_with('。');
        let mut prev_end = 0;
        for q in quantities(sentence) {
            let abs_start = base + q.start;
            let year = years
                .iter()
                .rev()
                .find(|(pos, _)| *pos < abs_start)
                .map(|(_, y)| *y);
            if year.is_none() && q.comparator == Comparator::Equal {
                prev_end = q.end;
                continue;
            }
            // The clause of this target: from the last separator before the number.
            // A previous target's trailing noun may reach into this one: never slice backwards.
            let lead = &sentence[prev_end.min(q.start)..q.start];
            let clause_start = lead.rfind(['，', '；', '：']).map_or(0, |i| {
                i + lead[i..].chars().next().map_or(1, char::len_utf8)
            });
            let mut clause = &lead[clause_start..];
            // Skip a year phrase at the clause's head ("到2025年，" is its own clause; "2025年前" too).
            if let Some(pos) = clause.find('年')
                && clause[..pos]
                    .trim_start_matches('到')
                    .chars()
                    .all(|c| c.is_ascii_digit())
                && pos > 0
            {
                clause = &clause[pos + '年'.len_utf8()..];
            }
            let (found_scope, rest) = strip_scope(clause);
            if found_scope.is_some() {
                scope = found_scope;
            } else if clause_start == 0 && prev_end == 0 {
                // A sentence's first clause without a scope: try the clause before it ("到2025年，广西自贸试验区…").
                let (s, _) = strip_scope(lead.trim_start_matches(|c: char| {
                    c.is_ascii_digit() || matches!(c, '到' | '年' | '，')
                }));
                if s.is_some() {
                    scope = s;
                }
            }
            let mut subject = clean_subject(rest);
            // "不少于5000家上下游中小微制造企业", "培养和集聚6万名以上产业工人": a noun after the number
            // completes the subject.
            let tail = &sentence[q.end..];
            let stop = tail
                .find(|c: char| {
                    c.is_ascii_digit() || matches!(c, '，' | '、' | '；' | '。' | '（' | '(')
                })
                .unwrap_or(tail.len());
            let tail_end = q.end + stop;
            let tail = clean_subject(&tail[..stop]);
            let mut consumed = q.end;
            if tail.chars().count() >= 2 {
                subject.push_str(&tail);
                consumed = tail_end;
            }
            if subject.is_empty() {
                // "货运量实现翻番，达到800万吨": the subject is the clause before.
                let before = lead[..clause_start].trim_end_matches(['，', '；', '：']);
                let start = before.rfind(['，', '；', '：', '。']).map_or(0, |i| {
                    i + before[i..].chars().next().map_or(1, char::len_utf8)
                });
                let (s, rest) = strip_scope(&before[start..]);
                if s.is_some() {
                    scope = s;
                }
                subject = clean_subject(rest);
            }
            let text_start = if prev_end == 0 { 0 } else { prev_end };
            let target_text = sentence[text_start..q.end]
                .trim_start_matches(['，', '、', '；', '：', '。'])
                .to_string();
            out.push(Target {
                year,
                subject,
                scope: scope.map(str::to_string),
                value: q.value,
                value_max: q.value_max,
                unit: q.unit,
                comparator: q.comparator,
                text: target_text,
                line: p.line_at(abs_start),
            });
            prev_end = consumed;
        }
        if ends_period {
            scope = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{blocks, paras, split_lines};

    fn targets(src: &str) -> Vec<Target> {
        let mut lines = split_lines(src);
        let b = blocks(&mut lines);
        paras(&b).flat_map(extract).collect()
    }

    #[test]
    fn year_scope_value_unit() {
        let t = targets(
            "到2026年，广西自贸试验区数字经济产业年产值达300亿元、汽车产业年产值达500亿元。",
        );
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].year, t[0].scope.as_deref(), t[0].subject.as_str()),
            (Some(2026), Some("广西自贸试验区"), "数字经济产业年产值")
        );
        assert_eq!(
            (t[0].value, t[0].unit.as_str(), t[0].comparator),
            (300.0, "亿元", Comparator::AtLeast)
        );
        assert_eq!(
            t[0].text,
            "到2026年，广西自贸试验区数字经济产业年产值达300亿元"
        );
        assert_eq!(
            (t[1].subject.as_str(), t[1].scope.as_deref()),
            ("汽车产业年产值", Some("广西自贸试验区"))
        );
    }

    #[test]
    fn ranges_percentages_and_limits() {
        let t = targets(
            "到2025年，新能源产业服务带动示范经济区年产量达50万—60万辆，占全区总额40%以上，能耗控制在5万吨以内，不少于5000家上下游企业。",
        );
        assert_eq!(
            (
                t[0].value,
                t[0].value_max,
                t[0].unit.as_str(),
                t[0].comparator
            ),
            (50.0, Some(60.0), "万辆", Comparator::Range)
        );
        assert_eq!(
            (t[1].value, t[1].unit.as_str(), t[1].comparator),
            (40.0, "%", Comparator::AtLeast)
        );
        assert_eq!(
            (t[2].value, t[2].unit.as_str(), t[2].comparator),
            (5.0, "万吨", Comparator::AtMost)
        );
        assert_eq!(
            (t[3].value, t[3].subject.as_str(), t[3].comparator),
            (5000.0, "上下游企业", Comparator::AtLeast)
        );
    }

    #[test]
    fn target_tail_reaching_the_next_number_does_not_panic() {
        // Found by the docx fuzzer: the noun after 5000家 ran into 20家 and sliced backwards.
        let t = targets("到2025年，达到5000家企业20家以上。");
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].subject.as_str(), t[1].value), ("企业", 20.0));
        let _ =
            targets("到2025年，1家2家3家4家5家6家。9999999~99999999999999%999999999999999999~9%9");
    }

    #[test]
    fn facts_without_year_or_comparator_are_not_targets() {
        assert!(
            targets("实施范围119.99平方公里，推动30万吨级原油码头建设，比2020年增长。").is_empty()
        );
        let t = targets("比2020年增长20%以上。");
        assert_eq!(t[0].year, None);
    }
}
