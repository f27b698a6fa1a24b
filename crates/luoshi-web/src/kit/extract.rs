//! Extractors whose rejections are [`AppError`]s with a code per cause, so a malformed JSON body,
//! a bad path value, a bad query string or a wrong form answers `{code, message}` under `/api/`
//! and a Chinese page elsewhere — never axum's plain-text rejection.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

use luoshi_domain::calendar::Date;

use crate::kit::error::AppError;

/// `axum::Json`, with Chinese errors; a body nested deeper than `limits::JSON_DEPTH` is refused
/// before it is parsed. The size limit is the route's (2 MB, or the upload limit).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        use luoshi_domain::limits::{JSON_DEPTH, json_depth};
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(
            axum::extract::Request::from_parts(parts.clone(), body),
            state,
        )
        .await
        .map_err(|_| {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "请求体过大或无法读取",
            )
        })?;
        if json_depth(&bytes) > JSON_DEPTH {
            tracing::info!("JSON body rejected: nested too deep");
            return Err(AppError::invalid(
                "json_too_deep",
                format!("JSON 嵌套超过 {JSON_DEPTH} 层"),
            ));
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(v))
    }
}

/// `axum::extract::Path`, with Chinese errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, with Chinese errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// A urlencoded form body, with Chinese errors. Bytes that are not UTF-8 once percent-decoded are
/// refused (never stored as U+FFFD); the body limit is the route's.
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let urlencoded = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(AppError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad_form",
                "表单内容无效，请返回检查后重新提交",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::bad_request("表单内容过大或无法读取"))?;
        if let Some(field) = not_utf8(&bytes) {
            tracing::info!(field, "form rejected: not UTF-8");
            return Err(AppError::invalid(
                "not_utf8",
                format!("表单字段“{field}”含有无效字符（不是 UTF-8 编码），未保存"),
            ));
        }
        serde_urlencoded::from_bytes(&bytes).map(Form).map_err(|e| {
            tracing::info!(rejection = %e, "form rejected");
            AppError::bad_request("表单内容无效，请返回检查后重新提交")
        })
    }
}

/// The first field of a urlencoded body whose name or value is not UTF-8 once decoded.
fn not_utf8(body: &[u8]) -> Option<String> {
    for pair in body.split(|b| *b == b'&') {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = kv.next().unwrap_or_default();
        let value = kv.next().unwrap_or_default();
        let decode = |b: &[u8]| -> Vec<u8> {
            let plus: Vec<u8> = b
                .iter()
                .map(|c| if *c == b'+' { b' ' } else { *c })
                .collect();
            percent_encoding::percent_decode(&plus).collect()
        };
        let (k, v) = (decode(key), decode(value));
        if std::str::from_utf8(&k).is_err() || std::str::from_utf8(&v).is_err() {
            return Some(String::from_utf8_lossy(&k).into_owned());
        }
    }
    None
}

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
