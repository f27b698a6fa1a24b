//! Responsibility clauses: finding them and expanding them into units.
//!
//! The rules are those of `shared/spec/parse-output.md`: `，`/`；` separate groups and `、` items; a
//! level prefix (自治区, 南宁市) distributes inside its group; a run of bare place names shares the
//! last item's suffix (南宁、钦州港、崇左片区管理机构); `3个片区管委会` is a counted collective; a
//! trailing 等 makes the list open-ended; 其他各有关单位 is not a unit; leads are the declared ones,
//! else every unit of the first item. Names are kept as written after expansion: merging aliases
//! is the unit registry's job.

use crate::model::{Role, UnitRef};

/// Places that start collective items and carry a level of their own.
const PLACES: &[&str] = &[
    "钦州港",
    "防城港",
    "南宁",
    "钦州",
    "崇左",
    "柳州",
    "桂林",
    "梧州",
    "北海",
    "贵港",
    "玉林",
    "百色",
    "贺州",
    "河池",
    "来宾",
    "凭祥",
    "东兴",
    "友谊关",
    "爱店",
    "龙州",
    "宁明",
    "靖西",
    "东兴",
];

/// Words that give an item its own level, so no group prefix is added to it.
const LEVEL_WORDS: &[&str] = &[
    "自治区",
    "广西",
    "中国",
    "国家",
    "中共",
    "人民银行",
    "中直",
    "中马",
    "自贸试验区",
    "全区",
    "各",
    "3个",
    "三个",
    "海关总署",
    "商务部",
];

/// Prefixes that distribute over a run of collective items.
const RUN_PREFIXES: &[&str] = &[
    "中国（广西）自由贸易试验区",
    "广西自贸试验区",
    "自贸试验区",
    "自治区",
];

/// Labels that open a clause or a group inside it.
const LABELS: &[(&str, Option<Role>)] = &[
    ("责任单位", None),
    ("责任部门", None),
    ("牵头单位", Some(Role::Lead)),
    ("牵头部门", Some(Role::Lead)),
    ("主责单位", Some(Role::Lead)),
    ("配合单位", Some(Role::Support)),
    ("配合部门", Some(Role::Support)),
    ("协办单位", Some(Role::Support)),
    ("参与单位", Some(Role::Support)),
];

/// A clause found at the end of a task's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseSpan {
    /// Byte range of the whole clause (brackets included) in the searched text.
    pub start: usize,
    pub end: usize,
    /// The clause without brackets.
    pub inner: String,
}

fn is_open(c: char) -> bool {
    matches!(c, '（' | '(')
}

fn is_close(c: char) -> bool {
    matches!(c, '）' | ')')
}

/// Whether bracket content reads as a responsibility clause.
pub fn looks_like_clause(inner: &str) -> bool {
    let t = inner.trim();
    if LABELS
        .iter()
        .any(|(l, _)| t.starts_with(l) && t[l.len()..].starts_with(['：', ':']))
    {
        return true;
    }
    // The label-less shapes: "A牵头，B、C配合" and "A、B牵头，C按职责分工负责".
    let has_lead = t
        .split(['，', '；', ',', ';'])
        .any(|g| g.trim_end_matches('等').ends_with("牵头"));
    has_lead && !t.contains('。')
}

/// Finds the responsibility clause that ends `text` (trailing 。 and spaces allowed after it).
pub fn find_clause(text: &str) -> Option<ClauseSpan> {
    let trimmed =
        text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '。' | '.' | '；' | ';'));
    if trimmed.ends_with(is_close) {
        // Walk back to the matching opening bracket.
        let mut depth = 0i32;
        for (i, c) in trimmed.char_indices().rev() {
            if is_close(c) {
                depth += 1;
            } else if is_open(c) {
                depth -= 1;
                if depth == 0 {
                    let inner_start = i + c.len_utf8();
                    let close_len = trimmed.chars().last().map_or(1, char::len_utf8);
                    let inner = &trimmed[inner_start..trimmed.len() - close_len];
                    if looks_like_clause(inner) {
                        return Some(ClauseSpan {
                            start: i,
                            end: trimmed.len(),
                            inner: inner.trim().to_string(),
                        });
                    }
                    break;
                }
            }
        }
    }
    // An unbracketed clause as the last sentence: "…。责任单位：A、B".
    for (label, _) in LABELS {
        if let Some(pos) = trimmed.rfind(label) {
            let before = trimmed[..pos].chars().last();
            let after = &trimmed[pos + label.len()..];
            if before.is_none_or(|c| matches!(c, '。' | '；' | '\n'))
                && after.starts_with(['：', ':'])
                && !after.contains('。')
            {
                return Some(ClauseSpan {
                    start: pos,
                    end: trimmed.len(),
                    inner: trimmed[pos..].trim().to_string(),
                });
            }
        }
    }
    None
}

