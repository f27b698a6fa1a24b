//! The only crate that knows HTTP: server-rendered Chinese pages, the JSON API under `/api/v1`
//! with its OpenAPI document, sessions, CSRF, security headers, and the background jobs.
//!
//! One folder per feature (`accounts`, `registry`, `ledger`, `reporting`, `supervision`, `group`,
//! `notify`, `settings`, `dashboard`, `audit`), each with its pages, its API and — where both need
//! it — a use-case file they both call, and its `routes()`: one row per route (method, path,
//! access, handler, API description). The permission table and the OpenAPI document are built from
//! those rows. Features stand on `kit`; the kit knows no feature. Nothing lives in process memory
//! that another server process needs: sessions, login failure counts and pending imports are in
//! the database.

mod accounts;
mod app;
mod audit;
mod dashboard;
mod group;
mod indicators;
pub mod jobs;
mod kit;
mod ledger;
mod notify;
mod registry;
mod reporting;
mod settings;
mod supervision;

use std::sync::Arc;

use luoshi_output::pdf::FontSpec;
use luoshi_store::Store;

pub use app::{PERMISSIONS, app};
pub use kit::format::url_encode;
/// The route table, for tests that walk every route.
pub mod routes {
    pub use crate::app::{PERMISSIONS, Routes, routes};
}
pub use ledger::ingest::ParseMode;

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Behind a TLS gateway: a client's address is the last `X-Forwarded-For` hop.
    pub behind_proxy: bool,
    /// Largest accepted upload, bytes.
    pub max_upload: usize,
    /// How uploads are parsed.
    pub parse_mode: ParseMode,
    /// A fixed "today" (demos and tests); `None` is the real date in China (UTC+8).
    pub today: Option<luoshi_domain::calendar::Date>,
    /// Run the reminder and delivery jobs in this process.
    pub jobs: bool,
    /// The PDF compilation's fonts: body, title, headings.
    pub fonts: [FontSpec; 3],
    /// Requests per account and minute, by kind (counted in the database for every process).
    pub rate_limits: luoshi_domain::limits::RateLimits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            secure_cookies: false,
            behind_proxy: false,
            max_upload: 50 * 1024 * 1024,
            parse_mode: ParseMode::InProcess,
            today: None,
            jobs: false,
            fonts: FontSpec::noto_defaults(),
            rate_limits: Default::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// Reads kept while the database is unchanged (`kit::memo`).
    pub memo: Arc<kit::memo::Memo>,
}
