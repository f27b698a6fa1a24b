//! Documents, their versions and original bytes, pending imports, and the import write itself.

use luoshi_doc::Document;
use luoshi_domain::ledger::TaskWording;
use luoshi_domain::registry::unit_key;
use luoshi_store::ledger::{DocumentRow, ImportPlan, VersionRow};
use luoshi_store::{Actor, Id, Scope, StoreError, StoreResult};
use sqlx::any::AnyRow;

use crate::registry::resolve_or_create;
use crate::{Arg, Col, Fetch, Q, Run, SqlStore, Tx, now, put_blob, scalar};

pub(super) fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored JSON unreadable: {e}"), None)
}

pub(super) async fn live_tasks(
    s: &SqlStore,
    document_id: Id,
) -> StoreResult<Vec<(Id, TaskWording)>> {
    let rows = sqlx::query(
        "SELECT id, number, title, body FROM tasks WHERE document_id = $1 AND retired = 0 ORDER BY seq",
    )
    .bind(document_id)
    .all(&s.pool).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.col("id")?,
                TaskWording {
                    number: r.col("number")?,
                    title: r.col("title")?,
                    text: r.col("body")?,
                },
            ))
        })
        .collect()
}

/// The document's title as the ledger shows it.
pub(super) fn title_of(doc: &Document, file_name: &str) -> String {
    doc.meta
        .title
        .clone()
        .unwrap_or_else(|| file_name.to_string())
}

pub(super) async fn insert_version(
    tx: &mut Tx,
    actor: &Actor,
    plan: &ImportPlan,
    document_id: Id,
    version_no: i64,
    similarity: Option<f64>,
    changes: &[luoshi_doc::Change],
) -> StoreResult<Id> {
    let input = &plan.input;
    put_blob(tx, &input.bytes).await?;
    let format = serde_json::to_value(input.document.format).map_err(json_err)?;
    scalar(
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
    .one(&mut **tx).await
}

/// `task_units.sort_key` = document id × this + the task's position in its document.
pub(crate) const SORT_STRIDE: i64 = 1_000_000;

/// Units resolved so far in one import: written name → unit id.
pub(super) type Resolved = std::collections::HashMap<String, Id>;

/// Writes one task's fields and its unit links; returns how many units were new to the registry.
/// The last day a task's 完成时限 allows, as stored (an ongoing task, 长期坚持, has none: it owes
/// every round and its lights run over each year).
fn deadline_of(task: &luoshi_doc::Task) -> Option<String> {
    task.deadline
        .as_ref()
        .and_then(|d| d.date.as_deref())
        .and_then(luoshi_domain::calendar::Date::parse)
        .map(|d| d.to_string())
}

pub(super) async fn write_task(
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
            // The office corrected this task: the new version moves and rewords it, but the
            // title and units stay as the office set them.
            let corrected: Option<i64> = scalar("SELECT corrected_at FROM tasks WHERE id = $1")
                .bind(id)
                .one(&mut **tx)
                .await?;
            if corrected.is_some() {
                sqlx::query(
                    "UPDATE tasks SET seq = $1, number = $2, body = $3, units_text = $4, path = $5, \
                     last_version_id = $6 WHERE id = $7",
                )
                .bind(seq)
                .bind(task.number.clone())
                .bind(task.text.clone())
                .bind(task.units_text.clone())
                .bind(path)
                .bind(version_id)
                .bind(id)
                .run(&mut **tx)
                .await?;
                sqlx::query("UPDATE task_units SET sort_key = $1 WHERE task_id = $2")
                    .bind(document_id * SORT_STRIDE + seq)
                    .bind(id)
                    .run(&mut **tx)
                    .await?;
                return Ok((id, 0));
            }
            // The new version's 完成时限 follows the document (the office's correction, above,
            // keeps the office's).
            sqlx::query(
                "UPDATE tasks SET seq = $1, number = $2, title = $3, body = $4, units_text = $5, \
                 path = $6, last_version_id = $7, deadline = $8 WHERE id = $9",
            )
            .bind(seq)
            .bind(task.number.clone())
            .bind(task.title.clone())
            .bind(task.text.clone())
            .bind(task.units_text.clone())
            .bind(path)
            .bind(version_id)
            .bind(deadline_of(task))
            .bind(id)
            .run(&mut **tx).await?;
            sqlx::query("DELETE FROM task_units WHERE task_id = $1")
                .bind(id)
                .run(&mut **tx).await?;
            id
        }
        None => scalar(
            "INSERT INTO tasks (document_id, seq, number, title, body, units_text, path, \
               first_version_id, last_version_id, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
        )
        .bind(document_id)
        .bind(seq)
        .bind(task.number.clone())
        .bind(task.title.clone())
        .bind(task.text.clone())
        .bind(task.units_text.clone())
        .bind(path)
        .bind(version_id)
        .bind(deadline_of(task))
        .one(&mut **tx).await?,
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
    q.query().run(&mut **tx).await?;
    Ok((id, created))
}