/// Whether a sentence declares that the first-listed unit leads.
pub fn declares_lead_rule(sentence: &str) -> bool {
    let s = sentence.trim();
    (s.contains("首位") || s.contains("第一") || s.contains("排名第一") || s.contains("排在第一"))
        && s.contains("牵头")
}

/// The expansion of one clause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The clause as written, without the 责任单位 label and the lead-rule sentence.
    pub units_text: String,
    pub units: Vec<UnitRef>,
    pub open_ended: bool,
    pub others: bool,
    /// The clause holds 排在首位的为牵头单位.
    pub declares_rule: bool,
    /// The clause names its leads itself (牵头单位：… or …牵头).
    pub explicit_lead: bool,
}

/// Splits at any of `seps` outside brackets.
fn split_top(s: &str, seps: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '（' | '(' | '〔' | '【' | '[' | '《' => depth += 1,
            '）' | ')' | '〕' | '】' | ']' | '》' => depth = (depth - 1).max(0),
            _ => {}
        }
        if depth == 0 && seps.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn place_prefix(s: &str) -> Option<&'static str> {
    PLACES
        .iter()
        .copied()
        .filter(|p| s.starts_with(p))
        .max_by_key(|p| p.len())
}

/// The bare level word a city's, county's or province's own documents start names with (市商务局),
/// not to be confused with 市场监管局.
fn bare_level(item: &str) -> Option<&'static str> {
    ["市", "县", "省"]
        .into_iter()
        .find(|w| item.starts_with(w) && !item.starts_with("市场"))
}

fn has_own_level(item: &str) -> bool {
    if LEVEL_WORDS.iter().any(|w| item.starts_with(w)) || place_prefix(item).is_some() {
        return true;
    }
    if bare_level(item).is_some() {
        return true;
    }
    // "百色市人民政府", "龙州县…": a place name we do not list, followed by 市/县.
    let chars: Vec<char> = item.chars().take(5).collect();
    chars
        .iter()
        .enumerate()
        .skip(2)
        .any(|(i, c)| matches!(c, '市' | '县') && chars.get(i + 1) != Some(&'场'))
}

/// The prefix that distributes from the first item of a group to items without a level.
fn group_prefix(first: &str) -> Option<String> {
    if first.starts_with("自治区") && first.chars().count() > 3 {
        return Some("自治区".into());
    }
    // A city's or county's own documents: "市商务局、发展改革委" is 市商务局 and 市发展改革委.
    if let Some(bare) = bare_level(first)
        && first.chars().count() > 2
    {
        return Some(bare.into());
    }
    let place = place_prefix(first)?;
    let rest = &first[place.len()..];
    if rest.starts_with('市') && rest.chars().count() > 2 && !rest.starts_with("市人民政府") {
        return Some(format!("{place}市"));
    }
    None
}

fn run_prefix(item: &str) -> Option<&'static str> {
    RUN_PREFIXES
        .iter()
        .copied()
        .find(|p| item.starts_with(p) && item.len() > p.len())
}

/// Expands a counted collective: 3个片区管委会 → the three area committees.
fn counted_collective(item: &str) -> Option<Vec<String>> {
    for count in ["3个", "三个", "各"] {
        if let Some(rest) = item.strip_prefix(count)
            && let Some(suffix) = rest.strip_prefix("片区")
            && matches!(suffix, "管委会" | "管理机构" | "管理委员会")
        {
            return Some(
                ["南宁", "钦州港", "崇左"]
                    .iter()
                    .map(|p| format!("{p}片区{suffix}"))
                    .collect(),
            );
        }
    }
    None
}

