//! Fuzz target: the pdf front-end and everything after it must never panic, hang or blow memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn limits() -> luoshi_doc::Limits {
    luoshi_doc::Limits { max_unpacked_bytes: 16 << 20, max_pdf_stream_bytes: 16 << 20, max_pdf_total_bytes: 32 << 20, ..Default::default() }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if !bytes.starts_with(b"%PDF-") {
        bytes.splice(0..0, b"%PDF-1.7\n".iter().copied());
    }
    let _ = luoshi_doc::parse(&bytes, &limits());
});
