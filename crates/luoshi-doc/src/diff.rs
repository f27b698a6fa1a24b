//! Versions: whether two files are one document, and their wording changes.
//!
//! Both texts are cut into sentences, each compared by a canonical key (no whitespace; width,
//! bracket, dash and quote variants unified), so layout differences are not changes. Sentences are
//! aligned with Myers' diff; a run present in only one file before the first or after the last
//! common sentence (a 版头, an annex) is not a change. Replaced sentences are paired by character
//! similarity. `similarity` is the share of the shorter text found in the other.
//!
//! For showing a change, [`char_spans`] marks the characters that differ (积极主动 → 积极自主 marks
//! 主 and 自, not the sentence), and [`touches`] tells whether a change falls in a task's text.

use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::input::Extracted;
use crate::layout::{Block, blocks, split_lines};
use crate::normalize::canonical_key;

/// The result of comparing two files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub same_document: bool,
    pub similarity: f64,
    pub changes: Vec<Change>,
}

/// One wording change: a sentence before and after (one side empty for an added or removed one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub before: String,
    pub after: String,
    pub line_a: usize,
    pub line_b: usize,
}

/// A run of characters of one side of a change, changed or kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub changed: bool,
}

fn push_span(spans: &mut Vec<Span>, text: &str, changed: bool) {
    match spans.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => spans.push(Span {
            text: text.to_string(),
            changed,
        }),
    }
}

/// Sides longer than this are shown whole: Myers' diff is quadratic in the worst case.
const MAX_SPAN_CHARS: usize = 4000;

/// The two sides of a change as runs, marking the characters removed (before) and added (after).
pub fn char_spans(before: &str, after: &str) -> (Vec<Span>, Vec<Span>) {
    use similar::ChangeTag;
    let mut a = Vec::new();
    let mut b = Vec::new();
    if before.chars().count() > MAX_SPAN_CHARS || after.chars().count() > MAX_SPAN_CHARS {
        push_span(&mut a, before, true);
        push_span(&mut b, after, true);
        return (a, b);
    }
    let diff = similar::TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_chars(before, after);
    for c in diff.iter_all_changes() {
        match c.tag() {
            ChangeTag::Equal => {
                push_span(&mut a, c.value(), false);
                push_span(&mut b, c.value(), false);
            }
            ChangeTag::Delete => push_span(&mut a, c.value(), true),
            ChangeTag::Insert => push_span(&mut b, c.value(), true),
        }
    }
    (a, b)
}

/// Whether a changed sentence lies in a task's text (or the task's text in the sentence), by
/// canonical keys, so spacing and width variants do not matter.
pub fn touches(sentence: &str, task_text: &str) -> bool {
    touches_key(&canonical_key(sentence), &canonical_key(task_text))
}

/// [`touches`] on keys already made with `canonical_key` (a page comparing many changes with many
/// tasks makes each key once).
pub fn touches_key(s: &str, t: &str) -> bool {
    if s.is_empty() || t.is_empty() {
        return false;
    }
    t.contains(s) || (t.chars().count() >= 6 && s.contains(t))
}

struct Sentence {
    key: String,
    text: String,
    line: usize,
    chars: usize,
}

