//! The operator's commands: backups and restores of the embedded database, the audit log's check,
//! and the secrets kept beside the database (the audit key, the first admin's password), each in
//! a file only its owner reads.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use luoshi_store_sql::SqlStore;

use crate::ledger_cmd::DbArgs;

/// `luoshi backup`: a verified online snapshot of the SQLite database.
pub async fn backup(db: &Path, to: &Path) -> Result<ExitCode> {
    if !db.exists() {
        bail!("数据库文件不存在：{}", db.display());
    }
    let store = SqlStore::open_sqlite(db)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let r = store.backup_to(to).await.map_err(|e| anyhow!("{e}"))?;
    println!(
        "已备份到 {}（{} 字节，校验通过：数据库版本 {}，文件 {} 份，报送 {} 份，审计记录 {} 条）",
        to.display(),
        r.bytes,
        r.schema_version,
        r.documents,
        r.reports,
        r.audit_records
    );
    Ok(ExitCode::SUCCESS)
}

/// `luoshi restore`: replaces the database with a backup, after verifying the backup.
pub async fn restore(from: &Path, db: &Path) -> Result<ExitCode> {
    let r = luoshi_store_sql::backup::restore(from, db)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "已从 {} 恢复到 {}（数据库版本 {}，文件 {} 份，报送 {} 份，审计记录 {} 条）",
        from.display(),
        db.display(),
        r.schema_version,
        r.documents,
        r.reports,
        r.audit_records
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads the audit sealing key from `path`, creating it (random, owner-only) when missing.
pub fn load_audit_key(path: &Path) -> Result<()> {
    let key = match std::fs::read(path) {
        Ok(k) if k.len() >= 16 => k,
        Ok(_) => bail!("审计密钥文件过短：{}", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = luoshi_store::accounts::credentials::random_token(48).into_bytes();
            write_private(path, &key)?;
            key
        }
        Err(e) => bail!("无法读取审计密钥文件 {}：{e}", path.display()),
    };
    luoshi_store_sql::audit::seal::set_audit_key(&key);
    Ok(())
}

/// Loads the data encryption keys from `path`, creating the file with one random key (owner-only)
/// when missing.
pub fn load_data_key(path: &Path) -> Result<()> {
    use luoshi_store_sql::encryption::{next_key_line, parse_keys, set_data_keys};
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let line = next_key_line(&[]).map_err(|m| anyhow!(m))?;
            let text = format!(
                "# 落实数据加密密钥（SM4-GCM）：每行“编号:密钥”，最后一行用于加密；勿删除仍在使用的旧密钥\n{line}\n"
            );
            write_private(path, text.as_bytes())?;
            text
        }
        Err(e) => bail!("无法读取数据密钥文件 {}：{e}", path.display()),
    };
    let keys = parse_keys(&text).map_err(|m| anyhow!("数据密钥文件 {}：{m}", path.display()))?;
    set_data_keys(keys);
    Ok(())
}

