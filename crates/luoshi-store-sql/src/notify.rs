//! Notifications: the in-app inbox, the outbox of e-mail and webhook deliveries (claimed by any
//! process with `FOR UPDATE SKIP LOCKED`, or under SQLite's write lock), and the office settings
//! that say where deliveries go.
//!
//! A notification is written in the same transaction as the change it reports, so an inbox never
//! shows a change that did not happen. Sending happens later, outside any request.

use async_trait::async_trait;
use luoshi_store::notify::{Delivery, DeliveryResult, Notification, NotifyStore};
use luoshi_store::{Id, Page, Paged, StoreError, StoreResult};

use crate::settings::settings_in;
use crate::{Col, Dialect, Fetch, Run, SqlStore, Tx, commit, now, scalar};
use luoshi_domain::notify::{Channel, DeliveryState, Notice, Target};

/// Attempts before a delivery is given up and shown as failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// Seconds to wait after the `attempts`-th failure: 1, 2, 4, 8, 16 minutes.
pub fn backoff(attempts: i64) -> i64 {
    60 * (1i64 << (attempts - 1).clamp(0, 10)).min(60)
}

/// Puts a notification in each listed user's inbox, and queues its deliveries.
async fn notify_users(
    tx: &mut Tx,
    users: &[(Id, Option<String>)],
    notice: &Notice,
) -> StoreResult<()> {
    let (title, body, link) = (&notice.title, &notice.body, notice.target.code());
    if users.is_empty() {
        return Ok(());
    }
    let settings = settings_in(&mut **tx).await?;
    let at = now();
    for (user_id, email) in users {
        let id: Id = scalar(
            "INSERT INTO notifications (user_id, title, body, link, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(*user_id)
        .bind(title.to_string())
        .bind(body.to_string())
        .bind(link.to_string())
        .bind(at)
        .one(&mut **tx)
        .await?;
        let mut targets = Vec::new();
        if settings.smtp.is_some()
            && let Some(email) = email
        {
            targets.push(("smtp", email.clone()));
        }
        if let Some(url) = &settings.webhook {
            targets.push(("webhook", url.clone()));
        }
        for (channel, target) in targets {
            sqlx::query(
                "INSERT INTO deliveries (notification_id, channel, target, state, next_at) \
                 VALUES ($1, $2, $3, 'pending', $4)",
            )
            .bind(id)
            .bind(channel)
            .bind(target)
            .bind(at)
            .run(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

async fn users_where(
    tx: &mut Tx,
    cond: &str,
    arg: Option<Id>,
) -> StoreResult<Vec<(Id, Option<String>)>> {
    let sql = format!("SELECT id, email FROM users WHERE active = 1 AND {cond} ORDER BY id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let rows = q.all(&mut **tx).await?;
    rows.iter()
        .map(|r| Ok((r.col("id")?, r.col("email")?)))
        .collect()
}

/// Notifies the working accounts of a unit (not its read-only leaders) — of the unit that carries
/// it today and of every unit that one carries, so a duty written under a predecessor reaches the
/// people who do it now.
pub(crate) async fn notify_unit(tx: &mut Tx, unit_id: Id, notice: &Notice) -> StoreResult<()> {
    let users = users_where(
        tx,
        "unit_id IN (SELECT id FROM units WHERE COALESCE(current_id, id) = \
           (SELECT COALESCE(current_id, id) FROM units WHERE id = $1)) AND role <> 'leader'",
        Some(unit_id),
    )
    .await?;
    notify_users(tx, &users, notice).await
}

/// Notifies a unit's read-only leaders (its 分管领导), of the unit carrying it today.
pub(crate) async fn notify_unit_leaders(
    tx: &mut Tx,
    unit_id: Id,
    notice: &Notice,
) -> StoreResult<()> {
    let users = users_where(
        tx,
        "unit_id IN (SELECT id FROM units WHERE COALESCE(current_id, id) = \
           (SELECT COALESCE(current_id, id) FROM units WHERE id = $1)) AND role = 'leader'",
        Some(unit_id),
    )
    .await?;
    notify_users(tx, &users, notice).await
}

/// Notifies the office's accounts.
pub(crate) async fn notify_office(tx: &mut Tx, notice: &Notice) -> StoreResult<()> {
    let users = users_where(tx, "role = 'admin'", None).await?;
    notify_users(tx, &users, notice).await
}

/// Notifies every active security administrator (login alerts).
pub(crate) async fn notify_security(tx: &mut Tx, notice: &Notice) -> StoreResult<()> {
    let users = users_where(tx, "role = 'security_admin'", None).await?;
    notify_users(tx, &users, notice).await
}

const DELIVERY_COLUMNS: &str = "d.id, d.channel, d.target, u.username, n.title, n.body, n.link, \
    d.state, d.attempts, d.next_at, d.last_error";
const DELIVERY_FROM: &str = "FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
    JOIN users u ON u.id = n.user_id";

fn delivery_row(r: &sqlx::any::AnyRow) -> StoreResult<Delivery> {
    Ok(Delivery {
        id: r.col("id")?,
        channel: r.parsed("channel", Channel::from_code)?,
        target: r.col("target")?,
        username: r.col("username")?,
        title: r.col("title")?,
        body: r.col("body")?,
        about: Target::parse(&r.col::<String, _>("link")?),
        state: r.parsed("state", DeliveryState::from_code)?,
        attempts: r.col("attempts")?,
        next_at: r.col("next_at")?,
        last_error: r.col("last_error")?,
    })
}

#[async_trait]
impl NotifyStore for SqlStore {
    async fn inbox(&self, user_id: Id, page: Page) -> StoreResult<Paged<Notification>> {
        let total: i64 = scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
            .bind(user_id)
            .one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT id, title, body, link, created_at, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(page.limit)
        .bind(page.offset)
        .all(&self.pool).await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(Notification {
                    id: r.col("id")?,
                    title: r.col("title")?,
                    body: r.col("body")?,
                    target: Target::parse(&r.col::<String, _>("link")?),
                    created_at: r.col("created_at")?,
                    read: r.col::<Option<i64>, _>("read_at")?.is_some(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Paged {
            items,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    async fn unread_count(&self, user_id: Id) -> StoreResult<i64> {
        scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .one(&self.pool)
            .await
    }

    async fn mark_read(&self, user_id: Id, id: Option<Id>) -> StoreResult<()> {
        let mut q = sqlx::query(match id {
            Some(_) => "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND id = $3",
            None => "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        })
        .bind(now())
        .bind(user_id);
        if let Some(id) = id {
            q = q.bind(id);
        }
        q.run(&self.pool).await?;
        Ok(())
    }

    async fn claim_deliveries(
        &self,
        at: i64,
        limit: i64,
        lease_secs: i64,
    ) -> StoreResult<Vec<Delivery>> {
        let lock = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $1 \
             AND (locked_until IS NULL OR locked_until < $1) ORDER BY next_at, id LIMIT $2{lock}"
        );
        let ids: Vec<i64> = scalar(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(limit)
            .all(&mut *tx)
            .await?;
        let mut out = Vec::new();
        for id in ids {
            sqlx::query(
                "UPDATE deliveries SET locked_until = $1, attempts = attempts + 1 WHERE id = $2",
            )
            .bind(at + lease_secs)
            .bind(id)
            .run(&mut *tx)
            .await?;
            let sql = format!("SELECT {DELIVERY_COLUMNS} {DELIVERY_FROM} WHERE d.id = $1");
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .one(&mut *tx)
                .await?;
            out.push(delivery_row(&r)?);
        }
        commit(tx).await?;
        Ok(out)
    }

    async fn finish_delivery(&self, id: Id, result: DeliveryResult, at: i64) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let attempts: i64 = scalar("SELECT attempts FROM deliveries WHERE id = $1")
            .bind(id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        match result {
            DeliveryResult::Sent => {
                sqlx::query(
                    "UPDATE deliveries SET state = 'sent', sent_at = $1, locked_until = NULL, \
                     last_error = NULL WHERE id = $2",
                )
                .bind(at)
                .bind(id)
                .run(&mut *tx)
                .await?;
            }
            DeliveryResult::Failed(error) => {
                let state = if attempts >= MAX_ATTEMPTS {
                    "failed"
                } else {
                    "pending"
                };
                let error: String = error.chars().take(500).collect();
                sqlx::query(
                    "UPDATE deliveries SET state = $1, next_at = $2, locked_until = NULL, last_error = $3 \
                     WHERE id = $4",
                )
                .bind(state)
                .bind(at + backoff(attempts))
                .bind(error)
                .bind(id)
                .run(&mut *tx).await?;
            }
        }
        commit(tx).await
    }

    async fn deliveries(&self, page: Page) -> StoreResult<Paged<Delivery>> {
        let total: i64 = scalar("SELECT COUNT(*) FROM deliveries")
            .one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} {DELIVERY_FROM} ORDER BY \
             CASE d.state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, d.id DESC \
             LIMIT $1 OFFSET $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(page.limit)
            .bind(page.offset)
            .all(&self.pool)
            .await?;
        Ok(Paged {
            items: rows.iter().map(delivery_row).collect::<StoreResult<_>>()?,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }
}
