//! A statistics sheet (统计报表) as 统计局 sends it: one .xlsx worksheet whose header row names
//! the columns — 指标, 范围, 年份, 期别, 数值, 单位, 口径/来源 — matched by header words in any
//! order, the data rows below it.
//!
//! Refused with the cell or row named, before anything is matched: a file that is not an .xlsx,
//! a hidden sheet (its data would go in unseen), a formula (the value another program would
//! compute is not in the file), a merged cell in the header or the data, a header lacking a
//! required column or naming one twice, and more than [`MAX_ROWS`] data rows.

use serde::{Deserialize, Serialize};

use crate::Limits;
use crate::archive::Archive;
use crate::model::Format;
use crate::xlsx::{self, Cell, reference};

/// Most data rows one sheet may carry.
pub const MAX_ROWS: usize = 20_000;
/// Most problems listed (the rest are counted).
pub const MAX_PROBLEMS: usize = 50;

/// One data row, cells as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatRow {
    /// The row's number in the sheet (1-based, as Excel shows it).
    pub row: usize,
    pub subject: String,
    pub scope: String,
    pub year: String,
    pub period: String,
    pub value: String,
    pub unit: String,
    pub source: String,
}

/// Why a sheet (or a row of it) cannot be read: the row (0 for the file), the column or cell,
/// and the reason, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetProblem {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl SheetProblem {
    fn file(reason: String) -> SheetProblem {
        SheetProblem {
            row: 0,
            column: String::new(),
            reason,
        }
    }

    /// "第 5 行“数值”列：…", or the reason alone for the file.
    pub fn text(&self) -> String {
        match (self.row, self.column.is_empty()) {
            (0, _) => self.reason.clone(),
            (r, true) => format!("第 {r} 行：{}", self.reason),
            (r, false) => format!("第 {r} 行“{}”列：{}", self.column, self.reason),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Subject,
    Scope,
    Year,
    Period,
    Value,
    Unit,
    Source,
}

/// A header cell's column, by its words; `None` for a column the sheet may carry besides (序号,
/// 备注).
fn field_of(header: &str) -> Option<Field> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    Some(if has(&["口径", "来源", "出处"]) {
        Field::Source
    } else if has(&["指标"]) {
        Field::Subject
    } else if has(&["范围", "地区", "片区", "区域"]) {
        Field::Scope
    } else if has(&["年份", "年度"]) || h == "年" {
        Field::Year
    } else if has(&["期别", "期间", "时期", "季度", "月份", "报告期"]) {
        Field::Period
    } else if has(&["数值", "数据", "本期", "累计值", "完成值", "实际值", "值"]) {
        Field::Value
    } else if has(&["单位"]) {
        Field::Unit
    } else {
        return None;
    })
}

fn field_name(f: Field) -> &'static str {
    match f {
        Field::Subject => "指标",
        Field::Scope => "范围",
        Field::Year => "年份",
        Field::Period => "期别",
        Field::Value => "数值",
        Field::Unit => "单位",
        Field::Source => "口径/来源",
    }
}

const REQUIRED: [Field; 3] = [Field::Subject, Field::Year, Field::Value];

