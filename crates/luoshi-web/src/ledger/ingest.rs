//! Turning an upload into a preview: parsing (in a child process in production, so a hostile file
//! can neither hang nor bloat the server), planning against the ledger, and resolving every
//! written unit name for display.

use std::path::PathBuf;
use std::time::Duration;

use luoshi_doc::{Document, Extracted, Limits};
use luoshi_store::ledger::{
    ImportInput, ImportPlan, PlanTarget, TaskMatch, WorkerOutput, worker_output,
};
use luoshi_store::{Store, StoreResult};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::kit::error::AppError;

/// How uploads are parsed.
#[derive(Debug, Clone)]
pub enum ParseMode {
    /// On a blocking thread of this process (tests, the CLI).
    InProcess,
    /// In a child process running `<exe> parse-worker`, killed after the deadline.
    Subprocess(PathBuf),
}

/// Seconds a parse may take.
const DEADLINE: Duration = Duration::from_secs(30);

fn unreadable(message: String) -> AppError {
    tracing::warn!("upload not parsed: {message}");
    AppError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable",
        "文件无法解析（可能已损坏、过大或过于复杂），请检查后重新上传",
    )
}

/// Parses an upload within the deadline.
pub async fn parse_upload(
    mode: &ParseMode,
    bytes: Vec<u8>,
) -> Result<(Extracted, Document), AppError> {
    let out = match mode {
        ParseMode::InProcess => {
            let job = tokio::task::spawn_blocking(move || {
                std::panic::catch_unwind(|| worker_output(&bytes, &Limits::default()))
            });
            match tokio::time::timeout(DEADLINE, job).await {
                Ok(Ok(Ok(out))) => out,
                Ok(_) => return Err(unreadable("parser crashed".into())),
                Err(_) => return Err(unreadable("parse deadline passed".into())),
            }
        }
        ParseMode::Subprocess(exe) => run_worker(exe, bytes).await?,
    };
    match out {
        WorkerOutput::Ok {
            extracted,
            document,
        } => Ok((*extracted, *document)),
        WorkerOutput::Error {
            code,
            message_zh,
            message,
        } => {
            tracing::warn!("upload refused ({code}): {message}");
            Err(AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "bad_input",
                message_zh,
            ))
        }
    }
}

async fn run_worker(exe: &PathBuf, bytes: Vec<u8>) -> Result<WorkerOutput, AppError> {
    let mut child = tokio::process::Command::new(exe)
        .arg("parse-worker")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| unreadable(format!("cannot start parse worker: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped");
    let work = async move {
        let writer = async move {
            stdin.write_all(&bytes).await?;
            stdin.shutdown().await
        };
        let mut buf = Vec::new();
        let reader = stdout.read_to_end(&mut buf);
        let (w, r) = tokio::join!(writer, reader);
        w.and(r.map(|_| ()))?;
        Ok::<Vec<u8>, std::io::Error>(buf)
    };
    let out = match tokio::time::timeout(DEADLINE, work).await {
        Ok(Ok(buf)) => buf,
        Ok(Err(e)) => return Err(unreadable(format!("parse worker I/O: {e}"))),
        Err(_) => {
            let _ = child.kill().await;
            return Err(unreadable("parse worker deadline passed; killed".into()));
        }
    };
    let _ = child.wait().await;
    serde_json::from_slice(&out).map_err(|e| unreadable(format!("parse worker output: {e}")))
}

/// One unit of a previewed task.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewUnit {
    pub written: String,
    /// The registry name it resolves to; `None` when the import will register it as new.
    pub resolved: Option<String>,
    pub lead: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreviewTask {
    pub number: String,
    pub title: String,
    pub units_text: Option<String>,
    pub units: Vec<PreviewUnit>,
    /// For a new version: whether it continues a stored task.
    pub continues: Option<bool>,
    /// The stored task it continues was corrected by the office: what the import keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// The task's text, for telling which tasks a wording change touches (not in the JSON).
    #[serde(skip)]
    pub text: String,
}

/// What the user confirms.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub token: String,
    pub file_name: String,
    pub sha256: String,
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    /// "already_stored", "new_document" or "new_version".
    pub kind: &'static str,
    pub document_id: Option<i64>,
    pub version_no: Option<i64>,
    pub similarity: Option<f64>,
    pub changes: Vec<luoshi_doc::Change>,
    pub retired: usize,
    pub tasks: Vec<PreviewTask>,
    pub targets: Vec<String>,
    pub warnings: Vec<String>,
    /// For a new document: the day its reporting will start unless the office picks another.
    pub reporting_from: Option<luoshi_domain::calendar::Date>,
}

