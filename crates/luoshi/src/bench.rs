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
    /// The ledger: import throughput and a unit's task list under concurrent load.
    Ledger(crate::bench_ledger::LedgerBench),
    /// The deadline rush: hundreds of officers filing their quarterly reports at once.
    Rush(crate::bench_rush::RushBench),
    /// Indicators: the list and an indicator's page over 5,000 indicators with ten years of
    /// quarterly values, and a 10,000-row statistics sheet previewed and imported.
    Indicators(crate::bench_indicators::IndicatorsBench),
    /// Write .docx and .pdf versions of the samples (seed inputs for the fuzzers).
    Fixtures {
        #[arg(long)]
        out: PathBuf,
    },
}

/// The project's own samples, for fuzz seeds.
const SAMPLES: &[&str] = &[
    include_str!("../../../test_data/ok/0001_notice_with_plan.txt"),
    include_str!("../../../test_data/ok/0002_clause_shapes.txt"),
    include_str!("../../../test_data/ok/0004_achievements_table.txt"),
];

const PLACES: &[&str] = &[
    "示范", "东湖", "西岭", "南港", "北川", "青山", "白沙", "红河",
];

const SENTENCES: &[&str] = &[
    "完善工作机制，压缩办理时限，提升服务水平。",
    "加快推进口岸基础设施建设，优化通关流程，降低企业综合成本。",
    "支持企业拓展东盟市场，鼓励发展跨境电商、海外仓等新业态新模式。",
    "建立健全部门协同机制，加强信息共享，形成工作合力。",
    "探索开展压力测试，及时总结可复制可推广的经验做法。",
    "强化要素保障，对重大项目在用地、资金、人才等方面给予倾斜支持。",
];

const CLAUSES: &[&str] = &[
    "（责任单位：市商务局、发展改革委、财政局，{p}海关，东区、西区、北区管委会）",
    "（牵头单位：市发展改革委；配合单位：市自然资源局、生态环境局，东区管委会）",
    "（市交通运输局牵头，市商务局、市场监管局配合）",
    "（市财政局、税务局牵头，各县（区）人民政府按职责分工负责）",
    "（责任单位：市数据局，市其他各有关单位，{p}产业园运营有限公司等）",
];

const CN: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// The i-th document of the corpus: shaped like the seeds (header, 版头, sections, numbered tasks
/// with every clause shape and page-break artefacts, targets, a reporting rule, 版记), 10–40 KB.
fn document(i: usize) -> String {
    let p = PLACES[i % PLACES.len()];
    let year = 2020 + i % 7;
    let mut s = format!(
        "{p}市人民政府文件\n\n{p}政发〔{year}〕{}号\n\n{p}市人民政府关于印发{p}市开放发展行动方案（第{i}号）的通知\n\n各县（区）人民政府，市直各部门：\n现将《行动方案》印发给你们，请认真贯彻执行。\n\n{year}年3月{}日\n\n（此件公开发布）\n\n一、工作目标\n\n到{}年，全市外贸进出口总额达{}亿元，引进外贸企业不少于{}家，重点园区年产值达{}万—{}万吨。\n\n二、主要任务\n\n",
        1 + i % 40,
        1 + i % 28,
        year + 3,
        100 + i % 900,
        50 + i % 500,
        10 + i % 20,
        40 + i % 20
    );
    let mut n = 1;
    let groups = 3 + i % 6;
    for g in 0..groups {
        s.push_str(&format!(
            "（{}）推进第{}方面重点工作。{}\n\n",
            CN[g],
            g + 1,
            SENTENCES[(i + g) % SENTENCES.len()]
        ));
        for k in 0..(4 + (i + g) % 9) {
            let body: String = (0..3 + (i + k) % 4)
                .map(|j| SENTENCES[(i + j + k) % SENTENCES.len()])
                .collect();
            let clause = CLAUSES[(i + n) % CLAUSES.len()].replace("{p}", p);
            if n % 5 == 0 {
                // A page break in the middle of a sentence, as in the print version of a seed.
                let cut = body.char_indices().nth(17).map_or(body.len(), |(b, _)| b);
                s.push_str(&format!(
                    "{n}. 实施第{n}项改革举措。{}\n\n\n{}{clause}\n\n",
                    &body[..cut],
                    &body[cut..]
                ));
            } else {
                s.push_str(&format!("{n}. 实施第{n}项改革举措。{body}{clause}\n\n"));
            }
            n += 1;
        }
    }
    s.push_str(&format!(
        "三、保障措施\n\n（一）加强组织领导。各责任单位每季度末月25日前向市商务局报送工作进展。\n\n（二）强化督查考核。{}\n\n{p}市人民政府\n\n{year}年3月{}日\n\n抄送：市委各部门，市人大常委会办公室，市政协办公室。\n\n{p}市人民政府办公室\n\n{year}年3月{}日印发\n",
        SENTENCES[i % SENTENCES.len()],
        1 + i % 28,
        2 + i % 27
    ));
    s
}

pub(crate) fn peak_rss_mib() -> f64 {
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
        std::fs::write(
            pdf_dir.join(format!("sample{i}.pdf")),
            luoshi_testgen::pdf(&luoshi_testgen::paginate(sample, 30, 20), Some("内部资料")),
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
        BenchCommand::Ledger(args) => {
            return crate::ledger_cmd::runtime()?.block_on(crate::bench_ledger::run(args));
        }
        BenchCommand::Rush(args) => {
            return crate::ledger_cmd::runtime()?.block_on(crate::bench_rush::run(args));
        }
        BenchCommand::Indicators(args) => {
            return crate::ledger_cmd::runtime()?.block_on(crate::bench_indicators::run(args));
        }
    }
    Ok(ExitCode::SUCCESS)
}
