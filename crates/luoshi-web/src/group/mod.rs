//! The leading group (领导小组): its roster (edited, or imported from a document), meetings and
//! their decisions; a decision becomes a supervision item in one step.

mod pages;

use luoshi_domain::accounts::Access::{Admin, Reader};

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/group", Reader, pages::group),
        Route::post("/group/members", Admin, pages::member_add),
        Route::post("/group/members/{id}", Admin, pages::member_update),
        Route::post("/group/members/{id}/delete", Admin, pages::member_delete),
        Route::post("/group/roster", Admin, pages::roster_import),
        Route::post("/meetings", Admin, pages::meeting_create),
        Route::get("/meetings/{id}", Reader, pages::meeting),
        Route::post("/meetings/{id}/edit", Admin, pages::meeting_update),
        Route::post(
            "/meetings/{id}/decisions/{decision}/edit",
            Admin,
            pages::decision_update,
        ),
        Route::post(
            "/meetings/{id}/decisions/{decision}/item",
            Admin,
            pages::decision_to_item,
        ),
    ]
}
