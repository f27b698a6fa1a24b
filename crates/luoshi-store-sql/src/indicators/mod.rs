//! Indicators in SQL: written by imports (every target of a version becomes a milestone of the
//! indicator of its subject and scope, in the import's transaction), read in bulk (one query
//! each for the indicators, their milestones and their units, however many are listed).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use async_trait::async_trait;
use luoshi_doc::{Document, Target};
use luoshi_domain::indicators::{Comparator, Decimal, Direction, Measure, Milestone};
use luoshi_domain::registry::unit_key;
use luoshi_store::indicators::{
    Baseline, Indicator, IndicatorFilter, IndicatorUnit, IndicatorsStore, Source, StoredMilestone,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{Arg, Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, now, scalar};

pub(crate) mod lights;
pub(crate) mod values;

/// A closed value's code as serde writes it (`level`, `>=`, `decrease`).
fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn from_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

pub(crate) fn decimal(text: &str, col: &str) -> StoreResult<Decimal> {
    Decimal::from_str(text)
        .map_err(|_| StoreError::Database(format!("bad decimal {text:?} in {col}"), None))
}

/// A parsed value as the decimal it was written as (700, 1.5).
fn written(v: f64) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_default()
}

/// The task a target sits in: the last task whose heading comes before it with no other heading
/// between them (a goals section's targets sit in none).
fn task_of(doc: &Document, task_ids: &[Id], line: usize) -> Option<Id> {
    fn heading_lines(nodes: &[luoshi_doc::OutlineNode], out: &mut Vec<usize>) {
        for n in nodes {
            out.push(n.line);
            heading_lines(&n.children, out);
        }
    }
    let mut headings = Vec::new();
    heading_lines(&doc.outline, &mut headings);
    let (i, task) = doc
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.line <= line)
        .max_by_key(|(_, t)| t.line)?;
    let interrupted = headings.iter().any(|h| *h > task.line && *h <= line);
    (!interrupted).then(|| task_ids.get(i).copied()).flatten()
}

