//! Report attachments: what may be uploaded, decided by content (never by the name), and how a
//! download is served.
//!
//! Accepted: PDF, OFD, Word/Excel/PowerPoint (both the zip formats and the old OLE ones), PNG,
//! JPEG and plain UTF-8 text. Zip containers are opened and bounded: at most 2,000 entries,
//! 200 MB unpacked and a 100:1 ratio, so a zip bomb is refused before anything is stored. A file
//! is stored under its SHA-256 (a server-made name); the user's name is kept only for display.

use std::collections::HashMap;
use std::io::Cursor;

use axum::extract::Multipart;
use luoshi_store::NewAttachment;

use crate::kit::error::{AppError, AppResult};

/// Largest attachment, bytes.
pub const MAX_FILE: usize = 20 * 1024 * 1024;
/// Most attachments on one filing.
pub const MAX_FILES: usize = 5;

/// A recognised file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub mime: &'static str,
    pub ext: &'static str,
}

const fn k(mime: &'static str, ext: &'static str) -> Kind {
    Kind { mime, ext }
}

/// What the bytes are, or why they are refused (Chinese).
pub fn sniff(bytes: &[u8]) -> Result<Kind, String> {
    if bytes.is_empty() {
        return Err("附件为空文件".into());
    }
    if bytes.len() > MAX_FILE {
        return Err(format!("附件不能超过 {} MB", MAX_FILE / 1024 / 1024));
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(k("application/pdf", "pdf"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(k("image/png", "png"));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(k("image/jpeg", "jpg"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(k("application/x-ole-storage", "doc"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return sniff_zip(bytes);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.contains('\0')
    {
        return Ok(k("text/plain; charset=utf-8", "txt"));
    }
    Err("不支持的附件类型：请上传 PDF、OFD、Word、Excel、PPT、图片（PNG/JPG）或文本文件".into())
}

fn sniff_zip(bytes: &[u8]) -> Result<Kind, String> {
    let bad = || "附件已损坏或不是有效的 Office/OFD 文件".to_string();
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| bad())?;
    if z.len() > 2000 {
        return Err("附件包含的文件过多".into());
    }
    let mut total: u64 = 0;
    let mut names = Vec::new();
    for i in 0..z.len() {
        let f = z.by_index_raw(i).map_err(|_| bad())?;
        total = total.saturating_add(f.size());
        names.push(f.name().map_err(|_| bad())?.to_string());
    }
    if total > 200 * 1024 * 1024 || total > (bytes.len() as u64).saturating_mul(100) {
        return Err("附件解压后过大，疑似压缩炸弹，已拒绝".into());
    }
    let has = |p: &str| names.iter().any(|n| n == p);
    let under = |p: &str| names.iter().any(|n| n.starts_with(p));
    if has("OFD.xml") {
        return Ok(k("application/ofd", "ofd"));
    }
    if !has("[Content_Types].xml") {
        return Err("不支持压缩包附件：请上传 PDF、OFD、Word、Excel、PPT、图片或文本文件".into());
    }
    if under("word/") {
        Ok(k(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ))
    } else if under("xl/") {
        Ok(k(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ))
    } else if under("ppt/") {
        Ok(k(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ))
    } else {
        Err(bad())
    }
}

/// Uploaded files checked by content and named for keeping, or the first refused (its name and
/// why). At most [`MAX_FILES`].
pub fn accept(files: Vec<(String, Vec<u8>)>) -> AppResult<Vec<NewAttachment>> {
    if files.len() > MAX_FILES {
        return Err(AppError::bad_request(format!("附件最多 {MAX_FILES} 个")));
    }
    files
        .into_iter()
        .map(|(name, bytes)| {
            let kind = sniff(&bytes).map_err(|e| AppError::bad_request(format!("{name}：{e}")))?;
            Ok(NewAttachment {
                file_name: clean_name(&name, kind),
                mime: kind.mime.to_string(),
                bytes,
            })
        })
        .collect()
}

/// A multipart form as sent: its text fields (trimmed) and its non-empty files (field `file`).
#[derive(Default)]
pub struct Fields {
    pub text: HashMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Fields {
    /// A text field, empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.text.get(name).cloned().unwrap_or_default()
    }
}

/// Reads a multipart form within the body limit the route set; a body over it is refused in
/// words that name both limits (`total_mb`: the route's).
pub async fn read_fields(mut mp: Multipart, total_mb: usize) -> AppResult<Fields> {
    let too_big = || {
        AppError::bad_request(format!(
            "上传内容过大：单个附件不超过 {} MB，合计不超过 {total_mb} MB",
            MAX_FILE / 1024 / 1024
        ))
    };
    let mut f = Fields::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!("multipart form: {e}");
                return Err(too_big());
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| {
            tracing::warn!("multipart field: {e}");
            too_big()
        })?;
        match (name.as_str(), file_name) {
            ("file", Some(n)) => {
                if !bytes.is_empty() {
                    f.files.push((n, bytes.to_vec()));
                }
            }
            (_, _) => {
                f.text
                    .insert(name, String::from_utf8_lossy(&bytes).trim().to_string());
            }
        }
    }
    Ok(f)
}

/// Reads a form posted either way: multipart (with files) or urlencoded (text only, e.g. from a
/// script or an older page).
pub async fn read_any<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
    total_mb: usize,
) -> AppResult<Fields> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::bad_request("表单内容无效，请返回检查后重新提交"))?;
        return read_fields(mp, total_mb).await;
    }
    let axum::Form(text) = axum::Form::<HashMap<String, String>>::from_request(req, state)
        .await
        .map_err(|_| AppError::bad_request("表单内容无效，请返回检查后重新提交"))?;
    Ok(Fields {
        text: text
            .into_iter()
            .map(|(k, v)| (k, v.trim().to_string()))
            .collect(),
        files: Vec::new(),
    })
}

