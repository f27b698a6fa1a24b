//! Signing in and out through the API (`/api/v1/session`), the current user, and the users list.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::users::{NewUserBody, create_account};
use crate::kit::auth::{Auth, Login};
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Json;
use luoshi_store::accounts::User;

#[derive(Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

pub async fn login(State(state): State<AppState>, Json(body): Json<LoginBody>) -> Response {
    match crate::kit::auth::login(&state, &body.username, &body.password).await {
        Ok(Login::Ok { token, session }) => (
            [(
                header::SET_COOKIE,
                crate::kit::auth::session_cookie(Some(&token), state.config.secure_cookies),
            )],
            Json(json!({ "user": session.user, "csrf_token": session.csrf })),
        )
            .into_response(),
        Ok(Login::Refused(message)) => {
            AppError::new(StatusCode::UNAUTHORIZED, "login_failed", message).into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = crate::kit::auth::cookie_token(&headers) {
        let _ = state
            .store
            .delete_session(&luoshi_store::accounts::credentials::token_hash(&token))
            .await;
    }
    (
        [(
            header::SET_COOKIE,
            crate::kit::auth::session_cookie(None, state.config.secure_cookies),
        )],
        StatusCode::NO_CONTENT,
    )
        .into_response()
}

pub async fn me(Auth(s): Auth) -> Json<Value> {
    Json(json!({ "user": s.user, "role_label": s.user.role.label(), "csrf_token": s.csrf }))
}

pub async fn users(State(state): State<AppState>, _auth: Auth) -> AppResult<Json<Vec<User>>> {
    async { Ok(Json(state.store.users().await?)) }.await
}

pub async fn user_create(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewUserBody>,
) -> AppResult<(StatusCode, Json<User>)> {
    create_account(&state, &auth, b)
        .await
        .map(|u| (StatusCode::CREATED, Json(u)))
}
