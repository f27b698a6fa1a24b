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

/// What the bytes are, or why they are refused (Chinese). Decided by content alone: zip packages
/// pass the parser's archive and XML guards (`luoshi_doc::package`), old Office files must be
/// compound files holding a Word, Excel or PowerPoint stream (an .msi is one too, and is refused),
/// text must be UTF-8 and not a script or a page a browser would run.
pub fn sniff(bytes: &[u8]) -> Result<Kind, String> {
    if bytes.is_empty() {
        return Err("附件为空文件".into());
    }
    if bytes.len() > MAX_FILE {
        return Err(format!("附件不能超过 {} MB", MAX_FILE / 1024 / 1024));
    }
    if luoshi_doc::package::looks_executable(bytes) {
        return Err(EXECUTABLE.into());
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
        return sniff_ole(bytes);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return sniff_zip(bytes);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.contains('\0')
    {
        return if runs_in_a_browser_or_shell(text) {
            Err(EXECUTABLE.into())
        } else {
            Ok(k("text/plain; charset=utf-8", "txt"))
        };
    }
    Err("不支持的附件类型：请上传 PDF、OFD、Word、Excel、PPT、图片（PNG/JPG）或文本文件".into())
}

const EXECUTABLE: &str = "附件是可执行文件、脚本或网页，已拒绝";

/// Text a browser or a shell would run if it were opened: HTML/HTA pages, SVG, batch files and
/// scripts. Judged on the first lines, case-blind.
fn runs_in_a_browser_or_shell(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect::<String>().to_lowercase();
    let start = head.trim_start_matches('\u{feff}').trim_start();
    [
        "<html",
        "<!doctype",
        "<hta:",
        "<script",
        "<svg",
        "<?xml",
        "@echo",
        "<job",
        "<package",
    ]
    .iter()
    .any(|m| start.starts_with(m))
        || [
            "<script",
            "<hta:application",
            "activexobject",
            "wscript.",
            "powershell -",
            "cmd.exe /c",
        ]
        .iter()
        .any(|m| head.contains(m))
}

/// An old (OLE compound) Office file: a Word, Excel or PowerPoint stream must be there; an .msi or
/// anything else in that container is refused.
fn sniff_ole(bytes: &[u8]) -> Result<Kind, String> {
    let bad = || "附件已损坏或不是有效的 Office 文件".to_string();
    let file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| bad())?;
    let has = |p: &str| file.is_stream(p);
    if has("/WordDocument") {
        Ok(k("application/msword", "doc"))
    } else if has("/Workbook") || has("/Book") {
        Ok(k("application/vnd.ms-excel", "xls"))
    } else if has("/PowerPoint Document") {
        Ok(k("application/vnd.ms-powerpoint", "ppt"))
    } else {
        Err("不支持的附件类型（如 MSI 安装包），已拒绝".into())
    }
}

fn sniff_zip(bytes: &[u8]) -> Result<Kind, String> {
    use luoshi_doc::package::{Package, inspect_package};
    let limits = luoshi_doc::Limits {
        max_zip_entries: 2000,
        max_unpacked_bytes: 200 * 1024 * 1024,
        max_zip_ratio: 100,
        ..luoshi_doc::Limits::default()
    };
    match inspect_package(bytes, &limits) {
        Ok(Package::Ofd) => Ok(k("application/ofd", "ofd")),
        Ok(Package::Docx) => Ok(k(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )),
        Ok(Package::Xlsx) => Ok(k(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )),
        Ok(Package::Pptx) => Ok(k(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        )),
        Err(r) => {
            tracing::info!(detail = %r.detail, "attachment package refused");
            Err(r.zh)
        }
    }
}

/// A display name safe to keep, ending in the detected type's extension: the last path part, at
/// most 100 characters; a name with control or invisible characters (a right-to-left override
/// hiding `exe`) is refused. `报告.pdf.exe` holding a PDF is kept as `报告.pdf`.
pub fn clean_name(name: &str, kind: Kind) -> Result<String, String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    if base
        .chars()
        .any(|c| c.is_control() || luoshi_domain::accounts::is_invisible(c))
    {
        return Err("文件名含有控制字符或不可见字符，请重命名后上传".into());
    }
    let mut stem: String = base
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(100)
        .collect();
    // Strip a last extension that is not the detected type's (and repeat: `a.pdf.exe.exe`).
    loop {
        let lower = stem.to_lowercase();
        if lower.ends_with(&format!(".{}", kind.ext)) {
            stem.truncate(stem.len() - kind.ext.len() - 1);
            break;
        }
        match stem.rfind('.') {
            Some(dot) if dot > 0 && stem.len() - dot <= 6 => stem.truncate(dot),
            _ => break,
        }
    }
    let stem = stem.trim().trim_end_matches('.');
    if stem.is_empty() || stem.starts_with('.') {
        return Ok(format!("附件.{}", kind.ext));
    }
    Ok(format!("{stem}.{}", kind.ext))
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
                file_name: clean_name(&name, kind)
                    .map_err(|e| AppError::bad_request(format!("{name}：{e}")))?,
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
                let text = std::str::from_utf8(&bytes).map_err(|_| {
                    AppError::invalid(
                        "not_utf8",
                        format!("表单字段“{name}”含有无效字符（不是 UTF-8 编码），未保存"),
                    )
                })?;
                f.text.insert(name, text.trim().to_string());
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