/// After imports, PostgreSQL's planner needs fresh statistics (and a visibility map for
/// index-only scans) on the big tables. Autovacuum does this when it is on; when it is off, or has
/// not caught up after a bulk import, plans go wrong by orders of magnitude. So after an import the
/// tables changed by more than a tenth since their last analysis are vacuumed and analysed, in the
/// background. Several processes doing it at once is harmless.
pub(super) async fn refresh_statistics(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let stale: Vec<String> = scalar(
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
pub(super) async fn set_latest(
    tx: &mut Tx,
    document_id: Id,
    version_id: Id,
    doc: &luoshi_doc::Document,
) -> StoreResult<()> {
    sqlx::query("UPDATE documents SET latest_version_id = $1, due_rule = $2 WHERE id = $3")
        .bind(version_id)
        .bind(due_rule_json(doc))
        .bind(document_id)
        .run(&mut **tx)
        .await?;
    Ok(())
}

/// A document's own reporting rule as stored (`None`: the default applies).
pub(crate) fn due_rule_json(doc: &luoshi_doc::Document) -> Option<String> {
    luoshi_domain::periods::DueRule::from_rules(&doc.reporting_rules)
        .and_then(|r| serde_json::to_string(&r).ok())
}

/// Fills one column of `documents` from each latest version's parse, where `value` reads it
/// (migrations 2 and 4). `column` is one of this module's fixed names.
async fn backfill_from_parse(
    tx: &mut Tx,
    column: &'static str,
    value: fn(luoshi_doc::Document) -> Option<String>,
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT d.id, v.parsed FROM documents d JOIN versions v ON v.id = d.latest_version_id",
    )
    .all(&mut **tx)
    .await?;
    let sql = format!("UPDATE documents SET {column} = $1 WHERE id = $2");
    for r in rows {
        let id: i64 = r.col("id")?;
        let parsed: String = r.col("parsed")?;
        let Ok(doc) = serde_json::from_str::<luoshi_doc::Document>(&parsed) else {
            continue;
        };
        if let Some(v) = value(doc) {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(v)
                .bind(id)
                .run(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Fills `documents.due_rule` (migration 2).
pub(crate) async fn backfill_due_rules(tx: &mut Tx) -> StoreResult<()> {
    backfill_from_parse(tx, "due_rule", |doc| due_rule_json(&doc)).await
}

/// Fills `documents.printed_date` (migration 4).
pub(crate) async fn backfill_printed_dates(tx: &mut Tx) -> StoreResult<()> {
    backfill_from_parse(tx, "printed_date", |doc| doc.meta.printed_date).await
}

pub(super) const DOC_COLUMNS: &str = "d.id, d.title, d.doc_number, d.issuer, d.signed_date, d.printed_date, \
    d.reporting_from, d.latest_version_id, d.status, d.ended_on, \
    (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id) AS versions, \
    (SELECT COUNT(*) FROM tasks t WHERE t.document_id = d.id AND t.retired = 0) AS tasks";

pub(super) fn doc_row(r: &AnyRow) -> StoreResult<DocumentRow> {
    Ok(DocumentRow {
        id: r.col("id")?,
        title: r.col("title")?,
        doc_number: r.col("doc_number")?,
        issuer: r.col("issuer")?,
        signed_date: r.opt_date("signed_date")?,
        printed_date: r.opt_date("printed_date")?,
        reporting_from: r.opt_date("reporting_from")?,
        versions: r.col("versions")?,
        tasks: r.col("tasks")?,
        latest_version_id: r.col::<Option<i64>, _>("latest_version_id")?.unwrap_or(0),
        status: luoshi_domain::ledger::DocumentStatus::from_code(&r.col::<String, _>("status")?)
            .unwrap_or(luoshi_domain::ledger::DocumentStatus::Active),
        ended_on: r.opt_date("ended_on")?,
    })
}

/// A document's row read inside a transaction (what a correction reads before and after).
pub(super) async fn doc_in(tx: &mut crate::Tx, id: Id) -> StoreResult<DocumentRow> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = $1");
    doc_row(
        &sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&mut **tx)
            .await?
            .ok_or(luoshi_store::StoreError::NotFound)?,
    )
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

pub(super) fn doc_condition(q: &mut Q, scope: &Scope) -> String {
    match scope {
        Scope::All => "1 = 1".to_string(),
        _ => format!(
            "EXISTS (SELECT 1 FROM tasks st WHERE st.document_id = d.id AND st.retired = 0 AND {})",
            scope_condition(q, scope, "st")
        ),
    }
}

pub(super) const VERSION_COLUMNS: &str = "id, document_id, version_no, sha256, file_name, format, imported_at, \
    imported_by, similarity_ppm, changes";

pub(super) fn version_row(r: &AnyRow) -> StoreResult<VersionRow> {
    Ok(VersionRow {
        id: r.col("id")?,
        document_id: r.col("document_id")?,
        version_no: r.col("version_no")?,
        sha256: r.col("sha256")?,
        file_name: r.col("file_name")?,
        format: r.col("format")?,
        imported_at: r.col("imported_at")?,
        imported_by: r.col("imported_by")?,
        similarity: r
            .col::<Option<i64>, _>("similarity_ppm")?
            .map(|p| p as f64 / 1e6),
        changes: serde_json::from_str(&r.col::<String, _>("changes")?).map_err(json_err)?,
    })
}
