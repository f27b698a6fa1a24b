//! A 200 MB text file parses in memory bounded by a small multiple of its size. Alone in its test
//! binary, so the process's peak RSS (VmHWM) measures this parse and nothing else.

use luoshi_doc::{Limits, parse};

#[test]
fn a_200_mb_text_file_parses_in_bounded_memory() {
    let paragraph = "1.推进跨境贸易便利化改革。优化通关流程，压缩整体通关时间，提升口岸服务水平。（责任单位：自治区商务厅、发展改革委，南宁海关，南宁、钦州港、崇左片区管理机构）\n\n";
    let filler = "各有关单位要加强协调配合，确保各项改革措施落地见效，及时总结经验做法。\n";
    let mut text = String::with_capacity(200 * 1024 * 1024 + 4096);
    text.push_str("一、主要任务\n");
    while text.len() < 200 * 1024 * 1024 {
        text.push_str(paragraph);
        for _ in 0..20 {
            text.push_str(filler);
        }
    }
    let size = text.len();
    let bytes = text.into_bytes();
    let before = peak_rss_kib();
    let doc = parse(&bytes, &Limits::default()).expect("parses");
    let after = peak_rss_kib();
    assert!(doc.tasks.len() > 10_000);
    eprintln!(
        "200 MB text: peak RSS grew by {} MiB",
        after.saturating_sub(before) / 1024
    );
    // Memory is bounded by a small multiple of the input.
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 6 * (size as u64 / 1024 / 1024),
        "peak RSS grew by {grown_mib} MiB for {} MiB of input",
        size / 1024 / 1024
    );
}

/// Peak resident memory of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}
