//! Documents, their versions and original bytes, pending imports, and the import write itself.

use luoshi_doc::{Document, Extracted};
use luoshi_domain::matching::TaskWording;
use luoshi_domain::registry::unit_key;
use luoshi_store::*;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::units::resolve_or_create;
use crate::{Arg, Dialect, Q, SqlStore, Tx, audit, db_err, now};

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored JSON unreadable: {e}"))
}

pub(crate) async fn version_by_sha(s: &SqlStore, sha: &str) -> StoreResult<Option<(Id, Id)>> {
    let row = sqlx::query("SELECT document_id, id FROM versions WHERE sha256 = $1")
        .bind(sha.to_string())
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?;
    row.map(|r| Ok((r.try_get(0).map_err(db_err)?, r.try_get(1).map_err(db_err)?)))
        .transpose()
}

async fn live_tasks(s: &SqlStore, document_id: Id) -> StoreResult<Vec<(Id, TaskWording)>> {
    let rows = sqlx::query(
        "SELECT id, number, title, body FROM tasks WHERE document_id = $1 AND retired = 0 ORDER BY seq",
    )
    .bind(document_id)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id").map_err(db_err)?,
                TaskWording {
                    number: r.try_get("number").map_err(db_err)?,
                    title: r.try_get("title").map_err(db_err)?,
                    text: r.try_get("body").map_err(db_err)?,
                },
            ))
        })
        .collect()
}

pub(crate) async fn version_candidates(
    s: &SqlStore,
    doc_number: Option<&str>,
    title: Option<&str>,
    task_titles: &[String],
) -> StoreResult<Vec<Candidate>> {
    // A union of indexed lookups: an OR across them makes PostgreSQL scan.
    let mut q = Q::new("");
    let mut parts = Vec::new();
    if let Some(n) = doc_number.filter(|n| !n.is_empty()) {
        let p = q.bind(Arg::S(n.to_string()));
        parts.push(format!("SELECT id FROM documents WHERE doc_number = {p}"));
    }
    if let Some(t) = title.map(unit_key).filter(|t| !t.is_empty()) {
        let p = q.bind(Arg::S(t));
        parts.push(format!("SELECT id FROM documents WHERE title_key = {p}"));
    }
    if !task_titles.is_empty() {
        let list: Vec<String> = task_titles
            .iter()
            .map(|t| q.bind(Arg::S(t.clone())))
            .collect();
        // No `retired` condition: with one, SQLite may walk the live-task index instead of the
        // title index (every import then reads every task). A retired task's document is a
        // harmless extra candidate: `diff` decides.
        parts.push(format!(
            "SELECT document_id FROM tasks WHERE title IN ({})",
            list.join(", ")
        ));
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    // The ids first, then their rows: one plan shape whatever the parameters (a generic plan for
    // the joined form walked every document when nothing matched).
    q.push(&format!("{} LIMIT 20", parts.join(" UNION ")));
    // Planned with its values each time: PostgreSQL's generic plan for it scanned `tasks`.
    let ids: Vec<Id> = q
        .query()
        .persistent(false)
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(db_err))
        .collect::<StoreResult<_>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new("");
    let list = q.bind_ids(&ids);
    q.push(&format!(
        "SELECT d.id AS document_id, v.id AS version_id, v.version_no, v.extracted \
         FROM documents d JOIN versions v ON v.id = d.latest_version_id \
         WHERE d.id IN ({list}) ORDER BY d.id"
    ));
    let rows = q.query().fetch_all(&s.pool).await.map_err(db_err)?;
    let mut out = Vec::new();
    for r in rows {
        let document_id: Id = r.try_get("document_id").map_err(db_err)?;
        let extracted: Extracted =
            serde_json::from_str(&r.try_get::<String, _>("extracted").map_err(db_err)?)
                .map_err(json_err)?;
        out.push(Candidate {
            document_id,
            version_id: r.try_get("version_id").map_err(db_err)?,
            version_no: r.try_get("version_no").map_err(db_err)?,
            extracted,
            tasks: live_tasks(s, document_id).await?,
        });
    }
    Ok(out)
}

