//! Sheets as an .xlsx workbook. Every cell is a string or a number, never a formula, so a text
//! starting with `=`, `+`, `-` or `@` stays text in Excel, WPS and LibreOffice.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        Cell::Number(n)
    }
}

/// One worksheet: a header row with column widths, then rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    /// Header text and column width (characters).
    pub columns: Vec<(String, f64)>,
    pub rows: Vec<Vec<Cell>>,
    /// Keep the header row in view while scrolling.
    pub freeze_header: bool,
}

impl Sheet {
    pub fn new(name: &str, columns: &[(&str, f64)]) -> Sheet {
        Sheet {
            name: name.to_string(),
            columns: columns.iter().map(|(h, w)| (h.to_string(), *w)).collect(),
            rows: Vec::new(),
            freeze_header: false,
        }
    }
}

/// Writes the sheets as one workbook: bold shaded headers, thin borders, wrapped text.
/// Most characters Excel keeps in a cell.
pub const MAX_CELL: usize = 32_767;

const CUT: &str = "…（内容过长，已截断）";

/// A text cell as written: cut (with a marker) to what Excel keeps, so one long report never fails
/// a whole export; and a leading `= + - @`, tab or CR behind an apostrophe, so that editing the
/// cell in Excel or WPS never turns the text into a formula.
pub fn cell_text(t: &str) -> std::borrow::Cow<'_, str> {
    let risky = t.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let n = t.chars().count() + usize::from(risky);
    if !risky && n <= MAX_CELL {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len().min(MAX_CELL * 4) + 1);
    if risky {
        out.push('\'');
    }
    if n <= MAX_CELL {
        out.push_str(t);
    } else {
        let keep = MAX_CELL - usize::from(risky) - CUT.chars().count();
        out.extend(t.chars().take(keep));
        out.push_str(CUT);
    }
    std::borrow::Cow::Owned(out)
}

pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE6F0");
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name)?;
        for (c, (h, w)) in s.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &head)?;
            sheet.set_column_width(c as u16, *w)?;
        }
        if s.freeze_header {
            sheet.set_freeze_panes(1, 0)?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            let r = (i + 1) as u32;
            for (c, v) in row.iter().enumerate() {
                match v {
                    Cell::Text(t) => {
                        sheet.write_string_with_format(r, c as u16, cell_text(t), &cell)?
                    }
                    Cell::Number(n) => sheet.write_number_with_format(r, c as u16, *n, &cell)?,
                };
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 hole 7: an export never fails on a long text and never writes a formula.
    #[test]
    fn an_export_answers_500_to_everyone_once_a_string_is_too_long() {
        let long = "字".repeat(MAX_CELL + 10);
        let table: &[(&str, &str)] = &[
            ("进展顺利", "进展顺利"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("a=b", "a=b"),
        ];
        for (input, want) in table {
            assert_eq!(cell_text(input), *want);
        }
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL);
        assert!(cut.ends_with(CUT));
        let sheet = Sheet {
            name: "报送".into(),
            columns: vec![("进展".into(), 40.0)],
            rows: vec![
                vec![Cell::Text(long.clone())],
                vec![Cell::Text("=1+1".into())],
            ],
            freeze_header: false,
        };
        assert!(write(&[sheet]).is_ok(), "the export is written");
    }
}
