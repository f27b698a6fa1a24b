//! What every fuzz target shares: limits small enough for the fuzzer's memory cap, and a panic
//! hook that reports only the panics the parser does not catch itself.

/// Limits scaled down so that a bomb is refused long before libFuzzer's RSS limit.
pub fn limits() -> luoshi_doc::Limits {
    luoshi_doc::Limits { max_unpacked_bytes: 16 << 20, max_pdf_stream_bytes: 16 << 20, max_pdf_total_bytes: 32 << 20, ..Default::default() }
}

/// libFuzzer aborts on every panic; the parser catches the PDF readers' panics and reports them as
/// errors, so only panics outside that guard are findings.
pub fn install_hook() {
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
