//! A 任务分工表 given as a table (.docx, .xlsx, tab-separated text): one task per row under a
//! header that names its columns by the contract's words. 序号; 任务 / 重点任务 / 工作任务 /
//! 任务名称 (the title); 主要内容 / 具体措施 / 工作措施 / 任务内容 (the text); 牵头单位 (leads);
//! 配合单位 / 协办单位 / 参与单位 (support); 责任单位 (expanded by the clause rules, the first item
//! leads); 完成时限 / 时间节点 / 完成时间 (the deadline). A cell merged down a column reaches here
//! repeated on every row it spans (the front-ends repeat it), so each row stands alone.

use crate::clause::{expand, expand_names};
use crate::layout::{Block, Row as TableRow};
use crate::model::{Role, Task, UnitRef, Warning};

#[derive(Debug, Default)]
struct Columns {
    number: Option<usize>,
    title: Option<usize>,
    text: Option<usize>,
    lead: Option<usize>,
    support: Option<usize>,
    units: Option<usize>,
    deadline: Option<usize>,
}

fn header_columns(cells: &[String]) -> Option<Columns> {
    let mut c = Columns::default();
    for (i, h) in cells.iter().enumerate() {
        let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
        let is = |words: &[&str]| words.iter().any(|w| h == *w);
        if is(&["序号", "编号"]) {
            c.number = Some(i);
        } else if is(&["任务", "重点任务", "工作任务", "任务名称", "主要任务"]) {
            c.title = Some(i);
        } else if is(&["主要内容", "具体措施", "工作措施", "任务内容", "工作内容"])
        {
            c.text = Some(i);
        } else if is(&["牵头单位", "牵头部门"]) {
            c.lead = Some(i);
        } else if is(&["配合单位", "协办单位", "参与单位", "配合部门"]) {
            c.support = Some(i);
        } else if is(&["责任单位", "责任部门"]) {
            c.units = Some(i);
        } else if is(&["完成时限", "时间节点", "完成时间"]) {
            c.deadline = Some(i);
        }
    }
    let has_units = c.lead.is_some() || c.units.is_some();
    (c.title.is_some() && has_units).then_some(c)
}

/// "3 建设单一窗口", "3．建设单一窗口" or "（二） 完善集疏运体系": a number written before the title
/// (the project's own export writes the task's number so).
fn split_number(title: &str) -> (Option<String>, String) {
    if let Some(m) = crate::outline::detect_marker(title)
        && m.level > 0
    {
        let rest = title[m.len..].trim();
        if !rest.is_empty() {
            return (Some(m.number()), rest.to_string());
        }
    }
    let digits: String = title.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return (None, title.trim().to_string());
    }
    let rest = title[digits.len()..].trim_start_matches(['.', '．', '、', ' ', '\u{3000}']);
    if rest.is_empty() {
        return (None, title.trim().to_string());
    }
    (Some(digits), rest.trim().to_string())
}

/// The tasks of every 任务分工表 among the blocks, in row order. A row without a title (a
/// category row such as 一、贸易便利化) sets the path of the rows under it.
pub fn extract(blocks: &[Block], warnings: &mut Vec<Warning>) -> Vec<Task> {
    let mut out = Vec::new();
    let mut cols: Option<Columns> = None;
    let mut path: Vec<String> = Vec::new();
    for block in blocks {
        let Block::Row(row) = block else { continue };
        if let Some(c) = header_columns(&row.cells) {
            cols = Some(c);
            path.clear();
            continue;
        }
        let Some(c) = &cols else { continue };
        if let Some(task) = task_of(row, c, &path, warnings) {
            out.push(task);
        } else {
            let live: Vec<&String> = row.cells.iter().filter(|s| !s.trim().is_empty()).collect();
            if live.len() == 1 {
                path = vec![live[0].trim().to_string()];
            }
        }
    }
    out
}

