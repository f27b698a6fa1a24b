//! Fuzz target: the pdf front-end and everything after it must never panic, hang or blow memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::install_hook();
    let mut bytes = data.to_vec();
    if !bytes.starts_with(b"%PDF-") {
        bytes.splice(0..0, b"%PDF-1.7\n".iter().copied());
    }
    let _ = luoshi_doc::parse(&bytes, &common::limits());
});
