//! Indicator lights kept as derived state: each indicator's light as judged on a day under the
//! thresholds then. A list reads them for its counts, its light filter and its page, and judges
//! again only the indicators whose row is missing or from another day or thresholds; every
//! write that changes what a light is judged on (values, reviews, milestones, baselines,
//! merges) drops the indicator's row in its own transaction. Several processes may judge the
//! same indicator at once: each writes the same row.

use luoshi_domain::calendar::Date;
use luoshi_domain::indicators::{IndicatorThresholds, Point, Status};
use luoshi_domain::lights::Light;
use luoshi_store::indicators::{IndicatorFilter, IndicatorPage};
use luoshi_store::{Id, Page, StoreResult};

use super::filtered;
use crate::{Arg, Col, Q, Run, SqlStore, Tx, commit};

/// The thresholds as the key of a judged light.
fn key(t: &IndicatorThresholds) -> String {
    format!("{}/{}", t.yellow_lag, t.red_lag)
}

/// Drops the kept lights of these indicators (in the caller's transaction).
pub(crate) async fn drop_lights(tx: &mut Tx, ids: &[Id]) -> StoreResult<()> {
    for chunk in ids.chunks(500) {
        let mut q = Q::new("DELETE FROM indicator_lights WHERE indicator_id IN (");
        let list = q.bind_ids(chunk);
        q.push(&list).push(")");
        q.query().run(&mut **tx).await?;
    }
    Ok(())
}

/// Drops every kept light (an import or its undoing changes milestones of many indicators).
pub(crate) async fn drop_all_lights(tx: &mut Tx) -> StoreResult<()> {
    sqlx::query("DELETE FROM indicator_lights")
        .run(&mut **tx)
        .await?;
    Ok(())
}

/// Indicators judged per batch when lights are missing.
const BATCH: usize = 500;

/// The query over `indicators i` joined to their kept lights of `day` under `thresholds`,
/// filtered. Without a filter, the kept lights
/// alone (`l`): a kept light is only ever written for an indicator the filters select (a live
/// milestone, not merged) and is dropped when that changes, so its index answers the counts
/// and the page in order without visiting the indicators.
fn joined(select: &str, day: &str, thresholds: &str, f: &IndicatorFilter) -> Q {
    if *f == IndicatorFilter::default() {
        let mut q = Q::new("");
        let (d, k) = (
            q.bind(Arg::S(day.to_string())),
            q.bind(Arg::S(thresholds.to_string())),
        );
        q.push(&format!(
            "SELECT {} FROM indicator_lights l WHERE l.day = {d} AND l.thresholds = {k}",
            select.replace("i.id", "l.indicator_id")
        ));
        return q;
    }
    let mut q = Q::new("");
    let (d, k) = (
        q.bind(Arg::S(day.to_string())),
        q.bind(Arg::S(thresholds.to_string())),
    );
    q.push(&format!(
        "SELECT {select} FROM indicators i JOIN indicator_lights l \
         ON l.indicator_id = i.id AND l.day = {d} AND l.thresholds = {k}"
    ));
    filtered(&mut q, f);
    q
}

