//! The settings page (设置): thresholds, reminder days, SMTP and webhook, the delivery log.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Form;
use crate::kit::page::{Nav, back, nav, page, refused};
use luoshi_domain::lights::Thresholds;
use luoshi_domain::settings::{SmtpSecurity, SmtpSettings};
use luoshi_store::notify::Delivery;
use luoshi_store::settings::Settings;
use luoshi_store::{Page, Paged};

#[derive(Template)]
#[template(path = "settings/settings.html")]
struct SettingsPage {
    nav: Nav,
    /// The settings shown; the mail password never reaches the page.
    s: Settings,
    password_set: bool,
    security: &'static str,
    days: String,
    deliveries: Paged<Delivery>,
}

pub async fn settings(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    let mut s = state.store.settings().await?;
    let password_set = s.smtp.as_mut().and_then(|m| m.password.take()).is_some();
    let security = s
        .smtp
        .as_ref()
        .map_or(SmtpSecurity::StartTls, |m| m.security)
        .code();
    Ok(page(SettingsPage {
        password_set,
        security,
        nav: nav(&a, "settings"),
        days: s
            .reminder_days
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        s,
        deliveries: state.store.deliveries(Page::new(0, 100)).await?,
    }))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    pub yellow_days_left: i64,
    pub yellow_lag: f64,
    pub red_lag: f64,
    /// Blank keeps the indicators' thresholds as they are.
    #[serde(default)]
    pub indicator_yellow_lag: Option<f64>,
    #[serde(default)]
    pub indicator_red_lag: Option<f64>,
    pub reminder_days: String,
    #[serde(default)]
    pub smtp_host: String,
    #[serde(default)]
    pub smtp_port: String,
    #[serde(default)]
    pub smtp_from: String,
    #[serde(default)]
    pub smtp_security: String,
    #[serde(default)]
    pub smtp_username: String,
    /// Blank keeps the password already set.
    #[serde(default)]
    pub smtp_password: String,
    #[serde(default)]
    pub webhook: String,
    #[serde(default)]
    pub remind_leaders: Option<String>,
}

pub async fn settings_save(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<SettingsForm>,
) -> Response {
    let (kept_password, kept_indicators) = match state.store.settings().await {
        Ok(s) => (s.smtp.and_then(|m| m.password), s.indicator_thresholds),
        Err(e) => return refused("/settings", &AppError::from(e).message),
    };
    let parsed = (|| {
        let days = f
            .reminder_days
            .split(['、', ',', '，', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::bad_request("提醒天数应为逗号分隔的整数，如 7,3"))?;
        let smtp = if f.smtp_host.trim().is_empty() {
            None
        } else {
            Some(SmtpSettings {
                host: f.smtp_host.trim().to_string(),
                port: f
                    .smtp_port
                    .trim()
                    .parse()
                    .map_err(|_| AppError::bad_request("邮件服务器端口应为数字"))?,
                from: f.smtp_from.trim().to_string(),
                security: SmtpSecurity::from_code(f.smtp_security.trim())
                    .unwrap_or(SmtpSecurity::StartTls),
                username: Some(f.smtp_username.trim().to_string()).filter(|u| !u.is_empty()),
                password: if f.smtp_username.trim().is_empty() {
                    None
                } else if f.smtp_password.is_empty() {
                    kept_password
                } else {
                    Some(f.smtp_password.clone())
                },
            })
        };
        Ok::<_, AppError>(Settings {
            thresholds: Thresholds {
                yellow_days_left: f.yellow_days_left,
                yellow_lag: f.yellow_lag,
                red_lag: f.red_lag,
            },
            reminder_days: days,
            smtp,
            webhook: Some(f.webhook.trim().to_string()).filter(|w| !w.is_empty()),
            remind_leaders: f.remind_leaders.is_some(),
            indicator_thresholds: luoshi_domain::indicators::IndicatorThresholds {
                yellow_lag: f.indicator_yellow_lag.unwrap_or(kept_indicators.yellow_lag),
                red_lag: f.indicator_red_lag.unwrap_or(kept_indicators.red_lag),
            },
        })
    })();
    let result = match parsed {
        Ok(s) => state
            .store
            .save_settings(&a.actor(), &s)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => back("/settings", "已保存设置"),
        Err(e) => refused("/settings", &e.message),
    }
}
