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
pub type At = (usize, usize);

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

/// A cell as read: its 0-based column, its text, and whether it holds a formula (a statistics
/// sheet must carry values, not formulas that another program computes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub formula: bool,
}

/// One worksheet: its name, whether the workbook hides it, its rows (1-based number, cells by
/// column) in order, and its merged ranges.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub rows: Vec<(usize, Vec<Cell>)>,
    pub merges: Vec<(At, At)>,
}

/// A cell reference such as "C12" from a 0-based column and a 1-based row.
pub fn reference(col: usize, row: usize) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let r = (n - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{letters}{row}")
}

fn shared_strings(archive: &mut Archive<'_>, limits: &Limits) -> Result<Vec<String>, InputError> {
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
    Ok(shared)
}

/// The workbook's sheet names and hidden flags by worksheet part (`xl/worksheets/sheet1.xml`).
fn sheet_names(
    archive: &mut Archive<'_>,
    limits: &Limits,
) -> Result<Vec<(String, String, bool)>, InputError> {
    let mut targets: Vec<(String, String)> = Vec::new();
    if let Some(xml) = archive.read_text("xl/_rels/workbook.xml.rels")? {
        for e in events(&xml, limits.max_xml_depth)? {
            if let XmlEvent::Start { name, attrs } = e
                && name == "Relationship"
                && let (Some(id), Some(target)) = (attr(&attrs, "Id"), attr(&attrs, "Target"))
            {
                let target = target.trim_start_matches('/');
                let part = if target.starts_with("xl/") {
                    target.to_string()
                } else {
                    format!("xl/{target}")
                };
                targets.push((id.to_string(), part));
            }
        }
    }
    let mut out = Vec::new();
    if let Some(xml) = archive.read_text("xl/workbook.xml")? {
        for e in events(&xml, limits.max_xml_depth)? {
            if let XmlEvent::Start { name, attrs } = e
                && name == "sheet"
            {
                let id = attrs
                    .iter()
                    .find(|(k, _)| k == "r:id" || k.ends_with(":id") || k == "id")
                    .map(|(_, v)| v.as_str());
                let Some(part) = id.and_then(|id| targets.iter().find(|t| t.0 == id)) else {
                    continue;
                };
                let hidden = matches!(attr(&attrs, "state"), Some("hidden" | "veryHidden"));
                let name = attr(&attrs, "name").unwrap_or("").to_string();
                out.push((part.1.clone(), name, hidden));
            }
        }
    }
    Ok(out)
}

/// Every worksheet of an .xlsx workbook, in the workbook's order (parts the workbook does not
/// name follow, by part name).
pub fn sheets(mut archive: Archive<'_>, limits: &Limits) -> Result<Vec<Sheet>, InputError> {
    let shared = shared_strings(&mut archive, limits)?;
    let named = sheet_names(&mut archive, limits)?;
    let mut parts: Vec<String> = archive
        .names()
        .into_iter()
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .collect();
    parts.sort_by_key(|n| {
        let at = named.iter().position(|(p, _, _)| p == n);
        (at.unwrap_or(usize::MAX), n.len(), n.clone())
    });
    let mut out = Vec::new();
    for part in parts {
        let Some(xml) = archive.read_text(&part)? else {
            continue;
        };
        let (name, hidden) = named
            .iter()
            .find(|(p, _, _)| *p == part)
            .map(|(_, n, h)| (n.clone(), *h))
            .unwrap_or_else(|| (part.clone(), false));
        let mut sheet = Sheet {
            name,
            hidden,
            ..Sheet::default()
        };
        let mut row: Vec<Cell> = Vec::new();
        let mut row_no = 0usize;
        let mut cell_col = 0usize;
        let mut cell_type = String::new();
        let mut value = String::new();
        let mut formula = false;
        let mut in_value = false;
        for e in events(&xml, limits.max_xml_depth)? {
            match e {
                XmlEvent::Start { name, attrs } if name == "row" => {
                    row.clear();
                    row_no = attr(&attrs, "r")
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(sheet.rows.last().map_or(1, |r| r.0 + 1));
                }
                XmlEvent::Start { name, attrs } if name == "mergeCell" => {
                    if let Some(range) = attr(&attrs, "ref").and_then(merge_range) {
                        sheet.merges.push(range);
                    }
                }
                XmlEvent::Start { name, attrs } if name == "c" => {
                    cell_col = attr(&attrs, "r")
                        .and_then(column)
                        .unwrap_or(row.len())
                        .min(255);
                    cell_type = attr(&attrs, "t").unwrap_or("").to_string();
                    value.clear();
                    formula = false;
                }
                XmlEvent::Start { name, .. } if name == "f" => formula = true,
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
                        row.resize(cell_col + 1, Cell::default());
                    }
                    row[cell_col] = Cell { text, formula };
                }
                XmlEvent::End { name } if name == "row" => {
                    sheet.rows.push((row_no, std::mem::take(&mut row)));
                }
                _ => {}
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

/// Extracts the text of an .xlsx workbook.
pub fn extract(archive: Archive<'_>, limits: &Limits) -> Result<String, InputError> {
    let mut out = String::new();
    for sheet in sheets(archive, limits)? {
        let mut rows: Vec<(usize, Vec<String>)> = sheet
            .rows
            .into_iter()
            .map(|(n, cells)| (n, cells.into_iter().map(|c| c.text).collect()))
            .collect();
        fill_merged(&mut rows, &sheet.merges);
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
