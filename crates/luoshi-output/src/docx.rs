//! A .docx in 公文 layout (GB/T 9704): A4; margins 37/35/28/26 mm; the title in 小标宋 2号;
//! headings in 黑体, 楷体 and bold 仿宋 3号, as the styles "heading 1–3" with outline levels (so
//! Word's and WPS's navigation pane shows the structure); the body in 仿宋_GB2312 3号 on a 28 × 22
//! grid; ruled tables in 4号 whose heading row repeats; annexes on a new page; page numbers
//! "— 1 —". The fonts are named, not embedded: Word, WPS and LibreOffice substitute what a machine
//! lacks.

use std::io::{Cursor, Write};

use crate::blocks::{Block, Table, title_of};

/// The text block's width in twips (A4 less the side margins): 28 characters.
const TEXT_TWIPS: f32 = 8844.0;

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn run(text: &str, font: &str, half_points: u32, bold: bool) -> String {
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:eastAsia=\"{font}\" w:hAnsi=\"{font}\"/>{}<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        if bold { "<w:b/>" } else { "" },
        xml_escape(text)
    )
}

fn heading(style: &str, text: &str, font: &str, bold: bool) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr>{}</w:p>",
        run(text, font, 32, bold)
    )
}

fn table(t: &Table) -> String {
    let widths: Vec<u32> = t
        .widths(TEXT_TWIPS)
        .iter()
        .map(|w| w.round() as u32)
        .collect();
    let mut x = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/>\
<w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
    );
    for w in &widths {
        x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let cell = |text: &str, w: u32, head: bool| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"320\" w:lineRule=\"exact\"/>{}</w:pPr>{}</w:p></w:tc>",
            if head { "<w:jc w:val=\"center\"/>" } else { "" },
            run(text, if head { "黑体" } else { "仿宋_GB2312" }, 28, false)
        )
    };
    x.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for ((h, _), w) in t.columns.iter().zip(&widths) {
        x.push_str(&cell(h, *w, true));
    }
    x.push_str("</w:tr>");
    for row in &t.rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (c, w) in row.iter().zip(&widths) {
            x.push_str(&cell(c, *w, false));
        }
        x.push_str("</w:tr>");
    }
    // Word needs a paragraph between a table and what follows.
    x.push_str("</w:tbl><w:p/>");
    x
}

