//! The 任务分工表 (task division table) as a sheet: the ledger's export, the same from the web
//! and from `luoshi export tasks`.

use luoshi_store::ledger::TaskRow;

use crate::xlsx::{Cell, Sheet};

/// Column headers of the 任务分工表.
pub const HEADERS: [&str; 6] = [
    "序号",
    "任务",
    "主要内容",
    "牵头单位",
    "配合单位",
    "来源文件",
];

/// The task division table of `rows`, in ledger order.
pub fn tasks_sheet(rows: &[TaskRow]) -> Sheet {
    let widths = [6.0, 28.0, 60.0, 24.0, 36.0, 36.0];
    let columns: Vec<(&str, f64)> = HEADERS.iter().copied().zip(widths).collect();
    let mut sheet = Sheet::new("任务分工表", &columns);
    sheet.freeze_header = true;
    for (i, t) in rows.iter().enumerate() {
        let task = if t.number.is_empty() {
            t.title.clone()
        } else {
            format!("{} {}", t.number, t.title)
        };
        sheet.rows.push(vec![
            Cell::from((i + 1) as i64),
            task.into(),
            t.text.clone().into(),
            t.lead.join("、").into(),
            t.support.join("、").into(),
            t.document_title.clone().into(),
        ]);
    }
    sheet
}

/// The task division table as an .xlsx.
pub fn tasks_xlsx(rows: &[TaskRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::xlsx::write(&[tasks_sheet(rows)])
}
