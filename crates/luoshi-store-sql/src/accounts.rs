//! Accounts, sessions, login throttling and per-account request counts. All state lives in the
//! database so that any server process can check any session and every process sees the same
//! failure and request counts (reads reach it in small batches, see [`ReadMeter`]).

use async_trait::async_trait;
use std::collections::HashMap;

use luoshi_domain::accounts::Role;
use luoshi_domain::limits::{RequestKind, rate_window};
use luoshi_store::accounts::{
    AccountsStore, Credentials, Flash, LockedLogin, NewSession, NewUser, SecondFactor, Session,
    Tone, User,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{Col, Fetch, Run, SqlStore, audit, commit, db_err, now, scalar};

/// The longest message kept, characters.
const FLASH_CHARS: usize = 2000;
/// Messages kept per session until shown.
const FLASHES_KEPT: i64 = 5;

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.unit_id, \
     n.name AS unit_name, u.active, u.email, u.must_change_password, u.password_changed_at, \
     (SELECT COUNT(*) FROM second_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) \
     AS second_factor";

/// Reads a process adds to the database's count at once.
pub(crate) const READ_BATCH: i64 = 10;

/// Reads counted by this process and not yet in `request_counts`: per account, the count the
/// database last answered and the reads since. Another process never needs it (it lags the
/// shared count by fewer than `READ_BATCH` reads), and it starts empty each minute.
#[derive(Debug, Default)]
pub(crate) struct ReadMeter {
    window: i64,
    accounts: HashMap<Id, (i64, i64)>,
}

impl SqlStore {
    /// Adds `n` requests to the account's count for the window and answers the new count. A
    /// count that is lost in a crash only lets a few more requests through, so PostgreSQL need
    /// not wait for the disk here.
    async fn add_requests(
        &self,
        user_id: Id,
        kind: RequestKind,
        window: i64,
        n: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.write().await?;
        if self.dialect == crate::Dialect::Postgres {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .run(&mut *tx)
                .await?;
        }
        let count: i64 = scalar(
            "INSERT INTO request_counts (user_id, kind, window_start, count) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind, window_start) \
             DO UPDATE SET count = request_counts.count + excluded.count RETURNING count",
        )
        .bind(user_id)
        .bind(kind.code())
        .bind(window)
        .bind(n)
        .one(&mut *tx)
        .await?;
        if count == n {
            // The account's first count of this window: earlier windows are done with.
            sqlx::query("DELETE FROM request_counts WHERE user_id = $1 AND window_start < $2")
                .bind(user_id)
                .bind(window)
                .run(&mut *tx)
                .await?;
        }
        commit(tx).await?;
        Ok(count)
    }
}

fn user_row(r: &AnyRow) -> StoreResult<User> {
    let role: String = r.col("role")?;
    Ok(User {
        id: r.col("id")?,
        username: r.col("username")?,
        display_name: r.col("display_name")?,
        role: Role::from_code(&role)
            .ok_or_else(|| StoreError::Database(format!("unknown role {role}"), None))?,
        unit_id: r.col("unit_id")?,
        unit_name: r.col("unit_name")?,
        active: r.col::<i64, _>("active")? != 0,
        email: r.col("email")?,
        must_change_password: r.col::<i64, _>("must_change_password")? != 0,
        password_changed_at: r.col("password_changed_at")?,
        second_factor: r.col::<i64, _>("second_factor")? != 0,
    })
}

/// Every account, or the one with `id`.
async fn user_rows(s: &SqlStore, id: Option<Id>) -> StoreResult<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN units n ON n.id = u.unit_id \
         WHERE ($1 = 0 OR u.id = $1) ORDER BY u.username"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.unwrap_or(0))
        .all(&s.pool)
        .await?;
    rows.iter().map(user_row).collect()
}

