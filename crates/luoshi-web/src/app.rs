//! The application assembled: every feature's route rows in one list, the permission table and
//! the router built from them, and the request guard. Only this module (and `lib.rs`) knows every
//! feature; the kit knows none.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_domain::accounts::Access;
use luoshi_domain::accounts::Access::Public;

use crate::kit::error::AppError;
use crate::kit::format::url_encode;
use crate::kit::page::PendingFlash;
use crate::kit::route::{Permission, Route, csrf_ok};
use crate::{
    AppState, accounts, audit, dashboard, group, indicators, kit, ledger, notify, registry,
    reporting, settings, supervision,
};

/// Every route of every feature, in one list.
pub(crate) fn all_routes() -> Vec<Route> {
    let mut all = vec![
        Route::get("/healthz", Public, || async { "ok" }),
        Route::get("/assets/style.css", Public, kit::route::stylesheet),
        Route::get("/api/v1/openapi.json", Public, openapi).doc(
            "本文档（OpenAPI 3.1）",
            None,
            "Object",
            &[],
        ),
    ];
    for feature in [
        accounts::routes,
        dashboard::routes,
        ledger::routes,
        registry::routes,
        audit::routes,
        reporting::routes,
        supervision::routes,
        group::routes,
        indicators::routes,
        notify::routes,
        settings::routes,
    ] {
        all.extend(feature());
    }
    all
}

/// The application: every route behind the guard, errors rendered by path, security headers on
/// every response, a request id on every log line.
pub fn app(state: AppState) -> Router {
    let routes = routes(state.config.max_upload);
    routes
        .router
        .route_layer(from_fn_with_state(state.clone(), guard))
        .fallback(|| async { kit::error::AppError::not_found() })
        .layer(from_fn(kit::error::render_errors))
        .layer(from_fn_with_state(
            state.clone(),
            kit::route::security_headers,
        ))
        .layer(from_fn(kit::route::request_id))
        .with_state(state)
}

/// The permission table, built from the route rows.
pub static PERMISSIONS: LazyLock<Vec<Permission>> = LazyLock::new(|| {
    all_routes()
        .iter()
        .map(|r| Permission {
            method: method_str(&r.method),
            path: r.path,
            access: r.access,
            doc: r.doc,
        })
        .collect()
});

fn method_str(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        _ => "OTHER",
    }
}

/// The methods a route path takes (HEAD wherever GET), for `Allow`; empty for an unknown path.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in PERMISSIONS.iter().filter(|p| p.path == path) {
        out.push(p.method);
        if p.method == "GET" {
            out.push("HEAD");
        }
    }
    out
}

pub fn permission(method: &Method, path: &str) -> Option<&'static Permission> {
    PERMISSIONS
        .iter()
        .find(|p| p.method == method.as_str() && p.path == path)
}

