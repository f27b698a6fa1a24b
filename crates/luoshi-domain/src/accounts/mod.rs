//! Roles, and what each may see and change.
//!
//! Visibility is decided here and enforced by storage queries: a unit-scoped role sees the tasks of
//! its own unit (and of the units its unit succeeded), an area committee the tasks of its area;
//! anything else answers "not found", so a user cannot even learn that another unit's object exists.

pub mod password;

use serde::{Deserialize, Serialize};

/// A user's role. Every account belongs to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 领导小组办公室: imports documents, edits the registry, manages users.
    Admin,
    /// 信息联络员 of a department: its own unit's work.
    Liaison,
    /// 领导: reads everything, changes nothing.
    Leader,
    /// 片区管委会: its area's work.
    AreaCommittee,
    /// 设区市人民政府: its own unit's work.
    CityGov,
    /// 系统管理员 (三员): accounts and settings; reads no ledger and no audit log.
    SystemAdmin,
    /// 安全管理员 (三员): login pauses, second-factor resets, the security policy.
    SecurityAdmin,
    /// 审计管理员 (三员): reads and exports the audit log, nothing else.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Liaison,
        Role::Leader,
        Role::AreaCommittee,
        Role::CityGov,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    /// The roles that do the zone's work, which the system administrator may give an account.
    /// The three custodians (三员) are created at first start and by no one else, so the system
    /// administrator cannot make an auditor of their own.
    pub const BUSINESS: [Role; 5] = [
        Role::Admin,
        Role::Liaison,
        Role::Leader,
        Role::AreaCommittee,
        Role::CityGov,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "领导小组办公室",
            Role::Liaison => "信息联络员",
            Role::Leader => "领导",
            Role::AreaCommittee => "片区管委会",
            Role::CityGov => "设区市人民政府",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Liaison => "liaison",
            Role::Leader => "leader",
            Role::AreaCommittee => "area_committee",
            Role::CityGov => "city_gov",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role reads the whole ledger.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }

    /// One of the three custodians (三员: system, security, audit), who run the system and see
    /// none of the zone's work.
    pub fn is_custodian(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// Where the role starts after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Role::SystemAdmin => "/users",
            Role::SecurityAdmin => "/security",
            Role::AuditAdmin => "/audit",
            _ => "/",
        }
    }

    /// Whether the role must sign in with a second factor (等保 8.1.4.1d): the office's
    /// administrators and the three custodians.
    pub fn needs_second_factor(self) -> bool {
        self == Role::Admin || self.is_custodian()
    }
}

/// What a request needs before its handler runs. Every route names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login page, assets, health).
    Public,
    /// Any signed-in account, also one that must first change its password or enrol a second
    /// factor: its own account page, signing out.
    Account,
    /// Any signed-in user of the zone's work; the handler scopes what it shows.
    Reader,
    /// Signed in and allowed to do their unit's work (file reports, answer supervision items):
    /// every role but the read-only leader. The handler checks the object is the unit's own.
    Writer,
    /// Signed in and allowed to change the ledger (import, registry edits, users).
    Admin,
    /// A leader's 批示 on a task (it becomes a supervision item), or the office recording one.
    Instruct,
    /// The system administrator: accounts and settings.
    System,
    /// The security administrator: login pauses, second-factor resets.
    Security,
    /// The audit administrator: the audit log.
    Audit,
}

impl Access {
    /// Whether a signed-in user of `role` passes.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Account => true,
            Access::Reader => !role.is_custodian(),
            Access::Writer => !role.is_custodian() && role != Role::Leader,
            Access::Admin => role == Role::Admin,
            Access::Instruct => matches!(role, Role::Admin | Role::Leader),
            Access::System => role == Role::SystemAdmin,
            Access::Security => role == Role::SecurityAdmin,
            Access::Audit => role == Role::AuditAdmin,
        }
    }
}

/// Failed logins from one address within [`ADDRESS_WINDOW`] seconds after which that address is
/// throttled (password spraying across many accounts).
pub const ADDRESS_LIMIT: i64 = 20;
pub const ADDRESS_WINDOW: i64 = 10 * 60;
/// Failed logins of one account from one address within [`PAIR_WINDOW`] seconds after which that
/// address may not try that account. The account stays open from every other address, so an
/// attacker cannot lock the office's only administrator out.
pub const PAIR_LIMIT: i64 = 5;
pub const PAIR_WINDOW: i64 = 30 * 60;
/// Failed logins of one account from all addresses within an hour that alert the security
/// administrator (a distributed guess).
pub const ACCOUNT_ALERT: i64 = 30;

