//! The password policy: at least 8 characters of at least 3 kinds (lower case, upper case, digits,
//! other symbols). Errors are user-facing Chinese.

/// Checks a new password against the policy.
pub fn check(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("密码至少 8 位");
    }
    if password.chars().count() > 128 {
        return Err("密码不能超过 128 位");
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return Err("密码须包含小写字母、大写字母、数字、符号中的至少三类");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn policy() {
        assert!(check("Ab1").is_err());
        assert!(check("abcdefgh").is_err());
        assert!(check("abcdefg1").is_err());
        assert!(check("abcdef1A").is_ok());
        assert!(check("abcdef1!").is_ok());
        assert!(check("落实落实落实1!a").is_ok());
    }
}