/// Suffixes shared by a run of bare names outside the known places ("东区、西区管委会").
const COLLECTIVE_SUFFIXES: &[&str] = &[
    "片区管理委员会",
    "片区管理机构",
    "片区管委会",
    "管理委员会",
    "管委会",
    "市人民政府",
    "县人民政府",
    "区人民政府",
    "人民政府",
];

/// Splits an item into (place, suffix) where the suffix may be shared by a run of bare names.
fn split_collective(body: &str) -> Option<(&str, &str)> {
    if let Some(place) = place_prefix(body) {
        let suffix = &body[place.len()..];
        return (!suffix.is_empty()).then_some((place, suffix));
    }
    let suffix = COLLECTIVE_SUFFIXES
        .iter()
        .find(|s| body.ends_with(**s) && body.len() > s.len())?;
    let place = &body[..body.len() - suffix.len()];
    (place.chars().count() <= 4).then_some((place, suffix))
}

/// A bare name in a run: a known place, or a short name with no unit-like ending.
fn bare_place(body: &str, suffix: &str) -> Option<usize> {
    if let Some(p) = place_prefix(body) {
        let partial = &body[p.len()..];
        return (partial.len() < suffix.len() && suffix.starts_with(partial)).then_some(p.len());
    }
    let n = body.chars().count();
    let unit_like = [
        '局', '厅', '委', '办', '会', '司', '行', '关', '站', '院', '部', '处', '所',
    ];
    ((1..=4).contains(&n)
        && body.chars().all(crate::normalize::is_han)
        && !body.ends_with(unit_like))
    .then_some(body.len())
}

/// Expands the items of one group (split at 、) into unit names, each item giving one or more.
fn expand_group(items: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = items.iter().map(|i| vec![i.clone()]).collect();
    // Rule 4: counted collectives.
    for (i, item) in items.iter().enumerate() {
        if let Some(names) = counted_collective(item) {
            out[i] = names;
        }
    }
    // Rule 3: runs of bare place names sharing the last item's suffix. Scan right to left.
    let mut end = items.len();
    while end > 0 {
        let last = &items[end - 1];
        let prefix = run_prefix(last).unwrap_or("");
        let body = &last[prefix.len()..];
        let Some((_, suffix)) = split_collective(body) else {
            end -= 1;
            continue;
        };
        let mut start = end - 1;
        let mut places: Vec<&str> = Vec::new();
        while start > 0 {
            let cand = &items[start - 1];
            let cand_body = run_prefix(cand).map_or(cand.as_str(), |p| &cand[p.len()..]);
            match bare_place(cand_body, suffix) {
                Some(len) => {
                    places.push(&cand_body[..len]);
                    start -= 1;
                }
                None => break,
            }
        }
        if start < end - 1 {
            places.reverse();
            let run_pre = run_prefix(&items[start]).map(str::to_string);
            for (k, place) in (start..end - 1).zip(places) {
                let pre = run_pre
                    .as_deref()
                    .unwrap_or_else(|| run_prefix(&items[k]).unwrap_or(""));
                out[k] = vec![format!("{pre}{place}{suffix}")];
            }
            if let Some(pre) = run_pre.as_deref()
                && prefix.is_empty()
            {
                out[end - 1] = vec![format!("{pre}{body}")];
            }
            // The run is one collective item: its names move to its first item.
            let names: Vec<String> = out[start..end]
                .iter_mut()
                .flat_map(std::mem::take)
                .collect();
            out[start] = names;
        }
        end = start;
    }
    // Rule 2: a level prefix of the first item distributes to items without a level of their own.
    if let Some(prefix) = items.first().and_then(|f| group_prefix(f)) {
        for (i, item) in items.iter().enumerate().skip(1) {
            if out[i].len() == 1 && out[i][0] == *item && !has_own_level(item) {
                out[i] = vec![format!("{prefix}{item}")];
            }
        }
    }
    out
}

fn is_others(item: &str) -> bool {
    let t = ["自治区", "市", "县", "省", "区"]
        .iter()
        .find_map(|p| item.strip_prefix(p))
        .unwrap_or(item);
    let t = t.trim_start_matches("其他").trim_start_matches("其余");
    matches!(
        t,
        "各有关单位"
            | "有关单位"
            | "各有关部门"
            | "有关部门"
            | "各相关单位"
            | "相关单位"
            | "相关部门"
            | "各相关部门"
            | "各成员单位"
    )
}

