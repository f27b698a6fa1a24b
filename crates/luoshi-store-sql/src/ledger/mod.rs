//! The ledger's reads: tasks filtered by scope, unit, role, area, document and text; one task;
//! counts for the front page; the audit log. Corrections after import are in `corrections`.

use async_trait::async_trait;
use std::collections::HashMap;

use luoshi_doc::{Document, Extracted};
use luoshi_domain::registry::unit_key;

use luoshi_store::ledger::{
    Candidate, DocumentDetail, DocumentRow, ImportOutcome, ImportPlan, LedgerCounts, LedgerStore,
    PendingImport, TaskDetail, TaskFilter, TaskRow, TaskUnit, VersionDetail,
};
use luoshi_store::{Actor, Id, Page, Paged, Scope, StoreResult};

mod corrections;
mod documents;
mod import;

use documents::{
    DOC_COLUMNS, SORT_STRIDE, VERSION_COLUMNS, doc_condition, doc_row, json_err, live_tasks,
    version_row,
};
pub(crate) use documents::{backfill_due_rules, backfill_printed_dates, scope_condition};

use crate::sql::link_role;
use crate::{Arg, COUNTS_TTL, Col, Fetch, Q, Run, SqlStore, commit, scalar};

/// Builds the WHERE clause of a task listing (alias `t`).
fn task_where(q: &mut Q, f: &TaskFilter) -> String {
    let mut conds = vec!["t.retired = 0".to_string()];
    if f.scope != Scope::All {
        conds.push(scope_condition(q, &f.scope, "t"));
    }
    if let Some(units) = &f.units {
        let ids = if units.is_empty() {
            "0".to_string()
        } else {
            q.bind_ids(units)
        };
        let role = if f.lead_only {
            " AND ux.role = 'lead'"
        } else {
            ""
        };
        // An IN subquery lets both planners start from the task_units index on unit_id.
        conds.push(format!(
            "t.id IN (SELECT ux.task_id FROM task_units ux WHERE ux.unit_id IN ({ids}){role})"
        ));
    }
    if let Some(area) = &f.area {
        let a = q.bind(Arg::S(area.clone()));
        conds.push(format!(
            "t.id IN (SELECT ax.task_id FROM task_units ax JOIN units au ON au.id = ax.unit_id \
             WHERE au.area = {a})"
        ));
    }
    if let Some(d) = f.document {
        let p = q.bind(Arg::I(d));
        conds.push(format!("t.document_id = {p}"));
    }
    if let Some(day) = f.overdue_on {
        let p = q.bind(Arg::S(day.to_string()));
        conds.push(format!("t.deadline < {p} AND t.completed_on IS NULL"));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = q.bind(Arg::S(format!("%{}%", text.replace(['%', '_'], ""))));
        conds.push(format!(
            "(t.title LIKE {p} OR t.body LIKE {p} OR t.number LIKE {p} OR t.units_text LIKE {p})"
        ));
    }
    conds.join(" AND ")
}

/// Units and areas of the given tasks.
async fn task_units(s: &SqlStore, ids: &[Id]) -> StoreResult<HashMap<Id, Vec<TaskUnitArea>>> {
    let mut out: HashMap<Id, Vec<TaskUnitArea>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Q::new("");
    let list = q.bind_ids(ids);
    q.push(&format!(
        "SELECT tu.task_id, tu.role, u.id AS unit_id, u.name, u.area, tu.written_as FROM task_units tu \
         JOIN units w ON w.id = tu.unit_id JOIN units u ON u.id = COALESCE(w.current_id, w.id) \
         WHERE tu.task_id IN ({list}) ORDER BY tu.task_id, tu.ord"
    ));
    for r in q.query().all(&s.pool).await? {
        out.entry(r.col("task_id")?)
            .or_default()
            .push(TaskUnitArea {
                unit: TaskUnit {
                    unit_id: r.col("unit_id")?,
                    unit_name: r.col("name")?,
                    written_as: r.col("written_as")?,
                    role: link_role(&r)?,
                },
                area: r.col("area")?,
            });
    }
    Ok(out)
}

struct TaskUnitArea {
    unit: TaskUnit,
    area: Option<String>,
}