/// The indicator a target belongs to, made when it is new. A target in another unit of measure
/// than the indicator's is converted (万元 → 亿元) or, when it cannot be, is its own indicator.
async fn indicator_for(tx: &mut Tx, t: &Target) -> StoreResult<(Id, String, Decimal)> {
    let value = written(t.value);
    let base_key = format!(
        "{}|{}|{}",
        unit_key(&t.subject),
        t.scope.as_deref().map(unit_key).unwrap_or_default(),
        code(&t.measure)
    );
    for key in [base_key.clone(), format!("{base_key}|{}", t.unit)] {
        // A merged indicator's wording lands on the one it was merged into.
        let row = sqlx::query(
            "SELECT COALESCE(k.id, i.id) AS id, COALESCE(k.unit, i.unit) AS unit FROM indicators i \
             LEFT JOIN indicators k ON k.id = i.merged_into WHERE i.key = $1",
        )
        .bind(key.clone())
        .maybe(&mut **tx)
        .await?;
        match row {
            Some(r) => {
                let unit: String = r.col("unit")?;
                if unit == t.unit {
                    return Ok((r.col("id")?, unit, value));
                }
                if let Ok(v) =
                    luoshi_domain::indicators::check_value(&value.to_string(), &t.unit, &unit)
                {
                    return Ok((r.col("id")?, unit, v));
                }
            }
            None => {
                let id: Id = scalar(
                    "INSERT INTO indicators (key, subject, scope, unit, measure, direction, base_year, \
                     cumulative, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(key)
                .bind(t.subject.clone())
                .bind(t.scope.clone())
                .bind(t.unit.clone())
                .bind(code(&t.measure))
                .bind(t.direction.as_ref().map(code))
                .bind(t.base_year.map(i64::from))
                .bind(i64::from(luoshi_domain::indicators::is_flow(
                    &t.subject, &t.unit, t.measure,
                )))
                .bind(now())
                .one(&mut **tx)
                .await?;
                return Ok((id, t.unit.clone(), value));
            }
        }
    }
    Err(StoreError::Database(
        format!("no indicator key left for {}", t.subject),
        None,
    ))
}

/// Writes a version's targets as the document's live milestones. A milestone the version
/// states as before stays (pointing at the new version); a changed or dropped one is kept as
/// history (`live = 0`) and a changed one gets a new row. `task_ids` are the version's tasks'
/// ids in order.
pub(crate) async fn write_targets(
    tx: &mut Tx,
    document_id: Id,
    version_id: Id,
    doc: &Document,
    task_ids: &[Id],
) -> StoreResult<()> {
    lights::drop_all_lights(tx).await?;
    let old = sqlx::query(
        "SELECT id, indicator_id, year, value, value_max, comparator FROM indicator_milestones \
         WHERE document_id = $1 AND live = 1",
    )
    .bind(document_id)
    .all(&mut **tx)
    .await?;
    // (indicator, year) → (milestone, value, value_max, comparator)
    type Stated = (Id, String, Option<String>, String);
    let mut old_rows: HashMap<(Id, i64), Stated> = HashMap::new();
    for r in &old {
        old_rows.insert(
            (r.col("indicator_id")?, r.col("year")?),
            (
                r.col("id")?,
                r.col("value")?,
                r.col("value_max")?,
                r.col("comparator")?,
            ),
        );
    }
    let mut kept: HashSet<Id> = HashSet::new();
    let mut seen: HashSet<(Id, i64)> = HashSet::new();
    for t in &doc.targets {
        // A target with no year is a statement, not a milestone.
        let Some(year) = t.year else { continue };
        let (indicator_id, unit, value) = indicator_for(tx, t).await?;
        // The same indicator and year twice in one document (a goal restated in a task): the
        // first statement counts.
        if !seen.insert((indicator_id, i64::from(year))) {
            continue;
        }
        let value_max = t.value_max.map(written).map(|v| {
            if unit == t.unit {
                v
            } else {
                luoshi_domain::indicators::check_value(&v.to_string(), &t.unit, &unit).unwrap_or(v)
            }
        });
        let task_id = task_of(doc, task_ids, t.line);
        let cmp = code(&t.comparator);
        let same = old_rows
            .get(&(indicator_id, i64::from(year)))
            .filter(|(_, v, max, c)| {
                Decimal::from_str(v).ok() == Some(value)
                    && max.as_deref().and_then(|m| Decimal::from_str(m).ok()) == value_max
                    && *c == cmp
            })
            .map(|r| r.0);
        if let Some(id) = same {
            kept.insert(id);
            sqlx::query(
                "UPDATE indicator_milestones SET version_id = $1, task_id = $2, line = $3, text = $4 \
                 WHERE id = $5",
            )
            .bind(version_id)
            .bind(task_id)
            .bind(t.line as i64)
            .bind(t.text.clone())
            .bind(id)
            .run(&mut **tx)
            .await?;
            continue;
        }
        let id: Id = scalar(
            "INSERT INTO indicator_milestones (indicator_id, year, value, value_max, comparator, unit, \
             document_id, version_id, task_id, line, text, live) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id",
        )
        .bind(indicator_id)
        .bind(i64::from(year))
        .bind(value.to_string())
        .bind(value_max.map(|v| v.to_string()))
        .bind(cmp)
        .bind(t.unit.clone())
        .bind(document_id)
        .bind(version_id)
        .bind(task_id)
        .bind(t.line as i64)
        .bind(t.text.clone())
        .one(&mut **tx)
        .await?;
        kept.insert(id);
    }
    for r in &old {
        let id: Id = r.col("id")?;
        if !kept.contains(&id) {
            sqlx::query("UPDATE indicator_milestones SET live = 0 WHERE id = $1")
                .bind(id)
                .run(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Removes the indicators no document states any more (after an import is undone).
pub(crate) async fn drop_orphans(tx: &mut Tx) -> StoreResult<()> {
    lights::drop_all_lights(tx).await?;
    let orphan = "SELECT id FROM indicators i WHERE NOT EXISTS \
                  (SELECT 1 FROM indicator_milestones m WHERE m.indicator_id = i.id) \
                  AND NOT EXISTS (SELECT 1 FROM indicators k WHERE k.merged_into = i.id) \
                  AND NOT EXISTS (SELECT 1 FROM indicator_values v WHERE v.indicator_id = i.id) \
                  AND i.merged_into IS NULL";
    for sql in [
        format!("DELETE FROM indicator_units WHERE indicator_id IN ({orphan})"),
        format!("DELETE FROM indicators WHERE id IN ({orphan})"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).run(&mut **tx).await?;
    }
    Ok(())
}

fn indicator_row(r: &AnyRow) -> StoreResult<Indicator> {
    let baseline = match (
        r.col::<Option<i64>, _>("baseline_year")?,
        r.col::<Option<String>, _>("baseline_value")?,
    ) {
        (Some(year), Some(value)) => Some(Baseline {
            year: year as i32,
            value: decimal(&value, "baseline_value")?,
            source: r.col("baseline_source")?,
        }),
        _ => None,
    };
    Ok(Indicator {
        id: r.col("id")?,
        subject: r.col("subject")?,
        scope: r.col("scope")?,
        unit: r.col("unit")?,
        measure: r.parsed("measure", from_code::<Measure>)?,
        direction: r.parsed_opt("direction", from_code::<Direction>)?,
        base_year: r.col::<Option<i64>, _>("base_year")?.map(|y| y as i32),
        cumulative: r.col::<i64, _>("cumulative")? != 0,
        baseline,
        milestones: Vec::new(),
        units: Vec::new(),
        actuals: Vec::new(),
        values: Vec::new(),
    })
}

fn milestone_row(r: &AnyRow) -> StoreResult<StoredMilestone> {
    let value_max: Option<String> = r.col("value_max")?;
    Ok(StoredMilestone {
        id: r.col("id")?,
        milestone: Milestone {
            year: r.col::<i64, _>("year")? as i32,
            value: decimal(&r.col::<String, _>("value")?, "value")?,
            value_max: value_max.map(|v| decimal(&v, "value_max")).transpose()?,
            comparator: r.parsed("comparator", from_code::<Comparator>)?,
        },
        unit: r.col("unit")?,
        source: Source {
            document_id: r.col("document_id")?,
            version_id: r.col("version_id")?,
            doc_number: r.col("doc_number")?,
            title: r.col("title")?,
            line: r.col("line")?,
            text: r.col("text")?,
            task_id: r.col("task_id")?,
        },
        live: r.col::<i64, _>("live")? != 0,
    })
}

/// Appends the filter's conditions to a query over `indicators i` (with a live milestone, not
/// merged away).
pub(crate) fn filtered(q: &mut Q, f: &IndicatorFilter) {
    q.push(
        " WHERE EXISTS (SELECT 1 FROM indicator_milestones m \
     WHERE m.indicator_id = i.id AND m.live = 1",
    );
    if let Some(d) = f.document_id {
        let p = q.bind(Arg::I(d));
        q.push(&format!(" AND m.document_id = {p}"));
    }
    if let Some(y) = f.year {
        let p = q.bind(Arg::I(i64::from(y)));
        q.push(&format!(" AND m.year = {p}"));
    }
    if let Some(t) = f.task_id {
        let p = q.bind(Arg::I(t));
        q.push(&format!(" AND m.task_id = {p}"));
    }
    q.push(") AND i.merged_into IS NULL");
    if let Some(s) = &f.scope {
        let p = q.bind(Arg::S(s.clone()));
        q.push(&format!(" AND i.scope = {p}"));
    }
    if let Some(u) = f.unit_id {
        // This unit, or a unit it carries today (a predecessor, a merged unit).
        let (a, b, c, d) = (
            q.bind(Arg::I(u)),
            q.bind(Arg::I(u)),
            q.bind(Arg::I(u)),
            q.bind(Arg::I(u)),
        );
        q.push(&format!(
            " AND (EXISTS (SELECT 1 FROM indicator_milestones m JOIN task_units tu \
             ON tu.task_id = m.task_id AND tu.live = 1 JOIN units n ON n.id = tu.unit_id \
             WHERE m.indicator_id = i.id AND m.live = 1 AND (n.id = {a} OR n.current_id = {b})) \
             OR EXISTS (SELECT 1 FROM indicator_units a JOIN units n ON n.id = a.unit_id \
             WHERE a.indicator_id = i.id AND (n.id = {c} OR n.current_id = {d})))"
        ));
    }
}

impl SqlStore {
    /// The indicators with these ids, with their milestones, units and values: four queries.
    pub(crate) async fn load_indicators(&self, ids: &[Id]) -> StoreResult<Vec<Indicator>> {
        self.load(ids, true).await
    }

    /// The indicators with these ids; with `values` false, without their values (three
    /// queries).
    pub(crate) async fn load(&self, ids: &[Id], values: bool) -> StoreResult<Vec<Indicator>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new("SELECT * FROM indicators WHERE id IN (");
        let list = q.bind_ids(ids);
        q.push(&list).push(") ORDER BY subject, scope, id");
        let mut out: Vec<Indicator> = q
            .rows(&self.pool)
            .await?
            .iter()
            .map(indicator_row)
            .collect::<StoreResult<_>>()?;
        let at: HashMap<Id, usize> = out.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        let mut q = Q::new(
            "SELECT m.*, d.doc_number, d.title FROM indicator_milestones m \
             JOIN documents d ON d.id = m.document_id WHERE m.indicator_id IN (",
        );
        let list = q.bind_ids(ids);
        q.push(&list)
            .push(") ORDER BY m.live DESC, m.year, m.document_id, m.id");
        for r in q.rows(&self.pool).await? {
            let indicator_id: Id = r.col("indicator_id")?;
            if let Some(&i) = at.get(&indicator_id) {
                out[i].milestones.push(milestone_row(&r)?);
            }
        }
        // Units: the live tasks' of the live milestones, then the office's assignments.
        let mut q = Q::new(
            "SELECT DISTINCT m.indicator_id, u.id AS unit_id, u.name, tu.role, tu.ord, 1 AS from_task \
             FROM indicator_milestones m JOIN task_units tu ON tu.task_id = m.task_id AND tu.live = 1 \
             JOIN units u ON u.id = COALESCE((SELECT current_id FROM units c WHERE c.id = tu.unit_id), tu.unit_id) \
             WHERE m.live = 1 AND m.indicator_id IN (",
        );
        let list = q.bind_ids(ids);
        q.push(&list).push(
            ") UNION ALL SELECT a.indicator_id, u.id AS unit_id, u.name, a.role, 0 AS ord, 0 AS from_task \
             FROM indicator_units a JOIN units u ON u.id = a.unit_id WHERE a.indicator_id IN (",
        );
        let list = q.bind_ids(ids);
        q.push(&list).push(") ORDER BY 1, 6 DESC, 5");
        for r in q.rows(&self.pool).await? {
            let indicator_id: Id = r.col("indicator_id")?;
            let Some(&i) = at.get(&indicator_id) else {
                continue;
            };
            let unit = IndicatorUnit {
                unit_id: r.col("unit_id")?,
                name: r.col("name")?,
                role: r.col("role")?,
                from_task: r.col::<i64, _>("from_task")? != 0,
            };
            // A unit named by two milestones' tasks is listed once, in its first role.
            if !out[i].units.iter().any(|u| u.unit_id == unit.unit_id) {
                out[i].units.push(unit);
            }
        }
        if values {
            let mut values = self.load_values(ids).await?;
            for i in out.iter_mut() {
                i.values = values.remove(&i.id).unwrap_or_default();
                i.actuals = values::actuals(&i.values);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl IndicatorsStore for SqlStore {
    async fn indicators(&self, f: &IndicatorFilter) -> StoreResult<Vec<Indicator>> {
        let mut q = Q::new("SELECT i.id FROM indicators i");
        filtered(&mut q, f);
        let ids: Vec<Id> = q
            .rows(&self.pool)
            .await?
            .iter()
            .map(|r| r.col(0))
            .collect::<StoreResult<_>>()?;
        self.load_indicators(&ids).await
    }

    async fn indicator_page(
        &self,
        f: &IndicatorFilter,
        light: Option<luoshi_domain::lights::Light>,
        t: &luoshi_domain::indicators::IndicatorThresholds,
        today: luoshi_domain::calendar::Date,
        page: luoshi_store::Page,
        with_values: bool,
    ) -> StoreResult<luoshi_store::indicators::IndicatorPage> {
        SqlStore::indicator_page(self, f, light, t, today, page, with_values).await
    }

    async fn indicator(&self, id: Id) -> StoreResult<Option<Indicator>> {
        Ok(self.load_indicators(&[id]).await?.into_iter().next())
    }

    async fn edit_indicator(
        &self,
        actor: &Actor,
        id: Id,
        subject: &str,
        scope: Option<&str>,
    ) -> StoreResult<()> {
        use luoshi_domain::limits::{NAME, TITLE, check_len};
        let subject = crate::sql::required_text(
            subject,
            "指标名称",
            TITLE,
            "subject_required",
            "指标名称不能为空",
        )?;
        let scope = scope.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = scope {
            check_len("范围", s, NAME).map_err(|m| StoreError::Invalid("too_long", m))?;
        }
        let mut tx = self.write().await?;
        let before = sqlx::query("SELECT subject, scope FROM indicators WHERE id = $1")
            .bind(id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = json!({
            "subject": before.col::<String, _>("subject")?,
            "scope": before.col::<Option<String>, _>("scope")?,
        });
        lights::drop_lights(&mut tx, &[id]).await?;
        sqlx::query("UPDATE indicators SET subject = $1, scope = $2 WHERE id = $3")
            .bind(subject.to_string())
            .bind(scope.map(str::to_string))
            .bind(id)
            .run(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "indicator.edit",
            "indicator",
            Some(id),
            Some(before),
            Some(json!({ "subject": subject, "scope": scope })),
        )
        .await?;
        commit(tx).await
    }

    async fn assign_units(&self, actor: &Actor, id: Id, units: &[(Id, String)]) -> StoreResult<()> {
        if let Some((_, role)) = units.iter().find(|(_, r)| r != "lead" && r != "support") {
            return Err(StoreError::Invalid(
                "bad_role",
                format!("角色应为牵头或配合：{role}"),
            ));
        }
        let mut tx = self.write().await?;
        let exists: Option<Id> = scalar("SELECT id FROM indicators WHERE id = $1")
            .bind(id)
            .maybe(&mut *tx)
            .await?;
        exists.ok_or(StoreError::NotFound)?;
        let before: Vec<(Id, String)> = sqlx::query(
            "SELECT unit_id, role FROM indicator_units WHERE indicator_id = $1 ORDER BY unit_id",
        )
        .bind(id)
        .all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.col("unit_id")?, r.col("role")?)))
        .collect::<StoreResult<_>>()?;
        sqlx::query("DELETE FROM indicator_units WHERE indicator_id = $1")
            .bind(id)
            .run(&mut *tx)
            .await?;
        let mut seen = HashSet::new();
        for (unit_id, role) in units {
            if !seen.insert(*unit_id) {
                continue;
            }
            sqlx::query(
                "INSERT INTO indicator_units (indicator_id, unit_id, role) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(*unit_id)
            .bind(role.clone())
            .run(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            actor,
            "indicator.units",
            "indicator",
            Some(id),
            Some(json!(before)),
            Some(json!(units)),
        )
        .await?;
        commit(tx).await
    }

    async fn merge_indicators(&self, actor: &Actor, keep: Id, drop: Id) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let mut facts = Vec::new();
        for id in [keep, drop] {
            let r = sqlx::query(
                "SELECT id, subject, unit, measure, merged_into, baseline_year FROM indicators WHERE id = $1",
            )
            .bind(id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            if r.col::<Option<Id>, _>("merged_into")?.is_some() {
                return Err(StoreError::Invalid(
                    "already_merged",
                    "该指标已并入其他指标".into(),
                ));
            }
            facts.push((
                r.col::<String, _>("subject")?,
                r.col::<String, _>("unit")?,
                r.parsed("measure", from_code::<Measure>)?,
                r.col::<Option<i64>, _>("baseline_year")?,
            ));
        }
        let (k, d) = (&facts[0], &facts[1]);
        if let Some(why) = luoshi_domain::indicators::merge_refusal(
            (keep, k.2, k.1.as_str()),
            (drop, d.2, d.1.as_str()),
        ) {
            return Err(StoreError::Invalid("merge_refused", why));
        }
        lights::drop_lights(&mut tx, &[keep, drop]).await?;
        for sql in [
            "UPDATE indicator_milestones SET indicator_id = $1 WHERE indicator_id = $2",
            "UPDATE indicator_values SET indicator_id = $1 WHERE indicator_id = $2",
            "INSERT INTO indicator_units (indicator_id, unit_id, role) SELECT $1, unit_id, role \
             FROM indicator_units d WHERE d.indicator_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM indicator_units k WHERE k.indicator_id = $1 AND k.unit_id = d.unit_id)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(keep)
                .bind(drop)
                .run(&mut *tx)
                .await?;
        }
        if k.3.is_none() && d.3.is_some() {
            // The kept indicator takes the other's baseline when it has none.
            sqlx::query(
                "UPDATE indicators SET baseline_year = (SELECT baseline_year FROM indicators WHERE id = $2), \
                 baseline_value = (SELECT baseline_value FROM indicators WHERE id = $2), \
                 baseline_source = (SELECT baseline_source FROM indicators WHERE id = $2) WHERE id = $1",
            )
            .bind(keep)
            .bind(drop)
            .run(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM indicator_units WHERE indicator_id = $1")
            .bind(drop)
            .run(&mut *tx)
            .await?;
        sqlx::query("UPDATE indicators SET merged_into = $1 WHERE id = $2")
            .bind(keep)
            .bind(drop)
            .run(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "indicator.merge",
            "indicator",
            Some(keep),
            Some(json!({ "merged": drop, "subject": d.0 })),
            Some(json!({ "into": keep, "subject": k.0 })),
        )
        .await?;
        commit(tx).await
    }

    async fn set_baseline(
        &self,
        actor: &Actor,
        id: Id,
        baseline: Option<Baseline>,
    ) -> StoreResult<()> {
        if let Some(b) = &baseline {
            if let Some(s) = &b.source {
                luoshi_domain::limits::check_len("来源", s, luoshi_domain::limits::REFERENCE)
                    .map_err(|m| StoreError::Invalid("too_long", m))?;
            }
            if !(1990..=2100).contains(&b.year) {
                return Err(StoreError::Invalid(
                    "bad_year",
                    format!("基期年份 {} 不在 1990–2100 之间", b.year),
                ));
            }
        }
        let mut tx = self.write().await?;
        let before = sqlx::query(
            "SELECT baseline_year, baseline_value, baseline_source FROM indicators WHERE id = $1",
        )
        .bind(id)
        .maybe(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = json!({
            "year": before.col::<Option<i64>, _>("baseline_year")?,
            "value": before.col::<Option<String>, _>("baseline_value")?,
            "source": before.col::<Option<String>, _>("baseline_source")?,
        });
        lights::drop_lights(&mut tx, &[id]).await?;
        sqlx::query(
            "UPDATE indicators SET baseline_year = $1, baseline_value = $2, baseline_source = $3 \
             WHERE id = $4",
        )
        .bind(baseline.as_ref().map(|b| i64::from(b.year)))
        .bind(baseline.as_ref().map(|b| b.value.to_string()))
        .bind(baseline.as_ref().and_then(|b| b.source.clone()))
        .bind(id)
        .run(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "indicator.baseline",
            "indicator",
            Some(id),
            Some(before),
            Some(json!(baseline)),
        )
        .await?;
        commit(tx).await
    }

    async fn known(
        &self,
        years: &[i32],
    ) -> StoreResult<Vec<luoshi_domain::indicators::filing::Known>> {
        self.known_for(years).await
    }

    async fn record_values(
        &self,
        actor: &Actor,
        origin: luoshi_domain::indicators::filing::ValueOrigin,
        filed_on: luoshi_domain::calendar::Date,
        vals: &[luoshi_store::indicators::NewValue],
    ) -> StoreResult<usize> {
        values::record_values(self, actor, origin, filed_on, vals).await
    }
}
