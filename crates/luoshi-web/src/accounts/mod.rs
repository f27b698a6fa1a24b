//! Accounts: signing in and out (pages and API), the office's user administration, and a
//! user's own account page.

mod api;
pub(crate) use api::schemas;
mod pages;
pub mod users;

use luoshi_domain::accounts::Access::{Admin, Public, Reader};

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Public, pages::login_page),
        Route::post("/login", Public, pages::login_submit),
        Route::post("/logout", Reader, pages::logout),
        Route::get("/users", Admin, pages::users),
        Route::post("/users", Admin, pages::user_create),
        Route::post("/users/unlock", Admin, pages::login_unlock),
        Route::post("/users/{id}/password", Admin, pages::user_password),
        Route::post("/users/{id}/active", Admin, pages::user_active),
        Route::get("/account", Reader, pages::account),
        Route::post("/account/password", Reader, pages::account_password),
        Route::post("/api/v1/session", Public, api::login).doc(
            "登录，返回 CSRF 令牌",
            Some("Login"),
            "SessionInfo",
            &[],
        ),
        Route::delete("/api/v1/session", Reader, api::logout).doc("退出登录", None, "Empty", &[]),
        Route::get("/api/v1/me", Reader, api::me).doc("当前用户", None, "SessionInfo", &[]),
        Route::get("/api/v1/users", Admin, api::users).doc("用户列表", None, "UserList", &[]),
        Route::post("/api/v1/users", Admin, api::user_create).doc(
            "新增用户",
            Some("NewUser"),
            "User",
            &[],
        ),
    ]
}
