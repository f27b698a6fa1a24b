//! Indicator values in SQL: each row one version of one period's value. A unit's values are
//! written with its report's version (in the filing's transaction) and take that version's
//! review; the office's are accepted as written. A period's value today is its latest accepted
//! version.

use std::collections::{HashMap, HashSet};

use luoshi_domain::indicators::Point;
use luoshi_domain::indicators::filing::ValueOrigin;
use luoshi_domain::reporting::ReviewState;
use luoshi_store::indicators::{IndicatorValue, NewValue};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use super::decimal;
use crate::{Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, now, scalar};

const VALUE_COLUMNS: &str = "v.id, v.indicator_id, v.year, v.quarter, v.value, v.source, v.origin, \
    v.report_id, v.report_version, v.state, v.review_reason, v.filed_by_name, v.filed_at, \
    v.filed_on, u.name AS unit_name, i.subject, i.unit AS indicator_unit";

const VALUE_FROM: &str = "FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
    LEFT JOIN units w ON w.id = v.unit_id \
    LEFT JOIN units u ON u.id = COALESCE(w.current_id, w.id)";

fn value_row(r: &AnyRow) -> StoreResult<IndicatorValue> {
    let origin: String = r.col("origin")?;
    let state: String = r.col("state")?;
    let quarter: i64 = r.col("quarter")?;
    Ok(IndicatorValue {
        id: r.col("id")?,
        indicator_id: r.col("indicator_id")?,
        subject: r.col("subject")?,
        unit: r.col("indicator_unit")?,
        point: Point {
            year: r.col::<i64, _>("year")? as i32,
            quarter: (quarter > 0).then_some(quarter as u8),
            value: decimal(&r.col::<String, _>("value")?, "indicator_values.value")?,
        },
        source: r.col("source")?,
        origin: ValueOrigin::from_code(&origin)
            .ok_or_else(|| StoreError::Database(format!("unknown value origin {origin}"), None))?,
        report_id: r.col("report_id")?,
        report_version: r.col("report_version")?,
        unit_name: r.col("unit_name")?,
        state: ReviewState::from_code(&state)
            .ok_or_else(|| StoreError::Database(format!("unknown value state {state}"), None))?,
        review_reason: r.col("review_reason")?,
        filed_by: r.col("filed_by_name")?,
        filed_at: r.col("filed_at")?,
        filed_on: r.date("filed_on")?,
        version: 0,
    })
}

/// Numbers each period's versions (1 the first) and orders them newest first.
fn numbered(mut values: Vec<IndicatorValue>) -> Vec<IndicatorValue> {
    let mut count: HashMap<(Id, i32, Option<u8>), i64> = HashMap::new();
    for v in values.iter_mut() {
        let n = count
            .entry((v.indicator_id, v.point.year, v.point.quarter))
            .or_default();
        *n += 1;
        v.version = *n;
    }
    values.reverse();
    values
}

/// Each period's latest accepted value, by period.
pub(crate) fn actuals(values: &[IndicatorValue]) -> Vec<Point> {
    luoshi_store::indicators::latest_per_period(values, |v| v.state == ReviewState::Accepted)
        .into_iter()
        .map(|v| v.point.clone())
        .collect()
}

impl SqlStore {
    /// Every value of these indicators, every version, newest first per indicator.
    pub(crate) async fn load_values(
        &self,
        ids: &[Id],
    ) -> StoreResult<HashMap<Id, Vec<IndicatorValue>>> {
        let mut q = Q::new(&format!(
            "SELECT {VALUE_COLUMNS} {VALUE_FROM} WHERE v.indicator_id IN ("
        ));
        let list = q.bind_ids(ids);
        q.push(&list).push(") ORDER BY v.indicator_id, v.id");
        let values: Vec<IndicatorValue> = q
            .rows(&self.pool)
            .await?
            .iter()
            .map(value_row)
            .collect::<StoreResult<_>>()?;
        let mut out: HashMap<Id, Vec<IndicatorValue>> = HashMap::new();
        for v in numbered(values) {
            out.entry(v.indicator_id).or_default().push(v);
        }
        Ok(out)
    }

