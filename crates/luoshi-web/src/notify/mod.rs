//! Notifications: the inbox page and API, the unread count in the header.

mod api;
mod pages;

use luoshi_domain::access::Access::Reader;

use crate::kit::route::PAGE;
use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/inbox", Reader, pages::inbox),
        Route::post("/inbox/read", Reader, pages::inbox_read),
        Route::get("/api/v1/notifications", Reader, api::notifications).doc(
            "我的消息（分页）",
            None,
            "NotificationPage",
            PAGE,
        ),
    ]
}