/// Strips a trailing role phrase from a group: "A、B牵头" → ("A、B", Lead).
fn group_role_suffix(group: &str) -> (&str, Option<Role>) {
    for (suffix, role) in [
        ("按职责分工负责", Role::Support),
        ("按职责负责", Role::Support),
        ("分工负责", Role::Support),
        ("共同负责", Role::Support),
        ("牵头负责", Role::Lead),
        ("牵头", Role::Lead),
        ("配合", Role::Support),
        ("协助", Role::Support),
        ("参与", Role::Support),
        ("负责", Role::Lead),
    ] {
        if let Some(rest) = group.strip_suffix(suffix)
            && !rest.is_empty()
        {
            return (rest, Some(role));
        }
    }
    (group, None)
}

/// Expands a clause's inner text into units.
pub fn expand(inner: &str) -> Expansion {
    let mut exp = Expansion::default();
    let mut text = inner.trim().to_string();
    // The lead-rule sentence ("排在首位的为牵头单位，下同") is not part of the list.
    let mut kept = Vec::new();
    for sentence in text.split('。') {
        if declares_lead_rule(sentence) && !sentence.contains("牵头单位：") {
            exp.declares_rule = true;
        } else if !sentence.trim().is_empty() {
            kept.push(sentence.trim());
        }
    }
    text = kept.join("，");
    let display = text
        .strip_prefix("责任单位：")
        .or_else(|| text.strip_prefix("责任单位:"))
        .unwrap_or(&text)
        .trim()
        .to_string();
    exp.units_text = display;

    let mut label_role: Option<Role> = None;
    let mut entries: Vec<(String, Option<Role>, usize)> = Vec::new(); // name, role, item index
    let mut item_index = 0usize;
    for group in split_top(&text, &['，', '；', ',', ';']) {
        let mut g = group.trim();
        for (label, role) in LABELS {
            if let Some(rest) = g.strip_prefix(label)
                && let Some(rest) = rest.strip_prefix(['：', ':'])
            {
                label_role = *role;
                if role.is_some() {
                    exp.explicit_lead = true;
                }
                g = rest.trim();
                break;
            }
        }
        let (g, suffix_role) = group_role_suffix(g);
        if suffix_role == Some(Role::Lead) {
            exp.explicit_lead = true;
        }
        let role = suffix_role.or(label_role);
        let items: Vec<String> = split_top(g, &['、'])
            .into_iter()
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .map(|i| {
                let mut i = i;
                while let Some(rest) = i.strip_suffix('等') {
                    exp.open_ended = true;
                    i = rest.to_string();
                }
                i
            })
            .collect();
        let (items, others): (Vec<String>, Vec<String>) =
            items.into_iter().partition(|i| !is_others(i));
        if !others.is_empty() {
            exp.others = true;
        }
        for names in expand_group(&items).into_iter().filter(|n| !n.is_empty()) {
            for name in names {
                entries.push((name, role, item_index));
            }
            item_index += 1;
        }
    }

    let lead_items: Vec<bool> = if exp.explicit_lead {
        entries
            .iter()
            .map(|(_, r, _)| *r == Some(Role::Lead))
            .collect()
    } else {
        entries.iter().map(|(_, _, idx)| *idx == 0).collect()
    };
    for ((name, _, _), lead) in entries.into_iter().zip(lead_items) {
        let role = if lead { Role::Lead } else { Role::Support };
        if name.is_empty() {
            continue;
        }
        match exp.units.iter_mut().find(|u| u.name == name) {
            Some(existing) => {
                if role == Role::Lead {
                    existing.role = Role::Lead;
                }
            }
            None => exp.units.push(UnitRef { name, role }),
        }
    }
    exp
}

