//! The blocks a compiled document is made of (title, headings, paragraphs), written by
//! [`crate::docx`] and [`crate::pdf`] alike, and the small text helpers they share.

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
