//! Pure domain rules of the task ledger. No I/O, no clock: storage and HTTP build on these.
//!
//! - `registry`: unit kinds, how a unit's name is keyed, the registry Luoshi ships (aliases,
//!   successors, the three areas);
//! - `access`: roles and what each may see and change;
//! - `matching`: which task of a new version is which task of the stored one;
//! - `password`: the password policy.

pub mod access;
pub mod matching;
pub mod password;
pub mod registry;
