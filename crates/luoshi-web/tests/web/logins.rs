//! Issue 11, the holes in logging in: the only admin locked out by anyone, logins, downloads
//! and refusals not audited, one account flooding the server unthrottled.

use crate::common::{BACKENDS, body_text, harness};
use crate::security::raw;
use axum::body::Body;
use axum::http::Request;
use luoshi_web::Config;
use tower::ServiceExt;

/// The messages of the harness's security administrator.
async fn security_inbox(h: &crate::common::Harness) -> Vec<luoshi_store::notify::Notification> {
    let security = h
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "security_admin6")
        .unwrap();
    h.store
        .inbox(security.id, luoshi_store::Page::all())
        .await
        .unwrap()
        .items
}

/// A login from `address`, by the JSON API; its status.
async fn login_from(h: &crate::common::Harness, address: &str, user: &str, password: &str) -> u16 {
    login_with(h, address, user, password, None).await
}

/// A login from `address` with a second-factor code; its status.
async fn login_with(
    h: &crate::common::Harness,
    address: &str,
    user: &str,
    password: &str,
    otp: Option<&str>,
) -> u16 {
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::json!({"username": user, "password": password, "otp": otp}).to_string(),
        ))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{address}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    raw(h, req).await.status().as_u16()
}

/// Holes 2 and 3: five anonymous guesses no longer lock the only administrator out — the lock
/// holds for the guessing address only and never against the second factor, the security
/// administrator is alerted and 安全 lists and lifts it; one address spraying many accounts is
/// throttled for all of them; and every refusal reads the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_can_lock_out_the_only_admin() {
    use luoshi_domain::accounts::Role;
    use luoshi_testkit::test_code;
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "lockout", Config::default()).await;
        for _ in 0..5 {
            assert_eq!(login_from(&h, "10.9.9.9", "liaison1", "guess").await, 401);
        }
        assert_eq!(
            login_from(&h, "10.9.9.9", "liaison1", "Passw0rd!x").await,
            401,
            "{name}: the guessing address is paused for this account"
        );
        assert_eq!(
            login_from(&h, "10.1.1.1", "liaison1", "Passw0rd!x").await,
            200,
            "{name}: the account's own address is not"
        );
        // The administrator has a second factor: the pause does not hold against it.
        for _ in 0..5 {
            assert_eq!(login_from(&h, "10.9.9.9", "admin0", "guess").await, 401);
        }
        let right = "Passw0rd!x";
        assert_eq!(
            login_with(&h, "10.9.9.9", "admin0", right, None).await,
            401,
            "{name}: the password alone is paused"
        );
        assert_eq!(
            login_with(&h, "10.9.9.9", "admin0", right, Some(&test_code(0))).await,
            200,
            "{name}: with the second factor the administrator gets in"
        );
        // The code is good once (replay within its window is refused).
        assert_eq!(
            login_with(&h, "10.1.1.1", "admin0", right, Some(&test_code(0))).await,
            401,
            "{name}: a replayed code"
        );
        let page = body_text(h.get(Some(Role::SecurityAdmin), "/security").await).await;
        assert!(
            page.contains("id=\"locked-logins\"") && page.contains("10.9.9.9"),
            "{name}"
        );
        let inbox = security_inbox(&h).await;
        assert!(
            inbox.iter().any(|n| n.title.contains("安全告警")),
            "{name}: the security administrator is alerted"
        );
        assert_eq!(
            h.get(Some(Role::SystemAdmin), "/security").await.status(),
            403,
            "{name}: unlocking is not the system administrator's"
        );
        let res = h
            .send(
                Some(Role::SecurityAdmin),
                "POST",
                "/security/unlock",
                Some("application/x-www-form-urlencoded"),
                b"username=liaison1&address=10.9.9.9".to_vec(),
            )
            .await;
        assert_eq!(res.status(), 303, "{name}");
        assert_eq!(
            login_from(&h, "10.9.9.9", "liaison1", "Passw0rd!x").await,
            200,
            "{name}"
        );
        // Spraying: one address, many accounts, a few guesses each.
        for i in 0..20 {
            login_from(&h, "10.6.6.6", &format!("user{i}"), "Password1").await;
        }
        assert_eq!(
            login_from(&h, "10.6.6.6", "liaison1", "Passw0rd!x").await,
            401,
            "{name}: the spraying address is throttled"
        );
        assert_eq!(
            login_from(&h, "10.2.2.2", "liaison1", "Passw0rd!x").await,
            200,
            "{name}"
        );
        // One answer: an unknown name and a wrong password read alike.
        let answer = |user: &'static str| {
            let h = &h;
            async move {
                let req = Request::builder()
                    .method("POST")
                    .uri("/api/v1/session")
                    .header("content-type", "application/json")
                    .body(Body::from(
                        serde_json::json!({"username": user, "password": "nope"}).to_string(),
                    ))
                    .unwrap();
                body_text(raw(h, req).await).await
            }
        };
        assert_eq!(answer("nobody").await, answer("leader2").await, "{name}");
    }
}

