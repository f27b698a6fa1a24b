//! Supervision items (督查督办): items and their steps through the state machine (`steps`,
//! shared by pages and API), and the reminder run on demand. An item's light is
//! `luoshi_domain::supervision::item_light`.
//!
//! Who may act on an item: the office takes the office's actions (交办, 催办, 审批延期, 审核, 评价,
//! 销号); the lead unit (or the unit that succeeded it) takes the unit's (签收, 反馈, 申请延期,
//! 办结, the last two with evidence files); a leader or the office writes 批示 on it. Others see
//! the items of their units; anything else answers 404.

mod api;
pub(crate) use api::schemas;
mod pages;
pub mod steps;

use luoshi_domain::accounts::Access::{Admin, Instruct, Reader, Writer};

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/items", Reader, pages::items),
        Route::post("/items", Admin, pages::item_create),
        Route::post("/items/reminders", Admin, pages::reminders_now),
        Route::get("/items/{id}", Reader, pages::item),
        Route::post("/items/{id}/steps", Writer, pages::item_step).upload(),
        Route::post("/items/{id}/instruction", Instruct, pages::item_instruction),
        Route::get(
            "/items/{id}/attachments/{file}",
            Reader,
            pages::item_attachment,
        ),
        Route::post("/tasks/{id}/instruction", Instruct, pages::task_instruction),
        Route::get("/api/v1/items", Reader, api::items).doc("督办事项列表", None, "ItemList", &[]),
        Route::post("/api/v1/items", Admin, api::item_create).doc(
            "立项并交办督办事项",
            Some("ItemBody"),
            "ItemRow",
            &[],
        ),
        Route::get("/api/v1/items/{id}", Reader, api::item).doc(
            "督办事项详情与办理记录",
            None,
            "ItemDetail",
            &[],
        ),
        Route::post("/api/v1/items/{id}/steps", Writer, api::item_step).doc(
            "办理督办事项（签收、反馈、延期、办结、审核、评价、销号）",
            Some("StepBody"),
            "ItemRow",
            &[],
        ),
    ]
}