fn task_of(
    row: &TableRow,
    c: &Columns,
    path: &[String],
    warnings: &mut Vec<Warning>,
) -> Option<Task> {
    let cell = |i: Option<usize>| {
        i.and_then(|i| row.cells.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let written_title = cell(c.title);
    if written_title.is_empty() {
        return None;
    }
    let (prefixed, title) = split_number(&written_title);
    // The title's own number is the task's (序号 only counts rows).
    let number = prefixed
        .or_else(|| Some(cell(c.number)).filter(|n| !n.is_empty()))
        .unwrap_or_default();
    // A category row repeats its name across the row; a task row has units or a number.
    let (lead, support, units) = (cell(c.lead), cell(c.support), cell(c.units));
    if number.is_empty() && lead.is_empty() && units.is_empty() {
        return None;
    }
    let mut task = Task {
        path: path.to_vec(),
        number,
        title: title.trim_end_matches('。').to_string(),
        text: cell(c.text),
        units_text: None,
        units: Vec::new(),
        open_ended: false,
        others: false,
        deadline: crate::deadline::parse(&cell(c.deadline)),
        line: row.line,
    };
    if !lead.is_empty() || !support.is_empty() {
        let mut add = |names: Vec<String>, role: Role| {
            for name in names {
                if !task.units.iter().any(|u| u.name == name) {
                    task.units.push(UnitRef { name, role });
                }
            }
        };
        add(expand_names(&lead), Role::Lead);
        add(expand_names(&support), Role::Support);
        task.units_text = Some(
            [lead.as_str(), support.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("；"),
        );
        task.open_ended = lead.ends_with('等') || support.ends_with('等');
    } else if !units.is_empty() {
        let e = expand(&units);
        task.units = e.units;
        task.units_text = Some(e.units_text);
        task.open_ended = e.open_ended;
        task.others = e.others;
    }
    if task.units.is_empty() && !task.others {
        warnings.push(Warning {
            line: row.line,
            message: format!("任务 {} 的责任单位无法识别", task.number),
        });
    }
    Some(task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{blocks, split_lines};

    fn tasks(src: &str) -> Vec<Task> {
        let mut lines = split_lines(src);
        let b = blocks(&mut lines);
        extract(&b, &mut Vec::new())
    }

    /// A table as the front-ends write it: each cell a tab-led line, rows apart.
    fn table(rows: &[&[&str]]) -> String {
        rows.iter()
            .map(|r| r.iter().map(|c| format!("\t{c}\n")).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn columns_are_found_by_their_header_words_in_any_order() {
        let src = table(&[
            &[
                "序号",
                "重点任务",
                "牵头单位",
                "配合单位",
                "完成时限",
                "具体措施",
            ],
            &[
                "1",
                "建设单一窗口",
                "自治区商务厅",
                "南宁海关、自治区交通运输厅",
                "2026年底前",
                "整合口岸数据",
            ],
            &["一、通道建设", "", "", "", "", ""],
            &[
                "2",
                "加密海铁联运班列",
                "自治区交通运输厅",
                "",
                "长期坚持",
                "优化班列组织",
            ],
        ]);
        let t = tasks(&src);
        assert_eq!(t.len(), 2);
        assert_eq!(
            (
                t[0].number.as_str(),
                t[0].title.as_str(),
                t[0].text.as_str()
            ),
            ("1", "建设单一窗口", "整合口岸数据")
        );
        let units: Vec<(&str, Role)> = t[0]
            .units
            .iter()
            .map(|u| (u.name.as_str(), u.role))
            .collect();
        assert_eq!(
            units,
            [
                ("自治区商务厅", Role::Lead),
                ("南宁海关", Role::Support),
                ("自治区交通运输厅", Role::Support)
            ]
        );
        assert_eq!(
            t[0].deadline.as_ref().unwrap().date.as_deref(),
            Some("2026-12-31")
        );
        assert_eq!(t[1].path, ["一、通道建设"]);
        assert!(t[1].deadline.as_ref().unwrap().ongoing);
    }

    #[test]
    fn a_responsibility_column_expands_by_the_clause_rules() {
        let src = table(&[
            &["序号", "工作任务", "责任单位", "时间节点"],
            &[
                "1",
                "推进数据跨境流动试点",
                "自治区党委网信办、数据局，3个片区管委会",
                "2027年上半年",
            ],
            &["2", "优化口岸营商环境", "", ""],
        ]);
        let mut warnings = Vec::new();
        let mut lines = split_lines(&src);
        let t = extract(&blocks(&mut lines), &mut warnings);
        let names: Vec<&str> = t[0].units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names[..2], ["自治区党委网信办", "自治区数据局"]);
        assert_eq!(
            t[0].units.iter().filter(|u| u.role == Role::Lead).count(),
            1
        );
        assert_eq!(t[0].units.len(), 5);
        assert_eq!(
            t[0].deadline.as_ref().unwrap().date.as_deref(),
            Some("2027-06-30")
        );
        assert_eq!(
            warnings.len(),
            1,
            "the second row names no unit: {warnings:?}"
        );
    }

    #[test]
    fn tab_separated_text_is_a_table_too() {
        let src = "示范区任务分工表\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n1\t建设单一窗口\t自治区商务厅\t\t2026年12月底前\n2\t优化营商环境\t自治区发展改革委\t自治区商务厅\t长期坚持\n";
        let d = crate::parse(src.as_bytes(), &crate::Limits::default()).unwrap();
        let got: Vec<(&str, &str, usize)> = d
            .tasks
            .iter()
            .map(|t| (t.number.as_str(), t.title.as_str(), t.units.len()))
            .collect();
        assert_eq!(got, [("1", "建设单一窗口", 1), ("2", "优化营商环境", 2)]);
        assert_eq!(
            d.tasks[0].deadline.as_ref().unwrap().date.as_deref(),
            Some("2026-12-31")
        );
    }

    #[test]
    fn the_projects_own_export_reads_back() {
        // The columns of luoshi-output's 任务分工表, a title carrying its number.
        let src = table(&[
            &[
                "序号",
                "任务",
                "主要内容",
                "牵头单位",
                "配合单位",
                "来源文件",
            ],
            &[
                "1",
                "3 建设单一窗口",
                "整合数据",
                "自治区商务厅",
                "南宁海关",
                "示范方案",
            ],
            &[
                "2",
                "（二） 完善集疏运体系",
                "打通最后一公里",
                "钦州市人民政府",
                "",
                "示范方案",
            ],
        ]);
        let t = tasks(&src);
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].number.as_str(), t[0].title.as_str()),
            ("3", "建设单一窗口")
        );
        assert_eq!(
            (t[1].number.as_str(), t[1].title.as_str()),
            ("（二）", "完善集疏运体系")
        );
        assert_eq!(t[1].units.len(), 1);
        // A table of something else is not a task table.
        let other = table(&[
            &["序号", "成果名称", "牵头改革部门"],
            &["1", "跨境电商", "自治区商务厅"],
        ]);
        assert!(tasks(&other).is_empty());
    }
}