/// The document's title as the ledger shows it.
fn title_of(doc: &Document, file_name: &str) -> String {
    doc.meta
        .title
        .clone()
        .unwrap_or_else(|| file_name.to_string())
}

async fn insert_version(
    tx: &mut Tx,
    actor: &Actor,
    plan: &ImportPlan,
    document_id: Id,
    version_no: i64,
    similarity: Option<f64>,
    changes: &[luoshi_doc::Change],
) -> StoreResult<Id> {
    let input = &plan.input;
    sqlx::query(
        "INSERT INTO blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(plan.sha256.clone())
    .bind(input.bytes.len() as i64)
    .bind(input.bytes.clone())
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    let format = serde_json::to_value(input.document.format).map_err(json_err)?;
    sqlx::query_scalar(
        "INSERT INTO versions (document_id, version_no, sha256, file_name, format, parsed, extracted, \
           similarity_ppm, changes, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(document_id)
    .bind(version_no)
    .bind(plan.sha256.clone())
    .bind(input.file_name.clone())
    .bind(format.as_str().unwrap_or("text").to_string())
    .bind(serde_json::to_string(&input.document).map_err(json_err)?)
    .bind(serde_json::to_string(&input.extracted).map_err(json_err)?)
    // Parts per million: sqlx's Any driver cannot bind a NULL double for PostgreSQL.
    .bind(similarity.map(|s| (s * 1e6).round() as i64))
    .bind(serde_json::to_string(changes).map_err(json_err)?)
    .bind(now())
    .bind(actor.name.clone())
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)
}

/// `task_units.sort_key` = document id × this + the task's position in its document.
pub(crate) const SORT_STRIDE: i64 = 1_000_000;

/// Units resolved so far in one import: written name → unit id.
type Resolved = std::collections::HashMap<String, Id>;

/// Writes one task's fields and its unit links; returns how many units were new to the registry.
async fn write_task(
    tx: &mut Tx,
    resolved: &mut Resolved,
    task_id: Option<Id>,
    document_id: Id,
    version_id: Id,
    seq: i64,
    task: &luoshi_doc::Task,
) -> StoreResult<(Id, i64)> {
    let path = serde_json::to_string(&task.path).map_err(json_err)?;
    let id = match task_id {
        Some(id) => {
            sqlx::query(
                "UPDATE tasks SET seq = $1, number = $2, title = $3, body = $4, units_text = $5, \
                 path = $6, last_version_id = $7 WHERE id = $8",
            )
            .bind(seq)
            .bind(task.number.clone())
            .bind(task.title.clone())
            .bind(task.text.clone())
            .bind(task.units_text.clone())
            .bind(path)
            .bind(version_id)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
            sqlx::query("DELETE FROM task_units WHERE task_id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO tasks (document_id, seq, number, title, body, units_text, path, \
               first_version_id, last_version_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(document_id)
        .bind(seq)
        .bind(task.number.clone())
        .bind(task.title.clone())
        .bind(task.text.clone())
        .bind(task.units_text.clone())
        .bind(path)
        .bind(version_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?,
    };
    let mut created = 0;
    // One link per unit: a unit named twice (under two of its names) keeps its first mention,
    // and leads if any mention leads. The clause as written stays on the task.
    let mut links: Vec<(Id, &'static str, &str)> = Vec::new();
    for u in &task.units {
        let unit_id = match resolved.get(&u.name) {
            Some(id) => *id,
            None => {
                let (id, new) = resolve_or_create(tx, &u.name).await?;
                created += new as i64;
                resolved.insert(u.name.clone(), id);
                id
            }
        };
        let role = match u.role {
            luoshi_doc::Role::Lead => "lead",
            luoshi_doc::Role::Support => "support",
        };
        match links.iter_mut().find(|l| l.0 == unit_id) {
            Some(l) if role == "lead" => l.1 = "lead",
            Some(_) => {}
            None => links.push((unit_id, role, &u.name)),
        }
    }
    if links.is_empty() {
        return Ok((id, created));
    }
    // One statement for all of a task's units.
    let mut q = Q::new(
        "INSERT INTO task_units (task_id, ord, unit_id, role, written_as, written_key, live, sort_key) VALUES ",
    );
    let sort_key = document_id * SORT_STRIDE + seq;
    for (ord, (unit_id, role, written)) in links.iter().enumerate() {
        let values = [
            q.bind(Arg::I(id)),
            q.bind(Arg::I(ord as i64)),
            q.bind(Arg::I(*unit_id)),
            q.bind(Arg::S(role.to_string())),
            q.bind(Arg::S(written.to_string())),
            q.bind(Arg::S(unit_key(written))),
            "1".to_string(),
            q.bind(Arg::I(sort_key)),
        ];
        if ord > 0 {
            q.push(", ");
        }
        q.push(&format!("({})", values.join(", ")));
    }
    q.query().execute(&mut **tx).await.map_err(db_err)?;
    Ok((id, created))
}

pub(crate) async fn apply_import(
    s: &SqlStore,
    actor: &Actor,
    plan: &ImportPlan,
) -> StoreResult<ImportOutcome> {
    let mut tx = s.write().await?;
    if s.dialect == Dialect::Postgres {
        // Imports resolve and create units; two processes must not race on the same names.
        sqlx::query("SELECT pg_advisory_xact_lock(7351002)")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    // The same bytes may have been imported since the plan was made (a double click, another
    // server): nothing changes then.
    let existing = sqlx::query("SELECT document_id, id FROM versions WHERE sha256 = $1")
        .bind(plan.sha256.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if let Some(r) = existing {
        return Ok(ImportOutcome::Unchanged {
            document_id: r.try_get(0).map_err(db_err)?,
            version_id: r.try_get(1).map_err(db_err)?,
        });
    }
    let doc = &plan.input.document;
    let title = title_of(doc, &plan.input.file_name);
    let outcome = match &plan.target {
        PlanTarget::AlreadyStored {
            document_id,
            version_id,
        } => ImportOutcome::Unchanged {
            document_id: *document_id,
            version_id: *version_id,
        },
        PlanTarget::NewDocument => {
            let document_id: i64 = sqlx::query_scalar(
                "INSERT INTO documents (title, title_key, doc_number, issuer, signed_date, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(title.clone())
            .bind(unit_key(&title))
            .bind(doc.meta.doc_number.clone())
            .bind(doc.meta.issuer.clone())
            .bind(doc.meta.signed_date.clone())
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            let version_id =
                insert_version(&mut tx, actor, plan, document_id, 1, None, &[]).await?;
            let mut new_units = 0;
            let mut resolved = Resolved::new();
            for (seq, task) in doc.tasks.iter().enumerate() {
                let (_, created) = write_task(
                    &mut tx,
                    &mut resolved,
                    None,
                    document_id,
                    version_id,
                    seq as i64,
                    task,
                )
                .await?;
                new_units += created;
            }
            set_latest(&mut tx, document_id, version_id, doc).await?;
            ImportOutcome::NewDocument {
                document_id,
                version_id,
                tasks: doc.tasks.len() as i64,
                new_units,
            }
        }
        PlanTarget::NewVersion {
            document_id,
            base_version_id,
            version_no,
            diff,
            matches,
            retired,
        } => {
            let latest: Option<i64> =
                sqlx::query_scalar("SELECT latest_version_id FROM documents WHERE id = $1")
                    .bind(*document_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .flatten();
            if latest != Some(*base_version_id) {
                return Err(StoreError::Conflict(
                    "该文件在预览之后又导入了新版本，请重新导入以核对差异".into(),
                ));
            }
            let version_id = insert_version(
                &mut tx,
                actor,
                plan,
                *document_id,
                *version_no,
                Some(diff.similarity),
                &diff.changes,
            )
            .await?;
            let mut new_units = 0;
            let mut matched = 0;
            let mut resolved = Resolved::new();
            for (seq, (task, m)) in doc.tasks.iter().zip(matches).enumerate() {
                let existing = match m {
                    TaskMatch::Continues(id) => {
                        matched += 1;
                        Some(*id)
                    }
                    TaskMatch::New => None,
                };
                let (_, created) = write_task(
                    &mut tx,
                    &mut resolved,
                    existing,
                    *document_id,
                    version_id,
                    seq as i64,
                    task,
                )
                .await?;
                new_units += created;
            }
            for id in retired {
                sqlx::query("UPDATE tasks SET retired = 1, last_version_id = $1 WHERE id = $2")
                    .bind(version_id)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query("UPDATE task_units SET live = 0 WHERE task_id = $1")
                    .bind(*id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
            // A reprint often lacks the 版头: what the new version does not say is kept.
            sqlx::query(
                "UPDATE documents SET title = COALESCE($1, title), title_key = COALESCE($2, title_key), \
                 doc_number = COALESCE($3, doc_number), issuer = COALESCE($4, issuer), \
                 signed_date = COALESCE($5, signed_date) WHERE id = $6",
            )
            .bind(doc.meta.title.clone())
            .bind(doc.meta.title.as_deref().map(unit_key))
            .bind(doc.meta.doc_number.clone())
            .bind(doc.meta.issuer.clone())
            .bind(doc.meta.signed_date.clone())
            .bind(*document_id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            set_latest(&mut tx, *document_id, version_id, doc).await?;
            ImportOutcome::NewVersion {
                document_id: *document_id,
                version_id,
                version_no: *version_no,
                matched,
                added: doc.tasks.len() as i64 - matched,
                retired: retired.len() as i64,
                changes: diff.changes.len() as i64,
                new_units,
            }
        }
    };
    audit(
        &mut tx,
        actor,
        "document.import",
        "document",
        Some(outcome.document_id()),
        None,
        Some(json!({
            "file_name": plan.input.file_name, "sha256": plan.sha256, "title": title,
            "outcome": outcome,
        })),
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    *s.counts_cache.lock().expect("not poisoned") = None;
    if s.dialect == Dialect::Postgres {
        let pool = s.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = refresh_statistics(&pool).await {
                eprintln!("luoshi: statistics refresh failed: {e}");
            }
        });
    }
    Ok(outcome)
}

/// After imports, PostgreSQL's planner needs fresh statistics (and a visibility map for
/// index-only scans) on the big tables. Autovacuum does this when it is on; when it is off, or has
/// not caught up after a bulk import, plans go wrong by orders of magnitude. So after an import the
/// tables changed by more than a tenth since their last analysis are vacuumed and analysed, in the
/// background. Several processes doing it at once is harmless.
async fn refresh_statistics(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_stat_user_tables \
         WHERE relname IN ('tasks', 'task_units', 'documents', 'versions', 'units', 'unit_aliases') \
           AND n_mod_since_analyze > 500 + n_live_tup / 10",
    )
    .fetch_all(pool)
    .await?;
    for table in stale {
        // The names come from the fixed list above.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Points a document at its newest version, and takes that version's own reporting rule.
async fn set_latest(
    tx: &mut Tx,
    document_id: Id,
    version_id: Id,
    doc: &luoshi_doc::Document,
) -> StoreResult<()> {
    sqlx::query("UPDATE documents SET latest_version_id = $1, due_rule = $2 WHERE id = $3")
        .bind(version_id)
        .bind(due_rule_json(doc))
        .bind(document_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A document's own reporting rule as stored (`None`: the default applies).
pub(crate) fn due_rule_json(doc: &luoshi_doc::Document) -> Option<String> {
    luoshi_domain::periods::DueRule::from_rules(&doc.reporting_rules)
        .and_then(|r| serde_json::to_string(&r).ok())
}

/// Fills `documents.due_rule` from each latest version's parse (migration 2).
pub(crate) async fn backfill_due_rules(tx: &mut Tx) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT d.id, v.parsed FROM documents d JOIN versions v ON v.id = d.latest_version_id",
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    for r in rows {
        let id: i64 = r.try_get("id").map_err(db_err)?;
        let parsed: String = r.try_get("parsed").map_err(db_err)?;
        let Ok(doc) = serde_json::from_str::<luoshi_doc::Document>(&parsed) else {
            continue;
        };
        if let Some(rule) = due_rule_json(&doc) {
            sqlx::query("UPDATE documents SET due_rule = $1 WHERE id = $2")
                .bind(rule)
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

const DOC_COLUMNS: &str = "d.id, d.title, d.doc_number, d.issuer, d.signed_date, d.latest_version_id, \
    (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id) AS versions, \
    (SELECT COUNT(*) FROM tasks t WHERE t.document_id = d.id AND t.retired = 0) AS tasks";

fn doc_row(r: &AnyRow) -> StoreResult<DocumentRow> {
    Ok(DocumentRow {
        id: r.try_get("id").map_err(db_err)?,
        title: r.try_get("title").map_err(db_err)?,
        doc_number: r.try_get("doc_number").map_err(db_err)?,
        issuer: r.try_get("issuer").map_err(db_err)?,
        signed_date: r.try_get("signed_date").map_err(db_err)?,
        versions: r.try_get("versions").map_err(db_err)?,
        tasks: r.try_get("tasks").map_err(db_err)?,
        latest_version_id: r
            .try_get::<Option<i64>, _>("latest_version_id")
            .map_err(db_err)?
            .unwrap_or(0),
    })
}

/// A condition limiting documents to those holding a task the scope sees.
pub(crate) fn scope_condition(q: &mut Q, scope: &Scope, task_alias: &str) -> String {
    match scope {
        Scope::All => "1 = 1".into(),
        Scope::Units(ids) => format!(
            "{task_alias}.id IN (SELECT sx.task_id FROM task_units sx WHERE sx.unit_id IN ({}))",
            q.bind_ids(ids)
        ),
        Scope::Area { area, units } => {
            let a = q.bind(Arg::S(area.clone()));
            let ids = if units.is_empty() {
                "0".to_string()
            } else {
                q.bind_ids(units)
            };
            format!(
                "{task_alias}.id IN (SELECT sx.task_id FROM task_units sx JOIN units su ON su.id = sx.unit_id \
                 WHERE su.area = {a} OR sx.unit_id IN ({ids}))"
            )
        }
    }
}

fn doc_condition(q: &mut Q, scope: &Scope) -> String {
    match scope {
        Scope::All => "1 = 1".to_string(),
        _ => format!(
            "EXISTS (SELECT 1 FROM tasks st WHERE st.document_id = d.id AND st.retired = 0 AND {})",
            scope_condition(q, scope, "st")
        ),
    }
}

pub(crate) async fn documents(
    s: &SqlStore,
    scope: &Scope,
    page: Page,
) -> StoreResult<Paged<DocumentRow>> {
    let mut count = Q::new("");
    let cond = doc_condition(&mut count, scope);
    count.push(&format!("SELECT COUNT(*) FROM documents d WHERE {cond}"));
    let total = count.fetch_i64(&s.pool).await?;
    let mut q = Q::new("");
    let cond = doc_condition(&mut q, scope);
    let lim = q.bind(Arg::I(page.limit));
    let off = q.bind(Arg::I(page.offset));
    q.push(&format!(
        "SELECT {DOC_COLUMNS} FROM documents d WHERE {cond} ORDER BY d.id DESC LIMIT {lim} OFFSET {off}"
    ));
    let rows = q.query().fetch_all(&s.pool).await.map_err(db_err)?;
    Ok(Paged {
        items: rows.iter().map(doc_row).collect::<StoreResult<_>>()?,
        total,
        offset: page.offset,
        limit: page.limit,
    })
}

const VERSION_COLUMNS: &str = "id, document_id, version_no, sha256, file_name, format, imported_at, \
    imported_by, similarity_ppm, changes";

fn version_row(r: &AnyRow) -> StoreResult<VersionRow> {
    Ok(VersionRow {
        id: r.try_get("id").map_err(db_err)?,
        document_id: r.try_get("document_id").map_err(db_err)?,
        version_no: r.try_get("version_no").map_err(db_err)?,
        sha256: r.try_get("sha256").map_err(db_err)?,
        file_name: r.try_get("file_name").map_err(db_err)?,
        format: r.try_get("format").map_err(db_err)?,
        imported_at: r.try_get("imported_at").map_err(db_err)?,
        imported_by: r.try_get("imported_by").map_err(db_err)?,
        similarity: r
            .try_get::<Option<i64>, _>("similarity_ppm")
            .map_err(db_err)?
            .map(|p| p as f64 / 1e6),
        changes: serde_json::from_str(&r.try_get::<String, _>("changes").map_err(db_err)?)
            .map_err(json_err)?,
    })
}

pub(crate) async fn document(s: &SqlStore, id: Id) -> StoreResult<Option<DocumentDetail>> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let doc = doc_row(&row)?;
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM versions WHERE document_id = $1 ORDER BY version_no DESC"
    );
    let versions = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(version_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let parsed: String = sqlx::query_scalar("SELECT parsed FROM versions WHERE id = $1")
        .bind(doc.latest_version_id)
        .fetch_one(&s.pool)
        .await
        .map_err(db_err)?;
    let parsed: Document = serde_json::from_str(&parsed).map_err(json_err)?;
    Ok(Some(DocumentDetail {
        doc,
        versions,
        outline: parsed.outline,
        warnings: parsed.warnings,
    }))
}

pub(crate) async fn version(s: &SqlStore, id: Id) -> StoreResult<Option<VersionDetail>> {
    let sql = format!("SELECT {VERSION_COLUMNS}, parsed FROM versions WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    Ok(Some(VersionDetail {
        version: version_row(&row)?,
        document: serde_json::from_str(&row.try_get::<String, _>("parsed").map_err(db_err)?)
            .map_err(json_err)?,
    }))
}

pub(crate) async fn blob(s: &SqlStore, sha: &str) -> StoreResult<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT bytes FROM blobs WHERE sha256 = $1")
        .bind(sha.to_string())
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)
}

pub(crate) async fn save_pending(s: &SqlStore, p: PendingImport) -> StoreResult<()> {
    let mut tx = s.write().await?;
    // Previews older than a day are abandoned.
    sqlx::query("DELETE FROM pending_imports WHERE created_at < $1")
        .bind(p.created_at - 86_400)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO pending_imports (token, user_id, file_name, bytes, extracted, parsed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.token)
    .bind(p.user_id)
    .bind(p.file_name)
    .bind(p.bytes)
    .bind(serde_json::to_string(&p.extracted).map_err(json_err)?)
    .bind(serde_json::to_string(&p.document).map_err(json_err)?)
    .bind(p.created_at)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

pub(crate) async fn pending(
    s: &SqlStore,
    token: &str,
    user_id: Id,
) -> StoreResult<Option<PendingImport>> {
    let row = sqlx::query(
        "SELECT token, user_id, file_name, bytes, extracted, parsed, created_at FROM pending_imports \
         WHERE token = $1 AND user_id = $2",
    )
    .bind(token.to_string())
    .bind(user_id)
    .fetch_optional(&s.pool)
    .await
    .map_err(db_err)?;
    row.map(|r| {
        Ok(PendingImport {
            token: r.try_get("token").map_err(db_err)?,
            user_id: r.try_get("user_id").map_err(db_err)?,
            file_name: r.try_get("file_name").map_err(db_err)?,
            bytes: r.try_get("bytes").map_err(db_err)?,
            extracted: serde_json::from_str(&r.try_get::<String, _>("extracted").map_err(db_err)?)
                .map_err(json_err)?,
            document: serde_json::from_str(&r.try_get::<String, _>("parsed").map_err(db_err)?)
                .map_err(json_err)?,
            created_at: r.try_get("created_at").map_err(db_err)?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_pending(s: &SqlStore, token: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM pending_imports WHERE token = $1")
        .bind(token.to_string())
        .execute(&s.pool)
        .await
        .map_err(db_err)?;
    Ok(())
}
