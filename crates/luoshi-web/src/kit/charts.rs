//! Charts drawn on the server as inline SVG (no scripts, no fonts fetched): horizontal bars,
//! columns, and an indicator's actual values against its target path.

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

/// What an indicator's chart shows: points are (moment in years, value), as
/// `luoshi_domain::indicators::Point::at` places them.
pub struct Trend<'a> {
    pub label: &'a str,
    /// Actual values, in time order.
    pub actuals: Vec<(f64, f64)>,
    /// The target path: the baseline, then each milestone's level.
    pub path: Vec<(f64, f64)>,
    /// Milestones: (year, level, label).
    pub milestones: Vec<(f64, f64, String)>,
}

/// Actual values (solid line, dots) against the target path (dashed), milestones marked, years
/// along the bottom, as inline SVG.
pub fn trend_chart(t: &Trend) -> String {
    let all = t
        .actuals
        .iter()
        .chain(&t.path)
        .copied()
        .chain(t.milestones.iter().map(|m| (m.0, m.1)));
    let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0.0f64);
    for (x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return String::new();
    }
    let x0 = x0.floor() - 0.5;
    let x1 = x1.ceil() + 0.5;
    let y1 = if y1 <= 0.0 { 1.0 } else { y1 * 1.15 };
    let (w, h, left, top) = (640.0, 260.0, 60.0, 20.0);
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - 20.0);
    let py = |y: f64| top + (1.0 - y / y1) * (h - top - 40.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(t.label)
    );
    let base = py(0.0);
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\" stroke=\"#999\"/>",
        w - 20.0
    ));
    let mut year = x0.ceil() as i64;
    while (year as f64) <= x1 {
        let x = px(year as f64);
        svg.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{year}</text>",
            base + 18.0
        ));
        year += 1;
    }
    svg.push_str(&format!(
        "<text x=\"4\" y=\"{:.1}\" font-size=\"12\">{}</text>",
        py(y1 / 1.15) + 4.0,
        luoshi_domain::indicators::show(y1 / 1.15)
    ));
    let line = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if t.path.len() > 1 {
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#777\" stroke-dasharray=\"6 4\" class=\"path\"/>",
            line(&t.path)
        ));
    }
    for (x, y, label) in &t.milestones {
        let (cx, cy) = (px(*x), py(*y));
        svg.push_str(&format!(
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#c8891b\" class=\"milestone\"/>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            cx,
            cy - 6.0,
            cx + 6.0,
            cy,
            cx,
            cy + 6.0,
            cx - 6.0,
            cy,
            cy - 10.0,
            esc(label)
        ));
    }
    if t.actuals.len() > 1 {
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#9e1b1b\" stroke-width=\"2\"/>",
            line(&t.actuals)
        ));
    }
    for (x, y) in &t.actuals {
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#9e1b1b\" class=\"actual\"/>",
            px(*x),
            py(*y)
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

    #[test]
    fn a_trend_marks_milestones_and_actuals_on_the_years() {
        let svg = trend_chart(&Trend {
            label: "电子信息产业年产值",
            actuals: vec![(2021.0, 390.0), (2022.0, 465.0)],
            path: vec![(2020.0, 300.0), (2023.0, 450.0), (2025.0, 700.0)],
            milestones: vec![
                (2023.0, 450.0, "450".into()),
                (2025.0, 700.0, "<700>".into()),
            ],
        });
        assert_eq!(svg.matches("class=\"milestone\"").count(), 2);
        assert_eq!(svg.matches("class=\"actual\"").count(), 2);
        assert!(svg.contains(">2020<") && svg.contains(">2025<"));
        assert!(svg.contains("&lt;700&gt;") && svg.contains("stroke-dasharray"));
        let empty = Trend {
            label: "x",
            actuals: vec![],
            path: vec![],
            milestones: vec![],
        };
        assert_eq!(trend_chart(&empty), "");
    }
}