fn names(units: &[TaskUnitArea], role: luoshi_doc::Role) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in units.iter().filter(|u| u.unit.role == role) {
        if !out.contains(&u.unit.unit_name) {
            out.push(u.unit.unit_name.clone());
        }
    }
    out
}

fn areas(units: &[TaskUnitArea]) -> Vec<String> {
    let mut out: Vec<String> = units.iter().filter_map(|u| u.area.clone()).collect();
    out.sort();
    out.dedup();
    out
}

const TASK_COLUMNS: &str =
    "t.id, t.document_id, d.title AS document_title, t.seq, t.number, t.title, t.body";

fn task_row(r: &sqlx::any::AnyRow, units: &[TaskUnitArea]) -> StoreResult<TaskRow> {
    Ok(TaskRow {
        id: r.col("id")?,
        document_id: r.col("document_id")?,
        document_title: r.col("document_title")?,
        seq: r.col("seq")?,
        number: r.col("number")?,
        title: r.col("title")?,
        text: r.col("body")?,
        lead: names(units, luoshi_doc::Role::Lead),
        support: names(units, luoshi_doc::Role::Support),
        areas: areas(units),
    })
}

/// Whether a listing can be answered from the task_units index alone: a unit filter, no text or
/// area condition, and a scope that adds nothing to the unit filter.
fn unit_fast_path(f: &TaskFilter) -> Option<&[Id]> {
    let units = f.units.as_deref()?;
    if units.is_empty()
        || f.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        || f.area.is_some()
        || f.overdue_on.is_some()
    {
        return None;
    }
    match &f.scope {
        Scope::All => Some(units),
        Scope::Units(ids) if units.iter().all(|u| ids.contains(u)) => Some(units),
        _ => None,
    }
}

/// The condition on task_units (alias `tu`) for the fast path.
fn unit_where(q: &mut Q, f: &TaskFilter, units: &[Id]) -> String {
    let ids = q.bind_ids(units);
    let mut cond = format!("tu.unit_id IN ({ids}) AND tu.live = 1");
    if f.lead_only {
        cond.push_str(" AND tu.role = 'lead'");
    }
    if let Some(d) = f.document {
        let lo = q.bind(Arg::I(d * SORT_STRIDE));
        let hi = q.bind(Arg::I((d + 1) * SORT_STRIDE));
        cond.push_str(&format!(" AND tu.sort_key >= {lo} AND tu.sort_key < {hi}"));
    }
    cond
}

/// A unit's list: ids and order from the index, then the page's rows.
async fn unit_tasks(
    s: &SqlStore,
    f: &TaskFilter,
    units: &[Id],
    page: Page,
) -> StoreResult<(i64, Vec<Id>)> {
    // A task links a unit once, so one unit's rows need no DISTINCT, and its index range is
    // already in ledger order: the page is read without sorting. A family (several units) may
    // name one task twice and is grouped.
    let single = units.len() == 1;
    let mut count = Q::new("");
    let cond = unit_where(&mut count, f, units);
    let what = if single {
        "COUNT(*)"
    } else {
        "COUNT(DISTINCT tu.task_id)"
    };
    count.push(&format!("SELECT {what} FROM task_units tu WHERE {cond}"));
    let total = count.fetch_i64(&s.pool).await?;
    let mut q = Q::new("");
    let cond = unit_where(&mut q, f, units);
    let lim = q.bind(Arg::I(page.limit));
    let off = q.bind(Arg::I(page.offset));
    if single {
        q.push(&format!(
            "SELECT tu.task_id FROM task_units tu WHERE {cond} \
             ORDER BY tu.sort_key, tu.task_id LIMIT {lim} OFFSET {off}"
        ));
    } else {
        q.push(&format!(
            "SELECT tu.task_id, MIN(tu.sort_key) AS k FROM task_units tu WHERE {cond} \
             GROUP BY tu.task_id ORDER BY k, tu.task_id LIMIT {lim} OFFSET {off}"
        ));
    }
    let ids = q
        .query()
        .all(&s.pool)
        .await?
        .iter()
        .map(|r| r.col::<i64, _>(0))
        .collect::<StoreResult<_>>()?;
    Ok((total, ids))
}

