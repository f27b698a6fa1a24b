//! .xlsx: the cells of each worksheet as tab-led rows, so tables such as the 制度创新成果 list read
//! the same from Excel as from Word.

use crate::archive::Archive;
use crate::error::InputError;
use crate::layout::push_row;
use crate::limits::Limits;
use crate::xml::{XmlEvent, attr, events};

/// Column index of a cell reference such as "C12".
fn column(reference: &str) -> Option<usize> {
    let letters: String = reference
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    Some(
        letters.chars().fold(0usize, |acc, c| {
            acc * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1)
        }) - 1,
    )
}

/// A cell's (column, row): 0-based column, 1-based row.
type At = (usize, usize);

/// A merged range "C2:C4" as its first and last cell.
fn merge_range(reference: &str) -> Option<(At, At)> {
    let (a, b) = reference.split_once(':')?;
    let at = |r: &str| {
        let col = column(r)?;
        let row: usize = r
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .ok()?;
        Some((col, row))
    };
    Some((at(a)?, at(b)?))
}

/// A cell merged down a column belongs to every row it spans: the rows below the first take its
/// text in that column (a merge across columns stays one cell, as in Word).
fn fill_merged(rows: &mut [(usize, Vec<String>)], merges: &[(At, At)]) {
    rows.sort_by_key(|r| r.0);
    // Bounded work however many ranges a hostile sheet declares.
    let mut budget: usize = 2_000_000;
    for &((col, top), (_, bottom)) in merges {
        if bottom <= top || col > 255 {
            continue;
        }
        let start = rows.partition_point(|r| r.0 < top);
        let Some(text) = rows
            .get(start)
            .filter(|(n, _)| *n == top)
            .and_then(|(_, r)| r.get(col).cloned())
        else {
            continue;
        };
        for (n, row) in rows[start + 1..].iter_mut() {
            if *n > bottom || budget == 0 {
                break;
            }
            budget -= 1;
            if row.len() <= col {
                row.resize(col + 1, String::new());
            }
            if row[col].trim().is_empty() {
                row[col] = text.clone();
            }
        }
    }
}

/// Extracts the text of an .xlsx workbook.
pub fn extract(mut archive: Archive<'_>, limits: &Limits) -> Result<String, InputError> {
    let mut shared = Vec::new();
    if let Some(xml) = archive.read_text("xl/sharedStrings.xml")? {
        let mut cur: Option<String> = None;
        let mut in_t = false;
        for e in events(&xml, limits.max_xml_depth)? {
            match e {
                XmlEvent::Start { name, .. } if name == "si" => cur = Some(String::new()),
                XmlEvent::Start { name, .. } if name == "t" => in_t = true,
                XmlEvent::End { name } if name == "t" => in_t = false,
                XmlEvent::Text(t) if in_t => {
                    if let Some(c) = cur.as_mut() {
                        c.push_str(&t);
                    }
                }
                XmlEvent::End { name } if name == "si" => {
                    shared.push(cur.take().unwrap_or_default())
                }
                _ => {}
            }
        }
    }
    let mut sheets: Vec<String> = archive
        .names()
        .into_iter()
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .collect();
    sheets.sort_by_key(|n| (n.len(), n.clone()));
    let mut out = String::new();
    for sheet in sheets {
        let Some(xml) = archive.read_text(&sheet)? else {
            continue;
        };
        let mut row: Vec<String> = Vec::new();
        let mut row_no = 0usize;
        let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
        let mut merges: Vec<(At, At)> = Vec::new();
        let mut cell_col = 0usize;
        let mut cell_type = String::new();
        let mut value = String::new();
        let mut in_value = false;
        for e in events(&xml, limits.max_xml_depth)? {
            match e {
                XmlEvent::Start { name, attrs } if name == "row" => {
                    row.clear();
                    row_no = attr(&attrs, "r")
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(rows.last().map_or(1, |r| r.0 + 1));
                }
                XmlEvent::Start { name, attrs } if name == "mergeCell" => {
                    if let Some(range) = attr(&attrs, "ref").and_then(merge_range) {
                        merges.push(range);
                    }
                }
                XmlEvent::Start { name, attrs } if name == "c" => {
                    cell_col = attr(&attrs, "r")
                        .and_then(column)
                        .unwrap_or(row.len())
                        .min(255);
                    cell_type = attr(&attrs, "t").unwrap_or("").to_string();
                    value.clear();
                }
                XmlEvent::Start { name, .. } if name == "v" || name == "t" => in_value = true,
                XmlEvent::End { name } if name == "v" || name == "t" => in_value = false,
                XmlEvent::Text(t) if in_value => value.push_str(&t),
                XmlEvent::End { name } if name == "c" => {
                    let text = if cell_type == "s" {
                        value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i).cloned())
                            .unwrap_or_default()
                    } else {
                        value.clone()
                    };
                    if row.len() <= cell_col {
                        row.resize(cell_col + 1, String::new());
                    }
                    row[cell_col] = text;
                }
                XmlEvent::End { name } if name == "row" => {
                    rows.push((row_no, std::mem::take(&mut row)));
                }
                _ => {}
            }
        }
        fill_merged(&mut rows, &merges);
        for (_, row) in rows
            .iter()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        {
            push_row(&mut out, row.iter().map(String::as_str));
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// A workbook of inline strings: rows of (reference, text), and merged ranges.
    fn workbook(cells: &[(&str, &str)], merges: &[&str]) -> Vec<u8> {
        let mut rows: Vec<(usize, String)> = Vec::new();
        for (r, text) in cells {
            let n: usize = r
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap();
            let cell = format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
            match rows.iter_mut().find(|x| x.0 == n) {
                Some(x) => x.1.push_str(&cell),
                None => rows.push((n, cell)),
            }
        }
        let data: String = rows
            .iter()
            .map(|(n, c)| format!("<row r=\"{n}\">{c}</row>"))
            .collect();
        let merged: String = merges
            .iter()
            .map(|m| format!("<mergeCell ref=\"{m}\"/>"))
            .collect();
        let sheet = format!(
            "<?xml version=\"1.0\"?><worksheet><sheetData>{data}</sheetData><mergeCells>{merged}</mergeCells></worksheet>"
        );
        luoshi_testgen::zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ])
    }

    #[test]
    fn cells_merged_down_a_column_count_for_every_row() {
        let book = workbook(
            &[
                ("A1", "序号"),
                ("B1", "重点任务"),
                ("C1", "牵头单位"),
                ("D1", "完成时限"),
                ("A2", "1"),
                ("B2", "建设单一窗口"),
                ("C2", "自治区商务厅"),
                ("D2", "2026年底前"),
                ("A3", "2"),
                ("B3", "推广电子单证"),
                ("A4", "3"),
                ("B4", "优化通关流程"),
                ("C4", "南宁海关"),
            ],
            &["C2:C3", "D2:D4"],
        );
        let d = crate::parse(&book, &crate::Limits::default()).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = d
            .tasks
            .iter()
            .map(|t| {
                (
                    t.title.as_str(),
                    t.units[0].name.as_str(),
                    t.deadline.as_ref().and_then(|d| d.date.as_deref()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("建设单一窗口", "自治区商务厅", Some("2026-12-31")),
                ("推广电子单证", "自治区商务厅", Some("2026-12-31")),
                ("优化通关流程", "南宁海关", Some("2026-12-31")),
            ]
        );
        assert_eq!(super::merge_range("AB10:AB12"), Some(((27, 10), (27, 12))));
        assert_eq!(super::merge_range("C2"), None);
    }
}
