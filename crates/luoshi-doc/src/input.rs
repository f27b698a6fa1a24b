//! From bytes to text: recognising the format by content and decoding the text layer.
//!
//! Formats are told by their magic bytes (`%PDF`, `PK`), by what a zip holds (word/document.xml,
//! xl/workbook.xml) and by markup, never by the file's name. Text is UTF-8 (with or without BOM),
//! UTF-16 with a BOM, or a legacy encoding guessed by chardetng — in practice GB18030/GBK, which is
//! always decoded as GB18030, its superset. Bytes that do not decode are reported by line.

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

use crate::error::InputError;
use crate::limits::Limits;
use crate::model::{Format, Warning};
use crate::{docx, html, pdf, xlsx};

/// The text layer of a file, before any 公文 structure is read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Extracted {
    pub format: Format,
    pub encoding: String,
    pub text: String,
    pub warnings: Vec<Warning>,
}

fn encoding_name(enc: &'static Encoding) -> String {
    if enc == GB18030 || enc.name() == "GBK" || enc.name() == "gb18030" {
        "gb18030".into()
    } else {
        enc.name().to_lowercase()
    }
}

/// Share of bytes that never occur in text (NUL and most C0 controls), in the first 64 KiB.
fn binary_share(bytes: &[u8]) -> f64 {
    let head = &bytes[..bytes.len().min(65536)];
    if head.is_empty() {
        return 0.0;
    }
    let bad = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    bad as f64 / head.len() as f64
}

/// Decodes text bytes, detecting the encoding. Returns text, encoding name and per-line warnings.
pub fn decode_text(
    bytes: &[u8],
    declared: Option<&str>,
) -> Result<(String, String, Vec<Warning>), InputError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), enc);
    }
    if binary_share(bytes) > 0.01 {
        return Err(InputError::Unrecognised);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return finish(s.to_string(), UTF_8);
    }
    let enc = declared
        .and_then(|d| Encoding::for_label(d.as_bytes()))
        .filter(|e| *e != UTF_8 && *e != UTF_16LE && *e != UTF_16BE)
        .unwrap_or_else(|| {
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(&bytes[..bytes.len().min(1 << 20)], bytes.len() <= 1 << 20);
            det.guess(Some(b"cn"), chardetng::Utf8Detection::Deny)
        });
    let enc = if enc.name() == "GBK" || enc == GB18030 {
        GB18030
    } else {
        enc
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    finish(text.into_owned(), enc)
}

fn finish(
    text: String,
    enc: &'static Encoding,
) -> Result<(String, String, Vec<Warning>), InputError> {
    let mut warnings = Vec::new();
    if !text.contains('\u{FFFD}') {
        return Ok((text, encoding_name(enc), warnings));
    }
    let bad = text.matches('\u{FFFD}').count();
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    if total > 0 && bad * 10 > total {
        return Err(InputError::Unrecognised);
    }
    if bad > 0 {
        let mut shown = 0;
        for (i, line) in text.lines().enumerate() {
            if line.contains('\u{FFFD}') {
                if shown < 20 {
                    warnings.push(Warning {
                        line: i + 1,
                        message: format!(
                            "第{}行有无法解码的字节（按 {} 读取），已用 � 代替",
                            i + 1,
                            encoding_name(enc)
                        ),
                    });
                }
                shown += 1;
            }
        }
        if shown > 20 {
            warnings.push(Warning {
                line: 1,
                message: format!("共有 {shown} 行含无法解码的字节，仅列出前 20 行"),
            });
        }
    }
    Ok((text, encoding_name(enc), warnings))
}

/// Recognises the format of `bytes` and extracts its text.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, InputError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        let mut warnings = Vec::new();
        let text = pdf::extract(bytes, limits, &mut warnings)?;
        return Ok(Extracted {
            format: Format::Pdf,
            encoding: "utf-8".into(),
            text,
            warnings,
        });
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // The archive is opened once: sniffed here, then read by the docx or xlsx reader.
        let archive = crate::archive::Archive::open(bytes, Format::Docx, limits);
        let format = match &archive {
            Ok(a) if a.has("word/document.xml") => Format::Docx,
            Ok(a) if a.has("xl/workbook.xml") => Format::Xlsx,
            Ok(_) => return Err(InputError::Unrecognised),
            Err(InputError::Corrupt { .. }) => {
                let looks_xlsx = head.windows(3).any(|w| w == b"xl/");
                return Err(InputError::Corrupt {
                    format: if looks_xlsx {
                        Format::Xlsx
                    } else {
                        Format::Docx
                    },
                    detail: "the zip archive is truncated or damaged".into(),
                });
            }
            Err(e) => return Err(e.clone()),
        };
        let archive = archive?.into_format(format);
        let text = if format == Format::Docx {
            docx::extract(archive, limits)?
        } else {
            xlsx::extract(archive, limits)?
        };
        return Ok(Extracted {
            format,
            encoding: "utf-8".into(),
            text,
            warnings: Vec::new(),
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(InputError::LegacyOffice);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(InputError::Unrecognised);
    }
    let declared = html::declared_charset(head);
    let (text, encoding, warnings) = decode_text(bytes, declared.as_deref())?;
    if html::looks_like_html(&text) {
        return Ok(Extracted {
            format: Format::Html,
            encoding,
            text: html::extract(&text),
            warnings,
        });
    }
    let text = tab_separated_rows(&text).unwrap_or(text);
    Ok(Extracted {
        format: Format::Text,
        encoding,
        text,
        warnings,
    })
}

/// Tab-separated text (a table saved from Excel as .txt): its lines with tabs become table rows
/// in the shape the other front-ends write, when one of the first lines is a header of at least
/// three columns naming 序号 or 任务. Other text is left as it is.
fn tab_separated_rows(text: &str) -> Option<String> {
    let header = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .find(|l| !l.starts_with('\t') && l.matches('\t').count() >= 2)?;
    if !(header.contains("序号") || header.contains("任务")) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.lines() {
        if line.contains('\t') && !line.starts_with('\t') {
            crate::layout::push_row(&mut out, line.split('\t'));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}
