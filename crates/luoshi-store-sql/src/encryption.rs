//! Data at rest: stored files (report attachments, item evidence, imported originals) and report
//! narratives (filed and drafted) are encrypted with SM4-GCM (GB/T 32907 in GCM mode) under a key
//! kept outside the database, in a file only the service account reads (`luoshi-data.key`).
//!
//! The key file holds one key per line, `id:hex` (a one-byte id, 16 bytes of key); the last line
//! encrypts, every line decrypts, so a key is rotated by adding a line (`luoshi key rotate`) and an
//! old one retired after `luoshi key rekey` has re-encrypted what it sealed. A sealed value names
//! its key: `LSE1 | key id | 12-byte nonce | ciphertext and tag`; text is that, base64, behind
//! `LSE1:`. A value without the mark is read as it is (stored before a key was loaded).

use std::sync::OnceLock;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use luoshi_store::{StoreError, StoreResult};

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

const MARK: &[u8] = b"LSE1";
const TEXT_MARK: &str = "LSE1:";

/// What a sealed value is bound to, so a ciphertext moved to another column does not open.
#[derive(Clone, Copy)]
pub enum Purpose {
    File,
    Narrative,
}

impl Purpose {
    fn aad(self) -> &'static [u8] {
        match self {
            Purpose::File => b"luoshi file",
            Purpose::Narrative => b"luoshi narrative",
        }
    }
}

/// The loaded keys, oldest first; the last encrypts.
static KEYS: OnceLock<Vec<(u8, [u8; 16])>> = OnceLock::new();

/// Parses a key file: `id:hex` lines (blank lines and `#` comments skipped).
pub fn parse_keys(text: &str) -> Result<Vec<(u8, [u8; 16])>, String> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("第 {} 行不是“编号:32 位十六进制密钥”", n + 1);
        let (id, hex) = line.split_once(':').ok_or_else(bad)?;
        let id: u8 = id.trim().parse().map_err(|_| bad())?;
        let bytes = hex::decode(hex.trim()).map_err(|_| bad())?;
        let key: [u8; 16] = bytes.try_into().map_err(|_| bad())?;
        if keys.iter().any(|(k, _)| *k == id) {
            return Err(format!("第 {} 行：密钥编号 {id} 重复", n + 1));
        }
        keys.push((id, key));
    }
    if keys.is_empty() {
        return Err("密钥文件中没有密钥".into());
    }
    Ok(keys)
}

/// A new key line with the id after the file's last.
pub fn next_key_line(keys: &[(u8, [u8; 16])]) -> Result<String, String> {
    let id = keys
        .iter()
        .map(|(i, _)| *i)
        .max()
        .map_or(Some(1), |m| m.checked_add(1));
    let id = id.ok_or("密钥编号已用尽（最多 255 个）")?;
    let mut key = [0u8; 16];
    getrandom::fill(&mut key).expect("the OS random source works");
    Ok(format!("{id}:{}", hex::encode(key)))
}

/// Sets this process's keys (once, at start-up, from the key file). A second call is ignored.
pub fn set_data_keys(keys: Vec<(u8, [u8; 16])>) {
    let _ = KEYS.set(keys);
}

/// The id of the key that encrypts, or None when no key file was loaded (values are then stored
/// as they are — tests and one-off commands).
pub fn current_key() -> Option<u8> {
    KEYS.get().and_then(|k| k.last()).map(|(id, _)| *id)
}

fn cipher(id: u8) -> Option<Sm4Gcm> {
    let (_, key) = KEYS.get()?.iter().find(|(k, _)| *k == id)?;
    Sm4Gcm::new_from_slice(key).ok()
}

/// Seals bytes under the current key (as they are when none is loaded).
pub fn seal(plain: &[u8], purpose: Purpose) -> Vec<u8> {
    let Some(id) = current_key() else {
        return plain.to_vec();
    };
    let cipher = cipher(id).expect("the current key is loaded");
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).expect("the OS random source works");
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: purpose.aad(),
            },
        )
        .expect("SM4-GCM encryption does not fail");
    let mut out = Vec::with_capacity(MARK.len() + 13 + sealed.len());
    out.extend_from_slice(MARK);
    out.push(id);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens what [`seal`] made; unmarked bytes are returned as they are. A missing key or a
