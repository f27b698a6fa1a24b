//! A safe, small view of XML for the .docx and .xlsx readers.
//!
//! Any DTD is refused outright (so no entity can be declared: no XXE, no billion laughs), unknown
//! entity references are dropped, and nesting is bounded. Names are reduced to their local part
//! (`w:p` → `p`) because Office files are read by local name.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::InputError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlEvent {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    /// An element closed (also sent right after the Start of an empty element).
    End {
        name: String,
    },
    Text(String),
}

fn local(name: &str) -> String {
    match name.rfind(':') {
        Some(i) => name[i + 1..].to_string(),
        None => name.to_string(),
    }
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// Unescapes an attribute value with only predefined and character references.
fn unescape_attr(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';') {
            Some(semi) if semi <= 10 => {
                let name = &after[..semi];
                if let Some(p) = predefined(name) {
                    out.push_str(p);
                } else if let Some(num) = name.strip_prefix('#') {
                    let code = match num.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    if let Some(c) = code.and_then(char::from_u32) {
                        out.push(c);
                    }
                }
                rest = &after[semi + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn attributes(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .filter_map(Result::ok)
        .map(|a| (local(a.key.as_ref()), unescape_attr(&a.value)))
        .collect()
}

/// Parses XML into a flat list of events, refusing DTDs and bounding depth.
pub fn events(xml: &str, max_depth: usize) -> Result<Vec<XmlEvent>, InputError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0usize;
    loop {
        let ev = reader.read_event().map_err(|e| InputError::UnsafeXml {
            detail: format!("malformed XML: {e}"),
        })?;
        match ev {
            Event::DocType(_) => {
                return Err(InputError::UnsafeXml {
                    detail: "document type definition (DTD) present".into(),
                });
            }
            Event::Start(e) => {
                depth += 1;
                if depth > max_depth {
                    return Err(InputError::UnsafeXml {
                        detail: format!("elements nested deeper than {max_depth}"),
                    });
                }
                let attrs = attributes(&e);
                out.push(XmlEvent::Start {
                    name: local(e.name().as_ref()),
                    attrs,
                });
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref());
                let attrs = attributes(&e);
                out.push(XmlEvent::Start {
                    name: name.clone(),
                    attrs,
                });
                out.push(XmlEvent::End { name });
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                out.push(XmlEvent::End {
                    name: local(e.name().as_ref()),
                });
            }
            Event::Text(t) => out.push(XmlEvent::Text(t.xml10_content().into_owned())),
            Event::CData(t) => out.push(XmlEvent::Text(t.xml10_content().into_owned())),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(XmlEvent::Text(c.to_string()));
                } else if let Some(p) = predefined(&r.xml10_content()) {
                    out.push(XmlEvent::Text(p.to_string()));
                }
                // Any other entity is undeclared (DTDs are refused): dropped, never expanded.
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The value of an attribute by local name.
pub fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtd_is_refused() {
        let x = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert!(matches!(events(x, 10), Err(InputError::UnsafeXml { .. })));
    }

    #[test]
    fn refs_and_depth() {
        let ev = events("<a b=\"1&amp;2\">x&lt;&#x4E2D;</a>", 10).unwrap();
        assert_eq!(
            ev[0],
            XmlEvent::Start {
                name: "a".into(),
                attrs: vec![("b".into(), "1&2".into())]
            }
        );
        let text: String = ev
            .iter()
            .filter_map(|e| {
                if let XmlEvent::Text(t) = e {
                    Some(t.as_str())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(text, "x<中");
        assert!(events("<a><a><a></a></a></a>", 2).is_err());
    }
}
