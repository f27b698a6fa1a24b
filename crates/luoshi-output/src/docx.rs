//! A .docx in 公文 layout (GB/T 9704): A4; margins 37/35/28/26 mm; the title in 小标宋 2号;
//! headings in 黑体 and 楷体 3号; the body in 仿宋_GB2312 3号 on a 28 × 22 grid; page numbers
//! "— 1 —". The fonts are named, not embedded: Word, WPS and LibreOffice substitute what a machine
//! lacks.

use std::io::{Cursor, Write};

use crate::blocks::{Block, title_of};

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

/// Blocks as a .docx in 公文 layout.
pub fn write(blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                for line in t.lines() {
                    body.push_str(&format!(
                        "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:line=\"700\" w:lineRule=\"exact\"/></w:pPr>{}</w:p>",
                        run(line, "方正小标宋简体", 44, false)
                    ));
                }
            }
            Block::Subtitle(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p><w:p/>",
                run(t, "楷体_GB2312", 32, false)
            )),
            Block::H1(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr>{}</w:p>",
                run(t, "黑体", 32, false)
            )),
            Block::H2(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr>{}</w:p>",
                run(t, "楷体_GB2312", 32, false)
            )),
            Block::Para(t) => body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr>{}</w:p>",
                run(t, "仿宋_GB2312", 32, false)
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
    let styles = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"仿宋_GB2312\" w:eastAsia=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:snapToGrid w:val=\"1\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style></w:styles>";
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
        ("word/styles.xml", styles.into()),
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
}
