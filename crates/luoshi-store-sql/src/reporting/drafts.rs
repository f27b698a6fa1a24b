//! Drafts (草稿): a unit's filing kept as typed before it is sent, one per obligation (task, unit,
//! period). Saving replaces the unit's earlier draft; filing the obligation removes it in the
//! filing's transaction ([`drop_draft`]).

use luoshi_domain::periods::PeriodKey;
use luoshi_domain::reporting::{WorkStatus, check_draft};
use luoshi_store::reporting::ReportDraft;
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;

use crate::{Arg, Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, now};

pub(super) async fn save_draft(s: &SqlStore, actor: &Actor, d: ReportDraft) -> StoreResult<()> {
    check_draft(&d.narrative, &d.figures).map_err(|m| StoreError::Invalid("draft_content", m))?;
    let mut tx = s.write().await?;
    drop_draft(&mut tx, d.task_id, d.unit_id, d.period).await?;
    sqlx::query(
        "INSERT INTO report_drafts (task_id, unit_id, period, status, progress, narrative, figures, \
         saved_at, saved_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(d.task_id)
    .bind(d.unit_id)
    .bind(d.period.to_string())
    .bind(d.status.map(|s| s.code()).unwrap_or("").to_string())
    .bind(d.progress.unwrap_or(-1))
    .bind(crate::encryption::seal_text(d.narrative.trim()))
    .bind(d.figures.trim().to_string())
    .bind(now())
    .bind(actor.name.clone())
    .run(&mut *tx)
    .await?;
    audit(
        &mut tx,
        actor,
        "report.draft",
        "task",
        Some(d.task_id),
        None,
        Some(json!({
            "unit_id": d.unit_id, "period": d.period,
            "chars": d.narrative.chars().count(),
        })),
    )
    .await?;
    commit(tx).await
}

/// Removes an obligation's draft (it was filed, or is being replaced).
pub(super) async fn drop_draft(
    tx: &mut Tx,
    task_id: Id,
    unit_id: Id,
    period: PeriodKey,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM report_drafts WHERE task_id = $1 AND unit_id = $2 AND period = $3")
        .bind(task_id)
        .bind(unit_id)
        .bind(period.to_string())
        .run(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn drafts(
    s: &SqlStore,
    units: &[Id],
    period: PeriodKey,
    tasks: Option<&[Id]>,
) -> StoreResult<Vec<ReportDraft>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new(
        "SELECT task_id, unit_id, period, status, progress, narrative, figures, saved_at, \
         saved_by_name FROM report_drafts WHERE ",
    );
    let p = q.bind(Arg::S(period.to_string()));
    q.push(&format!("period = {p}"));
    let u = q.bind_ids(units);
    q.push(&format!(" AND unit_id IN ({u})"));
    if let Some(tasks) = tasks {
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let t = q.bind_ids(tasks);
        q.push(&format!(" AND task_id IN ({t})"));
    }
    q.push(" ORDER BY task_id, unit_id");
    q.query()
        .all(&s.pool)
        .await?
        .iter()
        .map(|r| {
            let status: String = r.col("status")?;
            let progress: i64 = r.col("progress")?;
            Ok(ReportDraft {
                task_id: r.col("task_id")?,
                unit_id: r.col("unit_id")?,
                period: r.period("period")?,
                status: WorkStatus::from_code(&status),
                progress: (progress >= 0).then_some(progress),
                narrative: crate::encryption::open_text(&r.col::<String, _>("narrative")?)?,
                figures: r.col("figures")?,
                saved_at: r.col("saved_at")?,
                saved_by: r.col("saved_by_name")?,
            })
        })
        .collect()
}
