//! .html: the article's text, without navigation, header, footer and scripts as far as possible.
//!
//! Government web pages wrap the document in a content element (id or class such as `zoom`,
//! `TRS_Editor`, `content`, `article`); when one holds most of the text, only it is kept, with the
//! page's `<h1>` in front. Tables become tab-led rows like the other front-ends'.

use html5gum::{DefaultEmitter, Token, Tokenizer};

const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "select",
    "button", "form", "iframe", "svg", "head", "object",
];
const VOID: &[&str] = &[
    "br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track",
    "wbr", "param",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "center",
    "table",
    "tbody",
    "thead",
    "main",
];
const CONTENT_HINTS: &[&str] = &[
    "zoom",
    "trs_editor",
    "content",
    "article",
    "detail",
    "main-text",
    "maintext",
    "textcon",
    "text-con",
    "pages_content",
    "ccontent",
    "article-content",
    "view",
];
const NOISE_HINTS: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "breadcrumb",
    "crumb",
    "share",
    "sidebar",
    "toolbar",
    "copyright",
    "banner",
    "topbar",
    "header",
];

struct Out {
    text: String,
}

impl Out {
    fn current_line(&self) -> &str {
        self.text.rsplit('\n').next().unwrap_or("")
    }
    fn newline(&mut self) {
        let line = self.current_line();
        if !line.trim().is_empty() {
            self.text.push('\n');
        } else if !line.is_empty() && line.trim_matches(' ').is_empty() {
            let keep = self.text.trim_end_matches(' ').len();
            self.text.truncate(keep);
        }
    }
    fn blank_line(&mut self) {
        self.newline();
        if !self.text.ends_with("\n\n") && !self.text.is_empty() {
            self.text.push('\n');
        }
    }
    fn push_text(&mut self, s: &str) {
        let mut last_space = self.text.ends_with([' ', '\n', '\t']) || self.text.is_empty();
        for c in s.chars() {
            if c.is_whitespace() && c != '\u{3000}' && c != '\u{a0}' {
                if !last_space {
                    self.text.push(' ');
                    last_space = true;
                }
            } else {
                self.text.push(c);
                last_space = false;
            }
        }
    }
}

fn class_words(tag: &html5gum::StartTag<()>) -> String {
    let mut s = String::new();
    for key in ["id", "class"] {
        if let Some(v) = tag.attributes.get(key.as_bytes()) {
            s.push(' ');
            s.push_str(&String::from_utf8_lossy(v).to_lowercase());
        }
    }
    s
}

fn has_hint(words: &str, hints: &[&str]) -> bool {
    words
        .split([' ', '-', '_'])
        .filter(|w| !w.is_empty())
        .any(|w| hints.contains(&w))
        || hints.iter().any(|h| h.len() > 4 && words.contains(h))
}

struct Open {
    name: String,
    skip: bool,
    region: Option<usize>,
}

