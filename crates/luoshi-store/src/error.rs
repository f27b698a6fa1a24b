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
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// The stable code in API errors.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Conflict(_) => "conflict",
            StoreError::Invalid(code, _) => code,
            StoreError::Database(_) => "database",
        }
    }

    /// The message shown to users.
    pub fn message_zh(&self) -> String {
        match self {
            StoreError::NotFound => "未找到".into(),
            StoreError::Conflict(m) | StoreError::Invalid(_, m) => m.clone(),
            StoreError::Database(_) => "数据库暂时无法完成操作，请稍后重试".into(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
