//! The ledger commands: `serve`, `import`, `units`, `tasks`, `export`, and the hidden
//! `parse-worker` the server runs for each upload.

use luoshi_output::pdf::FontSpec;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use luoshi_domain::calendar::Date;
use luoshi_domain::registry::{AREAS, area_of};
use luoshi_store::ledger::{ImportInput, ImportOutcome, TaskFilter, plan_import};
use luoshi_store::{Actor, Page, Store};
use luoshi_store_sql::SqlStore;
use luoshi_web::{AppState, Config, ParseMode};

/// Where the ledger lives.
#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// SQLite database file (the default deployment).
    #[arg(long, default_value = "luoshi.db", conflicts_with = "database_url")]
    pub db: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db) for deployments that outgrow one machine.
    #[arg(long, env = "LUOSHI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The audit log's sealing key, a file outside the database (created, readable by its owner
    /// only, when missing). Default: luoshi-audit.key beside the SQLite file, or in the working
    /// directory with PostgreSQL. Every process of a deployment must use the same file.
    #[arg(long, env = "LUOSHI_AUDIT_KEY_FILE")]
    pub audit_key: Option<PathBuf>,
    /// The data key file (SM4-GCM for stored files and report narratives), outside the database
    /// (created, owner-only, when missing). Default: luoshi-data.key beside the audit key's
    /// default place. Every process of a deployment must use the same file.
    #[arg(long, env = "LUOSHI_DATA_KEY_FILE")]
    pub data_key: Option<PathBuf>,
}

impl DbArgs {
    /// The directory beside the database (the working directory with PostgreSQL).
    fn beside(&self) -> PathBuf {
        match &self.database_url {
            Some(_) => PathBuf::from("."),
            None => self
                .db
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
        }
    }

    pub async fn open(&self) -> Result<Arc<dyn Store>> {
        Ok(Arc::new(self.open_sql().await?))
    }

    /// The data key file's path.
    pub fn data_key_path(&self) -> PathBuf {
        self.data_key
            .clone()
            .unwrap_or_else(|| self.beside().join("luoshi-data.key"))
    }

