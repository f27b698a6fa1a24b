//! The audit log (审计): the office reads every recorded change, as a page and through the API.

mod api;
pub(crate) use api::schemas;
mod pages;

use luoshi_domain::accounts::Access::Admin;

use crate::kit::route::PAGE;
use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/audit", Admin, pages::audit),
        Route::get("/api/v1/audit", Admin, api::audit).doc(
            "审计日志（分页）",
            None,
            "AuditPage",
            PAGE,
        ),
    ]
}
