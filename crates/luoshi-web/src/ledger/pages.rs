//! The ledger pages: documents (versions, wording changes, the outline with its tasks, the
//! original), the task list and a task's page, and the 任务分工表 export.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Path, Query};
use crate::kit::format::{esc, url_encode};
use crate::kit::page::PageQuery;
use crate::kit::page::{Nav, nav, page, pager};
use crate::kit::scope::{document_visible, scope_of, visible_document, visible_task};
use crate::ledger::filter::{TaskQuery, task_filter};
use luoshi_domain::registry::AREAS;
use luoshi_store::ledger::{DocumentDetail, DocumentRow, TaskDetail, TaskFilter, TaskRow};
use luoshi_store::reporting::ObligationFilter;
use luoshi_store::supervision::{ItemFilter, ItemRow};
use luoshi_store::{Id, Page, Paged};

#[derive(Template)]
#[template(path = "ledger/documents.html")]
struct DocumentsPage {
    nav: Nav,
    docs: Paged<DocumentRow>,
    pager: String,
}

pub async fn documents(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let scope = scope_of(&state, &a.0).await?;
    let docs = state.store.documents(&scope, q.page()).await?;
    let pager = pager("/documents", docs.offset, docs.limit, docs.total);
    Ok(page(DocumentsPage {
        nav: nav(&a, "documents"),
        docs,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "ledger/document.html")]
struct DocumentPage {
    nav: Nav,
    doc: DocumentDetail,
    outline: String,
    /// Each version's wording changes (version number, changes), for versions that have any.
    version_changes: Vec<(i64, Vec<crate::ledger::wording::ChangeView>)>,
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
) -> AppResult<Html<String>> {
    let (scope, doc) = visible_document(&state, &a.0, id).await?;
    let filter = TaskFilter {
        scope,
        document: Some(id),
        ..TaskFilter::all()
    };
    let tasks = state.store.tasks(&filter, Page::all()).await?;
    let outline = outline_html(&doc.outline, &tasks.items);
    let texts: Vec<crate::ledger::wording::TaskText> = tasks
        .items
        .iter()
        .map(|t| crate::ledger::wording::TaskText {
            href: Some(format!("/tasks/{}", t.id)),
            label: format!("{} {}", t.number, t.title),
            text: &t.text,
        })
        .collect();
    let version_changes = doc
        .versions
        .iter()
        .filter(|v| !v.changes.is_empty())
        .map(|v| {
            (
                v.version_no,
                crate::ledger::wording::views(&v.changes, &texts),
            )
        })
        .collect();
    drop(texts);
    Ok(page(DocumentPage {
        nav: nav(&a, "documents"),
        doc,
        outline,
        version_changes,
    }))
}

#[derive(serde::Deserialize)]
pub struct ReportingFromForm {
    #[serde(default)]
    reporting_from: String,
}

/// The office sets the day the document's reporting starts in Luoshi (blank: its own date).
pub async fn set_reporting_from(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    crate::kit::extract::Form(form): crate::kit::extract::Form<ReportingFromForm>,
) -> AppResult<Response> {
    let to = format!("/documents/{id}");
    let from = match crate::kit::extract::opt_date_field(Some(&form.reporting_from), "报送起始日期")
    {
        Ok(from) => from,
        Err(e) => return Ok(crate::kit::page::refused(&to, &e.message)),
    };
    let doc = state.store.set_reporting_from(&a.actor(), id, from).await?;
    let msg = match doc.reporting_from {
        Some(d) => format!("已设置：自 {d} 起在本系统报送，此前各期不计应报"),
        None => "已设置：按文件日期起算报送".to_string(),
    };
    Ok(crate::kit::page::back(&to, &msg))
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
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                download_name(
                    &v.version.file_name,
                    v.version.document_id,
                    v.version.version_no,
                    ext,
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "ledger/tasks.html")]
struct TasksPage {
    nav: Nav,
    rows: Paged<TaskRow>,
    q_unit: String,
    unit_hint: UnitHint,
    unit_names: Vec<String>,
    q_area: String,
    q_text: String,
    lead: bool,
    /// Only the tasks past their 完成时限 and not 办结.
    overdue: bool,
    document: Option<Id>,
    areas: Vec<(&'static str, &'static str)>,
    query: String,
    pager: String,
}

/// What the task list says about the unit typed in its filter.
enum UnitHint {
    None,
    /// A short form read as this unit.
    ReadAs(String),
    /// Several units fit: "是否指…？" with a link to each.
    Ask(Vec<String>),
    Unknown,
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
    if q.overdue_only() {
        parts.push("overdue=1".into());
    }
    parts.join("&")
}

pub async fn tasks(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<TaskQuery>,
) -> AppResult<Html<String>> {
    let (filter, resolved) = crate::ledger::filter::task_filter_resolved(&state, &a.0, &q).await?;
    let page_req = Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50));
    let rows = state.store.tasks(&filter, page_req).await?;
    let query = query_string(&q);
    let typed = q.unit.as_deref().map(str::trim).unwrap_or_default();
    let unit_hint = match resolved {
        Some(crate::kit::names::Resolved::Unit(_, name)) if name != typed => UnitHint::ReadAs(name),
        None | Some(crate::kit::names::Resolved::Unit(..)) => UnitHint::None,
        Some(crate::kit::names::Resolved::Ask(names)) => UnitHint::Ask(names),
        Some(crate::kit::names::Resolved::Unknown) => UnitHint::Unknown,
    };
    let pager = pager(
        &format!("/tasks?{query}"),
        rows.offset,
        rows.limit,
        rows.total,
    );
    Ok(page(TasksPage {
        nav: nav(&a, "tasks"),
        rows,
        q_unit: q.unit.clone().unwrap_or_default(),
        unit_hint,
        unit_names: crate::kit::names::suggestions(&state).await?,
        q_area: q.area.clone().unwrap_or_default(),
        q_text: q.q.clone().unwrap_or_default(),
        lead: q.lead_only(),
        overdue: q.overdue_only(),
        document: q.document,
        areas: AREAS.iter().map(|a| (a.code, a.name)).collect(),
        query,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "ledger/task.html")]
struct TaskPage {
    nav: Nav,
    task: TaskDetail,
    /// The reporting period running today under the task's document rule.
    period: Option<luoshi_domain::periods::PeriodKey>,
    /// Supervision items about this task that the user may see.
    items: Vec<ItemRow>,
    unit_names: Vec<String>,
    /// A leader (or the office) may write a 批示 that becomes an item.
    can_instruct: bool,
    /// The indicators of the targets written in this task.
    indicators: Vec<crate::indicators::pages::Row>,
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
    let today = crate::kit::clock::today(&state);
    let period = links
        .first()
        .map(|l| crate::reporting::round::rule_of(l).period_of(today).key());
    let units = crate::kit::scope::item_units(&state, &a.0).await?;
    let items = state
        .store
        .items(&ItemFilter {
            task: Some(id),
            units,
            ..Default::default()
        })
        .await?;
    let unit_names = if a.0.user.role == luoshi_domain::accounts::Role::Admin {
        crate::kit::names::suggestions(&state).await?
    } else {
        Vec::new()
    };
    let indicators = crate::indicators::panel(
        &state,
        luoshi_store::indicators::IndicatorFilter {
            task_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    Ok(page(TaskPage {
        nav: nav(&a, "tasks"),
        indicators,
        task,
        period,
        items,
        unit_names,
        can_instruct: luoshi_domain::accounts::Access::Instruct.allows(a.0.user.role),
    }))
}

pub async fn export_tasks(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let filter = task_filter(&state, &a.0, &q).await?;
    let rows = state.store.tasks(&filter, Page::all()).await?;
    let bytes = luoshi_output::ledger::tasks_xlsx(&rows.items).map_err(|e| {
        tracing::warn!("xlsx export failed: {e}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败")
    })?;
    Ok(crate::kit::attach::file_response(
        crate::kit::attach::XLSX,
        "任务分工表.xlsx",
        bytes,
    ))
}

/// The `Content-Disposition` of an original: the name it was uploaded under (its stem, with the
/// extension its content was read as), and a plain ASCII name for old clients.
fn download_name(file_name: &str, document_id: Id, version_no: i64, ext: &str) -> String {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("document-{document_id}-v{version_no}"));
    format!(
        "attachment; filename=\"document-{document_id}-v{version_no}.{ext}\"; filename*=UTF-8''{}.{ext}",
        crate::kit::format::url_encode(&stem)
    )
}

#[cfg(test)]
mod tests {
    use super::download_name;

    #[test]
    fn originals_download_under_their_own_names() {
        let table = [
            (
                "港口物流措施.txt",
                "txt",
                "filename*=UTF-8''%E6%B8%AF%E5%8F%A3%E7%89%A9%E6%B5%81%E6%8E%AA%E6%96%BD.txt",
            ),
            // The content decides the extension, whatever the name claimed.
            (
                "通知.pdf.exe",
                "docx",
                "filename*=UTF-8''%E9%80%9A%E7%9F%A5.pdf.docx",
            ),
            ("a\"b;c.docx", "docx", "filename*=UTF-8''a%22b%3Bc.docx"),
            ("", "txt", "filename*=UTF-8''document-3-v2.txt"),
        ];
        for (name, ext, want) in table {
            let got = download_name(name, 3, 2, ext);
            assert!(
                got.starts_with(&format!("attachment; filename=\"document-3-v2.{ext}\"; ")),
                "{got}"
            );
            assert!(got.ends_with(want), "{name}: {got}");
        }
    }
}
