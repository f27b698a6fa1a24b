//! Metadata of a 公文: 发文字号, 发文机关, title, dates, 主送, 抄送, the public flag and attachments.
//!
//! GB/T 9704 puts these in fixed places — the 版头 above the title, the signature and date after
//! the body, the 版记 at the end — but the files we receive are exports, reprints and web pages, so
//! each fact is looked for where it is usually found and then where it is found otherwise.

use std::sync::LazyLock;

use regex::Regex;

use crate::layout::{Block, Para};
use crate::model::Meta;
use crate::outline::{detect_marker, is_annex_start};

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([\p{Han}]{1,12})\s*[〔\[［【（(]\s*((?:19|20)\d{2})\s*[〕\]］】）)]\s*(\d{1,4})\s*号",
    )
    .expect("valid regex")
});

/// Parses a date at the start of `text`: "2020年1月22日", "2020 年 2 月 6 日", "二〇二〇年一月二十二日".
/// Returns the ISO date and the rest of the text.
pub fn parse_cn_date(text: &str) -> Option<(String, &str)> {
    let t = text.trim();
    let (year_s, rest) = t.split_once('年')?;
    let (month_s, rest) = rest.split_once('月')?;
    let (day_s, rest) = rest.split_once('日')?;
    let year = parse_num(year_s.trim(), true)?;
    let month = parse_num(month_s.trim(), false)?;
    let day = parse_num(day_s.trim(), false)?;
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((format!("{year:04}-{month:02}-{day:02}"), rest.trim()))
}

fn parse_num(s: &str, year: bool) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return if s.len() <= 4 { s.parse().ok() } else { None };
    }
    if year {
        // 二〇二〇: digit by digit.
        let digits: Option<String> = s
            .chars()
            .map(|c| {
                "〇一二三四五六七八九".chars().position(|d| d == c).or(
                    if c == '零' || c == 'O' || c == '０' {
                        Some(0)
                    } else {
                        None
                    },
                )
            })
            .map(|d| d.and_then(|d| char::from_digit(d as u32, 10)))
            .collect();
        return digits?.parse().ok();
    }
    crate::outline::cn_number(s)
}

/// A doc number that stands on its own line (or with 签发人), normalised to 〔〕.
pub fn find_doc_number_line(text: &str) -> Option<String> {
    if !text.contains('号') || text.len() > 120 {
        return None;
    }
    let caps = DOC_NUMBER.captures(text)?;
    let whole = caps.get(0)?;
    let rest = text[whole.end()..].trim();
    let before = text[..whole.start()].trim();
    if before.is_empty() && (rest.is_empty() || rest.starts_with("签发人")) {
        return Some(normalise_doc_number(&caps));
    }
    None
}

fn normalise_doc_number(caps: &regex::Captures<'_>) -> String {
    format!("{}〔{}〕{}号", &caps[1], &caps[2], &caps[3])
}

/// Issuers end with one of these; used to tell a signature line from other short lines.
const ORG_ENDINGS: &[&str] = &[
    "人民政府",
    "办公厅",
    "办公室",
    "委员会",
    "管委会",
    "领导小组",
    "指挥部",
    "厅",
    "局",
    "委",
    "办",
    "部",
    "署",
    "院",
    "会",
    "中心",
    "政府",
];

fn looks_like_org(text: &str) -> bool {
    let n = text.chars().count();
    (4..=40).contains(&n)
        && !text.contains(['。', '，', '：', '、'])
        && ORG_ENDINGS.iter().any(|e| text.ends_with(e))
        && detect_marker(text).is_none()
}

pub(crate) const TITLE_ENDINGS: &[&str] = &[
    "通知",
    "意见",
    "方案",
    "办法",
    "规定",
    "决定",
    "通报",
    "批复",
    "报告",
    "分工表",
    "名单",
    "要点",
    "细则",
    "计划",
    "规则",
    "公告",
    "函",
    "纪要",
    "请示",
];