/// A display name safe to keep: the last path part, no control characters, at most 100 chars.
pub fn clean_name(name: &str, kind: Kind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(100)
        .collect();
    if s.trim().is_empty() || s.starts_with('.') {
        s = format!("附件.{}", kind.ext);
    }
    s
}

/// `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266/5987).
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::kit::format::url_encode(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn types_are_decided_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 x").unwrap().ext, "pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nxx").unwrap().ext, "png");
        assert_eq!(sniff("进展情况".as_bytes()).unwrap().ext, "txt");
        let docx = zip_with(&[
            ("[Content_Types].xml", b"<x/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(sniff(&docx).unwrap().ext, "docx");
        let ofd = zip_with(&[("OFD.xml", b"<ofd/>")]);
        assert_eq!(sniff(&ofd).unwrap().ext, "ofd");
        // A renamed executable, a plain zip and an empty file are refused.
        assert!(sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff").is_err());
        assert!(sniff(&zip_with(&[("a.exe", b"MZ")])).is_err());
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn zip_bombs_are_refused() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = zip_with(&[
            ("[Content_Types].xml", b"<x/>"),
            ("word/document.xml", &zeros),
        ]);
        let err = sniff(&bomb).unwrap_err();
        assert!(err.contains("压缩炸弹"), "{err}");
    }

    #[test]
    fn names_are_cleaned_for_display_and_download() {
        let pdf = sniff(b"%PDF-").unwrap();
        assert_eq!(clean_name("C:\\tmp\\进展.pdf", pdf), "进展.pdf");
        assert_eq!(clean_name("../../etc/passwd", pdf), "passwd");
        assert_eq!(clean_name("", pdf), "附件.pdf");
        assert_eq!(clean_name(".htaccess", pdf), "附件.pdf");
        assert!(disposition("进展 材料.pdf").contains("filename*=UTF-8''%E8%BF%9B"));
    }
}
