//! The quarterly compilation (季度工作进展汇编) as blocks. Up front, the round's figures and a
//! table per unit (应报 / 已报 / 按时 / 逾期 / 退回); then the reports filed, by document and
//! task, each lead report with its units' contributions folded in beneath it; the supervision
//! items; the 通报 of late units; and, as an annex, the table of what was not filed. Dates are
//! written as 公文 write them (2026年12月2日). `luoshi-output` writes the blocks as a .docx in 公文
//! layout (headings as outline styles) and as a PDF on the 公文 grid.

use std::collections::BTreeMap;

use luoshi_domain::calendar::Date;
use luoshi_domain::reporting::round::{Figures, Round, Score, Standing};
use luoshi_domain::reporting::{ReportKind, ReviewState};
use luoshi_output::blocks::{Block, Table, chinese_number};
use luoshi_store::Id;
use luoshi_store::reporting::{ReportDetail, ReportVersion};
use luoshi_store::supervision::ItemRow;

use crate::reporting::round::Owed;

/// What a compilation is written from: a round's obligations and the reports filed, the
/// supervision items, the round's figures and the indicators.
pub struct Sources<'a> {
    pub round: Round,
    pub today: Date,
    pub owed: &'a [Owed],
    pub details: &'a BTreeMap<Id, ReportDetail>,
    pub items: &'a [ItemRow],
    pub scores: &'a [Score],
    pub figures: &'a Figures,
    pub indicators: &'a [crate::indicators::pages::Row],
}

/// Writes the compilation's blocks.
pub fn compilation(src: &Sources<'_>) -> Vec<Block> {
    let Sources {
        round,
        today,
        owed,
        details,
        items,
        scores,
        figures,
        indicators,
    } = *src;
    let mut out = vec![
        Block::Title(format!(
            "中国（广西）自由贸易试验区\n{}年第{}季度工作进展汇编",
            round.year, round.quarter
        )),
        Block::Subtitle(format!("自贸试验区工作领导小组办公室　{}", today.written())),
    ];
    overview(&mut out, items, scores, figures, today);
    progress(&mut out, owed, details);
    supervision(&mut out, items);
    targets(&mut out, indicators);
    notice(&mut out, scores);
    annex(&mut out, owed, today);
    out
}

fn overview(out: &mut Vec<Block>, items: &[ItemRow], scores: &[Score], f: &Figures, today: Date) {
    out.push(Block::H1("一、总体情况".into()));
    let closed = items.iter().filter(|i| i.stage.is_closed()).count();
    let overdue = items
        .iter()
        .filter(|i| !i.stage.is_closed() && i.due < today)
        .count();
    out.push(Block::Para(format!(
        "本季度纳入汇编的任务 {} 项，应报送材料 {} 份（其中 {} 份未到截止日期），已报送 {} 份，其中按时报送 {} 份，按时报送率 {}；已完成任务 {} 项，完成率 {:.0}%。任务预警：红灯 {} 项、黄灯 {} 项、绿灯 {} 项、本期待报送（灰灯）{} 项。督办事项 {} 项，已办结 {} 项，逾期未办结 {} 项。各单位报送情况见表1，未报送材料清单见附件。",
        f.tasks,
        f.owed,
        f.pending,
        f.filed,
        f.on_time,
        if f.owed == f.pending {
            "—（尚无到期材料）".to_string()
        } else {
            format!("{:.0}%", f.on_time_rate() * 100.0)
        },
        f.done,
        f.completion() * 100.0,
        f.red(),
        f.yellow(),
        f.green(),
        f.grey(),
        items.len(),
        closed,
        overdue
    )));
    out.push(Block::Para("表1　各单位报送情况".into()));
    let mut t = Table::new(&[
        ("序号", 2),
        ("单位", 9),
        ("应报", 3),
        ("已报", 3),
        ("按时", 3),
        ("逾期报送", 3),
        ("逾期未报", 3),
        ("退回", 3),
        ("按时率", 3),
    ]);
    for (n, s) in scores.iter().enumerate() {
        t.row(vec![
            (n + 1).to_string(),
            s.unit_name.clone(),
            s.owed.to_string(),
            s.filed.to_string(),
            s.on_time.to_string(),
            s.late.to_string(),
            s.missing.to_string(),
            s.returned.to_string(),
            if s.counted() == 0 {
                "—".into()
            } else {
                format!("{:.0}%", s.on_time_rate() * 100.0)
            },
        ]);
    }
    out.push(Block::Table(t));
}

