//! The leading group's pages: roster (edited, or imported from a document's 组成人员名单), meetings
//! with their decisions, and a decision turned into a supervision item.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, date_field, opt_date_field};
use crate::kit::names::unit_named;
use crate::kit::page::{Nav, back, nav, page, refused};
use luoshi_domain::accounts::Role;
use luoshi_domain::group::{MeetingKind, MeetingView};
use luoshi_store::Id;
use luoshi_store::accounts::User;
use luoshi_store::group::{Meeting, Member, MemberEdit, NewDecision, NewMeeting, RosterSource};
use luoshi_store::registry::UnitSummary;
use luoshi_store::supervision::{ItemSource, NewItem};

#[derive(Template)]
#[template(path = "group/group.html")]
struct GroupPage {
    nav: Nav,
    members: Vec<Member>,
    meetings: Vec<Meeting>,
    units: Vec<UnitSummary>,
    users: Vec<User>,
    rosters: Vec<RosterSource>,
    office: bool,
    /// A refused meeting form, shown again as typed, and why it was refused.
    draft: MeetingForm,
    error: Option<String>,
    unit_names: Vec<String>,
}

pub async fn group(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    group_page(&state, &a, MeetingForm::default(), None).await
}

async fn group_page(
    state: &AppState,
    a: &Auth,
    draft: MeetingForm,
    error: Option<String>,
) -> AppResult<Html<String>> {
    let office = a.0.user.role == Role::Admin;
    Ok(page(GroupPage {
        nav: nav(a, "group"),
        members: state.store.members().await?,
        meetings: {
            let family = state.store.unit_family(a.0.user.unit_id).await?;
            let everything = a.0.user.role.sees_everything();
            state
                .store
                .meetings()
                .await?
                .into_iter()
                .filter_map(|m| as_seen(m, everything, &family))
                .collect()
        },
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
        rosters: if office {
            state.store.roster_sources().await?
        } else {
            Vec::new()
        },
        office,
        draft,
        error,
        unit_names: if office {
            crate::kit::names::suggestions(state).await?
        } else {
            Vec::new()
        },
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
        Err(e) => refused("/group", &e.message),
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
        Err(e) => refused("/group", &e.message),
    }
}

pub async fn member_delete(State(state): State<AppState>, a: Auth, Path(id): Path<Id>) -> Response {
    match state.store.delete_member(&a.actor(), id).await {
        Ok(()) => back("/group", "已删除"),
        Err(e) => refused("/group", &AppError::from(e).message),
    }
}

#[derive(Deserialize)]
pub struct RosterForm {
    /// The version to read (the form offers only versions that list a roster).
    #[serde(default)]
    pub version_id: Option<Id>,
    /// Or a document: its newest version that lists a roster.
    #[serde(default)]
    pub document_id: Option<Id>,
}

/// Appends the roster read from a version the office chose (e.g. a 领导小组 annex of version 1).
pub async fn roster_import(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<RosterForm>,
) -> Response {
    let result = async {
        let sources = state.store.roster_sources().await?;
        let chosen = match (f.version_id, f.document_id) {
            (Some(v), _) => sources.iter().find(|s| s.version_id == v),
            (None, Some(d)) => sources.iter().find(|s| s.document_id == d),
            (None, None) => return Err(AppError::bad_request("请选择含领导小组名单的文件版本")),
        };
        let Some(chosen) = chosen else {
            return Err(AppError::bad_request(
                "所选文件版本中没有识别到领导小组名单，请从列出的版本中选择",
            ));
        };
        let version = state
            .store
            .version(chosen.version_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let roster = &version.document.roster;
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
        let n = state.store.add_members(&a.actor(), edits).await?.len();
        Ok((n, chosen.document_title.clone(), chosen.version_no))
    }
    .await;
    match result {
        Ok((n, title, no)) => back(
            "/group",
            &format!("已从《{title}》第 {no} 版导入 {n} 名成员"),
        ),
        Err(e) => refused("/group", &e.message),
    }
}

#[derive(Deserialize, Default)]
pub struct MeetingForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub summary: String,
    /// One decision a line: `text | lead unit | due` (the last two optional).
    #[serde(default)]
    pub decisions: String,
}

/// A decision line as the forms write it: `text | lead unit | due` (the last two optional).
async fn decision_line(state: &AppState, line: &str) -> AppResult<NewDecision> {
    let mut parts = line.split(['|', '｜']).map(str::trim);
    let text = parts.next().unwrap_or("").to_string();
    let lead = match parts.next().filter(|s| !s.is_empty()) {
        None => None,
        Some(n) => Some(unit_named(state, n).await?),
    };
    let due = opt_date_field(parts.next(), "议定事项的完成时限")?;
    Ok(NewDecision {
        text,
        lead_unit_id: lead,
        due,
    })
}

/// The meeting's own fields from a form.
fn meeting_fields(f: &MeetingForm) -> AppResult<(MeetingKind, luoshi_domain::calendar::Date)> {
    let kind = MeetingKind::from_code(&f.kind)
        .ok_or_else(|| AppError::invalid("meeting_kind", "会议类型应为全体会议或办公室会议"))?;
    let held_on = date_field(&f.held_on, "会议日期")?;
    Ok((kind, held_on))
}

/// Records a meeting; a refused form comes back as typed, with the reason.
pub async fn meeting_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<MeetingForm>,
) -> AppResult<Response> {
    let result = async {
        let (kind, held_on) = meeting_fields(&f)?;
        let mut decisions = Vec::new();
        for (n, line) in f
            .decisions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            decisions.push(decision_line(&state, line).await.map_err(|e| {
                AppError::bad_request(format!("议定事项第 {} 行：{}", n + 1, e.message))
            })?);
        }
        Ok::<_, AppError>(
            state
                .store
                .create_meeting(
                    &a.actor(),
                    NewMeeting {
                        kind,
                        title: f.title.clone(),
                        held_on,
                        place: f.place.clone(),
                        summary: f.summary.clone(),
                        decisions,
                    },
                )
                .await?,
        )
    }
    .await;
    match result {
        Ok(m) => Ok(back(&format!("/meetings/{}", m.id), "已记录会议")),
        Err(e) => {
            let status = e.status;
            let html = group_page(&state, &a, f, Some(e.message)).await?;
            Ok((status, html).into_response())
        }
    }
}

