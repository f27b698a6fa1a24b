//! The 公文 parser: bytes in, a document plus diagnostics out.
//!
//! No I/O, no clock, no async: callers hand in bytes and limits and get a [`Document`] (with
//! [`Warning`]s pointing at lines for whatever had to be guessed) or an [`InputError`] when nothing
//! can be read. The stages, each its own module:
//!
//! 1. `input`: recognise the format by content and extract a text layer (`docx`, `html`, `pdf`,
//!    `xlsx`, or decoded text);
//! 2. `layout`: clean lines (`normalize`) and mend them into paragraphs and table rows;
//! 3. `outline`, `meta`, `tasks` (with `clause`), `targets`, `rules`, `roster`, `achievements`:
//!    read the 公文's structure and facts;
//! 4. `diff`: compare two versions of one document.
//!
//! Besides, `statistics` reads a statistics sheet (统计报表, .xlsx) into rows for the indicators.

mod achievements;
mod archive;
pub mod clause;
pub mod deadline;
mod diff;
mod docx;
mod error;
mod html;
mod input;
pub mod layout;
mod limits;
mod meta;
mod model;
pub mod normalize;
pub mod outline;
pub mod package;
mod pdf;
mod roster;
mod rules;
pub mod statistics;
mod targets;
mod task_table;
mod tasks;
mod xlsx;
mod xml;

pub use diff::{Change, DiffReport, Span, char_spans, diff, touches, touches_key};
pub use error::InputError;
pub use input::{Extracted, extract};
pub use limits::Limits;
pub use model::{
    Achievement, Comparator, Deadline, Direction, Document, Format, LeadRule, Measure, Meta,
    OutlineNode, Period, ReportingRule, Role, RosterEntry, RuleKind, Target, Task, UnitRef,
    Warning,
};
pub use pdf::in_guarded_reader;

/// Parses one file's bytes.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, InputError> {
    let extracted = extract(bytes, limits)?;
    Ok(parse_extracted(&extracted))
}

/// Reads the 公文 structure from an extracted text layer.
pub fn parse_extracted(ex: &Extracted) -> Document {
    let mut lines = layout::split_lines(&ex.text);
    let blocks = layout::blocks(&mut lines);
    let mut warnings = ex.warnings.clone();
    let meta = meta::extract(&blocks);
    let headings = outline::headings(&blocks, &mut warnings);
    let outline = outline::tree(&headings);
    let (mut tasks, lead_rule) = tasks::extract(&blocks, &headings, &mut warnings);
    // A 任务分工表 given as a table: its rows are the tasks when the text numbers none.
    if tasks.is_empty() {
        tasks = task_table::extract(&blocks, &mut warnings);
    }
    let targets = layout::paras(&blocks).flat_map(targets::extract).collect();
    let reporting_rules = layout::paras(&blocks).flat_map(rules::extract).collect();
    let roster = roster::extract(&lines);
    let batch_source = meta.title.clone().or_else(|| {
        layout::paras(&blocks)
            .take(5)
            .find(|p| p.text.contains('批'))
            .map(|p| p.text.clone())
    });
    let achievements = achievements::extract(&blocks, batch_source.as_deref());
    warnings.sort_by_key(|w| w.line);
    Document {
        format: ex.format,
        encoding: ex.encoding.clone(),
        meta,
        outline,
        lead_rule,
        tasks,
        targets,
        reporting_rules,
        roster,
        achievements,
        warnings,
    }
}
