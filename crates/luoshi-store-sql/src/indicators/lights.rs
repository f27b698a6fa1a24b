//! Indicator lights kept as derived state: each indicator's light as judged on a day under the
//! thresholds then. A list reads them for its counts, its light filter and its page, and judges
//! again only the indicators whose row is missing or from another day or thresholds; every
//! write that changes what a light is judged on (values, reviews, milestones, baselines,
//! merges) drops the indicator's row in its own transaction. Several processes may judge the
//! same indicator at once: each writes the same row.

use luoshi_domain::calendar::Date;
use luoshi_domain::indicators::IndicatorThresholds;
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

impl SqlStore {
    pub(crate) async fn indicator_page(
        &self,
        f: &IndicatorFilter,
        light: Option<Light>,
        t: &IndicatorThresholds,
        today: Date,
        page: Page,
    ) -> StoreResult<IndicatorPage> {
        let (day, thresholds) = (today.to_string(), key(t));
        let mut q = Q::new("");
        let (d, k) = (
            q.bind(Arg::S(day.clone())),
            q.bind(Arg::S(thresholds.clone())),
        );
        q.push(&format!(
            "SELECT i.id, l.light FROM indicators i LEFT JOIN indicator_lights l \
             ON l.indicator_id = i.id AND l.day = {d} AND l.thresholds = {k}"
        ));
        filtered(&mut q, f);
        q.push(" ORDER BY i.subject, i.scope, i.id");
        let mut rows: Vec<(Id, Option<i64>)> = q
            .rows(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.col(0)?, r.col(1)?)))
            .collect::<StoreResult<_>>()?;
        let stale: Vec<Id> = rows
            .iter()
            .filter(|(_, l)| l.is_none())
            .map(|(id, _)| *id)
            .collect();
        if !stale.is_empty() {
            let mut judged = std::collections::HashMap::new();
            for chunk in stale.chunks(BATCH) {
                for i in self.load_indicators(chunk).await? {
                    judged.insert(i.id, i.status(t, today).light as i64);
                }
            }
            let mut tx = self.write().await?;
            for (id, l) in &judged {
                sqlx::query(
                    "INSERT INTO indicator_lights (indicator_id, day, thresholds, light) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (indicator_id) DO UPDATE SET \
                     day = excluded.day, thresholds = excluded.thresholds, light = excluded.light",
                )
                .bind(*id)
                .bind(day.clone())
                .bind(thresholds.clone())
                .bind(*l)
                .run(&mut *tx)
                .await?;
            }
            commit(tx).await?;
            for (id, l) in rows.iter_mut() {
                if l.is_none() {
                    *l = judged.get(id).copied();
                }
            }
        }
        let mut counts = [0usize; Light::COUNT];
        for (_, l) in &rows {
            if let Some(l) = l {
                counts[(*l as usize).min(Light::COUNT - 1)] += 1;
            }
        }
        let chosen: Vec<Id> = rows
            .iter()
            .filter(|(_, l)| light.is_none_or(|want| *l == Some(want as i64)))
            .map(|(id, _)| *id)
            .collect();
        let ids: Vec<Id> = chosen
            .iter()
            .skip(page.offset as usize)
            .take(page.limit as usize)
            .copied()
            .collect();
        Ok(IndicatorPage {
            items: self.load_indicators(&ids).await?,
            total: chosen.len(),
            counts,
        })
    }
}
