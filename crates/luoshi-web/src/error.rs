//! Errors as responses: JSON `{code, message}` for the API, a Chinese page for the browser.
//! The English detail goes to the log.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use luoshi_store::StoreError;

/// A failed request.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    /// Shown to users, Chinese.
    pub message: String,
    /// Whether the caller is the JSON API.
    pub api: bool,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            api: false,
        }
    }

    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "未找到")
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", "没有权限执行此操作")
    }

    pub fn api(mut self) -> AppError {
        self.api = true;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let status = match e {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Database(ref detail) => {
                eprintln!("luoshi: database error: {detail}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        AppError::new(status, e.code(), e.message_zh())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.api {
            let body = serde_json::json!({ "code": self.code, "message": self.message });
            return (self.status, axum::Json(body)).into_response();
        }
        let page = crate::pages::ErrorPage {
            status: self.status.as_u16(),
            message: self.message,
        };
        (self.status, Html(crate::pages::render(&page))).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
