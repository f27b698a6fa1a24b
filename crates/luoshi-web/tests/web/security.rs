//! Issue 11: the holes a penetration test found, one regression test each, named after the hole.

use crate::common::{BACKENDS, body_text, harness};
use axum::body::Body;
use axum::http::Request;
use luoshi_web::Config;
use tower::ServiceExt;

async fn raw(h: &crate::common::Harness, req: Request<Body>) -> axum::http::Response<Body> {
    h.app.clone().oneshot(req).await.unwrap()
}

/// Hole 4: `next` after login stays on this site (no tab, backslash, CR/LF or scheme-relative
/// trick), a CR/LF in it is no 500, and `Origin: null` does not pass the login's origin check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_redirect_after_login() {
    let h = harness(
        crate::common::Backend::Sqlite,
        "open_redirect",
        Config::default(),
    )
    .await;
    let page = body_text(h.get(None, "/login?next=/%09/evil.example").await).await;
    assert!(
        page.contains("name=\"next\" value=\"/\""),
        "the form carries no off-site next: {page}"
    );
    let login = |next: &str, origin: Option<&str>| {
        let body = format!("username=liaison1&password=Passw0rd%21x&next={}", next);
        let mut req = Request::builder()
            .method("POST")
            .uri("/login")
            .header("host", "luoshi.test")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.body(Body::from(body)).unwrap()
    };
    for next in [
        "/%09/evil.example",
        "%2F%5Cevil.example",
        "//evil.example",
        "/a%0D%0ASet-Cookie:x=1",
    ] {
        let res = raw(&h, login(next, Some("http://luoshi.test"))).await;
        assert_eq!(res.status(), 303, "{next}");
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    let res = raw(&h, login("/tasks", Some("http://luoshi.test"))).await;
    assert_eq!(res.headers()["location"], "/tasks");
    let res = raw(&h, login("/tasks", Some("null"))).await;
    assert_eq!(res.status(), 403, "Origin: null is not this site");
}

/// Hole 5: a method a route does not take answers 405 with `Allow` (not 500), and HEAD is
/// answered wherever GET is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_answer_405_with_allow() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "methods", Config::default()).await;
        let res = h.send(None, "HEAD", "/healthz", None, vec![]).await;
        assert_eq!(res.status(), 200, "{name}");
        assert!(body_text(res).await.is_empty(), "{name}: HEAD has no body");
        let res = h
            .send(
                Some(luoshi_domain::accounts::Role::Admin),
                "HEAD",
                "/tasks",
                None,
                vec![],
            )
            .await;
        assert_eq!(res.status(), 200, "{name}");
        for (method, uri, allow) in [
            ("PUT", "/tasks", "GET, HEAD"),
            ("DELETE", "/api/v1/reports", "POST"),
            ("OPTIONS", "/items", "GET, HEAD, POST"),
            ("TRACE", "/login", "GET, HEAD, POST"),
            ("PATCH", "/healthz", "GET, HEAD"),
        ] {
            let res = h.send(None, method, uri, None, vec![]).await;
            assert_eq!(res.status(), 405, "{name}: {method} {uri}");
            assert_eq!(res.headers()["allow"], allow, "{name}: {method} {uri}");
        }
        assert_eq!(
            h.send(None, "PUT", "/no/such/page", None, vec![])
                .await
                .status(),
            404,
            "{name}"
        );
    }
}