/// A condition limiting task links (alias `tu`) to the tasks a scope sees.
fn link_scope(q: &mut Q, scope: &Scope) -> String {
    match scope {
        Scope::All => "1 = 1".to_string(),
        _ => format!(
            "tu.task_id IN (SELECT t.id FROM tasks t WHERE {})",
            scope_condition(q, scope, "t")
        ),
    }
}

/// The front page's figures. For the whole ledger the per-area and per-unit figures come from
/// the task_units links alone (live flag, one link per unit and task), without touching tasks.
pub(crate) async fn counts(s: &SqlStore, scope: &Scope) -> StoreResult<LedgerCounts> {
    let mut q = Q::new("");
    let cond = scope_condition(&mut q, scope, "t");
    q.push(&format!(
        "SELECT COUNT(*) AS tasks, COUNT(DISTINCT t.document_id) AS documents FROM tasks t \
         WHERE t.retired = 0 AND {cond}"
    ));
    let r = q.query().one(&s.pool).await?;
    let mut out = LedgerCounts {
        tasks: r.col("tasks")?,
        documents: r.col("documents")?,
        ..LedgerCounts::default()
    };
    // Units as they are today: a predecessor or a merged unit is carried by another.
    out.units = scalar("SELECT COUNT(*) FROM units WHERE current_id IS NULL")
        .one(&s.pool)
        .await?;
    let mut q = Q::new("");
    let cond = link_scope(&mut q, scope);
    q.push(&format!(
        "SELECT u.area, COUNT(DISTINCT tu.task_id) AS n FROM units u \
         JOIN task_units tu ON tu.unit_id = u.id AND tu.live = 1 \
         WHERE u.area IS NOT NULL AND {cond} GROUP BY u.area ORDER BY u.area"
    ));
    for r in q.query().all(&s.pool).await? {
        out.by_area.push((r.col("area")?, r.col("n")?));
    }
    let mut q = Q::new("");
    let cond = link_scope(&mut q, scope);
    q.push(&format!(
        "SELECT u.name, u.id, c.n FROM (SELECT COALESCE(w.current_id, w.id) AS unit_id, \
           COUNT(DISTINCT tu.task_id) AS n FROM task_units tu JOIN units w ON w.id = tu.unit_id \
           WHERE tu.live = 1 AND tu.role = 'lead' AND {cond} GROUP BY COALESCE(w.current_id, w.id)) c \
         JOIN units u ON u.id = c.unit_id ORDER BY c.n DESC, u.name LIMIT 10"
    ));
    for r in q.query().all(&s.pool).await? {
        out.top_leads
            .push((r.col("name")?, r.col("id")?, r.col("n")?));
    }
    Ok(out)
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn version_candidates(
        &self,
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
            .all(&self.pool)
            .await?
            .iter()
            .map(|r| r.col::<i64, _>(0))
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
        let rows = q.query().all(&self.pool).await?;
        let mut out = Vec::new();
        for r in rows {
            let document_id: Id = r.col("document_id")?;
            let extracted: Extracted =
                serde_json::from_str(&r.col::<String, _>("extracted")?).map_err(json_err)?;
            out.push(Candidate {
                document_id,
                version_id: r.col("version_id")?,
                version_no: r.col("version_no")?,
                extracted,
                tasks: live_tasks(self, document_id).await?,
            });
        }
        Ok(out)
    }

    async fn version_by_sha(&self, sha: &str) -> StoreResult<Option<(Id, Id)>> {
        let row = sqlx::query("SELECT document_id, id FROM versions WHERE sha256 = $1")
            .bind(sha.to_string())
            .maybe(&self.pool)
            .await?;
        row.map(|r| Ok((r.col(0)?, r.col(1)?))).transpose()
    }

    async fn apply_import(&self, actor: &Actor, plan: &ImportPlan) -> StoreResult<ImportOutcome> {
        import::apply_import(self, actor, plan).await
    }

    async fn documents(&self, scope: &Scope, page: Page) -> StoreResult<Paged<DocumentRow>> {
        let mut count = Q::new("");
        let cond = doc_condition(&mut count, scope);
        count.push(&format!("SELECT COUNT(*) FROM documents d WHERE {cond}"));
        let total = count.fetch_i64(&self.pool).await?;
        let mut q = Q::new("");
        let cond = doc_condition(&mut q, scope);
        let lim = q.bind(Arg::I(page.limit));
        let off = q.bind(Arg::I(page.offset));
        q.push(&format!(
            "SELECT {DOC_COLUMNS} FROM documents d WHERE {cond} ORDER BY d.id DESC LIMIT {lim} OFFSET {off}"
        ));
        let rows = q.query().all(&self.pool).await?;
        Ok(Paged {
            items: rows.iter().map(doc_row).collect::<StoreResult<_>>()?,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    async fn document(&self, id: Id) -> StoreResult<Option<DocumentDetail>> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let doc = doc_row(&row)?;
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE document_id = $1 ORDER BY version_no DESC"
        );
        let versions = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .all(&self.pool)
            .await?
            .iter()
            .map(version_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let parsed: String = scalar("SELECT parsed FROM versions WHERE id = $1")
            .bind(doc.latest_version_id)
            .one(&self.pool)
            .await?;
        let parsed: Document = serde_json::from_str(&parsed).map_err(json_err)?;
        Ok(Some(DocumentDetail {
            doc,
            versions,
            outline: parsed.outline,
            warnings: parsed.warnings,
        }))
    }

    async fn set_reporting_from(
        &self,
        actor: &Actor,
        document_id: Id,
        from: Option<luoshi_domain::calendar::Date>,
    ) -> StoreResult<DocumentRow> {
        corrections::set_reporting_from(self, actor, document_id, from).await
    }

    async fn set_document_status(
        &self,
        actor: &Actor,
        document_id: Id,
        status: luoshi_domain::ledger::DocumentStatus,
        ended_on: Option<luoshi_domain::calendar::Date>,
    ) -> StoreResult<DocumentRow> {
        corrections::set_document_status(self, actor, document_id, status, ended_on).await
    }

    async fn undo_import(&self, actor: &Actor, document_id: Id) -> StoreResult<()> {
        corrections::undo_import(self, actor, document_id).await?;
        self.leave_no_residue().await
    }

    async fn reopen_task(&self, actor: &Actor, id: Id, reason: &str) -> StoreResult<()> {
        corrections::reopen_task(self, actor, id, reason).await
    }

    async fn edit_task(
        &self,
        actor: &Actor,
        id: Id,
        edit: luoshi_store::ledger::TaskEdit,
    ) -> StoreResult<TaskDetail> {
        corrections::edit_task(self, actor, id, edit).await
    }

    async fn version(&self, id: Id) -> StoreResult<Option<VersionDetail>> {
        let sql = format!("SELECT {VERSION_COLUMNS}, parsed FROM versions WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(VersionDetail {
            version: version_row(&row)?,
            document: serde_json::from_str(&row.col::<String, _>("parsed")?).map_err(json_err)?,
        }))
    }

    async fn blob(&self, sha: &str) -> StoreResult<Option<Vec<u8>>> {
        let stored: Option<Vec<u8>> = scalar("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(sha.to_string())
            .maybe(&self.pool)
            .await?;
        stored
            .map(|b| crate::encryption::open(&b, crate::encryption::Purpose::File))
            .transpose()
    }

    async fn save_pending_import(&self, p: PendingImport) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Previews older than a day are abandoned.
        sqlx::query("DELETE FROM pending_imports WHERE created_at < $1")
            .bind(p.created_at - 86_400)
            .run(&mut *tx)
            .await?;
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
        .run(&mut *tx).await?;
        commit(tx).await
    }

    async fn pending_import(&self, token: &str, user_id: Id) -> StoreResult<Option<PendingImport>> {
        let row = sqlx::query(
            "SELECT token, user_id, file_name, bytes, extracted, parsed, created_at FROM pending_imports \
             WHERE token = $1 AND user_id = $2",
        )
        .bind(token.to_string())
        .bind(user_id)
        .maybe(&self.pool).await?;
        row.map(|r| {
            Ok(PendingImport {
                token: r.col("token")?,
                user_id: r.col("user_id")?,
                file_name: r.col("file_name")?,
                bytes: r.col("bytes")?,
                extracted: serde_json::from_str(&r.col::<String, _>("extracted")?)
                    .map_err(json_err)?,
                document: serde_json::from_str(&r.col::<String, _>("parsed")?).map_err(json_err)?,
                created_at: r.col("created_at")?,
            })
        })
        .transpose()
    }

    async fn delete_pending_import(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_imports WHERE token = $1")
            .bind(token.to_string())
            .run(&self.pool)
            .await?;
        self.leave_no_residue().await
    }

    async fn tasks(&self, f: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRow>> {
        if let Some(units) = unit_fast_path(f) {
            let (total, ids) = unit_tasks(self, f, units, page).await?;
            let mut q = Q::new("");
            let list = if ids.is_empty() {
                "0".to_string()
            } else {
                q.bind_ids(&ids)
            };
            q.push(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks t JOIN documents d ON d.id = t.document_id \
                 WHERE t.id IN ({list})"
            ));
            let rows = q.query().all(&self.pool).await?;
            let units_of = task_units(self, &ids).await?;
            let mut by_id: HashMap<Id, TaskRow> = HashMap::new();
            for r in &rows {
                let id: Id = r.col("id")?;
                let row = task_row(r, units_of.get(&id).map(Vec::as_slice).unwrap_or(&[]))?;
                by_id.insert(id, row);
            }
            let items = ids.iter().filter_map(|id| by_id.remove(id)).collect();
            return Ok(Paged {
                items,
                total,
                offset: page.offset,
                limit: page.limit,
            });
        }
        let mut count = Q::new("");
        let cond = task_where(&mut count, f);
        count.push(&format!("SELECT COUNT(*) FROM tasks t WHERE {cond}"));
        let total = count.fetch_i64(&self.pool).await?;
        let mut q = Q::new("");
        let cond = task_where(&mut q, f);
        let lim = q.bind(Arg::I(page.limit));
        let off = q.bind(Arg::I(page.offset));
        q.push(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks t JOIN documents d ON d.id = t.document_id WHERE {cond} \
             ORDER BY t.document_id, t.seq LIMIT {lim} OFFSET {off}"
        ));
        let rows = q.query().all(&self.pool).await?;
        let ids: Vec<Id> = rows
            .iter()
            .map(|r| r.col("id"))
            .collect::<StoreResult<_>>()?;
        let units = task_units(self, &ids).await?;
        let items = rows
            .iter()
            .zip(&ids)
            .map(|(r, id)| task_row(r, units.get(id).map(Vec::as_slice).unwrap_or(&[])))
            .collect::<StoreResult<_>>()?;
        Ok(Paged {
            items,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    async fn task(&self, id: Id) -> StoreResult<Option<TaskDetail>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS}, t.units_text, t.path, t.first_version_id, t.last_version_id, \
             t.deadline, t.corrected_at, t.completed_on FROM tasks t JOIN documents d ON d.id = t.document_id WHERE t.id = $1"
        );
        let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut units = task_units(self, &[id]).await?;
        let units = units.remove(&id).unwrap_or_default();
        let path: String = r.col("path")?;
        Ok(Some(TaskDetail {
            row: task_row(&r, &units)?,
            path: serde_json::from_str(&path).unwrap_or_default(),
            units_text: r.col("units_text")?,
            units: units.into_iter().map(|u| u.unit).collect(),
            first_version_id: r.col("first_version_id")?,
            last_version_id: r.col("last_version_id")?,
            deadline: r.opt_date("deadline")?,
            corrected_at: r.col("corrected_at")?,
            completed_on: r.opt_date("completed_on")?,
        }))
    }

    async fn ledger_counts(&self, scope: &Scope) -> StoreResult<LedgerCounts> {
        if *scope != Scope::All {
            return counts(self, scope).await;
        }
        if let Some((at, counts)) = self.counts_cache.lock().expect("not poisoned").as_ref()
            && at.elapsed() < COUNTS_TTL
        {
            return Ok(counts.clone());
        }
        let counts = counts(self, scope).await?;
        *self.counts_cache.lock().expect("not poisoned") =
            Some((std::time::Instant::now(), counts.clone()));
        Ok(counts)
    }
}
