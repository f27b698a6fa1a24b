//! The supervision pages (督查督办): items and their steps, the leading group's roster and
//! meetings (a decision becomes an item in one step), the inbox, and the office's settings with
//! the delivery log.
//!
//! Who may act on an item: the office takes the office's actions (交办, 催办, 审批延期, 审核, 评价,
//! 销号); the lead unit (or the unit that succeeded it) takes the unit's (签收, 反馈, 申请延期,
//! 办结). Others see the items of their units; anything else answers 404.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use luoshi_domain::access::Role;
use luoshi_domain::lights::Assessment;
use luoshi_domain::supervision::actions;
use luoshi_store::*;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::pages::{Msg, Nav, back, nav, page};
use crate::work::{item_light, today};

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

pub struct ItemLine {
    pub row: ItemRow,
    pub light: Assessment,
}

#[derive(Template)]
#[template(path = "items.html")]
struct ItemsPage {
    nav: Nav,
    items: Vec<ItemLine>,
    units: Vec<UnitSummary>,
    sources: Vec<(&'static str, &'static str)>,
    office: bool,
    today: String,
    open_only: bool,
    overdue: bool,
}

#[derive(Deserialize, Default)]
pub struct ItemsQuery {
    pub all: Option<String>,
    /// Only open items past their deadline (the overdue list).
    pub overdue: Option<String>,
    pub msg: Option<String>,
}

pub async fn items(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<ItemsQuery>,
) -> AppResult<Html<String>> {
    let user = &a.0.user;
    let units = crate::scope::item_units(&state, &a.0).await?;
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
    let day = today(&state);
    let office = user.role == Role::Admin;
    let overdue = q.overdue.is_some();
    let day_s = day.to_string();
    Ok(page(ItemsPage {
        nav: nav(&a, "items", q.msg),
        items: rows
            .into_iter()
            .filter(|row| !overdue || (!row.stage.is_closed() && row.due < day_s))
            .map(|row| ItemLine {
                light: item_light(&row, day, &settings.thresholds),
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
        today: day_s,
        open_only,
        overdue,
    }))
}

#[derive(Deserialize)]
pub struct NewItemForm {
    pub title: String,
    pub source: String,
    #[serde(default)]
    pub source_ref: String,
    pub lead_unit_id: Id,
    #[serde(default)]
    pub support: String,
    pub due: String,
    #[serde(default)]
    pub task_id: String,
}

/// Support units written as names separated by 、 or commas.
async fn unit_ids(state: &AppState, names: &str) -> AppResult<Vec<Id>> {
    let mut out = Vec::new();
    for n in names
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        out.push(unit_named(state, n).await?);
    }
    Ok(out)
}

/// The registry unit a written name (or alias) resolves to, or why not.
async fn unit_named(state: &AppState, name: &str) -> AppResult<Id> {
    Ok(state
        .store
        .unit_by_name(name)
        .await?
        .ok_or_else(|| AppError::bad_request(format!("单位“{name}”不在名录中")))?
        .id)
}

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
                        title: f.title,
                        source,
                        source_ref: f.source_ref,
                        task_id,
                        decision_id: None,
                        lead_unit_id: f.lead_unit_id,
                        support_unit_ids: support,
                        due: f.due,
                        opened_on: today(&state).to_string(),
                        assign: true,
                    },
                )
                .await?,
        )
    }
    .await;
    match made {
        Ok(item) => back(&format!("/items/{}", item.id), "已立项并交办"),
        Err(e) => back("/items", &e.message),
    }
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    nav: Nav,
    item: ItemDetail,
    light: Assessment,
    /// The actions this user may take now: (code, label, needs a note).
    actions: Vec<(&'static str, &'static str, bool)>,
    grades: Vec<(&'static str, &'static str)>,
}