/// Reads a statistics sheet: the data rows, or every problem found (at most [`MAX_PROBLEMS`]).
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<StatRow>, Vec<SheetProblem>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(vec![SheetProblem::file(
            "统计报表应为 .xlsx 文件（如为 .xls 或 WPS 表格，请另存为 .xlsx 后再导入）".into(),
        )]);
    }
    let archive = Archive::open(bytes, Format::Xlsx, limits)
        .map_err(|e| vec![SheetProblem::file(e.message_zh())])?;
    if !archive.has("xl/workbook.xml") {
        return Err(vec![SheetProblem::file(
            "文件不是 Excel 工作簿（.xlsx）".into(),
        )]);
    }
    let sheets =
        xlsx::sheets(archive, limits).map_err(|e| vec![SheetProblem::file(e.message_zh())])?;
    let holds_data = |s: &xlsx::Sheet| {
        s.rows
            .iter()
            .any(|(_, r)| r.iter().any(|c| !c.text.trim().is_empty()))
    };
    let mut problems = Vec::new();
    for s in sheets.iter().filter(|s| s.hidden && holds_data(s)) {
        problems.push(SheetProblem::file(format!(
            "工作表“{}”是隐藏的：请取消隐藏核对后再导入，或删除该工作表",
            s.name
        )));
    }
    let visible: Vec<&xlsx::Sheet> = sheets
        .iter()
        .filter(|s| !s.hidden && holds_data(s))
        .collect();
    let sheet = match visible.as_slice() {
        [] => {
            problems.push(SheetProblem::file("工作簿中没有数据".into()));
            return Err(problems);
        }
        [one] => *one,
        many => {
            let names: Vec<&str> = many.iter().map(|s| s.name.as_str()).collect();
            problems.push(SheetProblem::file(format!(
                "工作簿有多个含数据的工作表（{}），请只保留一个统计表",
                names.join("、")
            )));
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    read_sheet(sheet)
}

fn read_sheet(sheet: &xlsx::Sheet) -> Result<Vec<StatRow>, Vec<SheetProblem>> {
    let mut problems: Vec<SheetProblem> = Vec::new();
    let push = |p: SheetProblem, problems: &mut Vec<SheetProblem>| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(p);
        }
    };
    // The header: the first row naming the required columns.
    let Some(at) = sheet.rows.iter().position(|(_, cells)| {
        let fields: Vec<Field> = cells.iter().filter_map(|c| field_of(&c.text)).collect();
        REQUIRED.iter().filter(|f| fields.contains(f)).count() >= 2
    }) else {
        return Err(vec![SheetProblem::file(
            "找不到表头：表头应含“指标”“年份”“数值”等列名（可另有“范围”“期别”“单位”“口径/来源”）"
                .into(),
        )]);
    };
    let (header_no, header) = &sheet.rows[at];
    let mut columns: Vec<(usize, Field)> = Vec::new();
    for (col, cell) in header.iter().enumerate() {
        let Some(f) = field_of(&cell.text) else {
            continue;
        };
        if let Some((other, _)) = columns.iter().find(|(_, g)| *g == f) {
            push(
                SheetProblem {
                    row: *header_no,
                    column: reference(col, *header_no),
                    reason: format!(
                        "表头“{}”与 {} 列同为“{}”，请只保留一列",
                        cell.text.trim(),
                        reference(*other, *header_no),
                        field_name(f)
                    ),
                },
                &mut problems,
            );
            continue;
        }
        columns.push((col, f));
    }
    for f in REQUIRED {
        if !columns.iter().any(|(_, g)| *g == f) {
            push(
                SheetProblem {
                    row: *header_no,
                    column: field_name(f).into(),
                    reason: format!("表头缺少“{}”列", field_name(f)),
                },
                &mut problems,
            );
        }
    }
    for &((c1, r1), (c2, r2)) in &sheet.merges {
        if r2 >= *header_no && (r1 != r2 || c1 != c2) {
            let range = format!("{}:{}", reference(c1, r1), reference(c2, r2));
            let reason = if r1 <= *header_no {
                format!("表头有合并单元格 {range}：请拆分为一行一列一个列名")
            } else {
                format!("有合并单元格 {range}：请拆分，每行填写完整")
            };
            push(
                SheetProblem {
                    row: r1.max(*header_no),
                    column: reference(c1, r1),
                    reason,
                },
                &mut problems,
            );
        }
    }
    let cell = |cells: &[Cell], f: Field| -> String {
        columns
            .iter()
            .find(|(_, g)| *g == f)
            .and_then(|(c, _)| cells.get(*c))
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    let data = sheet.rows[at + 1..]
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.text.trim().is_empty()));
    for (count, (n, cells)) in data.enumerate() {
        if count >= MAX_ROWS {
            push(
                SheetProblem::file(format!(
                    "数据超过 {MAX_ROWS} 行（自第 {n} 行起），请分表导入"
                )),
                &mut problems,
            );
            break;
        }
        for (col, c) in cells.iter().enumerate() {
            if c.formula {
                push(
                    SheetProblem {
                        row: *n,
                        column: reference(col, *n),
                        reason: format!(
                            "单元格 {} 是公式：请复制后“选择性粘贴为数值”再导入",
                            reference(col, *n)
                        ),
                    },
                    &mut problems,
                );
            }
        }
        rows.push(StatRow {
            row: *n,
            subject: cell(cells, Field::Subject),
            scope: cell(cells, Field::Scope),
            year: cell(cells, Field::Year),
            period: cell(cells, Field::Period),
            value: cell(cells, Field::Value),
            unit: cell(cells, Field::Unit),
            source: cell(cells, Field::Source),
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(SheetProblem::file("表头之下没有数据行".into()));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook of one or more sheets: (name, hidden, cells (reference, text, formula), merges).
    type SheetSpec<'a> = (&'a str, bool, Vec<(&'a str, &'a str, bool)>, Vec<&'a str>);

    fn workbook(sheets: &[SheetSpec<'_>]) -> Vec<u8> {
        let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
        let mut entries = String::new();
        let mut rels = String::new();
        for (i, (name, hidden, cells, merges)) in sheets.iter().enumerate() {
            let mut rows: Vec<(usize, String)> = Vec::new();
            for (r, text, formula) in cells {
                let n: usize = r
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .parse()
                    .unwrap();
                let cell = if *formula {
                    format!("<c r=\"{r}\"><f>SUM(A1:A2)</f><v>{text}</v></c>")
                } else {
                    format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
                };
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
            parts.push((
                format!("xl/worksheets/sheet{}.xml", i + 1),
                format!("<worksheet><sheetData>{data}</sheetData><mergeCells>{merged}</mergeCells></worksheet>").into_bytes(),
            ));
            let state = if *hidden { " state=\"hidden\"" } else { "" };
            entries.push_str(&format!(
                "<sheet name=\"{name}\" sheetId=\"{}\"{state} r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            ));
            rels.push_str(&format!(
                "<Relationship Id=\"rId{}\" Target=\"worksheets/sheet{}.xml\"/>",
                i + 1,
                i + 1
            ));
        }
        let book = format!("<workbook xmlns:r=\"r\"><sheets>{entries}</sheets></workbook>");
        let rels = format!("<Relationships>{rels}</Relationships>");
        let mut files: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", book.as_bytes()),
            ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ];
        for (n, b) in &parts {
            files.push((n.as_str(), b.as_slice()));
        }
        luoshi_testgen::zip(&files)
    }

    fn header() -> Vec<(&'static str, &'static str, bool)> {
        vec![
            ("A1", "序号", false),
            ("B1", "指标名称", false),
            ("C1", "统计范围", false),
            ("D1", "年份", false),
            ("E1", "期别", false),
            ("F1", "数值", false),
            ("G1", "计量单位", false),
            ("H1", "统计口径及来源", false),
        ]
    }

    fn read_book(sheets: &[SheetSpec<'_>]) -> Result<Vec<StatRow>, Vec<String>> {
        read(&workbook(sheets), &Limits::default())
            .map_err(|ps| ps.iter().map(SheetProblem::text).collect())
    }

    #[test]
    fn columns_are_matched_by_their_header_words() {
        let mut cells = header();
        cells.extend([
            ("A2", "1", false),
            ("B2", "外贸进出口额", false),
            ("C2", "南宁片区", false),
            ("D2", "2026", false),
            ("E2", "1-6月", false),
            ("F2", "123.4", false),
            ("G2", "亿元", false),
            ("H2", "海关统计", false),
        ]);
        let rows = read_book(&[("统计表", false, cells, vec![])]).unwrap();
        assert_eq!(
            rows,
            vec![StatRow {
                row: 2,
                subject: "外贸进出口额".into(),
                scope: "南宁片区".into(),
                year: "2026".into(),
                period: "1-6月".into(),
                value: "123.4".into(),
                unit: "亿元".into(),
                source: "海关统计".into(),
            }]
        );
    }

    #[test]
    fn formulas_merges_hidden_sheets_and_missing_columns_are_named() {
        let mut with_formula = header();
        with_formula.extend([
            ("B2", "外贸进出口额", false),
            ("D2", "2026", false),
            ("F2", "123", true),
        ]);
        let got = read_book(&[("统计表", false, with_formula, vec![])]).unwrap_err();
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("第 2 行“F2”列：单元格 F2 是公式"),
            "{got:?}"
        );

        let mut merged = header();
        merged.extend([("B2", "外贸进出口额", false), ("D2", "2026", false)]);
        let got = read_book(&[("统计表", false, merged.clone(), vec!["B1:C1"])]).unwrap_err();
        assert!(got[0].contains("表头有合并单元格 B1:C1"), "{got:?}");
        let got = read_book(&[("统计表", false, merged.clone(), vec!["D2:D3"])]).unwrap_err();
        assert!(
            got[0].starts_with("第 2 行“D2”列：有合并单元格 D2:D3"),
            "{got:?}"
        );

        let got = read_book(&[
            ("统计表", false, merged.clone(), vec![]),
            ("底稿", true, vec![("A1", "秘密数字", false)], vec![]),
        ])
        .unwrap_err();
        assert!(got[0].contains("工作表“底稿”是隐藏的"), "{got:?}");

        let got = read_book(&[(
            "统计表",
            false,
            vec![
                ("A1", "指标", false),
                ("B1", "年份", false),
                ("C1", "备注", false),
                ("A2", "x", false),
            ],
            vec![],
        )])
        .unwrap_err();
        assert_eq!(got, ["第 1 行“数值”列：表头缺少“数值”列"]);

        let got = read_book(&[(
            "统计表",
            false,
            vec![("A1", "名称", false), ("B1", "金额", false)],
            vec![],
        )])
        .unwrap_err();
        assert!(got[0].starts_with("找不到表头"), "{got:?}");

        let got = read(b"a\tb\n", &Limits::default()).unwrap_err();
        assert!(got[0].reason.contains(".xlsx"));
    }

    #[test]
    fn a_sheet_past_the_row_limit_is_refused_whole() {
        let mut cells: Vec<(String, String)> = vec![
            ("A1".into(), "指标".into()),
            ("B1".into(), "年份".into()),
            ("C1".into(), "数值".into()),
        ];
        for n in 2..=MAX_ROWS + 2 {
            cells.push((format!("A{n}"), "外贸进出口额".into()));
        }
        let borrowed: Vec<(&str, &str, bool)> = cells
            .iter()
            .map(|(r, t)| (r.as_str(), t.as_str(), false))
            .collect();
        let got = read_book(&[("统计表", false, borrowed, vec![])]).unwrap_err();
        assert_eq!(
            got,
            [format!(
                "数据超过 {MAX_ROWS} 行（自第 20002 行起），请分表导入"
            )]
        );
    }

    #[test]
    fn cell_references_count_past_z() {
        assert_eq!(reference(0, 1), "A1");
        assert_eq!(reference(25, 3), "Z3");
        assert_eq!(reference(27, 10), "AB10");
    }
}
