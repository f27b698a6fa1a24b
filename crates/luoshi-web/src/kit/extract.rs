//! Extractors whose rejections are [`AppError`]s with a code per cause, so a malformed JSON body,
//! a bad path value, a bad query string or a wrong form answers `{code, message}` under `/api/`
//! and a Chinese page elsewhere — never axum's plain-text rejection.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

use luoshi_domain::calendar::Date;

use crate::kit::error::AppError;

/// `axum::Json`, with Chinese errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

/// `axum::extract::Path`, with Chinese errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, with Chinese errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// `axum::Form`, with Chinese errors.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        tracing::info!(rejection = %r.body_text(), "JSON body rejected");
        match r {
            JsonRejection::MissingJsonContentType(_) => AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "json_content_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ),
            JsonRejection::JsonSyntaxError(_) => AppError::new(
                StatusCode::BAD_REQUEST,
                "json_syntax",
                "请求体不是有效的 JSON",
            ),
            JsonRejection::JsonDataError(e) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "json_data",
                format!("请求体字段不符合要求：{}", e.body_text()),
            ),
            other => AppError::new(
                other.status(),
                "body_unreadable",
                "无法读取请求体（可能过大或已中断）",
            ),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> AppError {
        tracing::info!(rejection = %r.body_text(), "path rejected");
        AppError::new(r.status(), "bad_path", "地址中的编号或参数无效")
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        AppError::new(
            r.status(),
            "bad_query",
            format!("查询参数无效：{}", r.body_text()),
        )
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> AppError {
        tracing::info!(rejection = %r.body_text(), "form rejected");
        AppError::new(r.status(), "bad_form", "表单内容无效，请返回检查后重新提交")
    }
}

/// A date typed into a form or sent as JSON text (`2026-09-30`); `what` names the field in the
/// refusal (`bad_date`).
pub fn date_field(text: &str, what: &str) -> Result<Date, AppError> {
    Date::parse(text)
        .ok_or_else(|| AppError::invalid("bad_date", format!("{what}格式应为 2026-09-30")))
}

/// An optional date: empty text is none.
pub fn opt_date_field(text: Option<&str>, what: &str) -> Result<Option<Date>, AppError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => date_field(t, what).map(Some),
    }
}
