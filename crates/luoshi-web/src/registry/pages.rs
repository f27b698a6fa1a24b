//! The registry pages (单位): the unit list, a unit's page with its tasks, aliases, predecessors and
//! successor, and the office's forms to edit, merge, split and undo.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, opt_date_field};
use crate::kit::page::{Nav, back, nav, page};
use crate::kit::scope::{scope_of, visible_unit, visible_units};
use luoshi_domain::accounts::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_store::ledger::{TaskFilter, TaskRow};
use luoshi_store::registry::{UnitDetail, UnitEdit, UnitOp, UnitSplit, UnitSummary};
use luoshi_store::{Id, Page, Paged};

#[derive(Template)]
#[template(path = "registry/units.html")]
struct UnitsPage {
    nav: Nav,
    units: Vec<UnitSummary>,
    kinds: [UnitKind; 6],
}

pub async fn units(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    let units = visible_units(&state, &a.0).await?;
    Ok(page(UnitsPage {
        nav: nav(&a, "units"),
        units,
        kinds: UnitKind::ALL,
    }))
}

#[derive(Template)]
#[template(path = "registry/unit.html")]
struct UnitPage {
    nav: Nav,
    unit: UnitDetail,
    lead: Paged<TaskRow>,
    support: Paged<TaskRow>,
    ops: Vec<UnitOp>,
    kinds: [UnitKind; 6],
    unit_names: Vec<String>,
    /// The indicators the unit answers for (from its tasks, or assigned by the office).
    indicators: Vec<crate::indicators::pages::Row>,
}

pub async fn unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Html<String>> {
    let unit = visible_unit(&state, &a.0, id).await?;
    let family = state.store.unit_family(id).await?;
    let scope = scope_of(&state, &a.0).await?;
    let mut f = TaskFilter {
        scope,
        units: Some(family),
        lead_only: true,
        ..TaskFilter::all()
    };
    let lead = state.store.tasks(&f, Page::new(0, 500)).await?;
    f.lead_only = false;
    let all = state.store.tasks(&f, Page::new(0, 500)).await?;
    let lead_ids: Vec<Id> = lead.items.iter().map(|t| t.id).collect();
    let support_items: Vec<TaskRow> = all
        .items
        .into_iter()
        .filter(|t| !lead_ids.contains(&t.id))
        .collect();
    let support = Paged {
        total: all.total - lead.total,
        offset: 0,
        limit: 500,
        items: support_items,
    };
    let ops = if a.0.user.role == Role::Admin {
        state.store.unit_ops(Some(id)).await?
    } else {
        Vec::new()
    };
    let indicators = crate::indicators::panel(
        &state,
        luoshi_store::indicators::IndicatorFilter {
            unit_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    Ok(page(UnitPage {
        nav: nav(&a, "units"),
        indicators,
        unit,
        lead,
        support,
        ops,
        kinds: UnitKind::ALL,
        unit_names: crate::kit::names::suggestions(&state).await?,
    }))
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    kind: String,
    successor: Option<String>,
    succeeded_on: Option<String>,
}

fn kind_of(code: &str) -> AppResult<UnitKind> {
    UnitKind::from_code(code).ok_or_else(|| AppError::bad_request("单位类别无效"))
}

pub async fn unit_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let u = state
        .store
        .create_unit(&a.actor(), &f.name, kind_of(&f.kind)?)
        .await?;
    Ok(back(&format!("/units/{}", u.id), "已新增单位"))
}

pub async fn unit_update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let successor = match f
        .successor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(name) => Some(crate::kit::names::unit_named(&state, name).await?),
    };
    let edit = UnitEdit {
        name: Some(f.name),
        kind: Some(kind_of(&f.kind)?),
        successor_id: Some(successor),
        succeeded_on: Some(opt_date_field(f.succeeded_on.as_deref(), "更名日期")?),
    };
    state.store.update_unit(&a.actor(), id, edit).await?;
    Ok(back(&format!("/units/{id}"), "已保存"))
}

#[derive(Deserialize)]
pub struct AliasForm {
    alias: String,
}

pub async fn alias_add(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<AliasForm>,
) -> AppResult<Response> {
    state.store.add_alias(&a.actor(), id, &f.alias).await?;
    Ok(back(&format!("/units/{id}"), "已增加别名"))
}

pub async fn alias_remove(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<AliasForm>,
) -> AppResult<Response> {
    state.store.remove_alias(&a.actor(), id, &f.alias).await?;
    Ok(back(&format!("/units/{id}"), "已删除别名"))
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

pub async fn unit_merge(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    let into = crate::kit::names::unit_named(&state, &f.into).await?;
    state.store.merge_units(&a.actor(), id, into).await?;
    Ok(back(
        &format!("/units/{into}"),
        "已合并，可在合并记录中撤销",
    ))
}

#[derive(Deserialize)]
pub struct SplitForm {
    new_name: String,
    aliases: String,
    kind: String,
}

pub async fn unit_split(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<SplitForm>,
) -> AppResult<Response> {
    let aliases = f
        .aliases
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    state
        .store
        .split_unit(
            &a.actor(),
            UnitSplit {
                unit_id: id,
                new_name: f.new_name,
                kind: kind_of(&f.kind)?,
                aliases,
            },
        )
        .await?;
    Ok(back(&format!("/units/{id}"), "已拆分，可在记录中撤销"))
}

pub async fn unit_undo(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    state.store.undo_unit_op(&a.actor(), id).await?;
    Ok(back("/units", "已撤销"))
}
