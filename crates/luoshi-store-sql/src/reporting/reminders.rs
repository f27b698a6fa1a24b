//! 催报 records: each reminder of an unfiled duty stored once under its key, one notice per unit
//! (and its 分管领导 when the office asks), audited; and the records a duty's page lists.

use luoshi_domain::notify;
use luoshi_domain::periods::PeriodKey;
use luoshi_domain::reporting::ReportKind;
use luoshi_store::reporting::{RemindOutcome, ReminderRecord, ReportReminder};
use luoshi_store::{Actor, Id, StoreResult};
use serde_json::json;

use crate::notify::notify_unit;
use crate::{Arg, Col, Fetch, Q, Run, SqlStore, audit, commit, now};

pub(super) async fn remind_reports(
    s: &SqlStore,
    actor: &Actor,
    round: PeriodKey,
    reminders: &[ReportReminder],
    manual: bool,
    leaders_too: bool,
) -> StoreResult<RemindOutcome> {
    let mut tx = s.write().await?;
    let at = now();
    // Per unit, in first-seen order: the tasks newly reminded and the first deadline note.
    let mut fresh: Vec<(Id, Vec<String>, String)> = Vec::new();
    let mut out = RemindOutcome::default();
    for r in reminders {
        let done = sqlx::query(
            "INSERT INTO report_reminders (task_id, unit_id, task_number, kind, period, \
             reminder_key, note, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (task_id, unit_id, kind, period, reminder_key) DO NOTHING",
        )
        .bind(r.task_id)
        .bind(r.unit_id)
        .bind(r.task_number.clone())
        .bind(r.kind.code())
        .bind(r.period.to_string())
        .bind(r.key.clone())
        .bind(r.note.clone())
        .bind(at)
        .bind(actor.name.clone())
        .run(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            continue;
        }
        out.reminders += 1;
        match fresh.iter_mut().find(|(u, _, _)| *u == r.unit_id) {
            Some((_, tasks, _)) => {
                if !tasks.contains(&r.task_number) {
                    tasks.push(r.task_number.clone());
                }
            }
            None => fresh.push((r.unit_id, vec![r.task_number.clone()], r.note.clone())),
        }
    }
    let label = luoshi_domain::periods::DueRule::default()
        .period_at(round)
        .map(|p| p.label())
        .unwrap_or_else(|| round.to_string());
    for (unit, tasks, note) in &fresh {
        let notice = notify::report_reminder(round, &label, tasks, note, manual);
        notify_unit(&mut tx, *unit, &notice).await?;
        if leaders_too {
            crate::notify::notify_unit_leaders(&mut tx, *unit, &notice).await?;
        }
    }
    out.units = fresh.len();
    if out.reminders > 0 {
        audit(
            &mut tx,
            actor,
            "report.remind",
            "report",
            None,
            None,
            Some(json!({
                "round": round, "manual": manual, "reminders": out.reminders,
                "units": fresh.iter().map(|(u, _, _)| *u).collect::<Vec<_>>(),
            })),
        )
        .await?;
    }
    commit(tx).await?;
    Ok(out)
}

pub(super) async fn report_reminders(
    s: &SqlStore,
    tasks: &[Id],
    periods: &[PeriodKey],
) -> StoreResult<Vec<ReminderRecord>> {
    if tasks.is_empty() || periods.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new("");
    let t = q.bind_ids(tasks);
    let ps = periods
        .iter()
        .map(|p| q.bind(Arg::S(p.to_string())))
        .collect::<Vec<_>>()
        .join(", ");
    q.push(&format!(
        "SELECT task_id, unit_id, task_number, kind, period, reminder_key, note, sent_at, sent_by \
         FROM report_reminders WHERE task_id IN ({t}) AND period IN ({ps}) ORDER BY sent_at, id"
    ));
    q.query()
        .all(&s.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReminderRecord {
                reminder: ReportReminder {
                    task_id: r.col("task_id")?,
                    task_number: r.col("task_number")?,
                    unit_id: r.col("unit_id")?,
                    kind: r.parsed("kind", ReportKind::from_code)?,
                    period: r.period("period")?,
                    key: r.col("reminder_key")?,
                    note: r.col("note")?,
                },
                sent_at: r.col("sent_at")?,
                sent_by: r.col("sent_by")?,
            })
        })
        .collect()
}
