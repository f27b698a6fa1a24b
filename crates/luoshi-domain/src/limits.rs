//! How long any stored text may be, one rule for every field: names (units, aliases, people) and
//! titles at most 200 characters, bodies (minutes, notes, narratives) at most 100,000. A longer
//! value is refused with the field's name, before anything is written. And how many requests an
//! account may make a minute (`RateLimits`), by kind: reads, writes, files produced.

/// Names of units, aliases and people.
pub const NAME: usize = 200;
/// Titles of items, meetings and tasks.
pub const TITLE: usize = 200;
/// A reference line (where an item came from).
pub const REFERENCE: usize = 1_000;
/// Bodies: minutes, notes, narratives.
pub const BODY: usize = 100_000;

/// Nesting of a JSON body (arrays and objects within each other).
pub const JSON_DEPTH: usize = 32;
/// Uploads (imports, attachments, the report API with its files) read at once by one process;
/// more wait their turn, so concurrent large bodies cannot take the memory.
pub const CONCURRENT_UPLOADS: usize = 4;

/// What a request costs, for the per-account rate limits: reading a page or the API, changing
/// something, or producing a file (an export, a compilation, a download).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Read,
    Write,
    Export,
}

impl RequestKind {
    /// Decided by the method and the route's path pattern: any method that is not safe writes;
    /// a GET whose route ends in a file extension or serves stored files produces a file.
    pub fn of(method_is_safe: bool, route: &str) -> RequestKind {
        if !method_is_safe {
            return RequestKind::Write;
        }
        let file = [".xlsx", ".docx", ".pdf", ".csv"]
            .iter()
            .any(|ext| route.ends_with(ext))
            || route.contains("/attachments/")
            || route.ends_with("/original");
        if file {
            RequestKind::Export
        } else {
            RequestKind::Read
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Read => "read",
            RequestKind::Write => "write",
            RequestKind::Export => "export",
        }
    }

    fn label(self) -> &'static str {
        match self {
            RequestKind::Read => "访问",
            RequestKind::Write => "提交",
            RequestKind::Export => "导出或下载",
        }
    }
}

/// The rate limits' window, seconds: counts start again at each whole minute.
pub const RATE_WINDOW: i64 = 60;

/// Requests one account may make in a minute, across every process of the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub read: i64,
    pub write: i64,
    pub export: i64,
}

impl Default for RateLimits {
    /// Far above what a person does (a page every few seconds, a filing a minute), well below
    /// what a script flooding the server does.
    fn default() -> RateLimits {
        RateLimits {
            read: 600,
            write: 120,
            export: 30,
        }
    }
}

impl RateLimits {
    /// No limit (benchmarks that measure the server, not the limiter).
    pub const UNLIMITED: RateLimits = RateLimits {
        read: i64::MAX,
        write: i64::MAX,
        export: i64::MAX,
    };

    pub fn of(&self, kind: RequestKind) -> i64 {
        match kind {
            RequestKind::Read => self.read,
            RequestKind::Write => self.write,
            RequestKind::Export => self.export,
        }
    }

    /// `READ/WRITE/EXPORT` per minute, e.g. `600/120/30` (the `--rate-limits` flag).
    pub fn parse(text: &str) -> Option<RateLimits> {
        let n: Vec<i64> = text
            .split('/')
            .map(|p| p.trim().parse().ok().filter(|n| *n > 0))
            .collect::<Option<_>>()?;
        match n[..] {
            [read, write, export] => Some(RateLimits {
                read,
                write,
                export,
            }),
            _ => None,
        }
    }
}

/// The window a moment falls in (its first second).
pub fn rate_window(now: i64) -> i64 {
    now - now.rem_euclid(RATE_WINDOW)
}

/// Why a request is refused for its rate, and when to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRefusal {
    /// Seconds until the window ends (`Retry-After`).
    pub retry_after: i64,
    /// The reason in words.
    pub reason: String,
    /// This request is the first over the limit in its window (the one audited and alerted).
    pub first: bool,
}

/// The verdict on a request of `kind` that brought the account's count in this window from
/// `before` to `after`: refused once the count passes the limit.
pub fn rate_refusal(
    kind: RequestKind,
    before: i64,
    after: i64,
    limits: &RateLimits,
    now: i64,
) -> Option<RateRefusal> {
    let limit = limits.of(kind);
    if after <= limit {
        return None;
    }
    let retry_after = rate_window(now) + RATE_WINDOW - now;
    Some(RateRefusal {
        retry_after,
        reason: format!(
            "请求过于频繁：每个账户每分钟最多{} {limit} 次，请 {retry_after} 秒后再试",
            kind.label()
        ),
        first: before <= limit,
    })
}

