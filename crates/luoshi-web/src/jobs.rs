//! Background jobs of a server process: the hourly reminder run and the delivery of queued
//! notifications by e-mail (plain SMTP to an intranet relay) and webhook (a JSON POST over HTTP).
//!
//! Nothing here is kept in memory between runs. The reminder run is claimed through the `jobs`
//! table, so with several processes exactly one runs it each hour; deliveries are claimed row by
//! row with a lease, so none is sent twice by two processes and a crashed sender's rows come back
//! when the lease ends. A failed delivery is retried with backoff and, after the last attempt,
//! shown to the office as failed. Sending never happens inside a request.

use std::time::Duration;

use base64::Engine;
use luoshi_domain::notify::Channel;
use luoshi_store::notify::{Delivery, DeliveryResult};
use luoshi_store::settings::Settings;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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
            send_mail(
                &smtp.host,
                smtp.port,
                &smtp.from,
                &d.target,
                &d.title,
                &mail_body(d),
            )
            .await
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

async fn expect(r: &mut BufReader<TcpStream>, ok: &[&str]) -> Result<(), String> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
            return Err("SMTP server closed the connection".into());
        }
        // "250-…" continues a multi-line reply; "250 …" ends it.
        if line.len() >= 4 && &line[3..4] == "-" {
            continue;
        }
        return if ok.iter().any(|c| line.starts_with(c)) {
            Ok(())
        } else {
            Err(format!("SMTP: {}", line.trim()))
        };
    }
}

async fn say(r: &mut BufReader<TcpStream>, line: &str, ok: &[&str]) -> Result<(), String> {
    r.get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    expect(r, ok).await
}

fn bare_address(a: &str) -> Result<&str, String> {
    let a = a.trim();
    if a.is_empty() || a.contains(['\r', '\n', '<', '>']) || !a.contains('@') {
        return Err(format!("bad address {a:?}"));
    }
    Ok(a)
}

/// Sends one UTF-8 mail through a plain SMTP relay.
pub async fn send_mail(
    host: &str,
    port: u16,
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let (from, to) = (bare_address(from)?, bare_address(to)?);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let mut r = BufReader::new(stream);
    expect(&mut r, &["220"]).await?;
    say(&mut r, "EHLO luoshi", &["250"]).await?;
    say(&mut r, &format!("MAIL FROM:<{from}>"), &["250"]).await?;
    say(&mut r, &format!("RCPT TO:<{to}>"), &["250", "251"]).await?;
    say(&mut r, "DATA", &["354"]).await?;
    let encoded = b64(body);
    let wrapped: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let message = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n.",
        b64(subject),
        wrapped.join("\r\n")
    );
    say(&mut r, &message, &["250"]).await?;
    let _ = say(&mut r, "QUIT", &["221"]).await;
    Ok(())
}

/// POSTs a JSON body to an `http://host[:port]/path` URL; any 2xx answer is success.
pub async fn post_json(url: &str, body: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// webhooks are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| "bad port")?),
        None => (authority, 80),
    };
    let mut stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("connect {authority}: {e}"))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nUser-Agent: luoshi\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut head = vec![0u8; 64];
    let n = stream.read(&mut head).await.map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer: {status_line:?}"))?;
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("webhook answered {code}"))
    }
}
