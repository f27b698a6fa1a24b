//! The use cases of an item that pages and API share: the item as this user may see it, and taking
//! a step (who may take which action is the domain's state machine).

use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::opt_date_field;
use luoshi_domain::accounts::{Access, Role};
use luoshi_domain::supervision::{Action, Grade, Stage};
use luoshi_store::Id;
use luoshi_store::accounts::Session;
use luoshi_store::supervision::{ItemDetail, ItemRow, ItemStep};

/// An item the session may see, or 404.
pub async fn visible_item(state: &AppState, session: &Session, id: Id) -> AppResult<ItemDetail> {
    let item = state
        .store
        .item(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if session.user.role.sees_everything() {
        return Ok(item);
    }
    let family = state.store.unit_family(session.user.unit_id).await?;
    if item.units.iter().any(|u| family.contains(&u.unit_id)) {
        Ok(item)
    } else {
        Err(AppError::not_found())
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    pub action: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub progress: String,
    #[serde(default)]
    pub new_due: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub stage: String,
}

/// Takes one step on an item for the signed-in user, checking it is theirs to take; `files` are
/// the evidence sent with it (checked by content here, refused on steps that take none).
pub async fn take_step(
    state: &AppState,
    a: &Auth,
    id: Id,
    f: StepForm,
    files: Vec<(String, Vec<u8>)>,
) -> AppResult<ItemRow> {
    let item = visible_item(state, &a.0, id).await?;
    let action = Action::from_code(&f.action).ok_or_else(|| AppError::bad_request("未知操作"))?;
    let allowed = if action.by_leader() {
        Access::Instruct.allows(a.0.user.role)
    } else if action.by_office() {
        a.0.user.role == Role::Admin
    } else {
        a.0.user.role != Role::Leader
            && state
                .store
                .unit_family(a.0.user.unit_id)
                .await?
                .contains(&item.row.lead_unit_id)
    };
    if !allowed {
        return Err(AppError::forbidden());
    }
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let progress = match opt(&f.progress) {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::bad_request("进度须为 0 到 100 的整数"))?,
        ),
    };
    Ok(state
        .store
        .item_step(
            &a.actor(),
            id,
            ItemStep {
                action,
                note: f.note,
                progress,
                new_due: opt_date_field(Some(&f.new_due), "延期日期")?,
                grade: Grade::from_code(&f.grade),
                today: today(state),
                expected_stage: Stage::from_code(&f.stage),
                attachments: crate::kit::attach::accept(files)?,
            },
        )
        .await?)
}
