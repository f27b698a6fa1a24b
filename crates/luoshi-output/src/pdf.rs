//! A PDF set on the 公文 grid (28 characters × 22 lines on A4) with subset-embedded CJK fonts
//! (krilla). The caller passes the font files: Debian ships no free 仿宋 or 小标宋, so the
//! default is Noto Serif/Sans CJK SC from `fonts-noto-cjk` ([`FontSpec::noto_defaults`]); an
//! office points to its licensed fonts with [`FontSpec::parse`]. Tables are ruled and their
//! heading row repeats on each page; headings become the PDF's outline (bookmarks).

use crate::blocks::Block;

/// A font file and its index in a collection.
#[derive(Debug, Clone)]
pub struct FontSpec {
    pub path: String,
    pub index: u32,
}

impl FontSpec {
    /// A font given as `path` or `path:index` (a face in a collection).
    pub fn parse(spec: &str) -> FontSpec {
        match spec.rsplit_once(':') {
            Some((p, i)) if i.parse::<u32>().is_ok() => FontSpec {
                path: p.into(),
                index: i.parse().expect("checked"),
            },
            _ => FontSpec {
                path: spec.into(),
                index: 0,
            },
        }
    }

    /// Body (仿宋's stand-in), title (小标宋's) and headings (黑体's) from Debian's
    /// `fonts-noto-cjk` (face 2 of each collection is Simplified Chinese).
    pub fn noto_defaults() -> [FontSpec; 3] {
        const NOTO: &str = "/usr/share/fonts/opentype/noto";
        let face = |file: &str| FontSpec {
            path: format!("{NOTO}/{file}"),
            index: 2,
        };
        [
            face("NotoSerifCJK-Regular.ttc"),
            face("NotoSerifCJK-Bold.ttc"),
            face("NotoSansCJK-Regular.ttc"),
        ]
    }
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

/// Table text: 4号 is 14 pt; a table line is 20 pt high, and a cell has 4 pt above and below.
const TABLE_SIZE: f32 = 14.0;
const TABLE_LINE: f32 = 20.0;
const TABLE_PAD: f32 = 4.0;

/// One thing placed on a page, top to bottom.
enum Item {
    /// A line of text: font (0 body, 1 title, 2 heading), size, text, x offset in grid cells
    /// (`None` centres it), advance in grid lines, and an outline entry (level, title).
    Line {
        font: usize,
        size: f32,
        text: String,
        x: Option<f32>,
        advance: f32,
        mark: Option<(u8, String)>,
    },
    /// A table row: its cells broken into lines, the columns' widths in points; `head` is the
    /// table's heading row, drawn again at the top of every page the table continues on.
    Row {
        cells: Vec<Vec<String>>,
        widths: Vec<f32>,
        head: Option<usize>,
        is_head: bool,
    },
    /// What follows starts a new page.
    Break,
}

impl Item {
    fn height(&self, pitch_y: f32) -> f32 {
        match self {
            Item::Line { advance, .. } => advance * pitch_y,
            Item::Row { cells, .. } => {
                let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
                n as f32 * TABLE_LINE + 2.0 * TABLE_PAD
            }
            Item::Break => 0.0,
        }
    }
}

fn row_item(cells: &[String], widths: &[f32], head: Option<usize>, is_head: bool) -> Item {
    let cells = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| break_lines(c, ((w - 2.0 * TABLE_PAD) / TABLE_SIZE).max(1.0), 0.0))
        .collect();
    Item::Row {
        cells,
        widths: widths.to_vec(),
        head,
        is_head,
    }
}

