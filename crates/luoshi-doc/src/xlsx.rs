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
        let mut cell_col = 0usize;
        let mut cell_type = String::new();
        let mut value = String::new();
        let mut in_value = false;
        for e in events(&xml, limits.max_xml_depth)? {
            match e {
                XmlEvent::Start { name, .. } if name == "row" => row.clear(),
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
                XmlEvent::End { name }
                    if name == "row" && row.iter().any(|c| !c.trim().is_empty()) =>
                {
                    push_row(&mut out, row.iter().map(String::as_str));
                }
                _ => {}
            }
        }
        out.push('\n');
    }
    Ok(out)
}
