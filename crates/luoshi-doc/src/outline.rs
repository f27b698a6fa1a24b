//! Heading markers and the outline tree.
//!
//! 公文 number their structure 一、 / （一） / 1. / （1）. A paragraph that starts with a marker is a
//! heading only if its number fits the sequence so far (the first, or one after the last at its
//! level), so a sentence that happens to begin "3." after "10." is not taken for a heading. Arabic
//! numbers may run on across （一）（二） groups, as they do in the seeds. An annex (a paragraph that
//! is just 附件) opens a top-level node of its own.

use crate::layout::{Block, Para};
use crate::model::{OutlineNode, Warning};

/// A heading number at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// 0 annex, 1 一、, 2 （一）, 3 1., 4 （1）.
    pub level: u8,
    pub ordinal: u32,
    /// Canonical form: "三、", "（一）", "1.", "（1）", "附件".
    pub text: String,
    /// Bytes of the line taken by the marker.
    pub len: usize,
}

impl Marker {
    /// The line after the marker.
    pub fn rest<'a>(&self, line: &'a str) -> &'a str {
        &line[self.len..]
    }

    /// The number as the spec writes it: "1", "（二）", "三".
    pub fn number(&self) -> String {
        match self.level {
            1 => self.text.trim_end_matches('、').to_string(),
            3 => self.text.trim_end_matches('.').to_string(),
            _ => self.text.clone(),
        }
    }
}

/// Value of a Chinese numeral up to 九十九 (一, 十, 十二, 二十, 二十三).
pub fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
            .or(if c == '两' { Some(2) } else { None })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', d] => Some(10 + digit(*d)?),
        [d, '十'] => Some(digit(*d)? * 10),
        [d, '十', e] => Some(digit(*d)? * 10 + digit(*e)?),
        [d, '百'] => Some(digit(*d)? * 100),
        _ => None,
    }
}

fn is_cn_digit(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

/// Detects a heading marker at the start of a cleaned line.
pub fn detect_marker(line: &str) -> Option<Marker> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    if is_cn_digit(first) {
        let end = line
            .char_indices()
            .find(|(_, c)| !is_cn_digit(*c))
            .map_or(line.len(), |(i, _)| i);
        let sep = line[end..].chars().next()?;
        if matches!(sep, '、' | '.') && end <= 9 {
            let ordinal = cn_number(&line[..end])?;
            return Some(Marker {
                level: 1,
                ordinal,
                text: format!("{}、", &line[..end]),
                len: end + sep.len_utf8(),
            });
        }
        return None;
    }
    if first == '（' || first == '(' {
        let inner_start = first.len_utf8();
        let close = line[inner_start..].find(['）', ')'])? + inner_start;
        let inner = &line[inner_start..close];
        let close_len = line[close..].chars().next()?.len_utf8();
        if !inner.is_empty() && inner.chars().all(is_cn_digit) && inner.chars().count() <= 3 {
            let ordinal = cn_number(inner)?;
            return Some(Marker {
                level: 2,
                ordinal,
                text: format!("（{inner}）"),
                len: close + close_len,
            });
        }
        if !inner.is_empty() && inner.len() <= 3 && inner.chars().all(|c| c.is_ascii_digit()) {
            let ordinal = inner.parse().ok()?;
            return Some(Marker {
                level: 4,
                ordinal,
                text: format!("（{inner}）"),
                len: close + close_len,
            });
        }
        return None;
    }
    if first.is_ascii_digit() {
        let end = line
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(line.len());
        // Up to 9999 items (a long annex table of tasks); a year such as "2026." at a line's start
        // is still refused by the numbering check, which wants the previous item to be 2025.
        if end > 4 {
            return None;
        }
        let sep = line[end..].chars().next()?;
        if !matches!(sep, '.' | '、') {
            return None;
        }
        let after = &line[end + sep.len_utf8()..];
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let ordinal: u32 = line[..end].parse().ok()?;
        return Some(Marker {
            level: 3,
            ordinal,
            text: format!("{}.", &line[..end]),
            len: end + sep.len_utf8(),
        });
    }
    None
}

/// The heading's title: the text after the marker up to the first full stop.
pub fn heading_title(rest: &str) -> String {
    let rest = rest.trim();
    let first = rest.split('。').next().unwrap_or("");
    first.trim().trim_end_matches(['：', ':']).to_string()
}

/// A paragraph that is only "附件" (or 附件1): the start of an annex.
pub fn is_annex_start(text: &str) -> bool {
    let t = text.trim();
    t == "附件"
        || (t.starts_with("附件")
            && t["附件".len()..].chars().all(|c| c.is_ascii_digit())
            && t.len() <= 10)
}

