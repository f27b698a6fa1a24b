//! The password policy: at least 8 characters of at least 3 kinds (lower case, upper case, digits,
//! other symbols), and not a guessable one: a common word, name or keyboard walk dressed with
//! capitals, digits, symbols, years and look-alike characters (`P@ssw0rd`, `Admin@123`,
//! `1qaz@WSX`, `Ftz@2026`), nor one built on the account's own name. Errors are user-facing Chinese.

/// Words and walks common passwords are built on (English, pinyin, this zone's own words); each
/// stands for the thousands of passwords made by dressing it (see [`undress`]).
const COMMON: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "admin",
    "administrator",
    "root",
    "user",
    "guest",
    "test",
    "login",
    "welcome",
    "hello",
    "letmein",
    "master",
    "secret",
    "super",
    "manager",
    "system",
    "default",
    "changeme",
    "abc",
    "abcd",
    "abcde",
    "abcdef",
    "abcdefg",
    "qwe",
    "qwer",
    "qwert",
    "qwerty",
    "qwertyuiop",
    "asdf",
    "asdfgh",
    "asdfghjkl",
    "zxcv",
    "zxcvbn",
    "zxcvbnm",
    "qaz",
    "qazwsx",
    "qazwsxedc",
    "zaqwsx",
    "qazxsw",
    "zaqxsw",
    "zaq",
    "wsx",
    "edc",
    "qweasd",
    "qweasdzxc",
    "asdzxc",
    "iloveyou",
    "love",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "shadow",
    "michael",
    "superman",
    "batman",
    "trustno",
    "whatever",
    "computer",
    "internet",
    "server",
    "oracle",
    "mysql",
    "postgres",
    "database",
    "office",
    "company",
    "china",
    "beijing",
    "shanghai",
    "woaini",
    "aini",
    "wanganquan",
    "mima",
    "mimamima",
    "zhangsan",
    "lisi",
    "wangwu",
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "zhou",
    "wu",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "luo",
    "gao",
    "zheng",
    "liang",
    "xie",
    "tang",
    "han",
    "feng",
    "ftz",
    "zmq",
    "zimaoqu",
    "zimao",
    "zmsyq",
    "zhongguo",
    "guangxi",
    "gx",
    "gxzmq",
    "nanning",
    "qinzhou",
    "qinzhougang",
    "chongzuo",
    "beibuwan",
    "dongmeng",
    "asean",
    "zhengfu",
    "gov",
    "luoshi",
    "dc",
    "duban",
    "ducha",
    "xinxi",
    "baosong",
    "lingdao",
    "bangongshi",
];

/// Keyboard rows and the digit row, for walks (`qwer`, `asdf`, `1qaz`, `7410`).
const ROWS: &[&str] = &[
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb",
    "zaq1xsw2cde3",
    "qazwsxedcrfv",
    "0987654321",
    "abcdefghijklmnopqrstuvwxyz",
];

/// What is left of a password once its dressing is undone: lower case, look-alikes read back
/// (`@`→a, `0`→o, `1`/`!`→i, `3`→e, `$`/`5`→s, `7`→t), digits and symbols dropped.
fn undress(password: &str) -> String {
    password
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            '@' | '4' => Some('a'),
            '0' => Some('o'),
            '1' | '!' | '|' => Some('i'),
            '3' => Some('e'),
            '$' | '5' => Some('s'),
            '7' => Some('t'),
            c if c.is_ascii_lowercase() => Some(c),
            c if c.is_alphanumeric() && !c.is_ascii() => Some(c),
            _ => None,
        })
        .collect()
}

