//! A round's obligations gathered from storage: every link's periods in the quarter, with the
//! report filed for each and where it stands. The rules that add them up (`Round`, `Standing`,
//! scorecards, figures, lights) are `luoshi_domain::reporting::round`.

use std::collections::HashMap;

use serde::Serialize;

use crate::AppState;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::scope::scope_of;
use luoshi_domain::calendar::Date;
use luoshi_domain::periods::{DueRule, PeriodKey, ReportPeriod};
use luoshi_domain::reporting::ReportKind;
use luoshi_domain::reporting::round::{ItemFacts, OwedFacts, Round, Standing};
use luoshi_store::accounts::Session;
use luoshi_store::reporting::{Obligation, ObligationFilter, ReportFilter, ReportRow};
use luoshi_store::supervision::ItemRow;
use luoshi_store::{Id, Scope};

/// The round asked for (`?round=2026-Q3`), or the current one.
pub fn round_param(state: &AppState, round: Option<&str>) -> AppResult<Round> {
    match round.filter(|r| !r.is_empty()) {
        None => Ok(Round::of(today(state))),
        Some(r) => Round::parse(r).ok_or_else(|| AppError::bad_request("报送轮次格式应为 2026-Q3")),
    }
}

/// One obligation in a round.
#[derive(Debug, Clone, Serialize)]
pub struct Owed {
    pub ob: Obligation,
    pub kind: ReportKind,
    pub period: ReportPeriod,
    pub period_key: PeriodKey,
    pub period_label: String,
    pub due: Date,
    pub report: Option<ReportRow>,
    pub standing: Standing,
}

impl Owed {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
    pub fn late_filed(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.late)
    }

    /// What the round's rules read of it.
    pub fn facts(&self) -> OwedFacts<'_> {
        OwedFacts {
            task_id: self.ob.task_id,
            unit_id: self.ob.unit_id,
            unit_name: &self.ob.unit_name,
            kind: self.kind,
            standing: self.standing,
            due: self.due,
            window: self.ob.window,
            report: self.report.as_ref().map(ReportRow::facts),
        }
    }
}

/// The rule a document's tasks report under.
pub fn rule_of(ob: &Obligation) -> DueRule {
    ob.due_rule.unwrap_or_default()
}

/// The period a key names for an obligation, if it is one of its rule's.
pub fn period_of(ob: &Obligation, key: &str) -> Option<ReportPeriod> {
    rule_of(ob).from_key(key)
}

/// Every obligation of `links` in `round`, with its report if filed. A task owes only the periods
/// its window allows (`TaskWindow::owes`): none before its document's reporting starts, none
/// after it was 办结.
pub async fn owed_in_round(
    state: &AppState,
    links: Vec<Obligation>,
    round: Round,
) -> AppResult<Vec<Owed>> {
    let today = today(state);
    let mut wanted: Vec<(Obligation, ReportPeriod)> = Vec::new();
    let mut keys = Vec::new();
    for ob in links {
        for p in rule_of(&ob)
            .periods_in_quarter(round.year, round.quarter)
            .into_iter()
            .filter(|p| ob.window.owes(p))
        {
            let k = p.key();
            if !keys.contains(&k) {
                keys.push(k);
            }
            wanted.push((ob.clone(), p));
        }
    }
    let units: Vec<Id> = {
        let mut u: Vec<Id> = wanted.iter().map(|(o, _)| o.unit_id).collect();
        u.sort_unstable();
        u.dedup();
        u
    };
    let reports = if wanted.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .reports(&ReportFilter {
                units: Some(units),
                periods: Some(keys),
                ..Default::default()
            })
            .await?
    };
    let mut by_key: HashMap<(Id, Id, ReportKind, PeriodKey), ReportRow> = HashMap::new();
    for r in reports {
        by_key.insert((r.task_id, r.unit_id, r.kind, r.period), r);
    }
    Ok(wanted
        .into_iter()
        .map(|(ob, period)| {
            let kind = if ob.role.is_lead() {
                ReportKind::Task
            } else {
                ReportKind::Contribution
            };
            let period_key = period.key();
            let report = by_key
                .get(&(ob.task_id, ob.unit_id, kind, period_key))
                .cloned();
            let standing = Standing::of(report.as_ref().map(|r| r.state), period.due, today);
            Owed {
                kind,
                period_label: period.label(),
                due: period.due,
                period_key,
                period,
                report,
                standing,
                ob,
            }
        })
        .collect())
}

/// The links a session may see: everything for the office and leaders, an area's for its
/// committee, a unit family's otherwise.
pub async fn visible_links(
    state: &AppState,
    session: &Session,
    mut filter: ObligationFilter,
) -> AppResult<Vec<Obligation>> {
    match scope_of(state, session).await? {
        Scope::All => {}
        Scope::Units(ids) => {
            filter.units = Some(match filter.units {
                Some(asked) => asked.into_iter().filter(|u| ids.contains(u)).collect(),
                None => ids,
            })
        }
        Scope::Area { area, units } => {
            let mut mine = state
                .store
                .obligations(&ObligationFilter {
                    units: Some(units),
                    ..filter.clone()
                })
                .await?;
            let area_links = state
                .store
                .obligations(&ObligationFilter {
                    area: Some(area),
                    ..filter
                })
                .await?;
            let mut seen: std::collections::HashSet<(Id, Id)> =
                mine.iter().map(|m| (m.task_id, m.unit_id)).collect();
            mine.extend(
                area_links
                    .into_iter()
                    .filter(|l| seen.insert((l.task_id, l.unit_id))),
            );
            return Ok(mine);
        }
    }
    Ok(state.store.obligations(&filter).await?)
}

/// What the round's rules read of each obligation.
pub fn owed_facts(owed: &[Owed]) -> Vec<OwedFacts<'_>> {
    owed.iter().map(Owed::facts).collect()
}

/// What the round's rules read of each item.
pub fn item_facts(items: &[ItemRow]) -> Vec<ItemFacts<'_>> {
    items.iter().map(ItemRow::round_facts).collect()
}
