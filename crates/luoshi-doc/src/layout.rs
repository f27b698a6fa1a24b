//! From source lines to blocks: mended paragraphs and table rows.
//!
//! A 公文 arrives broken in many ways: a paragraph split by a page break (as in the 000 seed), a task
//! number alone on its line, a responsibility clause spread over three lines, a title set on two
//! lines. This module joins what belongs together and keeps, for every paragraph, a map from byte
//! offsets back to 1-based source lines, so every fact found later can point at its line.
//!
//! Tables travel as tab-led lines (a cell starts with `\t`, its further lines do not, rows are
//! separated by blank lines): the shape the .txt export of a Word table has, and the shape the .docx
//! and .html front-ends write.

use crate::normalize::{clean_line, is_page_number, is_print_header};
use crate::outline::detect_marker;

/// One line of the source text.
#[derive(Debug, Clone)]
pub struct SourceLine<'a> {
    /// 1-based line number in the source text.
    pub no: usize,
    /// The line as written (without its line break).
    pub raw: &'a str,
    /// The cleaned line (see [`clean_line`]).
    pub text: String,
    /// The line was a markdown heading (`## …`): it stands alone.
    pub md_heading: bool,
}

/// Splits text into cleaned source lines. Print headers and running page numbers become empty.
pub fn split_lines(text: &str) -> Vec<SourceLine<'_>> {
    let mut out = Vec::with_capacity(text.len() / 64 + 1);
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (mut cleaned, md_heading) = clean_line(raw);
        if is_page_number(&cleaned) || (i < 12 && is_print_header(&cleaned.replace(' ', ""))) {
            cleaned.clear();
        }
        out.push(SourceLine {
            no: i + 1,
            raw,
            text: cleaned,
            md_heading,
        });
    }
    out
}

/// A mended paragraph.
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub text: String,
    /// (byte offset in `text`, source line) for each source line that contributed.
    pub line_starts: Vec<(usize, usize)>,
    pub md_heading: bool,
}

impl Para {
    pub fn line(&self) -> usize {
        self.line_starts.first().map_or(0, |l| l.1)
    }

    /// The source line that holds byte `offset` of the text.
    pub fn line_at(&self, offset: usize) -> usize {
        let idx = self.line_starts.partition_point(|(o, _)| *o <= offset);
        self.line_starts[idx.saturating_sub(1)].1
    }

    fn push_line(&mut self, text: String, line: usize) {
        if self.text.is_empty() {
            // The first line is moved, not copied: most paragraphs are one line.
            self.line_starts.push((0, line));
            self.text = text;
            return;
        }
        let needs_space = self
            .text
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if needs_space {
            self.text.push(' ');
        }
        self.line_starts.push((self.text.len(), line));
        self.text.push_str(&text);
    }
}

/// A table row: its cells, each cell's lines joined.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Row(Row),
}

/// Sentence-final punctuation: a line ending in one of these ends its paragraph.
fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['”', '’', '"', '」', '*']);
    matches!(
        t.chars().last(),
        Some('。' | '！' | '？' | '；' | '：' | '…' | '!' | '?')
    )
}

/// Unbalanced opening brackets: a clause or aside still open at the line's end.
fn open_brackets(text: &str) -> i32 {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '（' | '(' | '《' | '〔' | '【' => depth += 1,
            '）' | ')' | '》' | '〕' | '】' => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth
}

pub fn is_date_line(text: &str) -> bool {
    crate::meta::parse_cn_date(text).is_some_and(|(_, rest)| rest.is_empty() || rest == "印发")
}

/// Lines that begin something of their own and are never the continuation of a paragraph.
fn starts_structure(text: &str) -> bool {
    if detect_marker(text).is_some() || is_date_line(text) {
        return true;
    }
    let starts = [
        "附件",
        "抄送",
        "主送",
        "——",
        "组长",
        "组 长",
        "副组长",
        "成员：",
        "成 员",
        "（此件",
        "此件",
        "发布日期",
        "签发人",
        "联系人",
    ];
    starts.iter().any(|s| text.starts_with(s)) || crate::meta::find_doc_number_line(text).is_some()
}

