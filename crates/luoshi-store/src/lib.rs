//! The storage boundary: the [`Store`] trait, the records it speaks in, and import planning.
//!
//! One module per feature, each holding that feature's records and its sub-trait
//! ([`accounts::AccountsStore`], [`registry::RegistryStore`], [`ledger::LedgerStore`],
//! [`reporting::ReportingStore`], [`supervision::SupervisionStore`], [`jobs::JobsStore`],
//! [`notify::NotifyStore`], [`group::GroupStore`], [`indicators::IndicatorsStore`], [`settings::SettingsStore`],
//! [`audit::AuditStore`]). [`Store`] is all of them, by a blanket impl: a backend implements the
//! sub-traits, each in its own file, and is a `Store`.
//!
//! Backends live in their own crate (`luoshi-store-sql`: SQLite and PostgreSQL). Everything above
//! storage (HTTP, CLI) holds an `Arc<dyn Store>` and never sees SQL. Every method that changes
//! data takes the acting user and writes its audit record in the same transaction.

pub mod accounts;
pub mod audit;
pub mod common;
mod error;
pub mod group;
pub mod indicators;
pub mod jobs;
pub mod ledger;
pub mod notify;
pub mod registry;
pub mod reporting;
pub mod samples;
pub mod settings;
pub mod supervision;

pub use common::{Actor, Id, NewAttachment, Page, Paged, Scope, now, today_in_china};
pub use error::{StoreError, StoreResult};

/// Which backend a store is.
pub trait Backend: Send + Sync {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

/// Everything the application reads and writes: every feature's sub-trait.
pub trait Store:
    Backend
    + accounts::AccountsStore
    + registry::RegistryStore
    + ledger::LedgerStore
    + reporting::ReportingStore
    + supervision::SupervisionStore
    + jobs::JobsStore
    + notify::NotifyStore
    + group::GroupStore
    + indicators::IndicatorsStore
    + settings::SettingsStore
    + audit::AuditStore
{
}

impl<T> Store for T where
    T: Backend
        + accounts::AccountsStore
        + registry::RegistryStore
        + ledger::LedgerStore
        + reporting::ReportingStore
        + supervision::SupervisionStore
        + jobs::JobsStore
        + notify::NotifyStore
        + group::GroupStore
        + indicators::IndicatorsStore
        + settings::SettingsStore
        + audit::AuditStore
{
}
