//! The JSON API under `/api/v1`: everything the pages do, with `{code, message}` errors and
//! `offset`/`limit` pagination. Sign in with `POST /api/v1/session`; send the returned CSRF token
//! as `X-CSRF-Token` on every change.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use luoshi_domain::access::Role;
use luoshi_store::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{self, Auth, Login};
use crate::error::{AppError, AppResult};
use crate::scope::{scope_of, visible_document, visible_task, visible_unit, visible_units};
use crate::{AppState, ingest, now};

type ApiResult<T> = Result<T, AppError>;

fn api<T>(r: AppResult<T>) -> ApiResult<T> {
    r.map_err(AppError::api)
}

pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

#[derive(Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

pub async fn login(State(state): State<AppState>, Json(body): Json<LoginBody>) -> Response {
    match auth::login(&state, &body.username, &body.password).await {
        Ok(Login::Ok { token, session }) => (
            [(
                header::SET_COOKIE,
                auth::session_cookie(Some(&token), state.config.secure_cookies),
            )],
            Json(json!({ "user": session.user, "csrf_token": session.csrf })),
        )
            .into_response(),
        Ok(Login::Refused(message)) => {
            AppError::new(StatusCode::UNAUTHORIZED, "login_failed", message)
                .api()
                .into_response()
        }
        Err(e) => e.api().into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie_token(&headers) {
        let _ = state.store.delete_session(&auth::token_hash(&token)).await;
    }
    (
        [(
            header::SET_COOKIE,
            auth::session_cookie(None, state.config.secure_cookies),
        )],
        StatusCode::NO_CONTENT,
    )
        .into_response()
}

pub async fn me(Auth(s): Auth) -> Json<Value> {
    Json(json!({ "user": s.user, "role_label": s.user.role.label(), "csrf_token": s.csrf }))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> Page {
        Page::new(self.offset.unwrap_or(0), self.limit.unwrap_or(50))
    }
}

pub async fn documents(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Paged<DocumentRow>>> {
    api(async {
        let scope = scope_of(&state, &auth.0).await?;
        Ok(Json(state.store.documents(&scope, q.page()).await?))
    }
    .await)
}

pub async fn document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> ApiResult<Json<DocumentDetail>> {
    api(visible_document(&state, &auth.0, id)
        .await
        .map(|(_, doc)| Json(doc)))
}

/// Query of the ledger, shared by the API, the page and the export.
#[derive(Deserialize, Default, Clone)]
pub struct TaskQuery {
    /// A unit's id or any of its names (alias or predecessor's name).
    pub unit: Option<String>,
    pub lead: Option<String>,
    pub area: Option<String>,
    pub document: Option<Id>,
    pub q: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl TaskQuery {
    pub fn lead_only(&self) -> bool {
        matches!(self.lead.as_deref(), Some("1" | "true" | "on"))
    }
}

/// Builds the filter for a query in the session's scope. An unknown unit finds no tasks.
pub async fn task_filter(state: &AppState, s: &Session, q: &TaskQuery) -> AppResult<TaskFilter> {
    let scope = scope_of(state, s).await?;
    let units = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(u) => {
            let id = match u.parse::<Id>() {
                Ok(id) => Some(id),
                Err(_) => state.store.unit_by_name(u).await?.map(|unit| unit.id),
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
    Ok(TaskFilter {
        scope,
        units,
        lead_only: q.lead_only(),
        area: q.area.clone().filter(|a| !a.is_empty()),
        document: q.document,
        q: q.q.clone(),
    })
}

pub async fn tasks(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<Paged<TaskRow>>> {
    api(async {
        let filter = task_filter(&state, &auth.0, &q).await?;
        let page = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
        Ok(Json(state.store.tasks(&filter, page).await?))
    }
    .await)
}

pub async fn task(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> ApiResult<Json<TaskDetail>> {
    api(visible_task(&state, &auth.0, id).await.map(Json))
}

pub async fn units(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<UnitSummary>>> {
    api(visible_units(&state, &auth.0).await.map(Json))
}

pub async fn unit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> ApiResult<Json<UnitDetail>> {
    api(visible_unit(&state, &auth.0, id).await.map(Json))
}

pub async fn unit_tasks(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<Paged<TaskRow>>> {
    api(async {
        let unit = visible_unit(&state, &auth.0, id).await?;
        let mut family = vec![id];
        family.extend(unit.predecessors.iter().map(|p| p.id));
        let q = TaskQuery { unit: None, ..q };
        let mut filter = task_filter(&state, &auth.0, &q).await?;
        filter.units = Some(family);
        let page = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
        Ok(Json(state.store.tasks(&filter, page).await?))
    }
    .await)
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
) -> ApiResult<(StatusCode, Json<Unit>)> {
    api(async {
        let u = state
            .store
            .create_unit(&auth.actor(), &b.name, b.kind)
            .await?;
        Ok((StatusCode::CREATED, Json(u)))
    }
    .await)
}

pub async fn unit_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
    Json(edit): Json<UnitEdit>,
) -> ApiResult<Json<Unit>> {
    api(async {
        Ok(Json(
            state.store.update_unit(&auth.actor(), id, edit).await?,
        ))
    }
    .await)
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
) -> ApiResult<StatusCode> {
    api(async {
        state.store.add_alias(&auth.actor(), id, &b.alias).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await)
}

pub async fn alias_remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, alias)): Path<(Id, String)>,
) -> ApiResult<StatusCode> {
    api(async {
        state.store.remove_alias(&auth.actor(), id, &alias).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await)
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
) -> ApiResult<Json<Value>> {
    api(async {
        let op = state.store.merge_units(&auth.actor(), id, b.into).await?;
        Ok(Json(json!({ "op_id": op })))
    }
    .await)
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
) -> ApiResult<Json<Value>> {
    api(async {
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
    .await)
}

pub async fn unit_undo(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Id>,
) -> ApiResult<StatusCode> {
    api(async {
        state.store.undo_unit_op(&auth.actor(), id).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await)
}

#[derive(Deserialize)]
pub struct UploadQuery {
    pub name: Option<String>,
}

/// Parses an upload and keeps it pending; answers the preview with its token.
pub async fn stage_upload(
    state: &AppState,
    s: &Session,
    file_name: String,
    bytes: Vec<u8>,
) -> AppResult<ingest::Preview> {
    if bytes.is_empty() {
        return Err(AppError::bad_request("文件为空"));
    }
    if bytes.len() > state.config.max_upload {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("文件超过 {} MB 上限", state.config.max_upload / 1024 / 1024),
        ));
    }
    let (extracted, document) =
        ingest::parse_upload(&state.config.parse_mode, bytes.clone()).await?;
    let token = auth::random_token(18);
    state
        .store
        .save_pending_import(PendingImport {
            token: token.clone(),
            user_id: s.user.id,
            file_name: file_name.clone(),
            bytes: bytes.clone(),
            extracted: extracted.clone(),
            document: document.clone(),
            created_at: now(),
        })
        .await?;
    let plan = ingest::plan(&*state.store, file_name, bytes, extracted, document).await?;
    Ok(ingest::preview(&*state.store, &token, &plan).await?)
}

/// The preview of a pending import of this user.
pub async fn pending_preview(
    state: &AppState,
    s: &Session,
    token: &str,
) -> AppResult<ingest::Preview> {
    let p = state
        .store
        .pending_import(token, s.user.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plan = ingest::plan(&*state.store, p.file_name, p.bytes, p.extracted, p.document).await?;
    Ok(ingest::preview(&*state.store, token, &plan).await?)
}

/// Writes a pending import (planned afresh, so it reflects the ledger as it is now).
pub async fn confirm_pending(
    state: &AppState,
    auth: &Auth,
    token: &str,
) -> AppResult<ImportOutcome> {
    let p = state
        .store
        .pending_import(token, auth.0.user.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plan = ingest::plan(&*state.store, p.file_name, p.bytes, p.extracted, p.document).await?;
    let outcome = state.store.apply_import(&auth.actor(), &plan).await?;
    state.store.delete_pending_import(token).await?;
    Ok(outcome)
}

pub async fn import_upload(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<Json<ingest::Preview>> {
    let name = q.name.unwrap_or_else(|| "upload".into());
    api(stage_upload(&state, &auth.0, name, body.to_vec())
        .await
        .map(Json))
}

pub async fn import_preview(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> ApiResult<Json<ingest::Preview>> {
    api(pending_preview(&state, &auth.0, &token).await.map(Json))
}

pub async fn import_confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(token): Path<String>,
) -> ApiResult<Json<ImportOutcome>> {
    api(confirm_pending(&state, &auth, &token).await.map(Json))
}

pub async fn users(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<Vec<User>>> {
    api(async { Ok(Json(state.store.users().await?)) }.await)
}

#[derive(Deserialize)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
    pub password: String,
}

/// Creates an account after checking the policy; the unit may be named by any alias.
pub async fn create_account(state: &AppState, auth: &Auth, b: NewUserBody) -> AppResult<User> {
    luoshi_domain::password::check(&b.password).map_err(AppError::bad_request)?;
    let username = b.username.trim();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(AppError::bad_request("用户名须为 1–64 个字符"));
    }
    let unit = state
        .store
        .unit_by_name(&b.unit)
        .await?
        .ok_or_else(|| AppError::bad_request(format!("单位“{}”不在单位名录中", b.unit)))?;
    let pw = b.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
        .await
        .map_err(|_| AppError::bad_request("密码处理失败"))?;
    Ok(state
        .store
        .create_user(
            &auth.actor(),
            NewUser {
                username: username.to_string(),
                display_name: b.display_name.trim().to_string(),
                role: b.role,
                unit_id: unit.id,
                password_hash: hash,
            },
        )
        .await?)
}

pub async fn user_create(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewUserBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    api(create_account(&state, &auth, b)
        .await
        .map(|u| (StatusCode::CREATED, Json(u))))
}

pub async fn audit(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Paged<AuditEntry>>> {
    api(async { Ok(Json(state.store.audit(q.page()).await?)) }.await)
}
