//! Accounts, sessions and login throttling. All state lives in the database so that any server
//! process can check any session and every process sees the same failure counts.

use async_trait::async_trait;
use luoshi_domain::access::Role;
use luoshi_store::accounts::{AccountsStore, Credentials, NewSession, NewUser, Session, User};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{SqlStore, audit, db_err, now};

const USER_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.role, u.unit_id, n.name AS unit_name, u.active, u.email";

fn user_row(r: &AnyRow) -> StoreResult<User> {
    let role: String = r.try_get("role").map_err(db_err)?;
    Ok(User {
        id: r.try_get("id").map_err(db_err)?,
        username: r.try_get("username").map_err(db_err)?,
        display_name: r.try_get("display_name").map_err(db_err)?,
        role: Role::from_code(&role)
            .ok_or_else(|| StoreError::Database(format!("unknown role {role}"), None))?,
        unit_id: r.try_get("unit_id").map_err(db_err)?,
        unit_name: r.try_get("unit_name").map_err(db_err)?,
        active: r.try_get::<i64, _>("active").map_err(db_err)? != 0,
        email: r.try_get("email").map_err(db_err)?,
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
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(user_row).collect()
}

#[async_trait]
impl AccountsStore for SqlStore {
    async fn user_count(&self) -> StoreResult<i64> {
        let s = self;
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&s.pool)
            .await
            .map_err(db_err)
    }

    async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User> {
        let s = self;
        let mut tx = s.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.username.clone())
        .bind(new.display_name.clone())
        .bind(new.role.code())
        .bind(new.unit_id)
        .bind(new.password_hash.clone())
        .bind(now())
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
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let user = user_row(&row)?;
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
        tx.commit().await.map_err(db_err)?;
        Ok(user)
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        user_rows(self, None).await
    }

    async fn user(&self, id: Id) -> StoreResult<Option<User>> {
        Ok(user_rows(self, Some(id)).await?.pop())
    }

    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let s = self;
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.failed_logins, u.locked_until \
             FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .fetch_optional(&s.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(Credentials {
                user: user_row(&r)?,
                password_hash: r.try_get("password_hash").map_err(db_err)?,
                failed_logins: r.try_get("failed_logins").map_err(db_err)?,
                locked_until: r.try_get("locked_until").map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn record_login_failure(
        &self,
        user_id: Id,
        now: i64,
        max_failures: i64,
        lock_secs: i64,
    ) -> StoreResult<()> {
        let s = self;
        // One statement, so concurrent failures on several processes all count.
        sqlx::query(
            "UPDATE users SET \
               locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
               failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
             WHERE id = $3",
        )
        .bind(max_failures)
        .bind(now + lock_secs)
        .bind(user_id)
        .execute(&s.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_login_success(&self, user_id: Id) -> StoreResult<()> {
        let s = self;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&s.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_password(&self, actor: &Actor, user_id: Id, hash: &str) -> StoreResult<()> {
        let s = self;
        let mut tx = s.write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(hash.to_string())
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // A new password ends every session of the account.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        audit(
            &mut tx,
            actor,
            "user.password",
            "user",
            Some(user_id),
            None,
            None,
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn set_user_active(&self, actor: &Actor, user_id: Id, active: bool) -> StoreResult<()> {
        let s = self;
        let mut tx = s.write().await?;
        let before: Option<i64> = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let Some(before) = before else {
            return Err(StoreError::NotFound);
        };
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active as i64)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)
    }

    async fn create_session(&self, new: NewSession) -> StoreResult<()> {
        let s = self;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(new.token_hash)
        .bind(new.user_id)
        .bind(new.csrf)
        .bind(new.now)
        .execute(&s.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> StoreResult<Option<Session>> {
        let s = self;
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.last_seen, \
             (SELECT COUNT(*) FROM notifications m WHERE m.user_id = u.id AND m.read_at IS NULL) AS unread \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
             WHERE s.token_hash = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_string())
            .fetch_optional(&s.pool)
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let last_seen: i64 = row.try_get("last_seen").map_err(db_err)?;
        let user = user_row(&row)?;
        if now - last_seen > idle_secs || !user.active {
            s.delete_session(token_hash).await?;
            return Ok(None);
        }
        // Touch at most once a minute: idle expiry needs no finer clock, and reads stay reads.
        if now - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash.to_string())
                .execute(&s.pool)
                .await
                .map_err(db_err)?;
        }
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf").map_err(db_err)?,
            unread: row.try_get("unread").map_err(db_err)?,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let s = self;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&s.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_email(&self, actor: &Actor, user_id: Id, email: Option<&str>) -> StoreResult<()> {
        let s = self;
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email
            && (e.len() > 200 || !e.contains('@') || e.contains(char::is_whitespace))
        {
            return Err(StoreError::Invalid(
                "bad_email",
                "电子邮箱格式不正确".into(),
            ));
        }
        let mut tx = s.write().await?;
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.map(str::to_string))
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)
    }
}
