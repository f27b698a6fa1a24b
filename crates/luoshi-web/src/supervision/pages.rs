//! The supervision pages (督办): the item list with lights and the overdue filter, opening an item
//! by hand, an item's page with the steps its viewer may take, and the reminder run on demand.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, Query, date_field, opt_date_field};
use crate::kit::names::unit_ids;
use crate::kit::page::{Nav, back, nav, page, refused};
use crate::supervision::steps::{StepForm, take_step, visible_item};
use luoshi_domain::accounts::{Access, Role};
use luoshi_domain::lights::Assessment;
use luoshi_domain::supervision::actions;
use luoshi_domain::supervision::item_light;
use luoshi_domain::supervision::{Action, Grade, next};
use luoshi_store::Id;
use luoshi_store::ledger::TaskRow;
use luoshi_store::registry::UnitSummary;
use luoshi_store::supervision::{ItemDetail, ItemFilter, ItemRow, ItemSource, NewItem};

pub struct ItemLine {
    pub row: ItemRow,
    pub light: Assessment,
}

#[derive(Template)]
#[template(path = "supervision/items.html")]
struct ItemsPage {
    nav: Nav,
    items: Vec<ItemLine>,
    units: Vec<UnitSummary>,
    sources: Vec<(&'static str, &'static str)>,
    office: bool,
    today: String,
    open_only: bool,
    overdue: bool,
    /// The task an item is being opened for (from the task's page), with its lead unit.
    for_task: Option<(TaskRow, Option<Id>)>,
    unit_names: Vec<String>,
    /// A refused 立项 form, shown again as typed, and why it was refused.
    draft: NewItemForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ItemsQuery {
    pub all: Option<String>,
    /// Only open items past their deadline (the overdue list).
    pub overdue: Option<String>,
    /// Open an item about this task (the link on a task's page).
    pub task: Option<Id>,
}

pub async fn items(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<ItemsQuery>,
) -> AppResult<Html<String>> {
    items_page(&state, &a, q, NewItemForm::default(), None).await
}

async fn items_page(
    state: &AppState,
    a: &Auth,
    q: ItemsQuery,
    draft: NewItemForm,
    error: Option<String>,
) -> AppResult<Html<String>> {
    let user = &a.0.user;
    let units = crate::kit::scope::item_units(state, &a.0).await?;
    let open_only = q.all.is_none();
    let rows = state
        .store
        .items(&ItemFilter {
            units,
            open_only,
            ..Default::default()
        })
        .await?;
    let settings = state.store.settings().await?;
    let day = today(state);
    let office = user.role == Role::Admin;
    let overdue = q.overdue.is_some();
    let for_task = match q.task.filter(|_| office) {
        None => None,
        Some(t) => {
            let task = state.store.task(t).await?.ok_or_else(AppError::not_found)?;
            let lead = task
                .units
                .iter()
                .find(|u| u.role.is_lead())
                .map(|u| u.unit_id);
            Some((task.row, lead))
        }
    };
    Ok(page(ItemsPage {
        nav: nav(a, "items"),
        items: rows
            .into_iter()
            .filter(|row| !overdue || (!row.stage.is_closed() && row.due < day))
            .map(|row| ItemLine {
                light: item_light(&row.progress_facts(), day, &settings.thresholds),
                row,
            })
            .collect(),
        units: if office {
            state.store.units().await?
        } else {
            Vec::new()
        },
        sources: ItemSource::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        office,
        today: day.to_string(),
        open_only,
        overdue,
        for_task,
        unit_names: if office {
            crate::kit::names::suggestions(state).await?
        } else {
            Vec::new()
        },
        draft,
        error,
    }))
}

#[derive(Deserialize, Default)]
pub struct NewItemForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_ref: String,
    #[serde(default)]
    pub lead_unit_id: Id,
    #[serde(default)]
    pub support: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub task_id: String,
}