/// A router that remembers what was registered.
pub struct Routes {
    pub(crate) router: Router<AppState>,
    pub registered: Vec<(Method, &'static str)>,
}

/// Uploads read by this process at once (`limits::CONCURRENT_UPLOADS`); the rest wait, so many
/// large bodies at a time cannot take the memory.
static UPLOADS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(luoshi_domain::limits::CONCURRENT_UPLOADS);

async fn one_of_few_uploads(req: Request, next: Next) -> Response {
    let _permit = UPLOADS.acquire().await;
    next.run(req).await
}

/// Every route of the application, recorded; uploads get `max_upload` (plus room for the form).
pub fn routes(max_upload: usize) -> Routes {
    let upload_limit = DefaultBodyLimit::max(max_upload + 64 * 1024);
    let mut out = Routes {
        router: Router::new(),
        registered: Vec::new(),
    };
    for r in all_routes() {
        let handler = if r.upload {
            r.handler
                .layer(upload_limit)
                .layer(axum::middleware::from_fn(one_of_few_uploads))
        } else {
            r.handler
        };
        out.registered.push((r.method, r.path));
        out.router = out.router.route(r.path, handler);
    }
    out
}

/// Authentication, permission and CSRF, before any handler runs.
pub(crate) async fn guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    // HEAD is answered as GET without a body; a method a path does not take is 405 with Allow.
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let path = matched.as_ref().map(|m| m.as_str()).unwrap_or("");
    let allowed = allowed_methods(path);
    if permission(&method, path).is_none() && !allowed.is_empty() {
        let mut res = AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "不支持该请求方法",
        )
        .into_response();
        if let Ok(v) = axum::http::HeaderValue::from_str(&allowed.join(", ")) {
            res.headers_mut().insert(axum::http::header::ALLOW, v);
        }
        return res;
    }
    let Some(perm) = permission(&method, path) else {
        tracing::error!(
            method = %req.method(),
            path = ?matched.as_ref().map(|m| m.as_str()),
            "route is missing from the permission table"
        );
        return AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unlisted_route",
            "该功能未配置权限",
        )
        .into_response();
    };
    if perm.access == Access::Public {
        return next.run(req).await;
    }
    let Some((hash, mut session)) = crate::kit::auth::load_session(&state, req.headers()).await
    else {
        if api {
            return AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录")
                .into_response();
        }
        let next_path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = if req.method() == Method::GET {
            format!("/login?next={}", url_encode(next_path))
        } else {
            "/login".to_string()
        };
        return Redirect::to(&target).into_response();
    };
    // Who and what, for the audit events below; built only when one is written.
    let who = luoshi_store::Actor {
        user_id: Some(session.user.id),
        name: session.user.username.clone(),
    };
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let what = move || serde_json::json!({ "method": method.as_str(), "path": path });
    // Every signed-in request counts towards the account's limits, whoever serves it.
    if let Some(res) = over_rate(&state, &who, req.method().is_safe(), perm.path).await {
        return res;
    }
    // An account that must first change its password or enrol a second factor reaches only its
    // account page (and signing out) until it has.
    if let Some(step) = crate::kit::auth::pending(&session, crate::kit::clock::now())
        && perm.access != Access::Account
    {
        if api || req.method() != Method::GET {
            return AppError::new(StatusCode::FORBIDDEN, step.code(), step.reason())
                .into_response();
        }
        return Redirect::to("/account").into_response();
    }
    if !perm.access.allows(session.user.role) {
        // A custodian's start page is their own, not the ledger's.
        if !api && req.uri().path() == "/" && session.user.role.is_custodian() {
            return Redirect::to(session.user.role.home()).into_response();
        }
        record(&state, &who, "access.denied", "page", what()).await;
        return AppError::forbidden().into_response();
    }
    if !req.method().is_safe() && !csrf_ok(&req, &session.csrf) {
        let mut detail = what();
        detail["reason"] = "csrf".into();
        record(&state, &who, "access.denied", "page", detail).await;
        return AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "页面已过期或请求来源无效，请刷新页面后重试",
        )
        .into_response();
    }
    // A page shows the messages the session's last posts left; the API never takes them.
    if !api && req.method() == Method::GET && session.pending_flashes > 0 {
        match state.store.take_flashes(&hash).await {
            Ok(f) => session.flashes = f,
            Err(e) => tracing::warn!("flashes not read: {e}"),
        }
    }
    req.extensions_mut().insert(session);
    let mut res = next.run(req).await;
    // Downloads (attachments, originals, exports, compilations) and refusals by the handlers are
    // audit events too.
    if res.status() == StatusCode::FORBIDDEN {
        record(&state, &who, "access.denied", "page", what()).await;
    } else if res.status().is_success()
        && res
            .headers()
            .get(axum::http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"))
    {
        record(&state, &who, "download", "file", what()).await;
    }
    if let Some(PendingFlash(flash)) = res.extensions_mut().remove::<PendingFlash>()
        && let Err(e) = state.store.push_flash(&hash, &flash).await
    {
        tracing::warn!("flash not kept: {e}");
    }
    res
}

/// The refusal of a request past the account's rate limit (429 with `Retry-After`); the first in
/// a window is audited and alerted. A count the database cannot take lets the request through.
async fn over_rate(
    state: &AppState,
    who: &luoshi_store::Actor,
    safe: bool,
    route: &str,
) -> Option<Response> {
    use luoshi_domain::limits::{RequestKind, rate_refusal};
    let user_id = who.user_id?;
    let kind = RequestKind::of(safe, route);
    let now = crate::kit::clock::now();
    let (before, after) = match state.store.count_request(user_id, kind, now).await {
        Ok(counts) => counts,
        Err(e) => {
            tracing::warn!("request not counted for the rate limit: {e}");
            return None;
        }
    };
    let refusal = rate_refusal(kind, before, after, &state.config.rate_limits, now)?;
    if refusal.first {
        tracing::warn!(user = %who.name, kind = kind.code(), "rate limit reached");
        if let Err(e) = state
            .store
            .record_rate_limited(who, kind, &refusal.reason)
            .await
        {
            tracing::error!("rate limit refusal not recorded: {e}");
        }
    }
    let mut res = AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        refusal.reason,
    )
    .into_response();
    res.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(refusal.retry_after),
    );
    Some(res)
}

/// Writes an audit event; a failure is logged, never shown to the user (the request goes on).
async fn record(
    state: &AppState,
    who: &luoshi_store::Actor,
    action: &str,
    kind: &str,
    detail: serde_json::Value,
) {
    if let Err(e) = state
        .store
        .record_event(who, action, kind, None, detail)
        .await
    {
        tracing::error!("audit event {action} not recorded: {e}");
    }
}

/// Every feature's component schemas.
fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    [
        kit::openapi::schemas(),
        accounts::schemas(),
        registry::schemas(),
        ledger::schemas(),
        audit::schemas(),
        reporting::schemas(),
        supervision::schemas(),
        indicators::schemas(),
        notify::schemas(),
    ]
    .concat()
}

/// `GET /api/v1/openapi.json`: the document built from the route rows.
async fn openapi() -> impl IntoResponse {
    // The rows never change while the process runs: serialise the document once.
    static DOC: LazyLock<String> =
        LazyLock::new(|| kit::openapi::document(&PERMISSIONS, schemas()).to_string());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOC.as_str(),
    )
}
