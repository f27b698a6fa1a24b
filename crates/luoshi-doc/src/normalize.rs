//! Character-level normalisation of one line of text.
//!
//! Every front-end (text, .docx, .html, .pdf) ends in the same line cleaner, so the rest of the
//! parser sees one canonical form: markdown residue and print headers gone, full-width ASCII made
//! half-width, half-width punctuation next to Chinese made full-width, dash variants between Chinese
//! characters made `—`, and spaces that word processors put between Chinese and digits removed.

use std::borrow::Cow;

/// A Han ideograph (the CJK blocks that 公文 use).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}' | '〇')
}

/// A character of Chinese text: an ideograph, CJK punctuation or a full-width form.
pub fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '\u{2014}' | '\u{2018}'..='\u{201F}' | '\u{2026}' | '\u{00B7}')
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{3000}' | '\u{FEFF}' | '\u{200B}')
}

fn is_dash_variant(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{2500}' | '\u{2501}' | '\u{FF0D}' | '\u{FE63}'
    )
}

/// Lines printed by the intranet's print function above a document ("电子公文打印版" and its form).
pub fn is_print_header(text: &str) -> bool {
    matches!(
        text,
        "电子公文打印版"
            | "打印单位"
            | "打印人"
            | "打印时间"
            | "年月日"
            | "打印单位："
            | "打印人："
    )
}

/// A running page number such as `— 3 —`, `- 12 -`, `第3页`, `第 3 页 共 9 页`, `3/9`.
pub fn is_page_number(text: &str) -> bool {
    // Cheap rejection first: this runs on every line.
    if text.len() > 48
        || !text.starts_with(|c: char| {
            c.is_ascii_digit() || is_dash_variant(c) || matches!(c, '—' | '第' | ' ')
        })
    {
        return false;
    }
    let t: String = text.chars().filter(|c| !is_space(*c)).collect();
    if t.is_empty() || t.chars().count() > 16 {
        return false;
    }
    let core = t.trim_matches(|c: char| is_dash_variant(c) || c == '—');
    if core.len() != t.len() && !core.is_empty() && core.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    if let Some(rest) = t.strip_prefix('第') {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() {
            let after = &rest[digits.len()..];
            if after == "页" || (after.starts_with("页共") && after.ends_with('页')) {
                return true;
            }
        }
    }
    if let Some((a, b)) = t.split_once('/') {
        return !a.is_empty()
            && !b.is_empty()
            && a.chars().all(|c| c.is_ascii_digit())
            && b.chars().all(|c| c.is_ascii_digit());
    }
    false
}

/// Removes markdown residue (`#` headings, `**` emphasis, `> ` quotes, rules, bookmarks).
/// Returns the text and whether the line was a markdown heading.
pub fn strip_markdown(line: &str) -> (Cow<'_, str>, bool) {
    let mut s = line.trim_matches(is_space);
    let mut heading = false;
    if s.starts_with('#') {
        let rest = s.trim_start_matches('#');
        if rest.is_empty() || rest.starts_with(is_space) {
            s = rest.trim_start_matches(is_space);
            heading = true;
        }
    }
    if let Some(rest) = s.strip_prefix("> ") {
        s = rest;
    }
    if s.len() >= 3
        && s.chars()
            .all(|c| c == '-' || c == '*' || c == '_' || c == '=')
    {
        return (Cow::Borrowed(""), false);
    }
    if !s.contains("**") && !s.contains("__") && !s.contains("[bookmark:") && !s.contains('\\') {
        return (Cow::Borrowed(s), heading);
    }
    let mut out = s.replace("**", "").replace("__", "");
    while let Some(start) = out.find("[bookmark:") {
        match out[start..].find(']') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    // Markdown escapes such as `1\.` come from converters; the backslash is never 公文 text.
    if out.contains('\\') {
        out = out
            .replace("\\.", ".")
            .replace("\\-", "-")
            .replace("\\*", "*");
    }
    (Cow::Owned(out.trim_matches(is_space).to_string()), heading)
}

/// Maps full-width ASCII letters, digits and a few symbols to half-width.
fn halfwidth(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '\u{FF0E}' => '.',
        '\u{FF05}' => '%',
        '\u{FF0B}' => '+',
        '\u{FF0F}' => '/',
        '\u{FF1D}' => '=',
        _ => c,
    }
}

/// Full-width twin of a half-width punctuation mark that is written full-width in Chinese text.
fn fullwidth_punct(c: char) -> Option<char> {
    Some(match c {
        '(' => '（',
        ')' => '）',
        ':' => '：',
        ',' => '，',
        ';' => '；',
        '?' => '？',
        '!' => '！',
        _ => return None,
    })
}