/// A heading found in the block list, in document order.
#[derive(Debug, Clone)]
pub struct Heading {
    pub marker: Marker,
    pub title: String,
    pub line: usize,
    /// Index in the block list of its paragraph.
    pub block: usize,
    /// Index in the heading list of its parent.
    pub parent: Option<usize>,
    pub has_children: bool,
}

impl Heading {
    /// "三、主要任务", "（一）加快构建…", as used in task paths.
    pub fn label(&self) -> String {
        if self.marker.level == 0 {
            format!("附件 {}", self.title)
        } else {
            format!("{}{}", self.marker.text, self.title)
        }
    }
}

/// Finds the headings of a document.
pub fn headings(blocks: &[Block], warnings: &mut Vec<Warning>) -> Vec<Heading> {
    let mut out: Vec<Heading> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut last = [0u32; 5];
    let mut i = 0;
    while i < blocks.len() {
        let Block::Para(p) = &blocks[i] else {
            i += 1;
            continue;
        };
        if is_annex_start(&p.text) {
            // The annex's title is the next paragraph.
            let (title, skip) = match blocks.get(i + 1) {
                Some(Block::Para(t)) if detect_marker(&t.text).is_none() => (t.text.clone(), 1),
                _ => (String::new(), 0),
            };
            stack.clear();
            last = [0; 5];
            out.push(Heading {
                marker: Marker {
                    level: 0,
                    ordinal: 0,
                    text: "附件".into(),
                    len: p.text.len(),
                },
                title,
                line: p.line(),
                block: i,
                parent: None,
                has_children: false,
            });
            stack.push(out.len() - 1);
            i += 1 + skip;
            continue;
        }
        if let Some(m) = detect_marker(&p.text)
            && accept(&m, &last, p, warnings)
        {
            let level = m.level as usize;
            last[level] = m.ordinal;
            for deeper in last.iter_mut().skip(level + 2) {
                *deeper = 0;
            }
            while let Some(&top) = stack.last() {
                if out[top].marker.level >= m.level {
                    stack.pop();
                } else {
                    break;
                }
            }
            let parent = stack.last().copied();
            if let Some(pi) = parent {
                out[pi].has_children = true;
            }
            out.push(Heading {
                title: heading_title(m.rest(&p.text)),
                line: p.line(),
                block: i,
                parent,
                has_children: false,
                marker: m,
            });
            stack.push(out.len() - 1);
        }
        i += 1;
    }
    out
}

fn accept(m: &Marker, last: &[u32; 5], p: &Para, warnings: &mut Vec<Warning>) -> bool {
    let prev = last[m.level as usize];
    if m.ordinal == 1 || m.ordinal == prev + 1 {
        return true;
    }
    if prev > 0 && m.ordinal > prev + 1 && m.ordinal <= prev + 3 {
        warnings.push(Warning {
            line: p.line(),
            message: format!("编号不连续：{} 之后是 {}，可能缺少条目", prev, m.ordinal),
        });
        return true;
    }
    false
}

/// The outline tree of the headings.
pub fn tree(headings: &[Heading]) -> Vec<OutlineNode> {
    // Index children first, so building the tree stays linear however many headings a hostile
    // input holds. Markers have five levels at most, so the recursion is shallow.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); headings.len()];
    let mut roots = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        match h.parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    fn node(headings: &[Heading], children: &[Vec<usize>], i: usize, depth: usize) -> OutlineNode {
        let h = &headings[i];
        let kids = if depth < 8 {
            children[i]
                .iter()
                .map(|&c| node(headings, children, c, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        OutlineNode {
            marker: h.marker.text.clone(),
            title: h.title.clone(),
            line: h.line,
            children: kids,
        }
    }
    roots
        .iter()
        .map(|&r| node(headings, &children, r, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let m = detect_marker("三、主要任务").unwrap();
        assert_eq!(
            (m.level, m.ordinal, m.text.as_str(), m.number()),
            (1, 3, "三、", "三".to_string())
        );
        let m = detect_marker("（十二）其他").unwrap();
        assert_eq!(
            (m.level, m.ordinal, m.number()),
            (2, 12, "（十二）".to_string())
        );
        let m = detect_marker("45.完善通道").unwrap();
        assert_eq!((m.level, m.ordinal, m.number()), (3, 45, "45".to_string()));
        assert_eq!(detect_marker("（3）细项").unwrap().level, 4);
        assert!(detect_marker("119.99平方公里").is_none());
        assert!(detect_marker("2021年").is_none());
        assert!(detect_marker("3个片区").is_none());
        assert!(detect_marker("（以下简称）").is_none());
        assert_eq!(cn_number("二十三"), Some(23));
        // Long task tables run past 999; five digits are never an item number.
        assert_eq!(detect_marker("1000.推进").unwrap().ordinal, 1000);
        assert!(detect_marker("20260.推进").is_none());
    }
}