/// `luoshi key rotate`: adds a new key to the data key file; new writes use it, older keys still
/// read what they sealed until `luoshi key rekey`.
pub fn key_rotate(db: &crate::ledger_cmd::DbArgs) -> Result<ExitCode> {
    use luoshi_store_sql::encryption::{next_key_line, parse_keys};
    let path = db.data_key_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow!("无法读取数据密钥文件 {}：{e}", path.display()))?;
    let keys = parse_keys(&text).map_err(|m| anyhow!("{m}"))?;
    let line = next_key_line(&keys).map_err(|m| anyhow!(m))?;
    let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
    std::io::Write::write_all(&mut file, format!("{line}\n").as_bytes())?;
    let id = line.split(':').next().unwrap_or("?");
    println!(
        "已在 {} 增加密钥 {id}：重启各服务进程后新数据用它加密；运行 luoshi key rekey 重新加密旧数据后，旧密钥方可删除",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `luoshi key rekey`: re-encrypts every stored file and narrative with the newest key.
pub async fn key_rekey(db: &crate::ledger_cmd::DbArgs) -> Result<ExitCode> {
    let store = db.open_sql().await?;
    let done = store.rekey().await.map_err(|e| anyhow!("{e}"))?;
    println!(
        "已用最新密钥重新加密：文件 {} 份，报送正文 {} 份",
        done.files, done.narratives
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes bytes to a new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// `luoshi audit verify`: recomputes the audit log's seal chain; fails when it is broken.
pub async fn audit_verify(db: &DbArgs) -> Result<ExitCode> {
    let store = db.open().await?;
    let check = store.verify_chain().await?;
    println!("{}", check.words());
    Ok(if check.broken_at.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes the first accounts' passwords to a file only its owner can read (never to the terminal
/// or a log) and returns its path.
pub(crate) fn write_initial_password(
    dir: &Path,
    accounts: &[luoshi_store::accounts::credentials::FirstAccount],
) -> Result<PathBuf> {
    let path = dir.join("luoshi-initial-admin.txt");
    let text: String = accounts
        .iter()
        .map(|a| {
            format!(
                "用户名：{}（{}）\n密码：{}\n",
                a.username,
                a.role.label(),
                a.password
            )
        })
        .collect();
    write_private(&path, text.as_bytes())?;
    Ok(path)
}

/// Enrols a second factor for a demo account; returns its secret (base32) and recovery codes.
pub(crate) async fn enrol_demo_factor(
    store: &dyn luoshi_store::Store,
    username: &str,
) -> Result<(String, Vec<String>)> {
    use luoshi_store::accounts::second_factor::{
        TOTP, Totp, Verifier, new_recovery_codes, new_secret, recovery_hash,
    };
    let user = store
        .credentials(username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {username}"))?
        .user;
    let actor = luoshi_store::Actor::system("演示数据");
    let secret = new_secret();
    store
        .begin_second_factor(&actor, user.id, TOTP, &secret)
        .await?;
    let totp = Totp::new(&secret, username).ok_or_else(|| anyhow::anyhow!("bad secret"))?;
    let now = luoshi_store::now();
    // Enrolment is confirmed one step back, so the code showing now still signs in.
    let step = totp
        .matched_step(&totp.code_at(now - 30), now)
        .ok_or_else(|| anyhow::anyhow!("code does not verify"))?;
    let codes: Vec<String> = new_recovery_codes().into_iter().take(3).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    store
        .confirm_second_factor(&actor, user.id, step, &hashes)
        .await?;
    Ok((totp.secret_text(), codes))
}

/// `luoshi otp SECRET`: the code an authenticator app shows now for a base32 secret (for the demo
/// and for rehearsals without a phone).
pub fn otp(secret: &str) -> Result<ExitCode> {
    let bytes = luoshi_store::accounts::second_factor::secret_from_text(secret)
        .ok_or_else(|| anyhow::anyhow!("密钥不是有效的 base32"))?;
    let totp = luoshi_store::accounts::second_factor::Totp::new(&bytes, "otp")
        .ok_or_else(|| anyhow::anyhow!("密钥太短（至少 16 字节）"))?;
    println!("{}", totp.code_at(luoshi_store::now()));
    Ok(ExitCode::SUCCESS)
}

/// The TLS configuration of `luoshi serve --tls-cert --tls-key`: rustls with the ring provider,
/// TLS 1.3 and 1.2 only, HTTP/2 and HTTP/1.1 by ALPN.
pub fn tls_config(cert: &Path, key: &Path) -> Result<axum_server::tls_rustls::RustlsConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect())
        .map_err(|e| anyhow!("无法读取证书 {}：{e}", cert.display()))?;
    if certs.is_empty() {
        bail!("证书文件 {} 中没有证书", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow!("无法读取私钥 {}：{e}", key.display()))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| anyhow!("证书与私钥不匹配或不受支持：{e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(
        std::sync::Arc::new(config),
    ))
}