/// The blocks as items on the grid.
fn items(blocks: &[Block]) -> Vec<Item> {
    let mut out = Vec::new();
    let line = |font, size, text: String, x, advance, mark| Item::Line {
        font,
        size,
        text,
        x,
        advance,
        mark,
    };
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in t.lines() {
                    out.push(line(1, 22.0, l.to_string(), None, 1.2, None));
                }
            }
            Block::Subtitle(t) => {
                out.push(line(2, 14.0, t.clone(), None, 1.0, None));
                out.push(line(0, 16.0, String::new(), Some(0.0), 1.0, None));
            }
            Block::H1(t) | Block::H2(t) | Block::H3(t) | Block::Para(t) => {
                let (font, level) = match b {
                    Block::H1(_) => (2, Some(0)),
                    Block::H2(_) => (0, Some(1)),
                    Block::H3(_) => (1, Some(2)),
                    _ => (0, None),
                };
                for (i, l) in break_lines(t, CHARS as f32, 2.0).into_iter().enumerate() {
                    let x = if i == 0 { 2.0 } else { 0.0 };
                    let mark = level.filter(|_| i == 0).map(|lv| (lv, t.clone()));
                    out.push(line(font, 16.0, l, Some(x), 1.0, mark));
                }
            }
            Block::Table(t) => {
                let widths = t.widths(TEXT_W);
                let head = out.len();
                let headings: Vec<String> = t.columns.iter().map(|(h, _)| h.clone()).collect();
                out.push(row_item(&headings, &widths, None, true));
                for r in &t.rows {
                    out.push(row_item(r, &widths, Some(head), false));
                }
                out.push(line(0, 16.0, String::new(), Some(0.0), 0.5, None));
            }
            Block::Annex { label, title } => {
                out.push(Item::Break);
                out.push(line(2, 16.0, label.clone(), Some(0.0), 1.0, None));
                out.push(line(
                    1,
                    18.0,
                    title.clone(),
                    None,
                    1.5,
                    Some((0, title.clone())),
                ));
            }
        }
    }
    out
}

/// Nests outline entries by level: each entry holds the deeper ones that follow it.
fn outline_nodes(
    marks: &[(u8, String, krilla::destination::XyzDestination)],
    i: &mut usize,
    level: u8,
) -> Vec<krilla::outline::OutlineNode> {
    let mut out = Vec::new();
    while *i < marks.len() && marks[*i].0 >= level {
        if marks[*i].0 > level {
            out.extend(outline_nodes(marks, i, marks[*i].0));
            continue;
        }
        let (_, text, dest) = &marks[*i];
        let mut node = krilla::outline::OutlineNode::new(text.clone(), dest.clone());
        *i += 1;
        for child in outline_nodes(marks, i, level + 1) {
            node.push_child(child);
        }
        out.push(node);
    }
    out
}

