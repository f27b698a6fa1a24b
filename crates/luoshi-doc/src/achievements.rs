//! 制度创新成果 tables: rows of achievements to be replicated, by batch and category.
//!
//! The table is found by its header (成果名称 …), columns are matched by their header text, so their
//! order may vary; category rows (一、改革试点经验（16项）) set the category of the rows under them;
//! the batch comes from the title (第七批). Unit lists in the cells expand with the clause rules.

use crate::clause::expand_names;
use crate::layout::Block;
use crate::model::Achievement;
use crate::outline::{cn_number, detect_marker};

#[derive(Default)]
struct Columns {
    number: Option<usize>,
    name: Option<usize>,
    content: Option<usize>,
    scope: Option<usize>,
    lead: Option<usize>,
    replication: Option<usize>,
}

fn columns(header: &[String]) -> Option<Columns> {
    let mut c = Columns::default();
    for (i, h) in header.iter().enumerate() {
        let h = h.replace([' ', '\n'], "");
        if h == "序号" || h == "编号" {
            c.number = Some(i);
        } else if h.contains("名称") {
            c.name = Some(i);
        } else if h.contains("内容") {
            c.content = Some(i);
        } else if h.contains("范围") {
            c.scope = Some(i);
        } else if h.contains("复制推广") || (h.contains("责任单位") && c.lead.is_some()) {
            c.replication = Some(i);
        } else if h.contains("牵头") || h.contains("改革部门") || h.contains("责任单位") {
            c.lead = Some(i);
        }
    }
    (c.name.is_some() && c.number.is_some()).then_some(c)
}

/// Batch number from a title such as "第七批" or "第7批".
pub fn batch(title: &str) -> Option<u32> {
    let start = title.find('第')? + '第'.len_utf8();
    let end = title[start..].find('批')? + start;
    let n = &title[start..end];
    if n.chars().all(|c| c.is_ascii_digit()) {
        n.parse().ok()
    } else {
        cn_number(n)
    }
}

/// A category row: "一、改革试点经验（16项）" → "改革试点经验".
fn category(text: &str) -> Option<String> {
    let m = detect_marker(text)?;
    let rest = text[m.len..].trim();
    let name = rest.split(['（', '(']).next()?.trim();
    (!name.is_empty() && name.chars().count() <= 20).then(|| name.to_string())
}

/// Reads achievement rows from the blocks; `title` gives the batch.
pub fn extract(blocks: &[Block], title: Option<&str>) -> Vec<Achievement> {
    let mut out = Vec::new();
    let mut cols: Option<Columns> = None;
    let mut cat: Option<String> = None;
    let batch = title.and_then(batch);
    for block in blocks {
        match block {
            Block::Para(p) => {
                if cols.is_some()
                    && let Some(c) = category(&p.text)
                {
                    cat = Some(c);
                }
            }
            Block::Row(row) => {
                if let Some(c) = columns(&row.cells) {
                    cols = Some(c);
                    continue;
                }
                let Some(c) = &cols else { continue };
                let live: Vec<&String> =
                    row.cells.iter().filter(|c| !c.trim().is_empty()).collect();
                if live.len() == 1
                    && let Some(name) = category(live[0])
                {
                    cat = Some(name);
                    continue;
                }
                let cell = |i: Option<usize>| {
                    i.and_then(|i| row.cells.get(i))
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default()
                };
                let Ok(number) = cell(c.number).parse::<u32>() else {
                    continue;
                };
                let scope = cell(c.scope);
                out.push(Achievement {
                    batch,
                    category: cat.clone(),
                    number,
                    name: cell(c.name),
                    content: cell(c.content),
                    scope: (!scope.is_empty()
                        && !scope.chars().all(|ch| matches!(ch, '—' | '-' | '/')))
                    .then_some(scope),
                    lead_units: expand_names(&cell(c.lead)),
                    replication_units: expand_names(&cell(c.replication)),
                });
            }
        }
    }
    out
}
