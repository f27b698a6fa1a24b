//! The audit log as a sheet: what the audit administrator exports from 审计, with the page's
//! filter, one row per record, actions in Chinese and before/after as recorded.

use luoshi_store::audit::AuditEntry;

use crate::xlsx::{Cell, Sheet};

/// Column headers of the audit export.
pub const HEADERS: [&str; 8] = [
    "编号",
    "时间",
    "账户",
    "操作",
    "对象",
    "对象编号",
    "变更前",
    "变更后",
];

/// The records as a sheet; `time` formats a Unix time as the page does.
pub fn audit_sheet(entries: &[AuditEntry], time: impl Fn(i64) -> String) -> Sheet {
    let widths = [8.0, 20.0, 14.0, 20.0, 12.0, 10.0, 50.0, 50.0];
    let columns: Vec<(&str, f64)> = HEADERS.iter().copied().zip(widths).collect();
    let mut sheet = Sheet::new("审计日志", &columns);
    sheet.freeze_header = true;
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    for e in entries {
        sheet.rows.push(vec![
            Cell::from(e.id),
            time(e.at).into(),
            e.actor.clone().into(),
            luoshi_domain::audit::action_label(&e.action).into(),
            luoshi_domain::audit::object_label(&e.object_type).into(),
            e.object_id
                .map(Cell::from)
                .unwrap_or_else(|| String::new().into()),
            json(&e.before).into(),
            json(&e.after).into(),
        ]);
    }
    sheet
}

/// The audit export as an .xlsx.
pub fn audit_xlsx(
    entries: &[AuditEntry],
    time: impl Fn(i64) -> String,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::xlsx::write(&[audit_sheet(entries, time)])
}
