//! Storage errors: stable codes for the API, Chinese messages for users, English for logs.

use thiserror::Error;

/// What can go wrong in storage.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the message says which, in Chinese.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request contradicts the data (e.g. merging a unit into itself): a stable code naming
    /// the rule (`succession_cycle`, `reason_required`, …) and the Chinese message.
    #[error("invalid ({0}): {1}")]
    Invalid(&'static str, String),
    /// The database failed: what was being done (English, for logs) and the driver's error, kept
    /// as the source so a log shows the whole chain.
    #[error("database error: {0}")]
    Database(
        String,
        #[source] Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ),
}

impl StoreError {
    /// The stable code in API errors.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Conflict(_) => "conflict",
            StoreError::Invalid(code, _) => code,
            StoreError::Database(..) => "database",
        }
    }

    /// The message shown to users.
    pub fn message_zh(&self) -> String {
        match self {
            StoreError::NotFound => "未找到".into(),
            StoreError::Conflict(m) | StoreError::Invalid(_, m) => m.clone(),
            StoreError::Database(..) => "数据库暂时无法完成操作，请稍后重试".into(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
