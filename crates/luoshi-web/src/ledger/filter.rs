//! A task query (`?unit=…&lead=1&area=…&document=…&q=…`) turned into a storage filter within the
//! session's scope: the task pages, the export and the API share it.

use serde::Deserialize;

use crate::AppState;
use crate::kit::error::AppResult;
use crate::kit::scope::scope_of;
use luoshi_store::accounts::Session;
use luoshi_store::ledger::TaskFilter;
use luoshi_store::{Id, StoreError};

/// Query of the ledger, shared by the API, the page and the export.
#[derive(Deserialize, Default, Clone)]
pub struct TaskQuery {
    /// A unit's id or any of its names (alias or predecessor's name).
    pub unit: Option<String>,
    pub lead: Option<String>,
    pub area: Option<String>,
    pub document: Option<Id>,
    pub q: Option<String>,
    /// `1`: only the tasks past their 完成时限 and not 办结.
    pub overdue: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl TaskQuery {
    pub fn lead_only(&self) -> bool {
        matches!(self.lead.as_deref(), Some("1" | "true" | "on"))
    }

    pub fn overdue_only(&self) -> bool {
        matches!(self.overdue.as_deref(), Some("1" | "true" | "on"))
    }
}

/// Builds the filter for a query in the session's scope. A unit is found by name, alias or short
/// form; an unknown or ambiguous one finds no tasks.
pub async fn task_filter(state: &AppState, s: &Session, q: &TaskQuery) -> AppResult<TaskFilter> {
    Ok(task_filter_resolved(state, s, q).await?.0)
}

/// The filter, and what a unit typed by name resolved to (for the page to say so).
pub async fn task_filter_resolved(
    state: &AppState,
    s: &Session,
    q: &TaskQuery,
) -> AppResult<(TaskFilter, Option<crate::kit::names::Resolved>)> {
    let scope = scope_of(state, s).await?;
    let mut resolved = None;
    let units = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(u) => {
            let id = match u.parse::<Id>() {
                Ok(id) => Some(id),
                Err(_) => {
                    let r = crate::kit::names::resolve(state, u).await?;
                    let id = match &r {
                        crate::kit::names::Resolved::Unit(id, _) => Some(*id),
                        _ => None,
                    };
                    resolved = Some(r);
                    id
                }
            };
            Some(match id {
                Some(id) => match state.store.unit_family(id).await {
                    Err(StoreError::NotFound) => Vec::new(),
                    family => family?,
                },
                None => Vec::new(),
            })
        }
    };
    let filter = TaskFilter {
        scope,
        units,
        lead_only: q.lead_only(),
        area: q.area.clone().filter(|a| !a.is_empty()),
        document: q.document,
        q: q.q.clone(),
        overdue_on: q.overdue_only().then(|| crate::kit::clock::today(state)),
    };
    Ok((filter, resolved))
}
