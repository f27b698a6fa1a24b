//! The indicators as a sheet (指标表): each indicator with its milestones, baseline, latest
//! value, progress, light and the reason in words, as the 指标 list shows them.

use luoshi_domain::indicators::{Status, measure_label, milestone_text, show};
use luoshi_store::indicators::Indicator;

use crate::xlsx::{Cell, Sheet};

/// Column headers of the indicators sheet.
pub const HEADERS: [&str; 12] = [
    "编号",
    "指标",
    "范围",
    "口径",
    "节点目标",
    "基期值",
    "最新实际值",
    "完成进度",
    "灯色",
    "原因",
    "责任单位",
    "来源",
];

/// The sheet of `rows` (each indicator with its status), in the order given.
pub fn indicators_sheet(rows: &[(Indicator, Status)]) -> Sheet {
    let widths = [
        6.0, 30.0, 14.0, 10.0, 30.0, 16.0, 16.0, 10.0, 8.0, 50.0, 36.0, 36.0,
    ];
    let columns: Vec<(&str, f64)> = HEADERS.iter().copied().zip(widths).collect();
    let mut sheet = Sheet::new("指标", &columns);
    sheet.freeze_header = true;
    for (i, status) in rows {
        let milestones: Vec<String> = i
            .live_milestones()
            .map(|m| milestone_text(&m.milestone, &i.unit))
            .collect();
        let latest = i
            .actuals
            .iter()
            .max_by(|a, b| a.at().total_cmp(&b.at()))
            .map(|p| format!("{}年 {}{}", p.year, p.value, i.unit))
            .unwrap_or_default();
        let units: Vec<String> = i
            .units
            .iter()
            .map(|u| {
                format!(
                    "{}（{}）",
                    u.name,
                    if u.role == "lead" { "牵头" } else { "配合" }
                )
            })
            .collect();
        let source = i
            .source()
            .map(|s| {
                format!(
                    "{} 第{}行",
                    s.doc_number.clone().unwrap_or_else(|| s.title.clone()),
                    s.line
                )
            })
            .unwrap_or_default();
        sheet.rows.push(vec![
            Cell::from(i.id),
            i.subject.clone().into(),
            i.scope.clone().unwrap_or_default().into(),
            measure_label(i.measure).into(),
            milestones.join("；").into(),
            i.baseline
                .as_ref()
                .map(|b| format!("{}年 {}{}", b.year, b.value, i.unit))
                .unwrap_or_default()
                .into(),
            latest.into(),
            status
                .progress
                .map(|p| format!("{}%", show(p)))
                .unwrap_or_default()
                .into(),
            status.light.label().into(),
            status.reason.clone().into(),
            units.join("、").into(),
            source.into(),
        ]);
    }
    sheet
}

/// The indicators sheet as an .xlsx.
pub fn indicators_xlsx(
    rows: &[(Indicator, Status)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::xlsx::write(&[indicators_sheet(rows)])
}