impl SqlStore {
    /// Judges the indicators the filter selects that have no light kept for this day and these
    /// thresholds, and keeps what it found (status and latest accepted value with it).
    async fn judge_missing(
        &self,
        f: &IndicatorFilter,
        t: &IndicatorThresholds,
        today: Date,
    ) -> StoreResult<()> {
        let (day, thresholds) = (today.to_string(), key(t));
        // Usually every light is kept: two counts say so without visiting the indicators.
        let missing: i64 = crate::scalar(
            "SELECT (SELECT COUNT(*) FROM indicators WHERE merged_into IS NULL) - \
             (SELECT COUNT(*) FROM indicator_lights WHERE day = $1 AND thresholds = $2)",
        )
        .bind(day.clone())
        .bind(thresholds.clone())
        .fetch_one(&self.pool)
        .await
        .map_err(crate::sql::db_err)?;
        if missing <= 0 {
            return Ok(());
        }
        // Which: the live indicators less the kept lights, two index scans set against each
        // other here. (A join of the two is planned as a scan of the lights per indicator when
        // PostgreSQL's statistics lag a burst of writes: 5,000² rows.)
        let mut q = Q::new("SELECT i.id FROM indicators i");
        filtered(&mut q, f);
        let live = q.rows(&self.pool).await?;
        let kept: std::collections::HashSet<Id> = crate::scalar(
            "SELECT indicator_id FROM indicator_lights WHERE day = $1 AND thresholds = $2",
        )
        .bind(day.clone())
        .bind(thresholds.clone())
        .fetch_all(&self.pool)
        .await
        .map_err(crate::sql::db_err)?
        .into_iter()
        .collect();
        let mut stale = Vec::new();
        for r in &live {
            let id: Id = r.col(0)?;
            if !kept.contains(&id) {
                stale.push(id);
            }
        }
        for chunk in stale.chunks(BATCH) {
            let judged: Vec<(Id, i64, String, String, String, Option<String>)> = self
                .load_indicators(chunk)
                .await?
                .iter()
                .map(|i| {
                    let status = i.status(t, today);
                    let latest = i.actuals.iter().max_by(|a, b| a.at().total_cmp(&b.at()));
                    (
                        i.id,
                        status.light as i64,
                        i.subject.clone(),
                        i.scope.clone().unwrap_or_default(),
                        serde_json::to_string(&status).unwrap_or_default(),
                        latest.and_then(|p| serde_json::to_string(p).ok()),
                    )
                })
                .collect();
            let mut tx = self.write().await?;
            for (id, light, subject, scope, status, latest) in judged {
                sqlx::query(
                    "INSERT INTO indicator_lights (indicator_id, day, thresholds, light, subject, scope, \
                     status, latest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (indicator_id) DO UPDATE SET day = excluded.day, \
                     thresholds = excluded.thresholds, light = excluded.light, \
                     subject = excluded.subject, scope = excluded.scope, \
                     status = excluded.status, latest = excluded.latest",
                )
                .bind(id)
                .bind(day.clone())
                .bind(thresholds.clone())
                .bind(light)
                .bind(subject)
                .bind(scope)
                .bind(status)
                .bind(latest)
                .run(&mut *tx)
                .await?;
            }
            commit(tx).await?;
        }
        Ok(())
    }

    /// See `IndicatorsStore::indicator_page`: the counts are one grouped query and the page one
    /// limited query over the kept lights; only the page's indicators are loaded.
    pub(crate) async fn indicator_page(
        &self,
        f: &IndicatorFilter,
        light: Option<Light>,
        t: &IndicatorThresholds,
        today: Date,
        page: Page,
        with_values: bool,
    ) -> StoreResult<IndicatorPage> {
        self.judge_missing(f, t, today).await?;
        let (day, thresholds) = (today.to_string(), key(t));
        let mut q = joined("l.light, COUNT(*)", &day, &thresholds, f);
        q.push(" GROUP BY l.light");
        let mut counts = [0usize; Light::COUNT];
        for r in q.rows(&self.pool).await? {
            let (l, n): (i64, i64) = (r.col(0)?, r.col(1)?);
            counts[(l as usize).min(Light::COUNT - 1)] += n as usize;
        }
        let total = match light {
            Some(l) => counts[l as usize],
            None => counts.iter().sum(),
        };
        let mut q = joined("i.id, l.status, l.latest", &day, &thresholds, f);
        if let Some(l) = light {
            let p = q.bind(Arg::I(l as i64));
            q.push(&format!(" AND l.light = {p}"));
        }
        let (lim, off) = (q.bind(Arg::I(page.limit)), q.bind(Arg::I(page.offset)));
        q.push(&format!(
            " ORDER BY l.subject, l.scope, l.indicator_id LIMIT {lim} OFFSET {off}"
        ));
        let mut kept = std::collections::HashMap::new();
        let mut ids = Vec::new();
        for r in q.rows(&self.pool).await? {
            let id: Id = r.col(0)?;
            let status: String = r.col(1)?;
            let latest: Option<String> = r.col(2)?;
            let status: Status = serde_json::from_str(&status).map_err(|e| {
                luoshi_store::StoreError::Database(format!("kept status of {id}: {e}"), None)
            })?;
            let latest: Option<Point> = latest.and_then(|l| serde_json::from_str(&l).ok());
            ids.push(id);
            kept.insert(id, (status, latest));
        }
        let mut items = Vec::with_capacity(ids.len());
        for mut i in self.load(&ids, with_values).await? {
            let Some((status, latest)) = kept.remove(&i.id) else {
                continue;
            };
            if !with_values {
                i.actuals = latest.into_iter().collect();
            }
            items.push((i, status));
        }
        Ok(IndicatorPage {
            items,
            total,
            counts,
        })
    }
}
