//! `luoshi`: the command line. Parses arguments and hands each command to its module; knows
//! nothing of 公文 itself.

mod bench;
mod parse_cmd;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "luoshi",
    version,
    about = "落实：公文任务分解与督查督办 (policy-implementation supervision)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read 公文 files and print what they say: metadata, outline, tasks and units, targets, rules.
    Parse {
        /// One JSON object per file, per shared/spec/parse-output.md.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Tell whether two files are versions of one document, and their wording changes.
    Diff {
        #[arg(long)]
        json: bool,
        a: PathBuf,
        b: PathBuf,
    },
    /// Print the text layer read from a file (the lines that `parse` reports refer to).
    Extract { file: PathBuf },
    /// Benchmarks that report figures (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse { json, files } => parse_cmd::parse(&files, json),
        Command::Diff { json, a, b } => parse_cmd::diff(&a, &b, json),
        Command::Extract { file } => parse_cmd::extract(&file),
        Command::Bench { what } => bench::run(what),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("luoshi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Readers of hostile PDFs panic; the parser catches those and reports a clear error, so the
/// default hook's message would only alarm the user. Every other panic is printed as usual.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !luoshi_doc::in_guarded_reader() {
            default(info);
        }
    }));
}