    /// Loads both key files and opens the database.
    pub async fn open_sql(&self) -> Result<SqlStore> {
        let key = self
            .audit_key
            .clone()
            .unwrap_or_else(|| self.beside().join("luoshi-audit.key"));
        crate::ops_cmd::load_audit_key(&key)?;
        crate::ops_cmd::load_data_key(&self.data_key_path())?;
        match &self.database_url {
            Some(url) => SqlStore::connect(url, 16).await,
            None => SqlStore::open_sqlite(&self.db).await,
        }
        .map_err(|e| anyhow!("{e}"))
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `luoshi serve`.
/// How `luoshi serve` serves, from its flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Serving {
    /// Cookies marked Secure (`__Host-`).
    pub secure_cookies: bool,
    /// A TLS gateway forwards the client's address.
    pub behind_proxy: bool,
    pub today: Option<Date>,
    pub rate_limits: luoshi_domain::limits::RateLimits,
}

pub async fn serve(
    db: &DbArgs,
    listen: SocketAddr,
    serving: Serving,
    tls: Option<(PathBuf, PathBuf)>,
) -> Result<ExitCode> {
    // Load the certificate before anything else, so a bad one fails the start with its reason.
    let tls = tls
        .map(|(cert, key)| crate::ops_cmd::tls_config(&cert, &key))
        .transpose()?;
    let store = db.open().await?;
    if let Some(accounts) =
        luoshi_store::accounts::credentials::bootstrap_admin(&*store, true).await?
    {
        let path = crate::ops_cmd::write_initial_password(&db.beside(), &accounts)?;
        let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
        println!(
            "首次启动：已创建办公室管理员和三员账户（{}），初始密码已写入 {}（仅文件所有者可读；各账户首次登录须修改密码并绑定动态口令，之后请删除该文件）",
            names.join("、"),
            path.display()
        );
    }
    // The audit log's seal is checked at every start; a broken chain is said loudly.
    let check = store.verify_chain().await?;
    if check.broken_at.is_some() {
        eprintln!("luoshi: {}", check.words());
        tracing::error!(broken_at = ?check.broken_at, "audit chain broken");
    } else {
        println!("{}", check.words());
    }
    let serving = Serving {
        secure_cookies: serving.secure_cookies || tls.is_some(),
        ..serving
    };
    run_server(store, listen, serving, tls).await
}

pub(crate) async fn run_server(
    store: Arc<dyn Store>,
    listen: SocketAddr,
    serving: Serving,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
) -> Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find own executable for parse workers")?;
    let config = Config {
        secure_cookies: serving.secure_cookies,
        behind_proxy: serving.behind_proxy,
        rate_limits: serving.rate_limits,
        parse_mode: ParseMode::Subprocess(exe),
        today: serving.today,
        jobs: true,
        fonts: pdf_fonts(),
        ..Config::default()
    };
    let state = AppState {
        store,
        config: Arc::new(config),
        memo: Default::default(),
    };
    // Reminders and e-mail/webhook deliveries, claimed through the database.
    luoshi_web::jobs::spawn(state.clone(), std::time::Duration::from_secs(30));
    let app = luoshi_web::app(state);
    if let Some(tls) = tls {
        let handle = axum_server::Handle::new();
        let server = axum_server::bind_rustls(listen, tls)
            .handle(handle.clone())
            .serve(app.into_make_service_with_connect_info::<SocketAddr>());
        let server = tokio::spawn(server);
        let addr = handle
            .listening()
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        println!("落实已启动：https://{addr}/");
        tokio::select! {
            r = server => r??,
            _ = tokio::signal::ctrl_c() => handle.graceful_shutdown(None),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("落实已启动：http://{addr}/");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Parses one file for import on a blocking thread, within a deadline (bounded by the parser's
/// limits).
async fn read_for_import(path: &Path) -> Result<ImportInput> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    let limits = luoshi_doc::Limits::default();
    if meta.len() > limits.max_file_bytes {
        bail!("{}：文件过大（file too large)", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let job = tokio::task::spawn_blocking(move || ImportInput::parse(&name, &bytes));
    match tokio::time::timeout(std::time::Duration::from_secs(60), job).await {
        Ok(Ok(Ok(input))) => Ok(input),
        Ok(Ok(Err(e))) => bail!("{}：{}（{e}）", path.display(), e.message_zh()),
        Ok(Err(_)) => bail!("{}：文件无法解析（parser crashed）", path.display()),
        Err(_) => bail!("{}：文件解析超时（parse deadline passed）", path.display()),
    }
}

pub(crate) fn describe(outcome: &ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Unchanged { document_id, .. } => {
            format!("已导入过，无变化（文件 {document_id}）")
        }
        ImportOutcome::NewDocument {
            document_id,
            tasks,
            new_units,
            ..
        } => format!("新文件 {document_id}：任务 {tasks} 项，新登记单位 {new_units} 个"),
        ImportOutcome::NewVersion {
            document_id,
            version_no,
            matched,
            added,
            retired,
            changes,
            ..
        } => format!(
            "文件 {document_id} 的第 {version_no} 版：文字变化 {changes} 处；延续任务 {matched} 项，新增 {added} 项，停用 {retired} 项"
        ),
    }
}

/// Imports files, each in its own transaction; a file that fails leaves the ledger unchanged.
/// A new document's reporting starts at its date or in the round of `today`
/// (`default_reporting_from`).
pub async fn import_files(
    store: &dyn Store,
    files: &[PathBuf],
    quiet: bool,
    today: Date,
) -> Result<usize> {
    let actor = Actor::system("命令行导入");
    store.seed_registry(&actor).await?;
    let mut failed = 0;
    for f in files {
        let result = async {
            let input = read_for_import(f).await?;
            let plan = plan_import(store, input).await?.with_default_start(today);
            Ok::<_, anyhow::Error>(store.apply_import(&actor, &plan).await?)
        }
        .await;
        match result {
            Ok(outcome) if !quiet => println!("{}：{}", f.display(), describe(&outcome)),
            Ok(_) => {}
            Err(e) => {
                failed += 1;
                eprintln!("luoshi: {e:#}");
            }
        }
    }
    Ok(failed)
}

pub async fn import(db: &DbArgs, files: &[PathBuf]) -> Result<ExitCode> {
    let store = db.open().await?;
    let failed = import_files(&*store, files, false, luoshi_store::today_in_china()).await?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn units(db: &DbArgs, json: bool) -> Result<ExitCode> {
    let store = db.open().await?;
    let mut out = Vec::new();
    for u in store.units().await? {
        let detail = store.unit(u.unit.id).await?;
        let aliases = detail.map(|d| d.aliases).unwrap_or_default();
        out.push((u, aliases));
    }
    if json {
        let v: Vec<serde_json::Value> = out
            .iter()
            .map(|(u, aliases)| {
                let mut v = serde_json::to_value(u).expect("serialisable");
                v["aliases"] = serde_json::json!(aliases);
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for (u, aliases) in out {
            println!(
                "{}\t{}\t牵头 {}\t配合 {}\t别名：{}",
                u.unit.name,
                u.unit.kind.label(),
                u.lead_tasks,
                u.support_tasks,
                aliases.join("、")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Which tasks to list or export.
#[derive(Args, Debug, Clone, Default)]
pub struct TaskArgs {
    /// A unit by any of its names; includes the tasks of the units it succeeded.
    #[arg(long)]
    pub unit: Option<String>,
    /// With --unit: only tasks it leads.
    #[arg(long)]
    pub lead: bool,
    /// An area: 南宁, 钦州港, 崇左 (or its committee's name).
    #[arg(long)]
    pub area: Option<String>,
}

/// The area code for a user-given area name.
fn area_code(name: &str) -> Result<String> {
    let n = name.trim().trim_end_matches("片区");
    AREAS
        .iter()
        .find(|a| a.code == n || a.name == n)
        .or_else(|| area_of(name))
        .map(|a| a.code.to_string())
        .ok_or_else(|| anyhow!("未知片区“{name}”（南宁、钦州港、崇左）"))
}

pub async fn task_filter(store: &dyn Store, args: &TaskArgs) -> Result<TaskFilter> {
    let units = match &args.unit {
        None => None,
        Some(name) => {
            let unit = store
                .unit_by_name(name)
                .await?
                .ok_or_else(|| anyhow!("单位名录中没有“{name}”（unknown unit)"))?;
            Some(store.unit_family(unit.id).await?)
        }
    };
    Ok(TaskFilter {
        units,
        lead_only: args.lead,
        area: args.area.as_deref().map(area_code).transpose()?,
        ..TaskFilter::all()
    })
}

pub async fn tasks(db: &DbArgs, args: &TaskArgs, json: bool) -> Result<ExitCode> {
    let store = db.open().await?;
    let filter = task_filter(&*store, args).await?;
    let rows = store.tasks(&filter, Page::all()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows.items)?);
    } else {
        for t in &rows.items {
            println!(
                "{} {}\t★{}\t{}\t《{}》",
                t.number,
                t.title,
                t.lead.join("、"),
                t.support.join("、"),
                t.document_title
            );
        }
        println!("共 {} 项", rows.total);
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export_tasks(db: &DbArgs, args: &TaskArgs, file: &Path) -> Result<ExitCode> {
    let store = db.open().await?;
    let filter = task_filter(&*store, args).await?;
    let rows = store.tasks(&filter, Page::all()).await?;
    let bytes = luoshi_output::ledger::tasks_xlsx(&rows.items)?;
    std::fs::write(file, bytes).with_context(|| format!("{}", file.display()))?;
    println!("已导出 {} 项任务到 {}", rows.total, file.display());
    Ok(ExitCode::SUCCESS)
}

/// `luoshi parse-worker`: reads one file on stdin, prints the parse as JSON. Run by the server in a
/// child process so that a hostile file cannot hang or bloat the server.
pub fn parse_worker() -> Result<ExitCode> {
    let limits = luoshi_doc::Limits::default();
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)?;
    let out = if bytes.len() as u64 > limits.max_file_bytes {
        luoshi_store::ledger::WorkerOutput::Error {
            code: "too_large".into(),
            message_zh: "文件过大".into(),
            message: "input exceeds the size limit".into(),
        }
    } else {
        luoshi_store::ledger::worker_output(&bytes, &limits)
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// The PDF compilation's fonts: Debian's Noto CJK, unless `LUOSHI_FONT_BODY`, `LUOSHI_FONT_TITLE`
/// or `LUOSHI_FONT_HEADING` name an office's licensed font files (`path` or `path:index`).
pub fn pdf_fonts() -> [FontSpec; 3] {
    let mut fonts = FontSpec::noto_defaults();
    for (slot, var) in [
        "LUOSHI_FONT_BODY",
        "LUOSHI_FONT_TITLE",
        "LUOSHI_FONT_HEADING",
    ]
    .iter()
    .enumerate()
    {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
            fonts[slot] = FontSpec::parse(&v);
        }
    }
    fonts
}
