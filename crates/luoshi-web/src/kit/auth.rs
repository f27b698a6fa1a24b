//! Passwords (argon2id), session tokens, the login throttle, and the `Auth` extractor.
//!
//! The session cookie carries 32 random bytes; the database keeps only their SHA-256. Each session
//! has its own CSRF token, required on every change as the `X-CSRF-Token` header (API) or the
//! `_csrf` query parameter of a form's action (pages).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use luoshi_domain::access::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_store::accounts::{NewSession, NewUser, Session};
use luoshi_store::{Actor, Store, StoreResult};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::kit::clock::now;
use crate::kit::error::AppError;

/// A session ends after this many idle seconds.
pub const IDLE_SECS: i64 = 30 * 60;
/// Failed logins that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked, seconds.
pub const LOCK_SECS: i64 = 30 * 60;

pub const COOKIE: &str = "luoshi_session";

/// Random bytes as URL-safe text.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with a fresh salt succeeds")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A generated password that meets the policy: 16 characters from four classes.
pub fn new_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"!#%+=?@",
    ];
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).expect("the OS random source works");
    let mut out: Vec<u8> = raw
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let set = SETS[i % 4];
            set[*b as usize % set.len()]
        })
        .collect();
    out.rotate_left((raw[0] % 16) as usize);
    String::from_utf8(out).expect("ascii")
}

/// The office unit and the first admin account, created on first run with a generated password,
/// which is returned (and shown once). `None` when accounts exist.
pub async fn bootstrap_admin(store: &dyn Store) -> StoreResult<Option<(String, String)>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let actor = Actor::system("首次启动");
    store.seed_registry(&actor).await?;
    let office = match store.unit_by_name(OFFICE).await? {
        Some(u) => u,
        None => {
            store
                .create_unit(&actor, OFFICE, UnitKind::RegionalDept)
                .await?
        }
    };
    let password = new_password();
    store
        .create_user(
            &actor,
            NewUser {
                username: "admin".into(),
                display_name: "系统管理员".into(),
                role: Role::Admin,
                unit_id: office.id,
                password_hash: hash_password(&password),
            },
        )
        .await?;
    Ok(Some(("admin".into(), password)))
}

/// The unit of the office that runs Luoshi.
pub const OFFICE: &str = "自贸试验区工作领导小组办公室";

/// Reads the session cookie's token from request headers.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The live session behind a request, if any.
pub async fn load_session(state: &AppState, headers: &HeaderMap) -> Option<(String, Session)> {
    let token = cookie_token(headers)?;
    let hash = token_hash(&token);
    match state.store.session(&hash, now(), IDLE_SECS).await {
        Ok(s) => s.map(|s| (hash, s)),
        Err(e) => {
            tracing::warn!("session lookup failed: {e}");
            None
        }
    }
}

/// The outcome of a login attempt.
pub enum Login {
    Ok { token: String, session: Session },
    Refused(String),
}

/// Checks a username and password, applying the lockout rule, and opens a session.
pub async fn login(state: &AppState, username: &str, password: &str) -> Result<Login, AppError> {
    const WRONG: &str = "用户名或密码错误";
    let creds = state.store.credentials(username.trim()).await?;
    let Some(creds) = creds else {
        // Spend the same time as a real check, so timing does not reveal which names exist.
        let pw = password.to_string();
        let _ = tokio::task::spawn_blocking(move || verify_password(&pw, DUMMY_HASH)).await;
        return Ok(Login::Refused(WRONG.into()));
    };
    let t = now();
    if let Some(until) = creds.locked_until
        && until > t
    {
        let minutes = (until - t + 59) / 60;
        return Ok(Login::Refused(format!(
            "连续登录失败次数过多，账户已锁定，请约 {minutes} 分钟后再试"
        )));
    }
    if !creds.user.active {
        return Ok(Login::Refused("账户已停用，请联系领导小组办公室".into()));
    }
    let pw = password.to_string();
    let hash = creds.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        state
            .store
            .record_login_failure(creds.user.id, t, MAX_FAILURES, LOCK_SECS)
            .await?;
        let left = MAX_FAILURES - creds.failed_logins - 1;
        let msg = if left > 0 {
            format!("{WRONG}（再失败 {left} 次将锁定 30 分钟）")
        } else {
            "连续登录失败次数过多，账户已锁定 30 分钟".into()
        };
        return Ok(Login::Refused(msg));
    }
    state.store.record_login_success(creds.user.id).await?;
    let token = random_token(32);
    let csrf = random_token(24);
    state
        .store
        .create_session(NewSession {
            token_hash: token_hash(&token),
            user_id: creds.user.id,
            csrf: csrf.clone(),
            now: t,
        })
        .await?;
    Ok(Login::Ok {
        token,
        session: Session {
            user: creds.user,
            csrf,
            unread: 0,
        },
    })
}

/// A valid argon2id hash of a random string, checked against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3fQ0VtMTMk3v0C8UJ0y2y1mJX7o8Xx7nVh7i5wqD4gU";

/// The Set-Cookie value for a new session, or for clearing it.
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// The signed-in user of a request (put there by the guard). Routes the permission table marks
/// `Public` must not use it.
pub struct Auth(pub Session);

impl Auth {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.0.user.id),
            name: self.0.user.username.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Auth, AppError> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| {
                AppError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "请先登录",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_policy_and_verify() {
        for _ in 0..20 {
            let p = new_password();
            assert!(luoshi_domain::password::check(&p).is_ok(), "{p}");
        }
        let p = new_password();
        let h = hash_password(&p);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&p, &h));
        assert!(!verify_password("wrong", &h));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
