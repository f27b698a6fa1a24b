//! Fuzz target: the text front-end and everything after it must never panic, hang or blow memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::install_hook();
    let _ = luoshi_doc::parse(data, &common::limits());
});
