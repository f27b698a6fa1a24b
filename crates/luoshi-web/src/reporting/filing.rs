//! Filing a report or a contribution: the use case the form and the API both call. The unit that
//! files is the user's own unit, or the predecessor it succeeded, whichever the task names; a
//! one-time key makes a double click or a retry file once.

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::scope::visible_task;
use crate::reporting::round::{Owed, owed_in_round, period_of};
use luoshi_domain::accounts::Role;
use luoshi_domain::reporting::ReportKind;
use luoshi_domain::reporting::round::Round;
use luoshi_domain::reporting::{Figure, WorkStatus};
use luoshi_store::Id;
use luoshi_store::reporting::ObligationFilter;
use luoshi_store::reporting::{ReportDraft, SubmitReport, Submitted};

/// A filing as the form or the API sends it.
pub struct Filing {
    pub status: String,
    pub progress: i64,
    pub narrative: String,
    pub figures: Vec<Figure>,
    /// Indicator values filed with the report.
    pub values: Vec<crate::indicators::filing::ValueInput>,
    pub files: Vec<(String, Vec<u8>)>,
    pub idem: Option<String>,
}

/// The signed-in user's obligation on a task for a period, if the period has begun and the user
/// may write: the obligation and the period.
async fn own_obligation(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: &str,
) -> AppResult<(Owed, luoshi_domain::periods::ReportPeriod)> {
    if a.0.user.role == Role::Leader {
        return Err(AppError::forbidden());
    }
    visible_task(state, &a.0, task_id).await?;
    // Filing needs the obligations only, not every version already filed.
    let (owed, period) = owed_for_period(state, task_id, period_key).await?;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let owes = owed
        .into_iter()
        .find(|o| family.contains(&o.ob.unit_id))
        .ok_or_else(|| AppError::bad_request("本单位在此任务中没有报送义务"))?;
    if period.start > today(state) {
        return Err(AppError::bad_request("该报送期尚未开始"));
    }
    Ok((owes, period))
}

/// A draft as the form sends it: the fields as typed.
pub struct DraftInput {
    pub status: String,
    pub progress: String,
    pub narrative: String,
    pub figures: String,
}

/// Keeps the signed-in user's unfinished filing as a draft (草稿): nothing is filed, nothing
/// counts, and the form starts from it next time.
pub async fn save_draft(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: &str,
    d: DraftInput,
) -> AppResult<()> {
    let (owes, period) = own_obligation(state, a, task_id, period_key).await?;
    state
        .store
        .save_draft(
            &a.actor(),
            ReportDraft {
                task_id,
                unit_id: owes.ob.unit_id,
                period: period.key(),
                status: WorkStatus::from_code(&d.status),
                progress: d
                    .progress
                    .trim()
                    .parse()
                    .ok()
                    .filter(|p| (0..=100).contains(p)),
                narrative: d.narrative,
                figures: d.figures,
                saved_at: 0,
                saved_by: String::new(),
            },
        )
        .await?;
    Ok(())
}

/// Files the signed-in user's obligation on a task for a period.
pub async fn file_report(
    state: &AppState,
    a: &Auth,
    task_id: Id,
    period_key: &str,
    f: Filing,
) -> AppResult<Submitted> {
    let (owes, period) = own_obligation(state, a, task_id, period_key).await?;
    let status =
        WorkStatus::from_code(&f.status).ok_or_else(|| AppError::bad_request("请选择推进状态"))?;
    let attachments = crate::kit::attach::accept(f.files)?;
    let values = if f.values.iter().all(|v| v.value.trim().is_empty()) {
        Vec::new()
    } else {
        use crate::indicators::filing::{check_inputs, of_filing};
        let owned = of_filing(state, task_id, owes.ob.unit_id).await?;
        check_inputs(state, &f.values, Some(&owned)).await?
    };
    let submitted = state
        .store
        .submit_report(
            &a.actor(),
            SubmitReport {
                task_id,
                unit_id: owes.ob.unit_id,
                kind: owes.kind,
                period: period.key(),
                due: period.due,
                filed_on: today(state),
                status,
                progress: f.progress,
                narrative: f.narrative,
                figures: f.figures,
                values,
                attachments,
                idempotency_key: f.idem.filter(|k| !k.is_empty()),
            },
        )
        .await?;
    Ok(submitted)
}

/// A task's obligations for one period (lead first, then contributions), and the period.
pub(crate) async fn owed_for_period(
    state: &AppState,
    task_id: Id,
    period_key: &str,
) -> AppResult<(Vec<Owed>, luoshi_domain::periods::ReportPeriod)> {
    let links = state
        .store
        .obligations(&ObligationFilter {
            task: Some(task_id),
            ..Default::default()
        })
        .await?;
    let first = links.first().ok_or_else(AppError::not_found)?;
    let period = period_of(first, period_key).ok_or_else(AppError::not_found)?;
    let mut owed: Vec<Owed> = owed_in_round(state, links, Round::of(period.end))
        .await?
        .into_iter()
        .filter(|o| o.period_key == period.key())
        .collect();
    owed.sort_by_key(|o| (o.kind != ReportKind::Task, o.ob.unit_name.clone()));
    Ok((owed, period))
}
