//! The office's corrections after import, as forms: a task's title, units (the first leads) and
//! 完成时限; a document's 废止 / 到期 from a day; undoing an import nothing refers to yet. The
//! store checks each by its rule in `luoshi_domain::ledger` and audits it with before and after.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, opt_date_field};
use crate::kit::names::unit_named;
use crate::kit::page::{back, refused};
use luoshi_domain::ledger::DocumentStatus;
use luoshi_store::Id;
use luoshi_store::ledger::TaskEdit;

#[derive(Deserialize)]
pub struct TaskEditForm {
    #[serde(default)]
    title: String,
    /// The lead unit, by name, alias or short form.
    #[serde(default)]
    lead: String,
    /// Support units separated by 、 or commas.
    #[serde(default)]
    support: String,
    #[serde(default)]
    deadline: String,
}

async fn task_edit_of(state: &AppState, f: TaskEditForm) -> AppResult<TaskEdit> {
    let lead = f.lead.trim();
    if lead.is_empty() {
        return Err(AppError::invalid("task_edit", "请填写牵头单位"));
    }
    let mut units = vec![unit_named(state, lead).await?];
    units.extend(crate::kit::names::unit_ids(state, &f.support).await?);
    Ok(TaskEdit {
        title: f.title,
        units,
        deadline: opt_date_field(Some(&f.deadline), "完成时限")?,
    })
}

/// Corrects a task (a parser misjudgement, a lead the office reassigns, a deadline).
pub async fn task_edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<TaskEditForm>,
) -> Response {
    let here = format!("/tasks/{id}");
    let result = async {
        let edit = task_edit_of(&state, f).await?;
        Ok::<_, AppError>(state.store.edit_task(&a.actor(), id, edit).await?)
    }
    .await;
    match result {
        Ok(_) => back(&here, "已更正任务，修改前后内容已记入操作日志"),
        Err(e) => refused(&here, &e.message),
    }
}

#[derive(Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    reason: String,
}

/// The office reopens a 办结 task, saying why.
pub async fn task_reopen(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ReopenForm>,
) -> Response {
    let here = format!("/tasks/{id}");
    match state.store.reopen_task(&a.actor(), id, &f.reason).await {
        Ok(()) => back(&here, "已重新打开任务：办结后的各期须补报"),
        Err(e) => refused(&here, &AppError::from(e).message),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    ended_on: String,
}

/// Marks a document 废止 or 到期 from a day (nothing is owed for later periods), or in force.
pub async fn document_status(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<StatusForm>,
) -> Response {
    let here = format!("/documents/{id}");
    let result = async {
        let status = DocumentStatus::from_code(&f.status)
            .ok_or_else(|| AppError::invalid("document_end", "文件状态应为有效、废止或到期"))?;
        let ended_on = opt_date_field(Some(&f.ended_on), "终止日期")?;
        Ok::<_, AppError>(
            state
                .store
                .set_document_status(&a.actor(), id, status, ended_on)
                .await?,
        )
    }
    .await;
    match result {
        Ok(d) => back(
            &here,
            &match d.ended_on {
                Some(day) => format!("已标记为{}：{day} 之后的各期不再应报", d.status.label()),
                None => "已恢复为有效文件".to_string(),
            },
        ),
        Err(e) => refused(&here, &e.message),
    }
}

/// Removes a document imported by mistake, if no report or item refers to its tasks.
pub async fn document_undo(State(state): State<AppState>, a: Auth, Path(id): Path<Id>) -> Response {
    match state.store.undo_import(&a.actor(), id).await {
        Ok(()) => back(
            "/documents",
            "已撤销导入：该文件及其任务已移除，记录保留在操作日志中",
        ),
        Err(e) => refused(&format!("/documents/{id}"), &AppError::from(e).message),
    }
}
