//! Route rows, the permission table built from them, and the request guard.
//!
//! Every route is one [`Route`] row: method, path, access level, handler, and for API rows the
//! OpenAPI summary, request and response schemas and query parameters. Each feature exports its
//! rows (`routes()`); the router, [`PERMISSIONS`] and the OpenAPI document are all built from the
//! same rows, so a route without an access level cannot be written. The guard looks the matched
//! route up in the table, loads the session, checks the role and the CSRF token before any handler
//! runs; object-level rules (a unit sees only its own work) are the handlers', through `scope`.

use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use luoshi_domain::accounts::Access;

use crate::AppState;

/// How an API row is described in the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct ApiDoc {
    pub summary: &'static str,
    /// Component schema of the request body, if it has one.
    pub request: Option<&'static str>,
    /// Component schema of the successful response.
    pub response: &'static str,
    /// Optional query parameters.
    pub query: &'static [&'static str],
}

/// Query parameters of paged lists.
pub const PAGE: &[&str] = &["offset", "limit"];
/// Query parameters of task lists.
pub const TASK_QUERY: &[&str] = &["unit", "lead", "area", "document", "q", "offset", "limit"];

/// One route: everything about it in one row.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub(crate) handler: MethodRouter<AppState>,
    /// Takes an upload: the body limit is the configured upload size, not axum's default.
    pub upload: bool,
    pub doc: Option<ApiDoc>,
}

macro_rules! verb {
    ($name:ident, $method:ident) => {
        pub fn $name<H, T>(path: &'static str, access: Access, handler: H) -> Route
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Route {
                method: Method::$method,
                path,
                access,
                handler: axum::routing::$name(handler),
                upload: false,
                doc: None,
            }
        }
    };
}

impl Route {
    verb!(get, GET);
    verb!(post, POST);
    verb!(patch, PATCH);
    verb!(delete, DELETE);

    /// Marks a route that takes an upload.
    pub fn upload(mut self) -> Route {
        self.upload = true;
        self
    }

    /// Describes an API route for the OpenAPI document.
    pub fn doc(
        mut self,
        summary: &'static str,
        request: Option<&'static str>,
        response: &'static str,
        query: &'static [&'static str],
    ) -> Route {
        self.doc = Some(ApiDoc {
            summary,
            request,
            response,
            query,
        });
        self
    }
}

/// What one route requires (the permission table's row).
#[derive(Debug, Clone, Copy)]
pub struct Permission {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub doc: Option<ApiDoc>,
}

/// The CSRF token from the header or the form action's `_csrf` query parameter.
pub(crate) fn csrf_ok(req: &Request, expected: &str) -> bool {
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok());
    let query = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "_csrf")
            .map(|(_, v)| v)
    });
    let given = header.or(query).unwrap_or("");
    !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// CSP without scripts, nosniff, no framing, no referrer to other sites (`same-origin`: under
/// `no-referrer` browsers send `Origin: null` on posts, which the login refuses); pages are not
/// cached unless they say so. Served over TLS (`secure_cookies`), browsers are told to use HTTPS
/// only for a year (HSTS).
pub(crate) async fn security_headers(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The one stylesheet, embedded.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
}

/// Gives every request an id (from `X-Request-Id` when a gateway set one) and runs it inside a
/// tracing span carrying it, so every log line of the request names it; the id is echoed back.
pub(crate) async fn request_id(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| luoshi_store::accounts::credentials::random_token(9));
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}
