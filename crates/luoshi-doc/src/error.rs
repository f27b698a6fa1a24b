//! Why a file could not be read at all, in English for logs and in Chinese for users.
//!
//! A file that can be read in part is not an error: it yields a document with warnings. These are
//! the cases where nothing can be read, or where reading would be unsafe (bombs, external entities).

use std::fmt;

use crate::model::Format;

/// A file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Zero bytes, or only whitespace.
    Empty,
    /// Larger than the per-file limit.
    TooLarge { size: u64, limit: u64 },
    /// Not text, .docx, .xlsx, .pdf or .html.
    Unrecognised,
    /// An old binary Office file (.doc, .xls, .wps), which must be saved as .docx/.xlsx first.
    LegacyOffice,
    /// The container is damaged (a truncated zip, a PDF without its cross-reference table).
    Corrupt { format: Format, detail: String },
    /// An archive over its limits: entry count, unpacked size or compression ratio.
    ArchiveLimit { detail: String },
    /// XML with a DTD or entity declarations (XXE, billion laughs), or nested too deep.
    UnsafeXml { detail: String },
    /// A PDF over its limits: stream size, nesting depth or page count.
    PdfLimit { detail: String },
    /// A PDF that is encrypted.
    Encrypted,
    /// A PDF with no readable text layer (scanned, or fonts without ToUnicode maps).
    NoTextLayer,
    /// A reader library failed on this input; caught and reported instead of crashing.
    ReaderFailure { format: Format, detail: String },
}

impl InputError {
    /// A stable code for logs and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty",
            InputError::TooLarge { .. } => "too_large",
            InputError::Unrecognised => "unrecognised_format",
            InputError::LegacyOffice => "legacy_office",
            InputError::Corrupt { .. } => "corrupt",
            InputError::ArchiveLimit { .. } => "archive_limit",
            InputError::UnsafeXml { .. } => "unsafe_xml",
            InputError::PdfLimit { .. } => "pdf_limit",
            InputError::Encrypted => "encrypted",
            InputError::NoTextLayer => "no_text_layer",
            InputError::ReaderFailure { .. } => "reader_failure",
        }
    }

    /// The reason in plain Chinese, for the people who upload files.
    pub fn message_zh(&self) -> String {
        match self {
            InputError::Empty => "文件是空的，没有可读取的内容。".into(),
            InputError::TooLarge { size, limit } => {
                format!("文件过大（{} MB），超过单个文件 {} MB 的上限。", size / 1_048_576, limit / 1_048_576)
            }
            InputError::Unrecognised => "无法识别的文件格式：只能读取文本（.txt）、Word（.docx）、Excel（.xlsx）、PDF 和网页（.html）文件。".into(),
            InputError::LegacyOffice => "这是旧版 Word/Excel/WPS 文件（.doc、.xls、.wps），请用 WPS 或 Word 另存为 .docx 或 .xlsx 后再上传。".into(),
            InputError::Corrupt { format, .. } => format!("{}文件已损坏或不完整，无法打开。", format_zh(*format)),
            InputError::ArchiveLimit { .. } => "文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝读取。".into(),
            InputError::UnsafeXml { .. } => "文件内含不安全的 XML 结构（文档类型定义、实体声明或嵌套过深），已拒绝读取。".into(),
            InputError::PdfLimit { .. } => "PDF 文件结构异常（数据流过大、嵌套过深或页数过多），已拒绝读取。".into(),
            InputError::Encrypted => "PDF 文件已加密，请提供未加密的版本。".into(),
            InputError::NoTextLayer => "PDF 文件没有可读取的文字层（可能是扫描件，或字体缺少 ToUnicode 映射），请提供 Word 或文本版本。".into(),
            InputError::ReaderFailure { format, .. } => format!("{}文件内容异常，读取失败。", format_zh(*format)),
        }
    }
}

fn format_zh(format: Format) -> &'static str {
    match format {
        Format::Text => "文本",
        Format::Docx => "Word ",
        Format::Pdf => "PDF ",
        Format::Html => "网页",
        Format::Xlsx => "Excel ",
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => write!(f, "the file is empty"),
            InputError::TooLarge { size, limit } => {
                write!(f, "the file has {size} bytes, over the limit of {limit}")
            }
            InputError::Unrecognised => {
                write!(f, "unrecognised format (not text, docx, xlsx, pdf or html)")
            }
            InputError::LegacyOffice => write!(f, "legacy binary Office file (doc/xls/wps)"),
            InputError::Corrupt { format, detail } => {
                write!(f, "corrupt {format:?} file: {detail}")
            }
            InputError::ArchiveLimit { detail } => write!(f, "archive over its limits: {detail}"),
            InputError::UnsafeXml { detail } => write!(f, "unsafe XML refused: {detail}"),
            InputError::PdfLimit { detail } => write!(f, "PDF over its limits: {detail}"),
            InputError::Encrypted => write!(f, "the PDF is encrypted"),
            InputError::NoTextLayer => write!(f, "the PDF has no readable text layer"),
            InputError::ReaderFailure { format, detail } => {
                write!(f, "the {format:?} reader failed: {detail}")
            }
        }
    }
}

impl std::error::Error for InputError {}