pub async fn item(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Msg>,
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
    Ok(page(ItemPage {
        nav: nav(&a, "items", q.msg),
        light: item_light(&item.row, today(&state), &settings.thresholds),
        item,
        actions: open
            .into_iter()
            .map(|a| (a.code(), a.label(), a.needs_note()))
            .collect(),
        grades: Grade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
    }))
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

/// Takes one step on an item for the signed-in user, checking it is theirs to take.
pub async fn take_step(state: &AppState, a: &Auth, id: Id, f: StepForm) -> AppResult<ItemRow> {
    let item = visible_item(state, &a.0, id).await?;
    let action = Action::from_code(&f.action).ok_or_else(|| AppError::bad_request("未知操作"))?;
    let allowed = if action.by_office() {
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
                new_due: opt(&f.new_due),
                grade: Grade::from_code(&f.grade),
                today: today(state).to_string(),
                expected_stage: Stage::from_code(&f.stage),
            },
        )
        .await?)
}

pub async fn item_step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<StepForm>,
) -> Response {
    let here = format!("/items/{id}");
    match take_step(&state, &a, id, f).await {
        Ok(row) => back(&here, &format!("操作成功，当前状态：{}", row.stage.label())),
        Err(e)
            if matches!(
                e.status,
                axum::http::StatusCode::NOT_FOUND | axum::http::StatusCode::FORBIDDEN
            ) =>
        {
            e.into_response()
        }
        Err(e) => back(&here, &e.message),
    }
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    nav: Nav,
    members: Vec<Member>,
    meetings: Vec<Meeting>,
    units: Vec<UnitSummary>,
    users: Vec<User>,
    documents: Vec<DocumentRow>,
    office: bool,
}

pub async fn group(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<Msg>,
) -> AppResult<Html<String>> {
    let office = a.0.user.role == Role::Admin;
    Ok(page(GroupPage {
        nav: nav(&a, "group", q.msg),
        members: state.store.members().await?,
        meetings: state.store.meetings().await?,
        units: if office {
            state.store.units().await?
        } else {
            Vec::new()
        },
        users: if office {
            state.store.users().await?
        } else {
            Vec::new()
        },
        documents: if office {
            state
                .store
                .documents(&Scope::All, Page::new(0, 200))
                .await?
                .items
        } else {
            Vec::new()
        },
        office,
    }))
}

#[derive(Deserialize)]
pub struct MemberForm {
    pub role: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub liaison_user_id: String,
}

impl MemberForm {
    fn edit(self) -> AppResult<MemberEdit> {
        let id = |s: &str| -> AppResult<Option<Id>> {
            match s.trim() {
                "" => Ok(None),
                v => v
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::bad_request("编号应为数字")),
            }
        };
        Ok(MemberEdit {
            unit_id: id(&self.unit_id)?,
            liaison_user_id: id(&self.liaison_user_id)?,
            role: self.role,
            person: self.person,
            position: self.position,
        })
    }
}

pub async fn member_add(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<MemberForm>,
) -> Response {
    let result = match f.edit() {
        Ok(e) => state
            .store
            .add_members(&a.actor(), vec![e])
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => back("/group", "已添加成员"),
        Err(e) => back("/group", &e.message),
    }
}

pub async fn member_update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MemberForm>,
) -> Response {
    let result = match f.edit() {
        Ok(e) => state
            .store
            .update_member(&a.actor(), id, e)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => back("/group", "已保存"),
        Err(e) => back("/group", &e.message),
    }
}

pub async fn member_delete(State(state): State<AppState>, a: Auth, Path(id): Path<Id>) -> Response {
    match state.store.delete_member(&a.actor(), id).await {
        Ok(()) => back("/group", "已删除"),
        Err(e) => back("/group", &AppError::from(e).message),
    }
}

#[derive(Deserialize)]
pub struct RosterForm {
    pub document_id: Id,
}

