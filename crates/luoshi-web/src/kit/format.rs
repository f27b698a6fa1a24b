//! Formatting for pages and templates: escaping, percent-encoding, Beijing time, percentages,
//! area names, sizes.

use luoshi_domain::calendar::Date;
use luoshi_domain::registry::AREAS;
use luoshi_store::Id;

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// HTML-escapes text for the few fragments built outside templates.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An optional date, or `empty` when there is none.
pub fn opt_day(d: &Option<Date>, empty: &str) -> String {
    d.map_or_else(|| empty.to_string(), |d| d.to_string())
}

/// Beijing time (UTC+8) of a Unix timestamp.
pub fn fmt_time(t: &i64) -> String {
    let secs = t + 8 * 3600;
    let date = luoshi_domain::calendar::Date::from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{date} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

pub fn percent(x: &f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub fn area_name(code: Option<&str>) -> &'static str {
    code.and_then(|c| AREAS.iter().find(|a| a.code == c))
        .map(|a| a.name)
        .unwrap_or("")
}

/// Area names in the documents' order (南宁、钦州港、崇左), whatever order the codes come in.
pub fn area_names(codes: &[String]) -> String {
    let mut names: Vec<(usize, &'static str)> = codes
        .iter()
        .map(|c| {
            let rank = AREAS
                .iter()
                .position(|a| a.code == c)
                .unwrap_or(AREAS.len());
            (rank, area_name(Some(c)))
        })
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|(_, n)| n)
        .collect::<Vec<_>>()
        .join("、")
}

/// Template helpers.
pub fn size_kb(n: &i64) -> String {
    format!("{:.1} KB", *n as f64 / 1024.0)
}

/// Whether an optional id is the given one (for `selected` in templates).
pub fn is(a: &Option<Id>, b: &Id) -> bool {
    *a == Some(*b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        assert_eq!(fmt_time(&0), "1970-01-01 08:00");
        assert_eq!(fmt_time(&1_709_164_800), "2024-02-29 08:00");
        assert_eq!(fmt_time(&1_767_196_799), "2025-12-31 23:59");
        assert_eq!(fmt_time(&1_767_196_800), "2026-01-01 00:00");
    }

    #[test]
    fn areas_are_listed_in_the_documents_order() {
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            area_names(&codes(&["chongzuo", "nanning", "qinzhougang"])),
            "南宁、钦州港、崇左"
        );
        assert_eq!(
            area_names(&codes(&["qinzhougang", "nanning"])),
            "南宁、钦州港"
        );
        assert_eq!(area_names(&[]), "");
    }
}
