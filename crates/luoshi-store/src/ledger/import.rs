//! Import planning: decides, before anything is written, whether an incoming file is already
//! stored, a new version of a stored document (and which of its tasks continue which stored task),
//! or a new document. The plan is then written by [`super::LedgerStore::apply_import`] in one transaction.

use luoshi_doc::{DiffReport, Document, Extracted, InputError, Limits, diff};
use luoshi_domain::ledger::{TaskWording, match_tasks};
use sha2::{Digest, Sha256};

use crate::{Id, Store, StoreResult};

/// Hex SHA-256 of a file's bytes: the address its original is kept under.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A parsed file, ready to plan.
#[derive(Debug, Clone)]
pub struct ImportInput {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub extracted: Extracted,
    pub document: Document,
}

impl ImportInput {
    /// Reads and parses a file in this thread (the CLI and the demo; the server parses uploads
    /// in a child process and builds the input from its answer).
    pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportInput, luoshi_doc::InputError> {
        let extracted = luoshi_doc::extract(bytes, &luoshi_doc::Limits::default())?;
        let document = luoshi_doc::parse_extracted(&extracted);
        Ok(ImportInput {
            file_name: file_name.to_string(),
            bytes: bytes.to_vec(),
            extracted,
            document,
        })
    }
}

/// What a parse worker prints: the parsed file or the reason it could not be read.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerOutput {
    Ok {
        extracted: Box<Extracted>,
        document: Box<Document>,
    },
    Error {
        code: String,
        message_zh: String,
        message: String,
    },
}

/// The parse worker's whole job: bytes in, JSON out.
pub fn worker_output(bytes: &[u8], limits: &Limits) -> WorkerOutput {
    match luoshi_doc::extract(bytes, limits) {
        Ok(extracted) => {
            let document = luoshi_doc::parse_extracted(&extracted);
            WorkerOutput::Ok {
                extracted: Box::new(extracted),
                document: Box::new(document),
            }
        }
        Err(e) => input_error(&e),
    }
}

fn input_error(e: &InputError) -> WorkerOutput {
    WorkerOutput::Error {
        code: e.code().to_string(),
        message_zh: e.message_zh(),
        message: e.to_string(),
    }
}

/// What the new version's task at the same index continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskMatch {
    Continues(Id),
    New,
}

#[derive(Debug, Clone)]
pub enum PlanTarget {
    /// The same bytes are stored already.
    AlreadyStored {
        document_id: Id,
        version_id: Id,
    },
    NewDocument,
    NewVersion {
        document_id: Id,
        /// The version this one follows; the write fails if it is no longer the latest.
        base_version_id: Id,
        version_no: i64,
        diff: DiffReport,
        /// One per task of the new file.
        matches: Vec<TaskMatch>,
        /// Stored tasks no longer present.
        retired: Vec<Id>,
    },
}

#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub input: ImportInput,
    pub sha256: String,
    pub target: PlanTarget,
    /// For a new document: the day its reporting starts in Luoshi (none: its 印发/成文 date).
    /// The caller sets it, usually to `default_reporting_from`.
    pub reporting_from: Option<luoshi_domain::calendar::Date>,
    /// Names the document writes that the office maps to existing units at confirmation (the
    /// preview's 新单位): each becomes that unit's alias, in the import's transaction.
    pub unit_map: Vec<(String, crate::Id)>,
}

impl ImportPlan {
    /// The document's own date: 印发 if stated, else 成文.
    pub fn document_date(&self) -> Option<luoshi_domain::calendar::Date> {
        let m = &self.input.document.meta;
        m.printed_date
            .as_deref()
            .or(m.signed_date.as_deref())
            .and_then(luoshi_domain::calendar::Date::parse)
    }

    /// Starts reporting where the office would: the document's date or the current round.
    pub fn with_default_start(mut self, today: luoshi_domain::calendar::Date) -> ImportPlan {
        self.reporting_from = Some(luoshi_domain::reporting::round::default_reporting_from(
            self.document_date(),
            today,
        ));
        self
    }
}

/// Plans an import: reads only.
pub async fn plan_import(store: &dyn Store, input: ImportInput) -> StoreResult<ImportPlan> {
    let sha256 = sha256_hex(&input.bytes);
    if let Some((document_id, version_id)) = store.version_by_sha(&sha256).await? {
        return Ok(ImportPlan {
            input,
            sha256,
            target: PlanTarget::AlreadyStored {
                document_id,
                version_id,
            },
            unit_map: Vec::new(),
            reporting_from: None,
        });
    }
    let meta = &input.document.meta;
    let task_titles: Vec<String> = input
        .document
        .tasks
        .iter()
        .take(8)
        .map(|t| t.title.clone())
        .filter(|t| t.chars().count() >= 4)
        .collect();
    let candidates = store
        .version_candidates(
            meta.doc_number.as_deref(),
            meta.title.as_deref(),
            &task_titles,
        )
        .await?;
    let mut best: Option<(f64, usize, DiffReport)> = None;
    for (i, c) in candidates.iter().enumerate() {
        let report = diff(&c.extracted, &input.extracted);
        if report.same_document && best.as_ref().is_none_or(|b| report.similarity > b.0) {
            best = Some((report.similarity, i, report));
        }
    }
    let target = match best {
        None => PlanTarget::NewDocument,
        Some((_, i, report)) => {
            let c = &candidates[i];
            let stored: Vec<TaskWording> = c.tasks.iter().map(|(_, w)| w.clone()).collect();
            let new: Vec<TaskWording> = input
                .document
                .tasks
                .iter()
                .map(|t| TaskWording {
                    number: t.number.clone(),
                    title: t.title.clone(),
                    text: t.text.clone(),
                })
                .collect();
            let pairing = match_tasks(&stored, &new);
            let matches = pairing
                .iter()
                .map(|m| match m {
                    Some(i) => TaskMatch::Continues(c.tasks[*i].0),
                    None => TaskMatch::New,
                })
                .collect();
            let retired = c
                .tasks
                .iter()
                .enumerate()
                .filter(|(i, _)| !pairing.contains(&Some(*i)))
                .map(|(_, (id, _))| *id)
                .collect();
            PlanTarget::NewVersion {
                document_id: c.document_id,
                base_version_id: c.version_id,
                version_no: c.version_no + 1,
                diff: report,
                matches,
                retired,
            }
        }
    };
    Ok(ImportPlan {
        input,
        sha256,
        target,
        reporting_from: None,
        unit_map: Vec::new(),
    })
}
