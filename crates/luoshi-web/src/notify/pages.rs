//! The inbox page (消息) and marking messages read.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Form, Query};
use crate::kit::page::{Nav, nav, page};
use luoshi_store::notify::Notification;
use luoshi_store::{Id, Page, Paged};

#[derive(Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    nav: Nav,
    rows: Paged<Notification>,
    pager: String,
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    pub offset: Option<i64>,
}

pub async fn inbox(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<InboxQuery>,
) -> AppResult<Html<String>> {
    let rows = state
        .store
        .inbox(a.0.user.id, Page::new(q.offset.unwrap_or(0), 50))
        .await?;
    let pager = crate::kit::page::pager("/inbox", rows.offset, rows.limit, rows.total);
    Ok(page(InboxPage {
        nav: nav(&a, "inbox"),
        rows,
        pager,
    }))
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    pub id: Option<Id>,
}

pub async fn inbox_read(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<ReadForm>,
) -> AppResult<Redirect> {
    state.store.mark_read(a.0.user.id, f.id).await?;
    Ok(Redirect::to("/inbox"))
}