/// Reads the metadata from the document's blocks.
pub fn extract(blocks: &[Block]) -> Meta {
    let paras: Vec<&Para> = crate::layout::paras(blocks).collect();
    let mut meta = Meta::default();
    // The head of the document: everything before the first heading of the body.
    let head_end = paras
        .iter()
        .position(|p| detect_marker(&p.text).is_some())
        .unwrap_or(paras.len())
        .min(40);
    let head = &paras[..head_end];

    // 发文字号: a line of its own in the head, else in brackets at the end of the title line.
    for p in head {
        if let Some(n) = find_doc_number_line(&p.text) {
            meta.doc_number = Some(n);
            break;
        }
    }
    let title_idx = head.iter().position(|p| {
        let t = strip_trailing_doc_number(&p.text);
        let n = t.chars().count();
        (6..=150).contains(&n)
            && !t.contains('。')
            && (t.contains("关于") || TITLE_ENDINGS.iter().any(|e| t.ends_with(e)))
            && !t.ends_with("文件")
    });
    if let Some(i) = title_idx {
        let p = head[i];
        if meta.doc_number.is_none()
            && let Some(caps) = DOC_NUMBER.captures(&p.text)
            && p.text.trim_end().ends_with(['）', ')'])
        {
            meta.doc_number = Some(normalise_doc_number(&caps));
        }
        meta.title = Some(strip_trailing_doc_number(&p.text).to_string());
    }

    // 发文机关: the red header "XXX文件", else the title's "XXX关于…" or "XXX印发…", else the signature.
    meta.issuer = head
        .iter()
        .find_map(|p| {
            p.text
                .strip_suffix("文件")
                .filter(|s| looks_like_org(s))
                .map(str::to_string)
        })
        .or_else(|| {
            let t = meta.title.as_deref()?;
            let cut = t.find("关于").or_else(|| t.find("印发"))?;
            let org = &t[..cut];
            looks_like_org(org).then(|| org.to_string())
        });

    // 成文日期: the first date standing alone, after a signature line where there is one.
    for (i, p) in paras.iter().enumerate() {
        if let Some((iso, rest)) = parse_cn_date(&p.text)
            && rest.is_empty()
        {
            meta.signed_date = Some(iso);
            if meta.issuer.is_none() && i > 0 && looks_like_org(paras[i - 1].text.trim()) {
                meta.issuer = Some(paras[i - 1].text.trim().to_string());
            }
            break;
        }
    }

    // 印发机关 and 印发日期: "XXX办公厅  2020年2月6日印发", on one line or two.
    for (i, p) in paras.iter().enumerate().rev() {
        let t = p.text.trim();
        if !t.ends_with("印发") {
            continue;
        }
        let date_start = t
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || "〇一二三四五六七八九".contains(*c))
            .map(|(i, _)| i);
        if let Some(ds) = date_start
            && let Some((iso, rest)) = parse_cn_date(&t[ds..])
            && rest == "印发"
        {
            meta.printed_date = Some(iso);
            let org = t[..ds].trim();
            if !org.is_empty() {
                meta.printed_by = Some(org.to_string());
            } else if i > 0 && looks_like_org(paras[i - 1].text.trim()) {
                meta.printed_by = Some(paras[i - 1].text.trim().to_string());
            }
            break;
        }
    }

    // 主送机关: a line of organisations ending in ： near the head.
    for p in paras.iter().take(head_end.max(8) + 4) {
        let t = p.text.trim();
        if let Some(list) = t.strip_suffix('：').or_else(|| t.strip_suffix(':'))
            && list.chars().count() >= 3
            && detect_marker(t).is_none()
            && !list.contains('。')
            && (list.contains("人民政府")
                || list.contains('各')
                || list.contains("单位")
                || list.contains("委员会")
                || list.contains("部门"))
        {
            meta.addressees = split_orgs(list, false);
            break;
        }
    }

    // 抄送: from "抄送：" over the lines that continue its list, up to the 印发 line.
    if let Some(start) = paras.iter().rposition(|p| p.text.starts_with("抄送")) {
        let mut list = paras[start]
            .text
            .trim_start_matches("抄送")
            .trim_start_matches(['：', ':'])
            .to_string();
        for (k, p) in paras.iter().enumerate().skip(start + 1) {
            let t = p.text.trim();
            let before_printed = paras
                .get(k + 1)
                .is_some_and(|n| n.text.trim().ends_with("印发"));
            if t.ends_with("印发")
                || crate::layout::is_date_line(t)
                || before_printed
                || detect_marker(t).is_some()
            {
                break;
            }
            list.push('，');
            list.push_str(t);
        }
        meta.cc = split_orgs(&list, true);
    }

    // Public flag.
    for p in &paras {
        let t = p.text.as_str();
        // The statement stands on a short line of its own (under 30 characters, 90 bytes).
        if t.len() > 90 || !t.contains("公开") {
            continue;
        }
        if t.contains("不予公开") || t.contains("不公开") || t.contains("依申请公开") {
            if t.chars().count() < 30 {
                meta.public = Some(false);
                break;
            }
        } else if (t.contains("此件公开发布") || t.contains("主动公开") || t.contains("此件公开"))
            && t.chars().count() < 30
        {
            meta.public = Some(true);
            break;
        }
    }

    // 附件: "附件：名称" or "附件：1. 名称" followed by "2. 名称" lines.
    for (i, p) in paras.iter().enumerate() {
        let t = p.text.trim();
        let Some(rest) = t
            .strip_prefix("附件")
            .and_then(|r| r.strip_prefix(['：', ':']))
        else {
            continue;
        };
        if is_annex_start(t) {
            continue;
        }
        let rest = rest.trim();
        if !rest.is_empty() {
            meta.attachments.push(strip_list_number(rest));
        }
        for q in paras.iter().skip(i + 1) {
            match detect_marker(&q.text) {
                Some(m) if m.level == 3 && meta.attachments.len() as u32 == m.ordinal - 1 => meta
                    .attachments
                    .push(q.text[m.len..].trim().trim_end_matches('。').to_string()),
                _ => break,
            }
        }
        break;
    }
    meta
}

