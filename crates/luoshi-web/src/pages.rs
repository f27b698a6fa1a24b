//! The server-rendered pages, in Chinese. They read without JavaScript; every form posts to an
//! action carrying the session's CSRF token, and every change redirects back with a message.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use luoshi_domain::access::Role;
use luoshi_domain::registry::{AREAS, UnitKind};
use luoshi_store::*;
use serde::Deserialize;

use crate::api::{self, NewUserBody, TaskQuery, task_filter};
use crate::auth::{self, Auth, Login};
use crate::error::{AppError, AppResult};
use crate::ingest::Preview;
use crate::scope::{
    document_visible, scope_of, visible_document, visible_task, visible_unit, visible_units,
};
use crate::{AppState, export};

/// Renders a template; a template error is a bug, logged and shown as a plain message.
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        eprintln!("luoshi: template error: {e}");
        "页面渲染失败".into()
    })
}

pub(crate) fn page<T: Template>(t: T) -> Html<String> {
    Html(render(&t))
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// HTML-escapes text for the few fragments built outside templates.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Beijing time (UTC+8) of a Unix timestamp.
pub fn fmt_time(t: &i64) -> String {
    let secs = t + 8 * 3600;
    let date = luoshi_domain::calendar::Date::from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{date} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

pub fn percent(x: &f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub fn area_name(code: Option<&str>) -> &'static str {
    code.and_then(|c| AREAS.iter().find(|a| a.code == c))
        .map(|a| a.name)
        .unwrap_or("")
}

pub fn area_names(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| area_name(Some(c)))
        .collect::<Vec<_>>()
        .join("、")
}

pub fn json_short(v: &Option<serde_json::Value>) -> String {
    let s = v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// What the header bar needs.
pub struct Nav {
    pub username: String,
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    pub csrf: String,
    pub admin: bool,
    pub section: &'static str,
    pub msg: Option<String>,
    /// Unread notifications.
    pub unread: i64,
}

#[derive(Deserialize, Default)]
pub struct Msg {
    pub msg: Option<String>,
}

pub(crate) fn nav(a: &Auth, section: &'static str, msg: Option<String>) -> Nav {
    let u = &a.0.user;
    Nav {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role_label: u.role.label(),
        unit_name: u.unit_name.clone(),
        csrf: a.0.csrf.clone(),
        admin: u.role == Role::Admin,
        section,
        msg: msg.filter(|m| !m.is_empty()),
        unread: a.0.unread,
    }
}

pub(crate) fn back(to: &str, msg: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}msg={}", url_encode(msg))).into_response()
}

/// Links to the previous and next page.
pub(crate) fn pager(base: &str, offset: i64, limit: i64, total: i64) -> String {
    let sep = if base.contains('?') { "&amp;" } else { "?" };
    let mut out = String::new();
    if offset > 0 {
        out.push_str(&format!(
            "<a href=\"{}{sep}offset={}\">上一页</a>",
            esc(base),
            (offset - limit).max(0)
        ));
    }
    if offset + limit < total {
        out.push_str(&format!(
            "<a href=\"{}{sep}offset={}\">下一页</a>",
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
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn login_page(Query(q): Query<NextQuery>) -> Html<String> {
    page(LoginPage {
        error: None,
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The login form has no session yet, so no CSRF token: a cross-site post is refused by its
/// Origin (SameSite=Strict cookies do the rest).
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()),
        host,
    ) {
        (None, _) | (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .map(|(_, rest)| rest == host)
            .unwrap_or(false),
        (Some(_), None) => false,
    }
}

pub async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    if !same_origin(&headers) {
        return AppError::new(StatusCode::FORBIDDEN, "csrf", "请求来源无效").into_response();
    }
    match auth::login(&state, &f.username, &f.password).await {
        Ok(Login::Ok { token, .. }) => (
            [(
                header::SET_COOKIE,
                auth::session_cookie(Some(&token), state.config.secure_cookies),
            )],
            Redirect::to(&next),
        )
            .into_response(),
        Ok(Login::Refused(error)) => (
            StatusCode::UNAUTHORIZED,
            page(LoginPage {
                error: Some(error),
                next,
            }),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie_token(&headers) {
        let _ = state.store.delete_session(&auth::token_hash(&token)).await;
    }
    (
        [(
            header::SET_COOKIE,
            auth::session_cookie(None, state.config.secure_cookies),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    counts: LedgerCounts,
    area_chart: String,
    todo: Option<Todo>,
}

/// A unit's reporting to-do for the current round.
struct Todo {
    round: String,
    owed: usize,
    open: usize,
    missing: usize,
    returned: usize,
}

/// A horizontal bar chart as inline SVG (no scripts, no fonts fetched).
pub fn bar_chart(bars: &[(String, i64)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let row = 30;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{}\" role=\"img\" aria-label=\"各片区任务数\">",
        bars.len() * row + 10
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i * row + 5;
        let w = (*n as f64 / max as f64 * 380.0).round() as i64;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"14\">{}</text><rect x=\"100\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"#9e1b1b\"/><text x=\"{}\" y=\"{}\" font-size=\"13\">{n}</text>",
            y + 15,
            esc(label),
            106 + w,
            y + 15
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub async fn home(
    State(state): State<AppState>,
    a: Auth,
    Query(m): Query<Msg>,
) -> AppResult<Html<String>> {
    let scope = scope_of(&state, &a.0).await?;
    let counts = state.store.ledger_counts(&scope).await?;
    let bars: Vec<(String, i64)> = AREAS
        .iter()
        .map(|area| {
            let n = counts
                .by_area
                .iter()
                .find(|(c, _)| c == area.code)
                .map(|x| x.1)
                .unwrap_or(0);
            (format!("{}片区", area.name), n)
        })
        .collect();
    // A unit's officer sees what it owes this round first.
    let todo = if a.0.user.role.sees_everything() {
        None
    } else {
        let round = crate::work::Round::of(crate::work::today(&state));
        let family = state.store.unit_family(a.0.user.unit_id).await?;
        let links = state
            .store
            .obligations(&ObligationFilter {
                units: Some(family),
                ..Default::default()
            })
            .await?;
        let owed = crate::work::owed_in_round(&state, links, round).await?;
        let count = |s: crate::work::Standing| owed.iter().filter(|o| o.standing == s).count();
        use crate::work::Standing as S;
        Some(Todo {
            round: round.label(),
            owed: owed.len(),
            open: count(S::Open),
            missing: count(S::Missing),
            returned: count(S::Returned),
        })
    };
    Ok(page(HomePage {
        nav: nav(&a, "home", m.msg),
        counts,
        area_chart: bar_chart(&bars),
        todo,
    }))
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    nav: Nav,
    docs: Paged<DocumentRow>,
    pager: String,
}

pub async fn documents(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<api::PageQuery>,
) -> AppResult<Html<String>> {
    let scope = scope_of(&state, &a.0).await?;
    let docs = state.store.documents(&scope, q.page()).await?;
    let pager = pager("/documents", docs.offset, docs.limit, docs.total);
    Ok(page(DocumentsPage {
        nav: nav(&a, "documents", None),
        docs,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    nav: Nav,
    doc: DocumentDetail,
    outline: String,
}

/// The outline tree with the document's tasks under their headings.
fn outline_html(nodes: &[luoshi_doc::OutlineNode], tasks: &[TaskRow]) -> String {
    let mut out = String::from("<ul class=\"outline\">");
    for n in nodes {
        out.push_str(&format!("<li>{}{}", esc(&n.marker), esc(&n.title)));
        let own: Vec<&TaskRow> = tasks
            .iter()
            .filter(|t| {
                n.children.is_empty()
                    && t.title == n.title
                    && (n.marker.contains(&t.number) || t.number.is_empty())
            })
            .collect();
        for t in own {
            out.push_str(&format!(
                " <a href=\"/tasks/{}\">［任务］</a> <span class=\"lead\">{}</span>",
                t.id,
                esc(&t.lead.join("、"))
            ));
        }
        if !n.children.is_empty() {
            out.push_str(&outline_html(&n.children, tasks));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

pub async fn document(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> AppResult<Html<String>> {
    let (scope, doc) = visible_document(&state, &a.0, id).await?;
    let filter = TaskFilter {
        scope,
        document: Some(id),
        ..TaskFilter::all()
    };
    let tasks = state.store.tasks(&filter, Page::all()).await?;
    let outline = outline_html(&doc.outline, &tasks.items);
    Ok(page(DocumentPage {
        nav: nav(&a, "documents", m.msg),
        doc,
        outline,
    }))
}

pub async fn original(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    let v = state
        .store
        .version(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let scope = scope_of(&state, &a.0).await?;
    if !document_visible(&state, &scope, v.version.document_id).await? {
        return Err(AppError::not_found());
    }
    let bytes = state
        .store
        .blob(&v.version.sha256)
        .await?
        .ok_or_else(AppError::not_found)?;
    let ext = match v.version.format.as_str() {
        "docx" => "docx",
        "pdf" => "pdf",
        "html" => "html",
        "xlsx" => "xlsx",
        _ => "txt",
    };
    let name = format!(
        "document-{}-v{}.{ext}",
        v.version.document_id, v.version.version_no
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Nav,
    rows: Paged<TaskRow>,
    q_unit: String,
    q_area: String,
    q_text: String,
    lead: bool,
    document: Option<Id>,
    areas: Vec<(&'static str, &'static str)>,
    query: String,
    pager: String,
}

fn query_string(q: &TaskQuery) -> String {
    let mut parts = Vec::new();
    if let Some(u) = q.unit.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("unit={}", url_encode(u)));
    }
    if q.lead_only() {
        parts.push("lead=1".into());
    }
    if let Some(a) = q.area.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("area={}", url_encode(a)));
    }
    if let Some(d) = q.document {
        parts.push(format!("document={d}"));
    }
    if let Some(t) = q.q.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("q={}", url_encode(t)));
    }
    parts.join("&")
}

pub async fn tasks(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<TaskQuery>,
) -> AppResult<Html<String>> {
    let filter = task_filter(&state, &a.0, &q).await?;
    let page_req = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
    let rows = state.store.tasks(&filter, page_req).await?;
    let query = query_string(&q);
    let pager = pager(
        &format!("/tasks?{query}"),
        rows.offset,
        rows.limit,
        rows.total,
    );
    Ok(page(TasksPage {
        nav: nav(&a, "tasks", None),
        rows,
        q_unit: q.unit.clone().unwrap_or_default(),
        q_area: q.area.clone().unwrap_or_default(),
        q_text: q.q.clone().unwrap_or_default(),
        lead: q.lead_only(),
        document: q.document,
        areas: AREAS.iter().map(|a| (a.code, a.name)).collect(),
        query,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    nav: Nav,
    task: TaskDetail,
    /// The reporting period running today under the task's document rule.
    period: Option<String>,
    /// Supervision items about this task that the user may see.
    items: Vec<ItemRow>,
}

pub async fn task(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Html<String>> {
    let task = visible_task(&state, &a.0, id).await?;
    let links = state
        .store
        .obligations(&ObligationFilter {
            task: Some(id),
            ..Default::default()
        })
        .await?;
    let today = crate::work::today(&state);
    let period = links
        .first()
        .map(|l| crate::work::rule_of(l).period_of(today).key());
    let units = crate::scope::item_units(&state, &a.0).await?;
    let items = state
        .store
        .items(&ItemFilter {
            task: Some(id),
            units,
            ..Default::default()
        })
        .await?;
    Ok(page(TaskPage {
        nav: nav(&a, "tasks", None),
        task,
        period,
        items,
    }))
}

pub async fn export_tasks(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let filter = task_filter(&state, &a.0, &q).await?;
    let rows = state.store.tasks(&filter, Page::all()).await?;
    let bytes = export::tasks_xlsx(&rows.items).map_err(|e| {
        eprintln!("luoshi: xlsx export failed: {e}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败")
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tasks.xlsx\"; filename*=UTF-8''%E4%BB%BB%E5%8A%A1%E5%88%86%E5%B7%A5%E8%A1%A8.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    nav: Nav,
    units: Vec<UnitSummary>,
    kinds: [UnitKind; 6],
}

pub async fn units(
    State(state): State<AppState>,
    a: Auth,
    Query(m): Query<Msg>,
) -> AppResult<Html<String>> {
    let units = visible_units(&state, &a.0).await?;
    Ok(page(UnitsPage {
        nav: nav(&a, "units", m.msg),
        units,
        kinds: UnitKind::ALL,
    }))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    nav: Nav,
    unit: UnitDetail,
    lead: Paged<TaskRow>,
    support: Paged<TaskRow>,
    ops: Vec<UnitOp>,
    kinds: [UnitKind; 6],
}

pub async fn unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> AppResult<Html<String>> {
    let unit = visible_unit(&state, &a.0, id).await?;
    let family = state.store.unit_family(id).await?;
    let scope = scope_of(&state, &a.0).await?;
    let mut f = TaskFilter {
        scope,
        units: Some(family),
        lead_only: true,
        ..TaskFilter::all()
    };
    let lead = state.store.tasks(&f, Page::new(0, 500)).await?;
    f.lead_only = false;
    let all = state.store.tasks(&f, Page::new(0, 500)).await?;
    let lead_ids: Vec<Id> = lead.items.iter().map(|t| t.id).collect();
    let support_items: Vec<TaskRow> = all
        .items
        .into_iter()
        .filter(|t| !lead_ids.contains(&t.id))
        .collect();
    let support = Paged {
        total: all.total - lead.total,
        offset: 0,
        limit: 500,
        items: support_items,
    };
    let ops = if a.0.user.role == Role::Admin {
        state.store.unit_ops(Some(id)).await?
    } else {
        Vec::new()
    };
    Ok(page(UnitPage {
        nav: nav(&a, "units", m.msg),
        unit,
        lead,
        support,
        ops,
        kinds: UnitKind::ALL,
    }))
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    kind: String,
    successor: Option<String>,
    succeeded_on: Option<String>,
}

fn kind_of(code: &str) -> AppResult<UnitKind> {
    UnitKind::from_code(code).ok_or_else(|| AppError::bad_request("单位类别无效"))
}

pub async fn unit_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let u = state
        .store
        .create_unit(&a.actor(), &f.name, kind_of(&f.kind)?)
        .await?;
    Ok(back(&format!("/units/{}", u.id), "已新增单位"))
}

pub async fn unit_update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let successor = match f
        .successor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(name) => Some(
            state
                .store
                .unit_by_name(name)
                .await?
                .ok_or_else(|| AppError::bad_request(format!("单位“{name}”不在名录中")))?
                .id,
        ),
    };
    let edit = UnitEdit {
        name: Some(f.name),
        kind: Some(kind_of(&f.kind)?),
        successor_id: Some(successor),
        succeeded_on: Some(f.succeeded_on),
    };
    state.store.update_unit(&a.actor(), id, edit).await?;
    Ok(back(&format!("/units/{id}"), "已保存"))
}

#[derive(Deserialize)]
pub struct AliasForm {
    alias: String,
}

pub async fn alias_add(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<AliasForm>,
) -> AppResult<Response> {
    state.store.add_alias(&a.actor(), id, &f.alias).await?;
    Ok(back(&format!("/units/{id}"), "已增加别名"))
}

pub async fn alias_remove(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<AliasForm>,
) -> AppResult<Response> {
    state.store.remove_alias(&a.actor(), id, &f.alias).await?;
    Ok(back(&format!("/units/{id}"), "已删除别名"))
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

pub async fn unit_merge(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    let into = state
        .store
        .unit_by_name(&f.into)
        .await?
        .ok_or_else(|| AppError::bad_request(format!("单位“{}”不在名录中", f.into)))?;
    state.store.merge_units(&a.actor(), id, into.id).await?;
    Ok(back(
        &format!("/units/{}", into.id),
        "已合并，可在合并记录中撤销",
    ))
}

#[derive(Deserialize)]
pub struct SplitForm {
    new_name: String,
    aliases: String,
    kind: String,
}

pub async fn unit_split(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<SplitForm>,
) -> AppResult<Response> {
    let aliases = f
        .aliases
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    state
        .store
        .split_unit(
            &a.actor(),
            UnitSplit {
                unit_id: id,
                new_name: f.new_name,
                kind: kind_of(&f.kind)?,
                aliases,
            },
        )
        .await?;
    Ok(back(&format!("/units/{id}"), "已拆分，可在记录中撤销"))
}

pub async fn unit_undo(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    state.store.undo_unit_op(&a.actor(), id).await?;
    Ok(back("/units", "已撤销"))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Nav,
    error: Option<String>,
    max_mb: usize,
}

pub async fn import_page(
    State(state): State<AppState>,
    a: Auth,
    Query(m): Query<Msg>,
) -> Html<String> {
    page(ImportPage {
        nav: nav(&a, "import", m.msg),
        error: None,
        max_mb: state.config.max_upload / 1024 / 1024,
    })
}

pub async fn import_upload(
    State(state): State<AppState>,
    a: Auth,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut error = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        eprintln!("luoshi: upload read failed: {e}");
                        error = Some(format!(
                            "上传失败：文件可能超过 {} MB 上限",
                            state.config.max_upload / 1024 / 1024
                        ));
                        break;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                eprintln!("luoshi: multipart error: {e}");
                error = Some("上传失败，请重试".into());
                break;
            }
        }
    }
    let result = match (error, file) {
        (Some(e), _) => Err(AppError::bad_request(e)),
        (None, None) => Err(AppError::bad_request("请选择文件")),
        (None, Some((name, bytes))) => api::stage_upload(&state, &a.0, name, bytes).await,
    };
    match result {
        Ok(p) => Redirect::to(&format!("/import/{}", p.token)).into_response(),
        Err(e) => (
            e.status,
            page(ImportPage {
                nav: nav(&a, "import", None),
                error: Some(e.message),
                max_mb: state.config.max_upload / 1024 / 1024,
            }),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPage {
    nav: Nav,
    p: Preview,
}

pub async fn import_preview(
    State(state): State<AppState>,
    a: Auth,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let p = api::pending_preview(&state, &a.0, &token).await?;
    Ok(page(PreviewPage {
        nav: nav(&a, "import", None),
        p,
    }))
}

pub async fn import_confirm(
    State(state): State<AppState>,
    a: Auth,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let outcome = api::confirm_pending(&state, &a, &token).await?;
    let msg = match &outcome {
        ImportOutcome::Unchanged { .. } => "该文件此前已导入，台账没有变化".to_string(),
        ImportOutcome::NewDocument { tasks, .. } => format!("已导入，新增任务 {tasks} 项"),
        ImportOutcome::NewVersion {
            version_no,
            matched,
            added,
            retired,
            ..
        } => format!(
            "已导入第 {version_no} 版：延续原任务 {matched} 项，新增 {added} 项，停用 {retired} 项"
        ),
    };
    Ok(back(&format!("/documents/{}", outcome.document_id()), &msg))
}

pub async fn import_cancel(
    State(state): State<AppState>,
    _a: Auth,
    Path(token): Path<String>,
) -> AppResult<Response> {
    state.store.delete_pending_import(&token).await?;
    Ok(back("/import", "已取消导入"))
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<User>,
    roles: [Role; 5],
    error: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    a: Auth,
    Query(m): Query<Msg>,
) -> AppResult<Html<String>> {
    Ok(page(UsersPage {
        nav: nav(&a, "users", m.msg),
        users: state.store.users().await?,
        roles: Role::ALL,
        error: None,
    }))
}

#[derive(Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    unit: String,
    password: String,
}

pub async fn user_create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let role = Role::from_code(&f.role).ok_or_else(|| AppError::bad_request("角色无效"))?;
    let body = NewUserBody {
        username: f.username,
        display_name: f.display_name,
        role,
        unit: f.unit,
        password: f.password,
    };
    match api::create_account(&state, &a, body).await {
        Ok(u) => Ok(back("/users", &format!("已新增用户 {}", u.username))),
        Err(e) => Ok((
            e.status,
            page(UsersPage {
                nav: nav(&a, "users", None),
                users: state.store.users().await?,
                roles: Role::ALL,
                error: Some(e.message),
            }),
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
    current: Option<String>,
}

async fn store_password(state: &AppState, a: &Auth, user_id: Id, pw: &str) -> AppResult<()> {
    luoshi_domain::password::check(pw).map_err(AppError::bad_request)?;
    let pw = pw.to_string();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
        .await
        .map_err(|_| AppError::bad_request("密码处理失败"))?;
    state.store.set_password(&a.actor(), user_id, &hash).await?;
    Ok(())
}

pub async fn user_password(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    store_password(&state, &a, id, &f.password).await?;
    Ok(back("/users", "已重置密码，该用户需重新登录"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn user_active(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    if id == a.0.user.id {
        return Err(AppError::bad_request("不能停用自己的账户"));
    }
    let active = f.active == "1";
    state.store.set_user_active(&a.actor(), id, active).await?;
    Ok(back("/users", if active { "已启用" } else { "已停用" }))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    error: Option<String>,
}

pub async fn account(a: Auth, Query(m): Query<Msg>) -> Html<String> {
    page(AccountPage {
        nav: nav(&a, "", m.msg),
        error: None,
    })
}

pub async fn account_password(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let creds = state
        .store
        .credentials(&a.0.user.username)
        .await?
        .ok_or_else(AppError::not_found)?;
    let current = f.current.unwrap_or_default();
    let hash = creds.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        return Ok((
            StatusCode::BAD_REQUEST,
            page(AccountPage {
                nav: nav(&a, "", None),
                error: Some("当前密码不正确".into()),
            }),
        )
            .into_response());
    }
    store_password(&state, &a, a.0.user.id, &f.password).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    entries: Paged<AuditEntry>,
    pager: String,
}

pub async fn audit(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<api::PageQuery>,
) -> AppResult<Html<String>> {
    let entries = state.store.audit(q.page()).await?;
    let pager = pager("/audit", entries.offset, entries.limit, entries.total);
    Ok(page(AuditPage {
        nav: nav(&a, "audit", None),
        entries,
        pager,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        assert_eq!(fmt_time(&0), "1970-01-01 08:00");
        assert_eq!(fmt_time(&1_709_164_800), "2024-02-29 08:00");
        assert_eq!(fmt_time(&1_767_196_799), "2025-12-31 23:59");
        assert_eq!(fmt_time(&1_767_196_800), "2026-01-01 00:00");
    }

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/tasks?q=1")), "/tasks?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
