//! .docx: paragraphs and tables in document order, as text.
//!
//! Paragraphs become lines; Word's automatic numbering (一、 from a list style, resolved through
//! numbering.xml and styles.xml) is written out in front of its paragraph, because a 公文's outline
//! lives in those numbers. Tables become tab-led rows (see `layout`): a horizontally merged cell is
//! one cell, a vertically merged cell repeats the text of the cell it continues.

use std::collections::HashMap;

use crate::archive::Archive;
use crate::error::InputError;
use crate::layout::push_row;
use crate::limits::Limits;
use crate::model::Format;
use crate::xml::{XmlEvent, attr, events};

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
struct Level {
    fmt: String,
    text: String,
    start: u32,
}

#[derive(Debug, Default)]
struct Numbering {
    /// numId → abstractNumId.
    nums: HashMap<String, String>,
    /// abstractNumId → levels.
    abstracts: HashMap<String, Vec<Level>>,
    /// styleId → (numId, ilvl) from styles.xml.
    styles: HashMap<String, (String, usize)>,
    /// Running counters per (abstract, level).
    counters: HashMap<String, Vec<u32>>,
}

fn cn_digits(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

impl Numbering {
    fn load(
        numbering: Option<&str>,
        styles: Option<&str>,
        limits: &Limits,
    ) -> Result<Self, InputError> {
        let mut n = Numbering::default();
        if let Some(xml) = numbering {
            let ev = events(xml, limits.max_xml_depth)?;
            let mut cur_abstract: Option<String> = None;
            let mut cur_num: Option<String> = None;
            let mut cur_level: Option<usize> = None;
            for e in &ev {
                match e {
                    XmlEvent::Start { name, attrs } => match name.as_str() {
                        "abstractNum" => {
                            cur_abstract = attr(attrs, "abstractNumId").map(str::to_string)
                        }
                        "lvl" => {
                            cur_level = attr(attrs, "ilvl")
                                .and_then(|v| v.parse().ok())
                                .filter(|l: &usize| *l < 9);
                            if let (Some(a), Some(l)) = (&cur_abstract, cur_level) {
                                let levels = n.abstracts.entry(a.clone()).or_default();
                                if levels.len() <= l {
                                    levels.resize(
                                        l + 1,
                                        Level {
                                            start: 1,
                                            ..Level::default()
                                        },
                                    );
                                }
                            }
                        }
                        "start" | "numFmt" | "lvlText" => {
                            if let (Some(a), Some(l)) = (&cur_abstract, cur_level)
                                && let Some(level) =
                                    n.abstracts.get_mut(a).and_then(|v| v.get_mut(l))
                            {
                                let val = attr(attrs, "val").unwrap_or("").to_string();
                                match name.as_str() {
                                    "start" => level.start = val.parse().unwrap_or(1),
                                    "numFmt" => level.fmt = val,
                                    _ => level.text = val,
                                }
                            }
                        }
                        "num" => cur_num = attr(attrs, "numId").map(str::to_string),
                        "abstractNumId" => {
                            if let (Some(num), Some(v)) = (&cur_num, attr(attrs, "val")) {
                                n.nums.insert(num.clone(), v.to_string());
                            }
                        }
                        _ => {}
                    },
                    XmlEvent::End { name } if name == "abstractNum" => cur_abstract = None,
                    XmlEvent::End { name } if name == "lvl" => cur_level = None,
                    _ => {}
                }
            }
        }
        if let Some(xml) = styles {
            let ev = events(xml, limits.max_xml_depth)?;
            let mut style: Option<String> = None;
            let mut num: Option<String> = None;
            let mut lvl = 0usize;
            for e in &ev {
                match e {
                    XmlEvent::Start { name, attrs } if name == "style" => {
                        style = attr(attrs, "styleId").map(str::to_string);
                        num = None;
                        lvl = 0;
                    }
                    XmlEvent::Start { name, attrs } if name == "numId" && style.is_some() => {
                        num = attr(attrs, "val").map(str::to_string)
                    }
                    XmlEvent::Start { name, attrs } if name == "ilvl" && style.is_some() => {
                        lvl = attr(attrs, "val").and_then(|v| v.parse().ok()).unwrap_or(0)
                    }
                    XmlEvent::End { name } if name == "style" => {
                        if let (Some(s), Some(nid)) = (style.take(), num.take()) {
                            n.styles.insert(s, (nid, lvl.min(8)));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(n)
    }

    /// The number text for a paragraph with (numId, ilvl), advancing the counters.
    fn label(&mut self, num_id: &str, ilvl: usize) -> Option<String> {
        let abs = self.nums.get(num_id)?.clone();
        let levels = self.abstracts.get(&abs)?.clone();
        let level = levels.get(ilvl)?;
        if level.fmt == "none" || level.fmt == "bullet" {
            return None;
        }
        let counters = self.counters.entry(abs).or_insert_with(|| vec![0; 9]);
        if counters[ilvl] == 0 {
            counters[ilvl] = level.start.max(1);
        } else {
            counters[ilvl] += 1;
        }
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = 0;
        }
        let mut text = level.text.clone();
        for (l, lv) in levels.iter().enumerate().take(ilvl + 1) {
            let value = counters[l].max(lv.start.max(1));
            let formatted = match lv.fmt.as_str() {
                "chineseCounting"
                | "chineseCountingThousand"
                | "japaneseCounting"
                | "ideographTraditional"
                | "taiwaneseCounting" => cn_digits(value),
                "lowerLetter" => char::from_u32('a' as u32 + (value - 1) % 26)
                    .map(String::from)
                    .unwrap_or_default(),
                "upperLetter" => char::from_u32('A' as u32 + (value - 1) % 26)
                    .map(String::from)
                    .unwrap_or_default(),
                _ => value.to_string(),
            };
            text = text.replace(&format!("%{}", l + 1), &formatted);
        }
        Some(text)
    }
}

#[derive(Default)]
struct Cell {
    paras: Vec<String>,
    span: usize,
    /// vMerge continuation: repeat the cell above.
    continues: bool,
}

/// Extracts the text of a .docx.
pub fn extract(mut archive: Archive<'_>, limits: &Limits) -> Result<String, InputError> {
    let document = archive
        .read_text("word/document.xml")?
        .ok_or_else(|| InputError::Corrupt {
            format: Format::Docx,
            detail: "word/document.xml is missing".into(),
        })?;
    let numbering = archive.read_text("word/numbering.xml")?;
    let styles = archive.read_text("word/styles.xml")?;
    let mut numbering = Numbering::load(numbering.as_deref(), styles.as_deref(), limits)?;
    let ev = events(&document, limits.max_xml_depth)?;

    let mut out = String::with_capacity(document.len() / 3);
    // Stack of open tables: rows of cells, the current row, the current cell.
    struct Table {
        rows: Vec<Vec<Cell>>,
        row: Vec<Cell>,
        cell: Option<Cell>,
    }
    let mut tables: Vec<Table> = Vec::new();
    let mut para = String::new();
    let mut in_para = false;
    let mut skip_text = 0usize; // inside w:delText, w:instrText
    let mut p_style: Option<String> = None;
    let mut p_num: Option<(String, usize)> = None;
    let mut in_ppr = false;
    let mut in_t = false;

    for e in &ev {
        match e {
            XmlEvent::Start { name, attrs } => match name.as_str() {
                "p" => {
                    in_para = true;
                    para.clear();
                    p_style = None;
                    p_num = None;
                }
                "pPr" => in_ppr = true,
                "pStyle" if in_ppr => p_style = attr(attrs, "val").map(str::to_string),
                "numId" if in_ppr => {
                    let id = attr(attrs, "val").unwrap_or("0").to_string();
                    p_num = Some((id, p_num.as_ref().map_or(0, |n| n.1)));
                }
                "ilvl" if in_ppr => {
                    let l = attr(attrs, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0usize)
                        .min(8);
                    p_num = Some((p_num.map_or_else(String::new, |n| n.0), l));
                }
                "t" => in_t = true,
                "delText" | "instrText" => skip_text += 1,
                "tab" if in_para && !in_ppr => para.push(' '),
                "br" | "cr" if in_para => para.push('\n'),
                "tbl" => tables.push(Table {
                    rows: Vec::new(),
                    row: Vec::new(),
                    cell: None,
                }),
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.row = Vec::new();
                    }
                }
                "tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.cell = Some(Cell {
                            span: 1,
                            ..Cell::default()
                        });
                    }
                }
                "gridSpan" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.span = attr(attrs, "val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1usize)
                            .clamp(1, 64);
                    }
                }
                "vMerge" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.continues = attr(attrs, "val").is_none_or(|v| v == "continue");
                    }
                }
                _ => {}
            },
            XmlEvent::Text(t) if in_t && skip_text == 0 && in_para => para.push_str(t),
            XmlEvent::Text(_) => {}
            XmlEvent::End { name } => match name.as_str() {
                "pPr" => in_ppr = false,
                "t" => in_t = false,
                "delText" | "instrText" => skip_text = skip_text.saturating_sub(1),
                "p" => {
                    in_para = false;
                    let num = p_num
                        .clone()
                        .filter(|(id, _)| !id.is_empty() && id != "0")
                        .or_else(|| {
                            p_style
                                .as_ref()
                                .and_then(|s| numbering.styles.get(s).cloned())
                        });
                    let label = num
                        .and_then(|(id, l)| numbering.label(&id, l))
                        .unwrap_or_default();
                    let text = format!("{label}{}", para.trim_start_matches([' ', '\t']));
                    match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        Some(cell) => cell.paras.push(text),
                        None => {
                            out.push_str(&text);
                            out.push('\n');
                        }
                    }
                }
                "tc" => {
                    if let Some(t) = tables.last_mut()
                        && let Some(c) = t.cell.take()
                    {
                        t.row.push(c);
                    }
                }
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push(row);
                    }
                }
                "tbl" => {
                    let Some(t) = tables.pop() else { continue };
                    let text = render_table(t.rows);
                    match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        // A nested table's text goes into the enclosing cell, without tabs.
                        Some(cell) => cell.paras.extend(
                            text.lines()
                                .map(|l| l.trim_start_matches('\t').to_string())
                                .filter(|l| !l.is_empty()),
                        ),
                        None => out.push_str(&text),
                    }
                }
                _ => {}
            },
        }
    }
    Ok(out)
}

/// Writes rows as tab-led lines, resolving vertical merges by grid column.
fn render_table(rows: Vec<Vec<Cell>>) -> String {
    let mut out = String::from(
        "
",
    );
    let mut above: HashMap<usize, String> = HashMap::new();
    for row in rows {
        let mut col = 0usize;
        let mut texts = Vec::with_capacity(row.len());
        for cell in row {
            let text = if cell.continues {
                above.get(&col).cloned().unwrap_or_default()
            } else {
                cell.paras.join(
                    "
",
                )
            };
            above.insert(col, text.clone());
            col += cell.span;
            texts.push(text);
        }
        push_row(&mut out, texts.iter().map(String::as_str));
    }
    out
}
