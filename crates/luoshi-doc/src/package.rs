//! Inspecting an uploaded zip package (an attachment that claims to be .docx, .xlsx, .pptx or
//! .ofd) with the parser's guards: every entry is inflated for real within the entry, size and
//! ratio limits; no entry name climbs out (`../`, absolute paths, drive letters, backslashes);
//! every XML part parses without a DTD and within the depth limit; and nothing executable rides
//! inside. What kind of package it is, is decided from its parts, never from a file name.

use crate::archive::Archive;
use crate::error::InputError;
use crate::limits::Limits;
use crate::model::Format;
use crate::xml::{XmlEvent, events};

/// A package that passed every guard, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Docx,
    Xlsx,
    Pptx,
    /// GB/T 33190 OFD: `OFD.xml` whose root is `OFD` and names a `DocBody`.
    Ofd,
}

/// Why a package is refused: for the user (Chinese) and for the log (English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub zh: String,
    pub detail: String,
}

fn refuse(zh: &str, detail: impl Into<String>) -> Refusal {
    Refusal {
        zh: zh.into(),
        detail: detail.into(),
    }
}

/// Name endings of executable or script content, refused inside a package.
const EXECUTABLE: &[&str] = &[
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
    ".wsf", ".hta", ".jar", ".class", ".sh", ".lnk", ".cpl", ".apk", ".elf", ".so", ".dylib",
];

/// Whether bytes start like an executable (PE, ELF, Mach-O, Java class) or a script (`#!`).
pub fn looks_executable(bytes: &[u8]) -> bool {
    bytes.starts_with(b"MZ")
        || bytes.starts_with(b"\x7fELF")
        || bytes.starts_with(&[0xCA, 0xFE, 0xBA, 0xBE])
        || bytes.starts_with(&[0xCF, 0xFA, 0xED, 0xFE])
        || bytes.starts_with(&[0xCE, 0xFA, 0xED, 0xFE])
        || bytes.starts_with(b"#!")
}

fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.split('/').any(|part| part == "..")
        || name.as_bytes().get(1) == Some(&b':')
        || name.chars().any(char::is_control)
}

/// Inspects a zip package with the parser's limits; what it is, or why it is refused.
pub fn inspect_package(bytes: &[u8], limits: &Limits) -> Result<Package, Refusal> {
    let guard = |e: InputError| match e {
        InputError::ArchiveLimit { detail } => {
            refuse("附件解压后过大或文件过多，疑似压缩炸弹，已拒绝", detail)
        }
        InputError::UnsafeXml { detail } => refuse(
            "附件含有不安全的 XML 内容（如 DTD 或实体声明），已拒绝",
            detail,
        ),
        other => refuse("附件已损坏或不是有效的 Office/OFD 文件", other.to_string()),
    };
    let mut zip = Archive::open(bytes, Format::Docx, limits).map_err(guard)?;
    let names = zip.names();
    for name in &names {
        if unsafe_name(name) {
            return Err(refuse(
                "附件内含路径异常的文件（如 ../），已拒绝",
                format!("entry name {name:?}"),
            ));
        }
        let lower = name.to_lowercase();
        if EXECUTABLE.iter().any(|e| lower.ends_with(e)) || lower == "meta-inf/manifest.mf" {
            return Err(refuse(
                "附件内含可执行文件或脚本，已拒绝",
                format!("executable entry {name:?}"),
            ));
        }
    }
    let mut ofd_root: Option<Vec<XmlEvent>> = None;
    for name in &names {
        if name.ends_with('/') {
            continue;
        }
        let data = zip.read_bytes(name).map_err(guard)?.unwrap_or_default();
        if looks_executable(&data) {
            return Err(refuse(
                "附件内含可执行文件或脚本，已拒绝",
                format!("entry {name:?} has executable content"),
            ));
        }
        let lower = name.to_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") {
            let text = String::from_utf8_lossy(&data);
            let parsed = events(&text, limits.max_xml_depth).map_err(guard)?;
            if name == "OFD.xml" {
                ofd_root = Some(parsed);
            }
        }
    }
    if let Some(ev) = ofd_root {
        let root = ev.iter().find_map(|e| match e {
            XmlEvent::Start { name, .. } => Some(name.as_str()),
            _ => None,
        });
        let body = ev
            .iter()
            .any(|e| matches!(e, XmlEvent::Start { name, .. } if name == "DocBody"));
        return if root == Some("OFD") && body {
            Ok(Package::Ofd)
        } else {
            Err(refuse(
                "附件不是有效的 OFD 文件（OFD.xml 结构不符）",
                "OFD.xml without an OFD root and a DocBody",
            ))
        };
    }
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return Err(refuse(
            "不支持压缩包附件：请上传 PDF、OFD、Word、Excel、PPT、图片或文本文件",
            "zip without [Content_Types].xml",
        ));
    }
    let under = |p: &str| names.iter().any(|n| n.starts_with(p));
    if under("word/") {
        Ok(Package::Docx)
    } else if under("xl/") {
        Ok(Package::Xlsx)
    } else if under("ppt/") {
        Ok(Package::Pptx)
    } else {
        Err(refuse(
            "附件已损坏或不是有效的 Office/OFD 文件",
            "an Office package with no document part",
        ))
    }
}
