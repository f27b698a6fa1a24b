//! Fixtures for tests and benchmarks, kept out of the production crates: the storage stories
//! (one sequence of operations every backend runs; both backends must end with identical dumps),
//! and the deadline-rush fixture shared by `luoshi bench rush` and the crash test.

pub mod chapters;
pub mod rush;
pub mod story;
pub mod story_work;

use luoshi_store::ledger::ImportInput;

/// Parses one of our own sample files into an import input (it must parse).
pub fn input(file_name: &str, bytes: &[u8]) -> ImportInput {
    ImportInput::parse(file_name, bytes).expect("sample parses")
}

/// A date written in a test (`2026-09-30`); panics on a typo.
pub fn day(s: &str) -> luoshi_domain::calendar::Date {
    luoshi_domain::calendar::Date::parse(s).unwrap_or_else(|| panic!("not a date: {s}"))
}

/// A period key written in a test (`2026-Q3`); panics on a typo.
pub fn period(s: &str) -> luoshi_domain::periods::PeriodKey {
    luoshi_domain::periods::PeriodKey::parse(s).unwrap_or_else(|| panic!("not a period: {s}"))
}