/// Whether a login attempt may be checked at all, from the failures counted in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    Open,
    /// Too many failures from this address, whatever the account.
    AddressThrottled,
    /// Too many failures of this account from this address.
    PairLocked,
}

/// The gate for an attempt, given the failures from its address (last [`ADDRESS_WINDOW`]) and of
/// its account from its address (last [`PAIR_WINDOW`]).
pub fn login_gate(address_failures: i64, pair_failures: i64) -> LoginGate {
    if address_failures >= ADDRESS_LIMIT {
        LoginGate::AddressThrottled
    } else if pair_failures >= PAIR_LIMIT {
        LoginGate::PairLocked
    } else {
        LoginGate::Open
    }
}

/// Longest a session lives, however busy (等保: absolute lifetime ≤ 12 h).
pub const SESSION_MAX_SECS: i64 = 12 * 3600;
/// Idle time after which a session ends: 15 minutes for the office's administrators, 30 for
/// everyone else.
pub fn session_idle_secs(role: Role) -> i64 {
    if role == Role::Admin || role.is_custodian() {
        15 * 60
    } else {
        30 * 60
    }
}
/// Sessions one account may hold at once; a new sign-in ends the oldest beyond it.
pub const MAX_SESSIONS: i64 = 3;

/// Why a session has ended at `now`, or None while it lives.
pub fn session_ended(
    role: Role,
    created_at: i64,
    last_seen: i64,
    now: i64,
) -> Option<&'static str> {
    if now - created_at > SESSION_MAX_SECS {
        Some("登录已超过 12 小时，请重新登录")
    } else if now - last_seen > session_idle_secs(role) {
        Some("长时间未操作，请重新登录")
    } else {
        None
    }
}

/// The session cookie's name: under TLS with the `__Host-` prefix, so no other host (a sibling
/// subdomain) can set or shadow it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-luoshi_session"
    } else {
        "luoshi_session"
    }
}

/// Days a password lives before its owner must change it (等保: ≤ 90).
pub const PASSWORD_MAX_AGE_DAYS: i64 = 90;
/// Earlier passwords a new one may not repeat.
pub const PASSWORD_HISTORY: usize = 5;

/// What an account must do before it may do anything else (only its account page and signing
/// out are open to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    /// A first sign-in with the password an administrator set, or one reset by an administrator.
    FirstPassword,
    /// The password is older than [`PASSWORD_MAX_AGE_DAYS`].
    ExpiredPassword,
    /// The role needs a second factor and none is enrolled.
    SecondFactor,
}

impl Pending {
    pub fn code(self) -> &'static str {
        match self {
            Pending::FirstPassword => "password_change_required",
            Pending::ExpiredPassword => "password_expired",
            Pending::SecondFactor => "second_factor_required",
        }
    }

    /// Said on the account page and in the API's refusal.
    pub fn reason(self) -> &'static str {
        match self {
            Pending::FirstPassword => {
                "这是管理员设置的初始密码或重置后的密码，请先修改密码再使用系统"
            }
            Pending::ExpiredPassword => "密码已使用超过 90 天，请先修改密码再使用系统",
            Pending::SecondFactor => {
                "管理员账户须绑定动态口令（双因素认证）后才能使用系统，请先完成绑定"
            }
        }
    }
}

/// What an account must do first, if anything: a password set by someone else or older than 90
/// days must be changed, then a role that needs a second factor must enrol one.
pub fn pending_step(
    role: Role,
    must_change_password: bool,
    password_changed_at: i64,
    second_factor: bool,
    now: i64,
) -> Option<Pending> {
    if must_change_password {
        Some(Pending::FirstPassword)
    } else if now - password_changed_at > PASSWORD_MAX_AGE_DAYS * 86_400 {
        Some(Pending::ExpiredPassword)
    } else if role.needs_second_factor() && !second_factor {
        Some(Pending::SecondFactor)
    } else {
        None
    }
}

