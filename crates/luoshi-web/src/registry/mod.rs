//! The unit registry (单位名录): units, aliases, successions, merges, splits and undo, as pages
//! and API. What users type in a unit field is resolved by `kit::names`, which every feature with
//! a unit field uses.

mod api;
pub(crate) use api::schemas;
mod pages;

use luoshi_domain::accounts::Access::{Admin, Reader};

use crate::kit::route::Route;
use crate::kit::route::TASK_QUERY;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/units", Reader, pages::units),
        Route::post("/units", Admin, pages::unit_create),
        Route::get("/units/{id}", Reader, pages::unit),
        Route::post("/units/{id}", Admin, pages::unit_update),
        Route::post("/units/{id}/aliases", Admin, pages::alias_add),
        Route::post("/units/{id}/aliases/delete", Admin, pages::alias_remove),
        Route::post("/units/{id}/merge", Admin, pages::unit_merge),
        Route::post("/units/{id}/split", Admin, pages::unit_split),
        Route::post("/unit-ops/{id}/undo", Admin, pages::unit_undo),
        Route::get("/api/v1/units", Reader, api::units).doc("单位名录", None, "UnitList", &[]),
        Route::post("/api/v1/units", Admin, api::unit_create).doc(
            "新增单位",
            Some("NewUnit"),
            "Unit",
            &[],
        ),
        Route::get("/api/v1/units/{id}", Reader, api::unit).doc(
            "单位详情：别名、前身、继任",
            None,
            "UnitDetail",
            &[],
        ),
        Route::patch("/api/v1/units/{id}", Admin, api::unit_update).doc(
            "修改单位（名称、类别、继任）",
            Some("UnitEdit"),
            "Unit",
            &[],
        ),
        Route::get("/api/v1/units/{id}/tasks", Reader, api::unit_tasks).doc(
            "单位的牵头与配合任务（含前身单位）",
            None,
            "TaskPage",
            TASK_QUERY,
        ),
        Route::post("/api/v1/units/{id}/aliases", Admin, api::alias_add).doc(
            "增加别名",
            Some("Alias"),
            "Empty",
            &[],
        ),
        Route::delete(
            "/api/v1/units/{id}/aliases/{alias}",
            Admin,
            api::alias_remove,
        )
        .doc("删除别名", None, "Empty", &[]),
        Route::post("/api/v1/units/{id}/merge", Admin, api::unit_merge).doc(
            "合并单位（可撤销）",
            Some("Merge"),
            "UnitOp",
            &[],
        ),
        Route::post("/api/v1/units/{id}/split", Admin, api::unit_split).doc(
            "拆分单位（可撤销）",
            Some("Split"),
            "UnitOp",
            &[],
        ),
        Route::post("/api/v1/unit-ops/{id}/undo", Admin, api::unit_undo).doc(
            "撤销合并或拆分",
            None,
            "Empty",
            &[],
        ),
    ]
}
