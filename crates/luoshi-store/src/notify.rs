//! Notifications: the in-app inbox and the e-mail and webhook outbox.

use async_trait::async_trait;
use luoshi_domain::notify::{Channel, DeliveryState, Target};
use serde::{Deserialize, Serialize};

use crate::{Id, Page, Paged, StoreResult};

/// An inbox entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Id,
    pub title: String,
    pub body: String,
    /// What it is about (the web maps it to a page).
    pub target: Target,
    pub created_at: i64,
    pub read: bool,
}

/// A notification on its way out by e-mail or webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Id,
    pub channel: Channel,
    /// An e-mail address or a URL.
    pub target: String,
    pub username: String,
    pub title: String,
    pub body: String,
    /// What the notification is about.
    pub about: Target,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone)]
pub enum DeliveryResult {
    Sent,
    /// Failed with this error (English, for the office's list and the logs).
    Failed(String),
}

/// The inbox and the delivery outbox.
#[async_trait]
pub trait NotifyStore: Send + Sync {
    async fn inbox(&self, user_id: Id, page: Page) -> StoreResult<Paged<Notification>>;
    async fn unread_count(&self, user_id: Id) -> StoreResult<i64>;
    async fn mark_read(&self, user_id: Id, id: Option<Id>) -> StoreResult<()>;
    /// Claims up to `limit` deliveries due at `now` for `lease_secs` (no two processes get one).
    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_secs: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// Records an attempt: sent, or failed and retried later with backoff, or given up.
    async fn finish_delivery(&self, id: Id, result: DeliveryResult, now: i64) -> StoreResult<()>;
    async fn deliveries(&self, page: Page) -> StoreResult<Paged<Delivery>>;
}