/// Whether a one-time code matched at time step `step` may be accepted after the account's last
/// accepted step: a code is good once, and never one older than the last (replay within the
/// window is refused).
pub fn fresh_step(last_accepted: Option<i64>, step: i64) -> bool {
    last_accepted.is_none_or(|last| step > last)
}

/// A user name as it is stored and looked up: NFKC-folded (ｓｈａｎｇｗｕ → shangwu), lower case, 2–32
/// of `a-z 0-9 . _ -`, starting with a letter or digit. Anything else — a zero-width character, a
/// Cyrillic `а` posing as a Latin `a`, spaces — is refused, so two accounts never look alike.
pub fn normalize_username(raw: &str) -> Result<String, &'static str> {
    use unicode_normalization::UnicodeNormalization;
    let name: String = raw.trim().nfkc().collect::<String>().to_lowercase();
    let ok = (2..=32).contains(&name.chars().count())
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name)
    } else {
        Err("用户名须为 2–32 位英文字母、数字或 . _ -，以字母或数字开头")
    }
}

/// Where a login may send the browser afterwards: a path on this site only. Refused (None): an
/// absolute or scheme-relative URL, a backslash (browsers read `/\evil` as `//evil`), and any
/// control or whitespace character (`/\t/evil.example` is followed off-site; CR/LF would split the
/// header).
pub fn safe_next(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace() || is_invisible(c))
        && next.len() <= 2000;
    ok.then_some(next)
}

