//! Reading entries of a zip archive (.docx, .xlsx) within limits: entry count, unpacked size and
//! compression ratio, checked against what is actually inflated, not only what the archive claims.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::error::InputError;
use crate::limits::Limits;
use crate::model::Format;

pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    format: Format,
    unpacked: u64,
    limits: &'a Limits,
}

impl<'a> Archive<'a> {
    pub fn open(bytes: &'a [u8], format: Format, limits: &'a Limits) -> Result<Self, InputError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| InputError::Corrupt {
            format,
            detail: e.to_string(),
        })?;
        if zip.len() > limits.max_zip_entries {
            return Err(InputError::ArchiveLimit {
                detail: format!("{} entries, limit {}", zip.len(), limits.max_zip_entries),
            });
        }
        Ok(Archive {
            zip,
            format,
            unpacked: 0,
            limits,
        })
    }

    /// Names the format the archive turned out to be, for error messages.
    pub fn into_format(self, format: Format) -> Self {
        Archive { format, ..self }
    }

    /// Whether the archive has an entry of this name.
    pub fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// Names of the entries.
    pub fn names(&self) -> Vec<String> {
        (0..self.zip.len())
            .filter_map(|i| {
                self.zip
                    .name_for_index(i)
                    .and_then(Result::ok)
                    .map(|n| n.to_string())
            })
            .collect()
    }

    /// Reads one entry as UTF-8 text, or None if it is absent.
    pub fn read_text(&mut self, name: &str) -> Result<Option<String>, InputError> {
        Ok(self
            .read_bytes(name)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Reads one entry's bytes, inflating for real within the archive's budget, or None if it is
    /// absent.
    pub fn read_bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, InputError> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let format = self.format;
        let mut entry = self.zip.by_index(index).map_err(|e| InputError::Corrupt {
            format,
            detail: e.to_string(),
        })?;
        let budget = self.limits.max_unpacked_bytes.saturating_sub(self.unpacked);
        let packed = entry.compressed_size().max(1);
        if entry.size() > budget {
            return Err(InputError::ArchiveLimit {
                detail: format!(
                    "entry {name} unpacks to {} bytes, budget {budget}",
                    entry.size()
                ),
            });
        }
        let mut buf = Vec::with_capacity(entry.size().min(budget) as usize);
        // Read at most budget + 1 bytes whatever the header claims.
        let read = (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut buf)
            .map_err(|e| InputError::Corrupt {
                format,
                detail: e.to_string(),
            })?;
        let read = read as u64;
        if read > budget {
            return Err(InputError::ArchiveLimit {
                detail: format!("entry {name} unpacks past the budget of {budget} bytes"),
            });
        }
        if read > 1024 * 1024 && read / packed > self.limits.max_zip_ratio {
            return Err(InputError::ArchiveLimit {
                detail: format!("entry {name} has ratio {}:1", read / packed),
            });
        }
        self.unpacked += read;
        Ok(Some(buf))
    }
}
