//! Every route, the permission table, and the request guard.
//!
//! Routes are added through [`Routes::add`], which records each (method, path). The guard looks up
//! the matched route in [`PERMISSIONS`]; a route missing from the table is refused (500 and a log
//! line), so forgetting an entry cannot open a hole, and the authorization test fails on it.

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};
use luoshi_domain::access::Access;

use crate::error::AppError;
use crate::{AppState, api, api_work as aw, auth, dash, pages, reporting, supervise as sv};

/// What one route requires.
#[derive(Debug, Clone, Copy)]
pub struct Permission {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn p(method: &'static str, path: &'static str, access: Access) -> Permission {
    Permission {
        method,
        path,
        access,
    }
}

use Access::{Admin, Public, Reader, Writer};

/// The permission table. Object-level rules (a unit sees only its own work; others answer 404)
/// are applied by the handlers through `scope`.
pub const PERMISSIONS: &[Permission] = &[
    p("GET", "/healthz", Public),
    p("GET", "/assets/style.css", Public),
    p("GET", "/login", Public),
    p("POST", "/login", Public),
    p("POST", "/logout", Reader),
    p("GET", "/", Reader),
    p("GET", "/documents", Reader),
    p("GET", "/documents/{id}", Reader),
    p("GET", "/versions/{id}/original", Reader),
    p("GET", "/tasks", Reader),
    p("GET", "/tasks/{id}", Reader),
    p("GET", "/export/tasks.xlsx", Reader),
    p("GET", "/units", Reader),
    p("GET", "/units/{id}", Reader),
    p("POST", "/units", Admin),
    p("POST", "/units/{id}", Admin),
    p("POST", "/units/{id}/aliases", Admin),
    p("POST", "/units/{id}/aliases/delete", Admin),
    p("POST", "/units/{id}/merge", Admin),
    p("POST", "/units/{id}/split", Admin),
    p("POST", "/unit-ops/{id}/undo", Admin),
    p("GET", "/import", Admin),
    p("POST", "/import", Admin),
    p("GET", "/import/{token}", Admin),
    p("POST", "/import/{token}/confirm", Admin),
    p("POST", "/import/{token}/cancel", Admin),
    p("GET", "/users", Admin),
    p("POST", "/users", Admin),
    p("POST", "/users/{id}/password", Admin),
    p("POST", "/users/{id}/active", Admin),
    p("GET", "/account", Reader),
    p("POST", "/account/password", Reader),
    p("GET", "/audit", Admin),
    p("GET", "/reporting", Reader),
    p("GET", "/reporting/tasks/{id}/{period}", Reader),
    p("POST", "/reporting/tasks/{id}/{period}", Writer),
    p("GET", "/reporting/reports/{id}", Reader),
    p("POST", "/reporting/reports/{id}/review", Admin),
    p("GET", "/attachments/{id}", Reader),
    p("GET", "/items", Reader),
    p("POST", "/items", Admin),
    p("POST", "/items/reminders", Admin),
    p("GET", "/items/{id}", Reader),
    p("POST", "/items/{id}/steps", Writer),
    p("GET", "/group", Reader),
    p("POST", "/group/members", Admin),
    p("POST", "/group/members/{id}", Admin),
    p("POST", "/group/members/{id}/delete", Admin),
    p("POST", "/group/roster", Admin),
    p("POST", "/meetings", Admin),
    p("GET", "/meetings/{id}", Reader),
    p("POST", "/meetings/{id}/decisions/{decision}/item", Admin),
    p("GET", "/dashboard", Reader),
    p("GET", "/compilation.docx", Reader),
    p("GET", "/compilation.pdf", Reader),
    p("GET", "/export/reports.xlsx", Reader),
    p("GET", "/inbox", Reader),
    p("POST", "/inbox/read", Reader),
    p("GET", "/settings", Admin),
    p("POST", "/settings", Admin),
    p("GET", "/api/v1/openapi.json", Public),
    p("POST", "/api/v1/session", Public),
    p("DELETE", "/api/v1/session", Reader),
    p("GET", "/api/v1/me", Reader),
    p("GET", "/api/v1/documents", Reader),
    p("GET", "/api/v1/documents/{id}", Reader),
    p("GET", "/api/v1/tasks", Reader),
    p("GET", "/api/v1/tasks/{id}", Reader),
    p("GET", "/api/v1/units", Reader),
    p("POST", "/api/v1/units", Admin),
    p("GET", "/api/v1/units/{id}", Reader),
    p("PATCH", "/api/v1/units/{id}", Admin),
    p("GET", "/api/v1/units/{id}/tasks", Reader),
    p("POST", "/api/v1/units/{id}/aliases", Admin),
    p("DELETE", "/api/v1/units/{id}/aliases/{alias}", Admin),
    p("POST", "/api/v1/units/{id}/merge", Admin),
    p("POST", "/api/v1/units/{id}/split", Admin),
    p("POST", "/api/v1/unit-ops/{id}/undo", Admin),
    p("POST", "/api/v1/imports", Admin),
    p("GET", "/api/v1/imports/{token}", Admin),
    p("POST", "/api/v1/imports/{token}/confirm", Admin),
    p("GET", "/api/v1/users", Admin),
    p("POST", "/api/v1/users", Admin),
    p("GET", "/api/v1/audit", Admin),
    p("GET", "/api/v1/obligations", Reader),
    p("POST", "/api/v1/reports", Writer),
    p("GET", "/api/v1/reports/{id}", Reader),
    p("POST", "/api/v1/reports/{id}/review", Admin),
    p("GET", "/api/v1/items", Reader),
    p("POST", "/api/v1/items", Admin),
    p("GET", "/api/v1/items/{id}", Reader),
    p("POST", "/api/v1/items/{id}/steps", Writer),
    p("GET", "/api/v1/notifications", Reader),
];

pub fn permission(method: &Method, path: &str) -> Option<&'static Permission> {
    PERMISSIONS
        .iter()
        .find(|p| p.method == method.as_str() && p.path == path)
}

