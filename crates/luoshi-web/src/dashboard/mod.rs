//! The front page (首页) and the dashboards (看板): overall, per area, unit and document —
//! completion, on-time rate, lights and the trend over the last four rounds, charts drawn on the
//! server as SVG.

mod home;
mod pages;

use luoshi_domain::accounts::Access::Reader;

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/", Reader, home::home),
        Route::get("/dashboard", Reader, pages::dashboard),
    ]
}
