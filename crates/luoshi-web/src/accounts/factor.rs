//! Enrolling a second factor on one's own account page: a secret and its QR code drawn on the
//! server, confirmed by a first code, then ten recovery codes shown once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Form;
use crate::kit::page::{Nav, back, nav, page, refused};
use luoshi_store::accounts::second_factor::{
    TOTP, Totp, Verifier, new_recovery_codes, new_secret, recovery_hash,
};

/// The account page's second-factor part.
pub struct FactorView {
    pub enrolled: bool,
    pub recovery_left: i64,
    /// While enrolment waits for the first code: the QR code (an SVG as a data URI) and the secret
    /// for manual entry.
    pub waiting: Option<(String, String)>,
}

pub async fn view(state: &AppState, a: &Auth) -> AppResult<FactorView> {
    let f = state.store.second_factor(a.0.user.id).await?;
    let waiting = match &f {
        Some(f) if f.confirmed_at.is_none() => Totp::new(&f.secret, &a.0.user.username).map(|t| {
            let svg = base64::engine::general_purpose::STANDARD.encode(t.qr_svg());
            (format!("data:image/svg+xml;base64,{svg}"), t.secret_text())
        }),
        _ => None,
    };
    Ok(FactorView {
        enrolled: f.as_ref().is_some_and(|f| f.confirmed_at.is_some()),
        recovery_left: f.map(|f| f.recovery_left).unwrap_or(0),
        waiting,
    })
}

/// Starts enrolment with a new secret (an enrolled factor is kept: a lost phone goes to the
/// security administrator).
pub async fn begin(State(state): State<AppState>, a: Auth) -> AppResult<Response> {
    state
        .store
        .begin_second_factor(&a.actor(), a.0.user.id, TOTP, &new_secret())
        .await?;
    Ok(back(
        "/account#second-factor",
        "请用身份验证器扫描二维码，并输入显示的 6 位动态口令完成绑定",
    ))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    code: String,
}

#[derive(Template)]
#[template(path = "accounts/recovery_codes.html")]
struct RecoveryCodesPage {
    nav: Nav,
    codes: Vec<String>,
}

/// Confirms enrolment with the first code and shows the recovery codes, once.
pub async fn confirm(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let user = &a.0.user;
    let waiting = state
        .store
        .second_factor(user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none())
        .ok_or_else(|| AppError::bad_request("没有待确认的动态口令绑定，请先点击“绑定动态口令”"))?;
    let step = Totp::new(&waiting.secret, &user.username)
        .and_then(|t| t.matched_step(&f.code, crate::kit::clock::now()));
    let Some(step) = step else {
        return Ok(refused(
            "/account#second-factor",
            "动态口令不正确：请核对手机时间，输入身份验证器当前显示的 6 位数字",
        ));
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    state
        .store
        .confirm_second_factor(&a.actor(), user.id, step, &hashes)
        .await?;
    Ok((
        StatusCode::OK,
        page(RecoveryCodesPage {
            nav: nav(&a, ""),
            codes,
        }),
    )
        .into_response())
}
