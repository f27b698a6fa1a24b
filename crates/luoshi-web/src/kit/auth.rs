//! Passwords (argon2id), session tokens, the login throttle, and the `Auth` extractor.
//!
//! The session cookie carries 32 random bytes; the database keeps only their SHA-256. Each session
//! has its own CSRF token, required on every change as the `X-CSRF-Token` header (API) or the
//! `_csrf` query parameter of a form's action (pages).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use luoshi_store::Actor;
use luoshi_store::accounts::credentials::{DUMMY_HASH, random_token, token_hash, verify_password};
use luoshi_store::accounts::{NewSession, Session};

use crate::AppState;
use crate::kit::clock::now;
use crate::kit::error::AppError;

/// The session cookie's name without TLS (under TLS it has the `__Host-` prefix).
pub const COOKIE: &str = "luoshi_session";

/// Reads the session cookie's token from request headers (`secure`: only the `__Host-` cookie).
pub fn cookie_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = luoshi_domain::accounts::session_cookie_name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The live session behind a request, if any, with its token's digest (what the database keys
/// it by).
pub async fn load_session(state: &AppState, headers: &HeaderMap) -> Option<(String, Session)> {
    let token = cookie_token(headers, state.config.secure_cookies)?;
    let hash = token_hash(&token);
    match state.store.session(&hash, now()).await {
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

/// The client's address: the connection's peer, or behind a gateway (`behind_proxy`) the last
/// `X-Forwarded-For` hop the gateway added. "unknown" when neither is there (a test router).
pub fn client_address(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    behind_proxy: bool,
) -> String {
    if behind_proxy
        && let Some(hop) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|h| !h.is_empty() && h.len() <= 64)
    {
        return hop.to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Checks a username, password and (for an account that has one) second-factor code from
/// `address`, and opens a session. Too many failures from the address (any account) refuse the
/// attempt before anything counts; too many of the account from the address refuse it unless the
/// account's second factor is given, which the lock does not block (`accounts::login_gate`).
/// Other addresses are not affected, so guessing cannot lock the office out. Every refusal gives
/// the same answer after the same work, so a caller cannot tell an unknown, a locked, a disabled
/// and a known account apart.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: Option<&str>,
    address: &str,
) -> Result<Login, AppError> {
    use luoshi_domain::accounts::{LoginGate, login_gate, normalize_username};
    const WRONG: &str = "用户名、密码或动态口令错误（连续失败多次后将暂停此地址的登录）";
    let normalized = normalize_username(username).ok();
    let counted: String = normalized
        .clone()
        .unwrap_or_else(|| username.trim().chars().take(64).collect());
    let t = now();
    let (from_address, pair) = state.store.login_failures(address, &counted, t).await?;
    let gate = login_gate(from_address, pair);
    let creds = match &normalized {
        Some(name) => state.store.credentials(name).await?,
        None => None,
    };
    let pw = password.to_string();
    let hash = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .unwrap_or(false);
    // The second factor is checked only behind a right password (a guess burns no codes).
    let factor = match &creds {
        Some(c) if ok && c.user.active && gate != LoginGate::AddressThrottled => {
            second_factor(state, &c.user, code.unwrap_or(""), t).await?
        }
        _ => Factor::Failed,
    };
    let passes = match gate {
        LoginGate::Open => factor != Factor::Failed,
        LoginGate::PairLocked => matches!(factor, Factor::Code | Factor::Recovery),
        LoginGate::AddressThrottled => false,
    };
    let creds = match creds {
        Some(c) if passes => c,
        _ => {
            if gate != LoginGate::Open {
                tracing::warn!(address, ?gate, "login refused before the password counted");
            }
            state
                .store
                .record_login_failure(address, &counted, t)
                .await?;
            return Ok(Login::Refused(WRONG.into()));
        }
    };
    state.store.record_login_success(address, &counted).await?;
    state
        .store
        .record_event(
            &Actor {
                user_id: Some(creds.user.id),
                name: creds.user.username.clone(),
            },
            "login.success",
            "user",
            Some(creds.user.id),
            serde_json::json!({ "address": address, "factor": factor.code() }),
        )
        .await?;
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
            pending_flashes: 0,
            flashes: Vec::new(),
        },
    })
}

/// What the second factor of a login came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Factor {
    /// The account has none enrolled (a role that needs one must enrol before anything else).
    None,
    /// A fresh one-time code.
    Code,
    /// An unused recovery code.
    Recovery,
    Failed,
}

impl Factor {
    fn code(self) -> &'static str {
        match self {
            Factor::None => "none",
            Factor::Code => "totp",
            Factor::Recovery => "recovery_code",
            Factor::Failed => "failed",
        }
    }
}

/// Checks the code typed at login against the account's second factor: a six-digit code not
/// used before (`accounts::fresh_step`, enforced by one conditional update), or an unused
/// recovery code.
async fn second_factor(
    state: &AppState,
    user: &luoshi_store::accounts::User,
    code: &str,
    t: i64,
) -> Result<Factor, AppError> {
    use luoshi_store::accounts::second_factor::{
        Totp, Verifier, looks_like_recovery_code, recovery_hash,
    };
    if !user.second_factor {
        return Ok(Factor::None);
    }
    let Some(f) = state.store.second_factor(user.id).await? else {
        return Ok(Factor::Failed);
    };
    if looks_like_recovery_code(code) {
        let used = state
            .store
            .use_recovery_code(user.id, &recovery_hash(code))
            .await?;
        return Ok(if used {
            Factor::Recovery
        } else {
            Factor::Failed
        });
    }
    let step = Totp::new(&f.secret, &user.username).and_then(|v| v.matched_step(code, t));
    Ok(match step {
        Some(step)
            if luoshi_domain::accounts::fresh_step(f.last_step, step)
                && state.store.accept_step(user.id, step).await? =>
        {
            Factor::Code
        }
        _ => Factor::Failed,
    })
}

/// The Set-Cookie value for a new session, or for clearing it.
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let name = luoshi_domain::accounts::session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// Ends the request's session (logout, by page or API), audited.
pub async fn end_session(state: &AppState, headers: &HeaderMap, a: &Auth) {
    if let Some(token) = cookie_token(headers, state.config.secure_cookies) {
        let _ = state.store.delete_session(&token_hash(&token)).await;
    }
    if let Err(e) = state
        .store
        .record_event(
            &a.actor(),
            "logout",
            "user",
            Some(a.0.user.id),
            serde_json::json!({}),
        )
        .await
    {
        tracing::error!("logout not audited: {e}");
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

/// What the session's account must do before anything else (`accounts::pending_step`).
pub fn pending(session: &Session, now: i64) -> Option<luoshi_domain::accounts::Pending> {
    let u = &session.user;
    luoshi_domain::accounts::pending_step(
        u.role,
        u.must_change_password,
        u.password_changed_at,
        u.second_factor,
        now,
    )
}
