//! The quarterly compilation (季度工作进展汇编) and the reporting sheets.
//!
//! The compilation is built once as a list of blocks (title, headings, paragraphs) and written two
//! ways: a .docx in 公文 layout (A4; margins 37/35/28/26 mm; title 小标宋 2号; headings 黑体 and
//! 楷体 3号; body 仿宋_GB2312 3号 on a 28 × 22 grid; page numbers “— 1 —”), and a PDF set on the
//! same grid with subset-embedded CJK fonts. Debian ships no free 仿宋 or 小标宋, so the PDF uses
//! Noto Serif/Sans CJK SC from `fonts-noto-cjk` unless `LUOSHI_FONT_BODY`, `LUOSHI_FONT_TITLE` or
//! `LUOSHI_FONT_HEADING` name an office's licensed font files (`path` or `path:index`); the .docx
//! names the 公文 fonts and Word/WPS/LibreOffice substitute what a machine lacks.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use luoshi_store::*;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::work::{Owed, Round, Score};

/// One block of the compilation.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The red-letter title, centred (may hold several lines).
    Title(String),
    /// A centred line under the title.
    Subtitle(String),
    /// 一、 (黑体)
    H1(String),
    /// （一） (楷体)
    H2(String),
    /// Body text, first line indented two characters.
    Para(String),
}