/// Expands a plain unit list (a table cell) into names, with the same rules and no roles.
pub fn expand_names(list: &str) -> Vec<String> {
    let t = list.trim();
    if t.is_empty() || t.chars().all(|c| matches!(c, '—' | '-' | '/' | '无')) {
        return Vec::new();
    }
    expand(t).units.into_iter().map(|u| u.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: &Expansion) -> Vec<(String, Role)> {
        e.units.iter().map(|u| (u.name.clone(), u.role)).collect()
    }

    fn leads(e: &Expansion) -> Vec<&str> {
        e.units
            .iter()
            .filter(|u| u.role == Role::Lead)
            .map(|u| u.name.as_str())
            .collect()
    }

    #[test]
    fn level_prefix_distributes_within_group() {
        let e = expand(
            "责任单位：自治区财政厅、商务厅，南宁海关，崇左、钦州港片区管理机构。排在首位的为牵头单位，下同",
        );
        assert!(e.declares_rule);
        assert_eq!(
            e.units_text,
            "自治区财政厅、商务厅，南宁海关，崇左、钦州港片区管理机构"
        );
        let n: Vec<_> = e.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            n,
            [
                "自治区财政厅",
                "自治区商务厅",
                "南宁海关",
                "崇左片区管理机构",
                "钦州港片区管理机构"
            ]
        );
        assert_eq!(leads(&e), ["自治区财政厅"]);
    }

    #[test]
    fn party_prefix_distributes_only_the_region_level() {
        let e = expand("责任单位：自治区党委网信办、数据局");
        assert_eq!(e.units[1].name, "自治区数据局");
    }

    #[test]
    fn counted_and_city_collectives() {
        let e = expand("责任单位：3个片区管委会，崇左、南宁、钦州市人民政府，自治区统计局");
        assert_eq!(
            names(&e),
            [
                ("南宁片区管委会".into(), Role::Lead),
                ("钦州港片区管委会".into(), Role::Lead),
                ("崇左片区管委会".into(), Role::Lead),
                ("崇左市人民政府".into(), Role::Support),
                ("南宁市人民政府".into(), Role::Support),
                ("钦州市人民政府".into(), Role::Support),
                ("自治区统计局".into(), Role::Support),
            ]
        );
    }

    #[test]
    fn run_prefix_is_shared() {
        let e = expand("自贸试验区南宁片区、崇左片区管委会");
        let n: Vec<_> = e.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(n, ["自贸试验区南宁片区管委会", "自贸试验区崇左片区管委会"]);
    }

    #[test]
    fn labelled_and_suffix_shapes() {
        let e = expand("牵头单位：自治区商务厅；配合单位：自治区财政厅、南宁海关");
        assert_eq!(leads(&e), ["自治区商务厅"]);
        assert!(e.explicit_lead);
        assert_eq!(e.units.len(), 3);
        let e = expand("自治区商务厅、财政厅牵头，南宁海关按职责分工负责");
        assert_eq!(leads(&e), ["自治区商务厅", "自治区财政厅"]);
        assert_eq!(
            e.units[2],
            UnitRef {
                name: "南宁海关".into(),
                role: Role::Support
            }
        );
        let e = expand("自治区商务厅牵头，自治区财政厅、南宁海关配合");
        assert_eq!(leads(&e), ["自治区商务厅"]);
        assert_eq!(e.units.len(), 3);
    }

    #[test]
    fn others_and_open_ended() {
        let e = expand("责任单位：自治区统计局、市场监管局，自治区其他各有关单位，自治区地震局等");
        assert!(e.others);
        assert!(e.open_ended);
        let n: Vec<_> = e.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(n, ["自治区统计局", "自治区市场监管局", "自治区地震局"]);
    }

    #[test]
    fn clause_found_at_end_only() {
        let t = "推进改革（国务院规定的除外）。做好工作。（责任单位：自治区商务厅，南宁海关）。";
        let c = find_clause(t).unwrap();
        assert_eq!(c.inner, "责任单位：自治区商务厅，南宁海关");
        assert!(find_clause("推进改革（国务院规定的除外）。").is_none());
        let c = find_clause("推进改革。（自治区商务厅牵头，南宁海关配合）").unwrap();
        assert_eq!(c.inner, "自治区商务厅牵头，南宁海关配合");
        let c = find_clause("推进改革（含试点（二期））。责任单位：自治区商务厅").unwrap();
        assert_eq!(c.inner, "责任单位：自治区商务厅");
    }
}
