//! The ledger's reads: tasks filtered by scope, unit, role, area, document and text; one task;
//! counts for the front page; the audit log.

use std::collections::HashMap;

use luoshi_store::*;
use sqlx::Row;

use crate::docs::{SORT_STRIDE, scope_condition};
use crate::{Arg, Q, SqlStore, db_err};

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
        "SELECT tu.task_id, tu.role, tu.unit_id, u.name, u.area, tu.written_as FROM task_units tu \
         JOIN units u ON u.id = tu.unit_id WHERE tu.task_id IN ({list}) ORDER BY tu.task_id, tu.ord"
    ));
    for r in q.query().fetch_all(&s.pool).await.map_err(db_err)? {
        out.entry(r.try_get("task_id").map_err(db_err)?)
            .or_default()
            .push(TaskUnitArea {
                unit: TaskUnit {
                    unit_id: r.try_get("unit_id").map_err(db_err)?,
                    unit_name: r.try_get("name").map_err(db_err)?,
                    written_as: r.try_get("written_as").map_err(db_err)?,
                    role: r.try_get("role").map_err(db_err)?,
                },
                area: r.try_get("area").map_err(db_err)?,
            });
    }
    Ok(out)
}

struct TaskUnitArea {
    unit: TaskUnit,
    area: Option<String>,
}

fn names(units: &[TaskUnitArea], role: &str) -> Vec<String> {
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
        id: r.try_get("id").map_err(db_err)?,
        document_id: r.try_get("document_id").map_err(db_err)?,
        document_title: r.try_get("document_title").map_err(db_err)?,
        seq: r.try_get("seq").map_err(db_err)?,
        number: r.try_get("number").map_err(db_err)?,
        title: r.try_get("title").map_err(db_err)?,
        text: r.try_get("body").map_err(db_err)?,
        lead: names(units, "lead"),
        support: names(units, "support"),
        areas: areas(units),
    })
}

/// Whether a listing can be answered from the task_units index alone: a unit filter, no text or
/// area condition, and a scope that adds nothing to the unit filter.
fn unit_fast_path(f: &TaskFilter) -> Option<&[Id]> {
    let units = f.units.as_deref()?;
    if units.is_empty() || f.q.as_deref().is_some_and(|q| !q.trim().is_empty()) || f.area.is_some()
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
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(db_err))
        .collect::<StoreResult<_>>()?;
    Ok((total, ids))
}

pub(crate) async fn tasks(s: &SqlStore, f: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRow>> {
    if let Some(units) = unit_fast_path(f) {
        let (total, ids) = unit_tasks(s, f, units, page).await?;
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
        let rows = q.query().fetch_all(&s.pool).await.map_err(db_err)?;
        let units_of = task_units(s, &ids).await?;
        let mut by_id: HashMap<Id, TaskRow> = HashMap::new();
        for r in &rows {
            let id: Id = r.try_get("id").map_err(db_err)?;
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
    let total = count.fetch_i64(&s.pool).await?;
    let mut q = Q::new("");
    let cond = task_where(&mut q, f);
    let lim = q.bind(Arg::I(page.limit));
    let off = q.bind(Arg::I(page.offset));
    q.push(&format!(
        "SELECT {TASK_COLUMNS} FROM tasks t JOIN documents d ON d.id = t.document_id WHERE {cond} \
         ORDER BY t.document_id, t.seq LIMIT {lim} OFFSET {off}"
    ));
    let rows = q.query().fetch_all(&s.pool).await.map_err(db_err)?;
    let ids: Vec<Id> = rows
        .iter()
        .map(|r| r.try_get("id").map_err(db_err))
        .collect::<StoreResult<_>>()?;
    let units = task_units(s, &ids).await?;
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

pub(crate) async fn task(s: &SqlStore, id: Id) -> StoreResult<Option<TaskDetail>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS}, t.units_text, t.path, t.first_version_id, t.last_version_id \
         FROM tasks t JOIN documents d ON d.id = t.document_id WHERE t.id = $1"
    );
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let mut units = task_units(s, &[id]).await?;
    let units = units.remove(&id).unwrap_or_default();
    let path: String = r.try_get("path").map_err(db_err)?;
    Ok(Some(TaskDetail {
        row: task_row(&r, &units)?,
        path: serde_json::from_str(&path).unwrap_or_default(),
        units_text: r.try_get("units_text").map_err(db_err)?,
        units: units.into_iter().map(|u| u.unit).collect(),
        first_version_id: r.try_get("first_version_id").map_err(db_err)?,
        last_version_id: r.try_get("last_version_id").map_err(db_err)?,
    }))
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
    let r = q.query().fetch_one(&s.pool).await.map_err(db_err)?;
    let mut out = LedgerCounts {
        tasks: r.try_get("tasks").map_err(db_err)?,
        documents: r.try_get("documents").map_err(db_err)?,
        ..LedgerCounts::default()
    };
    out.units = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE merged_into IS NULL")
        .fetch_one(&s.pool)
        .await
        .map_err(db_err)?;
    let mut q = Q::new("");
    let cond = link_scope(&mut q, scope);
    q.push(&format!(
        "SELECT u.area, COUNT(DISTINCT tu.task_id) AS n FROM units u \
         JOIN task_units tu ON tu.unit_id = u.id AND tu.live = 1 \
         WHERE u.area IS NOT NULL AND {cond} GROUP BY u.area ORDER BY u.area"
    ));
    for r in q.query().fetch_all(&s.pool).await.map_err(db_err)? {
        out.by_area.push((
            r.try_get("area").map_err(db_err)?,
            r.try_get("n").map_err(db_err)?,
        ));
    }
    let mut q = Q::new("");
    let cond = link_scope(&mut q, scope);
    q.push(&format!(
        "SELECT u.name, u.id, c.n FROM (SELECT tu.unit_id, COUNT(*) AS n FROM task_units tu \
           WHERE tu.live = 1 AND tu.role = 'lead' AND {cond} GROUP BY tu.unit_id) c \
         JOIN units u ON u.id = c.unit_id ORDER BY c.n DESC, u.name LIMIT 10"
    ));
    for r in q.query().fetch_all(&s.pool).await.map_err(db_err)? {
        out.top_leads.push((
            r.try_get("name").map_err(db_err)?,
            r.try_get("id").map_err(db_err)?,
            r.try_get("n").map_err(db_err)?,
        ));
    }
    Ok(out)
}

pub(crate) async fn audit_log(s: &SqlStore, page: Page) -> StoreResult<Paged<AuditEntry>> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&s.pool)
        .await
        .map_err(db_err)?;
    let rows = sqlx::query(
        "SELECT id, at, user_id, actor, action, object_type, object_id, before_json, after_json \
         FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    let parse = |v: Option<String>| v.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get("id").map_err(db_err)?,
                at: r.try_get("at").map_err(db_err)?,
                user_id: r.try_get("user_id").map_err(db_err)?,
                actor: r.try_get("actor").map_err(db_err)?,
                action: r.try_get("action").map_err(db_err)?,
                object_type: r.try_get("object_type").map_err(db_err)?,
                object_id: r.try_get("object_id").map_err(db_err)?,
                before: parse(r.try_get("before_json").map_err(db_err)?),
                after: parse(r.try_get("after_json").map_err(db_err)?),
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Paged {
        items,
        total,
        offset: page.offset,
        limit: page.limit,
    })
}
