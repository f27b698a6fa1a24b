//! Charts drawn on the server as inline SVG (no scripts, no fonts fetched): horizontal bars and
//! columns.

use crate::kit::format::esc;

/// A horizontal bar chart as inline SVG (no scripts, no fonts fetched).
pub fn bar_chart(bars: &[(String, i64)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let row = 30;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{}\" role=\"img\" aria-label=\"各片区任务数\">",
        bars.len() * row + 10
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i * row + 5;
        let w = (*n as f64 / max as f64 * 380.0).round() as i64;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"14\">{}</text><rect x=\"100\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"#9e1b1b\"/><text x=\"{}\" y=\"{}\" font-size=\"13\">{n}</text>",
            y + 15,
            esc(label),
            106 + w,
            y + 15
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical columns with value labels, as inline SVG. `bars`: (label, value 0–1 or count, colour).
pub fn columns(title: &str, bars: &[(String, f64, &str)], percent: bool) -> String {
    let max = if percent {
        1.0
    } else {
        bars.iter().map(|b| b.1).fold(1.0, f64::max)
    };
    let (w, h, base) = (90usize, 160.0, 190.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"230\" role=\"img\" aria-label=\"{}\">",
        bars.len() * w + 20,
        esc(title)
    );
    svg.push_str(&format!(
        "<line x1=\"10\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#999\"/>",
        bars.len() * w + 10
    ));
    for (i, (label, v, color)) in bars.iter().enumerate() {
        let x = 20 + i * w;
        let bh = (v / max * h).max(0.0);
        let text = if percent {
            format!("{:.0}%", v * 100.0)
        } else {
            format!("{v:.0}")
        };
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"50\" height=\"{bh:.1}\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\">{text}</text>\
             <text x=\"{}\" y=\"212\" font-size=\"13\" text-anchor=\"middle\">{}</text>",
            base - bh,
            x + 25,
            base - bh - 4.0,
            x + 25,
            esc(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_plain_svg_with_escaped_labels() {
        let svg = columns("t", &[("<b>".into(), 0.5, "#000")], true);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && svg.contains("50%"));
        assert!(!svg.contains("<script"));
    }
}