/// Writes the compilation's blocks from a round's obligations and the items.
pub fn compilation(
    round: Round,
    today: &str,
    owed: &[Owed],
    details: &BTreeMap<Id, ReportDetail>,
    items: &[ItemRow],
    scores: &[Score],
    figures: &crate::dash::Figures,
) -> Vec<Block> {
    let mut out = vec![
        Block::Title(format!(
            "中国（广西）自由贸易试验区\n{}年第{}季度工作进展汇编",
            round.year, round.quarter
        )),
        Block::Subtitle(format!("自贸试验区工作领导小组办公室　{today}")),
        Block::H1("一、总体情况".into()),
    ];
    let closed = items.iter().filter(|i| i.stage.is_closed()).count();
    let overdue = items
        .iter()
        .filter(|i| !i.stage.is_closed() && i.due.as_str() < today)
        .count();
    out.push(Block::Para(format!(
        "本季度纳入汇编的任务 {} 项，应报送材料 {} 份（其中 {} 份未到截止日期），已报送 {} 份，其中按时报送 {} 份，按时报送率 {:.0}%；已完成任务 {} 项，完成率 {:.0}%。任务预警：红灯 {} 项、黄灯 {} 项、绿灯 {} 项。督办事项 {} 项，已办结 {} 项，逾期未办结 {} 项。",
        figures.tasks,
        figures.owed,
        figures.pending,
        figures.filed,
        figures.on_time,
        figures.on_time_rate() * 100.0,
        figures.done,
        figures.completion() * 100.0,
        figures.lights[2],
        figures.lights[1],
        figures.lights[0],
        items.len(),
        closed,
        overdue
    )));
    out.push(Block::H1("二、重点任务进展".into()));
    let mut docs: Vec<(Id, String)> = Vec::new();
    for o in owed {
        if !docs.iter().any(|(d, _)| *d == o.ob.document_id) {
            docs.push((o.ob.document_id, o.ob.document_title.clone()));
        }
    }
    for (n, (doc, title)) in docs.iter().enumerate() {
        out.push(Block::H2(format!("（{}）{title}", chinese_number(n + 1))));
        for lead in owed
            .iter()
            .filter(|o| o.ob.document_id == *doc && o.kind == ReportKind::Task)
        {
            let latest = lead
                .report
                .as_ref()
                .and_then(|r| details.get(&r.id))
                .and_then(|d| d.history.last());
            let head = format!(
                "{}{}（牵头单位：{}；{}）",
                numbered(&lead.ob.task_number),
                lead.ob.task_title,
                lead.ob.unit_name,
                lead.period_label
            );
            let body = match latest {
                Some(v) => {
                    let mut s = format!(
                        "{head}进展：{}，进度 {}%。{}",
                        v.status.label(),
                        v.progress,
                        v.narrative.trim()
                    );
                    if !v.figures.is_empty() {
                        let figs: Vec<String> = v
                            .figures
                            .iter()
                            .map(|f| {
                                format!("{} {} {}", f.name, f.value, f.unit)
                                    .trim()
                                    .to_string()
                            })
                            .collect();
                        s.push_str(&format!("主要数据：{}。", figs.join("；")));
                    }
                    s
                }
                None => format!("{head}：{}。", lead.standing.label()),
            };
            out.push(Block::Para(body));
            for c in owed.iter().filter(|o| {
                o.ob.task_id == lead.ob.task_id
                    && o.kind == ReportKind::Contribution
                    && o.period_key == lead.period_key
            }) {
                let text = c
                    .report
                    .as_ref()
                    .and_then(|r| details.get(&r.id))
                    .and_then(|d| d.history.last())
                    .map(|v| v.narrative.trim().to_string())
                    .unwrap_or_else(|| c.standing.label().to_string());
                out.push(Block::Para(format!("配合单位{}：{text}", c.ob.unit_name)));
            }
        }
    }
    out.push(Block::H1("三、督办事项办理情况".into()));
    if items.is_empty() {
        out.push(Block::Para("本季度无督办事项。".into()));
    }
    for (n, i) in items.iter().enumerate() {
        out.push(Block::Para(format!(
            "{}. {}（{}，牵头单位：{}，办理时限 {}）：{}，进度 {}%{}{}。",
            n + 1,
            i.title,
            i.source.label(),
            i.lead_unit_name,
            i.due,
            i.stage.label(),
            i.progress,
            i.closed_on
                .as_ref()
                .map(|c| format!("，{c} 办结"))
                .unwrap_or_default(),
            i.grade
                .map(|g| format!("，评价{}", g.label()))
                .unwrap_or_default()
        )));
    }
    out.push(Block::H1("四、报送情况通报".into()));
    let missing: Vec<String> = scores
        .iter()
        .filter(|s| s.missing > 0)
        .map(|s| format!("{}（{} 份）", s.unit_name, s.missing))
        .collect();
    let late: Vec<String> = scores
        .iter()
        .filter(|s| s.late > 0)
        .map(|s| format!("{}（{} 份）", s.unit_name, s.late))
        .collect();
    out.push(Block::Para(if missing.is_empty() {
        "截至汇编时，各单位均已报送本季度材料。".into()
    } else {
        format!("逾期未报送：{}。", missing.join("、"))
    }));
    if !late.is_empty() {
        out.push(Block::Para(format!("逾期报送：{}。", late.join("、"))));
    }
    out
}

/// A task number as a prefix: `1` → `1．`; `（三）` stays as written.
fn numbered(n: &str) -> String {
    if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
        format!("{n}．")
    } else {
        n.to_string()
    }
}

/// 一, 二, … 九十九.
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n % 10]),
        _ if n.is_multiple_of(10) => format!("{}十", D[(n / 10) % 10]),
        _ => format!("{}十{}", D[(n / 10) % 10], D[n % 10]),
    }
}

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

/// The compilation as a .docx in 公文 layout.
pub fn docx(blocks: &[Block]) -> Result<Vec<u8>, String> {
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

fn title_of(blocks: &[Block]) -> String {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.replace('\n', "")),
            _ => None,
        })
        .unwrap_or_default()
}

/// A font file and its index in a collection.
#[derive(Debug, Clone)]
pub struct FontSpec {
    pub path: String,
    pub index: u32,
}