/// Blocks as a PDF: the 公文 grid, fonts embedded as subsets, tables ruled, headings in the
/// outline (the reader's bookmarks pane). `fonts` are body, title, headings.
pub fn write(blocks: &[Block], fonts: &[FontSpec; 3]) -> Result<Vec<u8>, String> {
    use krilla::Document;
    use krilla::geom::{PathBuilder, Point};
    use krilla::page::PageSettings;
    use krilla::paint::{Fill, Stroke};
    use krilla::text::{Font, TextDirection};
    let load = |f: &FontSpec| -> Result<Font, String> {
        let data = std::fs::read(&f.path).map_err(|e| format!("font {}: {e}", f.path))?;
        Font::new(data.into(), f.index).ok_or_else(|| format!("font {} is not usable", f.path))
    };
    let faces = [load(&fonts[0])?, load(&fonts[1])?, load(&fonts[2])?];
    let items = items(blocks);
    let pitch_x = TEXT_W / CHARS as f32;
    let pitch_y = TEXT_H / LINES as f32;
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
    let mut marks = Vec::new();
    let mut i = 0;
    let mut page_no = 0;
    while i < items.len() || page_no == 0 {
        page_no += 1;
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut y = 0.0f32;
        let mut first = true;
        while i < items.len() {
            let item = &items[i];
            if matches!(item, Item::Break) {
                i += 1;
                if first {
                    continue;
                }
                break;
            }
            // A table continued from the page before starts with its heading row again.
            let repeat = match item {
                Item::Row { head: Some(h), .. } if first => Some(&items[*h]),
                _ => None,
            };
            let need = item.height(pitch_y) + repeat.map_or(0.0, |r| r.height(pitch_y));
            if y + need > TEXT_H + 0.5 && !first {
                break;
            }
            for it in repeat.into_iter().chain([item]) {
                match it {
                    Item::Line {
                        font,
                        size,
                        text,
                        x,
                        advance,
                        mark,
                    } => {
                        let font = &faces[*font];
                        let baseline = TOP + y + 0.5 * pitch_y + size * 0.35;
                        let (x0, size) = match x {
                            None => {
                                let width: f32 = text.chars().map(cells).sum::<f32>() * size;
                                (LEFT + (TEXT_W - width) / 2.0, *size)
                            }
                            // One run per line, at the size whose full-width advance is the
                            // grid's pitch (15.8 pt for 3号 on a 28-character line), so every
                            // character falls on the grid (shaping once per line).
                            Some(cell0) => (LEFT + cell0 * pitch_x, size.min(pitch_x)),
                        };
                        if let Some((level, title)) = mark {
                            marks.push((
                                *level,
                                title.clone(),
                                krilla::destination::XyzDestination::new(
                                    page_no - 1,
                                    Point::from_xy(LEFT, TOP + y),
                                ),
                            ));
                        }
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                        surface.draw_text(
                            Point::from_xy(x0, baseline),
                            font.clone(),
                            size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                        y += advance * pitch_y;
                    }
                    Item::Row {
                        cells: texts,
                        widths,
                        is_head,
                        ..
                    } => {
                        let h = it.height(pitch_y);
                        let font = &faces[if *is_head { 2 } else { 0 }];
                        surface.set_fill(Some(Fill::default()));
                        surface.set_stroke(None);
                        let mut x = LEFT;
                        for (lines, w) in texts.iter().zip(widths) {
                            for (n, l) in lines.iter().enumerate() {
                                let width: f32 = l.chars().map(cells).sum::<f32>() * TABLE_SIZE;
                                let x0 = if *is_head {
                                    x + (w - width) / 2.0
                                } else {
                                    x + TABLE_PAD
                                };
                                let base = TOP
                                    + y
                                    + TABLE_PAD
                                    + n as f32 * TABLE_LINE
                                    + TABLE_LINE * 0.5
                                    + TABLE_SIZE * 0.35;
                                surface.draw_text(
                                    Point::from_xy(x0, base),
                                    font.clone(),
                                    TABLE_SIZE,
                                    l,
                                    false,
                                    TextDirection::Auto,
                                );
                            }
                            x += w;
                        }
                        // The row's rules: its box and the lines between columns.
                        let mut pb = PathBuilder::new();
                        let (top, bottom) = (TOP + y, TOP + y + h);
                        pb.move_to(LEFT, top);
                        pb.line_to(LEFT + TEXT_W, top);
                        pb.move_to(LEFT, bottom);
                        pb.line_to(LEFT + TEXT_W, bottom);
                        let mut x = LEFT;
                        pb.move_to(x, top);
                        pb.line_to(x, bottom);
                        for w in widths {
                            x += w;
                            pb.move_to(x, top);
                            pb.line_to(x, bottom);
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                width: 0.5,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                        }
                        y += h;
                    }
                    Item::Break => {}
                }
            }
            first = false;
            i += 1;
        }
        let folio = format!("— {page_no} —");
        let width = folio.chars().map(cells).sum::<f32>() * 14.0;
        surface.set_stroke(None);
        surface.set_fill(Some(Fill::default()));
        surface.draw_text(
            Point::from_xy((PAGE_W - width) / 2.0, TOP + TEXT_H + 7.0 * MM + 14.0),
            faces[0].clone(),
            14.0,
            &folio,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
        if i >= items.len() {
            break;
        }
    }
    let mut outline = krilla::outline::Outline::new();
    let mut at = 0;
    for node in outline_nodes(&marks, &mut at, 0) {
        outline.push_child(node);
    }
    doc.set_outline(outline);
    doc.finish().map_err(|e| format!("pdf: {e:?}"))
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
    fn a_font_spec_names_a_face_in_a_collection() {
        let f = FontSpec::parse("/fonts/simfang.ttc:1");
        assert_eq!((f.path.as_str(), f.index), ("/fonts/simfang.ttc", 1));
        let f = FontSpec::parse("/fonts/fz:xbs.ttf");
        assert_eq!((f.path.as_str(), f.index), ("/fonts/fz:xbs.ttf", 0));
    }
}
