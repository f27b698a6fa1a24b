//! The notifications API: the signed-in user's inbox, paged.

use axum::extract::State;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::AppError;
use crate::kit::extract::{Json, Query};
use crate::kit::page::PageQuery;
use luoshi_store::notify::Notification;
use luoshi_store::{Page, Paged};

pub async fn notifications(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<Paged<Notification>>, AppError> {
    async {
        Ok(Json(
            state
                .store
                .inbox(
                    a.0.user.id,
                    Page::new(q.offset.unwrap_or(0), q.limit.unwrap_or(50)),
                )
                .await?,
        ))
    }
    .await
}
