//! The only crate that knows HTTP: server-rendered Chinese pages, the JSON API under `/api/v1`
//! with its OpenAPI document, sessions, CSRF, security headers, and the permission table.
//!
//! Every route is registered through [`routes::Routes`], which records it; the permission table
//! ([`routes::PERMISSIONS`]) names what each needs, and the request guard refuses any route the
//! table does not name. The authorization test walks every registered route with every role.
//! Nothing lives in process memory that another server process needs: sessions, login failure
//! counts and pending imports are in the database.

mod api;
mod api_work;
mod attach;
mod auth;
mod compile;
mod dash;
mod error;
mod export;
mod ingest;
pub mod jobs;
mod openapi;
mod pages;
mod reporting;
pub mod routes;
mod scope;
mod supervise;
mod work;

use std::sync::Arc;

use luoshi_store::Store;

pub use auth::{OFFICE, bootstrap_admin, hash_password, new_password, token_hash};
pub use export::tasks_xlsx;
pub use ingest::{ParseMode, WorkerOutput, parse_upload, worker_output};
pub use pages::url_encode;
pub use routes::{PERMISSIONS, app};

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted upload, bytes.
    pub max_upload: usize,
    /// How uploads are parsed.
    pub parse_mode: ParseMode,
    /// A fixed "today" (demos and tests); `None` is the real date in China (UTC+8).
    pub today: Option<luoshi_domain::calendar::Date>,
    /// Run the reminder and delivery jobs in this process.
    pub jobs: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            secure_cookies: false,
            max_upload: 50 * 1024 * 1024,
            parse_mode: ParseMode::InProcess,
            today: None,
            jobs: false,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
}

/// Session lifetime rules.
pub const IDLE_SECS: i64 = 30 * 60;
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECS: i64 = 30 * 60;

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