/// The latest version of what a duty filed, if it filed anything.
fn filed<'a>(o: &Owed, details: &'a BTreeMap<Id, ReportDetail>) -> Option<&'a ReportVersion> {
    o.report
        .as_ref()
        .and_then(|r| details.get(&r.id))
        .and_then(|d| d.history.last())
}

/// What the office has done with a filed report, when it is not yet accepted.
fn review_note(o: &Owed) -> &'static str {
    match o.report.as_ref().map(|r| r.state) {
        Some(ReviewState::Submitted) => "（待审核）",
        Some(ReviewState::Returned) => "（已退回修改）",
        _ => "",
    }
}

fn progress(out: &mut Vec<Block>, owed: &[Owed], details: &BTreeMap<Id, ReportDetail>) {
    out.push(Block::H1("二、重点任务进展".into()));
    let mut docs: Vec<(Id, &str)> = Vec::new();
    for o in owed {
        if !docs.iter().any(|(d, _)| *d == o.ob.document_id) {
            docs.push((o.ob.document_id, &o.ob.document_title));
        }
    }
    let mut shown = 0;
    for (doc, title) in docs {
        let in_doc: Vec<&Owed> = owed.iter().filter(|o| o.ob.document_id == doc).collect();
        // Tasks in the document's order, each with what it owes this round.
        let mut tasks: Vec<Id> = Vec::new();
        for o in &in_doc {
            if !tasks.contains(&o.ob.task_id) {
                tasks.push(o.ob.task_id);
            }
        }
        let with_reports: Vec<Id> = tasks
            .iter()
            .copied()
            .filter(|t| {
                in_doc
                    .iter()
                    .any(|o| o.ob.task_id == *t && filed(o, details).is_some())
            })
            .collect();
        if with_reports.is_empty() {
            continue;
        }
        shown += 1;
        out.push(Block::H2(format!("（{}）{title}", chinese_number(shown))));
        for task in &with_reports {
            let duties: Vec<&&Owed> = in_doc.iter().filter(|o| o.ob.task_id == *task).collect();
            let first = duties[0];
            out.push(Block::H3(format!(
                "{}{}",
                numbered(&first.ob.task_number),
                first.ob.task_title
            )));
            for lead in duties.iter().filter(|o| o.kind == ReportKind::Task) {
                out.push(Block::Para(match filed(lead, details) {
                    Some(v) => {
                        let mut s = format!(
                            "牵头单位{}{}：{}，进度 {}%。{}",
                            lead.ob.unit_label(),
                            review_note(lead),
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
                    None => format!(
                        "牵头单位{}：{}（见附件）。",
                        lead.ob.unit_label(),
                        lead.standing.label()
                    ),
                }));
            }
            for c in duties.iter().filter(|o| o.kind == ReportKind::Contribution) {
                if let Some(v) = filed(c, details) {
                    out.push(Block::Para(format!(
                        "配合单位{}{}：{}",
                        c.ob.unit_label(),
                        review_note(c),
                        v.narrative.trim()
                    )));
                }
            }
        }
        let silent = tasks.len() - with_reports.len();
        if silent > 0 {
            out.push(Block::Para(format!(
                "本文件另有 {silent} 项任务本期尚无单位报送材料，见附件。"
            )));
        }
    }
    if shown == 0 {
        out.push(Block::Para(
            "本季度尚无单位报送工作进展材料，应报送材料见附件。".into(),
        ));
    }
}

fn supervision(out: &mut Vec<Block>, items: &[ItemRow]) {
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
            i.due.written(),
            i.stage.label(),
            i.progress,
            i.closed_on
                .as_ref()
                .map(|c| format!("，{} 办结", c.written()))
                .unwrap_or_default(),
            i.grade
                .map(|g| format!("，评价{}", g.label()))
                .unwrap_or_default()
        )));
    }
}

