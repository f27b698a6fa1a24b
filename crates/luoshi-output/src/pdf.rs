//! A PDF set on the 公文 grid (28 characters × 22 lines on A4) with subset-embedded CJK fonts
//! (krilla). The caller passes the font files: Debian ships no free 仿宋 or 小标宋, so the
//! default is Noto Serif/Sans CJK SC from `fonts-noto-cjk` ([`FontSpec::noto_defaults`]); an
//! office points to its licensed fonts with [`FontSpec::parse`].

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

/// Blocks as a PDF: the 公文 grid, fonts embedded as subsets. `fonts` are body, title, headings.
pub fn write(blocks: &[Block], fonts: &[FontSpec; 3]) -> Result<Vec<u8>, String> {
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