impl FontSpec {
    fn from_env(var: &str, default_path: &str, default_index: u32) -> FontSpec {
        match std::env::var(var).ok().filter(|v| !v.is_empty()) {
            Some(v) => match v.rsplit_once(':') {
                Some((p, i)) if i.parse::<u32>().is_ok() => FontSpec {
                    path: p.into(),
                    index: i.parse().expect("checked"),
                },
                _ => FontSpec { path: v, index: 0 },
            },
            None => FontSpec {
                path: default_path.into(),
                index: default_index,
            },
        }
    }
}

/// The PDF's fonts: body (仿宋's stand-in), title (小标宋's) and headings (黑体's).
pub fn pdf_fonts() -> [FontSpec; 3] {
    const NOTO: &str = "/usr/share/fonts/opentype/noto";
    [
        FontSpec::from_env(
            "LUOSHI_FONT_BODY",
            &format!("{NOTO}/NotoSerifCJK-Regular.ttc"),
            2,
        ),
        FontSpec::from_env(
            "LUOSHI_FONT_TITLE",
            &format!("{NOTO}/NotoSerifCJK-Bold.ttc"),
            2,
        ),
        FontSpec::from_env(
            "LUOSHI_FONT_HEADING",
            &format!("{NOTO}/NotoSansCJK-Regular.ttc"),
            2,
        ),
    ]
}

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const TOP: f32 = 37.0 * MM;
const LEFT: f32 = 28.0 * MM;
const TEXT_W: f32 = 156.0 * MM;
const TEXT_H: f32 = 225.0 * MM;
const CHARS: usize = 28;
const LINES: usize = 22;

/// Characters that may not begin a line (避头), pulled back onto the line before.
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』”’】〕…—,.;:?!)".contains(c)
}

/// Width of a character in grid cells: CJK and full-width one, ASCII half.
fn cells(c: char) -> f32 {
    if c.is_ascii() { 0.5 } else { 1.0 }
}

