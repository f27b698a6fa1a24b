//! Bounds on what one file may cost to read.

/// Limits applied to every file. The defaults are those the office agreed on; tests shrink them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes of one input file.
    pub max_file_bytes: u64,
    /// Entries in a .docx/.xlsx archive.
    pub max_zip_entries: usize,
    /// Bytes unpacked from one archive, all entries together.
    pub max_unpacked_bytes: u64,
    /// Unpacked : packed ratio of an entry (checked for entries over 1 MiB unpacked).
    pub max_zip_ratio: u64,
    /// Nesting depth of XML elements.
    pub max_xml_depth: usize,
    /// Bytes one PDF stream may inflate to.
    pub max_pdf_stream_bytes: u64,
    /// Bytes all PDF streams together may inflate to.
    pub max_pdf_total_bytes: u64,
    /// Nesting depth of PDF arrays and dictionaries.
    pub max_pdf_depth: usize,
    /// Pages of a PDF.
    pub max_pdf_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_zip_entries: 5_000,
            max_unpacked_bytes: 100 * 1000 * 1000,
            max_zip_ratio: 100,
            max_xml_depth: 256,
            max_pdf_stream_bytes: 64 * 1024 * 1024,
            max_pdf_total_bytes: 256 * 1024 * 1024,
            max_pdf_depth: 64,
            max_pdf_pages: 2_000,
        }
    }
}
