//! Fuzz target: the text front-end and everything after it must never panic, hang or blow memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn limits() -> luoshi_doc::Limits {
    luoshi_doc::Limits { max_unpacked_bytes: 16 << 20, max_pdf_stream_bytes: 16 << 20, max_pdf_total_bytes: 32 << 20, ..Default::default() }
}

/// libFuzzer aborts on every panic; the parser catches the PDF readers' panics and reports them as
/// errors, so only panics outside that guard are findings.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !luoshi_doc::in_guarded_reader() {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let _ = luoshi_doc::parse(data, &limits());
});
