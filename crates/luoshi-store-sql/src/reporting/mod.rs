//! Progress reports: what units owe, filing with idempotency keys, review, and attachments.
//!
//! A report row is one obligation filed (task, unit, kind, period: unique); each filing adds a
//! version. The first filing after the deadline marks the report late for good. A retried
//! submission carries the same idempotency key and gets the first one's answer; the key is unique
//! in the schema, so two racing retries cannot both write.

use std::collections::HashMap;

use async_trait::async_trait;
use luoshi_domain::periods::PeriodKey;
use luoshi_domain::reporting::round::TaskWindow;
use luoshi_domain::reporting::{ReportKind, ReviewState, WorkStatus};
use luoshi_domain::reporting::{ReviewAction, is_late, may_file, next, validate};
use luoshi_store::reporting::{
    AttachmentMeta, Obligation, ObligationFilter, RemindOutcome, ReminderRecord, ReportDetail,
    ReportDraft, ReportFilter, ReportReminder, ReportRow, ReportVersion, ReportingStore, Review,
    SubmitReport, Submitted,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::notify::notify_unit;
use crate::sql::{Files, link_role, put_files, stored_file};
use crate::{
    Arg, Col, Dialect, Fetch, Q, Run, SqlStore, Tx, audit, begin, commit, now, rollback, scalar,
};
use luoshi_domain::notify::{self, TaskRef};

mod drafts;
mod reminders;

const REPORT_COLUMNS: &str = "r.id, r.task_id, t.number AS task_number, t.title AS task_title, \
    t.document_id, u.id AS unit_id, u.name AS unit_name, r.kind, r.period, r.due, r.state, r.status, \
    r.progress, r.versions, r.returns, r.late, r.first_filed_on, r.updated_at";

const REPORT_FROM: &str = "FROM reports r JOIN tasks t ON t.id = r.task_id JOIN units w ON w.id = r.unit_id \
     JOIN units u ON u.id = COALESCE(w.current_id, w.id)";

fn report_row(r: &AnyRow) -> StoreResult<ReportRow> {
    let bad =
        |what: &str, v: &str| StoreError::Database(format!("unknown report {what} {v}"), None);
    let kind: String = r.col("kind")?;
    let state: String = r.col("state")?;
    let status: String = r.col("status")?;
    Ok(ReportRow {
        id: r.col("id")?,
        task_id: r.col("task_id")?,
        task_number: r.col("task_number")?,
        task_title: r.col("task_title")?,
        document_id: r.col("document_id")?,
        unit_id: r.col("unit_id")?,
        unit_name: r.col("unit_name")?,
        kind: ReportKind::from_code(&kind).ok_or_else(|| bad("kind", &kind))?,
        period: r.period("period")?,
        due: r.date("due")?,
        state: ReviewState::from_code(&state).ok_or_else(|| bad("state", &state))?,
        status: WorkStatus::from_code(&status).ok_or_else(|| bad("status", &status))?,
        progress: r.col("progress")?,
        versions: r.col("versions")?,
        returns: r.col("returns")?,
        late: r.col::<i64, _>("late")? != 0,
        first_filed_on: r.date("first_filed_on")?,
        updated_at: r.col("updated_at")?,
    })
}

async fn row_in_tx(tx: &mut Tx, id: Id) -> StoreResult<ReportRow> {
    let sql = format!("SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE r.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .one(&mut **tx)
        .await?;
    report_row(&r)
}

impl SqlStore {
    /// ` FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the write lock.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

/// The version an idempotency key already wrote, if any. A key reused for different content (a
/// form resubmitted from the browser's history after editing it) is refused, not replayed: the
/// new text would otherwise be dropped without a word.
async fn replay(tx: &mut Tx, key: &str, sub: &SubmitReport) -> StoreResult<Option<Submitted>> {
    let found = sqlx::query(
        "SELECT v.report_id, v.version_no, v.status, v.progress, v.narrative, v.figures, \
         r.task_id, r.period FROM report_versions v JOIN reports r ON r.id = v.report_id \
         WHERE v.idem_key = $1",
    )
    .bind(key.to_string())
    .maybe(&mut **tx)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let figures = serde_json::to_string(&sub.figures)
        .map_err(|e| StoreError::Database(e.to_string(), None))?;
    let same = found.col::<Id, _>("task_id")? == sub.task_id
        && found.col::<String, _>("period")? == sub.period.to_string()
        && found.col::<String, _>("status")? == sub.status.code()
        && found.col::<i64, _>("progress")? == sub.progress
        && crate::encryption::open_text(&found.col::<String, _>("narrative")?)?.trim()
            == sub.narrative.trim()
        && found.col::<String, _>("figures")? == figures;
    let version_no: i64 = found.col("version_no")?;
    let report_id: Id = found.col("report_id")?;
    let same = same
        && crate::indicators::values::filed_with(tx, report_id, version_no).await?
            == crate::indicators::values::as_filed(&sub.values);
    if !same {
        return Err(StoreError::Invalid(
            "idempotency_key_reused",
            format!(
                "这份表单已经提交过（第 {version_no} 版），本次填写的内容与已提交的不同，未保存。请在本页“修改报送”中提交新的版本。"
            ),
        ));
    }
    let report = row_in_tx(tx, report_id).await?;
    Ok(Some(Submitted {
        report,
        version_no,
        replayed: true,
    }))
}

async fn write_report(
    s: &SqlStore,
    actor: &Actor,
    sub: &SubmitReport,
    key: Option<&str>,
) -> StoreResult<Submitted> {
    let mut tx = s.write().await?;
    if let Some(key) = key
        && let Some(done) = replay(&mut tx, key, sub).await?
    {
        // A retry writes nothing; release the write lock at once.
        rollback(tx).await?;
        return Ok(done);
    }
    // The unit files for the links written under it or under the units it carries today; a lead
    // link among them makes it the lead.
    let role: Option<String> = scalar(
        "SELECT tu.role FROM task_units tu JOIN units w ON w.id = tu.unit_id \
         WHERE tu.task_id = $1 AND COALESCE(w.current_id, w.id) = $2 AND tu.live = 1 \
         ORDER BY CASE WHEN tu.role = 'lead' THEN 0 ELSE 1 END LIMIT 1",
    )
    .bind(sub.task_id)
    .bind(sub.unit_id)
    .maybe(&mut *tx)
    .await?;
    // A report filed before a succession stays the one report of its obligation.
    let earlier: Option<Id> = scalar(
        "SELECT r.id FROM reports r JOIN units w ON w.id = r.unit_id \
         WHERE r.task_id = $1 AND COALESCE(w.current_id, w.id) = $2 AND r.kind = $3 AND r.period = $4 \
         AND r.unit_id <> $2",
    )
    .bind(sub.task_id)
    .bind(sub.unit_id)
    .bind(sub.kind.code())
    .bind(sub.period.to_string())
    .maybe(&mut *tx)
    .await?;
    may_file(
        sub.kind,
        role.as_deref().and_then(luoshi_doc::Role::from_code),
    )
    .map_err(|m| StoreError::Invalid("not_your_obligation", m))?;
    let at = now();
    let filer = match earlier {
        Some(id) => {
            scalar("SELECT unit_id FROM reports WHERE id = $1")
                .bind(id)
                .one(&mut *tx)
                .await?
        }
        None => sub.unit_id,
    };
    sqlx::query(
        "INSERT INTO reports (task_id, unit_id, kind, period, due, state, status, progress, versions, \
         late, first_filed_on, updated_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, 0, $8, $9, $10) \
         ON CONFLICT (task_id, unit_id, kind, period) DO NOTHING",
    )
    .bind(sub.task_id)
    .bind(filer)
    .bind(sub.kind.code())
    .bind(sub.period.to_string())
    .bind(sub.due.to_string())
    .bind(sub.status.code())
    .bind(sub.progress)
    .bind(i64::from(is_late(sub.filed_on, sub.due)))
    .bind(sub.filed_on.to_string())
    .bind(at)
    .run(&mut *tx).await?;
    let sql = format!(
        "SELECT id, state, versions FROM reports WHERE task_id = $1 AND unit_id = $2 AND kind = $3 \
         AND period = $4{}",
        s.for_update()
    );
    let head = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(sub.task_id)
        .bind(filer)
        .bind(sub.kind.code())
        .bind(sub.period.to_string())
        .one(&mut *tx)
        .await?;
    let report_id: Id = head.col("id")?;
    let versions: i64 = head.col("versions")?;
    let state: String = head.col("state")?;
    let current = (versions > 0)
        .then(|| ReviewState::from_code(&state))
        .flatten();
    next(current, ReviewAction::Submit).map_err(|m| StoreError::Invalid("report_state", m))?;
    let version_no = versions + 1;
    let version_id: Id = scalar(
        "INSERT INTO report_versions (report_id, version_no, status, progress, narrative, figures, \
         submitted_by, submitted_by_name, submitted_at, filed_on, idem_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(report_id)
    .bind(version_no)
    .bind(sub.status.code())
    .bind(sub.progress)
    .bind(crate::encryption::seal_text(&sub.narrative))
    .bind(
        serde_json::to_string(&sub.figures)
            .map_err(|e| StoreError::Database(e.to_string(), None))?,
    )
    .bind(actor.user_id)
    .bind(actor.name.clone())
    .bind(at)
    .bind(sub.filed_on.to_string())
    .bind(key.map(str::to_string))
    .one(&mut *tx)
    .await?;
    put_files(
        &mut tx,
        Files::Reports,
        report_id,
        version_id,
        &sub.attachments,
    )
    .await?;
    crate::indicators::values::file_with_report(
        &mut tx,
        actor,
        (sub.task_id, sub.unit_id),
        (report_id, version_no),
        &sub.filed_on.to_string(),
        &sub.values,
    )
    .await?;
    sqlx::query(
        "UPDATE reports SET state = 'submitted', status = $1, progress = $2, versions = $3, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(sub.status.code())
    .bind(sub.progress)
    .bind(version_no)
    .bind(at)
    .bind(report_id)
    .run(&mut *tx)
    .await?;
    let report = row_in_tx(&mut tx, report_id).await?;
    audit(
        &mut tx,
        actor,
        "report.submit",
        "report",
        Some(report_id),
        None,
        Some(json!({
            "task_id": sub.task_id, "unit_id": sub.unit_id, "kind": sub.kind.code(),
            "period": sub.period, "version": version_no, "status": sub.status.code(),
            "progress": sub.progress, "late": report.late, "attachments": sub.attachments.len(),
            "values": sub.values.iter().map(|v| json!({
                "indicator_id": v.indicator_id, "year": v.year,
                "period": luoshi_domain::indicators::filing::period_code(v.quarter),
                "value": v.value.normalize().to_string(),
            })).collect::<Vec<_>>(),
        })),
    )
    .await?;
    if sub.kind == ReportKind::Contribution {
        let leads: Vec<i64> = scalar(
            "SELECT DISTINCT COALESCE(w.current_id, w.id) FROM task_units tu \
             JOIN units w ON w.id = tu.unit_id WHERE tu.task_id = $1 AND tu.role = 'lead' AND tu.live = 1",
        )
        .bind(sub.task_id)
        .all(&mut *tx)
        .await?;
        for lead in leads {
            let notice =
                notify::contribution_filed(&report.unit_name, task_ref(&report), report.period);
            notify_unit(&mut tx, lead, &notice).await?;
        }
    }
    // Filed: the unit's draft of this obligation has done its work.
    drafts::drop_draft(&mut tx, sub.task_id, sub.unit_id, sub.period).await?;
    commit(tx).await?;
    Ok(Submitted {
        report,
        version_no,
        replayed: false,
    })
}

#[async_trait]
impl ReportingStore for SqlStore {
    async fn obligations(&self, f: &ObligationFilter) -> StoreResult<Vec<Obligation>> {
        // A link names the unit as written (`w`); the duty is the unit's that carries it today
        // (`u`, after 机构改革 the successor).
        let mut q = Q::new(
            "SELECT t.id AS task_id, t.number, t.title, t.document_id, d.title AS document_title, \
             u.id AS unit_id, u.name AS unit_name, w.id AS written_id, w.name AS written_name, \
             tu.role, d.due_rule, COALESCE(d.reporting_from, d.printed_date, d.signed_date) AS starts_on, \
             t.completed_on, t.deadline, d.ended_on \
             FROM task_units tu JOIN tasks t ON t.id = tu.task_id \
             JOIN documents d ON d.id = t.document_id JOIN units w ON w.id = tu.unit_id \
             JOIN units u ON u.id = COALESCE(w.current_id, w.id) \
             WHERE tu.live = 1",
        );
        if !q.and_unit_in("tu.unit_id", f.units.as_ref()) {
            return Ok(Vec::new());
        }
        if let Some(task) = f.task {
            let p = q.bind(Arg::I(task));
            q.push(&format!(" AND tu.task_id = {p}"));
        }
        if let Some(doc) = f.document {
            let p = q.bind(Arg::I(doc));
            q.push(&format!(" AND t.document_id = {p}"));
        }
        if let Some(area) = &f.area {
            // A task belongs to the areas whose committees it names; all its links come with it.
            let p = q.bind(Arg::S(area.clone()));
            q.push(&format!(
                " AND tu.task_id IN (SELECT a.task_id FROM task_units a JOIN units au ON au.id = a.unit_id \
                 WHERE au.area = {p} AND a.live = 1)"
            ));
        }
        q.push(" ORDER BY tu.sort_key, tu.ord");
        let rows = q.query().all(&self.pool).await?;
        let mut out: Vec<Obligation> = Vec::with_capacity(rows.len());
        // One duty per task and current unit: a task naming a unit and its predecessor owes once,
        // as lead if either name leads.
        let mut at: HashMap<(Id, Id), usize> = HashMap::new();
        for r in &rows {
            let rule: Option<String> = r.col("due_rule")?;
            let unit_id: Id = r.col("unit_id")?;
            let written_id: Id = r.col("written_id")?;
            let ob = Obligation {
                task_id: r.col("task_id")?,
                task_number: r.col("number")?,
                task_title: r.col("title")?,
                document_id: r.col("document_id")?,
                document_title: r.col("document_title")?,
                unit_id,
                unit_name: r.col("unit_name")?,
                written_as: (written_id != unit_id)
                    .then(|| r.col("written_name"))
                    .transpose()?,
                role: link_role(r)?,
                due_rule: rule.and_then(|r| serde_json::from_str(&r).ok()),
                window: TaskWindow {
                    starts_on: r.opt_date("starts_on")?,
                    deadline: r.opt_date("deadline")?,
                    completed_on: luoshi_domain::ledger::owes_until(
                        r.opt_date("completed_on")?,
                        r.opt_date("ended_on")?,
                    ),
                },
            };
            match at.get(&(ob.task_id, unit_id)) {
                None => {
                    at.insert((ob.task_id, unit_id), out.len());
                    out.push(ob);
                }
                Some(&i) => {
                    let kept = &mut out[i];
                    if ob.role.is_lead() {
                        kept.role = ob.role;
                    }
                    if ob.written_as.is_none() {
                        kept.written_as = None;
                    }
                }
            }
        }
        Ok(out)
    }

    async fn submit_report(&self, actor: &Actor, sub: SubmitReport) -> StoreResult<Submitted> {
        validate(sub.status, sub.progress, &sub.narrative, &sub.figures)
            .map_err(|m| StoreError::Invalid("report_content", m))?;
        let key = sub
            .idempotency_key
            .as_deref()
            .map(|k| format!("{}:{k}", actor.user_id.unwrap_or(0)));
        if key.as_ref().is_some_and(|k| k.len() > 200) {
            return Err(StoreError::Invalid(
                "idempotency_key_too_long",
                "幂等键过长".into(),
            ));
        }
        match write_report(self, actor, &sub, key.as_deref()).await {
            // Two retries raced and the other one wrote the key first: answer with its version.
            Err(StoreError::Conflict(msg)) => {
                if let Some(key) = &key {
                    let mut tx = begin(&self.pool).await?;
                    let done = replay(&mut tx, key, &sub).await?;
                    rollback(tx).await?;
                    if let Some(done) = done {
                        return Ok(done);
                    }
                }
                Err(StoreError::Conflict(msg))
            }
            other => other,
        }
    }

    async fn review_report(&self, actor: &Actor, review: Review) -> StoreResult<ReportRow> {
        let reason = review.reason.trim().to_string();
        if !review.accept && reason.is_empty() {
            return Err(StoreError::Invalid(
                "review_too_long",
                "退回时请填写退回理由".into(),
            ));
        }
        if reason.chars().count() > 2000 {
            return Err(StoreError::Invalid(
                "review_too_long",
                "审核意见不能超过 2000 字".into(),
            ));
        }
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT state, versions FROM reports WHERE id = $1{}",
            self.for_update()
        );
        let head = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(review.report_id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let versions: i64 = head.col("versions")?;
        if versions != review.version_no {
            return Err(StoreError::Conflict(
                "报告已有更新的版本，请刷新页面后再审核".into(),
            ));
        }
        let state: String = head.col("state")?;
        let action = if review.accept {
            ReviewAction::Accept
        } else {
            ReviewAction::Return
        };
        let to = next(ReviewState::from_code(&state), action)
            .map_err(|m| StoreError::Invalid("review_refused", m))?;
        let at = now();
        sqlx::query(
            "UPDATE report_versions SET review = $1, review_reason = $2, reviewed_by_name = $3, \
             reviewed_at = $4 WHERE report_id = $5 AND version_no = $6",
        )
        .bind(to.code())
        .bind((!reason.is_empty()).then_some(reason.clone()))
        .bind(actor.name.clone())
        .bind(at)
        .bind(review.report_id)
        .bind(versions)
        .run(&mut *tx)
        .await?;
        crate::indicators::values::review_with_report(
            &mut tx,
            (review.report_id, versions),
            to,
            (!reason.is_empty()).then_some(reason.as_str()),
        )
        .await?;
        sqlx::query(
            "UPDATE reports SET state = $1, updated_at = $2, returns = returns + $3 WHERE id = $4",
        )
        .bind(to.code())
        .bind(at)
        .bind(i64::from(!review.accept))
        .bind(review.report_id)
        .run(&mut *tx)
        .await?;
        let report = row_in_tx(&mut tx, review.report_id).await?;
        if review.accept && report.kind == ReportKind::Task && report.status == WorkStatus::Done {
            // 办结: the office accepted the lead's word that the task is done; it owes nothing for
            // periods that begin after the day that was filed.
            let filed_on: String = scalar(
                "SELECT filed_on FROM report_versions WHERE report_id = $1 AND version_no = $2",
            )
            .bind(review.report_id)
            .bind(versions)
            .one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE tasks SET completed_on = $1 WHERE id = $2 AND completed_on IS NULL",
            )
            .bind(filed_on)
            .bind(report.task_id)
            .run(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            actor,
            if review.accept {
                "report.accept"
            } else {
                "report.return"
            },
            "report",
            Some(review.report_id),
            Some(json!({ "state": state })),
            Some(json!({ "state": to.code(), "version": versions, "reason": reason })),
        )
        .await?;
        let notice = notify::report_reviewed(
            report.id,
            report.kind,
            task_ref(&report),
            report.period,
            (!review.accept).then_some(reason.as_str()),
        );
        notify_unit(&mut tx, report.unit_id, &notice).await?;
        commit(tx).await?;
        Ok(report)
    }

    async fn remind_reports(
        &self,
        actor: &Actor,
        round: PeriodKey,
        reminders: &[ReportReminder],
        manual: bool,
        leaders_too: bool,
    ) -> StoreResult<RemindOutcome> {
        reminders::remind_reports(self, actor, round, reminders, manual, leaders_too).await
    }

    async fn report_reminders(
        &self,
        tasks: &[Id],
        periods: &[PeriodKey],
    ) -> StoreResult<Vec<ReminderRecord>> {
        reminders::report_reminders(self, tasks, periods).await
    }

    async fn reports(&self, f: &ReportFilter) -> StoreResult<Vec<ReportRow>> {
        let mut q = Q::new(&format!(
            "SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE 1 = 1"
        ));
        if !q.and_unit_in("r.unit_id", f.units.as_ref()) || !q.and_in("r.task_id", f.tasks.as_ref())
        {
            return Ok(Vec::new());
        }
        if let Some(periods) = &f.periods {
            if periods.is_empty() {
                return Ok(Vec::new());
            }
            let ps = periods
                .iter()
                .map(|p| q.bind(Arg::S(p.to_string())))
                .collect::<Vec<_>>()
                .join(", ");
            q.push(&format!(" AND r.period IN ({ps})"));
        }
        if let Some(kind) = f.kind {
            let p = q.bind(Arg::S(kind.code().into()));
            q.push(&format!(" AND r.kind = {p}"));
        }
        if let Some(state) = f.state {
            let p = q.bind(Arg::S(state.code().into()));
            q.push(&format!(" AND r.state = {p}"));
        }
        q.push(" ORDER BY r.period DESC, t.document_id, t.seq, r.kind DESC, r.unit_id");
        let rows = q.query().all(&self.pool).await?;
        rows.iter().map(report_row).collect()
    }

    async fn report(&self, id: Id) -> StoreResult<Option<ReportDetail>> {
        let sql = format!("SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE r.id = $1");
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let row = report_row(&r)?;
        let attachments = sqlx::query(
            "SELECT a.id, a.version_id, a.file_name, a.mime, a.size FROM attachments a \
             WHERE a.report_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .all(&self.pool)
        .await?;
        let versions = sqlx::query(
            "SELECT id, version_no, status, progress, narrative, figures, submitted_by_name, submitted_at, \
             filed_on, review, review_reason, reviewed_by_name, reviewed_at FROM report_versions \
             WHERE report_id = $1 ORDER BY version_no",
        )
        .bind(id)
        .all(&self.pool).await?;
        let mut values = self.report_values(id).await?;
        let mut history = Vec::new();
        for v in versions {
            let vid: Id = v.col("id")?;
            let status: String = v.col("status")?;
            let review: Option<String> = v.col("review")?;
            let figures: String = v.col("figures")?;
            let mut files = Vec::new();
            for a in &attachments {
                if a.col::<i64, _>("version_id")? == vid {
                    files.push(AttachmentMeta {
                        id: a.col("id")?,
                        report_id: id,
                        file_name: a.col("file_name")?,
                        mime: a.col("mime")?,
                        size: a.col("size")?,
                    });
                }
            }
            history.push(ReportVersion {
                version_no: v.col("version_no")?,
                status: WorkStatus::from_code(&status).ok_or_else(|| {
                    StoreError::Database(format!("unknown status {status}"), None)
                })?,
                progress: v.col("progress")?,
                narrative: crate::encryption::open_text(&v.col::<String, _>("narrative")?)?,
                figures: serde_json::from_str(&figures).unwrap_or_default(),
                submitted_by: v.col("submitted_by_name")?,
                submitted_at: v.col("submitted_at")?,
                filed_on: v.date("filed_on")?,
                review: review.as_deref().and_then(ReviewState::from_code),
                review_reason: v.col("review_reason")?,
                reviewed_by: v.col("reviewed_by_name")?,
                reviewed_at: v.col("reviewed_at")?,
                attachments: files,
                values: {
                    let no: i64 = v.col("version_no")?;
                    let (mine, rest) = values
                        .into_iter()
                        .partition(|x| x.report_version == Some(no));
                    values = rest;
                    mine
                },
            });
        }
        Ok(Some(ReportDetail { row, history }))
    }

    async fn save_draft(&self, actor: &Actor, draft: ReportDraft) -> StoreResult<()> {
        drafts::save_draft(self, actor, draft).await
    }

    async fn drafts(
        &self,
        units: &[Id],
        period: PeriodKey,
        tasks: Option<&[Id]>,
    ) -> StoreResult<Vec<ReportDraft>> {
        drafts::drafts(self, units, period, tasks).await
    }

    async fn attachment(&self, id: Id) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>> {
        let file = stored_file(&self.pool, Files::Reports, id).await?;
        Ok(file.map(|f| {
            (
                AttachmentMeta {
                    id: f.id,
                    report_id: f.owner,
                    file_name: f.file_name,
                    mime: f.mime,
                    size: f.size,
                },
                f.bytes,
            )
        }))
    }
}

/// A report's task as notifications name it.
fn task_ref(r: &ReportRow) -> TaskRef<'_> {
    TaskRef {
        id: r.task_id,
        number: &r.task_number,
        title: &r.task_title,
    }
}
