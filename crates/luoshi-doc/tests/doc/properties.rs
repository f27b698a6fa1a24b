//! Property: parsing arbitrary bytes never panics, whatever container they pretend to be.

use luoshi_doc::{Limits, parse};
use proptest::prelude::*;

fn small_limits() -> Limits {
    Limits {
        max_unpacked_bytes: 4 * 1024 * 1024,
        max_pdf_stream_bytes: 4 * 1024 * 1024,
        max_pdf_total_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse(&bytes, &small_limits());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[一二三四五六七八九十（）()、，。；：0-9.\\n责任单位牵头配合自治区南宁片区管委会等 \\t#*年月日达到亿元%以上]{0,600}") {
        let doc = parse(text.as_bytes(), &small_limits());
        if let Ok(doc) = doc {
            for t in &doc.tasks {
                prop_assert!(t.line >= 1);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_behind_magic_never_panic(
        magic in prop_oneof![Just(b"%PDF-1.7\n".to_vec()), Just(b"PK\x03\x04".to_vec()), Just(b"<html><body>".to_vec()), Just(vec![0xEF, 0xBB, 0xBF])],
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic;
        bytes.extend(tail);
        let _ = parse(&bytes, &small_limits());
    }

    #[test]
    fn mutated_docx_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = luoshi_testgen::docx_from_text("一、主要任务\n1.推进改革。（责任单位：自治区商务厅、财政厅）\n\t序号\n\t名称\n");
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let _ = parse(&bytes, &small_limits());
    }

    #[test]
    fn mutated_pdf_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = luoshi_testgen::pdf(&[vec!["一、主要任务".into(), "1.推进改革。（责任单位：自治区商务厅）".into()]], None);
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let _ = parse(&bytes, &small_limits());
    }
}
