//! The quarterly compilation (季度工作进展汇编) as blocks: a title, the overall figures, every
//! task's report with its units' contributions, the supervision items and the reporting notice.
//! `luoshi-output` writes the blocks as a .docx in 公文 layout and as a PDF on the 公文 grid.

use std::collections::BTreeMap;

use luoshi_domain::calendar::Date;
use luoshi_output::blocks::{Block, chinese_number};

use crate::reporting::round::Owed;
use luoshi_domain::reporting::ReportKind;
use luoshi_domain::reporting::round::{Figures, Round, Score};
use luoshi_store::Id;
use luoshi_store::reporting::ReportDetail;
use luoshi_store::supervision::ItemRow;

/// Writes the compilation's blocks from a round's obligations and the items.
pub fn compilation(
    round: Round,
    today: Date,
    owed: &[Owed],
    details: &BTreeMap<Id, ReportDetail>,
    items: &[ItemRow],
    scores: &[Score],
    figures: &Figures,
) -> Vec<Block> {
    let mut out = vec![
        Block::Title(format!(
            "中国（广西）自由贸易试验区\n{}年第{}季度工作进展汇编",
            round.year, round.quarter
        )),
        Block::Subtitle(format!("自贸试验区工作领导小组办公室　{today}")),
        Block::H1("一、总体情况".into()),
    ];
    let closed = items.iter().filter(|i| i.stage.is_closed()).count();
    let overdue = items
        .iter()
        .filter(|i| !i.stage.is_closed() && i.due < today)
        .count();
    out.push(Block::Para(format!(
        "本季度纳入汇编的任务 {} 项，应报送材料 {} 份（其中 {} 份未到截止日期），已报送 {} 份，其中按时报送 {} 份，按时报送率 {:.0}%；已完成任务 {} 项，完成率 {:.0}%。任务预警：红灯 {} 项、黄灯 {} 项、绿灯 {} 项、本期待报送（灰灯）{} 项。督办事项 {} 项，已办结 {} 项，逾期未办结 {} 项。",
        figures.tasks,
        figures.owed,
        figures.pending,
        figures.filed,
        figures.on_time,
        figures.on_time_rate() * 100.0,
        figures.done,
        figures.completion() * 100.0,
        figures.red(),
        figures.yellow(),
        figures.green(),
        figures.grey(),
        items.len(),
        closed,
        overdue
    )));
    out.push(Block::H1("二、重点任务进展".into()));
    let mut docs: Vec<(Id, String)> = Vec::new();
    for o in owed {
        if !docs.iter().any(|(d, _)| *d == o.ob.document_id) {
            docs.push((o.ob.document_id, o.ob.document_title.clone()));
        }
    }
    for (n, (doc, title)) in docs.iter().enumerate() {
        out.push(Block::H2(format!("（{}）{title}", chinese_number(n + 1))));
        for lead in owed
            .iter()
            .filter(|o| o.ob.document_id == *doc && o.kind == ReportKind::Task)
        {
            let latest = lead
                .report
                .as_ref()
                .and_then(|r| details.get(&r.id))
                .and_then(|d| d.history.last());
            let head = format!(
                "{}{}（牵头单位：{}；{}）",
                numbered(&lead.ob.task_number),
                lead.ob.task_title,
                lead.ob.unit_name,
                lead.period_label
            );
            let body = match latest {
                Some(v) => {
                    let mut s = format!(
                        "{head}进展：{}，进度 {}%。{}",
                        v.status.label(),
                        v.progress,
                        v.narrative.trim()
                    );
                    if !v.figures.is_empty() {
                        let figs: Vec<String> = v
                            .figures
                            .iter()
                            .map(|f| {
                                format!("{} {} {}", f.name, f.value, f.unit)
                                    .trim()
                                    .to_string()
                            })
                            .collect();
                        s.push_str(&format!("主要数据：{}。", figs.join("；")));
                    }
                    s
                }
                None => format!("{head}：{}。", lead.standing.label()),
            };
            out.push(Block::Para(body));
            for c in owed.iter().filter(|o| {
                o.ob.task_id == lead.ob.task_id
                    && o.kind == ReportKind::Contribution
                    && o.period_key == lead.period_key
            }) {
                let text = c
                    .report
                    .as_ref()
                    .and_then(|r| details.get(&r.id))
                    .and_then(|d| d.history.last())
                    .map(|v| v.narrative.trim().to_string())
                    .unwrap_or_else(|| c.standing.label().to_string());
                out.push(Block::Para(format!("配合单位{}：{text}", c.ob.unit_name)));
            }
        }
    }
    out.push(Block::H1("三、督办事项办理情况".into()));
    if items.is_empty() {
        out.push(Block::Para("本季度无督办事项。".into()));
    }
    for (n, i) in items.iter().enumerate() {
        out.push(Block::Para(format!(
            "{}. {}（{}，牵头单位：{}，办理时限 {}）：{}，进度 {}%{}{}。",
            n + 1,
            i.title,
            i.source.label(),
            i.lead_unit_name,
            i.due,
            i.stage.label(),
            i.progress,
            i.closed_on
                .as_ref()
                .map(|c| format!("，{c} 办结"))
                .unwrap_or_default(),
            i.grade
                .map(|g| format!("，评价{}", g.label()))
                .unwrap_or_default()
        )));
    }
    out.push(Block::H1("四、报送情况通报".into()));
    let missing: Vec<String> = scores
        .iter()
        .filter(|s| s.missing > 0)
        .map(|s| format!("{}（{} 份）", s.unit_name, s.missing))
        .collect();
    let late: Vec<String> = scores
        .iter()
        .filter(|s| s.late > 0)
        .map(|s| format!("{}（{} 份）", s.unit_name, s.late))
        .collect();
    out.push(Block::Para(if missing.is_empty() {
        "截至汇编时，各单位均已报送本季度材料。".into()
    } else {
        format!("逾期未报送：{}。", missing.join("、"))
    }));
    if !late.is_empty() {
        out.push(Block::Para(format!("逾期报送：{}。", late.join("、"))));
    }
    out
}

/// A task number as a prefix: `1` → `1．`; `（三）` stays as written.
pub(crate) fn numbered(n: &str) -> String {
    if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
        format!("{n}．")
    } else {
        n.to_string()
    }
}
