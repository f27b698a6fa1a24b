//! `luoshi bench`: benchmarks that report figures.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Parser throughput (MB/s) over a generated corpus of many documents.
    Parse,
}

pub fn run(_what: BenchCommand) -> Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
