//! Errors as responses. A handler fails with an [`AppError`] (status, stable code, Chinese
//! message); one decision, by path, renders it: `{code, message}` JSON under `/api/`, a Chinese
//! error page elsewhere ([`render_errors`]). The English detail goes to the log. Extractor
//! rejections (a malformed JSON body, a bad path or query value, a wrong form) become `AppError`s
//! with a code per cause through the extractors in [`crate::kit::extract`].

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use luoshi_store::StoreError;

/// A failed request.
#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    /// Stable, documented in ARCHITECTURE.md's error table.
    pub code: &'static str,
    /// Shown to users, Chinese.
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "未找到")
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// A rule refused the input (422), with the rule's code.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", "没有权限执行此操作")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let status = match e {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Database(..) => {
                let mut chain = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    let text = c.to_string();
                    if !chain.ends_with(&text) {
                        chain.push_str(&format!(": {text}"));
                    }
                    cause = c.source();
                }
                tracing::error!(error = %chain, "database error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        AppError::new(status, e.code(), e.message_zh())
    }
}

/// Carried by an error response until [`render_errors`] writes its body.
#[derive(Debug, Clone)]
struct Pending(AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(Pending(self));
        res
    }
}

/// Writes every error's body: JSON under `/api/`, a page elsewhere.
pub(crate) async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let Some(Pending(e)) = res.extensions_mut().remove::<Pending>() else {
        return res;
    };
    let (mut parts, _) = res.into_parts();
    let (body, mime) = if api {
        let body = serde_json::json!({ "code": e.code, "message": e.message });
        (body.to_string(), "application/json")
    } else {
        let page = crate::kit::page::ErrorPage {
            status: e.status.as_u16(),
            message: e.message,
        };
        (crate::kit::page::render(&page), "text/html; charset=utf-8")
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

pub type AppResult<T> = Result<T, AppError>;