/// 等保 item 12: logins, failed logins, logouts, downloads and refusals (a role's and a CSRF
/// one) are audit records, sealed like the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_downloads_and_refusals_are_audited() {
    use luoshi_domain::accounts::Role;
    use luoshi_store::audit::AuditFilter;
    let h = harness(
        crate::common::Backend::Sqlite,
        "audit_events",
        Config::default(),
    )
    .await;
    assert_eq!(login_from(&h, "10.3.3.3", "liaison1", "wrong").await, 401);
    assert_eq!(
        login_from(&h, "10.3.3.3", "liaison1", "Passw0rd!x").await,
        200
    );
    assert_eq!(h.get(Some(Role::Liaison), "/users").await.status(), 403);
    let mut req = Request::builder()
        .method("POST")
        .uri("/inbox/read")
        .header(
            "cookie",
            format!("luoshi_session={}", h.session(Role::Liaison).0),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    req.headers_mut().remove("x-csrf-token");
    assert_eq!(raw(&h, req).await.status(), 403);
    assert_eq!(
        h.get(Some(Role::Admin), "/export/tasks.xlsx")
            .await
            .status(),
        200
    );
    let res = h
        .send(
            Some(Role::Leader),
            "POST",
            "/logout",
            Some("application/x-www-form-urlencoded"),
            vec![],
        )
        .await;
    assert_eq!(res.status(), 303);
    let entries = h
        .store
        .audit(&AuditFilter::default(), luoshi_store::Page::new(0, 200))
        .await
        .unwrap()
        .items;
    let has = |action: &str, actor: &str| {
        entries
            .iter()
            .any(|e| e.action == action && (actor.is_empty() || e.actor == actor))
    };
    for (action, actor) in [
        ("login.failure", ""),
        ("login.success", "liaison1"),
        ("access.denied", "liaison1"),
        ("download", "admin0"),
        ("logout", "leader2"),
    ] {
        assert!(has(action, actor), "no {action} by {actor:?}");
    }
    let csrf = entries
        .iter()
        .filter(|e| e.action == "access.denied")
        .any(|e| e.after.as_ref().is_some_and(|a| a["reason"] == "csrf"));
    assert!(csrf, "the CSRF refusal is recorded");
    assert_eq!(h.store.verify_chain().await.unwrap().broken_at, None);
}

