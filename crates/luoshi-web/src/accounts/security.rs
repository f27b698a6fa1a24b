//! 安全: the security administrator's page — who is paused after failed logins (and lifting a
//! pause), who has a second factor (and resetting one for a lost phone).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Form, Path};
use crate::kit::page::{Nav, back, nav, page};
use luoshi_store::Id;
use luoshi_store::accounts::{LockedLogin, User};

#[derive(Template)]
#[template(path = "accounts/security.html")]
struct SecurityPage {
    nav: Nav,
    users: Vec<User>,
    /// Accounts paused for one address after repeated failed logins.
    locked: Vec<LockedLogin>,
}

pub async fn security(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    Ok(page(SecurityPage {
        nav: nav(&a, "security"),
        users: state.store.users().await?,
        locked: state.store.locked_logins(crate::kit::clock::now()).await?,
    }))
}

#[derive(Deserialize)]
pub struct UnlockForm {
    username: String,
    address: String,
}

/// Lifts the pause on one account for one address, audited.
pub async fn unlock(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<UnlockForm>,
) -> AppResult<Response> {
    state
        .store
        .unlock_login(&a.actor(), &f.username, &f.address)
        .await?;
    Ok(back(
        "/security",
        &format!("已解除 {} 在 {} 的登录限制", f.username, f.address),
    ))
}

/// Removes an account's second factor (a lost phone); its owner enrols again at next sign-in.
pub async fn reset_factor(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    state.store.reset_second_factor(&a.actor(), id).await?;
    Ok(back(
        "/security",
        "已重置动态口令：该账户已退出登录，下次登录后需重新绑定",
    ))
}