/// Cleans one line: markdown residue, widths, brackets, dashes and spacing. Idempotent.
pub fn clean_line(raw: &str) -> (String, bool) {
    let (s, heading) = strip_markdown(raw);
    if s.is_empty() {
        return (String::new(), heading);
    }
    let chars: Vec<char> = s
        .chars()
        .map(halfwidth)
        .map(|c| if is_space(c) { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(s.len());
    let n = chars.len();
    let prev_non_space = |i: usize| chars[..i].iter().rev().find(|c| **c != ' ').copied();
    let next_non_space = |i: usize| chars[i + 1..].iter().find(|c| **c != ' ').copied();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == ' ' {
            // Collapse a run of spaces; drop it entirely next to Chinese text.
            let mut j = i;
            while j < n && chars[j] == ' ' {
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            let keep = match (before, after) {
                (Some(b), Some(a)) => !(is_cjk(b) || is_cjk(a)),
                _ => false,
            };
            if keep {
                out.push(' ');
            }
            i = j;
            continue;
        }
        if let Some(fw) = fullwidth_punct(c) {
            let p = prev_non_space(i);
            let q = next_non_space(i);
            let near_cjk = p.is_some_and(is_han)
                || q.is_some_and(is_han)
                || p.is_some_and(|p| is_cjk(p) && p != '”')
                || (c == '(' && q.is_some_and(is_cjk));
            // Keep ASCII punctuation between ASCII neighbours (URLs, "10:30", "1,000").
            let ascii_both = p.is_some_and(|p| p.is_ascii_alphanumeric())
                && q.is_some_and(|q| q.is_ascii_alphanumeric());
            if near_cjk && !(ascii_both && (c == ':' || c == ',')) {
                out.push(fw);
                i += 1;
                continue;
            }
        }
        if is_dash_variant(c) && c != '\u{2015}' {
            let run_start = i;
            let mut j = i;
            while j < n && (is_dash_variant(chars[j]) || chars[j] == '—') {
                j += 1;
            }
            let p = prev_non_space(run_start);
            let q = chars
                .get(j..)
                .and_then(|rest| rest.iter().find(|c| **c != ' ').copied());
            let han_side = p.is_some_and(is_han) || q.is_some_and(is_han);
            let other_ok =
                |x: Option<char>| x.is_none_or(|x| is_han(x) || x.is_ascii_digit() || is_cjk(x));
            if j - run_start == 1 && han_side && other_ok(p) && other_ok(q) {
                out.push('—');
                i = j;
                continue;
            }
            if j - run_start == 2 && chars[run_start..j].iter().all(|c| *c != '-') {
                out.push_str("——");
                i = j;
                continue;
            }
            out.extend(&chars[run_start..j]);
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    // Remove a space left between a Chinese character and a following ASCII character at the end.
    let trimmed = out.trim_matches(' ');
    (trimmed.to_string(), heading)
}

/// Removes all whitespace and unifies the remaining variant forms, for comparing wordings.
pub fn canonical_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = halfwidth(c);
        if is_space(c) {
            continue;
        }
        let c = match c {
            '(' => '（',
            ')' => '）',
            ':' => '：',
            ',' => '，',
            ';' => '；',
            '[' | '［' | '【' => '〔',
            ']' | '］' | '】' => '〕',
            '"' | '“' | '”' | '「' | '」' => '"',
            '\'' | '‘' | '’' => '\'',
            c if is_dash_variant(c) || c == '—' => '—',
            '*' | '#' => continue,
            c => c,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_and_digits_are_removed() {
        assert_eq!(
            clean_line("印发 6 个新设自由贸易试验区（国发〔2019〕16 号）").0,
            "印发6个新设自由贸易试验区（国发〔2019〕16号）"
        );
        assert_eq!(clean_line("T/GXAS 1033 standard").0, "T/GXAS 1033 standard");
    }

    #[test]
    fn markdown_and_widths_are_mended() {
        let (t, h) = clean_line("#### **四、保障措施**");
        assert_eq!(t, "四、保障措施");
        assert!(h);
        assert_eq!(clean_line("　　１．实施(试点)").0, "1.实施（试点）");
        assert_eq!(clean_line("中国-东盟博览会").0, "中国—东盟博览会");
        assert_eq!(clean_line("2021-07-22").0, "2021-07-22");
        assert_eq!(clean_line("——坚持分步推进。").0, "——坚持分步推进。");
        assert_eq!(clean_line("(三) 打造面向东盟").0, "（三）打造面向东盟");
        assert_eq!(clean_line("[bookmark: _GoBack]第七批").0, "第七批");
    }

    #[test]
    fn page_numbers_are_recognised() {
        for p in [
            "— 3 —",
            "- 12 -",
            "第3页",
            "第 3 页 共 9 页",
            "3/9",
            "－ 2 －",
        ] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["3个片区", "2021-07-22", "一、总体要求", "12"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn canonical_key_ignores_variants() {
        assert_eq!(
            canonical_key("中国-东盟 “10+1”"),
            canonical_key("中国—东盟“10＋1”")
        );
    }
}
