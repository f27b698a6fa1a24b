//! Fuzz target: the docx front-end and everything after it must never panic, hang or blow memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn limits() -> luoshi_doc::Limits {
    luoshi_doc::Limits { max_unpacked_bytes: 16 << 20, max_pdf_stream_bytes: 16 << 20, max_pdf_total_bytes: 32 << 20, ..Default::default() }
}

fuzz_target!(|data: &[u8]| {
    // Inputs that are not zips are still parsed: the seeds steer the fuzzer to zips.
    let _ = luoshi_doc::parse(data, &limits());
});