/// Describes a plan for the user.
pub async fn preview(store: &dyn Store, token: &str, plan: &ImportPlan) -> StoreResult<Preview> {
    let doc = &plan.input.document;
    let mut tasks = Vec::new();
    let (kind, document_id, version_no, similarity, changes, retired, matches) = match &plan.target
    {
        PlanTarget::AlreadyStored { document_id, .. } => (
            "already_stored",
            Some(*document_id),
            None,
            None,
            vec![],
            0,
            None,
        ),
        PlanTarget::NewDocument => ("new_document", None, Some(1), None, vec![], 0, None),
        PlanTarget::NewVersion {
            document_id,
            version_no,
            diff,
            matches,
            retired,
            ..
        } => (
            "new_version",
            Some(*document_id),
            Some(*version_no),
            Some(diff.similarity),
            diff.changes.clone(),
            retired.len(),
            Some(matches),
        ),
    };
    // Each written name is looked up once, however many tasks name it.
    let mut names: std::collections::HashMap<&str, Option<String>> = Default::default();
    for (i, t) in doc.tasks.iter().enumerate() {
        let mut units = Vec::new();
        for u in &t.units {
            let resolved = match names.get(u.name.as_str()) {
                Some(r) => r.clone(),
                None => {
                    let r = store.unit_by_name(&u.name).await?.map(|x| x.name);
                    names.insert(&u.name, r.clone());
                    r
                }
            };
            units.push(PreviewUnit {
                written: u.name.clone(),
                resolved,
                lead: u.role == luoshi_doc::Role::Lead,
            });
        }
        let kept = match matches.and_then(|m| m.get(i)) {
            Some(TaskMatch::Continues(id)) => store
                .task(*id)
                .await?
                .filter(|d| d.corrected_at.is_some())
                .map(|d| {
                    format!(
                        "办公室已更正此任务，导入后保留更正的标题“{}”和责任单位（{}）",
                        d.row.title,
                        d.row
                            .lead
                            .iter()
                            .chain(&d.row.support)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("、")
                    )
                }),
            _ => None,
        };
        tasks.push(PreviewTask {
            kept,
            number: t.number.clone(),
            title: t.title.clone(),
            units_text: t.units_text.clone(),
            units,
            continues: matches.map(|m| matches!(m.get(i), Some(TaskMatch::Continues(_)))),
            text: t.text.clone(),
        });
    }
    let targets = doc
        .targets
        .iter()
        .map(|t| {
            let cmp = match t.comparator {
                luoshi_doc::Comparator::AtLeast => "≥",
                luoshi_doc::Comparator::AtMost => "≤",
                luoshi_doc::Comparator::Equal => "=",
                luoshi_doc::Comparator::Range => "区间",
            };
            let value = match t.value_max {
                Some(max) => format!("{}–{}{}", t.value, max, t.unit),
                None => format!("{}{}", t.value, t.unit),
            };
            let year = t.year.map(|y| format!("{y}年 ")).unwrap_or_default();
            format!("{year}{} {cmp} {value}", t.subject)
        })
        .collect();
    Ok(Preview {
        token: token.to_string(),
        file_name: plan.input.file_name.clone(),
        sha256: plan.sha256.clone(),
        title: doc.meta.title.clone(),
        doc_number: doc.meta.doc_number.clone(),
        issuer: doc.meta.issuer.clone(),
        kind,
        document_id,
        version_no,
        similarity,
        changes,
        retired,
        tasks,
        targets,
        warnings: doc
            .warnings
            .iter()
            .map(|w| format!("第{}行：{}", w.line, w.message))
            .collect(),
        reporting_from: None,
    })
}

/// Parses and plans in one step.
pub async fn plan(
    store: &dyn Store,
    file_name: String,
    bytes: Vec<u8>,
    extracted: Extracted,
    document: Document,
) -> StoreResult<ImportPlan> {
    luoshi_store::ledger::plan_import(
        store,
        ImportInput {
            file_name,
            bytes,
            extracted,
            document,
        },
    )
    .await
}
