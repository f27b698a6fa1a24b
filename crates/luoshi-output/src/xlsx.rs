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
                    Cell::Text(t) => sheet.write_string_with_format(r, c as u16, t, &cell)?,
                    Cell::Number(n) => sheet.write_number_with_format(r, c as u16, *n, &cell)?,
                };
            }
        }
    }
    book.save_to_buffer()
}
