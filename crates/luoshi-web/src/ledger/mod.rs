//! The task ledger: documents and their versions, the outline, tasks filtered by unit, area,
//! document and text, the 任务分工表 export, and imports (upload → parse in a child process →
//! preview → confirm), and the office's `corrections` after import. Pages and API share `filter`
//! (a task query within the session's scope) and `staging` (an upload parsed, planned and kept as
//! a pending import); `wording` draws version changes.

mod api;
pub(crate) use api::schemas;
mod corrections;
pub mod filter;
mod import_pages;
pub mod ingest;
mod pages;
pub mod staging;
pub(crate) mod wording;

use luoshi_domain::accounts::Access::{Admin, Reader};

use crate::kit::route::Route;
use crate::kit::route::{PAGE, TASK_QUERY};

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/documents", Reader, pages::documents),
        Route::get("/documents/{id}", Reader, pages::document),
        Route::post(
            "/documents/{id}/reporting-from",
            Admin,
            pages::set_reporting_from,
        ),
        Route::post(
            "/documents/{id}/status",
            Admin,
            corrections::document_status,
        ),
        Route::post(
            "/documents/{id}/undo-import",
            Admin,
            corrections::document_undo,
        ),
        Route::get("/versions/{id}/original", Reader, pages::original),
        Route::get("/tasks", Reader, pages::tasks),
        Route::get("/tasks/{id}", Reader, pages::task),
        Route::post("/tasks/{id}/edit", Admin, corrections::task_edit),
        Route::post("/tasks/{id}/reopen", Admin, corrections::task_reopen),
        Route::get("/export/tasks.xlsx", Reader, pages::export_tasks),
        Route::get("/import", Admin, import_pages::import_page),
        Route::post("/import", Admin, import_pages::import_upload).upload(),
        Route::get("/import/{token}", Admin, import_pages::import_preview),
        Route::post(
            "/import/{token}/confirm",
            Admin,
            import_pages::import_confirm,
        ),
        Route::post("/import/{token}/cancel", Admin, import_pages::import_cancel),
        Route::get("/api/v1/documents", Reader, api::documents).doc(
            "文件列表（分页）",
            None,
            "DocumentPage",
            PAGE,
        ),
        Route::get("/api/v1/documents/{id}", Reader, api::document).doc(
            "文件详情：版本、差异、提纲",
            None,
            "DocumentDetail",
            &[],
        ),
        Route::get("/api/v1/tasks", Reader, api::tasks).doc(
            "任务台账（筛选、分页）",
            None,
            "TaskPage",
            TASK_QUERY,
        ),
        Route::get("/api/v1/tasks/{id}", Reader, api::task).doc(
            "任务详情",
            None,
            "TaskDetail",
            &[],
        ),
        Route::post("/api/v1/imports", Admin, api::import_upload)
            .upload()
            .doc(
                "上传文件并预览（请求体为文件原始字节，name 为文件名）",
                Some("Binary"),
                "Preview",
                &["name"],
            ),
        Route::get("/api/v1/imports/{token}", Admin, api::import_preview).doc(
            "查看待确认的导入",
            None,
            "Preview",
            &[],
        ),
        Route::post(
            "/api/v1/imports/{token}/confirm",
            Admin,
            api::import_confirm,
        )
        .doc("确认导入", None, "ImportOutcome", &[]),
    ]
}