/// Hole 7: a 1.8 MB unit name, alias or display name is refused with a clear 422 (on PostgreSQL it
/// used to be a 500: the index row was too large), and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_input() {
    use luoshi_domain::accounts::Role;
    use serde_json::json;
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "unbounded", Config::default()).await;
        let huge = "厅".repeat(600_000);
        let (st, body) = h
            .json(
                Some(Role::Admin),
                "POST",
                "/api/v1/units",
                json!({"name": huge, "kind": "regional_dept"}),
            )
            .await;
        assert_eq!(st, 422, "{name}: {body}");
        assert!(
            body.to_string().contains("单位名称不能超过 200 字"),
            "{name}: {body}"
        );
        // JSON nested deeper than 32 is refused before it is parsed; a body over 2 MB is 413.
        let deep = format!("{}1{}", "[".repeat(33), "]".repeat(33));
        let res = h
            .send(
                Some(Role::Admin),
                "POST",
                "/api/v1/units",
                Some("application/json"),
                format!(r#"{{"name":"深","kind":"regional_dept","x":{deep}}}"#).into_bytes(),
            )
            .await;
        assert_eq!(res.status(), 422, "{name}");
        assert_eq!(crate::common::body_json(res).await["code"], "json_too_deep");
        let big = json!({"name": "大", "kind": "regional_dept", "pad": "x".repeat(3 << 20)});
        let (st, _) = h
            .json(Some(Role::Admin), "POST", "/api/v1/units", big)
            .await;
        assert_eq!(st, 413, "{name}");
        let unit = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
        let (st, body) = h
            .json(
                Some(Role::Admin),
                "POST",
                &format!("/api/v1/units/{}/aliases", unit.id),
                json!({"alias": "别".repeat(201)}),
            )
            .await;
        assert_eq!(st, 422, "{name}: {body}");
        let (st, body) = h
            .json(
                Some(Role::SystemAdmin),
                "POST",
                "/api/v1/users",
                json!({"username": "zhangsan", "display_name": "张".repeat(201),
                       "role": "liaison", "unit": "商务厅", "password": "Zm8#kLq2!vR7"}),
            )
            .await;
        assert_eq!(st, 422, "{name}: {body}");
        assert!(
            h.store
                .unit_by_name(&"厅".repeat(600_000))
                .await
                .unwrap()
                .is_none()
        );
    }
}

/// Hole 9: user names are folded (NFKC, lower case) and look-alikes are refused: `Admin` is the
/// existing `admin`'s twin, `admin\u{200b}` hides a zero-width space, `аdmin` starts with a Cyrillic
/// letter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_names_are_not_normalised() {
    use luoshi_domain::accounts::Role;
    use serde_json::json;
    let h = harness(
        crate::common::Backend::Sqlite,
        "usernames",
        Config::default(),
    )
    .await;
    let add = |username: &str| {
        json!({"username": username, "display_name": "张三", "role": "liaison",
               "unit": "商务厅", "password": "Zm8#kLq2!vR7"})
    };
    let (st, body) = h
        .json(
            Some(Role::SystemAdmin),
            "POST",
            "/api/v1/users",
            add("Zhang.San"),
        )
        .await;
    assert!(st == 200 || st == 201, "{body}");
    assert_eq!(body["username"], "zhang.san");
    for twin in [
        "ZHANG.SAN",
        "ｚｈａｎｇ.ｓａｎ",
        "zhang.san\u{200b}",
        "\u{0437}hang.san",
    ] {
        let (st, body) = h
            .json(Some(Role::SystemAdmin), "POST", "/api/v1/users", add(twin))
            .await;
        assert!(st == 409 || st == 422, "{twin:?} was accepted: {st} {body}");
    }
    // The login folds what is typed the same way.
    let (st, _) = h
        .json(
            None,
            "POST",
            "/api/v1/session",
            json!({"username": "ZHANG.SAN", "password": "Zm8#kLq2!vR7"}),
        )
        .await;
    assert_eq!(st, 200);
}

/// Hole 9: bytes that are not UTF-8 in a form are refused, naming the field, and nothing is
/// stored (they used to be kept as U+FFFD).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_in_forms_is_stored_as_replacement_characters() {
    use luoshi_domain::accounts::Role;
    let h = harness(crate::common::Backend::Sqlite, "utf8", Config::default()).await;
    let lead = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
    let body = format!(
        "title=%E4%BA%8B%FF%FE&source=instruction&lead_unit_id={}&due=2026-12-30",
        lead.id
    );
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/items",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(body_text(res).await.contains("表单字段“title”含有无效字符"));
    assert!(
        h.store.items(&Default::default()).await.unwrap().is_empty(),
        "nothing stored"
    );
}