/// Appends the roster read from a document's latest version (e.g. a 领导小组 annex).
pub async fn roster_import(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<RosterForm>,
) -> Response {
    let result = async {
        let doc = state
            .store
            .document(f.document_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let version = state
            .store
            .version(doc.doc.latest_version_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let roster = &version.document.roster;
        if roster.is_empty() {
            return Err(AppError::bad_request("该文件中没有识别到领导小组名单"));
        }
        let units = state.store.units().await?;
        let mut edits = Vec::new();
        for e in roster {
            // "自治区商务厅厅长" names its unit; link it when the registry knows it.
            let unit_id = units
                .iter()
                .filter(|u| e.position.starts_with(&u.unit.name))
                .max_by_key(|u| u.unit.name.chars().count())
                .map(|u| u.unit.id);
            edits.push(MemberEdit {
                role: e.role.clone(),
                person: e.name.clone(),
                position: e.position.clone(),
                unit_id,
                liaison_user_id: None,
            });
        }
        Ok(state.store.add_members(&a.actor(), edits).await?.len())
    }
    .await;
    match result {
        Ok(n) => back("/group", &format!("已导入 {n} 名成员")),
        Err(e) => back("/group", &e.message),
    }
}

#[derive(Deserialize)]
pub struct MeetingForm {
    pub kind: String,
    pub title: String,
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub summary: String,
    /// One decision a line: `text | lead unit | due` (the last two optional).
    #[serde(default)]
    pub decisions: String,
}

pub async fn meeting_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<MeetingForm>,
) -> Response {
    let result = async {
        let mut decisions = Vec::new();
        for line in f.decisions.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let mut parts = line.split(['|', '｜']).map(str::trim);
            let text = parts.next().unwrap_or("").to_string();
            let lead = match parts.next().filter(|s| !s.is_empty()) {
                None => None,
                Some(n) => Some(unit_named(&state, n).await?),
            };
            let due = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
            decisions.push(NewDecision {
                text,
                lead_unit_id: lead,
                due,
            });
        }
        Ok::<_, AppError>(
            state
                .store
                .create_meeting(
                    &a.actor(),
                    NewMeeting {
                        kind: f.kind,
                        title: f.title,
                        held_on: f.held_on,
                        place: f.place,
                        summary: f.summary,
                        decisions,
                    },
                )
                .await?,
        )
    }
    .await;
    match result {
        Ok(m) => back(&format!("/meetings/{}", m.id), "已记录会议"),
        Err(e) => back("/group", &e.message),
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    nav: Nav,
    meeting: Meeting,
    office: bool,
}

pub async fn meeting(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Msg>,
) -> AppResult<Html<String>> {
    let meeting = state
        .store
        .meeting(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(page(MeetingPage {
        nav: nav(&a, "group", q.msg),
        meeting,
        office: a.0.user.role == Role::Admin,
    }))
}

/// Opens and assigns a supervision item from a decision, in one step.
pub async fn decision_to_item(
    State(state): State<AppState>,
    a: Auth,
    Path((meeting_id, decision_id)): Path<(Id, Id)>,
) -> Response {
    let here = format!("/meetings/{meeting_id}");
    let result = async {
        let m = state
            .store
            .meeting(meeting_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let d = m
            .decisions
            .iter()
            .find(|d| d.id == decision_id)
            .ok_or_else(AppError::not_found)?;
        let lead = d
            .lead_unit_id
            .ok_or_else(|| AppError::bad_request("该议定事项未明确牵头单位，请先补充后再转督办"))?;
        let day = today(&state);
        let due = d
            .due
            .clone()
            .unwrap_or_else(|| day.add_days(30).to_string());
        Ok::<_, AppError>(
            state
                .store
                .create_item(
                    &a.actor(),
                    NewItem {
                        title: d.text.clone(),
                        source: ItemSource::Meeting,
                        source_ref: format!("{}（{}）", m.title, m.held_on),
                        task_id: None,
                        decision_id: Some(d.id),
                        lead_unit_id: lead,
                        support_unit_ids: Vec::new(),
                        due,
                        opened_on: day.to_string(),
                        assign: true,
                    },
                )
                .await?,
        )
    }
    .await;
    match result {
        Ok(item) => back(&format!("/items/{}", item.id), "已转为督办事项并交办"),
        Err(e) => back(&here, &e.message),
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    nav: Nav,
    rows: Paged<Notification>,
    pager: String,
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    pub offset: Option<i64>,
    pub msg: Option<String>,
}

pub async fn inbox(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<InboxQuery>,
) -> AppResult<Html<String>> {
    let rows = state
        .store
        .inbox(a.0.user.id, Page::new(q.offset.unwrap_or(0), 50))
        .await?;
    let pager = crate::pages::pager("/inbox", rows.offset, rows.limit, rows.total);
    Ok(page(InboxPage {
        nav: nav(&a, "inbox", q.msg),
        rows,
        pager,
    }))
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    pub id: Option<Id>,
}

pub async fn inbox_read(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<ReadForm>,
) -> AppResult<Redirect> {
    state.store.mark_read(a.0.user.id, f.id).await?;
    Ok(Redirect::to("/inbox"))
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: Nav,
    s: Settings,
    days: String,
    deliveries: Paged<Delivery>,
}

pub async fn settings(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<Msg>,
) -> AppResult<Html<String>> {
    let s = state.store.settings().await?;
    Ok(page(SettingsPage {
        nav: nav(&a, "settings", q.msg),
        days: s
            .reminder_days
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        s,
        deliveries: state.store.deliveries(Page::new(0, 100)).await?,
    }))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    pub yellow_days_left: i64,
    pub yellow_lag: f64,
    pub red_lag: f64,
    pub reminder_days: String,
    #[serde(default)]
    pub smtp_host: String,
    #[serde(default)]
    pub smtp_port: String,
    #[serde(default)]
    pub smtp_from: String,
    #[serde(default)]
    pub webhook: String,
}

pub async fn settings_save(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<SettingsForm>,
) -> Response {
    let parsed = (|| {
        let days = f
            .reminder_days
            .split(['、', ',', '，', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::bad_request("提醒天数应为逗号分隔的整数，如 7,3"))?;
        let smtp = if f.smtp_host.trim().is_empty() {
            None
        } else {
            Some(SmtpSettings {
                host: f.smtp_host.trim().to_string(),
                port: f
                    .smtp_port
                    .trim()
                    .parse()
                    .map_err(|_| AppError::bad_request("邮件服务器端口应为数字"))?,
                from: f.smtp_from.trim().to_string(),
            })
        };
        Ok::<_, AppError>(Settings {
            thresholds: Thresholds {
                yellow_days_left: f.yellow_days_left,
                yellow_lag: f.yellow_lag,
                red_lag: f.red_lag,
            },
            reminder_days: days,
            smtp,
            webhook: Some(f.webhook.trim().to_string()).filter(|w| !w.is_empty()),
        })
    })();
    let result = match parsed {
        Ok(s) => state
            .store
            .save_settings(&a.actor(), &s)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => back("/settings", "已保存设置"),
        Err(e) => back("/settings", &e.message),
    }
}

/// Runs the reminder job now (the office's button; the server also runs it hourly).
pub async fn reminders_now(State(state): State<AppState>, _a: Auth) -> Response {
    let settings = match state.store.settings().await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    match state
        .store
        .run_reminders(&today(&state).to_string(), &settings.reminder_days)
        .await
    {
        Ok(run) => back(
            "/items",
            &format!(
                "已检查 {} 个在办事项，发出催办 {} 条",
                run.items_checked, run.reminders_sent
            ),
        ),
        Err(e) => back("/items", &AppError::from(e).message),
    }
}

/// Whether an optional id is the given one (for `selected` in templates).
pub fn is(a: &Option<Id>, b: &Id) -> bool {
    *a == Some(*b)
}
