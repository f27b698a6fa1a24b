//! The blocks a compiled document is made of (title, headings, paragraphs, tables, an annex),
//! written by [`crate::docx`] and [`crate::pdf`] alike, and the small text helpers they share.

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
    /// 1． (仿宋, bold)
    H3(String),
    /// Body text, first line indented two characters.
    Para(String),
    /// A ruled table whose heading row repeats on every page.
    Table(Table),
    /// An annex: a new page, "附件N" at the top left, its title centred (an outline entry).
    Annex { label: String, title: String },
}

/// A table: column headings with their widths in grid characters (28 make a full line), and
/// rows of cells (one per column).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, u16)>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, u16)]) -> Table {
        Table {
            columns: columns.iter().map(|(h, w)| (h.to_string(), *w)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.columns.len(), String::new());
        self.rows.push(cells);
    }

    /// The columns' widths scaled to fill `total` grid characters.
    pub fn widths(&self, total: f32) -> Vec<f32> {
        let sum: f32 = self.columns.iter().map(|(_, w)| f32::from(*w)).sum();
        self.columns
            .iter()
            .map(|(_, w)| f32::from(*w) * total / sum.max(1.0))
            .collect()
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

/// The title's text on one line (the document's metadata title).
pub(crate) fn title_of(blocks: &[Block]) -> String {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.replace('\n', "")),
            _ => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 9, 10, 11, 20, 23]
            .iter()
            .map(|n| chinese_number(*n))
            .collect();
        assert_eq!(got, ["一", "九", "十", "十一", "二十", "二十三"]);
    }
}