/// ciphertext that does not verify is an error, never garbage.
pub fn open(stored: &[u8], purpose: Purpose) -> StoreResult<Vec<u8>> {
    let Some(rest) = stored.strip_prefix(MARK) else {
        return Ok(stored.to_vec());
    };
    let fail = |why: &str| StoreError::Database(format!("encrypted value: {why}"), None);
    if rest.len() < 13 + 16 {
        return Err(fail("too short"));
    }
    let (id, nonce, sealed) = (rest[0], &rest[1..13], &rest[13..]);
    let cipher = cipher(id).ok_or_else(|| fail(&format!("key {id} is not loaded")))?;
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: purpose.aad(),
            },
        )
        .map_err(|_| fail("does not verify (wrong key or altered)"))
}

/// Seals text (a narrative) for a TEXT column.
pub fn seal_text(plain: &str) -> String {
    if current_key().is_none() {
        return plain.to_string();
    }
    format!(
        "{TEXT_MARK}{}",
        STANDARD.encode(seal(plain.as_bytes(), Purpose::Narrative))
    )
}

/// Opens what [`seal_text`] made; unmarked text is returned as it is.
pub fn open_text(stored: &str) -> StoreResult<String> {
    let Some(b64) = stored.strip_prefix(TEXT_MARK) else {
        return Ok(stored.to_string());
    };
    let bytes = STANDARD
        .decode(b64)
        .map_err(|e| StoreError::Database(format!("encrypted text: {e}"), None))?;
    let plain = open(&bytes, Purpose::Narrative)?;
    String::from_utf8(plain).map_err(|e| StoreError::Database(format!("encrypted text: {e}"), None))
}

/// The key that sealed a stored value, if it is sealed (for `luoshi key rekey`).
pub fn sealed_with(stored: &[u8]) -> Option<u8> {
    stored.strip_prefix(MARK).and_then(|r| r.first().copied())
}

/// Like [`sealed_with`] for text.
pub fn text_sealed_with(stored: &str) -> Option<u8> {
    let b64 = stored.strip_prefix(TEXT_MARK)?;
    sealed_with(&STANDARD.decode(b64).ok()?)
}

/// What `rekey` re-encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rekeyed {
    pub files: u64,
    pub narratives: u64,
}

/// How much of what is stored is sealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SealedCounts {
    pub files: i64,
    pub files_sealed: i64,
    pub narratives: i64,
    pub narratives_sealed: i64,
}

impl crate::SqlStore {
    /// Counts stored files and narratives, and those sealed (by their mark).
    pub async fn sealed_counts(&self) -> StoreResult<SealedCounts> {
        use crate::Fetch;
        let file_mark = match self.dialect {
            crate::Dialect::Sqlite => "substr(bytes, 1, 4) = X'4C534531'",
            crate::Dialect::Postgres => "substring(bytes from 1 for 4) = '\\x4c534531'::bytea",
        };
        let count = |sql: String| async move {
            crate::scalar::<i64>(sqlx::AssertSqlSafe(sql))
                .one(&self.pool)
                .await
        };
        let texts = "SELECT COUNT(*) FROM (SELECT narrative FROM report_versions \
             UNION ALL SELECT narrative FROM report_drafts) n";
        Ok(SealedCounts {
            files: count("SELECT COUNT(*) FROM blobs".into()).await?,
            files_sealed: count(format!("SELECT COUNT(*) FROM blobs WHERE {file_mark}")).await?,
            narratives: count(texts.into()).await?,
            narratives_sealed: count(format!("{texts} WHERE narrative LIKE 'LSE1:%'")).await?,
        })
    }

