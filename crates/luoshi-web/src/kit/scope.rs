//! What the signed-in user may see: the scope of their role and unit, and the 404 rule for objects
//! outside it.

use luoshi_domain::accounts::Role;
use luoshi_store::accounts::Session;
use luoshi_store::ledger::TaskDetail;
use luoshi_store::registry::{UnitDetail, UnitSummary};
use luoshi_store::{Id, Scope};

use crate::AppState;
use crate::kit::error::{AppError, AppResult};

/// The scope of a session's user.
pub async fn scope_of(state: &AppState, session: &Session) -> AppResult<Scope> {
    let user = &session.user;
    if user.role.sees_everything() {
        return Ok(Scope::All);
    }
    let family = state.store.unit_family(user.unit_id).await?;
    if user.role == Role::AreaCommittee {
        let unit = state.store.unit(user.unit_id).await?;
        if let Some(area) = unit.and_then(|u| u.unit.area) {
            return Ok(Scope::Area {
                area,
                units: family,
            });
        }
    }
    Ok(Scope::Units(family))
}

/// The units whose supervision items a session sees: `None` for the office and leaders (all),
/// otherwise the user's unit family.
pub async fn item_units(state: &AppState, session: &Session) -> AppResult<Option<Vec<Id>>> {
    if session.user.role.sees_everything() {
        Ok(None)
    } else {
        Ok(Some(state.store.unit_family(session.user.unit_id).await?))
    }
}

/// Whether a task lies in a scope.
pub fn task_in_scope(task: &TaskDetail, scope: &Scope) -> bool {
    match scope {
        Scope::All => true,
        Scope::Units(ids) => task.units.iter().any(|u| ids.contains(&u.unit_id)),
        Scope::Area { area, units } => {
            task.row.areas.contains(area) || task.units.iter().any(|u| units.contains(&u.unit_id))
        }
    }
}

/// Whether a unit's page is open to a scope: global roles see every unit, others their own family
/// (and an area committee the units sharing its area).
pub fn unit_in_scope(unit_id: Id, unit_area: Option<&str>, scope: &Scope) -> bool {
    match scope {
        Scope::All => true,
        Scope::Units(ids) => ids.contains(&unit_id),
        Scope::Area { area, units } => units.contains(&unit_id) || unit_area == Some(area.as_str()),
    }
}

/// A task the session may see, or 404.
pub async fn visible_task(state: &AppState, session: &Session, id: Id) -> AppResult<TaskDetail> {
    let task = state
        .store
        .task(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let scope = scope_of(state, session).await?;
    if task_in_scope(&task, &scope) {
        Ok(task)
    } else {
        Err(AppError::not_found())
    }
}

/// Whether a document holds any task in scope (documents outside answer 404).
pub async fn document_visible(state: &AppState, scope: &Scope, id: Id) -> AppResult<bool> {
    if *scope == Scope::All {
        return Ok(true);
    }
    let filter = luoshi_store::ledger::TaskFilter {
        scope: scope.clone(),
        document: Some(id),
        ..luoshi_store::ledger::TaskFilter::all()
    };
    let found = state
        .store
        .tasks(&filter, luoshi_store::Page::new(0, 1))
        .await?;
    Ok(found.total > 0)
}

/// A document the session may see (it holds a task in scope), or 404.
pub async fn visible_document(
    state: &AppState,
    session: &Session,
    id: Id,
) -> AppResult<(Scope, luoshi_store::ledger::DocumentDetail)> {
    let scope = scope_of(state, session).await?;
    if !document_visible(state, &scope, id).await? {
        return Err(AppError::not_found());
    }
    let doc = state
        .store
        .document(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((scope, doc))
}

/// A unit the session may see, or 404.
pub async fn visible_unit(state: &AppState, session: &Session, id: Id) -> AppResult<UnitDetail> {
    let unit = state
        .store
        .unit(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let scope = scope_of(state, session).await?;
    if unit_in_scope(unit.unit.id, unit.unit.area.as_deref(), &scope) {
        Ok(unit)
    } else {
        Err(AppError::not_found())
    }
}

/// The registry entries the session may see, with their task counts.
pub async fn visible_units(state: &AppState, session: &Session) -> AppResult<Vec<UnitSummary>> {
    let scope = scope_of(state, session).await?;
    let all = state.store.units().await?;
    Ok(all
        .into_iter()
        .filter(|u| unit_in_scope(u.unit.id, u.unit.area.as_deref(), &scope))
        .collect())
}

/// Who reads which filings (`reporting::may_read_report`): the office and leaders all; a unit its
/// own, and the contributions to the tasks it leads.
pub struct ReportReader {
    everything: bool,
    family: Vec<Id>,
}

impl ReportReader {
    /// A reader whose unit family is already known.
    pub fn with_family(session: &Session, family: Vec<Id>) -> ReportReader {
        ReportReader {
            everything: session.user.role.sees_everything(),
            family,
        }
    }

    pub async fn of(state: &AppState, session: &Session) -> AppResult<ReportReader> {
        Ok(ReportReader {
            everything: session.user.role.sees_everything(),
            family: if session.user.role.sees_everything() {
                Vec::new()
            } else {
                state.store.unit_family(session.user.unit_id).await?
            },
        })
    }

    /// Whether a filing by `unit` on a task led by `leads` is this reader's to read.
    pub fn may_read(&self, unit: Id, leads: &[Id]) -> bool {
        luoshi_domain::reporting::may_read_report(
            self.everything,
            self.family.contains(&unit),
            leads.iter().any(|l| self.family.contains(l)),
        )
    }

    /// Whether the reader may read a filing by `unit` on this task.
    pub fn may_read_on(&self, task: &TaskDetail, unit: Id) -> bool {
        let leads: Vec<Id> = task
            .units
            .iter()
            .filter(|u| u.role.is_lead())
            .map(|u| u.unit_id)
            .collect();
        self.may_read(unit, &leads)
    }
}

/// A filed report the session may read (its task in scope, and the filing its own or one on a
/// task it leads), or 404.
pub async fn visible_report(
    state: &AppState,
    session: &Session,
    id: Id,
) -> AppResult<luoshi_store::reporting::ReportDetail> {
    let report = state
        .store
        .report(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let task = visible_task(state, session, report.row.task_id).await?;
    if ReportReader::of(state, session)
        .await?
        .may_read_on(&task, report.row.unit_id)
    {
        Ok(report)
    } else {
        Err(AppError::not_found())
    }
}
