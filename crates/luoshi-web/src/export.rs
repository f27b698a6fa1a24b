//! The 任务分工表 as .xlsx. Every cell is written as a string or a number, never as a formula, so a
//! task text starting with `=`, `+`, `-` or `@` stays text in Excel, WPS and LibreOffice.

use luoshi_store::TaskRow;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// Column headers of the 任务分工表.
pub const HEADERS: [&str; 6] = [
    "序号",
    "任务",
    "主要内容",
    "牵头单位",
    "配合单位",
    "来源文件",
];

/// Writes the task division table.
pub fn tasks_xlsx(rows: &[TaskRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("任务分工表")?;
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
    for (c, (h, w)) in HEADERS
        .iter()
        .zip([6.0, 28.0, 60.0, 24.0, 36.0, 36.0])
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, t) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_number_with_format(r, 0, (i + 1) as f64, &cell)?;
        let task = if t.number.is_empty() {
            t.title.clone()
        } else {
            format!("{} {}", t.number, t.title)
        };
        let texts = [
            task,
            t.text.clone(),
            t.lead.join("、"),
            t.support.join("、"),
            t.document_title.clone(),
        ];
        for (c, text) in texts.iter().enumerate() {
            sheet.write_string_with_format(r, (c + 1) as u16, text, &cell)?;
        }
    }
    book.save_to_buffer()
}