/// Letters only (the dressing dropped, look-alikes not read back): `1qaz@WSX` → `qazwsx`.
fn letters(password: &str) -> String {
    password
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// Whether `s` runs along a keyboard row or the alphabet, either way (at least 3 long).
fn walk(s: &str) -> bool {
    s.chars().count() >= 3
        && ROWS.iter().any(|row| {
            let rev: String = row.chars().rev().collect();
            row.contains(s) || rev.contains(s)
        })
}

/// Why a password is guessable, or None: `context` holds the account's own names (user name,
/// display name), which a password may not be built on either.
pub fn guessable(password: &str, context: &[&str]) -> Option<&'static str> {
    let lower = password.to_lowercase();
    let core = undress(password);
    let bare = letters(password);
    let digits: String = password.chars().filter(|c| c.is_ascii_digit()).collect();
    let distinct = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort();
        v.dedup();
        v.len()
    };
    let common = |s: &str| COMMON.contains(&s) || walk(s);
    if bare.chars().count() <= 2 || distinct(&core) <= 2 || distinct(&lower) <= 3 {
        return Some("密码过于简单（字母太少或字符重复），请换一个");
    }
    // The dressing at the ends (digits, symbols) dropped before look-alikes are read back, so
    // `P@$$w0rd123` is `password`, not `passwordie`.
    let inner =
        undress(password.trim_matches(|c: char| c.is_ascii_digit() || !c.is_alphanumeric()));
    // A common word with a short tail or head: `passwordx`, `xadmin`.
    let padded = COMMON.iter().any(|w| {
        w.len() >= 4 && (core.starts_with(w) || core.ends_with(w)) && core.len() <= w.len() + 3
    });
    // `Password1`, `P@ssw0rd`, `Admin@123`, `1qaz@WSX`: a common word or walk, dressed.
    if common(&core)
        || common(&inner)
        || common(&bare)
        || padded
        || walk(&digits) && digits.len() == password.len()
    {
        return Some("密码是常见密码的变形（如 P@ssw0rd、Admin@123、1qaz@WSX），请换一个");
    }
    // Two common words, or a common word and a walk, run together (`adminqwer`, `woaini1314`).
    for whole in [&core, &inner, &bare] {
        for split in 1..whole.len() {
            if whole.is_char_boundary(split) {
                let (a, b) = whole.split_at(split);
                if common(a) && common(b) {
                    return Some("密码由常见单词或键盘序列组成，请换一个");
                }
            }
        }
    }
    for name in context {
        let name = letters(name);
        if name.chars().count() >= 3 && (core.contains(&name) || bare.contains(&name)) {
            return Some("密码不能包含用户名或姓名");
        }
    }
    None
}

/// Checks a new password against the policy.
pub fn check(password: &str) -> Result<(), &'static str> {
    check_for(password, &[])
}

/// Checks a new password for an account whose names are `context` (user name, display name).
pub fn check_for(password: &str, context: &[&str]) -> Result<(), &'static str> {
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
    match guessable(password, context) {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{check, check_for};

    /// Hole 2: what a spraying attack tried first is refused; strong ones pass.
    #[test]
    fn password_spraying_works() {
        for weak in [
            "Password1",
            "Aa123456",
            "P@ssw0rd",
            "Admin@123",
            "1qaz@WSX",
            "Qwer1234!",
            "Ftz@2026",
            "Gxzmq#2026",
            "Woaini1314!",
            "Abc@12345",
            "Zaq1@wsx",
            "Nanning@2026",
            "P@$$w0rd123",
            "Admin123!",
            "Qwerty!23",
            "Luoshi@2026",
            "Adminqwer1!",
        ] {
            assert!(check(weak).is_err(), "{weak} was accepted");
        }
        assert!(check_for("Shangwu#83kq", &["shangwu", "商务厅联络员"]).is_err());
        for strong in [
            "Zm8#kLq2!vR7",
            "Ht7%vNw2pQx",
            "M3!eU8#bF3#pM7%c",
            "落实落实落实1!a",
        ] {
            assert_eq!(check(strong), Ok(()), "{strong}");
        }
    }

    #[test]
    fn policy() {
        assert!(check("Ab1").is_err());
        assert!(check("abcdefgh").is_err());
        assert!(check("abcdefg1").is_err());
        assert!(check("Ktp9xbwA").is_ok());
        assert!(check("vbnrt1!x").is_ok());
        // An alphabet run is a walk, however dressed.
        assert!(check("abcdef1!").is_err());
        assert!(check("落实落实落实1!a").is_ok());
    }
}
