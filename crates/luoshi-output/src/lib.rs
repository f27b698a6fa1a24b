//! The office's outputs, bytes in and bytes out: the 公文-layout .docx and the grid-set PDF of a
//! compiled document (a list of [`blocks::Block`]s), .xlsx workbooks of plain sheets, and the
//! ledger's 任务分工表. No I/O but reading the font files the caller names; no HTTP, no storage.
//! The web pages and the CLI call the same functions.

pub mod audit;
pub mod blocks;
pub mod docx;
pub mod indicators;
pub mod ledger;
pub mod pdf;
pub mod xlsx;
