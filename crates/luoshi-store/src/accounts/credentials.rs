//! Secrets: random tokens, token digests (only a cookie's SHA-256 is stored), argon2id password
//! hashes, generated passwords that meet the policy, and the first admin account.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use luoshi_domain::accounts::Role;
use luoshi_domain::registry::{OFFICE, UnitKind};
use sha2::{Digest, Sha256};

use crate::accounts::NewUser;
use crate::{Actor, Store, StoreResult};

/// Random bytes as URL-safe text.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(buf)
}

/// What is stored of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A valid argon2id hash of a random string, checked against when the user does not exist, so
/// timing does not tell which names exist.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3fQ0VtMTMk3v0C8UJ0y2y1mJX7o8Xx7nVh7i5wqD4gU";

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with a fresh salt succeeds")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A generated password that meets the policy: 16 characters from four classes.
pub fn new_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"!#%+=?@",
    ];
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).expect("the OS random source works");
    let mut out: Vec<u8> = raw
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let set = SETS[i % 4];
            set[*b as usize % set.len()]
        })
        .collect();
    out.rotate_left((raw[0] % 16) as usize);
    String::from_utf8(out).expect("ascii")
}

/// An account made at first start.
#[derive(Debug, Clone)]
pub struct FirstAccount {
    pub username: String,
    pub role: Role,
    pub password: String,
}

/// The accounts first start makes: the office's administrator and the three custodians (三员),
/// who are made here and by no one else. (user name, display name, role.)
pub const FIRST_ACCOUNTS: [(&str, &str, Role); 4] = [
    ("admin", "办公室管理员", Role::Admin),
    ("sysadmin", "系统管理员", Role::SystemAdmin),
    ("secadmin", "安全管理员", Role::SecurityAdmin),
    ("auditadmin", "审计管理员", Role::AuditAdmin),
];

/// The office unit and the first accounts ([`FIRST_ACCOUNTS`]), created on first run with
/// generated passwords, which are returned (to be written where only the operator reads them).
/// `must_change`: each owner must change the password at first sign-in (a real deployment; the
/// demo prints its passwords for trying out). `None` when accounts exist.
pub async fn bootstrap_admin(
    store: &dyn Store,
    must_change: bool,
) -> StoreResult<Option<Vec<FirstAccount>>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let actor = Actor::system("首次启动");
    store.seed_registry(&actor).await?;
    let office = match store.unit_by_name(OFFICE).await? {
        Some(u) => u,
        None => {
            store
                .create_unit(&actor, OFFICE, UnitKind::RegionalDept)
                .await?
        }
    };
    let mut made = Vec::new();
    for (username, display_name, role) in FIRST_ACCOUNTS {
        let password = new_password();
        store
            .create_user(
                &actor,
                NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    role,
                    unit_id: office.id,
                    password_hash: hash_password(&password),
                    must_change_password: must_change,
                },
            )
            .await?;
        made.push(FirstAccount {
            username: username.into(),
            role,
            password,
        });
    }
    Ok(Some(made))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_policy_and_verify() {
        for _ in 0..20 {
            let p = new_password();
            assert!(luoshi_domain::accounts::password::check(&p).is_ok(), "{p}");
        }
        let p = new_password();
        let h = hash_password(&p);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&p, &h));
        assert!(!verify_password("wrong", &h));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        assert_ne!(random_token(16), random_token(16));
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
