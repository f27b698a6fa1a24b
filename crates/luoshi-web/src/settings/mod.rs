//! The office's settings (设置): thresholds, reminder days, SMTP and webhook, and the delivery
//! log with failures.

mod pages;

use luoshi_domain::accounts::Access::System;

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/settings", System, pages::settings),
        Route::post("/settings", System, pages::settings_save),
    ]
}
