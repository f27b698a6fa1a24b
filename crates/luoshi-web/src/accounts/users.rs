//! Creating an account: the use case the users page and the API share (password policy, unit).

use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use luoshi_domain::accounts::Role;
use luoshi_store::accounts::{NewUser, User};

#[derive(Deserialize)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
    pub password: String,
}

/// Creates an account after checking the policy; the unit may be named by any alias or short form.
/// The system administrator gives only the zone's work roles (`Role::BUSINESS`); the three
/// custodians are made at first start. The owner changes the password at first sign-in.
pub async fn create_account(state: &AppState, auth: &Auth, b: NewUserBody) -> AppResult<User> {
    if !Role::BUSINESS.contains(&b.role) {
        return Err(AppError::invalid(
            "role",
            "系统管理员、安全管理员和审计管理员账户在首次启动时创建，不能新增",
        ));
    }
    luoshi_domain::accounts::password::check_for(&b.password, &[&b.username, &b.display_name])
        .map_err(AppError::bad_request)?;
    let username = luoshi_domain::accounts::normalize_username(&b.username)
        .map_err(|m| AppError::invalid("username", m))?;
    let username = username.as_str();
    let unit = crate::kit::names::unit_named(state, &b.unit).await?;
    let pw = b.password.clone();
    let hash = tokio::task::spawn_blocking(move || {
        luoshi_store::accounts::credentials::hash_password(&pw)
    })
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
                unit_id: unit,
                password_hash: hash,
                must_change_password: true,
            },
        )
        .await?)
}
