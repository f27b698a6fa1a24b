//! Reporting (信息报送): the quarterly round and each obligation's standing (`round`), filing
//! with a one-time key (`filing`, shared by the form, the batch table (`batch`) and the API),
//! drafts kept before filing, review, attachment downloads,
//! and the outputs: the 季度工作进展汇编 (`compilation`) and the reporting sheets (`outputs`).

mod api;
pub(crate) use api::schemas;
mod batch;
pub mod compilation;
pub mod filing;
mod outputs;
mod pages;
pub mod reminders;
pub mod round;

use luoshi_domain::accounts::Access::{Admin, Reader, Writer};

use crate::kit::route::Route;

/// This feature's routes, one row each.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reporting", Reader, pages::reporting),
        Route::get(
            "/reporting/tasks/{id}/{period}",
            Reader,
            pages::task_reports,
        ),
        Route::post(
            "/reporting/tasks/{id}/{period}",
            Writer,
            pages::task_reports_submit,
        )
        .upload(),
        Route::get("/reporting/batch", Writer, batch::batch),
        Route::post("/reporting/batch", Writer, batch::batch_submit),
        Route::get("/reporting/reports/{id}", Reader, pages::report_redirect),
        Route::post("/reporting/reports/{id}/review", Admin, pages::review),
        Route::post("/reporting/remind", Admin, pages::remind),
        Route::get("/attachments/{id}", Reader, pages::attachment),
        Route::get("/compilation.docx", Reader, outputs::compilation_docx),
        Route::get("/compilation.pdf", Reader, outputs::compilation_pdf),
        Route::get("/export/reports.xlsx", Reader, outputs::reports_xlsx),
        Route::get("/api/v1/obligations", Reader, api::obligations).doc(
            "本季度应报事项及报送状态（round=2026-Q3）",
            None,
            "ObligationList",
            &["round"],
        ),
        Route::post("/api/v1/reports", Writer, api::submit)
            .upload()
            .doc(
                "报送或修改报告；带 Idempotency-Key 头的重试不会重复报送",
                Some("ReportBody"),
                "Submitted",
                &[],
            ),
        Route::get("/api/v1/reports/{id}", Reader, api::report).doc(
            "报告及其全部版本",
            None,
            "ReportDetail",
            &[],
        ),
        Route::post("/api/v1/reports/{id}/review", Admin, api::review).doc(
            "审核报告：采纳或退回",
            Some("ReviewBody"),
            "ReportRow",
            &[],
        ),
        Route::post("/api/v1/reminders/reports", Admin, api::remind).doc(
            "一键催报：某单位或全部逾期单位（同一事项每天至多一次）",
            Some("RemindBody"),
            "RemindOutcome",
            &[],
        ),
    ]
}