    /// The values filed with a report, every version, oldest first.
    pub(crate) async fn report_values(&self, report_id: Id) -> StoreResult<Vec<IndicatorValue>> {
        let sql =
            format!("SELECT {VALUE_COLUMNS} {VALUE_FROM} WHERE v.report_id = $1 ORDER BY v.id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(report_id)
            .all(&self.pool)
            .await?
            .iter()
            .map(value_row)
            .collect()
    }
}

/// What a report's version carried, for comparing a replayed submission.
pub(crate) async fn filed_with(
    tx: &mut Tx,
    report_id: Id,
    version: i64,
) -> StoreResult<Vec<(Id, i32, Option<u8>, String)>> {
    sqlx::query(
        "SELECT indicator_id, year, quarter, value FROM indicator_values \
         WHERE report_id = $1 AND report_version = $2 ORDER BY id",
    )
    .bind(report_id)
    .bind(version)
    .all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        let q: i64 = r.col("quarter")?;
        Ok((
            r.col("indicator_id")?,
            r.col::<i64, _>("year")? as i32,
            (q > 0).then_some(q as u8),
            decimal(&r.col::<String, _>("value")?, "value")?
                .normalize()
                .to_string(),
        ))
    })
    .collect()
}

/// The same list as [`filed_with`] reads back, from a submission.
pub(crate) fn as_filed(values: &[NewValue]) -> Vec<(Id, i32, Option<u8>, String)> {
    values
        .iter()
        .map(|v| {
            (
                v.indicator_id,
                v.year,
                v.quarter,
                v.value.normalize().to_string(),
            )
        })
        .collect()
}

fn check_source(v: &NewValue) -> StoreResult<()> {
    if let Some(s) = &v.source {
        luoshi_domain::limits::check_len("口径/来源", s, luoshi_domain::limits::REFERENCE)
            .map_err(|m| StoreError::Invalid("too_long", m))?;
    }
    if v.quarter.is_some_and(|q| !(1..=4).contains(&q)) {
        return Err(StoreError::Invalid("bad_period", "季度应为 1 到 4".into()));
    }
    Ok(())
}

/// What the insert of one value binds besides the value itself.
struct Filed<'a> {
    origin: ValueOrigin,
    report: Option<(Id, i64)>,
    unit_id: Option<Id>,
    state: ReviewState,
    actor: &'a Actor,
    at: i64,
    filed_on: String,
}