/// Format characters that display as nothing (zero-width, bidi overrides).
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether a form post without a session comes from this site: its `Origin` must name `host`.
/// A post without `Origin` (an old browser, a script) passes; `Origin: null` (a sandboxed frame, a
/// `data:` page) does not.
pub fn same_origin(origin: Option<&str>, host: Option<&str>) -> bool {
    match (origin, host) {
        (None, _) => true,
        (Some("null"), _) | (Some(_), None) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest == host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_passes_each_access_level() {
        use Access::*;
        // Columns: Account, Reader, Writer, Admin, Instruct, System, Security, Audit.
        let table: [(Role, [bool; 8]); 8] = [
            (
                Role::Admin,
                [true, true, true, true, true, false, false, false],
            ),
            (
                Role::Liaison,
                [true, true, true, false, false, false, false, false],
            ),
            (
                Role::Leader,
                [true, true, false, false, true, false, false, false],
            ),
            (
                Role::AreaCommittee,
                [true, true, true, false, false, false, false, false],
            ),
            (
                Role::CityGov,
                [true, true, true, false, false, false, false, false],
            ),
            (
                Role::SystemAdmin,
                [true, false, false, false, false, true, false, false],
            ),
            (
                Role::SecurityAdmin,
                [true, false, false, false, false, false, true, false],
            ),
            (
                Role::AuditAdmin,
                [true, false, false, false, false, false, false, true],
            ),
        ];
        let levels = [
            Account, Reader, Writer, Admin, Instruct, System, Security, Audit,
        ];
        for (role, want) in table {
            for (level, want) in levels.iter().zip(want) {
                assert_eq!(level.allows(role), want, "{role:?} {level:?}");
            }
            assert!(Public.allows(role));
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert!(Role::Leader.sees_everything());
        assert!(!Role::Liaison.sees_everything());
        assert!(!Role::SystemAdmin.sees_everything());
        assert!(Role::BUSINESS.iter().all(|r| !r.is_custodian()));
    }

    #[test]
    fn an_account_changes_its_password_then_enrols_a_second_factor_first() {
        let day = 86_400;
        let now = 200 * day;
        let table = [
            (Role::Liaison, false, now - 10 * day, false, None),
            (
                Role::Liaison,
                true,
                now,
                false,
                Some(Pending::FirstPassword),
            ),
            (
                Role::Liaison,
                false,
                now - 91 * day,
                false,
                Some(Pending::ExpiredPassword),
            ),
            (Role::Liaison, false, now - 90 * day, false, None),
            (Role::Admin, false, now, false, Some(Pending::SecondFactor)),
            (Role::Admin, false, now, true, None),
            (Role::Admin, true, now, false, Some(Pending::FirstPassword)),
            (
                Role::AuditAdmin,
                false,
                now,
                false,
                Some(Pending::SecondFactor),
            ),
            (Role::Leader, false, now, false, None),
        ];
        for (role, must, changed, factor, want) in table {
            assert_eq!(
                pending_step(role, must, changed, factor, now),
                want,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_one_time_code_is_good_once() {
        let table = [
            (None, 100, true),
            (Some(99), 100, true),
            (Some(100), 100, false),
            (Some(101), 100, false),
        ];
        for (last, step, want) in table {
            assert_eq!(fresh_step(last, step), want, "{last:?} {step}");
        }
    }

    #[test]
    fn a_login_sends_the_browser_only_to_a_path_on_this_site() {
        let table: &[(&str, bool)] = &[
            ("/", true),
            ("/tasks?unit=3", true),
            ("/reporting/tasks/1/2026-Q3#r4", true),
            ("//evil.example", false),
            ("/\\evil.example", false),
            ("/\t/evil.example", false),
            ("/a\r\nSet-Cookie: x=1", false),
            ("/a b", false),
            ("/\u{202E}gpj.exe", false),
            ("https://evil.example", false),
            ("evil", false),
            ("", false),
        ];
        for (next, ok) in table {
            assert_eq!(safe_next(next).is_some(), *ok, "{next:?}");
        }
    }

    #[test]
    fn a_post_without_a_session_must_come_from_this_site() {
        let host = Some("luoshi.gov:8080");
        let table = [
            (None, host, true),
            (Some("http://luoshi.gov:8080"), host, true),
            (Some("https://luoshi.gov:8080"), host, true),
            (Some("null"), host, false),
            (Some("http://evil.example"), host, false),
            (Some("file://luoshi.gov:8080"), host, false),
            (Some("http://luoshi.gov:8080"), None, false),
        ];
        for (origin, host, ok) in table {
            assert_eq!(same_origin(origin, host), ok, "{origin:?}");
        }
    }

    #[test]
    fn user_names_are_folded_and_never_look_alike() {
        let table: &[(&str, Option<&str>)] = &[
            ("shangwu", Some("shangwu")),
            (" Admin ", Some("admin")),
            ("ｓｈａｎｇｗｕ", Some("shangwu")),
            ("li.ming_2", Some("li.ming_2")),
            ("admin\u{200b}", None),
            ("\u{0430}dmin", None),
            ("张三", None),
            ("a", None),
            ("-admin", None),
            ("ad min", None),
            (&"x".repeat(33), None),
        ];
        for (raw, want) in table {
            assert_eq!(normalize_username(raw).ok().as_deref(), *want, "{raw:?}");
        }
    }

    #[test]
    fn sessions_end_after_twelve_hours_or_when_idle() {
        let h = 3600;
        let table = [
            (Role::Liaison, 0, 0, 29 * 60, None),
            (
                Role::Liaison,
                0,
                0,
                31 * 60,
                Some("长时间未操作，请重新登录"),
            ),
            (Role::Admin, 0, 0, 14 * 60, None),
            (Role::Admin, 0, 0, 16 * 60, Some("长时间未操作，请重新登录")),
            (
                Role::Liaison,
                0,
                12 * h,
                12 * h + 60,
                Some("登录已超过 12 小时，请重新登录"),
            ),
            (Role::Leader, 0, 11 * h, 11 * h + 60, None),
        ];
        for (role, created, seen, now, want) in table {
            assert_eq!(
                session_ended(role, created, seen, now),
                want,
                "{role:?} {now}"
            );
        }
        assert_eq!(session_cookie_name(true), "__Host-luoshi_session");
        assert_eq!(session_cookie_name(false), "luoshi_session");
    }

    #[test]
    fn guessing_is_throttled_per_address_and_locked_per_account_and_address() {
        let table = [
            (0, 0, LoginGate::Open),
            (4, 4, LoginGate::Open),
            (5, 5, LoginGate::PairLocked),
            (19, 2, LoginGate::Open),
            (20, 0, LoginGate::AddressThrottled),
            (25, 5, LoginGate::AddressThrottled),
        ];
        for (address, pair, want) in table {
            assert_eq!(login_gate(address, pair), want, "{address} {pair}");
        }
    }
}
