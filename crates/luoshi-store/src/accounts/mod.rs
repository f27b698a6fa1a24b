//! Accounts, sessions and login throttling.

pub mod credentials;
pub mod second_factor;

use async_trait::async_trait;
use luoshi_domain::accounts::Role;
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

/// An account. Every account belongs to a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Id,
    pub unit_name: String,
    pub active: bool,
    /// For e-mail notifications, when the office configures SMTP.
    pub email: Option<String>,
    /// The password was set by an administrator (at creation or a reset): the owner must change
    /// it before anything else.
    pub must_change_password: bool,
    /// When the password was last set (Unix seconds): after 90 days it must be changed.
    pub password_changed_at: i64,
    /// A second factor is enrolled and confirmed.
    pub second_factor: bool,
}

/// What login needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    /// Unix seconds until which the account is locked.
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Id,
    pub password_hash: String,
    /// Whether the owner must change the password at first sign-in (an account the system
    /// administrator creates); the first-start accounts and test fixtures choose.
    pub must_change_password: bool,
}

/// An account's second factor. `kind` names the method (`totp` today; an SM2 UKey or an SM3 OTP
/// would be other kinds with their own verifier).
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub kind: String,
    pub secret: Vec<u8>,
    /// None while enrolment waits for the first code.
    pub confirmed_at: Option<i64>,
    /// The last time step accepted: a code is good once.
    pub last_step: Option<i64>,
    /// Recovery codes not yet used.
    pub recovery_left: i64,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie's token: a stolen database does not yield live sessions.
    pub token_hash: String,
    pub user_id: Id,
    pub csrf: String,
    pub now: i64,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// Unread notifications, for the header.
    pub unread: i64,
    /// Messages waiting to be shown on the session's next page.
    pub pending_flashes: i64,
    /// The messages this request shows (taken by the web layer; empty from storage).
    pub flashes: Vec<Flash>,
}

luoshi_domain::codes! {
    /// Whether what the user just did went through.
    pub enum Tone {
        /// Done: 已报送, 已保存 ….
        Done = ("done", "已完成"),
        /// Refused, with the reason.
        Refused = ("refused", "未完成"),
    }
}

/// A message for the user's next page after a form post (kept in the database under the session,
/// never in the URL, so nobody can craft a link that shows an official-looking message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub tone: Tone,
    pub text: String,
}

/// An account locked for one address, as 用户 lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedLogin {
    pub username: String,
    pub address: String,
    pub failures: i64,
    /// When the lock lifts by itself.
    pub until: i64,
}

/// Accounts, sessions, login throttling and per-account rate counts.
#[async_trait]
pub trait AccountsStore: Send + Sync {
    async fn user_count(&self) -> StoreResult<i64>;
    async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn user(&self, id: Id) -> StoreResult<Option<User>>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;
    /// Failed logins counted for an attempt at `now`: from `address` within
    /// `accounts::ADDRESS_WINDOW`, and of `username` from `address` within `PAIR_WINDOW`.
    async fn login_failures(
        &self,
        address: &str,
        username: &str,
        now: i64,
    ) -> StoreResult<(i64, i64)>;
    /// Records a failed login (audited); when it locks the pair, or an account is guessed from
    /// many addresses, the office is alerted.
    async fn record_login_failure(
        &self,
        address: &str,
        username: &str,
        now: i64,
    ) -> StoreResult<()>;
    /// A successful login clears its pair's failures.
    async fn record_login_success(&self, address: &str, username: &str) -> StoreResult<()>;
    /// The (account, address) pairs locked at `now`, for 用户.
    async fn locked_logins(&self, now: i64) -> StoreResult<Vec<LockedLogin>>;
    /// Lifts a pair's lock (the security administrator's action), audited.
    async fn unlock_login(&self, actor: &Actor, username: &str, address: &str) -> StoreResult<()>;
    /// Sets a password (its hash joins the history); `must_change` when someone other than the
    /// owner set it (an administrator's reset). Every session of the account ends.
    async fn set_password(
        &self,
        actor: &Actor,
        user_id: Id,
        hash: &str,
        must_change: bool,
    ) -> StoreResult<()>;
    /// The hashes of the account's last `accounts::PASSWORD_HISTORY` passwords, newest first.
    async fn password_history(&self, user_id: Id) -> StoreResult<Vec<String>>;
    /// The account's second factor, enrolled or waiting for its first code.
    async fn second_factor(&self, user_id: Id) -> StoreResult<Option<SecondFactor>>;
    /// Starts (or restarts) enrolment with a new secret; an enrolled factor is not replaced.
    async fn begin_second_factor(
        &self,
        actor: &Actor,
        user_id: Id,
        kind: &str,
        secret: &[u8],
    ) -> StoreResult<()>;
    /// Confirms enrolment with the first code's step and stores the recovery codes' digests
    /// (replacing any earlier ones), audited.
    async fn confirm_second_factor(
        &self,
        actor: &Actor,
        user_id: Id,
        step: i64,
        recovery_hashes: &[String],
    ) -> StoreResult<()>;
    /// Accepts a code's time step if it is later than the last one accepted (one statement, so two
    /// processes cannot both accept the same code).
    async fn accept_step(&self, user_id: Id, step: i64) -> StoreResult<bool>;
    /// Uses up a recovery code (by digest), audited; false when unknown or already used.
    async fn use_recovery_code(&self, user_id: Id, code_hash: &str) -> StoreResult<bool>;
    /// Removes an account's second factor and recovery codes (the security administrator's
    /// reset, for a lost phone), ends its sessions, audited.
    async fn reset_second_factor(&self, actor: &Actor, user_id: Id) -> StoreResult<()>;
    async fn set_user_active(&self, actor: &Actor, user_id: Id, active: bool) -> StoreResult<()>;
    /// Opens a session; the account's oldest sessions beyond `accounts::MAX_SESSIONS` end.
    /// Counts one request of `kind` by the account in the rate window of `now`
    /// (`limits::rate_window`), for every process of the deployment, and answers the account's
    /// count before and after it. A process may hand reads to the database in small batches, so
    /// a read count lags by at most a few per process; writes and files are counted one by one.
    async fn count_request(
        &self,
        user_id: Id,
        kind: luoshi_domain::limits::RequestKind,
        now: i64,
    ) -> StoreResult<(i64, i64)>;
    /// An account went over a rate limit (its first refusal in the window): audited, and the
    /// security administrators are alerted, in one transaction.
    async fn record_rate_limited(
        &self,
        actor: &Actor,
        kind: luoshi_domain::limits::RequestKind,
        reason: &str,
    ) -> StoreResult<()>;
    async fn create_session(&self, new: NewSession) -> StoreResult<()>;
    /// The session behind a token hash, if it is live by `accounts::session_ended` (an ended one
    /// is removed); touches its idle clock.
    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Session>>;
    /// Keeps a message for the session's next page (at most a few; older ones are dropped).
    async fn push_flash(&self, token_hash: &str, flash: &Flash) -> StoreResult<()>;
    /// The session's waiting messages, oldest first, removed as they are read.
    async fn take_flashes(&self, token_hash: &str) -> StoreResult<Vec<Flash>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn set_email(&self, actor: &Actor, user_id: Id, email: Option<&str>) -> StoreResult<()>;
}