    /// Re-encrypts every stored file and narrative not sealed with the current key (plain ones
    /// from before a key was loaded too), row by row, each in its own short transaction; after it
    /// an older key can be removed from the key file.
    pub async fn rekey(&self) -> StoreResult<Rekeyed> {
        use crate::{Col, Fetch, Run, commit};
        let current = current_key()
            .ok_or_else(|| StoreError::Invalid("no_data_key", "未加载数据加密密钥".into()))?;
        let mut done = Rekeyed::default();
        let shas = sqlx::query("SELECT sha256 FROM blobs ORDER BY sha256")
            .all(&self.pool)
            .await?;
        for r in shas {
            let sha: String = r.col("sha256")?;
            let mut tx = self.write().await?;
            let bytes: Vec<u8> = crate::scalar("SELECT bytes FROM blobs WHERE sha256 = $1")
                .bind(sha.clone())
                .one(&mut *tx)
                .await?;
            if sealed_with(&bytes) != Some(current) {
                let plain = open(&bytes, Purpose::File)?;
                sqlx::query("UPDATE blobs SET bytes = $1 WHERE sha256 = $2")
                    .bind(seal(&plain, Purpose::File))
                    .bind(sha)
                    .run(&mut *tx)
                    .await?;
                done.files += 1;
            }
            commit(tx).await?;
        }
        for (table, key) in [
            ("report_versions", "CAST(id AS TEXT)"),
            (
                "report_drafts",
                "CAST(task_id AS TEXT) || '/' || CAST(unit_id AS TEXT) || '/' || period",
            ),
        ] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {key} AS k, narrative FROM {table}"
            )))
            .all(&self.pool)
            .await?;
            for r in rows {
                let stored: String = r.col("narrative")?;
                if text_sealed_with(&stored) == Some(current) {
                    continue;
                }
                let k: String = r.col("k")?;
                let mut tx = self.write().await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET narrative = $1 WHERE {key} = $2 AND narrative = $3"
                )))
                .bind(seal_text(&open_text(&stored)?))
                .bind(k)
                .bind(stored)
                .run(&mut *tx)
                .await?;
                commit(tx).await?;
                done.narratives += 1;
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_read_line_by_line_and_refused_with_the_line() {
        let good = format!("# luoshi\n1:{}\n2:{}\n", "00".repeat(16), "ab".repeat(16));
        let keys = parse_keys(&good).unwrap();
        assert_eq!(keys.iter().map(|k| k.0).collect::<Vec<_>>(), [1, 2]);
        assert!(next_key_line(&keys).unwrap().starts_with("3:"));
        assert!(parse_keys("").is_err());
        assert!(parse_keys("1:abcd").unwrap_err().contains("第 1 行"));
        let twice = format!("1:{0}\n1:{0}", "00".repeat(16));
        assert!(parse_keys(&twice).unwrap_err().contains("重复"));
    }

    #[test]
    fn sealed_values_open_only_for_their_purpose_and_unaltered() {
        set_data_keys(vec![(7, [3u8; 16])]);
        let sealed = seal("南宁片区跨境电商".as_bytes(), Purpose::File);
        assert_eq!(sealed_with(&sealed), Some(7));
        assert!(!sealed.windows(6).any(|w| w == "南宁".as_bytes()));
        assert_eq!(
            open(&sealed, Purpose::File).unwrap(),
            "南宁片区跨境电商".as_bytes()
        );
        assert!(
            open(&sealed, Purpose::Narrative).is_err(),
            "bound to its purpose"
        );
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(open(&altered, Purpose::File).is_err());
        assert_eq!(open(b"plain", Purpose::File).unwrap(), b"plain");
        let text = seal_text("推进情况");
        assert!(text.starts_with("LSE1:") && !text.contains("推进"));
        assert_eq!(open_text(&text).unwrap(), "推进情况");
        assert_eq!(text_sealed_with(&text), Some(7));
        assert_eq!(open_text("旧数据").unwrap(), "旧数据");
        assert_ne!(seal_text("推进情况"), text, "a fresh nonce each time");
    }
}
