//! The registry API: units, a unit and its tasks, edits, aliases, merge, split and undo.

use crate::kit::openapi::{obj, r, scalars};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Json, Path, Query};
use crate::kit::scope::{visible_unit, visible_units};
use crate::ledger::filter::{TaskQuery, task_filter};
use luoshi_domain::registry::UnitKind;
use luoshi_store::ledger::TaskRow;
use luoshi_store::registry::{Unit, UnitDetail, UnitEdit, UnitSplit, UnitSummary};
use luoshi_store::{Id, Page, Paged};

pub async fn units(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<UnitSummary>>> {
    visible_units(&state, &auth.0).await.map(Json)
}

pub async fn unit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> AppResult<Json<UnitDetail>> {
    visible_unit(&state, &auth.0, id).await.map(Json)
}

pub async fn unit_tasks(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Query(q): Query<TaskQuery>,
) -> AppResult<Json<Paged<TaskRow>>> {
    async {
        let unit = visible_unit(&state, &auth.0, id).await?;
        let mut family = vec![id];
        family.extend(unit.predecessors.iter().map(|p| p.id));
        let q = TaskQuery { unit: None, ..q };
        let mut filter = task_filter(&state, &auth.0, &q).await?;
        filter.units = Some(family);
        let page = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
        Ok(Json(state.store.tasks(&filter, page).await?))
    }
    .await
}

#[derive(Deserialize)]
pub struct NewUnitBody {
    pub name: String,
    pub kind: UnitKind,
}

pub async fn unit_create(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewUnitBody>,
) -> AppResult<(StatusCode, Json<Unit>)> {
    async {
        let u = state
            .store
            .create_unit(&auth.actor(), &b.name, b.kind)
            .await?;
        Ok((StatusCode::CREATED, Json(u)))
    }
    .await
}

pub async fn unit_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Json(edit): Json<UnitEdit>,
) -> AppResult<Json<Unit>> {
    async {
        Ok(Json(
            state.store.update_unit(&auth.actor(), id, edit).await?,
        ))
    }
    .await
}

#[derive(Deserialize)]
pub struct AliasBody {
    pub alias: String,
}

pub async fn alias_add(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Json(b): Json<AliasBody>,
) -> AppResult<StatusCode> {
    async {
        state.store.add_alias(&auth.actor(), id, &b.alias).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await
}

pub async fn alias_remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, alias)): Path<(Id, String)>,
) -> AppResult<StatusCode> {
    async {
        state.store.remove_alias(&auth.actor(), id, &alias).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await
}

#[derive(Deserialize)]
pub struct MergeBody {
    pub into: Id,
}

pub async fn unit_merge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Json(b): Json<MergeBody>,
) -> AppResult<Json<Value>> {
    async {
        let op = state.store.merge_units(&auth.actor(), id, b.into).await?;
        Ok(Json(json!({ "op_id": op })))
    }
    .await
}

#[derive(Deserialize)]
pub struct SplitBody {
    pub new_name: String,
    pub kind: UnitKind,
    pub aliases: Vec<String>,
}

pub async fn unit_split(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Json(b): Json<SplitBody>,
) -> AppResult<Json<Value>> {
    async {
        let op = state
            .store
            .split_unit(
                &auth.actor(),
                UnitSplit {
                    unit_id: id,
                    new_name: b.new_name,
                    kind: b.kind,
                    aliases: b.aliases,
                },
            )
            .await?;
        Ok(Json(json!({ "op_id": op })))
    }
    .await
}

pub async fn unit_undo(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> AppResult<StatusCode> {
    async {
        state.store.undo_unit_op(&auth.actor(), id).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, ns, ni, strs) = scalars();
    let kinds = json!({ "type": "string", "enum": ["regional_dept", "central_in_guangxi", "area_committee", "city_gov", "enterprise", "other"] });
    let unit_props = json!({
        "id": i, "name": s, "kind": kinds, "area": ns, "successor_id": ni,
        "succeeded_on": ns, "merged_into": ni
    });
    let unit_req = [
        "id",
        "name",
        "kind",
        "area",
        "successor_id",
        "succeeded_on",
        "merged_into",
    ];
    let mut unit_summary = unit_props.clone();
    unit_summary["lead_tasks"] = i.clone();
    unit_summary["support_tasks"] = i.clone();
    let mut unit_detail = unit_props.clone();
    unit_detail["aliases"] = strs.clone();
    unit_detail["predecessors"] = json!({ "type": "array", "items": r("Unit") });
    unit_detail["successor"] = json!({ "oneOf": [r("Unit"), { "type": "null" }] });
    vec![
        ("Unit", obj(&unit_req, unit_props)),
        (
            "UnitSummary",
            obj(
                &["id", "name", "kind", "lead_tasks", "support_tasks"],
                unit_summary,
            ),
        ),
        (
            "UnitList",
            json!({ "type": "array", "items": r("UnitSummary") }),
        ),
        (
            "UnitDetail",
            obj(
                &["id", "name", "kind", "aliases", "predecessors"],
                unit_detail,
            ),
        ),
        (
            "NewUnit",
            obj(&["name", "kind"], json!({ "name": s, "kind": kinds })),
        ),
        (
            "UnitEdit",
            obj(
                &[],
                json!({ "name": s, "kind": kinds, "successor_id": ni, "succeeded_on": ns }),
            ),
        ),
        ("Alias", obj(&["alias"], json!({ "alias": s }))),
        ("Merge", obj(&["into"], json!({ "into": i }))),
        (
            "Split",
            obj(
                &["new_name", "kind", "aliases"],
                json!({ "new_name": s, "kind": kinds, "aliases": strs }),
            ),
        ),
        ("UnitOp", obj(&["op_id"], json!({ "op_id": i }))),
    ]
}
