//! Chapters of the work story about background work: job claims and deliveries.

use luoshi_domain::reporting::ReportKind;
use luoshi_store::Page;
use luoshi_store::notify::DeliveryResult;
use luoshi_store::settings::Settings;

use super::{Cx, filing};

pub(super) async fn job_claims(cx: &mut Cx<'_>) {
    let store = cx.store;
    // Periodic jobs: one claim per interval, whoever asks.
    assert!(store.claim_job("reminders", 1000, 600, "a").await.unwrap());
    assert!(!store.claim_job("reminders", 1001, 600, "b").await.unwrap());
    assert!(store.claim_job("reminders", 1600, 600, "b").await.unwrap());
}

pub(super) async fn deliveries(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, _, s) = cx.actors.clone().expect("setup ran");
    let (_, ccpit, _) = cx.units;
    let task = cx.task;
    // Deliveries: with a webhook set, a notification is queued, claimed once, retried, sent.
    let mut settings = store.settings().await.unwrap();
    assert_eq!(settings, Settings::default());
    settings.webhook = Some("ftp://x".into());
    assert!(store.save_settings(&o, &settings).await.is_err());
    settings.webhook = Some("http://127.0.0.1:9/hook".into());
    settings.thresholds.yellow_lag = 10.0;
    store.save_settings(&o, &settings).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), settings);
    let mut fb = filing(
        task,
        ccpit,
        ReportKind::Contribution,
        "2026-09-11",
        Some("k2"),
    );
    fb.narrative = "补充一场对接活动。".into();
    store.submit_report(&s, fb).await.unwrap();
    let t0 = 4_000_000_000;
    let got = store.claim_deliveries(t0, 10, 60).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].channel.code(), got[0].username.as_str()),
        ("webhook", "shangwu")
    );
    assert!(
        store.claim_deliveries(t0, 10, 60).await.unwrap().is_empty(),
        "leased"
    );
    store
        .finish_delivery(
            got[0].id,
            DeliveryResult::Failed("connection refused".into()),
            t0,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_deliveries(t0 + 1, 10, 60)
            .await
            .unwrap()
            .is_empty(),
        "backing off"
    );
    let retry = store.claim_deliveries(t0 + 3600, 10, 60).await.unwrap();
    assert_eq!(retry[0].attempts, 2);
    store
        .finish_delivery(retry[0].id, DeliveryResult::Sent, t0 + 3600)
        .await
        .unwrap();
    let list = store.deliveries(Page::new(0, 10)).await.unwrap();
    assert_eq!(
        (
            list.items[0].state.code(),
            list.items[0].last_error.as_deref()
        ),
        ("sent", None)
    );
}