/// The deepest nesting of arrays and objects in JSON text (brackets inside strings do not
/// count). Run before parsing, so a deeply nested body costs one pass and no recursion.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `value` within `max` characters, or the refusal naming `field` (Chinese).
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        Err(format!("{field}不能超过 {max} 字（现为 {n} 字）"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classed_by_method_and_route() {
        let table = [
            (true, "/tasks/{id}", RequestKind::Read),
            (true, "/api/v1/reports", RequestKind::Read),
            (false, "/api/v1/reports", RequestKind::Write),
            (false, "/login", RequestKind::Write),
            (true, "/export/tasks.xlsx", RequestKind::Export),
            (true, "/compilation.pdf", RequestKind::Export),
            (true, "/attachments/{id}", RequestKind::Export),
            (true, "/items/{id}/attachments/{file}", RequestKind::Export),
            (true, "/versions/{id}/original", RequestKind::Export),
        ];
        for (safe, route, want) in table {
            assert_eq!(RequestKind::of(safe, route), want, "{route}");
        }
    }

    #[test]
    fn an_account_is_refused_past_its_limit_until_the_window_ends() {
        let l = RateLimits {
            read: 600,
            write: 3,
            export: 2,
        };
        // (kind, before, after, now) → refused?, first?, retry_after
        let table = [
            (RequestKind::Write, 2, 3, 120, None),
            (RequestKind::Write, 3, 4, 120, Some((true, 60))),
            (RequestKind::Write, 4, 5, 150, Some((false, 30))),
            (RequestKind::Export, 1, 2, 179, None),
            (RequestKind::Export, 2, 3, 179, Some((true, 1))),
            // A buffered read count may jump past the limit: still the first refusal.
            (RequestKind::Read, 595, 610, 61, Some((true, 59))),
            (RequestKind::Read, 599, 600, 61, None),
        ];
        for (kind, before, after, now, want) in table {
            let got = rate_refusal(kind, before, after, &l, now).map(|r| (r.first, r.retry_after));
            assert_eq!(got, want, "{kind:?} {before}->{after} at {now}");
        }
        let r = rate_refusal(RequestKind::Write, 3, 4, &l, 100).unwrap();
        assert_eq!(
            r.reason,
            "请求过于频繁：每个账户每分钟最多提交 3 次，请 20 秒后再试"
        );
        assert!(
            rate_refusal(
                RequestKind::Write,
                i64::MAX - 1,
                i64::MAX,
                &RateLimits::UNLIMITED,
                0
            )
            .is_none()
        );
    }

    #[test]
    fn rate_limits_parse_from_the_flag() {
        assert_eq!(RateLimits::parse("600/120/30"), Some(RateLimits::default()));
        for bad in ["", "600/120", "600/0/30", "a/b/c", "1/2/3/4", "-1/2/3"] {
            assert_eq!(RateLimits::parse(bad), None, "{bad}");
        }
        assert_eq!(rate_window(119), 60);
        assert_eq!(rate_window(120), 120);
    }

    #[test]
    fn json_depth_counts_nesting_outside_strings() {
        let table: &[(&str, usize)] = &[
            ("1", 0),
            ("{}", 1),
            (r#"{"a":[1,{"b":[]}]}"#, 4),
            (r#"{"a":"[[[[{{{{"}"#, 1),
            (r#"{"a":"\"[["}"#, 1),
            (r#"[[],[],[[]]]"#, 3),
        ];
        for (text, want) in table {
            assert_eq!(json_depth(text.as_bytes()), *want, "{text}");
        }
        assert_eq!(json_depth("[".repeat(10_000).as_bytes()), 10_000);
    }

    #[test]
    fn every_field_has_a_bound_named_in_the_refusal() {
        let table = [
            ("单位名称", "自治区商务厅".to_string(), NAME, None),
            ("单位名称", "厅".repeat(NAME), NAME, None),
            (
                "单位名称",
                "厅".repeat(NAME + 1),
                NAME,
                Some("单位名称不能超过 200 字（现为 201 字）"),
            ),
            (
                "来源说明",
                "x".repeat(REFERENCE + 5),
                REFERENCE,
                Some("来源说明不能超过 1000 字（现为 1005 字）"),
            ),
        ];
        for (field, value, max, want) in table {
            assert_eq!(check_len(field, &value, max).err().as_deref(), want);
        }
    }
}