async fn insert(tx: &mut Tx, v: &NewValue, f: &Filed<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO indicator_values (indicator_id, year, quarter, value, source, origin, report_id, \
         report_version, unit_id, state, filed_by_name, filed_at, filed_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(v.indicator_id)
    .bind(i64::from(v.year))
    .bind(i64::from(v.quarter.unwrap_or(0)))
    .bind(v.value.normalize().to_string())
    .bind(v.source.clone())
    .bind(f.origin.code())
    .bind(f.report.map(|r| r.0))
    .bind(f.report.map(|r| r.1))
    .bind(f.unit_id)
    .bind(f.state.code())
    .bind(f.actor.name.clone())
    .bind(f.at)
    .bind(f.filed_on.clone())
    .run(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a report version's values, in the filing's transaction. Each must be an indicator of
/// the report's task (a target in it) or one the office assigned to the filing unit; anything
/// else is refused with the indicator named, and nothing of the filing is kept.
pub(crate) async fn file_with_report(
    tx: &mut Tx,
    actor: &Actor,
    (task_id, unit_id): (Id, Id),
    (report_id, version): (Id, i64),
    filed_on: &str,
    values: &[NewValue],
) -> StoreResult<()> {
    let mut seen = HashSet::new();
    for v in values {
        check_source(v)?;
        if !seen.insert((v.indicator_id, v.year, v.quarter)) {
            return Err(StoreError::Invalid(
                "value_twice",
                "同一指标的同一期别只能填一个数值".into(),
            ));
        }
        let owned: Option<String> = scalar(
            "SELECT i.subject FROM indicators i WHERE i.id = $1 AND i.merged_into IS NULL AND \
             (EXISTS (SELECT 1 FROM indicator_milestones m WHERE m.indicator_id = i.id \
               AND m.live = 1 AND m.task_id = $2) \
              OR EXISTS (SELECT 1 FROM indicator_units a JOIN units n ON n.id = a.unit_id \
               WHERE a.indicator_id = i.id AND COALESCE(n.current_id, n.id) = $3))",
        )
        .bind(v.indicator_id)
        .bind(task_id)
        .bind(unit_id)
        .maybe(&mut **tx)
        .await?;
        if owned.is_none() {
            return Err(StoreError::Invalid(
                "not_your_indicator",
                format!(
                    "指标（编号 {}）不属于本任务，也未分配给本单位，不能随本报告填报",
                    v.indicator_id
                ),
            ));
        }
    }
    let filed = Filed {
        origin: ValueOrigin::Report,
        report: Some((report_id, version)),
        unit_id: Some(unit_id),
        state: ReviewState::Submitted,
        actor,
        at: now(),
        filed_on: filed_on.to_string(),
    };
    for v in values {
        insert(tx, v, &filed).await?;
    }
    Ok(())
}

/// The office's review of a report's version reaches the values filed with it.
pub(crate) async fn review_with_report(
    tx: &mut Tx,
    (report_id, version): (Id, i64),
    state: ReviewState,
    reason: Option<&str>,
) -> StoreResult<()> {
    let touched: Vec<Id> = crate::scalar(
        "SELECT DISTINCT indicator_id FROM indicator_values WHERE report_id = $1 AND report_version = $2",
    )
    .bind(report_id)
    .bind(version)
    .all(&mut **tx)
    .await?;
    super::lights::drop_lights(tx, &touched).await?;
    sqlx::query(
        "UPDATE indicator_values SET state = $1, review_reason = $2 \
         WHERE report_id = $3 AND report_version = $4",
    )
    .bind(state.code())
    .bind(reason.map(str::to_string))
    .bind(report_id)
    .bind(version)
    .run(&mut **tx)
    .await?;
    Ok(())
}

/// The office's values: see `IndicatorsStore::record_values`.
pub(crate) async fn record_values(
    s: &SqlStore,
    actor: &Actor,
    origin: ValueOrigin,
    filed_on: luoshi_domain::calendar::Date,
    values: &[NewValue],
) -> StoreResult<usize> {
    if origin == ValueOrigin::Report {
        return Err(StoreError::Invalid(
            "value_origin",
            "单位的数值随报告填报".into(),
        ));
    }
    for v in values {
        check_source(v)?;
    }
    let mut tx = s.write().await?;
    // The accepted value of every period the values touch, read once.
    let ids: Vec<Id> = values
        .iter()
        .map(|v| v.indicator_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut years: Vec<Id> = values.iter().map(|v| i64::from(v.year)).collect();
    years.sort_unstable();
    years.dedup();
    let mut live: HashSet<Id> = HashSet::new();
    let mut current: HashMap<(Id, i32, u8), String> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = Q::new("SELECT id FROM indicators WHERE merged_into IS NULL AND id IN (");
        let list = q.bind_ids(chunk);
        q.push(&list).push(")");
        for r in q.query().all(&mut *tx).await? {
            live.insert(r.col(0)?);
        }
        // Only the years written: a period's accepted value is all the comparison needs.
        let mut q = Q::new(
            "SELECT indicator_id, year, quarter, value FROM indicator_values \
             WHERE state = 'accepted' AND indicator_id IN (",
        );
        let list = q.bind_ids(chunk);
        q.push(&list).push(") AND year IN (");
        let list = q.bind_ids(&years);
        q.push(&list).push(") ORDER BY id");
        for r in q.query().all(&mut *tx).await? {
            let value = decimal(&r.col::<String, _>("value")?, "value")?;
            current.insert(
                (
                    r.col("indicator_id")?,
                    r.col::<i64, _>("year")? as i32,
                    r.col::<i64, _>("quarter")? as u8,
                ),
                value.normalize().to_string(),
            );
        }
    }
    if let Some(v) = values.iter().find(|v| !live.contains(&v.indicator_id)) {
        return Err(StoreError::Invalid(
            "no_such_indicator",
            format!("没有编号为 {} 的指标（或已并入其他指标）", v.indicator_id),
        ));
    }
    let filed = Filed {
        origin,
        report: None,
        unit_id: None,
        state: ReviewState::Accepted,
        actor,
        at: now(),
        filed_on: filed_on.to_string(),
    };
    let mut written: HashMap<Id, Vec<serde_json::Value>> = HashMap::new();
    for v in values {
        let key = (v.indicator_id, v.year, v.quarter.unwrap_or(0));
        let text = v.value.normalize().to_string();
        if current.get(&key) == Some(&text) {
            continue;
        }
        insert(&mut tx, v, &filed).await?;
        written.entry(v.indicator_id).or_default().push(json!({
            "year": v.year,
            "period": luoshi_domain::indicators::filing::period_code(v.quarter),
            "value": text,
            "before": current.get(&key),
            "source": v.source,
        }));
        current.insert(key, text);
    }
    let count = written.values().map(Vec::len).sum();
    let mut ids: Vec<Id> = written.keys().copied().collect();
    ids.sort_unstable();
    super::lights::drop_lights(&mut tx, &ids).await?;
    for id in ids {
        audit(
            &mut tx,
            actor,
            "indicator.values",
            "indicator",
            Some(id),
            None,
            Some(json!({ "origin": origin.code(), "values": written[&id] })),
        )
        .await?;
    }
    commit(tx).await?;
    Ok(count)
}

impl SqlStore {
    /// See `IndicatorsStore::known`: four queries, none of which reads a value outside the
    /// given years and each indicator's latest accepted year.
    pub(crate) async fn known_for(
        &self,
        years: &[i32],
    ) -> StoreResult<Vec<luoshi_domain::indicators::filing::Known>> {
        use luoshi_domain::indicators::Measure;
        use luoshi_domain::indicators::filing::{Known, plan_years};
        let live = "i.merged_into IS NULL AND EXISTS (SELECT 1 FROM indicator_milestones m \
                    WHERE m.indicator_id = i.id AND m.live = 1)";
        let sql = format!(
            "SELECT i.id, i.subject, i.scope, i.unit, i.measure, i.baseline_year FROM indicators i \
             WHERE {live} ORDER BY i.id"
        );
        let mut out: Vec<Known> = Vec::new();
        let mut level: HashMap<Id, bool> = HashMap::new();
        let mut baseline: HashMap<Id, Option<i32>> = HashMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .all(&self.pool)
            .await?
        {
            let id: Id = r.col("id")?;
            let measure: String = r.col("measure")?;
            level.insert(
                id,
                serde_json::from_value::<Measure>(serde_json::Value::String(measure)).ok()
                    == Some(Measure::Level),
            );
            baseline.insert(
                id,
                r.col::<Option<i64>, _>("baseline_year")?.map(|y| y as i32),
            );
            out.push(Known {
                id,
                subject: r.col("subject")?,
                scope: r.col("scope")?,
                unit: r.col("unit")?,
                years: (0, 0),
                reference: None,
                current: HashMap::new(),
            });
        }
        // Live milestones: the plan's years, and the first target as the reference.
        let mut years_of: HashMap<Id, Vec<i32>> = HashMap::new();
        let mut first: HashMap<Id, (i32, String)> = HashMap::new();
        for r in sqlx::query(
            "SELECT indicator_id, year, value FROM indicator_milestones WHERE live = 1 \
             ORDER BY indicator_id, year",
        )
        .all(&self.pool)
        .await?
        {
            let id: Id = r.col("indicator_id")?;
            let year = r.col::<i64, _>("year")? as i32;
            years_of.entry(id).or_default().push(year);
            first.entry(id).or_insert((year, r.col("value")?));
        }
        // Accepted values of the years asked for and of each indicator's latest accepted year;
        // a period's later version wins.
        let mut q = Q::new(
            "SELECT v.indicator_id, v.year, v.quarter, v.value FROM indicator_values v \
             WHERE v.state = 'accepted' AND (v.year = (SELECT MAX(w.year) FROM indicator_values w \
             WHERE w.indicator_id = v.indicator_id AND w.state = 'accepted')",
        );
        if !years.is_empty() {
            let list = years
                .iter()
                .map(|y| q.bind(crate::Arg::I(i64::from(*y))))
                .collect::<Vec<_>>()
                .join(", ");
            q.push(&format!(" OR v.year IN ({list})"));
        }
        q.push(") ORDER BY v.id");
        let mut current: HashMap<
            Id,
            HashMap<(i32, Option<u8>), luoshi_domain::indicators::Decimal>,
        > = HashMap::new();
        for r in q.rows(&self.pool).await? {
            let quarter: i64 = r.col("quarter")?;
            current.entry(r.col("indicator_id")?).or_default().insert(
                (
                    r.col::<i64, _>("year")? as i32,
                    (quarter > 0).then_some(quarter as u8),
                ),
                decimal(&r.col::<String, _>("value")?, "value")?,
            );
        }
        for k in out.iter_mut() {
            let ys = years_of.remove(&k.id).unwrap_or_default();
            k.years = plan_years(&ys, baseline.get(&k.id).copied().flatten()).unwrap_or((0, 0));
            k.current = current.remove(&k.id).unwrap_or_default();
            let at = |&(y, q): &(i32, Option<u8>)| {
                Point {
                    year: y,
                    quarter: q,
                    value: Default::default(),
                }
                .at()
            };
            let latest = k
                .current
                .iter()
                .max_by(|a, b| at(a.0).total_cmp(&at(b.0)))
                .map(|(_, v)| *v);
            let target = first.get(&k.id).and_then(|(_, v)| decimal(v, "value").ok());
            k.reference = latest
                .or(target)
                .filter(|_| level.get(&k.id).copied().unwrap_or(false));
        }
        Ok(out)
    }
}