/// A labelled metadata line of a web page or register ("发布日期：…"), or the bare 附件 mark.
fn is_metadata_line(text: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "发布日期",
        "成文日期",
        "发文字号",
        "签发人",
        "索引号",
        "来源",
        "发布机构",
        "主题分类",
        "文号",
    ];
    PREFIXES.iter().any(|p| text.starts_with(p)) || crate::outline::is_annex_start(text)
}

/// A short line naming a notice, plan or table: the title, which stands alone.
fn is_title_like(text: &str) -> bool {
    let n = text.chars().count();
    n <= 80
        && !text.contains('。')
        && (crate::meta::TITLE_ENDINGS.iter().any(|e| text.ends_with(e)) || text.ends_with("文件"))
}

/// The first sentence's length in characters (up to 。), or the whole line's.
fn first_sentence_len(text: &str) -> usize {
    text.split('。').next().map_or(0, |s| s.chars().count())
}

fn should_join(cur: &Para, cur_lines: usize, next: &SourceLine<'_>) -> bool {
    let cur_text = cur.text.as_str();
    let next_text = next.text.as_str();
    if cur.md_heading || next.md_heading {
        return false;
    }
    let marker = detect_marker(cur_text);
    if let Some(m) = &marker
        && m.rest(cur_text).trim().is_empty()
    {
        // A number alone on its line ("2．") belongs to the text that follows.
        return true;
    }
    if starts_structure(next_text) {
        return false;
    }
    if open_brackets(cur_text) > 0 && cur_lines < 8 {
        return true;
    }
    if ends_sentence(cur_text)
        || is_date_line(cur_text)
        || is_title_like(cur_text)
        || is_metadata_line(cur_text)
    {
        return false;
    }
    if crate::meta::find_doc_number_line(cur_text).is_some() {
        return false;
    }
    let first_next = next_text.chars().next();
    let continues = matches!(
        first_next,
        Some('“' | '”' | '"' | '—' | '、' | '，' | '。' | '）' | '》' | '’' | '；')
    );
    if cur_text.ends_with(['）', ')']) && !continues {
        // A closed aside at a line's end usually ends the paragraph (a clause, a doc number).
        return false;
    }
    if let Some(m) = marker {
        if cur_text.contains('。') {
            return true;
        }
        // A heading without a full stop: joined only when the next line plainly continues it
        // ("1．实施跨境产业" / "“强基”行动。…"), never for "一、目标要求" / "以习近平…".
        return continues
            || (m.level >= 3
                && first_sentence_len(next_text) <= 20
                && cur_text.chars().count() < 40);
    }
    true
}

/// Turns source lines into blocks: tab-led table rows and mended paragraphs. The cleaned text of
/// each line is moved into its block (the lines keep `raw`), so a large file is not held twice.
pub fn blocks(lines: &mut [SourceLine<'_>]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur: Option<(Para, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].raw.starts_with('\t') {
            // A group of tab-led lines up to the next blank line is one table row (an empty
            // cell is a lone tab, not a blank line).
            let end = lines[i..]
                .iter()
                .position(|l| l.raw.trim().is_empty() && !l.raw.starts_with('\t'))
                .map_or(lines.len(), |k| i + k);
            let cell_count = lines[i..end]
                .iter()
                .filter(|l| l.raw.starts_with('\t'))
                .count();
            if cell_count >= 2 {
                let mut cells: Vec<String> = Vec::with_capacity(cell_count);
                for line in &mut lines[i..end] {
                    let text = std::mem::take(&mut line.text);
                    match cells.last_mut() {
                        Some(last) if !line.raw.starts_with('\t') => last.push_str(&text),
                        _ => cells.push(text),
                    }
                }
                if let Some((p, _)) = cur.take() {
                    out.push(Block::Para(p));
                }
                out.push(Block::Row(Row {
                    cells,
                    line: lines[i].no,
                }));
                i = end;
                continue;
            }
        }
        if lines[i].text.is_empty() {
            i += 1;
            continue;
        }
        let join = cur
            .as_ref()
            .is_some_and(|(p, n)| should_join(p, *n, &lines[i]));
        let (line_no, md_heading) = (lines[i].no, lines[i].md_heading);
        let text = std::mem::take(&mut lines[i].text);
        match cur.as_mut() {
            Some((p, n)) if join => {
                p.push_line(text, line_no);
                *n += 1;
            }
            _ => {
                if let Some((p, _)) = cur.take() {
                    out.push(Block::Para(p));
                }
                let mut p = Para {
                    md_heading,
                    ..Para::default()
                };
                p.push_line(text, line_no);
                cur = Some((p, 1));
            }
        }
        i += 1;
    }
    if let Some((p, _)) = cur {
        out.push(Block::Para(p));
    }
    out
}

