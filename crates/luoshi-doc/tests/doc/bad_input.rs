//! Bad input: every case gets a clear error or a partial result with warnings — never a panic, a
//! hang or unbounded memory.

use luoshi_doc::{Format, InputError, Limits, extract, parse};
use luoshi_testgen as gen_;

/// The package's folder, read when the test runs (not baked in at build time, so a build cache
/// shared between checkouts cannot point a test at another checkout).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"),
    )
}

/// A small deterministic generator, so failures reproduce.
fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

fn err(bytes: &[u8]) -> InputError {
    parse(bytes, &Limits::default()).expect_err("must be refused")
}

#[test]
fn empty_and_blank_files() {
    assert_eq!(err(b""), InputError::Empty);
    assert_eq!(err(b"  \n\r\n\t "), InputError::Empty);
    assert!(err(b"").message_zh().contains("空"));
}

#[test]
fn random_bytes_are_unrecognised() {
    for seed in 1..20 {
        let e = err(&random_bytes(4096, seed));
        assert_eq!(e, InputError::Unrecognised, "seed {seed}");
    }
    assert!(InputError::Unrecognised.message_zh().contains("无法识别"));
}

#[test]
fn legacy_office_files_get_a_hint() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(random_bytes(2000, 7));
    let e = err(&ole);
    assert_eq!(e, InputError::LegacyOffice);
    assert!(e.message_zh().contains("另存为"));
}

#[test]
fn truncated_docx_is_corrupt() {
    let full = gen_::docx_from_text("一、主要任务\n1. 推进改革。（责任单位：自治区商务厅）\n");
    assert!(parse(&full, &Limits::default()).is_ok());
    for cut in [full.len() / 2, full.len() - 10, 40] {
        let e = err(&full[..cut]);
        assert!(
            matches!(
                e,
                InputError::Corrupt {
                    format: Format::Docx,
                    ..
                }
            ),
            "cut {cut}: {e:?}"
        );
        assert!(e.message_zh().contains("损坏"));
    }
}

#[test]
fn zip_bomb_is_refused() {
    // 150 MB of spaces in document.xml: over the 100 MB unpacked limit and far over 100:1.
    let bomb = gen_::docx_bomb(150_000_000);
    assert!(
        bomb.len() < 1_000_000,
        "the bomb is small on disk: {}",
        bomb.len()
    );
    assert!(matches!(err(&bomb), InputError::ArchiveLimit { .. }));
    // A ratio bomb under the size limit: 20 MB of spaces.
    let limits = Limits::default();
    let e = parse(&gen_::docx_bomb(20_000_000), &limits).expect_err("ratio");
    assert!(matches!(e, InputError::ArchiveLimit { .. }), "{e:?}");
}

#[test]
fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..6000).map(|i| format!("f{i}.xml")).collect();
    let mut entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    entries.push(("word/document.xml", b"<w:document/>"));
    assert!(matches!(
        err(&gen_::zip(&entries)),
        InputError::ArchiveLimit { .. }
    ));
}

#[test]
fn xxe_and_entity_expansion_are_refused() {
    let e = err(&gen_::docx_xxe());
    assert!(matches!(e, InputError::UnsafeXml { .. }), "{e:?}");
    assert!(e.message_zh().contains("不安全"));
}

#[test]
fn pdf_stream_bomb_is_refused() {
    let bomb = gen_::pdf_stream_bomb(300 * 1024 * 1024);
    assert!(bomb.len() < 2_000_000);
    let e = err(&bomb);
    assert!(matches!(e, InputError::PdfLimit { .. }), "{e:?}");
}

#[test]
fn pdf_nesting_bomb_is_refused() {
    let e = err(&gen_::pdf_nesting_bomb(100_000));
    assert!(matches!(e, InputError::PdfLimit { .. }), "{e:?}");
}

