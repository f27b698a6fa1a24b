//! The audit log (审计): the office reads every recorded change, as a page and through the API,
//! narrowed by person, unit and days (`filter`, shared by both).

mod api;
pub(crate) use api::schemas;
pub mod filter;
mod pages;

use luoshi_domain::accounts::Access::Audit;

use crate::kit::route::Route;

/// Query parameters of the audit log.
const AUDIT_QUERY: &[&str] = &["actor", "unit", "from", "to", "offset", "limit"];

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/audit", Audit, pages::audit),
        Route::get("/audit/export.xlsx", Audit, pages::export),
        Route::get("/api/v1/audit", Audit, api::audit).doc(
            "审计日志（分页）",
            None,
            "AuditPage",
            AUDIT_QUERY,
        ),
    ]
}
