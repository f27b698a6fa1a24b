//! Notifications: the inbox page and API, the unread count in the header, and the page each
//! notification's typed target opens (`url`).

mod api;
pub(crate) use api::schemas;
mod pages;

use luoshi_domain::accounts::Access::Account;

use crate::kit::format::url_encode;
use crate::kit::route::PAGE;
use crate::kit::route::Route;
use luoshi_domain::notify::Target;

/// The page a notification's target opens.
pub fn url(target: &Target) -> String {
    match target {
        Target::TaskPeriod { task, period } => {
            format!(
                "/reporting/tasks/{task}/{}",
                url_encode(&period.to_string())
            )
        }
        Target::Report(id) => format!("/reporting/reports/{id}"),
        Target::Item(id) => format!("/items/{id}"),
        Target::Round(p) => format!("/reporting?round={}", url_encode(&p.to_string())),
        Target::None => "/inbox".into(),
    }
}

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        // Every account reads its own messages (a security administrator's login alerts too).
        Route::get("/inbox", Account, pages::inbox),
        Route::post("/inbox/read", Account, pages::inbox_read),
        Route::get("/api/v1/notifications", Account, api::notifications).doc(
            "我的消息（分页）",
            None,
            "NotificationPage",
            PAGE,
        ),
    ]
}
