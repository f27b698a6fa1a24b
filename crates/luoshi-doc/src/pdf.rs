//! .pdf: the text layer, read in pure Rust (pdf-extract), behind a bounded pre-scan.
//!
//! Before any PDF library sees the file, the pre-scan inflates every Flate stream into a counting
//! sink with a cap (stream bombs), measures the nesting of arrays and dictionaries (stack bombs) and
//! counts pages. The extraction itself runs under `catch_unwind`, because PDF readers panic on
//! malformed files. Afterwards running headers, footers and page numbers are removed: lines that
//! open or close most pages, and lines that are only a page number.

use std::collections::HashMap;
use std::io::Read;

use flate2::read::ZlibDecoder;

use crate::error::InputError;
use crate::limits::Limits;
use crate::model::{Format, Warning};
use crate::normalize::is_page_number;

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Checks stream sizes, nesting depth and page count without trusting the PDF's own numbers.
pub fn prescan(bytes: &[u8], limits: &Limits) -> Result<(), InputError> {
    let mut total: u64 = 0;
    let mut pos = 0;
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut scan_from = 0;
    while let Some(s) = find(bytes, b"stream", pos) {
        // Nesting of << >> and [ ] in the object text before this stream.
        let (d, m) = nesting(&bytes[scan_from..s], depth);
        depth = d;
        max_depth = max_depth.max(m);
        if max_depth > limits.max_pdf_depth {
            return Err(InputError::PdfLimit {
                detail: format!("objects nested deeper than {}", limits.max_pdf_depth),
            });
        }
        if s >= 3 && &bytes[s - 3..s] == b"end" {
            pos = s + 6;
            scan_from = pos;
            continue;
        }
        let mut data_start = s + 6;
        if bytes.get(data_start) == Some(&b'\r') {
            data_start += 1;
        }
        if bytes.get(data_start) == Some(&b'\n') {
            data_start += 1;
        }
        let end = find(bytes, b"endstream", data_start).unwrap_or(bytes.len());
        let dict_start = s.saturating_sub(512);
        let dict = &bytes[dict_start..s];
        if find(dict, b"FlateDecode", 0).is_some() || find(dict, b"/Fl ", 0).is_some() {
            let cap = limits.max_pdf_stream_bytes;
            let mut decoder = ZlibDecoder::new(&bytes[data_start..end]).take(cap + 1);
            let mut sink = CountingSink(0);
            let _ = std::io::copy(&mut decoder, &mut sink);
            if sink.0 > cap {
                return Err(InputError::PdfLimit {
                    detail: format!("a stream inflates past {cap} bytes"),
                });
            }
            total += sink.0;
            if total > limits.max_pdf_total_bytes {
                return Err(InputError::PdfLimit {
                    detail: format!(
                        "streams inflate past {} bytes together",
                        limits.max_pdf_total_bytes
                    ),
                });
            }
        }
        pos = end.max(data_start) + 1;
        scan_from = end.min(bytes.len());
    }
    let (_, m) = nesting(&bytes[scan_from.min(bytes.len())..], depth);
    if m.max(max_depth) > limits.max_pdf_depth {
        return Err(InputError::PdfLimit {
            detail: format!("objects nested deeper than {}", limits.max_pdf_depth),
        });
    }
    let mut pages = 0;
    let mut p = 0;
    while let Some(i) = find(bytes, b"/Type", p) {
        let rest = &bytes[i + 5..bytes.len().min(i + 14)];
        let rest: Vec<u8> = rest
            .iter()
            .copied()
            .skip_while(|b| b.is_ascii_whitespace())
            .collect();
        if rest.starts_with(b"/Page") && !rest.starts_with(b"/Pages") {
            pages += 1;
        }
        p = i + 5;
    }
    if pages > limits.max_pdf_pages {
        return Err(InputError::PdfLimit {
            detail: format!("{pages} pages, limit {}", limits.max_pdf_pages),
        });
    }
    Ok(())
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside a reader whose panics are caught and reported as errors; a
/// program's panic hook can stay quiet for those.
pub fn in_guarded_reader() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Depth of << >> and [ ] nesting, skipping (strings).
fn nesting(bytes: &[u8], mut depth: usize) -> (usize, usize) {
    let mut max = depth;
    let mut i = 0;
    let mut in_string = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string > 0 {
            match b {
                b'\\' => i += 1,
                b'(' => in_string += 1,
                b')' => in_string -= 1,
                _ => {}
            }
        } else {
            match b {
                b'(' => in_string = 1,
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'<' if bytes.get(i + 1) == Some(&b'<') => {
                    depth += 1;
                    i += 1;
                }
                b'>' if bytes.get(i + 1) == Some(&b'>') => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                b'%' => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => {}
            }
            max = max.max(depth);
        }
        i += 1;
    }
    (depth, max)
}

/// A line with digits replaced, for spotting running headers that carry page numbers.
fn shape(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Removes page numbers and running headers/footers, and joins pages.
pub fn clean_pages(pages: &[String]) -> String {
    let page_lines: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty() && !is_page_number(l) && !l.chars().all(|c| c.is_ascii_digit())
                })
                .collect()
        })
        .collect();
    let mut edge_counts: HashMap<String, usize> = HashMap::new();
    for lines in &page_lines {
        let mut seen = Vec::new();
        for l in lines.iter().take(2).chain(lines.iter().rev().take(2)) {
            let s = shape(l);
            if !seen.contains(&s) {
                *edge_counts.entry(s.clone()).or_default() += 1;
                seen.push(s);
            }
        }
    }
    let n = page_lines.len();
    let running = |l: &str| {
        n >= 2
            && edge_counts
                .get(&shape(l))
                .is_some_and(|c| *c * 2 > n && *c >= 2)
    };
    let mut out = String::new();
    for lines in &page_lines {
        let last = lines.len();
        for (i, l) in lines.iter().enumerate() {
            let at_edge = i < 2 || i + 2 >= last;
            if at_edge && running(l) {
                continue;
            }
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// Extracts the text of a PDF.
pub fn extract(
    bytes: &[u8],
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<String, InputError> {
    prescan(bytes, limits)?;
    GUARDED.with(|g| g.set(true));
    // Nothing is shared with the reader but the input bytes, which it only reads.
    let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes));
    GUARDED.with(|g| g.set(false));
    let pages = match result {
        Ok(Ok(pages)) => pages,
        Ok(Err(e)) => {
            let detail = e.to_string();
            if detail.to_lowercase().contains("decrypt")
                || detail.to_lowercase().contains("password")
                || detail.to_lowercase().contains("encrypt")
            {
                return Err(InputError::Encrypted);
            }
            return Err(InputError::Corrupt {
                format: Format::Pdf,
                detail,
            });
        }
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            return Err(InputError::ReaderFailure {
                format: Format::Pdf,
                detail,
            });
        }
    };
    if pages.len() > limits.max_pdf_pages {
        return Err(InputError::PdfLimit {
            detail: format!("{} pages", pages.len()),
        });
    }
    let text = clean_pages(&pages);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    let unreadable = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(c))
        .count();
    if chars == 0 || unreadable * 2 > chars {
        return Err(InputError::NoTextLayer);
    }
    if unreadable * 20 > chars {
        warnings.push(Warning {
            line: 1,
            message: format!(
                "PDF 中有 {unreadable} 个字符无法读取（字体缺少 ToUnicode 映射），结果可能不完整"
            )
            .to_string(),
        });
    }
    Ok(text)
}
