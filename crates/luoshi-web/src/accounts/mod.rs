//! Accounts: signing in and out (pages and API), the office's user administration, and a
//! user's own account page.

mod api;
pub(crate) use api::schemas;
pub(crate) mod factor;
mod pages;
mod security;
pub mod users;

use luoshi_domain::accounts::Access::{Account, Public, Security, System};

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Public, pages::login_page),
        Route::post("/login", Public, pages::login_submit),
        Route::post("/logout", Account, pages::logout),
        Route::get("/users", System, pages::users),
        Route::post("/users", System, pages::user_create),
        Route::post("/users/{id}/password", System, pages::user_password),
        Route::post("/users/{id}/active", System, pages::user_active),
        Route::get("/security", Security, security::security),
        Route::post("/security/unlock", Security, security::unlock),
        Route::post(
            "/security/users/{id}/second-factor/reset",
            Security,
            security::reset_factor,
        ),
        Route::get("/account", Account, pages::account),
        Route::post("/account/password", Account, pages::account_password),
        Route::post("/account/second-factor", Account, factor::begin),
        Route::post("/account/second-factor/confirm", Account, factor::confirm),
        Route::post("/api/v1/session", Public, api::login).doc(
            "登录，返回 CSRF 令牌",
            Some("Login"),
            "SessionInfo",
            &[],
        ),
        Route::delete("/api/v1/session", Account, api::logout).doc("退出登录", None, "Empty", &[]),
        Route::get("/api/v1/me", Account, api::me).doc("当前用户", None, "SessionInfo", &[]),
        Route::get("/api/v1/users", System, api::users).doc("用户列表", None, "UserList", &[]),
        Route::post("/api/v1/users", System, api::user_create).doc(
            "新增用户",
            Some("NewUser"),
            "User",
            &[],
        ),
    ]
}
