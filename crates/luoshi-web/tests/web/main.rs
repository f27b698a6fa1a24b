//! The web crate's integration tests, one binary (linking once saves minutes on two cores):
//! the authorization walk, the router on both backends, a quarter of work, the outputs opened by
//! LibreOffice, and two servers sharing one PostgreSQL database.

mod authz;
mod common;
mod errors;
mod outputs;
mod router;
mod scale_out;
mod work;