/// A router that remembers what was registered.
pub struct Routes {
    router: Router<AppState>,
    pub registered: Vec<(Method, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            registered: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Routes {
        self.registered.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every route of the application, recorded.
pub fn routes(max_upload: usize) -> Routes {
    let upload_limit = DefaultBodyLimit::max(max_upload + 64 * 1024);
    let g = Method::GET;
    let po = Method::POST;
    Routes::new()
        .add(g.clone(), "/healthz", get(|| async { "ok" }))
        .add(g.clone(), "/assets/style.css", get(stylesheet))
        .add(g.clone(), "/login", get(pages::login_page))
        .add(po.clone(), "/login", post(pages::login_submit))
        .add(po.clone(), "/logout", post(pages::logout))
        .add(g.clone(), "/", get(pages::home))
        .add(g.clone(), "/documents", get(pages::documents))
        .add(g.clone(), "/documents/{id}", get(pages::document))
        .add(g.clone(), "/versions/{id}/original", get(pages::original))
        .add(g.clone(), "/tasks", get(pages::tasks))
        .add(g.clone(), "/tasks/{id}", get(pages::task))
        .add(g.clone(), "/export/tasks.xlsx", get(pages::export_tasks))
        .add(g.clone(), "/units", get(pages::units))
        .add(po.clone(), "/units", post(pages::unit_create))
        .add(g.clone(), "/units/{id}", get(pages::unit))
        .add(po.clone(), "/units/{id}", post(pages::unit_update))
        .add(po.clone(), "/units/{id}/aliases", post(pages::alias_add))
        .add(
            po.clone(),
            "/units/{id}/aliases/delete",
            post(pages::alias_remove),
        )
        .add(po.clone(), "/units/{id}/merge", post(pages::unit_merge))
        .add(po.clone(), "/units/{id}/split", post(pages::unit_split))
        .add(po.clone(), "/unit-ops/{id}/undo", post(pages::unit_undo))
        .add(g.clone(), "/import", get(pages::import_page))
        .add(
            po.clone(),
            "/import",
            post(pages::import_upload).layer(upload_limit),
        )
        .add(g.clone(), "/import/{token}", get(pages::import_preview))
        .add(
            po.clone(),
            "/import/{token}/confirm",
            post(pages::import_confirm),
        )
        .add(
            po.clone(),
            "/import/{token}/cancel",
            post(pages::import_cancel),
        )
        .add(g.clone(), "/users", get(pages::users))
        .add(po.clone(), "/users", post(pages::user_create))
        .add(
            po.clone(),
            "/users/{id}/password",
            post(pages::user_password),
        )
        .add(po.clone(), "/users/{id}/active", post(pages::user_active))
        .add(g.clone(), "/account", get(pages::account))
        .add(
            po.clone(),
            "/account/password",
            post(pages::account_password),
        )
        .add(g.clone(), "/audit", get(pages::audit))
        .add(g.clone(), "/reporting", get(reporting::reporting))
        .add(
            g.clone(),
            "/reporting/tasks/{id}/{period}",
            get(reporting::task_reports),
        )
        .add(
            po.clone(),
            "/reporting/tasks/{id}/{period}",
            post(reporting::task_reports_submit).layer(upload_limit),
        )
        .add(
            g.clone(),
            "/reporting/reports/{id}",
            get(reporting::report_redirect),
        )
        .add(
            po.clone(),
            "/reporting/reports/{id}/review",
            post(reporting::review),
        )
        .add(g.clone(), "/attachments/{id}", get(reporting::attachment))
        .add(g.clone(), "/items", get(sv::items))
        .add(po.clone(), "/items", post(sv::item_create))
        .add(po.clone(), "/items/reminders", post(sv::reminders_now))
        .add(g.clone(), "/items/{id}", get(sv::item))
        .add(po.clone(), "/items/{id}/steps", post(sv::item_step))
        .add(g.clone(), "/group", get(sv::group))
        .add(po.clone(), "/group/members", post(sv::member_add))
        .add(po.clone(), "/group/members/{id}", post(sv::member_update))
        .add(
            po.clone(),
            "/group/members/{id}/delete",
            post(sv::member_delete),
        )
        .add(po.clone(), "/group/roster", post(sv::roster_import))
        .add(po.clone(), "/meetings", post(sv::meeting_create))
        .add(g.clone(), "/meetings/{id}", get(sv::meeting))
        .add(
            po.clone(),
            "/meetings/{id}/decisions/{decision}/item",
            post(sv::decision_to_item),
        )
        .add(g.clone(), "/dashboard", get(dash::dashboard))
        .add(
            g.clone(),
            "/compilation.docx",
            get(reporting::compilation_docx),
        )
        .add(
            g.clone(),
            "/compilation.pdf",
            get(reporting::compilation_pdf),
        )
        .add(
            g.clone(),
            "/export/reports.xlsx",
            get(reporting::reports_xlsx),
        )
        .add(g.clone(), "/inbox", get(sv::inbox))
        .add(po.clone(), "/inbox/read", post(sv::inbox_read))
        .add(g.clone(), "/settings", get(sv::settings))
        .add(po.clone(), "/settings", post(sv::settings_save))
        .add(g.clone(), "/api/v1/openapi.json", get(api::openapi))
        .add(po.clone(), "/api/v1/session", post(api::login))
        .add(Method::DELETE, "/api/v1/session", delete(api::logout))
        .add(g.clone(), "/api/v1/me", get(api::me))
        .add(g.clone(), "/api/v1/documents", get(api::documents))
        .add(g.clone(), "/api/v1/documents/{id}", get(api::document))
        .add(g.clone(), "/api/v1/tasks", get(api::tasks))
        .add(g.clone(), "/api/v1/tasks/{id}", get(api::task))
        .add(g.clone(), "/api/v1/units", get(api::units))
        .add(po.clone(), "/api/v1/units", post(api::unit_create))
        .add(g.clone(), "/api/v1/units/{id}", get(api::unit))
        .add(Method::PATCH, "/api/v1/units/{id}", patch(api::unit_update))
        .add(g.clone(), "/api/v1/units/{id}/tasks", get(api::unit_tasks))
        .add(
            po.clone(),
            "/api/v1/units/{id}/aliases",
            post(api::alias_add),
        )
        .add(
            Method::DELETE,
            "/api/v1/units/{id}/aliases/{alias}",
            delete(api::alias_remove),
        )
        .add(
            po.clone(),
            "/api/v1/units/{id}/merge",
            post(api::unit_merge),
        )
        .add(
            po.clone(),
            "/api/v1/units/{id}/split",
            post(api::unit_split),
        )
        .add(
            po.clone(),
            "/api/v1/unit-ops/{id}/undo",
            post(api::unit_undo),
        )
        .add(
            po.clone(),
            "/api/v1/imports",
            post(api::import_upload).layer(upload_limit),
        )
        .add(
            g.clone(),
            "/api/v1/imports/{token}",
            get(api::import_preview),
        )
        .add(
            po.clone(),
            "/api/v1/imports/{token}/confirm",
            post(api::import_confirm),
        )
        .add(g.clone(), "/api/v1/users", get(api::users))
        .add(po.clone(), "/api/v1/users", post(api::user_create))
        .add(g.clone(), "/api/v1/audit", get(api::audit))
        .add(g.clone(), "/api/v1/obligations", get(aw::obligations))
        .add(
            po.clone(),
            "/api/v1/reports",
            post(aw::submit).layer(upload_limit),
        )
        .add(g.clone(), "/api/v1/reports/{id}", get(aw::report))
        .add(po.clone(), "/api/v1/reports/{id}/review", post(aw::review))
        .add(g.clone(), "/api/v1/items", get(aw::items))
        .add(po.clone(), "/api/v1/items", post(aw::item_create))
        .add(g.clone(), "/api/v1/items/{id}", get(aw::item))
        .add(po, "/api/v1/items/{id}/steps", post(aw::item_step))
        .add(g, "/api/v1/notifications", get(aw::notifications))
}

/// The application: every route behind the guard, security headers on every response.
pub fn app(state: AppState) -> Router {
    let routes = routes(state.config.max_upload);
    routes
        .router
        .route_layer(from_fn_with_state(state.clone(), guard))
        .fallback(|| async { AppError::not_found() })
        .layer(from_fn(security_headers))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/style.css"),
    )
}

/// Authentication, permission and CSRF, before any handler runs.
async fn guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let wrap = |e: AppError| if api { e.api() } else { e };
    let Some(perm) = matched
        .as_ref()
        .and_then(|m| permission(req.method(), m.as_str()))
    else {
        eprintln!(
            "luoshi: route {} {:?} is missing from the permission table",
            req.method(),
            matched.as_ref().map(|m| m.as_str())
        );
        return wrap(AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unlisted_route",
            "该功能未配置权限",
        ))
        .into_response();
    };
    if perm.access == Access::Public {
        return next.run(req).await;
    }
    let Some((_, session)) = auth::load_session(&state, req.headers()).await else {
        if api {
            return wrap(AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录",
            ))
            .into_response();
        }
        let next_path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = if req.method() == Method::GET {
            format!("/login?next={}", pages::url_encode(next_path))
        } else {
            "/login".to_string()
        };
        return Redirect::to(&target).into_response();
    };
    if !perm.access.allows(session.user.role) {
        return wrap(AppError::forbidden()).into_response();
    }
    if !req.method().is_safe() && !csrf_ok(&req, &session.csrf) {
        return wrap(AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "页面已过期或请求来源无效，请刷新页面后重试",
        ))
        .into_response();
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

/// The CSRF token from the header or the form action's `_csrf` query parameter.
fn csrf_ok(req: &Request, expected: &str) -> bool {
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

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
