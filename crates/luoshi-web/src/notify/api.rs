//! The notifications API: the signed-in user's inbox, paged; each message links to its page.

use crate::kit::openapi::{obj, page_of, scalars};
use axum::extract::State;
use serde::Serialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::{Json, Query};
use crate::kit::page::PageQuery;
use crate::notify::url;
use luoshi_store::notify::Notification;
use luoshi_store::{Id, Page, Paged};

/// A message as the API shows it: its target as the page's path.
#[derive(Serialize)]
pub struct NotificationJson {
    pub id: Id,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

impl From<Notification> for NotificationJson {
    fn from(n: Notification) -> NotificationJson {
        NotificationJson {
            link: url(&n.target),
            id: n.id,
            title: n.title,
            body: n.body,
            created_at: n.created_at,
            read: n.read,
        }
    }
}

pub async fn notifications(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Paged<NotificationJson>>> {
    let page = state
        .store
        .inbox(
            a.0.user.id,
            Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50)),
        )
        .await?;
    Ok(Json(Paged {
        items: page.items.into_iter().map(NotificationJson::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    }))
}

/// This feature's OpenAPI component schemas (the route rows name them).
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, i, _, _, _) = scalars();
    vec![
        (
            "Notification",
            obj(
                &["id", "title", "body", "link", "created_at", "read"],
                json!({ "id": i, "title": s, "body": s, "link": s, "created_at": i, "read": { "type": "boolean" } }),
            ),
        ),
        ("NotificationPage", page_of("Notification")),
    ]
}
