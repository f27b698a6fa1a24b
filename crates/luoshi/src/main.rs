//! `luoshi`: the command line. Parses arguments and hands each command to its module; knows
//! nothing of 公文 itself.

#[cfg(feature = "bench")]
mod bench;
#[cfg(feature = "bench")]
mod bench_indicators;
#[cfg(feature = "bench")]
mod bench_ledger;
#[cfg(feature = "bench")]
mod bench_rush;
mod demo_cmd;
mod indicators_cmd;
mod ledger_cmd;
mod ops_cmd;
mod parse_cmd;
mod render;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use luoshi_domain::calendar::Date;

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
    /// Serve the ledger: Chinese web pages and the JSON API.
    Serve {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Mark cookies Secure (behind HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Behind a TLS gateway: take the client's address from the last X-Forwarded-For hop
        /// (login throttling and locks count per address).
        #[arg(long)]
        behind_proxy: bool,
        /// Serve HTTPS (TLS 1.2 and 1.3 only) with this PEM certificate chain; implies
        /// --secure-cookies (and so HSTS).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's PEM private key.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Pretend today is this date (YYYY-MM-DD), for rehearsals of deadlines.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// Requests one account may make a minute, across all processes: reads/writes/files
        /// (exports, compilations, downloads). Past them the account gets 429 until the minute ends.
        #[arg(long, default_value = "600/120/30", value_parser = parse_rate_limits)]
        rate_limits: luoshi_domain::limits::RateLimits,
    },
    /// Import documents into the ledger (each file in one transaction).
    Import {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The unit registry.
    Units {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[arg(long)]
        json: bool,
    },
    /// The indicators (指标): the documents' targets with their milestones, units and lights.
    Indicators {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[arg(long)]
        json: bool,
    },
    /// Indicator values (实际值): `figures import FILE.xlsx` loads a statistics sheet.
    Figures {
        #[command(subcommand)]
        what: FiguresCommand,
    },
    /// The task ledger, filtered.
    Tasks {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[command(flatten)]
        filter: ledger_cmd::TaskArgs,
        #[arg(long)]
        json: bool,
    },
    /// Export the 任务分工表.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// The audit log: `verify` recomputes its HMAC-SM3 seal chain (exit 1 when broken).
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Back up the SQLite database while it runs (a verified snapshot). PostgreSQL: use pg_dump.
    Backup {
        /// The SQLite database file.
        #[arg(long, default_value = "luoshi.db")]
        db: PathBuf,
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a verified backup (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The SQLite database file to replace.
        #[arg(long, default_value = "luoshi.db")]
        db: PathBuf,
    },
    /// The data encryption key file: rotate, re-encrypt.
    Key {
        #[command(subcommand)]
        what: KeyCommand,
    },
    /// Print the code an authenticator app shows now for a base32 secret (demo, rehearsals).
    Otp { secret: String },
    /// Build a demo ledger from the project's own sample documents and serve it.
    Demo {
        /// The demo database (recreated).
        #[arg(long, default_value = "luoshi-demo.db")]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Also import every file in this directory (e.g. ../shared/seeds).
        #[arg(long)]
        also: Vec<PathBuf>,
        /// Pretend today is this date (YYYY-MM-DD), e.g. a day after a reporting deadline.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Parse one file from stdin and print JSON (run by the server for each upload).
    #[command(hide = true)]
    ParseWorker,
    /// Benchmarks that report figures (see BENCHMARKS.md).
    #[cfg(feature = "bench")]
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Add a new data key (new writes use it; older keys still read).
    Rotate {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
    },
    /// Re-encrypt every stored file and narrative with the newest key.
    Rekey {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the seal chain over every audit record.
    Verify {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
    },
}

#[derive(Subcommand)]
enum FiguresCommand {
    /// Load a statistics sheet (.xlsx: 指标, 范围, 年份, 期别, 数值, 单位, 口径/来源) as the office
    /// would: all rows or none.
    Import {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        file: PathBuf,
        /// Print what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The task division table as .xlsx.
    Tasks {
        #[command(flatten)]
        db: ledger_cmd::DbArgs,
        #[command(flatten)]
        filter: ledger_cmd::TaskArgs,
        #[arg(long, required = true)]
        xlsx: PathBuf,
    },
}

/// Runs an async command on a fresh runtime.
fn block<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    f: F,
) -> anyhow::Result<ExitCode> {
    ledger_cmd::runtime()?.block_on(f)
}

fn main() -> ExitCode {
    install_panic_hook();
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse { json, files } => parse_cmd::parse(&files, json),
        Command::Diff { json, a, b } => parse_cmd::diff(&a, &b, json),
        Command::Extract { file } => parse_cmd::extract(&file),
        #[cfg(feature = "bench")]
        Command::Bench { what } => bench::run(what),
        Command::Serve {
            db,
            listen,
            secure_cookies,
            behind_proxy,
            tls_cert,
            tls_key,
            today,
            rate_limits,
        } => block(ledger_cmd::serve(
            &db,
            listen,
            ledger_cmd::Serving {
                secure_cookies,
                behind_proxy,
                today,
                rate_limits,
            },
            tls_cert.zip(tls_key),
        )),
        Command::Import { db, files } => block(ledger_cmd::import(&db, &files)),
        Command::Units { db, json } => block(ledger_cmd::units(&db, json)),
        Command::Indicators { db, json } => block(indicators_cmd::indicators(&db, json)),
        Command::Figures {
            what: FiguresCommand::Import { db, file, dry_run },
        } => block(indicators_cmd::figures_import(&db, &file, dry_run)),
        Command::Tasks { db, filter, json } => block(ledger_cmd::tasks(&db, &filter, json)),
        Command::Export {
            what: ExportCommand::Tasks { db, filter, xlsx },
        } => block(ledger_cmd::export_tasks(&db, &filter, &xlsx)),
        Command::Demo {
            db,
            listen,
            also,
            today,
        } => block(demo_cmd::demo(&db, listen, &also, today)),
        Command::Audit {
            what: AuditCommand::Verify { db },
        } => block(ops_cmd::audit_verify(&db)),
        Command::Backup { db, to } => block(ops_cmd::backup(&db, &to)),
        Command::Restore { from, db } => block(ops_cmd::restore(&from, &db)),
        Command::Otp { secret } => ops_cmd::otp(&secret),
        Command::Key {
            what: KeyCommand::Rotate { db },
        } => ops_cmd::key_rotate(&db),
        Command::Key {
            what: KeyCommand::Rekey { db },
        } => block(ops_cmd::key_rekey(&db)),
        Command::ParseWorker => ledger_cmd::parse_worker(),
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

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("日期格式应为 2026-09-30 (expected YYYY-MM-DD): {s}"))
}

fn parse_rate_limits(s: &str) -> Result<luoshi_domain::limits::RateLimits, String> {
    luoshi_domain::limits::RateLimits::parse(s).ok_or_else(|| {
        format!("请求上限格式应为 访问/提交/导出 每分钟次数，如 600/120/30 (expected READ/WRITE/EXPORT): {s}")
    })
}

/// Log lines go to stderr, filtered by `RUST_LOG` (default: `info` for Luoshi, `warn` for the
/// rest); every line of a request carries its request id (the web crate's span).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,luoshi=info,luoshi_web=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
