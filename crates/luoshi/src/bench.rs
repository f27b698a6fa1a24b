//! `luoshi bench`: benchmarks that report figures (recorded in BENCHMARKS.md).
//!
//! `bench parse` generates a corpus of many distinct documents from the project's own samples
//! (numbers, units and places varied per document), writes it to a folder, parses every file on one
//! thread and reports MB/s, documents/s, per-document p50/p99 and peak RSS; then it times `grep`
//! over the same bytes for comparison.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use luoshi_doc::Limits;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Parser throughput over a generated corpus of many documents.
    Parse {
        /// Size of the corpus in MB.
        #[arg(long, default_value_t = 200)]
        mb: usize,
        /// Folder to write the corpus to (default: a folder under the system temp dir).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Write .docx and .pdf versions of the samples (seed inputs for the fuzzers).
    Fixtures {
        #[arg(long)]
        out: PathBuf,
    },
}

const SAMPLES: &[&str] = &[
    include_str!("../../../test_data/ok/0001_notice_with_plan.txt"),
    include_str!("../../../test_data/ok/0002_clause_shapes.txt"),
    include_str!("../../../test_data/ok/0004_achievements_table.txt"),
];

const PLACES: &[&str] = &[
    "示范", "东湖", "西岭", "南港", "北川", "青山", "白沙", "红河",
];

/// The i-th document of the corpus: a sample with its numbers and place names varied.
fn document(i: usize) -> String {
    let base = SAMPLES[i % SAMPLES.len()];
    let place = PLACES[(i / SAMPLES.len()) % PLACES.len()];
    let mut text = base.replace("示范", place);
    text = text
        .replace("2027", &format!("{}", 2026 + i % 9))
        .replace("1200亿元", &format!("{}亿元", 100 + i % 5000));
    // Repeat the task section so documents have realistic lengths (tens of KB).
    let tasks: String = (0..(4 + i % 12)).map(|k| format!("\n{}. 推进第{}项改革任务。完善工作机制，压缩办理时限，提升服务水平{}。（责任单位：市商务局、发展改革委，{}海关，东区、西区管委会）\n", 10 + k, k + 1, i, place)).collect();
    text.push_str(&tasks);
    text
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn parse_bench(mb: usize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            std::fs::remove_file(path)?;
        }
    }
    let target = mb * 1_000_000;
    let mut total = 0usize;
    let mut files = Vec::new();
    let mut i = 0;
    while total < target {
        let doc = document(i);
        total += doc.len();
        let path = dir.join(format!("{i:06}.txt"));
        std::fs::write(&path, &doc)?;
        files.push(path);
        i += 1;
    }
    println!(
        "corpus: {} documents, {:.1} MB in {}",
        files.len(),
        total as f64 / 1e6,
        dir.display()
    );
    let limits = Limits::default();
    let contents: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let mut per_doc = Vec::with_capacity(contents.len());
    let mut tasks = 0usize;
    let start = Instant::now();
    for bytes in &contents {
        let t = Instant::now();
        let doc = luoshi_doc::parse(bytes, &limits).map_err(|e| anyhow::anyhow!("{e}"))?;
        tasks += doc.tasks.len();
        per_doc.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    per_doc.sort_by(f64::total_cmp);
    println!(
        "parse (1 thread): {:.1} MB/s, {:.0} documents/s, {} tasks, per document p50 {:.3} ms p99 {:.3} ms, peak RSS {:.0} MiB",
        total as f64 / 1e6 / elapsed,
        contents.len() as f64 / elapsed,
        tasks,
        percentile(&per_doc, 0.5),
        percentile(&per_doc, 0.99),
        peak_rss_mib()
    );
    let grep_start = Instant::now();
    let status = std::process::Command::new("grep")
        .args(["-r", "-c", "责任单位"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(_) => {
            let g = grep_start.elapsed().as_secs_f64();
            println!(
                "grep -r -c 责任单位 over the same files: {:.1} MB/s ({:.2} s)",
                total as f64 / 1e6 / g,
                g
            );
        }
        Err(e) => println!("grep not run: {e}"),
    }
    Ok(())
}

fn fixtures(out: &Path) -> Result<()> {
    for (i, sample) in SAMPLES.iter().enumerate() {
        let docx_dir = out.join("docx");
        let pdf_dir = out.join("pdf");
        std::fs::create_dir_all(&docx_dir)?;
        std::fs::create_dir_all(&pdf_dir)?;
        std::fs::write(
            docx_dir.join(format!("sample{i}.docx")),
            luoshi_testgen::docx_from_text(sample),
        )?;
        let plain: String = sample
            .replace("**", "")
            .lines()
            .map(|l| l.trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(
            pdf_dir.join(format!("sample{i}.pdf")),
            luoshi_testgen::pdf(&luoshi_testgen::paginate(&plain, 30, 20), Some("内部资料")),
        )?;
    }
    Ok(())
}

pub fn run(what: BenchCommand) -> Result<ExitCode> {
    match what {
        BenchCommand::Parse { mb, dir } => parse_bench(
            mb,
            &dir.unwrap_or_else(|| std::env::temp_dir().join("luoshi-bench-corpus")),
        )?,
        BenchCommand::Fixtures { out } => fixtures(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
