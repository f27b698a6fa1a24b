//! The office's settings and the rules they must satisfy before they are saved.

use serde::{Deserialize, Serialize};

use crate::lights::Thresholds;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain, then upgraded by STARTTLS (refused if the server does not offer it); port 587 or 25.
    StartTls,
    /// TLS from the first byte; port 465.
    Tls,
    /// Unprotected (an intranet relay that speaks no TLS; settings saved before TLS existed).
    #[default]
    None,
}

impl SmtpSecurity {
    pub fn code(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    pub fn from_code(code: &str) -> Option<SmtpSecurity> {
        [
            SmtpSecurity::StartTls,
            SmtpSecurity::Tls,
            SmtpSecurity::None,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The mail server notifications go out through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub from: String,
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Sign-in to the server (AUTH), when it wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Kept sealed with the data key in storage and never shown or audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Why a settings change is refused: which field, and the message shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: &'static str,
}

/// Checks the office's settings. Each rule names its field.
pub fn check(
    thresholds: &Thresholds,
    reminder_days: &[i64],
    webhook: Option<&str>,
    smtp: Option<&SmtpSettings>,
) -> Result<(), Refusal> {
    let t = thresholds;
    if t.yellow_days_left < 0
        || !(0.0..=100.0).contains(&t.yellow_lag)
        || !(0.0..=100.0).contains(&t.red_lag)
        || t.yellow_lag > t.red_lag
    {
        return Err(Refusal {
            field: "thresholds",
            message: "预警阈值无效：滞后百分点须在 0–100 之间，且黄灯不大于红灯",
        });
    }
    if reminder_days.is_empty()
        || reminder_days.len() > 5
        || reminder_days.iter().any(|d| !(0..=90).contains(d))
    {
        return Err(Refusal {
            field: "reminder_days",
            message: "提醒天数须为 1 至 5 个 0–90 之间的整数",
        });
    }
    if let Some(url) = webhook
        && (!(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 2000
            || url.chars().any(|c| c.is_control() || c.is_whitespace()))
    {
        return Err(Refusal {
            field: "webhook",
            message: "Webhook 地址须以 https:// 或 http:// 开头（内网消息平台），且不含空格或换行",
        });
    }
    if let Some(smtp) = smtp
        && smtp.username.is_some()
        && smtp.security == SmtpSecurity::None
    {
        return Err(Refusal {
            field: "smtp_security",
            message: "邮件服务器的用户名和密码不能在未加密的连接上发送，请选择 STARTTLS 或 TLS",
        });
    }
    if let Some(smtp) = smtp
        && (smtp.host.trim().is_empty() || !smtp.from.contains('@'))
    {
        return Err(Refusal {
            field: "smtp",
            message: "邮件服务器地址和发件人邮箱不能为空",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_names_its_field() {
        let ok = Thresholds::default();
        let smtp = |host: &str, from: &str| SmtpSettings {
            security: SmtpSecurity::StartTls,
            username: None,
            password: None,
            host: host.into(),
            port: 25,
            from: from.into(),
        };
        let lagging = Thresholds {
            yellow_lag: 30.0,
            red_lag: 10.0,
            ..Thresholds::default()
        };
        type Row<'a> = (
            &'a Thresholds,
            &'a [i64],
            Option<&'a str>,
            Option<SmtpSettings>,
            Option<&'a str>,
        );
        let table: [Row; 12] = [
            (&ok, &[7, 3], None, None, None),
            (&lagging, &[7], None, None, Some("thresholds")),
            (&ok, &[], None, None, Some("reminder_days")),
            (&ok, &[1, 2, 3, 4, 5, 6], None, None, Some("reminder_days")),
            (&ok, &[91], None, None, Some("reminder_days")),
            (&ok, &[7], Some("ftp://x"), None, Some("webhook")),
            (&ok, &[7], Some("https://im.gov/hook"), None, None),
            (&ok, &[7], Some("http://im.gov/hook"), None, None),
            // Hole 9: CR/LF in the URL would inject request headers.
            (
                &ok,
                &[7],
                Some("http://im.gov/h\r\nX-Injected: 1"),
                None,
                Some("webhook"),
            ),
            (&ok, &[7], None, Some(smtp(" ", "a@b")), Some("smtp")),
            (
                &ok,
                &[7],
                None,
                Some(SmtpSettings {
                    security: SmtpSecurity::None,
                    username: Some("luoshi".into()),
                    ..smtp("mail.gov", "a@b")
                }),
                Some("smtp_security"),
            ),
            (
                &ok,
                &[7],
                None,
                Some(SmtpSettings {
                    username: Some("luoshi".into()),
                    ..smtp("mail.gov", "a@b")
                }),
                None,
            ),
        ];
        for (t, days, hook, mail, want) in table {
            let got = check(t, days, hook, mail.as_ref()).err().map(|r| r.field);
            assert_eq!(got, want, "{days:?} {hook:?}");
        }
    }
}
