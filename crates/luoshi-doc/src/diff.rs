//! Versions: whether two files are one document, and their wording changes.
//!
//! Both texts are cut into sentences, each compared by a canonical key (no whitespace; width,
//! bracket, dash and quote variants unified), so layout differences are not changes. Sentences are
//! aligned with Myers' diff; a run present in only one file before the first or after the last
//! common sentence (a 版头, an annex) is not a change. Replaced sentences are paired by character
//! similarity. `similarity` is the share of the shorter text found in the other.

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