#[test]
fn truncated_and_garbage_pdfs_fail_cleanly() {
    let good = gen_::pdf(
        &[vec![
            "一、主要任务".into(),
            "1.推进改革。（责任单位：自治区商务厅）".into(),
        ]],
        None,
    );
    assert_eq!(
        parse(&good, &Limits::default())
            .expect("good pdf")
            .tasks
            .len(),
        1
    );
    for cut in [good.len() / 3, good.len() / 2, good.len() - 30] {
        // Either an error or a partial document; never a panic.
        let _ = parse(&good[..cut], &Limits::default());
    }
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend(random_bytes(5000, 3));
    assert!(parse(&garbage, &Limits::default()).is_err());
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let limits = Limits {
        max_file_bytes: 1024,
        ..Limits::default()
    };
    let e = parse(&vec![b'a'; 2048], &limits).expect_err("too large");
    assert_eq!(
        e,
        InputError::TooLarge {
            size: 2048,
            limit: 1024
        }
    );
    assert!(e.message_zh().contains("过大"));
    let at_default = vec![b' '; 256 * 1024 * 1024 + 1];
    assert!(matches!(err(&at_default), InputError::TooLarge { .. }));
}

#[test]
fn broken_gb18030_is_read_with_warnings_on_its_lines() {
    let mut bytes = "一、主要任务\n1.推进改革。（责任单位：自治区商务厅、财政厅）\n".encode_gb();
    let mut broken = "2.优化服务。".encode_gb();
    broken.extend([0x81, 0x20]); // a lead byte without its trail byte
    broken.extend("（责任单位：自治区发展改革委）\n".encode_gb());
    bytes.extend(broken);
    let doc = parse(&bytes, &Limits::default()).expect("partial result");
    assert_eq!(doc.encoding, "gb18030");
    assert_eq!(doc.tasks.len(), 2);
    assert_eq!(doc.tasks[0].units[1].name, "自治区财政厅");
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.line == 3 && w.message.contains("无法解码")),
        "{:?}",
        doc.warnings
    );
}

trait EncodeGb {
    fn encode_gb(&self) -> Vec<u8>;
}

impl EncodeGb for str {
    fn encode_gb(&self) -> Vec<u8> {
        encoding_rs::GB18030.encode(self).0.into_owned()
    }
}

#[test]
fn extract_reports_format_by_content_not_name() {
    let docx = gen_::docx_from_text("一、任务\n");
    assert_eq!(
        extract(&docx, &Limits::default()).expect("docx").format,
        Format::Docx
    );
    let html = b"<html><body><p>\xe4\xb8\x80\xe3\x80\x81\xe4\xbb\xbb\xe5\x8a\xa1</p></body></html>";
    assert_eq!(
        extract(html, &Limits::default()).expect("html").format,
        Format::Html
    );
}

#[test]
fn gb2312_web_page_is_decoded_by_its_declared_charset() {
    let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><div class=\"content\"><p>一、主要任务</p><p>（一）推进改革。加快建设口岸设施，提升通关效率，优化营商环境，推动开放平台高质量发展。（责任单位：自治区商务厅、财政厅）</p></div></body></html>";
    let bytes = encoding_rs::GB18030.encode(page).0.into_owned();
    let doc = parse(&bytes, &Limits::default()).expect("page");
    assert_eq!(
        (doc.format, doc.encoding.as_str()),
        (Format::Html, "gb18030")
    );
    assert_eq!(doc.tasks.len(), 1);
    assert_eq!(doc.tasks[0].units[1].name, "自治区财政厅");
}

/// Inputs that once broke the parser (found by the fuzzers), replayed on every run.
#[test]
fn regression_inputs_never_panic() {
    let dir = manifest_dir().join("../../test_data/regress");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("test_data/regress") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let _ = parse(&bytes, &Limits::default());
        count += 1;
    }
    assert!(count >= 1);
}

/// A task table past item 999 is read to its end, and a year at a line's start ("2026.") between
/// items 2 and 3 is not taken for an item.
#[test]
fn long_task_tables_and_years_at_line_starts() {
    let mut text = String::from("关于印发长表测试方案的通知\n\n一、主要任务\n\n");
    for i in 1..=1003 {
        text.push_str(&format!(
            "{i}.推进第{i}项工作。（责任单位：自治区测试第{i}厅）\n\n"
        ));
        if i == 2 {
            text.push_str("2026.全年完成上述工作并总结。\n\n");
        }
    }
    let doc = luoshi_doc::parse(text.as_bytes(), &luoshi_doc::Limits::default()).unwrap();
    assert_eq!(doc.tasks.len(), 1003);
    let last = doc.tasks.last().unwrap();
    assert_eq!(last.number, "1003");
    assert_eq!(last.units[0].name, "自治区测试第1003厅");
    assert_eq!(doc.tasks[2].number, "3");
}