fn sentences(ex: &Extracted) -> Vec<Sentence> {
    let mut lines = split_lines(&ex.text);
    let mut out = Vec::new();
    for block in blocks(&mut lines) {
        match block {
            Block::Para(p) => {
                let mut offset = 0;
                for s in p.text.split_inclusive(['。', '！', '？', '；']) {
                    let key = canonical_key(s);
                    if !key.is_empty() {
                        out.push(Sentence {
                            chars: key.chars().count(),
                            key,
                            text: s.trim().to_string(),
                            line: p.line_at(offset),
                        });
                    }
                    offset += s.len();
                }
            }
            Block::Row(r) => {
                for cell in r.cells {
                    let key = canonical_key(&cell);
                    if !key.is_empty() {
                        out.push(Sentence {
                            chars: key.chars().count(),
                            key,
                            text: cell,
                            line: r.line,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Character similarity of two keys (0..1).
fn ratio(a: &str, b: &str) -> f64 {
    similar::TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_chars(a, b)
        .ratio() as f64
}

/// Compares two extracted files.
pub fn diff(a: &Extracted, b: &Extracted) -> DiffReport {
    let sa = sentences(a);
    let sb = sentences(b);
    let ka: Vec<&str> = sa.iter().map(|s| s.key.as_str()).collect();
    let kb: Vec<&str> = sb.iter().map(|s| s.key.as_str()).collect();
    let ops = capture_diff_slices(Algorithm::Myers, &ka, &kb);
    let total_a: usize = sa.iter().map(|s| s.chars).sum();
    let total_b: usize = sb.iter().map(|s| s.chars).sum();
    let mut matched = 0.0f64;
    let mut changes = Vec::new();
    let first_equal = ops.iter().position(|o| matches!(o, DiffOp::Equal { .. }));
    let last_equal = ops.iter().rposition(|o| matches!(o, DiffOp::Equal { .. }));
    let mut i = 0;
    while i < ops.len() {
        if let DiffOp::Equal { old_index, len, .. } = ops[i] {
            matched += sa[old_index..old_index + len]
                .iter()
                .map(|s| s.chars)
                .sum::<usize>() as f64;
            i += 1;
            continue;
        }
        // Gather a hunk of non-equal ops.
        let start = i;
        let mut dels: Vec<usize> = Vec::new();
        let mut ins: Vec<usize> = Vec::new();
        while i < ops.len() && !matches!(ops[i], DiffOp::Equal { .. }) {
            match ops[i] {
                DiffOp::Delete {
                    old_index, old_len, ..
                } => dels.extend(old_index..old_index + old_len),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => ins.extend(new_index..new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    dels.extend(old_index..old_index + old_len);
                    ins.extend(new_index..new_index + new_len);
                }
                DiffOp::Equal { .. } => {}
            }
            i += 1;
        }
        let leading = first_equal.is_none_or(|f| start < f);
        let trailing = last_equal.is_none_or(|l| start > l);
        if (leading || trailing) && (dels.is_empty() || ins.is_empty()) {
            continue;
        }
        if dels.len() > 200 || ins.len() > 200 {
            continue;
        }
        let mut used = vec![false; ins.len()];
        let mut next_ins = 0;
        for &d in &dels {
            let best = ins
                .iter()
                .enumerate()
                .skip(next_ins)
                .filter(|(k, _)| !used[*k])
                .map(|(k, &n)| (k, ratio(&sa[d].key, &sb[n].key)))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            match best {
                Some((k, r)) if r >= 0.5 => {
                    used[k] = true;
                    next_ins = k + 1;
                    let n = ins[k];
                    matched += r * sa[d].chars.min(sb[n].chars) as f64;
                    changes.push(Change {
                        before: sa[d].text.clone(),
                        after: sb[n].text.clone(),
                        line_a: sa[d].line,
                        line_b: sb[n].line,
                    });
                }
                _ => changes.push(Change {
                    before: sa[d].text.clone(),
                    after: String::new(),
                    line_a: sa[d].line,
                    line_b: ins.first().map_or(0, |&n| sb[n].line),
                }),
            }
        }
        for (k, &n) in ins.iter().enumerate() {
            if !used[k] {
                changes.push(Change {
                    before: String::new(),
                    after: sb[n].text.clone(),
                    line_a: dels.first().map_or(0, |&d| sa[d].line),
                    line_b: sb[n].line,
                });
            }
        }
    }
    let smaller = total_a.min(total_b).max(1) as f64;
    let similarity = ((matched / smaller).min(1.0) * 1000.0).round() / 1000.0;
    let same_document = similarity >= 0.6;
    if !same_document {
        changes.clear();
    }
    DiffReport {
        same_document,
        similarity,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(spans: &[Span]) -> String {
        spans
            .iter()
            .map(|s| {
                if s.changed {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn a_change_marks_only_the_characters_that_differ() {
        let before = "坚持以习近平新时代中国特色社会主义思想为指导，积极主动服务和融入新发展格局，全面提升对外开放水平。";
        let after = "坚持以习近平新时代中国特色社会主义思想为指导，积极自主服务和融入新发展格局，全面提升对外开放水平。";
        for (b, a, want_b, want_a) in [
            (before, after, "积极主[动]", "积极[自]主"),
            (
                "到2025年达700亿元。",
                "到2026年达800亿元。",
                "202[5]年达[7]00",
                "202[6]年达[8]00",
            ),
            ("", "新增一句。", "", "[新增一句。]"),
            ("删去一句。", "", "[删去一句。]", ""),
        ] {
            let (sb, sa) = char_spans(b, a);
            assert!(marked(&sb).contains(want_b), "{}", marked(&sb));
            assert!(marked(&sa).contains(want_a), "{}", marked(&sa));
            let join = |v: &[Span]| v.iter().map(|s| s.text.as_str()).collect::<String>();
            assert_eq!((join(&sb), join(&sa)), (b.to_string(), a.to_string()));
        }
        // The changed part of a 60-character sentence is one character each side.
        let (sb, sa) = char_spans(before, after);
        let changed = |v: &[Span]| -> usize {
            v.iter()
                .filter(|s| s.changed)
                .map(|s| s.text.chars().count())
                .sum()
        };
        assert_eq!((changed(&sb), changed(&sa)), (1, 1));
    }

    #[test]
    fn a_change_touches_the_tasks_whose_text_holds_it() {
        let task = "推动跨境数据流动试点。积极自主对接东盟国家规则，形成清单。";
        for (sentence, text, want) in [
            ("积极自主对接东盟国家规则，形成清单。", task, true),
            ("积极自主对接东盟国家规则 ，形成清单。", task, true),
            ("形成年度报告。", task, false),
            ("", task, false),
            // A task written inside one long sentence.
            (
                "一是推动跨境数据流动试点；二是完善机制。",
                "推动跨境数据流动试点",
                true,
            ),
            ("一是推动试点；二是完善。", "试点", false),
        ] {
            assert_eq!(touches(sentence, text), want, "{sentence}");
        }
    }
}