/// Extracts the article text of an HTML page (already decoded).
pub fn extract(html: &str) -> String {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let tokenizer = Tokenizer::new_with_emitter(html, emitter);
    let mut out = Out {
        text: String::with_capacity(html.len() / 4),
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut skip_depth = 0usize;
    // (start, end) offsets in the output of each candidate content region.
    let mut regions: Vec<(usize, Option<usize>)> = Vec::new();
    let mut h1: Option<(usize, usize)> = None;
    let mut h1_start: Option<usize> = None;
    for token in tokenizer {
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_lowercase();
                if VOID.contains(&name.as_str()) || tag.self_closing {
                    if name == "br" && skip_depth == 0 {
                        out.newline();
                    }
                    continue;
                }
                if stack.len() >= 512 {
                    continue;
                }
                let words = class_words(&tag);
                let skip = SKIP.contains(&name.as_str())
                    || (has_hint(&words, NOISE_HINTS) && !has_hint(&words, CONTENT_HINTS));
                if skip {
                    skip_depth += 1;
                }
                let mut region = None;
                if skip_depth == 0 {
                    if name == "article" || has_hint(&words, CONTENT_HINTS) {
                        out.newline();
                        regions.push((out.text.len(), None));
                        region = Some(regions.len() - 1);
                    }
                    match name.as_str() {
                        "tr" => out.blank_line(),
                        "td" | "th" => {
                            out.newline();
                            out.text.push('\t');
                        }
                        n if BLOCK.contains(&n) => {
                            let in_cell = out.current_line().starts_with('\t');
                            if !(in_cell && out.current_line().trim().is_empty()) {
                                out.newline();
                            }
                        }
                        _ => {}
                    }
                    if name == "h1" && h1.is_none() {
                        h1_start = Some(out.text.len());
                    }
                }
                stack.push(Open { name, skip, region });
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_lowercase();
                let Some(pos) = stack.iter().rposition(|o| o.name == name) else {
                    continue;
                };
                while stack.len() > pos {
                    let Some(open) = stack.pop() else { break };
                    if open.skip {
                        skip_depth = skip_depth.saturating_sub(1);
                    }
                    if skip_depth == 0 {
                        if open.name == "table" {
                            out.blank_line();
                        } else if BLOCK.contains(&open.name.as_str())
                            && !out.current_line().starts_with('\t')
                        {
                            out.newline();
                        }
                        if open.name == "h1"
                            && let Some(s) = h1_start.take()
                        {
                            h1 = Some((s, out.text.len()));
                        }
                    }
                    if let Some(r) = open.region {
                        out.newline();
                        regions[r].1 = Some(out.text.len());
                    }
                }
            }
            Token::String(s) if skip_depth == 0 => out.push_text(&String::from_utf8_lossy(&s)),
            _ => {}
        }
    }
    let total = out.text.trim().chars().count();
    let best = regions
        .iter()
        .map(|(s, e)| (*s, e.unwrap_or(out.text.len())))
        .filter(|(s, e)| e > s)
        .max_by_key(|(s, e)| out.text[*s..*e].trim().chars().count());
    if let Some((s, e)) = best {
        let inner = out.text[s..e].trim().chars().count();
        if inner >= 100 && inner * 10 >= total * 3 {
            let mut text = String::new();
            if let Some((hs, he)) = h1
                && (he <= s || hs >= e)
            {
                text.push_str(out.text[hs..he].trim());
                text.push('\n');
            }
            text.push_str(&out.text[s..e]);
            return text;
        }
    }
    out.text
}

/// The charset a page declares in its first bytes (`<meta charset=gbk>`), lowercased.
pub fn declared_charset(head: &[u8]) -> Option<String> {
    // Only markup declares a charset; plain text is not lowercased and searched.
    if !head.contains(&b'<') {
        return None;
    }
    let s = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_lowercase();
    let i = s.find("charset=")?;
    let v: String = s[i + 8..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!v.is_empty()).then_some(v)
}

/// Whether decoded text looks like an HTML page.
pub fn looks_like_html(text: &str) -> bool {
    let first = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !first.starts_with('<') {
        return false;
    }
    let head: String = text.chars().take(2048).collect::<String>().to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || (head.starts_with('<')
            && (head.contains("<div") || head.contains("<p>") || head.contains("<p ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_region_without_navigation() {
        let body = "一、总体要求。".repeat(30);
        let html = format!(
            "<html><head><title>站点</title><script>var x = '<p>no</p>';</script></head><body><nav><a>首页</a></nav><h1>关于印发方案的通知</h1><div class=\"zoom\"><p>{body}</p><table><tr><td>序号</td><td><p>名称</p></td></tr></table></div><div class=\"footer\">版权所有</div></body></html>"
        );
        let t = extract(&html);
        assert!(t.starts_with("关于印发方案的通知\n"), "{t}");
        assert!(
            !t.contains("首页") && !t.contains("版权") && !t.contains("no"),
            "{t}"
        );
        assert!(t.contains("\n\t序号\n\t名称\n"), "{t:?}");
    }
}
