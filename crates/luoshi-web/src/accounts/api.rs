//! Signing in and out through the API (`/api/v1/session`), the current user, and the users list.

use crate::kit::openapi::{obj, r, scalars};
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
    /// The second factor's six-digit code, or a recovery code, for an account that has one.
    #[serde(default)]
    pub otp: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    Json(body): Json<LoginBody>,
) -> Response {
    let address =
        crate::kit::auth::client_address(&headers, &extensions, state.config.behind_proxy);
    match crate::kit::auth::login(
        &state,
        &body.username,
        &body.password,
        body.otp.as_deref(),
        &address,
    )
    .await
    {
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

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, a: Auth) -> Response {
    crate::kit::auth::end_session(&state, &headers, &a).await;
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

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, _, _, _) = scalars();
    let codes: Vec<&str> = luoshi_domain::accounts::Role::ALL
        .iter()
        .map(|r| r.code())
        .collect();
    let roles = json!({ "type": "string", "enum": codes });
    let business: Vec<&str> = luoshi_domain::accounts::Role::BUSINESS
        .iter()
        .map(|r| r.code())
        .collect();
    let b = json!({ "type": "boolean" });
    let user_props = json!({
        "id": i, "username": s, "display_name": s, "role": roles, "unit_id": i, "unit_name": s,
        "active": b, "email": { "type": ["string", "null"] }, "must_change_password": b,
        "password_changed_at": i, "second_factor": b
    });
    let user_req = [
        "id",
        "username",
        "display_name",
        "role",
        "unit_id",
        "unit_name",
        "active",
    ];
    vec![
        (
            "Login",
            obj(
                &["username", "password"],
                json!({ "username": s, "password": s, "otp": s }),
            ),
        ),
        (
            "SessionInfo",
            obj(
                &["user", "csrf_token"],
                json!({ "user": r("User"), "csrf_token": s }),
            ),
        ),
        ("User", obj(&user_req, user_props)),
        ("UserList", json!({ "type": "array", "items": r("User") })),
        (
            "NewUser",
            obj(
                &["username", "display_name", "role", "unit", "password"],
                json!({
                    "username": s, "display_name": s,
                    "role": { "type": "string", "enum": business }, "unit": s, "password": s
                }),
            ),
        ),
    ]
}
