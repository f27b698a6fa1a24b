//! The second factor: RFC 6238 time-based codes (totp-rs), the enrolment QR code drawn as SVG on
//! the server (no image leaves the intranet), and one-time recovery codes.
//!
//! A factor is a `kind` and a secret; only `totp` exists today. An SM2 UKey or an SM3-based OTP
//! would be another kind with its own [`Verifier`], stored the same way.

use totp_rs::{Algorithm, TOTP};

use crate::accounts::credentials::token_hash;

/// The only factor kind so far.
pub const TOTP: &str = "totp";
/// Seconds per code.
pub const STEP: u64 = 30;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer an authenticator app shows.
const ISSUER: &str = "Luoshi";

/// A way of checking a code against a stored secret.
pub trait Verifier {
    /// The time step at which `code` is right at `now` (one step of clock drift either way), or
    /// None.
    fn matched_step(&self, code: &str, now: i64) -> Option<i64>;
}

/// RFC 6238: HMAC-SHA1, 6 digits, 30-second steps (what every authenticator app reads).
pub struct Totp(TOTP);

impl Totp {
    /// The verifier for a stored secret (at least 16 bytes), labelled with the account's name.
    pub fn new(secret: &[u8], username: &str) -> Option<Totp> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            STEP,
            secret.to_vec(),
            Some(ISSUER.into()),
            username.replace(':', "_"),
        )
        .ok()
        .map(Totp)
    }

    /// The secret as an app's manual entry takes it (base32).
    pub fn secret_text(&self) -> String {
        self.0.get_secret_base32()
    }

    /// The `otpauth://` address the QR code carries.
    pub fn url(&self) -> String {
        self.0.get_url()
    }

    /// The code at `now` (the demo and tests compute what an app would show).
    pub fn code_at(&self, now: i64) -> String {
        self.0.generate(now.max(0) as u64)
    }

    /// The enrolment QR code as an SVG document.
    pub fn qr_svg(&self) -> String {
        qr_svg(&self.url())
    }
}

impl Verifier for Totp {
    fn matched_step(&self, code: &str, now: i64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let step = now / STEP as i64;
        [step - 1, step, step + 1]
            .into_iter()
            .find(|s| *s >= 0 && constant_eq(&self.0.generate(*s as u64 * STEP), &code))
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A new random secret (160 bits, RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    let mut buf = vec![0u8; 20];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf
}

/// A secret from its base32 text (RFC 4648, as authenticator apps show it; spaces, dashes and
/// padding ignored).
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'-' | b'=')) {
        let v = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

/// `text` as a QR code in SVG (medium error correction, 4-module quiet zone).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// New recovery codes, `xxxx-xxxx-xxxx` from an alphabet without look-alikes (60 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut raw = [0u8; 12];
            getrandom::fill(&mut raw).expect("the OS random source works");
            let chars: Vec<char> = raw
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What is stored of a recovery code: the digest of its folded form (case, spaces and dashes do
/// not matter when it is typed).
pub fn recovery_hash(code: &str) -> String {
    let folded: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_hash(&format!("recovery:{folded}"))
}

/// Whether typed text looks like a recovery code rather than a six-digit code.
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_and_one_step_of_drift() {
        // RFC 6238's SHA-1 test secret; at T = 59 s its 8-digit code ends in 287082.
        let secret = b"12345678901234567890";
        let t = Totp::new(secret, "admin").unwrap();
        assert_eq!(t.code_at(59), "287082");
        assert_eq!(t.matched_step("287082", 59), Some(1));
        assert_eq!(t.matched_step("287 082", 59 + 30), Some(1));
        assert_eq!(t.matched_step("287082", 59 + 61), None);
        assert_eq!(t.matched_step("28708", 59), None);
        assert_eq!(t.matched_step("abcdef", 59), None);
        assert!(t.url().starts_with("otpauth://totp/Luoshi:admin?"));
        assert!(t.qr_svg().starts_with("<?xml"));
        assert_eq!(
            secret_from_text(&t.secret_text()).as_deref(),
            Some(&secret[..])
        );
        assert_eq!(secret_from_text("not base32!"), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_fold_when_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        let c = &codes[0];
        assert!(looks_like_recovery_code(c));
        assert!(!looks_like_recovery_code("123456"));
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
    }
}