/// Adds a password's hash to the account's history (kept to the last few).
async fn remember_password(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: Id,
    hash: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash, set_at) VALUES ($1, $2, $3)",
    )
    .bind(user_id)
    .bind(hash.to_string())
    .bind(now())
    .run(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(luoshi_domain::accounts::PASSWORD_HISTORY as i64)
    .run(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl AccountsStore for SqlStore {
    async fn user_count(&self) -> StoreResult<i64> {
        scalar("SELECT COUNT(*) FROM users").one(&self.pool).await
    }

    async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User> {
        crate::bounded("用户名", &new.username, 64)?;
        crate::bounded("姓名", &new.display_name, luoshi_domain::limits::NAME)?;
        let mut tx = self.write().await?;
        let id: i64 = scalar(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at, \
             must_change_password, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
        )
        .bind(new.username.clone())
        .bind(new.display_name.clone())
        .bind(new.role.code())
        .bind(new.unit_id)
        .bind(new.password_hash.clone())
        .bind(now())
        .bind(new.must_change_password as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("用户名“{}”已存在", new.username))
            }
            other => other,
        })?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1"
        )))
        .bind(id)
        .one(&mut *tx)
        .await?;
        let user = user_row(&row)?;
        remember_password(&mut tx, id, &new.password_hash).await?;
        audit(
            &mut tx,
            actor,
            "user.create",
            "user",
            Some(id),
            None,
            Some(json!(user)),
        )
        .await?;
        commit(tx).await?;
        Ok(user)
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        user_rows(self, None).await
    }

    async fn user(&self, id: Id) -> StoreResult<Option<User>> {
        Ok(user_rows(self, Some(id)).await?.pop())
    }

    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.failed_logins, u.locked_until \
             FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .maybe(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Credentials {
                user: user_row(&r)?,
                password_hash: r.col("password_hash")?,
                failed_logins: r.col("failed_logins")?,
                locked_until: r.col("locked_until")?,
            })
        })
        .transpose()
    }

    async fn login_failures(
        &self,
        address: &str,
        username: &str,
        now: i64,
    ) -> StoreResult<(i64, i64)> {
        use luoshi_domain::accounts::{ADDRESS_WINDOW, PAIR_WINDOW};
        let from_address: i64 =
            scalar("SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at > $2")
                .bind(address.to_string())
                .bind(now - ADDRESS_WINDOW)
                .one(&self.pool)
                .await?;
        let pair: i64 = scalar(
            "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND username = $2 AND at > $3",
        )
        .bind(address.to_string())
        .bind(username.to_string())
        .bind(now - PAIR_WINDOW)
        .one(&self.pool)
        .await?;
        Ok((from_address, pair))
    }

    async fn record_login_failure(
        &self,
        address: &str,
        username: &str,
        now: i64,
    ) -> StoreResult<()> {
        use luoshi_domain::accounts::{ACCOUNT_ALERT, PAIR_LIMIT, PAIR_WINDOW};
        let mut tx = self.write().await?;
        // A day of failures is kept for the counts; the audit log keeps every one.
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now - 86_400)
            .run(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (at, address, username) VALUES ($1, $2, $3)")
            .bind(now)
            .bind(address.to_string())
            .bind(username.to_string())
            .run(&mut *tx)
            .await?;
        let pair: i64 = scalar(
            "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND username = $2 AND at > $3",
        )
        .bind(address.to_string())
        .bind(username.to_string())
        .bind(now - PAIR_WINDOW)
        .one(&mut *tx)
        .await?;
        let account: i64 =
            scalar("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at > $2")
                .bind(username.to_string())
                .bind(now - 3600)
                .one(&mut *tx)
                .await?;
        let system = Actor::system("登录");
        audit(
            &mut tx,
            &system,
            "login.failure",
            "user",
            None,
            None,
            Some(json!({ "username": username, "address": address })),
        )
        .await?;
        let alert = if pair == PAIR_LIMIT {
            Some(format!(
                "账户 {username} 自地址 {address} 连续登录失败 {pair} 次，已暂停该地址对此账户的登录 30 分钟（其他地址不受影响）。如非本人操作，请核查。"
            ))
        } else if account == ACCOUNT_ALERT {
            Some(format!(
                "账户 {username} 在一小时内自多个地址登录失败 {account} 次，疑似口令猜测攻击，请核查。"
            ))
        } else {
            None
        };
        if let Some(body) = alert {
            crate::notify::notify_security(
                &mut tx,
                &luoshi_domain::notify::Notice {
                    title: "安全告警：登录失败次数过多".into(),
                    body,
                    target: luoshi_domain::notify::Target::None,
                },
            )
            .await?;
        }
        commit(tx).await
    }

    async fn record_login_success(&self, address: &str, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE address = $1 AND username = $2")
            .bind(address.to_string())
            .bind(username.to_string())
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn locked_logins(&self, now: i64) -> StoreResult<Vec<LockedLogin>> {
        use luoshi_domain::accounts::{PAIR_LIMIT, PAIR_WINDOW};
        sqlx::query(
            "SELECT username, address, COUNT(*) AS failures, MAX(at) AS last FROM login_failures \
             WHERE at > $1 GROUP BY username, address HAVING COUNT(*) >= $2 ORDER BY username, address",
        )
        .bind(now - PAIR_WINDOW)
        .bind(PAIR_LIMIT)
        .all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let last: i64 = r.col("last")?;
            Ok(LockedLogin {
                username: r.col("username")?,
                address: r.col("address")?,
                failures: r.col("failures")?,
                until: last + PAIR_WINDOW,
            })
        })
        .collect()
    }

    async fn unlock_login(&self, actor: &Actor, username: &str, address: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE address = $1 AND username = $2")
            .bind(address.to_string())
            .bind(username.to_string())
            .run(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "login.unlock",
            "user",
            None,
            None,
            Some(json!({ "username": username, "address": address })),
        )
        .await?;
        commit(tx).await
    }

    async fn set_password(
        &self,
        actor: &Actor,
        user_id: Id,
        hash: &str,
        must_change: bool,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, \
             must_change_password = $3, password_changed_at = $4 WHERE id = $2",
        )
        .bind(hash.to_string())
        .bind(user_id)
        .bind(must_change as i64)
        .bind(now())
        .run(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        remember_password(&mut tx, user_id, hash).await?;
        // A new password ends every session of the account.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .run(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            if must_change {
                "user.password_reset"
            } else {
                "user.password"
            },
            "user",
            Some(user_id),
            None,
            None,
        )
        .await?;
        commit(tx).await
    }

    async fn password_history(&self, user_id: Id) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(luoshi_domain::accounts::PASSWORD_HISTORY as i64)
        .all(&self.pool)
        .await?;
        rows.iter().map(|r| r.col("password_hash")).collect()
    }

    async fn second_factor(&self, user_id: Id) -> StoreResult<Option<SecondFactor>> {
        let row = sqlx::query(
            "SELECT kind, secret, confirmed_at, last_step, \
             (SELECT COUNT(*) FROM recovery_codes c WHERE c.user_id = f.user_id AND c.used_at IS NULL) \
             AS recovery_left FROM second_factors f WHERE user_id = $1",
        )
        .bind(user_id)
        .maybe(&self.pool)
        .await?;
        row.map(|r| {
            let secret: String = r.col("secret")?;
            Ok(SecondFactor {
                kind: r.col("kind")?,
                secret: hex::decode(secret).map_err(|e| {
                    StoreError::Database(format!("second factor secret: {e}"), None)
                })?,
                confirmed_at: r.col("confirmed_at")?,
                last_step: r.col("last_step")?,
                recovery_left: r.col("recovery_left")?,
            })
        })
        .transpose()
    }

    async fn begin_second_factor(
        &self,
        actor: &Actor,
        user_id: Id,
        kind: &str,
        secret: &[u8],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user_id)
            .run(&mut *tx)
            .await?;
        let done = sqlx::query(
            "INSERT INTO second_factors (user_id, kind, secret, created_at) \
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM second_factors WHERE user_id = $1)",
        )
        .bind(user_id)
        .bind(kind.to_string())
        .bind(hex::encode(secret))
        .bind(now())
        .run(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "已绑定动态口令；如需更换，请联系安全管理员重置".into(),
            ));
        }
        audit(
            &mut tx,
            actor,
            "second_factor.begin",
            "user",
            Some(user_id),
            None,
            Some(json!({ "kind": kind })),
        )
        .await?;
        commit(tx).await
    }

    async fn confirm_second_factor(
        &self,
        actor: &Actor,
        user_id: Id,
        step: i64,
        recovery_hashes: &[String],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE second_factors SET confirmed_at = $2, last_step = $3 \
             WHERE user_id = $1 AND confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(now())
        .bind(step)
        .run(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("没有待确认的动态口令绑定".into()));
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .run(&mut *tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash.clone())
                .run(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "second_factor.enrol",
            "user",
            Some(user_id),
            None,
            Some(json!({ "recovery_codes": recovery_hashes.len() })),
        )
        .await?;
        commit(tx).await
    }

    async fn accept_step(&self, user_id: Id, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE second_factors SET last_step = $2 WHERE user_id = $1 \
             AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .run(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(&self, user_id: Id, code_hash: &str) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 \
             AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(code_hash.to_string())
        .bind(now())
        .run(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let left: i64 =
            scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .one(&mut *tx)
                .await?;
        audit(
            &mut tx,
            &Actor {
                user_id: Some(user_id),
                name: "登录".into(),
            },
            "second_factor.recovery_code",
            "user",
            Some(user_id),
            None,
            Some(json!({ "left": left })),
        )
        .await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn reset_second_factor(&self, actor: &Actor, user_id: Id) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .run(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        for sql in [
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM sessions WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).run(&mut *tx).await?;
        }
        audit(
            &mut tx,
            actor,
            "second_factor.reset",
            "user",
            Some(user_id),
            None,
            None,
        )
        .await?;
        commit(tx).await
    }

    async fn set_user_active(&self, actor: &Actor, user_id: Id, active: bool) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before: Option<i64> = scalar("SELECT active FROM users WHERE id = $1")
            .bind(user_id)
            .maybe(&mut *tx)
            .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound);
        };
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active as i64)
            .bind(user_id)
            .run(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .run(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "user.active",
            "user",
            Some(user_id),
            Some(json!({"active": before != 0})),
            Some(json!({"active": active})),
        )
        .await?;
        commit(tx).await
    }

    async fn count_request(
        &self,
        user_id: Id,
        kind: RequestKind,
        now: i64,
    ) -> StoreResult<(i64, i64)> {
        let window = rate_window(now);
        if kind != RequestKind::Read {
            let after = self.add_requests(user_id, kind, window, 1).await?;
            return Ok((after - 1, after));
        }
        let batch = {
            let mut meter = self.read_meter.lock().expect("read meter");
            if meter.window != window {
                meter.window = window;
                meter.accounts.clear();
            }
            let (stored, pending) = meter.accounts.entry(user_id).or_insert((0, 0));
            *pending += 1;
            if *pending < READ_BATCH {
                let after = *stored + *pending;
                return Ok((after - 1, after));
            }
            std::mem::take(pending)
        };
        let stored = self.add_requests(user_id, kind, window, batch).await?;
        let mut meter = self.read_meter.lock().expect("read meter");
        let current = meter.window == window;
        let pending = match meter.accounts.get_mut(&user_id) {
            Some(entry) if current => {
                entry.0 = entry.0.max(stored);
                entry.1
            }
            _ => 0,
        };
        let after = stored + pending;
        Ok((after - 1, after))
    }

    async fn record_rate_limited(
        &self,
        actor: &Actor,
        kind: RequestKind,
        reason: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        audit(
            &mut tx,
            actor,
            "rate.limited",
            "user",
            actor.user_id,
            None,
            Some(json!({ "kind": kind.code(), "reason": reason })),
        )
        .await?;
        crate::notify::notify_security(
            &mut tx,
            &luoshi_domain::notify::Notice {
                title: "安全告警：账户请求过于频繁".into(),
                body: format!(
                    "账户 {} 超过了每分钟请求上限，此后的请求在本分钟内被拒绝（{reason}）。如非正常使用，请核查该账户。",
                    actor.name
                ),
                target: luoshi_domain::notify::Target::None,
            },
        )
        .await?;
        commit(tx).await
    }

    async fn create_session(&self, new: NewSession) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(new.token_hash.clone())
        .bind(new.user_id)
        .bind(new.csrf)
        .bind(new.now)
        .run(&mut *tx).await?;
        // The new session and the newest others up to the cap stay; older ones end.
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 AND token_hash NOT IN \
             (SELECT token_hash FROM sessions WHERE user_id = $1 AND token_hash <> $2 \
              ORDER BY created_at DESC, last_seen DESC LIMIT $3)",
        )
        .bind(new.user_id)
        .bind(new.token_hash.clone())
        .bind(luoshi_domain::accounts::MAX_SESSIONS - 1)
        .run(&mut *tx)
        .await?;
        commit(tx).await
    }

    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Session>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.created_at AS session_created, s.last_seen, \
             (SELECT COUNT(*) FROM notifications m WHERE m.user_id = u.id AND m.read_at IS NULL) AS unread, \
             (SELECT COUNT(*) FROM flashes f WHERE f.token_hash = s.token_hash) AS pending_flashes \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
             WHERE s.token_hash = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_string())
            .maybe(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let last_seen: i64 = row.col("last_seen")?;
        let created: i64 = row.col("session_created")?;
        let user = user_row(&row)?;
        if luoshi_domain::accounts::session_ended(user.role, created, last_seen, now).is_some()
            || !user.active
        {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        // Touch at most once a minute: idle expiry needs no finer clock, and reads stay reads.
        if now - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash.to_string())
                .run(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user,
            csrf: row.col("csrf")?,
            unread: row.col("unread")?,
            pending_flashes: row.col("pending_flashes")?,
            flashes: Vec::new(),
        }))
    }

    async fn push_flash(&self, token_hash: &str, flash: &Flash) -> StoreResult<()> {
        let text: String = flash.text.chars().take(FLASH_CHARS).collect();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO flashes (token_hash, tone, text, created_at) \
             SELECT token_hash, $2, $3, $4 FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash.to_string())
        .bind(flash.tone.code())
        .bind(text)
        .bind(now())
        .run(&mut *tx)
        .await?;
        // A session that never shows its pages (a script posting forms) keeps only the newest few.
        sqlx::query(
            "DELETE FROM flashes WHERE token_hash = $1 AND id NOT IN \
             (SELECT id FROM flashes WHERE token_hash = $1 ORDER BY id DESC LIMIT $2)",
        )
        .bind(token_hash.to_string())
        .bind(FLASHES_KEPT)
        .run(&mut *tx)
        .await?;
        commit(tx).await
    }

    async fn take_flashes(&self, token_hash: &str) -> StoreResult<Vec<Flash>> {
        let mut tx = self.write().await?;
        let rows =
            sqlx::query("SELECT id, tone, text FROM flashes WHERE token_hash = $1 ORDER BY id")
                .bind(token_hash.to_string())
                .all(&mut *tx)
                .await?;
        // Deleting up to the newest row read (not all of the session's) keeps a message pushed
        // meanwhile for the next page.
        if let Some(last) = rows.last() {
            sqlx::query("DELETE FROM flashes WHERE token_hash = $1 AND id <= $2")
                .bind(token_hash.to_string())
                .bind(last.col::<Id, _>("id")?)
                .run(&mut *tx)
                .await?;
        }
        let out = rows
            .iter()
            .map(|r| {
                Ok(Flash {
                    tone: r.parsed("tone", Tone::from_code)?,
                    text: r.col("text")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        commit(tx).await?;
        Ok(out)
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_email(&self, actor: &Actor, user_id: Id, email: Option<&str>) -> StoreResult<()> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email
            && (e.len() > 200 || !e.contains('@') || e.contains(char::is_whitespace))
        {
            return Err(StoreError::Invalid(
                "bad_email",
                "电子邮箱格式不正确".into(),
            ));
        }
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.map(str::to_string))
            .bind(user_id)
            .run(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit(
            &mut tx,
            actor,
            "user.email",
            "user",
            Some(user_id),
            None,
            Some(json!({ "email": email })),
        )
        .await?;
        commit(tx).await
    }
}
