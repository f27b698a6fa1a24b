//! Filing indicator values: the one check (`luoshi_domain::indicators::filing::check_filing`)
//! for every way a value comes in — with a unit's report (the reporting feature calls
//! [`check_inputs`]), the office's own entry on an indicator's page or through the API
//! ([`record`]), and a statistics sheet ([`preview_sheet`], [`import_sheet`]).

use std::collections::HashMap;

use luoshi_domain::indicators::filing::{Change, ValueOrigin, parse_period};
use luoshi_store::indicators::{Indicator, IndicatorFilter, NewValue};
use luoshi_store::{Actor, Id};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};

/// One value as a form or the API sends it: the fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueInput {
    /// From the path, where the route names the indicator.
    #[serde(default)]
    pub indicator_id: Id,
    /// Empty: this year.
    #[serde(default)]
    pub year: String,
    /// `year`, `Q1` … `Q4`, or the sheet's words (全年, 上半年, 1-9月 …).
    #[serde(default)]
    pub period: String,
    pub value: String,
    /// Empty: the indicator's unit.
    #[serde(default)]
    pub unit: String,
    /// 统计口径, 来源.
    #[serde(default)]
    pub source: String,
}

fn period_of(text: &str) -> Result<Option<u8>, String> {
    match text.trim() {
        "year" => Ok(None),
        t => parse_period(t),
    }
}

/// Each input checked against its indicator; the first wrong one refused, naming the indicator
/// and the field. An input with no value is no filing and is skipped. `owned`, when given, are
/// the indicators the filer may file (a report's task's and its unit's).
pub(crate) async fn check_inputs(
    state: &AppState,
    inputs: &[ValueInput],
    owned: Option<&[Indicator]>,
) -> AppResult<Vec<NewValue>> {
    let this_year = today(state).year;
    let mut out = Vec::new();
    for input in inputs.iter().filter(|i| !i.value.trim().is_empty()) {
        let indicator = match owned {
            Some(list) => list.iter().find(|i| i.id == input.indicator_id).cloned(),
            None => state.store.indicator(input.indicator_id).await?,
        };
        let Some(indicator) = indicator else {
            return Err(AppError::invalid(
                "not_your_indicator",
                format!(
                    "指标（编号 {}）不存在，或不属于本任务、未分配给本单位",
                    input.indicator_id
                ),
            ));
        };
        let named = |field: &str, reason: &str| {
            AppError::invalid(
                "bad_value",
                format!("指标“{}”的{field}：{reason}", indicator.subject),
            )
        };
        let year = match input.year.trim().trim_end_matches('年') {
            "" => this_year,
            y => y.parse().map_err(|_| named("年份", "应为四位年份"))?,
        };
        let quarter = period_of(&input.period).map_err(|r| named("期别", &r))?;
        let known = indicator.known();
        let value = luoshi_domain::indicators::filing::check_filing(
            &known,
            year,
            quarter,
            &input.value,
            &input.unit,
            this_year,
        )
        .map_err(|r| named(&r.field, &r.reason))?;
        let source = input.source.trim();
        out.push(NewValue {
            indicator_id: indicator.id,
            year,
            quarter,
            value,
            source: (!source.is_empty()).then(|| source.to_string()),
        });
    }
    Ok(out)
}

/// The indicators a unit may file with its report on a task: the task's own (targets in it)
/// and those the office assigned to the unit.
pub(crate) async fn of_filing(
    state: &AppState,
    task_id: Id,
    unit_id: Id,
) -> AppResult<Vec<Indicator>> {
    let mut list = state
        .store
        .indicators(&IndicatorFilter {
            task_id: Some(task_id),
            ..IndicatorFilter::default()
        })
        .await?;
    for i in state
        .store
        .indicators(&IndicatorFilter {
            unit_id: Some(unit_id),
            ..IndicatorFilter::default()
        })
        .await?
    {
        let assigned = i.units.iter().any(|u| !u.from_task && u.unit_id == unit_id);
        if assigned && !list.iter().any(|l| l.id == i.id) {
            list.push(i);
        }
    }
    Ok(list)
}

/// The office's own values (its page, the API): checked, then written as accepted.
pub(crate) async fn record(
    state: &AppState,
    actor: &Actor,
    inputs: &[ValueInput],
) -> AppResult<usize> {
    let values = check_inputs(state, inputs, None).await?;
    if values.is_empty() {
        return Err(AppError::bad_request("未填写任何数值"));
    }
    Ok(state
        .store
        .record_values(actor, ValueOrigin::Office, today(state), &values)
        .await?)
}

pub use luoshi_store::indicators::SheetPlan;

/// Reads a statistics sheet and plans it against every indicator; nothing is written.
pub(crate) async fn preview_sheet(state: &AppState, bytes: &[u8]) -> AppResult<SheetPlan> {
    Ok(luoshi_store::indicators::plan_sheet(&*state.store, bytes, today(state)).await?)
}

/// Imports a statistics sheet, all rows or none: the plan and how many values were written.
pub(crate) async fn import_sheet(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> AppResult<(SheetPlan, usize)> {
    Ok(luoshi_store::indicators::import_sheet(&*state.store, actor, bytes, today(state)).await?)
}

/// A sheet's changes grouped by indicator, for the preview: (subject and scope, changes).
pub fn by_indicator(changes: &[Change]) -> Vec<(String, Vec<&Change>)> {
    let mut order: Vec<Id> = Vec::new();
    let mut groups: HashMap<Id, (String, Vec<&Change>)> = HashMap::new();
    for c in changes {
        let g = groups.entry(c.indicator_id).or_insert_with(|| {
            order.push(c.indicator_id);
            let name = match &c.scope {
                Some(s) => format!("{}（{s}）", c.subject),
                None => c.subject.clone(),
            };
            (name, Vec::new())
        });
        g.1.push(c);
    }
    order
        .into_iter()
        .filter_map(|id| groups.remove(&id))
        .collect()
}