/// Opens and assigns an item; a refused form comes back as typed, with the reason.
pub async fn item_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<NewItemForm>,
) -> Response {
    let made = async {
        let source =
            ItemSource::from_code(&f.source).ok_or_else(|| AppError::bad_request("请选择来源"))?;
        let task_id = match f.task_id.trim() {
            "" => None,
            t => Some(
                t.parse::<Id>()
                    .map_err(|_| AppError::bad_request("关联任务编号应为数字"))?,
            ),
        };
        let support = unit_ids(&state, &f.support).await?;
        Ok::<_, AppError>(
            state
                .store
                .create_item(
                    &a.actor(),
                    NewItem {
                        title: f.title.clone(),
                        source,
                        source_ref: f.source_ref.clone(),
                        task_id,
                        decision_id: None,
                        lead_unit_id: f.lead_unit_id,
                        support_unit_ids: support,
                        due: date_field(&f.due, "办理时限")?,
                        opened_on: today(&state),
                        assign: true,
                    },
                )
                .await?,
        )
    }
    .await;
    match made {
        Ok(item) => back(&format!("/items/{}", item.id), "已立项并交办"),
        Err(e) => {
            let status = e.status;
            let q = ItemsQuery {
                task: f.task_id.trim().parse().ok(),
                ..Default::default()
            };
            match items_page(&state, &a, q, f, Some(e.message)).await {
                Ok(html) => (status, html).into_response(),
                Err(e) => e.into_response(),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "supervision/item.html")]
struct ItemPage {
    nav: Nav,
    item: ItemDetail,
    /// The linked task as users know it: document, number, title.
    task: Option<TaskRow>,
    light: Assessment,
    /// The actions this user may take now: (code, label, needs a note, takes evidence).
    actions: Vec<(&'static str, &'static str, bool, bool)>,
    grades: Vec<(&'static str, &'static str)>,
    /// The viewer may write a 批示 on the item (a leader or the office, while it is not 销号).
    instruct: bool,
    max_files: usize,
}

pub async fn item(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Html<String>> {
    let item = visible_item(&state, &a.0, id).await?;
    let settings = state.store.settings().await?;
    let office = a.0.user.role == Role::Admin;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let is_lead = family.contains(&item.row.lead_unit_id) && a.0.user.role != Role::Leader;
    let mut open = Vec::new();
    if office {
        open.extend(actions(item.row.stage, true));
    }
    if is_lead {
        open.extend(actions(item.row.stage, false));
    }
    let task = match item.row.task_id {
        None => None,
        Some(t) => state.store.task(t).await?.map(|d| d.row),
    };
    Ok(page(ItemPage {
        nav: nav(&a, "items"),
        task,
        light: item_light(
            &item.row.progress_facts(),
            today(&state),
            &settings.thresholds,
        ),
        actions: open
            .into_iter()
            .map(|x| (x.code(), x.label(), x.needs_note(), x.takes_evidence()))
            .collect(),
        grades: Grade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        instruct: Access::Instruct.allows(a.0.user.role)
            && next(item.row.stage, Action::Instruct).is_ok(),
        max_files: crate::kit::attach::MAX_FILES,
        item,
    }))
}

/// A step from the item's page: a multipart form, so that 反馈 and 办结 can carry evidence (a
/// urlencoded post is read too).
pub async fn item_step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    req: axum::extract::Request,
) -> Response {
    let here = format!("/items/{id}");
    let step = async {
        let mb = state.config.max_upload / 1024 / 1024;
        let mut fields = crate::kit::attach::read_any(req, &state, mb).await?;
        let form = StepForm {
            action: fields.get("action"),
            note: fields.get("note"),
            progress: fields.get("progress"),
            new_due: fields.get("new_due"),
            grade: fields.get("grade"),
            stage: fields.get("stage"),
        };
        take_step(&state, &a, id, form, std::mem::take(&mut fields.files)).await
    };
    stepped(&here, step.await)
}

/// A 批示 on an item from its page (leaders and the office): recorded in its log and sent to the
/// lead unit; the stage stays.
pub async fn item_instruction(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<InstructionForm>,
) -> Response {
    let form = StepForm {
        action: Action::Instruct.code().into(),
        note: f.text,
        progress: String::new(),
        new_due: String::new(),
        grade: String::new(),
        stage: String::new(),
    };
    stepped(
        &format!("/items/{id}"),
        take_step(&state, &a, id, form, Vec::new()).await,
    )
}

/// An item's evidence file, for whoever may see the item.
pub async fn item_attachment(
    State(state): State<AppState>,
    a: Auth,
    Path((id, file)): Path<(Id, Id)>,
) -> AppResult<Response> {
    visible_item(&state, &a.0, id).await?;
    let (meta, bytes) = state
        .store
        .item_attachment(file)
        .await?
        .filter(|(m, _)| m.item_id == id)
        .ok_or_else(AppError::not_found)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, meta.mime.clone()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::kit::attach::disposition(&meta.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Where a step from a page goes: back to the item saying where it stands, or why not.
fn stepped(here: &str, result: AppResult<ItemRow>) -> Response {
    match result {
        Ok(row) if row.stage == luoshi_domain::supervision::Stage::StruckOff => {
            back(here, "操作成功，事项已销号")
        }
        Ok(row) => back(here, &format!("操作成功，当前状态：{}", row.stage.label())),
        Err(e)
            if matches!(
                e.status,
                axum::http::StatusCode::NOT_FOUND | axum::http::StatusCode::FORBIDDEN
            ) =>
        {
            e.into_response()
        }
        Err(e) => refused(here, &e.message),
    }
}

/// Runs the reminder job now (the office's button; the server also runs it hourly).
pub async fn reminders_now(State(state): State<AppState>, _a: Auth) -> Response {
    let settings = match state.store.settings().await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let items = state
        .store
        .run_reminders(today(&state), &settings.reminder_days)
        .await;
    let reports = crate::reporting::reminders::remind_on_schedule(&state).await;
    match items
        .map_err(AppError::from)
        .and_then(|i| reports.map(|r| (i, r)))
    {
        Ok((run, reports)) => back(
            "/items",
            &format!(
                "已检查 {} 个在办事项，发出催办 {} 条；信息报送催报 {} 项，涉及 {} 个单位",
                run.items_checked, run.reminders_sent, reports.reminders, reports.units
            ),
        ),
        Err(e) => refused("/items", &e.message),
    }
}

#[derive(Deserialize)]
pub struct InstructionForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub due: String,
}

/// A leader's 批示 on a task becomes a supervision item in one step: opened and assigned to the
/// task's lead unit (its support units help), citing who instructed and what.
pub async fn task_instruction(
    State(state): State<AppState>,
    a: Auth,
    Path(task_id): Path<Id>,
    Form(f): Form<InstructionForm>,
) -> Response {
    let here = format!("/tasks/{task_id}");
    let made = async {
        let task = crate::kit::scope::visible_task(&state, &a.0, task_id).await?;
        let lead = task
            .units
            .iter()
            .find(|u| u.role.is_lead())
            .map(|u| u.unit_id)
            .ok_or_else(|| {
                AppError::invalid("item_refers_to_nothing", "该任务没有牵头单位，请先更正任务")
            })?;
        let day = today(&state);
        let due = opt_date_field(Some(&f.due), "办理时限")?;
        let (title, source_ref, due) = luoshi_domain::supervision::instruction_item(
            &task.row.title,
            &a.0.user.display_name,
            &f.text,
            day,
            due,
        )
        .map_err(|m| AppError::invalid("instruction", m))?;
        let support = task
            .units
            .iter()
            .filter(|u| !u.role.is_lead() && u.unit_id != lead)
            .map(|u| u.unit_id)
            .collect();
        Ok::<_, AppError>(
            state
                .store
                .create_item(
                    &a.actor(),
                    NewItem {
                        title,
                        source: ItemSource::Instruction,
                        source_ref,
                        task_id: Some(task_id),
                        decision_id: None,
                        lead_unit_id: lead,
                        support_unit_ids: support,
                        due,
                        opened_on: day,
                        assign: true,
                    },
                )
                .await?,
        )
    }
    .await;
    match made {
        Ok(item) => back(
            &format!("/items/{}", item.id),
            "批示已转为督办事项，并交办牵头单位",
        ),
        Err(e) => refused(&here, &e.message),
    }
}
