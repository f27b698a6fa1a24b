//! Quantified targets: "到2026年，广西自贸试验区数字经济产业年产值达300亿元".
//!
//! A number followed by a unit of measure is a target when it is stated with a comparator (达,
//! 不少于, 以上, 以内 …) or under a due year (到2025年), which holds for the rest of its paragraph. The
//! value and unit are kept as written (700亿元 is 700 and 亿元); a range 50万—60万辆 gives value,
//! value_max and comparator "range". The scope is the area named at the head of the clause
//! (广西自贸试验区, 3个片区 …) and carries over to the following targets of the sentence.

use crate::layout::Para;
use crate::model::{Comparator, Direction, Measure, Target};

/// Counters and measures that make a number a quantity. Longest first where one is a prefix.
const UNITS: &[&str] = &[
    "个工作日",
    "工作日",
    "平方公里",
    "平方米",
    "千瓦时",
    "人次",
    "辆次",
    "标箱",
    "美元",
    "公里",
    "千瓦",
    "小时",
    "分钟",
    "天",
    "倍",
    "元",
    "吨",
    "辆",
    "列",
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
const AT_MOST_BEFORE: &[&str] = &[
    "不超过",
    "不高于",
    "控制在",
    "压缩至",
    "压缩到",
    "缩短至",
    "缩短到",
    "降至",
    "降到",
    "下降至",
    "下降到",
    "降低至",
    "降低到",
    "减少至",
    "减少到",
    "低于",
    "少于",
];

/// Verbs of a change, with their direction (before the number: 较2025年压缩10%, 增长8%).
const CHANGES: &[(&str, Direction)] = &[
    ("增长", Direction::Increase),
    ("增加", Direction::Increase),
    ("提高", Direction::Increase),
    ("提升", Direction::Increase),
    ("递增", Direction::Increase),
    ("下降", Direction::Decrease),
    ("降低", Direction::Decrease),
    ("压缩", Direction::Decrease),
    ("缩短", Direction::Decrease),
    ("减少", Direction::Decrease),
    ("减少了", Direction::Decrease),
];

/// Words between a change verb and its number that do not change its meaning (增长达8%).
const CHANGE_FILLERS: &[&str] = &["达到", "达", "超过", "不低于", "不少于", "至少", "了", "约"];

/// What the number of a quantity measures, from the clause before it (up to the number) and its
/// unit: a yearly average rate, a change against a base year, a share of a whole, or a level.
fn measure_of(clause: &str, unit: &str) -> (Measure, Option<i32>, Option<Direction>) {
    let mut t = clause;
    let mut trimmed = true;
    while trimmed {
        trimmed = false;
        for f in CHANGE_FILLERS {
            if let Some(r) = t.strip_suffix(f) {
                t = r;
                trimmed = true;
            }
        }
    }
    if let Some((verb, dir)) = CHANGES.iter().find(|(v, _)| t.ends_with(v)) {
        let head = &t[..t.len() - verb.len()];
        for rate in ["年均", "年平均", "每年"] {
            if head.ends_with(rate) {
                return (Measure::AnnualGrowth, None, Some(*dir));
            }
        }
        return (Measure::Change, base_year(head), Some(*dir));
    }
    if t.ends_with("年均增速") || t.ends_with("年均增幅") {
        return (Measure::AnnualGrowth, None, Some(Direction::Increase));
    }
    if unit == "%"
        && (clause.contains('占')
            || ["比重", "比例", "占比", "份额"]
                .iter()
                .any(|w| t.ends_with(w)))
    {
        return (Measure::Share, None, None);
    }
    (Measure::Level, None, None)
}

/// The base year of a change: 较2025年, 比2020年, 与2020年相比.
fn base_year(s: &str) -> Option<i32> {
    for w in ["较", "比", "与", "同"] {
        if let Some(i) = s.rfind(w) {
            let rest = &s[i + w.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() == 4 && rest[4..].starts_with('年') {
                return digits.parse().ok();
            }
        }
    }
    None
}

struct Quantity {
    start: usize,
    end: usize,
    value: f64,
    value_max: Option<f64>,
    unit: String,
    comparator: Comparator,
    measure: (Measure, Option<i32>, Option<Direction>),
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
        let clause_start = before_text.rfind(['，', '；', '：', '、']).map_or(0, |k| {
            k + before_text[k..].chars().next().map_or(1, char::len_utf8)
        });
        let measure = measure_of(&before_text[clause_start..], &unit);
        out.push(Quantity {
            start: chars[i].0,
            end,
            value,
            value_max,
            unit,
            comparator,
            measure,
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
            // A bare year opening the sentence or a clause (2025年全区…) is the year it is due.
            let opens = before.is_empty() || before.ends_with(['。', '；', '，', '：', '\n']);
            let due = before.ends_with('到')
                || before.ends_with('至')
                || before.ends_with("力争")
                || opens
                || after.starts_with('，')
                || after.starts_with("前")
                || after.starts_with("底")
                || after.starts_with("年底")
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
    // 企业开办时间较2025年压缩: the base-year phrase is the measure's, not the subject's.
    if let Some(i) = t.rfind(['较', '比'])
        && t[i..].chars().nth(1).is_some_and(|c| c.is_ascii_digit())
    {
        t = &t[..i];
    }
    // The longest word first each time: 不超过 is one word, not 不 and 超过.
    while let Some(w) = AT_LEAST_BEFORE
        .iter()
        .chain(AT_MOST_BEFORE)
        .chain(CHANGES.iter().map(|(v, _)| v))
        .chain(CHANGE_FILLERS)
        .chain(["分别", "累计", "年均", "年平均", "每年", "达", "力争"].iter())
        .filter(|w| t.ends_with(**w))
        .max_by_key(|w| w.len())
    {
        t = &t[..t.len() - w.len()];
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
                // 到2026年底, 2026年底前, 2026年末: the rest of the year phrase.
                for tail in ["年底前", "年底", "底前", "底", "末", "前"] {
                    if let Some(rest) = clause.strip_prefix(tail) {
                        clause = rest;
                        break;
                    }
                }
            }
            let (found_scope, rest) = strip_scope(clause);
            if found_scope.is_some() {
                scope = found_scope;
            } else if clause_start == 0 && prev_end == 0 {
                // A sentence's first clause without a scope: try the clause before it ("到2027年，示范区…").
                let (s, _) = strip_scope(lead.trim_start_matches(|c: char| {
                    c.is_ascii_digit() || matches!(c, '到' | '年' | '，')
                }));
                if s.is_some() {
                    scope = s;
                }
            }
            let mut subject = clean_subject(rest);
            // "不少于800家配套企业", "引育3万名以上技能人才": a noun after the number
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
                // "吞吐量实现倍增，达到600万吨": the subject is the clause before.
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
            // "年度外贸进出口额不少于900亿元，占全区总额20%以上": a share of what the
            // previous target counts.
            if q.measure.0 == Measure::Share
                && subject.starts_with('占')
                && prev_end > 0
                && let Some(prev) = out.last().map(|t: &Target| t.subject.clone())
            {
                subject = format!("{prev}{subject}");
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
                measure: q.measure.0,
                base_year: q.measure.1,
                direction: q.measure.2,
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

    /// One sample sentence per wording of the contract: (sentence, year, subject, value,
    /// value_max, unit, comparator, measure, base_year, direction) of its first target.
    #[test]
    fn targets_in_every_wording() {
        use Comparator::*;
        use Direction::*;
        use Measure::*;
        type Row = (
            &'static str,
            Option<i32>,
            &'static str,
            f64,
            Option<f64>,
            &'static str,
            Comparator,
            Measure,
            Option<i32>,
            Option<Direction>,
        );
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("到2025年，示范区跨境电商交易额达120亿元。", Some(2025), "示范区跨境电商交易额", 120.0, None, "亿元", AtLeast, Level, None, None),
            ("2025年底前，入驻企业不少于800家。", Some(2025), "入驻企业", 800.0, None, "家", AtLeast, Level, None, None),
            ("2026年前，建成海外仓15个以上。", Some(2026), "建成海外仓", 15.0, None, "个", AtLeast, Level, None, None),
            ("2027年全区港口集装箱运量达到900万标箱。", Some(2027), "港口集装箱运量", 900.0, None, "万标箱", AtLeast, Level, None, None),
            ("到2025年，企业开办时间控制在2个工作日以内。", Some(2025), "企业开办时间", 2.0, None, "个工作日", AtMost, Level, None, None),
            ("到2025年，进口整体通关时间不超过36小时。", Some(2025), "进口整体通关时间", 36.0, None, "小时", AtMost, Level, None, None),
            ("到2025年，出口通关时间压缩至1.5小时以内。", Some(2025), "出口通关时间", 1.5, None, "小时", AtMost, Level, None, None),
            ("到2027年，项目审批时间较2025年压缩30%。", Some(2027), "项目审批时间", 30.0, None, "%", Equal, Change, Some(2025), Some(Decrease)),
            ("到2026年，单位产值能耗较2023年下降8%以上。", Some(2026), "单位产值能耗", 8.0, None, "%", AtLeast, Change, Some(2023), Some(Decrease)),
            ("到2026年，外贸进出口额比2022年增长50%。", Some(2026), "外贸进出口额", 50.0, None, "%", Equal, Change, Some(2022), Some(Increase)),
            ("到2025年，数字贸易额年均增长12%以上。", Some(2025), "数字贸易额", 12.0, None, "%", AtLeast, AnnualGrowth, None, Some(Increase)),
            ("到2025年，实际利用外资占全区总额的35%以上。", Some(2025), "实际利用外资占全区总额", 35.0, None, "%", AtLeast, Share, None, None),
            ("到2025年，年度外贸进出口额不少于900亿元，占全区总额20%以上。", Some(2025), "年度外贸进出口额", 900.0, None, "亿元", AtLeast, Level, None, None),
            ("力争到2026年，年度利用外资不少于12亿美元。", Some(2026), "年度利用外资", 12.0, None, "亿美元", AtLeast, Level, None, None),
            ("到2026年底海铁联运班列开行量达到1.2万列。", Some(2026), "海铁联运班列开行量", 1.2, None, "万列", AtLeast, Level, None, None),
            ("到2025年，新能源汽车年产量达到30万—40万辆。", Some(2025), "新能源汽车年产量", 30.0, Some(40.0), "万辆", Range, Level, None, None),
        ];
        for (text, year, subject, value, value_max, unit, cmp, measure, base, dir) in table {
            let t = targets(text);
            let t = t.first().unwrap_or_else(|| panic!("{text}: no target"));
            assert_eq!(
                (
                    t.year,
                    t.subject.as_str(),
                    t.value,
                    t.value_max,
                    t.unit.as_str(),
                    t.comparator
                ),
                (*year, *subject, *value, *value_max, *unit, *cmp),
                "{text}"
            );
            assert_eq!(
                (t.measure, t.base_year, t.direction),
                (*measure, *base, *dir),
                "{text}"
            );
        }
        let t = targets("到2025年，年度外贸进出口额不少于900亿元，占全区总额20%以上。");
        assert_eq!(
            (t[1].subject.as_str(), t[1].measure),
            ("年度外贸进出口额占全区总额", Share)
        );
    }

    #[test]
    fn year_scope_value_unit() {
        let t = targets(
            "到2026年，广西自贸试验区数字经济产业年产值达300亿元、装备制造产业年产值达450亿元。",
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
            ("装备制造产业年产值", Some("广西自贸试验区"))
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
            targets("实施范围119.99平方公里，推动20万吨级散货码头建设，比2020年增长。").is_empty()
        );
        let t = targets("比2020年增长20%以上。");
        assert_eq!(t[0].year, None);
    }
}
