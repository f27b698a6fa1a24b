//! The office's corrections after import: a task's title, units and deadline; a document's
//! reporting start and end (废止 / 到期); and undoing an import nothing refers to yet. Each is one transaction, audited
//! with before and after.

use luoshi_domain::calendar::Date;
use luoshi_domain::ledger::{
    DocumentStatus, check_document_end, check_task_edit, undo_import_refusal,
};
use luoshi_domain::registry::unit_key;
use luoshi_store::ledger::{DocumentRow, LedgerStore, TaskDetail, TaskEdit};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;

use super::documents::{SORT_STRIDE, doc_in};
use crate::{Col, Fetch, Run, SqlStore, audit, commit, scalar};

fn task_json(t: &TaskDetail) -> serde_json::Value {
    json!({
        "title": t.row.title,
        "deadline": t.deadline,
        "lead": t.row.lead,
        "support": t.row.support,
    })
}

pub(super) async fn edit_task(
    s: &SqlStore,
    actor: &Actor,
    id: Id,
    edit: TaskEdit,
) -> StoreResult<TaskDetail> {
    check_task_edit(&edit.title, &edit.units)
        .map_err(|m| StoreError::Invalid("task_edit", m.into()))?;
    let before = s.task(id).await?.ok_or(StoreError::NotFound)?;
    let mut tx = s.write().await?;
    let task = sqlx::query("SELECT document_id, seq, retired FROM tasks WHERE id = $1")
        .bind(id)
        .maybe(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let (document_id, seq, retired): (Id, i64, i64) = (
        task.col("document_id")?,
        task.col("seq")?,
        task.col("retired")?,
    );
    // A unit kept keeps its link as written (a predecessor's name stays "原文作…").
    let links = sqlx::query(
        "SELECT tu.unit_id, COALESCE(w.current_id, w.id) AS current_id, tu.written_as \
         FROM task_units tu JOIN units w ON w.id = tu.unit_id WHERE tu.task_id = $1 ORDER BY tu.ord",
    )
    .bind(id)
    .all(&mut *tx)
    .await?;
    let mut kept: Vec<(Id, Id, String)> = Vec::new();
    for r in &links {
        kept.push((
            r.col("unit_id")?,
            r.col("current_id")?,
            r.col("written_as")?,
        ));
    }
    sqlx::query("DELETE FROM task_units WHERE task_id = $1")
        .bind(id)
        .run(&mut *tx)
        .await?;
    for (ord, unit) in edit.units.iter().enumerate() {
        let (unit_id, written) = match kept.iter().find(|k| k.0 == *unit || k.1 == *unit) {
            Some((raw, _, written)) => (*raw, written.clone()),
            None => {
                let name: Option<String> = scalar("SELECT name FROM units WHERE id = $1")
                    .bind(*unit)
                    .maybe(&mut *tx)
                    .await?;
                let name = name.ok_or_else(|| {
                    StoreError::Invalid("task_edit", format!("单位（编号 {unit}）不在名录中"))
                })?;
                (*unit, name)
            }
        };
        sqlx::query(
            "INSERT INTO task_units (task_id, ord, unit_id, role, written_as, written_key, live, sort_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(ord as i64)
        .bind(unit_id)
        .bind(if ord == 0 { "lead" } else { "support" })
        .bind(written.clone())
        .bind(unit_key(&written))
        .bind(i64::from(retired == 0))
        .bind(document_id * SORT_STRIDE + seq)
        .run(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE tasks SET title = $1, deadline = $2, corrected_at = $3 WHERE id = $4")
        .bind(edit.title.trim().to_string())
        .bind(edit.deadline.map(|d| d.to_string()))
        .bind(crate::now())
        .bind(id)
        .run(&mut *tx)
        .await?;
    // The audit's after is written from the same rows the transaction wrote.
    let after_units: Vec<String> = {
        let mut out = Vec::new();
        for u in &edit.units {
            let name: String = scalar(
                "SELECT c.name FROM units w JOIN units c ON c.id = COALESCE(w.current_id, w.id) WHERE w.id = $1",
            )
            .bind(*u)
            .one(&mut *tx)
            .await?;
            out.push(name);
        }
        out
    };
    audit(
        &mut tx,
        actor,
        "task.edit",
        "task",
        Some(id),
        Some(task_json(&before)),
        Some(json!({
            "title": edit.title.trim(),
            "deadline": edit.deadline,
            "lead": after_units.first().cloned().into_iter().collect::<Vec<_>>(),
            "support": after_units.iter().skip(1).cloned().collect::<Vec<_>>(),
        })),
    )
    .await?;
    commit(tx).await?;
    *s.counts_cache.lock().expect("not poisoned") = None;
    s.task(id).await?.ok_or(StoreError::NotFound)
}

pub(super) async fn set_reporting_from(
    s: &SqlStore,
    actor: &Actor,
    document_id: Id,
    from: Option<Date>,
) -> StoreResult<DocumentRow> {
    let mut tx = s.write().await?;
    let before = doc_in(&mut tx, document_id).await?;
    sqlx::query("UPDATE documents SET reporting_from = $1 WHERE id = $2")
        .bind(from.map(|d| d.to_string()))
        .bind(document_id)
        .run(&mut *tx)
        .await?;
    let after = doc_in(&mut tx, document_id).await?;
    audit(
        &mut tx,
        actor,
        "document.reporting_from",
        "document",
        Some(document_id),
        Some(json!({ "reporting_from": before.reporting_from })),
        Some(json!({ "reporting_from": after.reporting_from })),
    )
    .await?;
    commit(tx).await?;
    Ok(after)
}

pub(super) async fn set_document_status(
    s: &SqlStore,
    actor: &Actor,
    document_id: Id,
    status: DocumentStatus,
    ended_on: Option<Date>,
) -> StoreResult<DocumentRow> {
    check_document_end(status, ended_on)
        .map_err(|m| StoreError::Invalid("document_end", m.into()))?;
    let mut tx = s.write().await?;
    let before = doc_in(&mut tx, document_id).await?;
    sqlx::query("UPDATE documents SET status = $1, ended_on = $2 WHERE id = $3")
        .bind(status.code())
        .bind(ended_on.map(|d| d.to_string()))
        .bind(document_id)
        .run(&mut *tx)
        .await?;
    let after = doc_in(&mut tx, document_id).await?;
    audit(
        &mut tx,
        actor,
        "document.status",
        "document",
        Some(document_id),
        Some(json!({ "status": before.status.code(), "ended_on": before.ended_on })),
        Some(json!({ "status": after.status.code(), "ended_on": after.ended_on })),
    )
    .await?;
    commit(tx).await?;
    Ok(after)
}

pub(super) async fn undo_import(s: &SqlStore, actor: &Actor, document_id: Id) -> StoreResult<()> {
    let mut tx = s.write().await?;
    let doc = doc_in(&mut tx, document_id).await?;
    let tasks = "SELECT id FROM tasks WHERE document_id = $1";
    let reports: i64 = scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM reports WHERE task_id IN ({tasks})"
    )))
    .bind(document_id)
    .one(&mut *tx)
    .await?;
    let items: i64 = scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM items WHERE task_id IN ({tasks})"
    )))
    .bind(document_id)
    .one(&mut *tx)
    .await?;
    if let Some(why) = undo_import_refusal(reports, items) {
        return Err(StoreError::Invalid("undo_import_refused", why));
    }
    // The originals go too, unless a file elsewhere is the same bytes.
    let shas: Vec<String> =
        sqlx::query_scalar("SELECT sha256 FROM versions WHERE document_id = $1")
            .bind(document_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(crate::db_err)?;
    for sql in [
        "DELETE FROM indicator_milestones WHERE document_id = $1".to_string(),
        format!("DELETE FROM report_reminders WHERE task_id IN ({tasks})"),
        format!("DELETE FROM task_units WHERE task_id IN ({tasks})"),
        "DELETE FROM tasks WHERE document_id = $1".to_string(),
        "UPDATE documents SET latest_version_id = NULL WHERE id = $1".to_string(),
        "DELETE FROM versions WHERE document_id = $1".to_string(),
        "DELETE FROM documents WHERE id = $1".to_string(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(document_id)
            .run(&mut *tx)
            .await?;
    }
    crate::indicators::drop_orphans(&mut tx).await?;
    for sha in shas {
        sqlx::query(
            "DELETE FROM blobs WHERE sha256 = $1 \
             AND NOT EXISTS (SELECT 1 FROM versions WHERE sha256 = $1) \
             AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1) \
             AND NOT EXISTS (SELECT 1 FROM item_attachments WHERE sha256 = $1)",
        )
        .bind(sha)
        .run(&mut *tx)
        .await?;
    }
    audit(
        &mut tx,
        actor,
        "document.undo_import",
        "document",
        Some(document_id),
        Some(serde_json::to_value(&doc).unwrap_or_default()),
        None,
    )
    .await?;
    commit(tx).await?;
    *s.counts_cache.lock().expect("not poisoned") = None;
    Ok(())
}

/// Reopens a 办结 task: it owes reports again (the periods after its 办结 day count once more).
pub(super) async fn reopen_task(
    s: &SqlStore,
    actor: &Actor,
    id: Id,
    reason: &str,
) -> StoreResult<()> {
    let reason = crate::sql::required_text(
        reason,
        "原因",
        luoshi_domain::limits::REFERENCE,
        "reason_required",
        "重新打开已办结的任务须写明原因",
    )?;
    let mut tx = s.write().await?;
    let completed: Option<Option<String>> = scalar("SELECT completed_on FROM tasks WHERE id = $1")
        .bind(id)
        .maybe(&mut *tx)
        .await?;
    let Some(completed) = completed else {
        return Err(StoreError::NotFound);
    };
    let Some(completed) = completed else {
        return Err(StoreError::Invalid(
            "not_completed",
            "该任务尚未办结，无需重新打开".into(),
        ));
    };
    sqlx::query("UPDATE tasks SET completed_on = NULL WHERE id = $1")
        .bind(id)
        .run(&mut *tx)
        .await?;
    audit(
        &mut tx,
        actor,
        "task.reopen",
        "task",
        Some(id),
        Some(json!({ "completed_on": completed })),
        Some(json!({ "completed_on": null, "reason": reason })),
    )
    .await?;
    commit(tx).await
}
