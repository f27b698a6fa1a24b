//! Tasks: numbered duties and their responsibility clauses.
//!
//! A heading is a task when its text ends in a responsibility clause (wherever it stands, so the
//! safeguard measures of the 003 seed count), or when it is a leaf under a top-level heading about
//! tasks (主要任务, 重点任务), so the clause-less tasks of the 002 seed count too. A task's text runs
//! from its heading to the next heading or to the closing matter (signature, date, 附件, 抄送).

use crate::clause::{declares_lead_rule, expand, find_clause};
use crate::layout::{Block, Para, is_date_line};
use crate::model::{LeadRule, Task, Warning};
use crate::outline::Heading;

/// Paragraphs that close the body: after them no task text continues.
fn is_closing(p: &Para, next: Option<&Para>) -> bool {
    let t = p.text.trim();
    if is_date_line(t)
        || t.starts_with("附件")
        || t.starts_with("抄送")
        || t.starts_with("（此件")
        || t.ends_with("印发")
    {
        return true;
    }
    // A signature: a short organisation name directly followed by a date.
    next.is_some_and(|n| is_date_line(&n.text)) && t.chars().count() <= 40 && !t.contains('。')
}

fn is_task_section(title: &str) -> bool {
    ["任务", "重点工作", "主要工作", "工作措施", "重点举措"]
        .iter()
        .any(|w| title.contains(w))
}

/// Text of a heading's own extent (its paragraph and the body paragraphs after it).
fn extent_text(blocks: &[Block], start: usize, end: usize) -> String {
    let mut text = String::new();
    let mut i = start;
    while i < end {
        if let Block::Para(p) = &blocks[i] {
            let next = blocks[i + 1..end].iter().find_map(|b| {
                if let Block::Para(q) = b {
                    Some(q)
                } else {
                    None
                }
            });
            if i > start && is_closing(p, next) {
                break;
            }
            text.push_str(&p.text);
        }
        i += 1;
    }
    text
}

/// Finds the tasks under the given headings.
pub fn extract(
    blocks: &[Block],
    headings: &[Heading],
    warnings: &mut Vec<Warning>,
) -> (Vec<Task>, LeadRule) {
    let mut tasks = Vec::new();
    let mut declared = false;
    let mut explicit_leads = 0usize;
    let mut with_units = 0usize;
    for (hi, h) in headings.iter().enumerate() {
        if h.marker.level == 0 {
            continue;
        }
        let end = headings.get(hi + 1).map_or(blocks.len(), |n| n.block);
        let text = extent_text(blocks, h.block, end);
        let body = &text[h.marker.len..];
        let clause = find_clause(body);
        let mut ancestors = Vec::new();
        let mut p = h.parent;
        while let Some(pi) = p {
            ancestors.push(pi);
            p = headings[pi].parent;
        }
        ancestors.reverse();
        let in_task_section = ancestors
            .iter()
            .any(|&a| headings[a].marker.level == 1 && is_task_section(&headings[a].title));
        let is_task = clause.is_some() || (in_task_section && !h.has_children);
        if !is_task {
            // A stray lead-rule sentence outside clauses still declares the rule.
            declared |= body
                .split('。')
                .any(|s| declares_lead_rule(s) && s.chars().count() < 40);
            continue;
        }
        let (main, exp) = match &clause {
            Some(c) => (body[..c.start].trim_end(), Some(expand(&c.inner))),
            None => (body.trim_end(), None),
        };
        let (title, rest) = match main.find('。') {
            Some(i) => (main[..i].trim(), main[i + '。'.len_utf8()..].trim()),
            None => (main.trim(), ""),
        };
        let path = ancestors.iter().map(|&a| headings[a].label()).collect();
        let mut task = Task {
            path,
            number: h.marker.number(),
            title: title.to_string(),
            text: rest.to_string(),
            units_text: None,
            units: Vec::new(),
            open_ended: false,
            others: false,
            deadline: crate::deadline::in_text(body),
            line: h.line,
        };
        if let Some(exp) = exp {
            declared |= exp.declares_rule;
            if exp.units.is_empty() && !exp.others {
                warnings.push(Warning {
                    line: h.line,
                    message: format!(
                        "任务 {} 的责任单位无法识别：{}",
                        task.number, exp.units_text
                    ),
                });
            }
            if !exp.units.is_empty() {
                with_units += 1;
                if exp.explicit_lead {
                    explicit_leads += 1;
                }
            }
            task.units_text = Some(exp.units_text);
            task.units = exp.units;
            task.open_ended = exp.open_ended;
            task.others = exp.others;
        }
        tasks.push(task);
    }
    let with_clause = tasks.iter().filter(|t| t.units_text.is_some()).count();
    if with_clause > 0 {
        for t in tasks.iter().filter(|t| t.units_text.is_none()) {
            warnings.push(Warning {
                line: t.line,
                message: format!("任务 {} 没有责任单位", t.number),
            });
        }
    }
    let rule = if declared || (with_units > 0 && explicit_leads == with_units) {
        LeadRule::Declared
    } else {
        LeadRule::Assumed
    };
    (tasks, rule)
}
