//! Test fixtures: real .docx and .pdf files written from text, and hostile files (bombs, XXE).
//!
//! Fixtures are generated rather than committed so that every test states its input in readable
//! text. The PDF writer uses a CID font with a ToUnicode map and no glyphs — enough for a text
//! extractor, which is what the parser is — and draws each page's lines with a running header and
//! a page number, the artefacts the parser must remove.

pub mod http;

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// A block of a generated .docx.
#[derive(Debug, Clone)]
pub enum DocxBlock {
    Para(String),
    /// A paragraph numbered by Word's list (numId 1: 一、 / （一） / 1.), at level `ilvl`.
    Numbered {
        ilvl: usize,
        text: String,
    },
    Table(Vec<Vec<DocxCell>>),
}

/// A table cell: `\n` in the text separates its paragraphs.
#[derive(Debug, Clone)]
pub struct DocxCell {
    pub text: String,
    pub span: usize,
    /// Some(true): starts a vertical merge; Some(false): continues the one above.
    pub vmerge: Option<bool>,
}

impl DocxCell {
    pub fn new(text: &str) -> Self {
        DocxCell {
            text: text.into(),
            span: 1,
            vmerge: None,
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn para_xml(text: &str, num: Option<usize>) -> String {
    let ppr = num.map_or_else(String::new, |l| {
        format!("<w:pPr><w:numPr><w:ilvl w:val=\"{l}\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>")
    });
    format!(
        "<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    )
}

const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"#;

/// The document.xml for some blocks.
pub fn document_xml(blocks: &[DocxBlock]) -> String {
    let mut body = String::new();
    for b in blocks {
        match b {
            DocxBlock::Para(t) => body.push_str(&para_xml(t, None)),
            DocxBlock::Numbered { ilvl, text } => body.push_str(&para_xml(text, Some(*ilvl))),
            DocxBlock::Table(rows) => {
                body.push_str("<w:tbl>");
                for row in rows {
                    body.push_str("<w:tr>");
                    for cell in row {
                        body.push_str("<w:tc><w:tcPr>");
                        if cell.span > 1 {
                            body.push_str(&format!("<w:gridSpan w:val=\"{}\"/>", cell.span));
                        }
                        match cell.vmerge {
                            Some(true) => body.push_str("<w:vMerge w:val=\"restart\"/>"),
                            Some(false) => body.push_str("<w:vMerge/>"),
                            None => {}
                        }
                        body.push_str("</w:tcPr>");
                        for p in cell.text.split('\n') {
                            body.push_str(&para_xml(
                                if cell.vmerge == Some(false) { "" } else { p },
                                None,
                            ));
                        }
                        body.push_str("</w:tc>");
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl>");
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    )
}

/// A zip archive of (name, content) entries.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

/// A .docx with the given document.xml (and the list numbering used by `DocxBlock::Numbered`).
pub fn docx_from_xml(document_xml: &str) -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document_xml.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
    ])
}

/// A .docx of blocks.
pub fn docx(blocks: &[DocxBlock]) -> Vec<u8> {
    docx_from_xml(&document_xml(blocks))
}

/// A .docx whose paragraphs are the lines of `text` (tab-led lines become table rows as in `layout`).
pub fn docx_from_text(text: &str) -> Vec<u8> {
    let mut blocks = Vec::new();
    let mut row: Vec<DocxCell> = Vec::new();
    let mut rows: Vec<Vec<DocxCell>> = Vec::new();
    let flush_row = |row: &mut Vec<DocxCell>, rows: &mut Vec<Vec<DocxCell>>| {
        if !row.is_empty() {
            rows.push(std::mem::take(row));
        }
    };
    for line in text.lines() {
        if let Some(cell) = line.strip_prefix('\t') {
            row.push(DocxCell::new(cell));
        } else if !row.is_empty() && !line.trim().is_empty() {
            if let Some(last) = row.last_mut() {
                last.text.push('\n');
                last.text.push_str(line);
            }
        } else {
            flush_row(&mut row, &mut rows);
            if line.trim().is_empty() {
                continue;
            }
            if !rows.is_empty() {
                blocks.push(DocxBlock::Table(std::mem::take(&mut rows)));
            }
            blocks.push(DocxBlock::Para(line.to_string()));
        }
    }
    flush_row(&mut row, &mut rows);
    if !rows.is_empty() {
        blocks.push(DocxBlock::Table(rows));
    }
    docx(&blocks)
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("deflate");
    e.finish().expect("deflate")
}

fn hex16(units: &[u16]) -> String {
    units.iter().map(|u| format!("{u:04X}")).collect()
}

/// A PDF whose pages hold the given lines, with a running header and a page number on each page.
pub fn pdf(pages: &[Vec<String>], header: Option<&str>) -> Vec<u8> {
    let mut cids: BTreeMap<char, u16> = BTreeMap::new();
    let mut cid_of = |c: char| -> u16 {
        let next = cids.len() as u16 + 1;
        *cids.entry(c).or_insert(next)
    };
    let mut contents = Vec::new();
    for (pi, lines) in pages.iter().enumerate() {
        let mut s = String::from("BT /F1 12 Tf\n");
        let mut y = 800;
        let mut draw = |text: &str, x: i32, y: i32, s: &mut String| {
            let codes: Vec<u16> = text.chars().map(&mut cid_of).collect();
            s.push_str(&format!("1 0 0 1 {x} {y} Tm <{}> Tj\n", hex16(&codes)));
        };
        if let Some(h) = header {
            draw(h, 200, 820, &mut s);
        }
        for line in lines {
            y -= 18;
            draw(line, 50, y, &mut s);
        }
        draw(&format!("— {} —", pi + 1), 280, 30, &mut s);
        s.push_str("ET\n");
        contents.push(deflate(s.as_bytes()));
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(char, u16)> = cids.iter().map(|(c, id)| (*c, *id)).collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (c, id) in chunk {
            let mut buf = [0u16; 2];
            cmap.push_str(&format!(
                "<{id:04X}> <{}>\n",
                hex16(c.encode_utf16(&mut buf))
            ));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");

    let n = pages.len();
    let first_page = 7;
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..n)
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type0 /BaseFont /LuoshiTest /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /LuoshiTest /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 /CIDToGIDMap /Identity >>".to_vec());
    let mut cmap_obj = format!("<< /Length {} >>\nstream\n", cmap.len()).into_bytes();
    cmap_obj.extend_from_slice(cmap.as_bytes());
    cmap_obj.extend_from_slice(b"\nendstream");
    objects.push(cmap_obj);
    objects.push(b"<< /Type /FontDescriptor /FontName /LuoshiTest /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>".to_vec());
    for (i, c) in contents.iter().enumerate() {
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", first_page + 2 * i + 1).into_bytes(),
        );
        let mut obj =
            format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", c.len()).into_bytes();
        obj.extend_from_slice(c);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }
    assemble(&objects)
}

/// Writes objects 1..=n with a cross-reference table and trailer.
pub fn assemble(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Splits text into PDF pages of `lines_per_page` lines, wrapping long lines at `width` characters
/// the way a typeset page breaks them (hard breaks inside sentences). Markdown marks (`#`, `**`)
/// are what a converter adds to a text export; a typeset page has none, so they are dropped.
pub fn paginate(text: &str, width: usize, lines_per_page: usize) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for para in text.lines().filter(|l| !l.trim().is_empty()) {
        let para = para.replace("**", "");
        let chars: Vec<char> = para.trim().trim_start_matches('#').trim().chars().collect();
        for chunk in chars.chunks(width) {
            lines.push(chunk.iter().collect::<String>());
        }
    }
    lines
        .chunks(lines_per_page)
        .map(<[String]>::to_vec)
        .collect()
}

/// A PDF with one stream that inflates to `inflated` zero bytes.
pub fn pdf_stream_bomb(inflated: usize) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = inflated;
    while left > 0 {
        let n = left.min(chunk.len());
        e.write_all(&chunk[..n]).expect("deflate");
        left -= n;
    }
    let data = e.finish().expect("deflate");
    let mut obj = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        data.len()
    )
    .into_bytes();
    obj.extend_from_slice(&data);
    obj.extend_from_slice(b"\nendstream");
    assemble(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        obj,
    ])
}

/// A PDF with an array nested `depth` deep.
pub fn pdf_nesting_bomb(depth: usize) -> Vec<u8> {
    let nested = format!(
        "<< /Type /Catalog /Pages 2 0 R /X {}{} >>",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assemble(&[
        nested.into_bytes(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
    ])
}

/// A .docx whose document.xml inflates to `inflated` bytes of spaces inside one paragraph.
pub fn docx_bomb(inflated: usize) -> Vec<u8> {
    let mut xml = String::with_capacity(inflated + 200);
    xml.push_str("<?xml version=\"1.0\"?><w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>");
    xml.push_str(&" ".repeat(inflated));
    xml.push_str("</w:t></w:r></w:p></w:body></w:document>");
    docx_from_xml(&xml)
}

/// A .docx whose document.xml declares an external entity (XXE).
pub fn docx_xxe() -> Vec<u8> {
    docx_from_xml(
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY a \"&xxe;&xxe;\">]><w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>",
    )
}
