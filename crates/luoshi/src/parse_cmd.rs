//! `luoshi parse`, `luoshi diff` and `luoshi extract`: files in, documents out.
//!
//! Each file is read within the per-file limits: its size is checked before it is read, and the
//! parse runs on a worker thread that gets 10 seconds; a file over either limit is reported and
//! the next file is read.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;
use luoshi_doc::{Document, Extracted, InputError, Limits};
use serde::Serialize;

/// How long one file may take.
pub const FILE_DEADLINE: Duration = Duration::from_secs(10);

/// Why one file failed.
#[derive(Debug)]
pub enum FileError {
    Io(std::io::Error),
    Input(InputError),
    Timeout,
    /// The parser failed on this file (a bug); the panic was printed above.
    Crashed,
}

impl FileError {
    pub fn message_zh(&self) -> String {
        match self {
            FileError::Io(e) => format!("无法读取文件：{}", io_zh(e)),
            FileError::Input(e) => e.message_zh(),
            FileError::Timeout => format!(
                "处理超时（超过 {} 秒），已放弃读取。",
                FILE_DEADLINE.as_secs()
            ),
            FileError::Crashed => {
                "读取此文件时发生内部错误，已跳过。请将文件提供给系统管理员。".into()
            }
        }
    }
    pub fn detail(&self) -> String {
        match self {
            FileError::Io(e) => e.to_string(),
            FileError::Input(e) => e.to_string(),
            FileError::Timeout => format!("parsing took longer than {} s", FILE_DEADLINE.as_secs()),
            FileError::Crashed => "the parser panicked on this file".into(),
        }
    }
}

fn io_zh(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在",
        std::io::ErrorKind::PermissionDenied => "没有读取权限",
        std::io::ErrorKind::IsADirectory => "这是一个目录",
        _ => "读取出错",
    }
}

/// Reads a file within the size limit.
pub fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, FileError> {
    let meta = std::fs::metadata(path).map_err(FileError::Io)?;
    if meta.is_dir() {
        return Err(FileError::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory",
        )));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(FileError::Input(InputError::TooLarge {
            size: meta.len(),
            limit: limits.max_file_bytes,
        }));
    }
    std::fs::read(path).map_err(FileError::Io)
}

/// Runs `work` on a worker thread with a deadline.
fn with_deadline<T: Send + 'static>(
    deadline: Duration,

    work: impl FnOnce() -> Result<T, InputError> + Send + 'static,
) -> Result<T, FileError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("parse".into())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(FileError::Io)?;
    match rx.recv_timeout(deadline) {
        Ok(r) => r.map_err(FileError::Input),
        // The worker cannot be stopped; it is left to finish or to end with the process.
        Err(mpsc::RecvTimeoutError::Timeout) => Err(FileError::Timeout),
        // The worker died without answering: it panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(FileError::Crashed),
    }
}

/// Extracts one file's text layer within all limits.
pub fn extract_file(path: &Path, limits: &Limits) -> Result<Extracted, FileError> {
    let bytes = read_bounded(path, limits)?;
    let limits = limits.clone();
    with_deadline(FILE_DEADLINE, move || luoshi_doc::extract(&bytes, &limits))
}

/// Parses one file within all limits.
pub fn parse_file(path: &Path, limits: &Limits) -> Result<Document, FileError> {
    let bytes = read_bounded(path, limits)?;
    let limits = limits.clone();
    with_deadline(FILE_DEADLINE, move || luoshi_doc::parse(&bytes, &limits))
}

#[derive(Serialize)]
struct Output<'a> {
    source: String,
    #[serde(flatten)]
    document: &'a Document,
}

fn report(path: &Path, e: &FileError) {
    eprintln!("luoshi: {}: {}", path.display(), e.message_zh());
    eprintln!("luoshi: {}: ({})", path.display(), e.detail());
}

pub fn parse(files: &[std::path::PathBuf], json: bool) -> Result<ExitCode> {
    let limits = Limits::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for path in files {
        match parse_file(path, &limits) {
            Ok(doc) => {
                if json {
                    serde_json::to_writer(
                        &mut out,
                        &Output {
                            source: path.display().to_string(),
                            document: &doc,
                        },
                    )?;
                    writeln!(out)?;
                } else {
                    crate::render::document(&mut out, &path.display().to_string(), &doc)?;
                }
            }
            Err(e) => {
                out.flush()?;
                report(path, &e);
                failed = true;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn diff(a: &Path, b: &Path, json: bool) -> Result<ExitCode> {
    let limits = Limits::default();
    let mut texts = Vec::new();
    for path in [a, b] {
        match extract_file(path, &limits) {
            Ok(t) => texts.push(t),
            Err(e) => {
                report(path, &e);
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let report = luoshi_doc::diff(&texts[0], &texts[1]);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        crate::render::diff(&mut out, a, b, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn extract(path: &Path) -> Result<ExitCode> {
    match extract_file(path, &Limits::default()) {
        Ok(t) => {
            let mut out = std::io::stdout().lock();
            for (i, line) in t.text.split('\n').enumerate() {
                writeln!(out, "{:>5}  {}", i + 1, line)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            report(path, &e);
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_deadline_is_abandoned() {
        let r = with_deadline(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        assert!(matches!(r, Err(FileError::Timeout)));
        assert!(FileError::Timeout.message_zh().contains("超时"));
    }

    #[test]
    fn a_crashed_parse_is_not_reported_as_a_timeout() {
        let r: Result<(), FileError> =
            with_deadline(Duration::from_secs(5), || panic!("simulated parser bug"));
        assert!(matches!(r, Err(FileError::Crashed)));
    }

    #[test]
    fn an_oversized_file_is_refused_before_it_is_read() {
        let path = std::env::temp_dir().join(format!("luoshi-big-{}.txt", std::process::id()));
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(2048).expect("sparse file");
        let limits = Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        };
        let r = read_bounded(&path, &limits);
        std::fs::remove_file(&path).ok();
        assert!(matches!(
            r,
            Err(FileError::Input(InputError::TooLarge {
                size: 2048,
                limit: 1024
            }))
        ));
    }
}
