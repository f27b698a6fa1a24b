//! Background jobs of a server process: the hourly reminder run and the delivery of queued
//! notifications by e-mail (SMTP with STARTTLS or TLS and sign-in, through lettre) and webhook (a
//! JSON POST over HTTPS, through reqwest; both on rustls with the system's roots).
//!
//! Nothing here is kept in memory between runs. The reminder run is claimed through the `jobs`
//! table, so with several processes exactly one runs it each hour; deliveries are claimed row by
//! row with a lease, so none is sent twice by two processes and a crashed sender's rows come back
//! when the lease ends. A failed delivery is retried with backoff and, after the last attempt,
//! shown to the office as failed. Sending never happens inside a request.

use std::time::Duration;

use luoshi_domain::notify::Channel;
use luoshi_domain::settings::{SmtpSecurity, SmtpSettings};
use luoshi_store::notify::{Delivery, DeliveryResult};
use luoshi_store::settings::Settings;

use crate::AppState;

/// How long one delivery attempt may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs the jobs until the process ends: a pass every `every`.
pub fn spawn(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let owner = format!("pid-{}", std::process::id());
        loop {
            if let Err(e) = run_once(&state, &owner).await {
                tracing::warn!("background job failed: {e}");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// One pass: the reminder run if this process claims it, then every due delivery.
pub async fn run_once(state: &AppState, owner: &str) -> Result<(), String> {
    let now = crate::kit::clock::now();
    let settings = state.store.settings().await.map_err(|e| e.to_string())?;
    if state
        .store
        .claim_job("reminders", now, 3600, owner)
        .await
        .map_err(|e| e.to_string())?
    {
        let today = crate::kit::clock::today(state);
        let run = state
            .store
            .run_reminders(today, &settings.reminder_days)
            .await
            .map_err(|e| e.to_string())?;
        if run.reminders_sent > 0 {
            tracing::warn!(
                "reminders: {} sent for {} open items",
                run.reminders_sent,
                run.items_checked
            );
        }
        let reports = crate::reporting::reminders::remind_on_schedule(state)
            .await
            .map_err(|e| e.message)?;
        if reports.reminders > 0 {
            tracing::warn!(
                "report reminders: {} duties of {} units",
                reports.reminders,
                reports.units
            );
        }
    }
    deliver_due(state, &settings).await
}

/// Sends every delivery due now.
pub async fn deliver_due(state: &AppState, settings: &Settings) -> Result<(), String> {
    loop {
        let now = crate::kit::clock::now();
        let batch = state
            .store
            .claim_deliveries(now, 20, 120)
            .await
            .map_err(|e| e.to_string())?;
        if batch.is_empty() {
            return Ok(());
        }
        for d in batch {
            let result = match tokio::time::timeout(SEND_TIMEOUT, send(&d, settings)).await {
                Ok(Ok(())) => DeliveryResult::Sent,
                Ok(Err(e)) => DeliveryResult::Failed(e),
                Err(_) => DeliveryResult::Failed("timed out".into()),
            };
            if let DeliveryResult::Failed(e) = &result {
                tracing::warn!(
                    "{} delivery {} to {} failed: {e}",
                    d.channel.code(),
                    d.id,
                    d.target
                );
            }
            state
                .store
                .finish_delivery(d.id, result, crate::kit::clock::now())
                .await
                .map_err(|e| e.to_string())?;
        }
    }
}

async fn send(d: &Delivery, settings: &Settings) -> Result<(), String> {
    match d.channel {
        Channel::Smtp => {
            let smtp = settings
                .smtp
                .as_ref()
                .ok_or("SMTP is no longer configured")?;
            send_mail(smtp, &d.target, &d.title, &mail_body(d)).await
        }
        Channel::Webhook => {
            let body = serde_json::json!({
                "user": d.username, "title": d.title, "body": d.body, "link": crate::notify::url(&d.about),
            });
            post_json(&d.target, &body.to_string()).await
        }
    }
}

fn mail_body(d: &Delivery) -> String {
    format!(
        "{}\r\n\r\n请登录落实平台查看：{}\r\n",
        d.body,
        crate::notify::url(&d.about)
    )
}

/// Makes rustls use the ring provider in this process (once; what reqwest and lettre build on).
fn crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Sends one UTF-8 mail through the office's mail server (lettre): STARTTLS required, or TLS from
/// the start, or — only for a relay that speaks no TLS, and then without signing in — plain;
/// certificates checked against the system's roots.
pub async fn send_mail(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    crypto_provider();
    let address = |a: &str| {
        a.trim()
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("bad address {a:?}: {e}"))
    };
    let message = Message::builder()
        .from(address(&smtp.from)?)
        .to(address(to)?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| format!("mail: {e}"))?;
    let host = smtp.host.trim();
    let builder = match smtp.security {
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
        SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            host,
        )),
    }
    .map_err(|e| format!("SMTP {host}: {e}"))?;
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(std::time::Duration::from_secs(20)));
    if let (Some(user), Some(password), true) = (
        &smtp.username,
        &smtp.password,
        smtp.security != SmtpSecurity::None,
    ) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP {host}:{}: {e}", smtp.port))
}

/// The HTTP client of webhooks (reqwest over rustls with the ring provider, roots from the system
/// store, so the intranet's own CA is trusted): no redirects followed, 10 seconds at most.
fn http_client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            crypto_provider();
            reqwest::Client::builder()
                .use_rustls_tls()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .timeout(std::time::Duration::from_secs(10))
                .user_agent("luoshi")
                .build()
                .map_err(|e| format!("HTTP client: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// POSTs a JSON body to an `https://` (or intranet `http://`) URL; any 2xx answer is success.
pub async fn post_json(url: &str, body: &str) -> Result<(), String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("webhook URL must be https:// or http://".into());
    }
    let res = http_client()?
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("webhook {url}: {e}"))?;
    let code = res.status();
    if code.is_success() {
        Ok(())
    } else {
        Err(format!("webhook answered {}", code.as_u16()))
    }
}