/// Blocks as a .docx in 公文 layout.
pub fn write(blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                for line in t.lines() {
                    body.push_str(&format!(
                        "<w:p><w:pPr><w:pStyle w:val=\"Title\"/><w:jc w:val=\"center\"/><w:spacing w:line=\"700\" w:lineRule=\"exact\"/></w:pPr>{}</w:p>",
                        run(line, "方正小标宋简体", 44, false)
                    ));
                }
            }
            Block::Subtitle(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p><w:p/>",
                run(t, "楷体_GB2312", 32, false)
            )),
            Block::H1(t) => body.push_str(&heading("Heading1", t, "黑体", false)),
            Block::H2(t) => body.push_str(&heading("Heading2", t, "楷体_GB2312", false)),
            Block::H3(t) => body.push_str(&heading("Heading3", t, "仿宋_GB2312", true)),
            Block::Para(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr>{}</w:p>",
                run(t, "仿宋_GB2312", 32, false)
            )),
            Block::Table(t) => body.push_str(&table(t)),
            Block::Annex { label, title } => body.push_str(&format!(
                "<w:p><w:pPr><w:pageBreakBefore/></w:pPr>{}</w:p>\
<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:jc w:val=\"center\"/><w:spacing w:before=\"240\" w:after=\"240\"/></w:pPr>{}</w:p>",
                run(label, "黑体", 32, false),
                run(title, "方正小标宋简体", 36, false)
            )),
        }
    }
    // A4 (11906 × 16838 twips); margins 37/35/28/26 mm; a 28-character, 22-line grid.
    let sect = "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
        <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
        <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"1531\" w:gutter=\"0\"/>\
        <w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" w:charSpace=\"-842\"/></w:sectPr>";
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}{sect}</w:body></w:document>"
    );
    let footer = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
{}<w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:eastAsia=\"宋体\" w:hAnsi=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:t>1</w:t></w:r>\
<w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r>{}</w:p></w:ftr>",
        run("— ", "宋体", 28, false),
        run(" —", "宋体", 28, false)
    );
    let style = |id: &str, name: &str, level: u8, font: &str, bold: bool| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:outlineLvl w:val=\"{level}\"/></w:pPr><w:rPr><w:rFonts w:ascii=\"{font}\" w:eastAsia=\"{font}\" w:hAnsi=\"{font}\"/>{}<w:sz w:val=\"32\"/></w:rPr></w:style>",
            if bold { "<w:b/>" } else { "" }
        )
    };
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"仿宋_GB2312\" w:eastAsia=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:snapToGrid w:val=\"1\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/></w:style>\
{}{}{}</w:styles>",
        style("Heading1", "heading 1", 0, "黑体", false),
        style("Heading2", "heading 2", 1, "楷体_GB2312", false),
        style("Heading3", "heading 3", 2, "仿宋_GB2312", true),
    );
    let files: [(&str, String); 6] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>"
                .into(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>"
                .into(),
        ),
        (
            "word/_rels/document.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
</Relationships>"
                .into(),
        ),
        (
            "docProps/core.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
<dc:title>{}</dc:title><dc:creator>落实</dc:creator></cp:coreProperties>",
                xml_escape(&title_of(blocks))
            ),
        ),
        ("word/styles.xml", styles),
        ("word/footer1.xml", footer),
    ];
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let err = |e: &dyn std::fmt::Display| format!("docx: {e}");
    for (name, text) in files.iter().chain([("word/document.xml", document)].iter()) {
        z.start_file(*name, opts).map_err(|e| err(&e))?;
        z.write_all(text.as_bytes()).map_err(|e| err(&e))?;
    }
    Ok(z.finish().map_err(|e| err(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docx_is_a_package_in_gongwen_layout() {
        let blocks = vec![
            Block::Title("标题<一>\n第二行".into()),
            Block::H1("一、总体情况".into()),
            Block::Para("正文 & 数据".into()),
        ];
        let bytes = write(&blocks).unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc)
            .unwrap();
        assert!(doc.contains("w:w=\"11906\" w:h=\"16838\""), "A4");
        assert!(doc.contains("w:linePitch=\"579\""), "22 lines");
        assert!(doc.contains("方正小标宋简体") && doc.contains("<w:sz w:val=\"44\"/>"));
        assert!(doc.contains("仿宋_GB2312") && doc.contains("<w:sz w:val=\"32\"/>"));
        assert!(doc.contains("标题&lt;一&gt;") && doc.contains("正文 &amp; 数据"));
        assert!(z.by_name("word/footer1.xml").is_ok());
    }

    #[test]
    fn headings_carry_outline_levels_and_tables_repeat_their_heading_row() {
        let mut t = Table::new(&[("单位", 10), ("应报", 3)]);
        t.row(vec!["自治区商务厅".into(), "4".into()]);
        let blocks = vec![
            Block::H1("一、总体情况".into()),
            Block::H2("（一）文件".into()),
            Block::H3("1．任务".into()),
            Block::Table(t),
            Block::Annex {
                label: "附件".into(),
                title: "未报送清单".into(),
            },
        ];
        let bytes = write(&blocks).unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let doc = read("word/document.xml");
        let styles = read("word/styles.xml");
        for (id, level) in [("Heading1", 0), ("Heading2", 1), ("Heading3", 2)] {
            assert!(doc.contains(&format!("<w:pStyle w:val=\"{id}\"/>")), "{id}");
            assert!(
                styles.contains(&format!("w:styleId=\"{id}\"")),
                "{id} defined"
            );
            assert!(styles.contains(&format!("<w:outlineLvl w:val=\"{level}\"/>")));
        }
        assert!(doc.contains("<w:tblHeader/>") && doc.contains("<w:gridCol w:w=\"6803\"/>"));
        assert!(doc.contains("<w:pageBreakBefore/>") && doc.contains("未报送清单"));
    }
}
