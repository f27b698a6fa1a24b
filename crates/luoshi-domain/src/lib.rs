//! Pure domain rules of the task ledger. No I/O, no clock: storage and HTTP build on these.
//!
//! - `registry`: unit kinds, how a unit's name is keyed, the registry Luoshi ships (aliases,
//!   successors, the three areas);
//! - `access`: roles and what each may see and change;
//! - `matching`: which task of a new version is which task of the stored one;
//! - `password`: the password policy;
//! - `calendar` and `periods`: civil dates, reporting periods and their deadlines;
//! - `supervision`: the state machine of a supervision item, its grades and reminder schedule;
//! - `reports`: what a progress report holds and its review state machine;
//! - `lights`: red/yellow/green from time left and lag behind expected progress;
//! - `notify`: what a notification says and the typed target it points at;
//! - `settings`: the office's settings and their rules.

pub mod access;
pub mod calendar;
pub mod lights;
pub mod matching;
pub mod notify;
pub mod password;
pub mod periods;
pub mod registry;
pub mod reports;
pub mod settings;
pub mod supervision;