/// A file to download: its type, and its name as the browser should save it.
pub(crate) fn file_response(mime: &str, name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition(name)),
        ],
        bytes,
    )
        .into_response()
}

/// The media type of an .xlsx.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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
        let ofd = zip_with(&[("OFD.xml", b"<OFD><DocBody/></OFD>")]);
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
        let table: &[(&str, Result<&str, ()>)] = &[
            ("C:\\tmp\\进展.pdf", Ok("进展.pdf")),
            ("../../etc/passwd", Ok("passwd.pdf")),
            ("", Ok("附件.pdf")),
            (".htaccess", Ok("附件.pdf")),
            ("报告.pdf.exe", Ok("报告.pdf")),
            ("报告.exe", Ok("报告.pdf")),
            ("v1.2 会议纪要", Ok("v1.2 会议纪要.pdf")),
            ("报告\u{202E}fdp.exe", Err(())),
            ("报\u{200B}告.pdf", Err(())),
            ("报告\r\n.pdf", Err(())),
        ];
        for (name, want) in table {
            assert_eq!(
                clean_name(name, pdf).as_deref().map_err(|_| ()),
                want.map(|w| w),
                "{name:?}"
            );
        }
        assert!(disposition("进展 材料.pdf").contains("filename*=UTF-8''%E8%BF%9B"));
    }

    /// Issue 11 hole 1: what a penetration test carried to other units as attachments.
    #[test]
    fn attachments_carry_executables_to_other_units() {
        let ofd_ok = zip_with(&[(
            "OFD.xml",
            b"<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:DocBody/></ofd:OFD>",
        )]);
        assert_eq!(sniff(&ofd_ok).unwrap().ext, "ofd");
        let mut msi = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        msi.create_stream("/\u{4840}\u{3F3F}")
            .unwrap()
            .write_all(b"x")
            .unwrap();
        let msi = msi.into_inner().into_inner();
        let mut doc = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        doc.create_stream("/WordDocument")
            .unwrap()
            .write_all(b"x")
            .unwrap();
        let doc = doc.into_inner().into_inner();
        assert_eq!(sniff(&doc).unwrap().ext, "doc");
        let big = vec![b'a'; 300 * 1024 * 1024 / 100 + 8 * 1024 * 1024];
        let refused: &[(&str, Vec<u8>)] = &[
            ("pe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec()),
            ("elf", b"\x7fELF\x02\x01\x01".to_vec()),
            ("script", b"#!/bin/sh\nrm -rf /\n".to_vec()),
            ("hta", b"<HTML><HTA:APPLICATION ID=x><script>new ActiveXObject('WScript.Shell')</script>".to_vec()),
            ("bat", b"@echo off\r\ndel /q C:\\*\r\n".to_vec()),
            ("svg", b"<svg onload=alert(1)>".to_vec()),
            ("msi", msi),
            ("jar", zip_with(&[("META-INF/MANIFEST.MF", b"Main-Class: A"), ("A.class", b"\xca\xfe\xba\xbe")])),
            ("ofd with setup.exe", zip_with(&[
                ("OFD.xml", b"<ofd:OFD xmlns:ofd=\"x\"><ofd:DocBody/></ofd:OFD>"),
                ("setup.exe", b"MZ"),
            ])),
            ("ofd renamed payload", zip_with(&[
                ("OFD.xml", b"<ofd:OFD xmlns:ofd=\"x\"><ofd:DocBody/></ofd:OFD>"),
                ("Doc_0/readme.txt", b"MZ\x90\x00"),
            ])),
            ("bare OFD.xml", zip_with(&[("OFD.xml", b"<x/>")])),
            ("xxe docx", zip_with(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"),
            ])),
            ("billion laughs", zip_with(&[
                ("[Content_Types].xml", b"<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><Types>&b;</Types>"),
                ("word/document.xml", b"<w/>"),
            ])),
            ("zip slip", zip_with(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w/>"),
                ("../../evil.txt", b"x"),
            ])),
            ("inflates a hundredfold and more", zip_with(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", &big),
            ])),
        ];
        for (what, bytes) in refused {
            assert!(sniff(bytes).is_err(), "{what} was accepted");
        }
    }
}
