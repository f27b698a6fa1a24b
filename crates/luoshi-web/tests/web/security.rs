//! Issue 11: the holes a penetration test found, one regression test each, named after the hole.

use crate::common::{BACKENDS, body_text, harness};
use axum::body::Body;
use axum::http::Request;
use luoshi_web::Config;
use tower::ServiceExt;

pub(crate) async fn raw(
    h: &crate::common::Harness,
    req: Request<Body>,
) -> axum::http::Response<Body> {
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