/// 四、目标指标完成情况: each indicator's targets, latest accepted value, progress and light
/// with its reason, the red and yellow first.
fn targets(out: &mut Vec<Block>, indicators: &[crate::indicators::pages::Row]) {
    out.push(Block::H1("四、目标指标完成情况".into()));
    if indicators.is_empty() {
        out.push(Block::Para("所汇编的文件未设定量化目标指标。".into()));
        return;
    }
    let counts = crate::indicators::light_counts(indicators);
    out.push(Block::Para(format!(
        "文件设定的量化目标共汇成指标 {} 项：红灯 {} 项、黄灯 {} 项、绿灯 {} 项，无法判定（尚无实际值或缺少基期值）{} 项。进度按最近一次采纳的实际值与序时目标比较，见表2。",
        indicators.len(),
        counts[3],
        counts[2],
        counts[1],
        counts[0]
    )));
    out.push(Block::Para("表2　目标指标完成情况".into()));
    let mut t = Table::new(&[
        ("序号", 2),
        ("指标", 7),
        ("目标", 6),
        ("最新实际值", 5),
        ("完成进度", 3),
        ("预警", 2),
        ("说明", 9),
    ]);
    let mut sorted: Vec<&crate::indicators::pages::Row> = indicators.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.light_index));
    for (n, r) in sorted.iter().enumerate() {
        t.row(vec![
            (n + 1).to_string(),
            if r.scope.is_empty() {
                r.subject.clone()
            } else {
                format!("{}（{}）", r.subject, r.scope)
            },
            r.milestones.clone(),
            r.latest.clone(),
            r.progress.clone(),
            r.light_label.to_string(),
            r.reason.clone(),
        ]);
    }
    out.push(Block::Table(t));
}

fn notice(out: &mut Vec<Block>, scores: &[Score]) {
    out.push(Block::H1("五、报送情况通报".into()));
    let list = |pick: fn(&Score) -> i64| -> Vec<String> {
        scores
            .iter()
            .filter(|s| pick(s) > 0)
            .map(|s| format!("{}（{} 份）", s.unit_name, pick(s)))
            .collect()
    };
    let missing = list(|s| s.missing);
    let late = list(|s| s.late);
    out.push(Block::Para(if missing.is_empty() {
        "截至汇编时，没有逾期未报送的材料。".into()
    } else {
        format!("逾期未报送：{}。", missing.join("、"))
    }));
    if !late.is_empty() {
        out.push(Block::Para(format!("逾期报送：{}。", late.join("、"))));
    }
}

fn annex(out: &mut Vec<Block>, owed: &[Owed], today: Date) {
    let mut open: Vec<&Owed> = owed
        .iter()
        .filter(|o| matches!(o.standing, Standing::Open | Standing::Missing))
        .collect();
    open.sort_by(|a, b| {
        (b.standing == Standing::Missing)
            .cmp(&(a.standing == Standing::Missing))
            .then(a.ob.unit_name.cmp(&b.ob.unit_name))
    });
    out.push(Block::Annex {
        label: "附件".into(),
        title: "未报送材料清单".into(),
    });
    if open.is_empty() {
        out.push(Block::Para("本季度应报送的材料均已报送。".into()));
        return;
    }
    let missing = open
        .iter()
        .filter(|o| o.standing == Standing::Missing)
        .count();
    out.push(Block::Para(format!(
        "共 {} 份，其中逾期未报 {missing} 份、未到截止日期 {} 份。",
        open.len(),
        open.len() - missing
    )));
    let mut t = Table::new(&[
        ("序号", 2),
        ("单位", 7),
        ("任务", 10),
        ("类别", 2),
        ("截止日期", 4),
        ("状态", 4),
    ]);
    for (n, o) in open.iter().enumerate() {
        let state = match o.standing {
            Standing::Missing => format!("逾期 {} 天", today.days() - o.due.days()),
            _ => format!("待报送，还有 {} 天", o.due.days() - today.days()),
        };
        t.row(vec![
            (n + 1).to_string(),
            o.ob.unit_label(),
            format!(
                "{}{}（{}）",
                numbered(&o.ob.task_number),
                o.ob.task_title,
                o.ob.document_title
            ),
            match o.kind {
                ReportKind::Task => "牵头".into(),
                ReportKind::Contribution => "配合".into(),
            },
            o.due.written(),
            state,
        ]);
    }
    out.push(Block::Table(t));
}

/// A task number as a prefix: `1` → `1．`; `（三）` stays as written.
pub(crate) fn numbered(n: &str) -> String {
    if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
        format!("{n}．")
    } else {
        n.to_string()
    }
}