/// Breaks text into lines of `width` cells (the first indented by `indent` cells). Chinese breaks
/// between any two characters; a run of ASCII letters, digits and their punctuation (2026, V1.0,
/// 12.5%) is kept whole, like a word, unless it is longer than a line.
pub fn break_lines(text: &str, width: f32, indent: f32) -> Vec<String> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
    let mut units: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let word = |c: char| c.is_ascii_alphanumeric() || ".,%-_/:".contains(c);
        let mut j = i + 1;
        if word(chars[i]) {
            while j < chars.len() && word(chars[j]) && (j - i) < 2 * width as usize {
                j += 1;
            }
        }
        units.push(chars[i..j].iter().collect());
        i = j;
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = indent;
    for u in units {
        let w: f32 = u.chars().map(cells).sum();
        let first = u.chars().next().unwrap_or(' ');
        if used + w > width + 0.01 && !line.is_empty() && !no_line_start(first) {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push_str(&u);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The compilation as a PDF: the same grid, fonts embedded as subsets.
pub fn pdf(blocks: &[Block], fonts: &[FontSpec; 3]) -> Result<Vec<u8>, String> {
    use krilla::Document;
    use krilla::geom::Point;
    use krilla::page::PageSettings;
    use krilla::text::{Font, TextDirection};
    let load = |f: &FontSpec| -> Result<Font, String> {
        let data = std::fs::read(&f.path).map_err(|e| format!("font {}: {e}", f.path))?;
        Font::new(data.into(), f.index).ok_or_else(|| format!("font {} is not usable", f.path))
    };
    let body = load(&fonts[0])?;
    let title = load(&fonts[1])?;
    let heading = load(&fonts[2])?;
    // (font, size, line text, x offset in cells or None to centre, line advance in grid lines)
    let mut lines: Vec<(Font, f32, String, Option<f32>, f32)> = Vec::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in t.lines() {
                    lines.push((title.clone(), 22.0, l.to_string(), None, 1.2));
                }
            }
            Block::Subtitle(t) => {
                lines.push((heading.clone(), 14.0, t.clone(), None, 1.0));
                lines.push((body.clone(), 16.0, String::new(), Some(0.0), 1.0));
            }
            Block::H1(t) | Block::H2(t) | Block::Para(t) => {
                let font = if matches!(b, Block::H1(_)) {
                    heading.clone()
                } else {
                    body.clone()
                };
                for (i, l) in break_lines(t, CHARS as f32, 2.0).into_iter().enumerate() {
                    let x = if i == 0 { 2.0 } else { 0.0 };
                    lines.push((font.clone(), 16.0, l, Some(x), 1.0));
                }
            }
        }
    }
    let pitch_x = TEXT_W / CHARS as f32;
    let pitch_y = TEXT_H / LINES as f32;
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
    let mut i = 0;
    let mut page_no = 0;
    while i < lines.len() || page_no == 0 {
        page_no += 1;
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut y_lines = 0.0f32;
        while i < lines.len() {
            let (font, size, text, x, advance) = &lines[i];
            if y_lines + advance > LINES as f32 + 0.01 {
                break;
            }
            let baseline = TOP + (y_lines + 0.5) * pitch_y + size * 0.35;
            match x {
                None => {
                    let width: f32 = text.chars().map(cells).sum::<f32>() * size;
                    let x0 = LEFT + (TEXT_W - width) / 2.0;
                    surface.draw_text(
                        Point::from_xy(x0, baseline),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Some(cell0) => {
                    // One run per line, at the size whose full-width advance is the grid's
                    // pitch (15.8 pt for 3号 on a 28-character line), so every character
                    // falls on the grid (shaping once per line, not per character).
                    surface.draw_text(
                        Point::from_xy(LEFT + cell0 * pitch_x, baseline),
                        font.clone(),
                        size.min(pitch_x),
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
            y_lines += advance;
            i += 1;
        }
        let folio = format!("— {page_no} —");
        let width = folio.chars().map(cells).sum::<f32>() * 14.0;
        surface.draw_text(
            Point::from_xy((PAGE_W - width) / 2.0, TOP + TEXT_H + 7.0 * MM + 14.0),
            body.clone(),
            14.0,
            &folio,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
        if i >= lines.len() {
            break;
        }
    }
    doc.finish().map_err(|e| format!("pdf: {e:?}"))
}

/// The reporting sheets: every obligation, the scorecard, and the items.
pub fn reports_xlsx(
    owed: &[Owed],
    details: &BTreeMap<Id, ReportDetail>,
    scores: &[Score],
    items: &[ItemRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE6F0");
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name("报送情况")?;
    let cols = [
        ("任务", 30.0),
        ("来源文件", 24.0),
        ("单位", 20.0),
        ("类型", 10.0),
        ("报送期", 14.0),
        ("截止日期", 12.0),
        ("状态", 10.0),
        ("迟报", 6.0),
        ("推进状态", 10.0),
        ("进度%", 8.0),
        ("版本", 6.0),
        ("退回次数", 8.0),
        ("进展情况", 60.0),
    ];
    for (c, (h, w)) in cols.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, o) in owed.iter().enumerate() {
        let r = (i + 1) as u32;
        let latest = o
            .report
            .as_ref()
            .and_then(|x| details.get(&x.id))
            .and_then(|d| d.history.last());
        let texts = [
            format!("{} {}", o.ob.task_number, o.ob.task_title),
            o.ob.document_title.clone(),
            o.ob.unit_name.clone(),
            o.kind.label().to_string(),
            o.period_label.clone(),
            o.due.clone(),
            o.standing.label().to_string(),
            if o.late_filed() { "是" } else { "" }.to_string(),
            latest.map(|v| v.status.label()).unwrap_or("").to_string(),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, t, &cell)?;
        }
        match (latest, &o.report) {
            (Some(v), Some(rep)) => {
                sheet.write_number_with_format(r, 9, v.progress as f64, &cell)?;
                sheet.write_number_with_format(r, 10, rep.versions as f64, &cell)?;
                sheet.write_number_with_format(r, 11, rep.returns as f64, &cell)?;
                sheet.write_string_with_format(r, 12, &v.narrative, &cell)?;
            }
            _ => {
                for c in 9..=12 {
                    sheet.write_string_with_format(r, c, "", &cell)?;
                }
            }
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("单位评分")?;
    let cols = [
        "单位",
        "应报",
        "已报",
        "按时",
        "迟报",
        "逾期未报",
        "被退回",
        "已采纳",
        "按时率%",
        "督办事项",
        "已办结",
        "按时办结",
        "逾期未结",
    ];
    for (c, h) in cols.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 0 { 30.0 } else { 9.0 })?;
    }
    for (i, s) in scores.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string_with_format(r, 0, &s.unit_name, &cell)?;
        let nums = [
            s.owed, s.filed, s.on_time, s.late, s.missing, s.returned, s.accepted,
        ];
        for (c, n) in nums.iter().enumerate() {
            sheet.write_number_with_format(r, (c + 1) as u16, *n as f64, &cell)?;
        }
        sheet.write_number_with_format(r, 8, (s.on_time_rate() * 1000.0).round() / 10.0, &cell)?;
        for (c, n) in [
            s.items,
            s.items_closed,
            s.items_closed_on_time,
            s.items_overdue,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_number_with_format(r, (c + 9) as u16, *n as f64, &cell)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("督办事项")?;
    let cols = [
        "事项",
        "来源",
        "依据",
        "牵头单位",
        "立项日期",
        "办理时限",
        "原时限",
        "状态",
        "进度%",
        "办结日期",
        "评价",
        "催办次数",
    ];
    for (c, h) in cols.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 0 { 40.0 } else { 12.0 })?;
    }
    for (i, it) in items.iter().enumerate() {
        let r = (i + 1) as u32;
        let texts = [
            it.title.clone(),
            it.source.label().to_string(),
            it.source_ref.clone(),
            it.lead_unit_name.clone(),
            it.opened_on.clone(),
            it.due.clone(),
            it.original_due.clone(),
            it.stage.label().to_string(),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, t, &cell)?;
        }
        sheet.write_number_with_format(r, 8, it.progress as f64, &cell)?;
        sheet.write_string_with_format(r, 9, it.closed_on.as_deref().unwrap_or(""), &cell)?;
        sheet.write_string_with_format(r, 10, it.grade.map(|g| g.label()).unwrap_or(""), &cell)?;
        sheet.write_number_with_format(r, 11, it.reminders as f64, &cell)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_on_the_grid_and_keep_punctuation_off_line_starts() {
        let text = "一二三四五六七八九十一二三四五六七八九十一二三四五六，九十";
        let lines = break_lines(text, 28.0, 2.0);
        // 26 cells fit after the indent; the comma that would open line 2 stays on line 1.
        assert_eq!(lines[0].chars().count(), 27);
        assert!(lines[0].ends_with('，'));
        assert_eq!(lines[1], "九十");
        let ascii = break_lines(&"a".repeat(60), 28.0, 0.0);
        assert_eq!(ascii[0].len(), 56);
        // Numbers and Latin words are not split between lines.
        let text = format!("{}2026年形成清单V1.0。", "一".repeat(27));
        let lines = break_lines(&text, 28.0, 0.0);
        assert_eq!(lines[0], "一".repeat(27));
        assert!(lines[1].starts_with("2026年"), "{lines:?}");
    }

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 9, 10, 11, 20, 23]
            .iter()
            .map(|n| chinese_number(*n))
            .collect();
        assert_eq!(got, ["一", "九", "十", "十一", "二十", "二十三"]);
    }

    #[test]
    fn the_docx_is_a_package_in_gongwen_layout() {
        let blocks = vec![
            Block::Title("标题<一>\n第二行".into()),
            Block::H1("一、总体情况".into()),
            Block::Para("正文 & 数据".into()),
        ];
        let bytes = docx(&blocks).unwrap();
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
