//! The parser's integration tests in one binary (one link instead of four on two cores):
//! hostile input, properties over arbitrary bytes, the public seeds, and the snapshots.
//! `large_input` stays a binary of its own so its peak RSS measures one parse.

mod bad_input;
mod properties;
mod seeds;
mod snapshots;
