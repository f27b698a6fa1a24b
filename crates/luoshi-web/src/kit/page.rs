//! Page chrome: rendering a template, the header bar (`Nav`), redirect-with-message (the message
//! kept under the session, never in the URL), the pager, the error page, and the paging query
//! every list takes.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::kit::auth::Auth;
use crate::kit::format::esc;
use luoshi_domain::accounts::Role;
use luoshi_store::Page;
use luoshi_store::accounts::{Flash, Tone};

/// Renders a template; a template error is a bug, logged and shown as a plain message.
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::warn!("template error: {e}");
        "页面渲染失败".into()
    })
}

pub(crate) fn page<T: Template>(t: T) -> Html<String> {
    Html(render(&t))
}

/// What the header bar needs.
pub struct Nav {
    pub username: String,
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    pub csrf: String,
    pub admin: bool,
    /// One of the three custodians (三员): the header shows their pages only.
    pub custodian: bool,
    pub needs_second_factor: bool,
    /// The role's code, for the custodians' links.
    pub role: &'static str,
    /// Where the role starts.
    pub home: &'static str,
    pub section: &'static str,
    /// What the last form post did (shown once, taken from the session by the guard).
    pub flashes: Vec<Flash>,
    /// Unread notifications.
    pub unread: i64,
}

pub(crate) fn nav(a: &Auth, section: &'static str) -> Nav {
    let u = &a.0.user;
    Nav {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role_label: u.role.label(),
        unit_name: u.unit_name.clone(),
        csrf: a.0.csrf.clone(),
        admin: u.role == Role::Admin,
        custodian: u.role.is_custodian(),
        needs_second_factor: u.role.needs_second_factor(),
        role: u.role.code(),
        home: u.role.home(),
        section,
        flashes: a.0.flashes.clone(),
        unread: a.0.unread,
    }
}

/// Back to `to` saying what was done.
pub(crate) fn back(to: &str, msg: &str) -> Response {
    with_flash(to, Tone::Done, msg)
}

/// Back to `to` saying why the post was refused (shown in the refusal style).
pub(crate) fn refused(to: &str, msg: &str) -> Response {
    with_flash(to, Tone::Refused, msg)
}

fn with_flash(to: &str, tone: Tone, msg: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.extensions_mut().insert(PendingFlash(Flash {
        tone,
        text: msg.to_string(),
    }));
    res
}

/// A message a handler leaves for the next page; the guard keeps it under the session.
#[derive(Debug, Clone)]
pub(crate) struct PendingFlash(pub Flash);

/// Links to the previous and next page.
pub(crate) fn pager(base: &str, offset: i64, limit: i64, total: i64) -> String {
    pager_for(base, "offset", offset, limit, total)
}

/// A pager whose offset travels in `param` (for a page with more than one paged list).
pub(crate) fn pager_for(base: &str, param: &str, offset: i64, limit: i64, total: i64) -> String {
    let sep = if base.contains('?') { "&amp;" } else { "?" };
    let mut out = String::new();
    if offset > 0 {
        out.push_str(&format!(
            "<a href=\"{}{sep}{param}={}\">上一页</a>",
            esc(base),
            (offset - limit).max(0)
        ));
    }
    if offset + limit < total {
        out.push_str(&format!(
            "<a href=\"{}{sep}{param}={}\">下一页</a>",
            esc(base),
            offset + limit
        ));
    }
    if total > limit {
        out.push_str(&format!(
            "<span class=\"muted\">第 {}–{} 条，共 {total} 条</span>",
            offset + 1,
            (offset + limit).min(total)
        ));
    }
    out
}

#[derive(Template)]
#[template(path = "kit/error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> Page {
        Page::new(self.offset.unwrap_or(0), self.limit.unwrap_or(50))
    }
}