fn strip_trailing_doc_number(text: &str) -> &str {
    let t = text.trim();
    if t.ends_with(['）', ')'])
        && let Some(caps) = DOC_NUMBER.captures(t)
        && let Some(m) = caps.get(0)
    {
        let open = t[..m.start()].rfind(['（', '(']);
        if let Some(o) = open {
            return t[..o].trim();
        }
    }
    t
}

fn strip_list_number(s: &str) -> String {
    match detect_marker(s) {
        Some(m) if m.level == 3 => s[m.len..].trim().trim_end_matches('。').to_string(),
        _ => s.trim_end_matches('。').to_string(),
    }
}

/// Splits an organisation list at ，and ；(and at 。 for 抄送, whose lines end in 。).
fn split_orgs(list: &str, split_at_stop: bool) -> Vec<String> {
    list.split(|c| matches!(c, '，' | '；' | ',' | ';') || (split_at_stop && c == '。'))
        .map(|s| s.trim().trim_end_matches('。').trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_cn_date("2020年1月22日"),
            Some(("2020-01-22".into(), ""))
        );
        assert_eq!(parse_cn_date("2020年2月6日印发").map(|d| d.1), Some("印发"));
        assert_eq!(
            parse_cn_date("二〇二〇年一月二十二日").unwrap().0,
            "2020-01-22"
        );
        assert!(parse_cn_date("2020年13月1日").is_none());
        assert!(parse_cn_date("到2025年，产值达到").is_none());
    }

    #[test]
    fn doc_numbers() {
        assert_eq!(
            find_doc_number_line("桂政发[2020]3号").as_deref(),
            Some("桂政发〔2020〕3号")
        );
        assert_eq!(
            find_doc_number_line("桂自贸办发〔2022〕13号").as_deref(),
            Some("桂自贸办发〔2022〕13号")
        );
        assert!(find_doc_number_line("为贯彻落实《通知》（国发〔2019〕16号）精神").is_none());
    }
}
