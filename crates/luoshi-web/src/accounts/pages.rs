//! Signing in and out, the office's user administration (create, reset a password, disable), and a
//! user's own account page.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::users::NewUserBody;
use crate::kit::auth::{Auth, Login};
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Path, Query};
use crate::kit::page::{Nav, back, nav, page};
use luoshi_domain::accounts::Role;
use luoshi_store::Id;
use luoshi_store::accounts::User;

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    error: Option<String>,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    next.and_then(luoshi_domain::accounts::safe_next)
        .unwrap_or("/")
        .to_string()
}

pub async fn login_page(Query(q): Query<NextQuery>) -> Html<String> {
    page(LoginPage {
        error: None,
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    /// 动态口令 or a recovery code (accounts with a second factor).
    #[serde(default)]
    otp: Option<String>,
    next: Option<String>,
}

/// The login form has no session yet, so no CSRF token: a cross-site post is refused by its
/// Origin (SameSite=Strict cookies do the rest).
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |h| {
        headers
            .get(h)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    luoshi_domain::accounts::same_origin(text(header::ORIGIN), text(header::HOST))
}

pub async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    if !same_origin(&headers) {
        return AppError::new(StatusCode::FORBIDDEN, "csrf", "请求来源无效").into_response();
    }
    let address =
        crate::kit::auth::client_address(&headers, &extensions, state.config.behind_proxy);
    match crate::kit::auth::login(&state, &f.username, &f.password, f.otp.as_deref(), &address)
        .await
    {
        Ok(Login::Ok { token, session }) => {
            // A custodian starts on their own page, not the ledger they cannot read.
            let to = if next == "/" {
                session.user.role.home()
            } else {
                next.as_str()
            };
            (
                [(
                    header::SET_COOKIE,
                    crate::kit::auth::session_cookie(Some(&token), state.config.secure_cookies),
                )],
                Redirect::to(to),
            )
                .into_response()
        }
        Ok(Login::Refused(error)) => (
            StatusCode::UNAUTHORIZED,
            page(LoginPage {
                error: Some(error),
                next,
            }),
        )
            .into_response(),
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
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<User>,
    roles: [Role; 5],
    error: Option<String>,
    unit_names: Vec<String>,
}

async fn users_page(state: &AppState, a: &Auth, error: Option<String>) -> AppResult<UsersPage> {
    Ok(UsersPage {
        nav: nav(a, "users"),
        users: state.store.users().await?,
        roles: Role::BUSINESS,
        error,
        unit_names: crate::kit::names::suggestions(state).await?,
    })
}

/// 用户: the system administrator's accounts page.
pub async fn users(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    Ok(page(users_page(&state, &a, None).await?))
}

#[derive(Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    unit: String,
    password: String,
}

pub async fn user_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let role = Role::from_code(&f.role).ok_or_else(|| AppError::bad_request("角色无效"))?;
    let body = NewUserBody {
        username: f.username,
        display_name: f.display_name,
        role,
        unit: f.unit,
        password: f.password,
    };
    match crate::accounts::users::create_account(&state, &a, body).await {
        Ok(u) => Ok(back("/users", &format!("已新增用户 {}", u.username))),
        Err(e) => Ok((
            e.status,
            page(users_page(&state, &a, Some(e.message)).await?),
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
    current: Option<String>,
}

/// Sets a password after the policy (`password::check_for`, with the account's names) and the
/// history (`accounts::PASSWORD_HISTORY`) allow it. `must_change`: set by an administrator, so the
/// owner changes it at next sign-in.
async fn store_password(
    state: &AppState,
    a: &Auth,
    user_id: Id,
    pw: &str,
    must_change: bool,
) -> AppResult<()> {
    let names = match state.store.user(user_id).await? {
        Some(u) => vec![u.username, u.display_name],
        None => Vec::new(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    luoshi_domain::accounts::password::check_for(pw, &names).map_err(AppError::bad_request)?;
    let history = state.store.password_history(user_id).await?;
    let pw = pw.to_string();
    let (hash, reused) = tokio::task::spawn_blocking(move || {
        use luoshi_store::accounts::credentials::{hash_password, verify_password};
        let reused = history.iter().any(|h| verify_password(&pw, h));
        (hash_password(&pw), reused)
    })
    .await
    .map_err(|_| AppError::bad_request("密码处理失败"))?;
    if reused {
        return Err(AppError::bad_request(format!(
            "新密码不能与最近 {} 次使用过的密码相同",
            luoshi_domain::accounts::PASSWORD_HISTORY
        )));
    }
    state
        .store
        .set_password(&a.actor(), user_id, &hash, must_change)
        .await?;
    Ok(())
}

/// The system administrator acts on the zone's accounts only: a custodian's account (三员) is
/// changed by its owner, so no administrator can take over another's duty.
async fn managed_account(state: &AppState, id: Id) -> AppResult<User> {
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if user.role.is_custodian() {
        return Err(AppError::invalid(
            "custodian_account",
            "三员（系统、安全、审计管理员）账户只能由本人修改，系统管理员不能重置或停用",
        ));
    }
    Ok(user)
}

pub async fn user_password(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    managed_account(&state, id).await?;
    store_password(&state, &a, id, &f.password, true).await?;
    Ok(back(
        "/users",
        "已重置密码，该用户需重新登录，并在登录后先修改密码",
    ))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn user_active(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    if id == a.0.user.id {
        return Err(AppError::bad_request("不能停用自己的账户"));
    }
    managed_account(&state, id).await?;
    let active = f.active == "1";
    state.store.set_user_active(&a.actor(), id, active).await?;
    Ok(back("/users", if active { "已启用" } else { "已停用" }))
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    nav: Nav,
    error: Option<String>,
    /// What the account must do before anything else.
    pending: Option<luoshi_domain::accounts::Pending>,
    /// Days until the password must be changed.
    password_days_left: i64,
    factor: crate::accounts::factor::FactorView,
}

async fn account_page(state: &AppState, a: &Auth, error: Option<String>) -> AppResult<AccountPage> {
    let u = &a.0.user;
    let t = crate::kit::clock::now();
    Ok(AccountPage {
        nav: nav(a, ""),
        error,
        pending: crate::kit::auth::pending(&a.0, t),
        password_days_left: (u.password_changed_at
            + luoshi_domain::accounts::PASSWORD_MAX_AGE_DAYS * 86_400
            - t)
            .max(0)
            / 86_400,
        factor: crate::accounts::factor::view(state, a).await?,
    })
}

/// 我的账户: the password, the second factor, and what must be done first.
pub async fn account(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    Ok(page(account_page(&state, &a, None).await?))
}

pub async fn account_password(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let creds = state
        .store
        .credentials(&a.0.user.username)
        .await?
        .ok_or_else(AppError::not_found)?;
    let current = f.current.unwrap_or_default();
    let hash = creds.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || {
        luoshi_store::accounts::credentials::verify_password(&current, &hash)
    })
    .await
    .unwrap_or(false);
    let refused = if !ok {
        Some("当前密码不正确".to_string())
    } else {
        match store_password(&state, &a, a.0.user.id, &f.password, false).await {
            Ok(()) => None,
            Err(e) => Some(e.message),
        }
    };
    match refused {
        Some(message) => Ok((
            StatusCode::BAD_REQUEST,
            page(account_page(&state, &a, Some(message)).await?),
        )
            .into_response()),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/tasks?q=1")), "/tasks?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