/// 等保 item 13: under TLS the session cookie carries the `__Host-` prefix (Secure, Path=/, no
/// Domain), and a cookie without it is not a session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_use_the_host_prefix_under_tls() {
    use serde_json::json;
    let config = Config {
        secure_cookies: true,
        ..Config::default()
    };
    let h = harness(crate::common::Backend::Sqlite, "host_cookie", config).await;
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"username": "admin0", "password": "Passw0rd!x",
                   "otp": luoshi_testkit::test_code(0)})
            .to_string(),
        ))
        .unwrap();
    let res = raw(&h, req).await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("__Host-luoshi_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/")
            && !cookie.contains("Domain"),
        "{cookie}"
    );
    let token = cookie["__Host-luoshi_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let ask = |name: &str| {
        Request::builder()
            .uri("/api/v1/tasks")
            .header("cookie", format!("{name}={token}"))
            .body(Body::empty())
            .unwrap()
    };
    let res = raw(&h, ask("__Host-luoshi_session")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains",
        "HSTS under TLS"
    );
    assert_eq!(raw(&h, ask("luoshi_session")).await.status(), 401);
}

/// Hole 8: a support unit reads neither the lead's report nor its attachments on a shared task
/// (the lead reads the contributions); meetings are the office's and leaders', and a unit sees
/// only a meeting that gave it work, only its own decisions, without the minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_and_shared_tasks_leak_to_other_units() {
    use crate::common::{json_as, multipart, session_of};
    use luoshi_domain::accounts::Role;
    use serde_json::json;
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: luoshi_domain::calendar::Date::parse("2026-09-10"),
            ..Config::default()
        };
        let h = harness(backend, "leaks", config).await;
        let lead = h.session(Role::Liaison);
        // A task 商务厅 leads with a support unit.
        let (_, owed) = json_as(
            &h,
            &lead,
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
            None,
        )
        .await;
        let mut shared = None;
        for o in owed
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["kind"] == "task")
        {
            let id = o["task_id"].as_i64().unwrap();
            let (_, t) = json_as(
                &h,
                &lead,
                "GET",
                &format!("/api/v1/tasks/{id}"),
                json!({}),
                None,
            )
            .await;
            if let Some(s) = t["support"].as_array().and_then(|s| s.first()) {
                shared = Some((id, s.as_str().unwrap().to_string()));
                break;
            }
        }
        let (task, support_name) = shared.expect("a shared task in the samples");
        let support = session_of(&h, &support_name, Role::Liaison).await;
        let (ct, body) = multipart(
            &[
                ("status", "ongoing"),
                ("progress", "40"),
                ("narrative", "牵头单位的内部汇报材料"),
            ],
            &[("汇报.pdf", b"%PDF-1.4 lead only")],
        );
        let form = format!("/reporting/tasks/{task}/2026-Q3");
        let res = h.send_as(&lead, "POST", &form, Some(&ct), body).await;
        assert_eq!(res.status(), 303, "{name}");
        let (ct, body) = multipart(
            &[
                ("status", "ongoing"),
                ("progress", "40"),
                ("narrative", "配合单位提供的材料"),
            ],
            &[],
        );
        let res = h.send_as(&support, "POST", &form, Some(&ct), body).await;
        assert_eq!(res.status(), 303, "{name}");
        let (_, mine) = json_as(
            &h,
            &lead,
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
            None,
        )
        .await;
        let lead_report = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["task_id"] == task && o["kind"] == "task")
            .unwrap()["report_id"]
            .as_i64()
            .unwrap();
        let (_, theirs) = json_as(
            &h,
            &support,
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
            None,
        )
        .await;
        let contribution = theirs
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["task_id"] == task && o["kind"] == "contribution")
            .unwrap()["report_id"]
            .as_i64()
            .unwrap();
        let (st, detail) = json_as(
            &h,
            &lead,
            "GET",
            &format!("/api/v1/reports/{lead_report}"),
            json!({}),
            None,
        )
        .await;
        assert_eq!(st, 200, "{name}");
        let file = detail["history"][0]["attachments"][0]["id"]
            .as_i64()
            .unwrap();
        // The support unit: not the lead's report, not its attachment, not on the task page.
        let (st, _) = json_as(
            &h,
            &support,
            "GET",
            &format!("/api/v1/reports/{lead_report}"),
            json!({}),
            None,
        )
        .await;
        assert_eq!(st, 404, "{name}");
        let res = h
            .send_as(
                &support,
                "GET",
                &format!("/attachments/{file}"),
                None,
                vec![],
            )
            .await;
        assert_eq!(res.status(), 404, "{name}");
        let page = body_text(h.send_as(&support, "GET", &form, None, vec![]).await).await;
        assert!(
            !page.contains("牵头单位的内部汇报材料") && page.contains("配合单位提供的材料"),
            "{name}: {page}"
        );
        // The lead reads the contribution.
        let (st, _) = json_as(
            &h,
            &lead,
            "GET",
            &format!("/api/v1/reports/{contribution}"),
            json!({}),
            None,
        )
        .await;
        assert_eq!(st, 200, "{name}");
        let page = body_text(h.send_as(&lead, "GET", &form, None, vec![]).await).await;
        assert!(page.contains("配合单位提供的材料"), "{name}");

        // Meetings.
        let commerce = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
        let meeting = h
            .store
            .create_meeting(
                &luoshi_store::Actor::system("test"),
                luoshi_store::group::NewMeeting {
                    kind: luoshi_domain::group::MeetingKind::Office,
                    title: "保密测试会议".into(),
                    held_on: luoshi_domain::calendar::Date::parse("2026-09-01").unwrap(),
                    place: "南宁".into(),
                    summary: "仅限办公室的会议纪要".into(),
                    decisions: vec![
                        luoshi_store::group::NewDecision {
                            text: "商务厅牵头的议定事项".into(),
                            lead_unit_id: Some(commerce.id),
                            due: None,
                        },
                        luoshi_store::group::NewDecision {
                            text: "无关单位的议定事项".into(),
                            lead_unit_id: None,
                            due: None,
                        },
                    ],
                },
            )
            .await
            .unwrap();
        let uri = format!("/meetings/{}", meeting.id);
        let city = h.session(Role::CityGov);
        assert_eq!(
            h.send_as(&city, "GET", &uri, None, vec![]).await.status(),
            404,
            "{name}"
        );
        let group = body_text(h.send_as(&city, "GET", "/group", None, vec![]).await).await;
        assert!(!group.contains("保密测试会议"), "{name}");
        let page = body_text(h.send_as(&lead, "GET", &uri, None, vec![]).await).await;
        assert!(
            page.contains("商务厅牵头的议定事项")
                && !page.contains("无关单位的议定事项")
                && !page.contains("仅限办公室的会议纪要"),
            "{name}: {page}"
        );
        let page = body_text(h.get(Some(Role::Leader), &uri).await).await;
        assert!(page.contains("仅限办公室的会议纪要"), "{name}");
    }
}

/// 等保 item 12: the 审计 page says whether the seal chain holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_says_whether_the_seal_chain_holds() {
    use luoshi_domain::accounts::Role;
    let h = harness(
        crate::common::Backend::Sqlite,
        "chain_page",
        Config::default(),
    )
    .await;
    let page = body_text(h.get(Some(Role::AuditAdmin), "/audit").await).await;
    assert!(
        page.contains("id=\"audit-chain\"") && page.contains("审计日志完整性校验通过"),
        "{page}"
    );
}

/// A login from `address`, by the JSON API; its status.
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
