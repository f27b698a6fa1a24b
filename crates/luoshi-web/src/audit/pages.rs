//! The audit log page (审计), paged.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::Query;
use crate::kit::page::PageQuery;
use crate::kit::page::{Nav, nav, page, pager};
use luoshi_store::Paged;
use luoshi_store::audit::AuditEntry;

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    nav: Nav,
    entries: Paged<AuditEntry>,
    pager: String,
}

pub async fn audit(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let entries = state.store.audit(q.page()).await?;
    let pager = pager("/audit", entries.offset, entries.limit, entries.total);
    Ok(page(AuditPage {
        nav: nav(&a, "audit"),
        entries,
        pager,
    }))
}