/// Writes one table row in the tab-led form read by [`blocks`]: a blank line before it, each cell's
/// first line led by a tab, its further lines as they are, a blank line after. Used by every
/// front-end that meets a table.
pub fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    while !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    for cell in cells {
        let mut lines = cell.split('\n');
        out.push('\t');
        out.push_str(lines.next().unwrap_or("").replace('\t', " ").trim());
        out.push('\n');
        for line in lines.filter(|l| !l.trim().is_empty()) {
            out.push_str(line.replace('\t', " ").trim());
            out.push('\n');
        }
    }
    out.push('\n');
}

/// The paragraphs of a block list, tables skipped.
pub fn paras(blocks: &[Block]) -> impl Iterator<Item = &Para> {
    blocks.iter().filter_map(|b| match b {
        Block::Para(p) => Some(p),
        Block::Row(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        let mut lines = split_lines(src);
        paras(&blocks(&mut lines)).map(|p| p.text.clone()).collect()
    }

    #[test]
    fn page_break_inside_a_sentence_is_mended() {
        let t = texts(
            "1. 开展试点。推进准入\n\n\n限制改革。（责任单位：自治区商\n\n务厅，南宁、\n\n钦州港片区管委会)\n\n2. 下一项。",
        );
        assert_eq!(
            t,
            vec![
                "1.开展试点。推进准入限制改革。（责任单位：自治区商务厅，南宁、钦州港片区管委会）",
                "2.下一项。"
            ]
        );
    }

    #[test]
    fn headings_stand_alone_and_split_titles_join() {
        let t = texts(
            "一、目标要求\n以新时代思想为指导，全面贯彻落实有关精神，推动高质量发展。\n1．实施跨境产业\n“强基”行动。鼓励发展。\n2．\n开展行动。",
        );
        assert_eq!(
            t,
            vec![
                "一、目标要求",
                "以新时代思想为指导，全面贯彻落实有关精神，推动高质量发展。",
                "1.实施跨境产业“强基”行动。鼓励发展。",
                "2.开展行动。"
            ]
        );
    }

    #[test]
    fn tab_led_lines_are_table_rows() {
        let mut lines = split_lines("标题\n\n\t序号\n\t名称\n\t推广\n范围\n\n\t1\n\t甲\n\t全区\n");
        let b = blocks(&mut lines);
        let rows: Vec<_> = b
            .iter()
            .filter_map(|b| {
                if let Block::Row(r) = b {
                    Some(r.cells.clone())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(
            rows,
            vec![vec!["序号", "名称", "推广范围"], vec!["1", "甲", "全区"]]
        );
    }

    #[test]
    fn line_at_maps_offsets_back() {
        let mut lines = split_lines("甲乙丙\n\n丁戊己。");
        let b = blocks(&mut lines);
        let Block::Para(p) = &b[0] else { panic!() };
        assert_eq!(p.line_at(0), 1);
        assert_eq!(p.line_at(p.text.find('丁').unwrap()), 3);
    }
}