/// Corrects a meeting's own fields.
pub async fn meeting_update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MeetingForm>,
) -> Response {
    let here = format!("/meetings/{id}");
    let result = async {
        let (kind, held_on) = meeting_fields(&f)?;
        let edit = NewMeeting {
            kind,
            title: f.title,
            held_on,
            place: f.place,
            summary: f.summary,
            decisions: Vec::new(),
        };
        Ok::<_, AppError>(state.store.update_meeting(&a.actor(), id, edit).await?)
    }
    .await;
    match result {
        Ok(_) => back(&here, "已更正会议信息"),
        Err(e) => refused(&here, &e.message),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub due: String,
}

/// Corrects a decision: its text, lead unit (by name or short form) and deadline.
pub async fn decision_update(
    State(state): State<AppState>,
    a: Auth,
    Path((meeting_id, decision_id)): Path<(Id, Id)>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let here = format!("/meetings/{meeting_id}");
    let result = async {
        let lead = match f.lead.trim() {
            "" => None,
            n => Some(unit_named(&state, n).await?),
        };
        let edit = NewDecision {
            text: f.text,
            lead_unit_id: lead,
            due: opt_date_field(Some(&f.due), "完成时限")?,
        };
        let m = state
            .store
            .meeting(meeting_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        if !m.decisions.iter().any(|d| d.id == decision_id) {
            return Err(AppError::not_found());
        }
        Ok::<_, AppError>(
            state
                .store
                .update_decision(&a.actor(), decision_id, edit)
                .await?,
        )
    }
    .await;
    match result {
        Ok(d) => back(&here, &format!("已更正第 {} 项议定事项", d.seq)),
        Err(e) => refused(&here, &e.message),
    }
}

#[derive(Template)]
#[template(path = "group/meeting.html")]
struct MeetingPage {
    nav: Nav,
    meeting: Meeting,
    office: bool,
    unit_names: Vec<String>,
}

/// A meeting as a reader may see it (`group::meeting_view`): whole, or only the reader's own
/// decisions without the minutes, or not at all.
fn as_seen(mut m: Meeting, everything: bool, family: &[Id]) -> Option<Meeting> {
    let leads: Vec<Option<Id>> = m.decisions.iter().map(|d| d.lead_unit_id).collect();
    match luoshi_domain::group::meeting_view(everything, family, &leads) {
        MeetingView::Whole => Some(m),
        MeetingView::Hidden => None,
        MeetingView::Decisions(own) => {
            m.decisions = own.into_iter().map(|i| m.decisions[i].clone()).collect();
            m.summary = String::new();
            Some(m)
        }
    }
}

pub async fn meeting(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Html<String>> {
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let meeting = state
        .store
        .meeting(id)
        .await?
        .and_then(|m| as_seen(m, a.0.user.role.sees_everything(), &family))
        .ok_or_else(AppError::not_found)?;
    let office = a.0.user.role == Role::Admin;
    Ok(page(MeetingPage {
        nav: nav(&a, "group"),
        meeting,
        office,
        unit_names: if office {
            crate::kit::names::suggestions(&state).await?
        } else {
            Vec::new()
        },
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
        let due = d.due.unwrap_or_else(|| day.add_days(30));
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
                        opened_on: day,
                        assign: true,
                    },
                )
                .await?,
        )
    }
    .await;
    match result {
        Ok(item) => back(&format!("/items/{}", item.id), "已转为督办事项并交办"),
        Err(e) => refused(&here, &e.message),
    }
}
