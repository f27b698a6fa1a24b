//! Supervision items (督办事项): opening, every step through the state machine of
//! `luoshi_domain::supervision`, the automatic reminders, and the claim on periodic jobs.
//!
//! Each step reads the item under the write lock (`FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on
//! SQLite), asks the domain whether the move is legal, and writes the new stage, an event and an
//! audit record together. A reminder is recorded under a key per item (`before:7`, `overdue:0`),
//! unique in the schema, so it goes out once however many processes run the job.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::supervision::{Action, Grade, Stage};
use luoshi_domain::supervision::{next, reminder_keys};
use luoshi_store::supervision::{
    ItemAttachment, ItemDetail, ItemEvent, ItemFilter, ItemRow, ItemSource, ItemStep, ItemUnit,
    NewItem, ReminderRun, SupervisionStore,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::notify::{notify_office, notify_unit};
use crate::sql::{Files, link_role, put_files, stored_file};
use crate::{Arg, Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, db_err, now, scalar};
use luoshi_domain::notify;

const ITEM_COLUMNS: &str = "i.id, i.title, i.source, i.source_ref, i.task_id, i.decision_id, \
    u.id AS lead_unit_id, u.name AS lead_unit_name, i.stage, i.opened_on, i.due, i.original_due, \
    i.requested_due, i.closed_on, i.progress, i.grade, i.reminders, i.updated_at";
/// The lead as it is today: after 机构改革 the successor (`w` is the unit as stored).
const ITEM_FROM: &str = "FROM items i JOIN units w ON w.id = i.lead_unit_id \
    JOIN units u ON u.id = COALESCE(w.current_id, w.id)";

fn item_row(r: &AnyRow) -> StoreResult<ItemRow> {
    let source: String = r.col("source")?;
    let stage: String = r.col("stage")?;
    let grade: Option<String> = r.col("grade")?;
    Ok(ItemRow {
        id: r.col("id")?,
        title: r.col("title")?,
        source: ItemSource::from_code(&source)
            .ok_or_else(|| StoreError::Database(format!("unknown item source {source}"), None))?,
        source_ref: r.col("source_ref")?,
        task_id: r.col("task_id")?,
        decision_id: r.col("decision_id")?,
        lead_unit_id: r.col("lead_unit_id")?,
        lead_unit_name: r.col("lead_unit_name")?,
        stage: Stage::from_code(&stage)
            .ok_or_else(|| StoreError::Database(format!("unknown item stage {stage}"), None))?,
        opened_on: r.date("opened_on")?,
        due: r.date("due")?,
        original_due: r.date("original_due")?,
        requested_due: r.opt_date("requested_due")?,
        closed_on: r.opt_date("closed_on")?,
        progress: r.col("progress")?,
        grade: grade.as_deref().and_then(Grade::from_code),
        reminders: r.col("reminders")?,
        updated_at: r.col("updated_at")?,
    })
}

async fn row_in_tx(tx: &mut Tx, id: Id) -> StoreResult<ItemRow> {
    let sql = format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE i.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .maybe(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    item_row(&r)
}

// An event row has that many columns; a struct for one private call would only rename them.
#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx,
    item_id: Id,
    actor: &Actor,
    action: &str,
    from: Stage,
    to: Stage,
    note: &str,
) -> StoreResult<Id> {
    scalar(
        "INSERT INTO item_events (item_id, at, actor, action, from_stage, to_stage, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(item_id)
    .bind(now())
    .bind(actor.name.clone())
    .bind(action.to_string())
    .bind(from.code())
    .bind(to.code())
    .bind(note.to_string())
    .one(&mut **tx)
    .await
}

#[async_trait]
impl SupervisionStore for SqlStore {
    async fn create_item(&self, actor: &Actor, new: NewItem) -> StoreResult<ItemRow> {
        let title = new.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 500 {
            return Err(StoreError::Invalid(
                "item_title",
                "事项名称不能为空，且不超过 500 字".into(),
            ));
        }
        crate::bounded(
            "来源说明",
            &new.source_ref,
            luoshi_domain::limits::REFERENCE,
        )?;
        let (opened, due) = (new.opened_on, new.due);
        if due < opened {
            return Err(StoreError::Invalid(
                "due_before_opened",
                "办理时限不能早于立项日期".into(),
            ));
        }
        let mut tx = self.write().await?;
        let at = now();
        let stage = if new.assign {
            Stage::Assigned
        } else {
            Stage::Opened
        };
        let id: Id = scalar(
            "INSERT INTO items (title, source, source_ref, task_id, decision_id, lead_unit_id, stage, \
             opened_on, due, original_due, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10) RETURNING id",
        )
        .bind(title.clone())
        .bind(new.source.code())
        .bind(new.source_ref.trim().to_string())
        .bind(new.task_id)
        .bind(new.decision_id)
        .bind(new.lead_unit_id)
        .bind(stage.code())
        .bind(opened.to_string())
        .bind(due.to_string())
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            StoreError::Database(m, _) if m.contains("FOREIGN KEY") || m.contains("foreign key") => {
                StoreError::Invalid("item_refers_to_nothing", "承办单位、任务或议定事项不存在".into())
            }
            other => other,
        })?;
        let mut units = vec![(new.lead_unit_id, "lead")];
        for u in &new.support_unit_ids {
            if !units.iter().any(|(x, _)| x == u) {
                units.push((*u, "support"));
            }
        }
        for (unit, role) in &units {
            sqlx::query("INSERT INTO item_units (item_id, unit_id, role) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*unit)
                .bind(*role)
                .run(&mut *tx)
                .await?;
        }
        event(
            &mut tx,
            id,
            actor,
            "open",
            Stage::Opened,
            Stage::Opened,
            &new.source_ref,
        )
        .await?;
        if new.assign {
            event(
                &mut tx,
                id,
                actor,
                Action::Assign.code(),
                Stage::Opened,
                Stage::Assigned,
                "",
            )
            .await?;
            for (unit, _) in &units {
                notify_unit(&mut tx, *unit, &notify::item_assigned(id, &title, due)).await?;
            }
        }
        let row = row_in_tx(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "item.open",
            "item",
            Some(id),
            None,
            serde_json::to_value(&row).ok(),
        )
        .await?;
        commit(tx).await?;
        Ok(row)
    }

    async fn items(&self, f: &ItemFilter) -> StoreResult<Vec<ItemRow>> {
        let mut q = Q::new(&format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE 1 = 1"));
        if let Some(units) = &f.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            let a = q.bind_ids(units);
            let b = q.bind_ids(units);
            q.push(&format!(
                " AND i.id IN (SELECT item_id FROM item_units WHERE unit_id IN \
                 (SELECT id FROM units WHERE id IN ({a}) OR current_id IN ({b})))"
            ));
        }
        if f.open_only {
            q.push(" AND i.stage NOT IN ('accepted', 'graded', 'struck_off')");
        }
        if let Some(task) = f.task {
            let p = q.bind(Arg::I(task));
            q.push(&format!(" AND i.task_id = {p}"));
        }
        if let Some(decision) = f.decision {
            let p = q.bind(Arg::I(decision));
            q.push(&format!(" AND i.decision_id = {p}"));
        }
        q.push(" ORDER BY i.due, i.id");
        let rows = q.query().all(&self.pool).await?;
        rows.iter().map(item_row).collect()
    }

    async fn item(&self, id: Id) -> StoreResult<Option<ItemDetail>> {
        let sql = format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE i.id = $1");
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let row = item_row(&r)?;
        let units = sqlx::query(
            "SELECT u.id AS unit_id, u.name, iu.role FROM item_units iu JOIN units w ON w.id = iu.unit_id \
             JOIN units u ON u.id = COALESCE(w.current_id, w.id) \
             WHERE iu.item_id = $1 ORDER BY CASE iu.role WHEN 'lead' THEN 0 ELSE 1 END, u.name",
        )
        .bind(id)
        .all(&self.pool).await?
        .iter()
        .map(|r| {
            Ok(ItemUnit {
                unit_id: r.col("unit_id")?,
                unit_name: r.col("name")?,
                role: link_role(r)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let mut files: Vec<(Id, ItemAttachment)> = Vec::new();
        for r in sqlx::query(
            "SELECT id, event_id, file_name, mime, size FROM item_attachments WHERE item_id = $1 ORDER BY id",
        )
        .bind(id)
        .all(&self.pool)
        .await?
        {
            files.push((
                r.col("event_id")?,
                ItemAttachment {
                    id: r.col("id")?,
                    item_id: id,
                    file_name: r.col("file_name")?,
                    mime: r.col("mime")?,
                    size: r.col("size")?,
                },
            ));
        }
        let events = sqlx::query(
            "SELECT id, at, actor, action, from_stage, to_stage, note FROM item_events WHERE item_id = $1 ORDER BY id",
        )
        .bind(id)
        .all(&self.pool).await?
        .iter()
        .map(|r| {
            let action: String = r.col("action")?;
            let from: String = r.col("from_stage")?;
            let to: String = r.col("to_stage")?;
            let stage = |c: &str| {
                Stage::from_code(c).ok_or_else(|| StoreError::Database(format!("unknown stage {c}"), None))
            };
            let event_id: Id = r.col("id")?;
            Ok(ItemEvent {
                attachments: files
                    .iter()
                    .filter(|(e, _)| *e == event_id)
                    .map(|(_, a)| a.clone())
                    .collect(),
                at: r.col("at")?,
                actor: r.col("actor")?,
                label: Action::from_code(&action)
                    .map(|a| a.label())
                    .unwrap_or("立项")
                    .to_string(),
                action,
                from_stage: stage(&from)?,
                to_stage: stage(&to)?,
                note: r.col("note")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(ItemDetail { row, units, events }))
    }

    async fn item_step(&self, actor: &Actor, id: Id, step: ItemStep) -> StoreResult<ItemRow> {
        let today = step.today;
        let note = step.note.trim().to_string();
        if note.chars().count() > 5000 {
            return Err(StoreError::Invalid(
                "note_too_long",
                "说明不能超过 5000 字".into(),
            ));
        }
        let mut tx = self.write().await?;
        let sql = format!("SELECT stage FROM items WHERE id = $1{}", self.for_update());
        let stage: String = scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = row_in_tx(&mut tx, id).await?;
        let from = Stage::from_code(&stage)
            .ok_or_else(|| StoreError::Database(format!("unknown stage {stage}"), None))?;
        if let Some(seen) = step.expected_stage
            && seen != from
        {
            return Err(StoreError::Conflict(format!(
                "事项已由他人处理，当前状态为“{}”，请刷新后再操作",
                from.label()
            )));
        }
        let to =
            next(from, step.action).map_err(|m| StoreError::Invalid("item_step_refused", m))?;
        if step.action.needs_note() && note.is_empty() {
            return Err(StoreError::Invalid(
                "note_required",
                format!("请填写{}的说明", step.action.label()),
            ));
        }
        if !step.attachments.is_empty() && !step.action.takes_evidence() {
            return Err(StoreError::Invalid(
                "evidence_not_here",
                format!(
                    "“{}”不能附带材料，材料请随反馈或办结报告提交",
                    step.action.label()
                ),
            ));
        }
        if let Some(p) = step.progress
            && !(0..=100).contains(&p)
        {
            return Err(StoreError::Invalid(
                "progress_range",
                "进度须在 0 到 100 之间".into(),
            ));
        }
        let mut sets = vec!["stage = $1".to_string(), "updated_at = $2".to_string()];
        let mut q = Q::new("");
        q.bind(Arg::S(to.code().into()));
        q.bind(Arg::I(now()));
        let mut note_out = note.clone();
        match step.action {
            Action::RequestExtension => {
                let want = step.new_due.ok_or_else(|| {
                    StoreError::Invalid("extension_not_later", "请填写申请延期至的日期".into())
                })?;
                if want <= before.due {
                    return Err(StoreError::Invalid(
                        "extension_not_later",
                        "延期日期应晚于当前办理时限".into(),
                    ));
                }
                let p = q.bind(Arg::S(want.to_string()));
                sets.push(format!("requested_due = {p}"));
                note_out = format!("申请延期至 {want}：{note}");
            }
            Action::ApproveExtension => {
                let to_due = before.requested_due.ok_or_else(|| {
                    StoreError::Invalid("no_extension_pending", "没有待批准的延期申请".into())
                })?;
                let p = q.bind(Arg::S(to_due.to_string()));
                sets.push(format!("due = {p}"));
                sets.push("requested_due = NULL".into());
                note_out = format!("办理时限由 {} 延至 {to_due}。{note}", before.due);
            }
            Action::RejectExtension => sets.push("requested_due = NULL".into()),
            Action::SubmitClosing => {
                let p = q.bind(Arg::S(today.to_string()));
                sets.push(format!("closed_on = {p}"));
                let p = q.bind(Arg::I(step.progress.unwrap_or(100)));
                sets.push(format!("progress = {p}"));
            }
            Action::Return => sets.push("closed_on = NULL".into()),
            Action::Grade => {
                let g = step
                    .grade
                    .ok_or_else(|| StoreError::Invalid("grade_missing", "请选择评价等次".into()))?;
                let p = q.bind(Arg::S(g.code().into()));
                sets.push(format!("grade = {p}"));
                note_out = format!("评价：{}。{note}", g.label());
            }
            Action::Remind => sets.push("reminders = reminders + 1".into()),
            Action::Instruct => note_out = format!("{}批示：{note}", actor.name),
            Action::Feedback => {
                if let Some(p) = step.progress {
                    let p = q.bind(Arg::I(p));
                    sets.push(format!("progress = {p}"));
                }
            }
            _ => {}
        }
        let idp = q.bind(Arg::I(id));
        q.sql = format!("UPDATE items SET {} WHERE id = {idp}", sets.join(", "));
        q.query().run(&mut *tx).await?;
        let event_id = event(&mut tx, id, actor, step.action.code(), from, to, &note_out).await?;
        put_files(&mut tx, Files::Items, id, event_id, &step.attachments).await?;
        let row = row_in_tx(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            &format!("item.{}", step.action.code()),
            "item",
            Some(id),
            Some(json!({ "stage": from.code(), "due": before.due })),
            Some(json!({
                "stage": to.code(), "due": row.due, "note": note_out,
                "attachments": step.attachments.iter().map(|a| &a.file_name).collect::<Vec<_>>(),
            })),
        )
        .await?;
        let notice = notify::item_stepped(id, step.action, &row.title, to, row.due, &note_out);
        if step.action.by_office() {
            notify_unit(&mut tx, row.lead_unit_id, &notice).await?;
        } else {
            notify_office(&mut tx, &notice).await?;
        }
        commit(tx).await?;
        Ok(row)
    }

    async fn item_attachment(&self, id: Id) -> StoreResult<Option<(ItemAttachment, Vec<u8>)>> {
        let file = stored_file(&self.pool, Files::Items, id).await?;
        Ok(file.map(|f| {
            (
                ItemAttachment {
                    id: f.id,
                    item_id: f.owner,
                    file_name: f.file_name,
                    mime: f.mime,
                    size: f.size,
                },
                f.bytes,
            )
        }))
    }

    async fn run_reminders(&self, today: Date, lead_days: &[i64]) -> StoreResult<ReminderRun> {
        let actor = Actor::system("自动催办");
        let mut tx = self.write().await?;
        let open = sqlx::query(
            "SELECT id, title, due, stage, lead_unit_id FROM items \
             WHERE stage IN ('assigned', 'acknowledged', 'in_progress', 'extension_requested') ORDER BY id",
        )
        .all(&mut *tx).await?;
        let mut run = ReminderRun::default();
        for r in &open {
            run.items_checked += 1;
            let id: Id = r.col("id")?;
            let due = r.date("due")?;
            let mut fresh = 0;
            for key in reminder_keys(today, due, lead_days) {
                let done = sqlx::query(
                    "INSERT INTO item_reminders (item_id, reminder_key, sent_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (item_id, reminder_key) DO NOTHING",
                )
                .bind(id)
                .bind(key)
                .bind(now())
                .run(&mut *tx).await?;
                fresh += done.rows_affected();
            }
            if fresh == 0 {
                continue;
            }
            let stage_s: String = r.col("stage")?;
            let stage = Stage::from_code(&stage_s).unwrap_or(Stage::Assigned);
            let left = due.days() - today.days();
            let note = if left < 0 {
                format!("已逾期 {} 天，请抓紧办理并报送办结情况", -left)
            } else if left == 0 {
                "今天为办理时限，请按时办结".to_string()
            } else {
                format!("距办理时限还有 {left} 天")
            };
            sqlx::query("UPDATE items SET reminders = reminders + 1 WHERE id = $1")
                .bind(id)
                .run(&mut *tx)
                .await?;
            event(
                &mut tx,
                id,
                &actor,
                Action::Remind.code(),
                stage,
                stage,
                &note,
            )
            .await?;
            let title: String = r.col("title")?;
            let notice = notify::item_reminder(id, &title, &note, due);
            notify_unit(&mut tx, r.col("lead_unit_id")?, &notice).await?;
            run.reminders_sent += 1;
        }
        if run.reminders_sent > 0 {
            audit(
                &mut tx,
                &actor,
                "item.remind",
                "item",
                None,
                None,
                Some(json!({ "today": today.to_string(), "sent": run.reminders_sent })),
            )
            .await?;
        }
        commit(tx).await?;
        Ok(run)
    }
}