/// Hole 7, the rest: one account could send as many requests as it liked. Each account has a
/// budget a minute for reads, writes and files, counted in the database, so a second process
/// over the same data refuses what the first has spent; past it the account gets 429 with
/// `Retry-After` and the reason, other accounts are served, and the first refusal is audited
/// and alerted to the security administrator (once, not per refusal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_floods_the_server_unthrottled() {
    use luoshi_domain::accounts::Role;
    use luoshi_domain::limits::{RATE_WINDOW, RateLimits};
    use luoshi_store::audit::AuditFilter;
    let limits = RateLimits {
        read: 25,
        write: 4,
        export: 2,
    };
    for backend in BACKENDS {
        let name = backend.name();
        let config = || Config {
            rate_limits: limits,
            ..Config::default()
        };
        let h = harness(backend, "rate_limits", config()).await;
        // A second process: its own store and pool on the same database.
        let other = luoshi_web::app(luoshi_web::AppState {
            store: std::sync::Arc::new(
                luoshi_store_sql::SqlStore::connect(&h.url, 4)
                    .await
                    .unwrap(),
            ),
            config: std::sync::Arc::new(config()),
            memo: Default::default(),
        });
        // The counts start again each minute: begin early in one, so the walk stays inside it.
        let into = crate::common::now().rem_euclid(RATE_WINDOW);
        if into > RATE_WINDOW - 15 {
            tokio::time::sleep(std::time::Duration::from_secs(
                (RATE_WINDOW - into + 1) as u64,
            ))
            .await;
        }
        let (token, csrf) = h.session(Role::Liaison);
        let call = |app: axum::Router, method: &str, uri: &str| {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("cookie", format!("luoshi_session={token}"))
                .header("x-csrf-token", &csrf)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap();
            async move { app.oneshot(req).await.unwrap() }
        };
        // Writes: two here, two on the other process, then both refuse.
        for app in [&h.app, &h.app, &other, &other] {
            let st = call(app.clone(), "POST", "/inbox/read").await.status();
            assert_eq!(st, 303, "{name}");
        }
        for app in [&h.app, &other] {
            let res = call(app.clone(), "POST", "/inbox/read").await;
            assert_eq!(res.status(), 429, "{name}");
            let wait: i64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=RATE_WINDOW).contains(&wait), "{name}: {wait}");
            let text = body_text(res).await;
            assert!(
                text.contains("每个账户每分钟最多提交 4 次"),
                "{name}: {text}"
            );
        }
        // The API says it in JSON, with the code.
        let res = call(h.app.clone(), "DELETE", "/api/v1/session").await;
        assert_eq!(res.status(), 429, "{name}");
        let body = crate::common::body_json(res).await;
        assert_eq!(body["code"], "rate_limited", "{name}: {body}");
        // Files have their own budget; reads still pass.
        for want in [200, 200, 429] {
            let st = call(h.app.clone(), "GET", "/export/tasks.xlsx")
                .await
                .status();
            assert_eq!(st.as_u16(), want, "{name}: export");
        }
        // Reads: what is left of 25 after the page views above, on both processes together.
        let mut served = 0;
        for i in 0..40 {
            let app = if i % 2 == 0 { &h.app } else { &other };
            match call(app.clone(), "GET", "/tasks").await.status().as_u16() {
                200 => served += 1,
                429 => {}
                st => panic!("{name}: read {i} answered {st}"),
            }
        }
        // Each process hands reads over in batches, so the shared count lags by fewer than a
        // batch per process: a few more than the budget, never the whole flood.
        assert!(
            (25..25 + 2 * 10).contains(&served),
            "{name}: {served} reads served"
        );
        // Another account is not held back by the first.
        assert_eq!(
            h.get(Some(Role::Leader), "/tasks").await.status(),
            200,
            "{name}"
        );
        // The first refusal of each kind is audited and alerted, not every one.
        let entries = h
            .store
            .audit(&AuditFilter::default(), luoshi_store::Page::new(0, 500))
            .await
            .unwrap()
            .items;
        let limited: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "rate.limited")
            .collect();
        assert_eq!(limited.len(), 3, "{name}: one per kind");
        assert!(limited.iter().all(|e| e.actor == "liaison1"), "{name}");
        let inbox = security_inbox(&h).await;
        let alerts = inbox
            .iter()
            .filter(|n| n.title.contains("请求过于频繁") && n.body.contains("liaison1"))
            .count();
        assert_eq!(alerts, 3, "{name}");
        assert_eq!(h.store.verify_chain().await.unwrap().broken_at, None);
    }
}
