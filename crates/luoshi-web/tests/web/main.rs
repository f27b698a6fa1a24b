//! The web crate's integration tests, one binary (linking once saves minutes on two cores):
//! the authorization walk, the router on both backends, a quarter of work, the outputs opened by
//! LibreOffice, two servers sharing one PostgreSQL database, and one file per feature for the rest.

mod accounts;
mod audit;
mod authz;
mod common;
mod errors;
mod filing;
mod group;
mod indicators;
mod ledger;
mod logins;
mod outputs;
mod reporting;
mod router;
mod scale_out;
mod security;
mod supervision;
mod work;
