//! Data-driven tests: every file in test_data/ok is parsed and compared with its `.expected.json`
//! snapshot (`UPDATE_EXPECT=1` rewrites them). The text samples are also written out as .docx and as
//! paginated .pdf (hard line breaks, running header, page numbers), and must read the same.

use std::path::{Path, PathBuf};

use luoshi_doc::{Document, Limits, parse};
use luoshi_testgen::{docx_from_text, paginate, pdf};

/// The package's folder, read when the test runs (not baked in at build time, so a build cache
/// shared between checkouts cannot point a test at another checkout).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"),
    )
}

fn data_dir() -> PathBuf {
    manifest_dir().join("../../test_data/ok")
}

fn inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("test_data/ok exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "test_data/ok holds the samples");
    files
}

#[test]
fn snapshots_match() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for input in inputs() {
        let bytes = std::fs::read(&input).expect("read sample");
        let doc = parse(&bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        let actual = serde_json::to_string_pretty(&doc).expect("serialise") + "\n";
        let expected_path = PathBuf::from(format!("{}.expected.json", input.display()));
        if update {
            std::fs::write(&expected_path, &actual).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs from its snapshot (run with UPDATE_EXPECT=1 after checking)",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn text_of(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    luoshi_doc::extract(&bytes, &Limits::default())
        .expect("extract")
        .text
}

/// The parts of a document that must not depend on the container.
fn essentials(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = doc
        .tasks
        .iter()
        .map(|t| {
            format!(
                "{} {} | {} | {:?}",
                t.number,
                t.title,
                t.path.join(" / "),
                t.units
                    .iter()
                    .map(|u| (&u.name, u.role))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    out.extend(doc.achievements.iter().map(|a| {
        format!(
            "{:?} {} {} {:?} {:?}",
            a.category, a.number, a.name, a.lead_units, a.replication_units
        )
    }));
    out.push(format!("{:?} {:?}", doc.meta.doc_number, doc.meta.title));
    out
}

#[test]
fn docx_reads_like_text() {
    for name in [
        "0001_notice_with_plan.txt",
        "0002_clause_shapes.txt",
        "0004_achievements_table.txt",
    ] {
        let path = data_dir().join(name);
        let from_text =
            parse(&std::fs::read(&path).expect("read"), &Limits::default()).expect("text");
        let docx = docx_from_text(&text_of(&path));
        let from_docx = parse(&docx, &Limits::default()).expect("docx");
        assert_eq!(from_docx.format, luoshi_doc::Format::Docx);
        assert_eq!(
            essentials(&from_docx),
            essentials(&from_text),
            "{name} as .docx"
        );
    }
}

#[test]
fn paginated_pdf_reads_like_text() {
    for name in ["0001_notice_with_plan.txt", "0002_clause_shapes.txt"] {
        let path = data_dir().join(name);
        let from_text =
            parse(&std::fs::read(&path).expect("read"), &Limits::default()).expect("text");
        let pages = paginate(&text_of(&path), 30, 16);
        assert!(pages.len() >= 2, "the sample spans pages");
        let bytes = pdf(&pages, Some("示范公文 内部资料"));
        let from_pdf =
            parse(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name} as pdf: {e}"));
        assert_eq!(from_pdf.format, luoshi_doc::Format::Pdf);
        let text = luoshi_doc::extract(&bytes, &Limits::default())
            .expect("pdf text")
            .text;
        assert!(
            !text.contains("内部资料"),
            "running header removed:\n{text}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.trim().starts_with('—') && l.trim().ends_with('—')),
            "page numbers removed:\n{text}"
        );
        let tasks = |d: &Document| {
            d.tasks
                .iter()
                .map(|t| (t.number.clone(), t.title.clone(), t.units.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            tasks(&from_pdf),
            tasks(&from_text),
            "{name} as .pdf:\n{text}"
        );
    }
}

#[test]
fn docx_numbering_and_merged_cells() {
    use luoshi_testgen::{DocxBlock, DocxCell, docx};
    let bytes = docx(&[
        DocxBlock::Numbered {
            ilvl: 0,
            text: "主要任务".into(),
        },
        DocxBlock::Numbered {
            ilvl: 2,
            text: "推进通关改革。压缩时间。（责任单位：自治区商务厅、财政厅，南宁海关）".into(),
        },
        DocxBlock::Numbered {
            ilvl: 2,
            text: "优化营商环境。（自治区发展改革委牵头，自治区司法厅配合）".into(),
        },
        DocxBlock::Numbered {
            ilvl: 0,
            text: "保障措施".into(),
        },
        DocxBlock::Para("示范省第五批制度创新成果".into()),
        DocxBlock::Table(vec![
            vec![
                DocxCell::new("序号"),
                DocxCell::new("成果名称"),
                DocxCell::new("主要内容"),
                DocxCell::new("推广范围"),
                DocxCell::new("牵头改革部门"),
                DocxCell::new("复制推广责任单位"),
            ],
            vec![DocxCell {
                text: "一、改革试点经验（2项）".into(),
                span: 6,
                vmerge: None,
            }],
            vec![
                DocxCell::new("1"),
                DocxCell::new("甲改革"),
                DocxCell::new("内容一\n第二段"),
                DocxCell {
                    text: "全区".into(),
                    span: 1,
                    vmerge: Some(true),
                },
                DocxCell::new("自治区商务厅"),
                DocxCell::new("自治区商务厅、财政厅"),
            ],
            vec![
                DocxCell::new("2"),
                DocxCell::new("乙改革"),
                DocxCell::new("内容二"),
                DocxCell {
                    text: String::new(),
                    span: 1,
                    vmerge: Some(false),
                },
                DocxCell::new("示范海关"),
                DocxCell::new("示范海关"),
            ],
        ]),
    ]);
    let doc = parse(&bytes, &Limits::default()).expect("docx");
    assert_eq!(
        doc.outline
            .iter()
            .map(|n| n.marker.as_str())
            .take(2)
            .collect::<Vec<_>>(),
        ["一、", "二、"],
        "Word list numbering is read"
    );
    assert_eq!(doc.tasks.len(), 2);
    assert_eq!(doc.tasks[0].number, "1");
    assert_eq!(
        doc.tasks[0]
            .units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["自治区商务厅", "自治区财政厅", "南宁海关"]
    );
    assert_eq!(doc.tasks[1].units[0].name, "自治区发展改革委");
    assert_eq!(doc.achievements.len(), 2);
    assert_eq!(doc.achievements[0].batch, Some(5));
    assert_eq!(doc.achievements[0].content, "内容一第二段");
    assert_eq!(
        doc.achievements[1].scope.as_deref(),
        Some("全区"),
        "a vertically merged cell repeats the cell above"
    );
    assert_eq!(
        doc.achievements[1].category.as_deref(),
        Some("改革试点经验")
    );
}

#[test]
fn xlsx_achievement_table() {
    let shared = [
        "序号",
        "成果名称",
        "主要内容",
        "推广范围",
        "牵头改革部门",
        "复制推广责任单位",
        "一、最佳实践案例（1项）",
        "口岸收费一站式",
        "统一收费\n线上结算",
        "全区",
        "自治区商务厅",
        "自治区商务厅、财政厅",
    ];
    let si: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let cell = |r: &str, i: usize| format!("<c r=\"{r}\" t=\"s\"><v>{i}</v></c>");
    let sheet = format!(
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>示范省第九批制度创新成果</t></is></c></row><row r=\"2\">{}</row><row r=\"3\">{}</row><row r=\"4\"><c r=\"A4\"><v>1</v></c>{}</row></sheetData></worksheet>",
        ["A2", "B2", "C2", "D2", "E2", "F2"]
            .iter()
            .enumerate()
            .map(|(i, r)| cell(r, i))
            .collect::<String>(),
        cell("A3", 6),
        ["B4", "C4", "D4", "E4", "F4"]
            .iter()
            .enumerate()
            .map(|(i, r)| cell(r, i + 7))
            .collect::<String>(),
    );
    let bytes = luoshi_testgen::zip(&[
        ("xl/workbook.xml", b"<workbook/>".as_slice()),
        (
            "xl/sharedStrings.xml",
            format!("<sst>{si}</sst>").as_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let doc = parse(&bytes, &Limits::default()).expect("xlsx");
    assert_eq!(doc.format, luoshi_doc::Format::Xlsx);
    assert_eq!(doc.achievements.len(), 1);
    let a = &doc.achievements[0];
    assert_eq!(
        (
            a.batch,
            a.category.as_deref(),
            a.name.as_str(),
            a.content.as_str()
        ),
        (
            Some(9),
            Some("最佳实践案例"),
            "口岸收费一站式",
            "统一收费线上结算"
        )
    );
    assert_eq!(a.replication_units, ["自治区商务厅", "自治区财政厅"]);
}
