//! Issue 11 items 2, 10 and 11: forced password changes and history, the second factor, and the
//! three custodians (三员), on both backends.

use crate::common::{BACKENDS, Harness, body_text, harness, json_as, send_form};
use luoshi_domain::accounts::Role;
use luoshi_web::Config;
use serde_json::json;

/// Signs in through the API; the session (cookie token, CSRF token) or the refusal's status.
async fn sign_in(
    h: &Harness,
    user: &str,
    password: &str,
    otp: Option<&str>,
) -> Result<(String, String), u16> {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/session")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"username": user, "password": password, "otp": otp}).to_string(),
        ))
        .unwrap();
    let res = tower::ServiceExt::oneshot(h.app.clone(), req)
        .await
        .unwrap();
    if res.status() != 200 {
        return Err(res.status().as_u16());
    }
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie["luoshi_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = crate::common::body_json(res).await;
    Ok((token, body["csrf_token"].as_str().unwrap().to_string()))
}

/// The system administrator adds an account of `role` (password `Zm8#kLq2!vR7`) by the API.
async fn add_user(h: &Harness, username: &str, role: &str) -> (u16, serde_json::Value) {
    json_as(
        h,
        &h.session(Role::SystemAdmin),
        "POST",
        "/api/v1/users",
        json!({"username": username, "display_name": "王五", "role": role,
               "unit": "商务厅", "password": "Zm8#kLq2!vR7"}),
        None,
    )
    .await
}

/// Item 2: an account the system administrator makes (or resets) must change its password before
/// anything else, may not reuse one of its last five, and the API says why it is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_must_change_its_password_first_and_never_to_an_old_one() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "first_password", Config::default()).await;
        let sys = h.session(Role::SystemAdmin);
        let (st, body) = add_user(&h, "wangwu", "liaison").await;
        assert_eq!(st, 201, "{name}: {body}");
        assert_eq!(body["must_change_password"], true, "{name}");
        let s = sign_in(&h, "wangwu", "Zm8#kLq2!vR7", None).await.unwrap();
        // Every page leads to 我的账户, which says why; the API refuses with the reason's code.
        let res = h.send_as(&s, "GET", "/tasks", None, vec![]).await;
        assert_eq!(res.status(), 303, "{name}");
        assert_eq!(res.headers()["location"], "/account");
        let page = body_text(h.send_as(&s, "GET", "/account", None, vec![]).await).await;
        assert!(
            page.contains("id=\"pending\"") && page.contains("初始密码"),
            "{name}"
        );
        let (st, body) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(
            (st, body["code"].as_str()),
            (403, Some("password_change_required"))
        );
        // The same password again is refused (it is the newest of the history).
        let change = |current: &str, new: &str| {
            format!("current={}&password={}", urlenc(current), urlenc(new))
        };
        let res = send_form(
            &h,
            &s,
            "/account/password",
            &change("Zm8#kLq2!vR7", "Zm8#kLq2!vR7"),
        )
        .await;
        assert_eq!(res.status(), 400, "{name}");
        assert!(body_text(res).await.contains("最近 5 次"), "{name}");
        let res = send_form(
            &h,
            &s,
            "/account/password",
            &change("Zm8#kLq2!vR7", "Hx5!pWq9#cT3"),
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        // The change ended the session; the new password opens everything.
        let s = sign_in(&h, "wangwu", "Hx5!pWq9#cT3", None).await.unwrap();
        let (st, _) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(st, 200, "{name}");
        // An administrator's reset holds the account again.
        let user = h.store.credentials("wangwu").await.unwrap().unwrap().user;
        let res = send_form(
            &h,
            &sys,
            &format!("/users/{}/password", user.id),
            "password=Qp3%23nLw8%21sJ6",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let s = sign_in(&h, "wangwu", "Qp3#nLw8!sJ6", None).await.unwrap();
        let (st, body) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(
            (st, body["code"].as_str()),
            (403, Some("password_change_required"))
        );
        // Back to the first password is a reuse too.
        let res = send_form(
            &h,
            &s,
            "/account/password",
            &change("Qp3#nLw8!sJ6", "Zm8#kLq2!vR7"),
        )
        .await;
        assert_eq!(res.status(), 400, "{name}");
    }
}

/// Item 10: an administrator without a second factor reaches only the account page until one is
/// enrolled (QR code drawn on the server); then a login needs a fresh code or a recovery code,
/// each good once; the security administrator resets it for a lost phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_sign_in_with_a_second_factor() {
    use luoshi_store::accounts::second_factor::{Totp, secret_from_text};
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "second_factor", Config::default()).await;
        let admin = h.store.credentials("admin").await.unwrap().unwrap().user;
        let password = "Wd6!rKz3#pN8";
        let hash = luoshi_store::accounts::credentials::hash_password(password);
        h.store
            .set_password(&luoshi_store::Actor::system("test"), admin.id, &hash, false)
            .await
            .unwrap();
        let s = sign_in(&h, "admin", password, None).await.unwrap();
        let (st, body) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(
            (st, body["code"].as_str()),
            (403, Some("second_factor_required")),
            "{name}"
        );
        let res = send_form(&h, &s, "/account/second-factor", "").await;
        assert_eq!(res.status(), 303, "{name}");
        let page = body_text(h.send_as(&s, "GET", "/account", None, vec![]).await).await;
        assert!(
            page.contains("data:image/svg+xml;base64,"),
            "{name}: a QR code"
        );
        let secret = between(&page, "id=\"totp-secret\">", "<");
        let totp = Totp::new(&secret_from_text(&secret).unwrap(), "admin").unwrap();
        let now = luoshi_store::now();
        let res = send_form(&h, &s, "/account/second-factor/confirm", "code=000000").await;
        assert_eq!(res.status(), 303, "{name}: a wrong code is refused");
        let code = totp.code_at(now);
        let res = send_form(
            &h,
            &s,
            "/account/second-factor/confirm",
            &format!("code={code}"),
        )
        .await;
        assert_eq!(res.status(), 200, "{name}");
        let page = body_text(res).await;
        let codes: Vec<String> = page
            .split("<li><code>")
            .skip(1)
            .map(|c| c[..c.find('<').unwrap()].to_string())
            .collect();
        assert_eq!(codes.len(), 10, "{name}");
        // Now the work opens; the password alone no longer signs in.
        let (st, _) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(st, 200, "{name}");
        assert_eq!(
            sign_in(&h, "admin", password, None).await,
            Err(401),
            "{name}"
        );
        // The enrolment's code is spent; the next one signs in once.
        assert_eq!(
            sign_in(&h, "admin", password, Some(&code)).await,
            Err(401),
            "{name}"
        );
        let next = totp.code_at(now + 30);
        assert!(
            sign_in(&h, "admin", password, Some(&next)).await.is_ok(),
            "{name}"
        );
        assert_eq!(
            sign_in(&h, "admin", password, Some(&next)).await,
            Err(401),
            "{name}"
        );
        // A recovery code, typed loosely, once.
        let loose = codes[0].to_uppercase().replace('-', " ");
        assert!(
            sign_in(&h, "admin", password, Some(&loose)).await.is_ok(),
            "{name}"
        );
        assert_eq!(
            sign_in(&h, "admin", password, Some(&codes[0])).await,
            Err(401),
            "{name}"
        );
        // Lost phone: the security administrator resets; the system administrator may not.
        let path = format!("/security/users/{}/second-factor/reset", admin.id);
        let res = send_form(&h, &h.session(Role::SystemAdmin), &path, "").await;
        assert_eq!(res.status(), 403, "{name}");
        let res = send_form(&h, &h.session(Role::SecurityAdmin), &path, "").await;
        assert_eq!(res.status(), 303, "{name}");
        let s = sign_in(&h, "admin", password, None).await.unwrap();
        let (st, body) = json_as(&h, &s, "GET", "/api/v1/tasks", json!({}), None).await;
        assert_eq!(
            (st, body["code"].as_str()),
            (403, Some("second_factor_required")),
            "{name}"
        );
        let audit = h
            .store
            .audit(
                &luoshi_store::audit::AuditFilter::default(),
                luoshi_store::Page::new(0, 200),
            )
            .await
            .unwrap()
            .items;
        for action in [
            "second_factor.enrol",
            "second_factor.recovery_code",
            "second_factor.reset",
        ] {
            assert!(audit.iter().any(|e| e.action == action), "{name}: {action}");
        }
    }
}

/// Item 11: 三权分立 — the system administrator manages the zone's accounts and settings but reads
/// no audit log and makes no custodian; the audit administrator reads the log and nothing else;
/// the custodians see none of the zone's work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_custodians_hold_separate_powers() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "custodians", Config::default()).await;
        let get = |role: Role, path: &'static str| {
            let h = &h;
            async move { h.get(Some(role), path).await.status().as_u16() }
        };
        for (role, path, want) in [
            (Role::SystemAdmin, "/users", 200),
            (Role::SystemAdmin, "/settings", 200),
            (Role::SystemAdmin, "/audit", 403),
            (Role::SystemAdmin, "/api/v1/audit", 403),
            (Role::SystemAdmin, "/security", 403),
            (Role::SystemAdmin, "/tasks", 403),
            (Role::SecurityAdmin, "/security", 200),
            (Role::SecurityAdmin, "/users", 403),
            (Role::SecurityAdmin, "/audit", 403),
            (Role::AuditAdmin, "/audit", 200),
            (Role::AuditAdmin, "/api/v1/audit", 200),
            (Role::AuditAdmin, "/users", 403),
            (Role::AuditAdmin, "/settings", 403),
            (Role::AuditAdmin, "/api/v1/tasks", 403),
            (Role::AuditAdmin, "/audit/export.xlsx", 200),
            (Role::SystemAdmin, "/audit/export.xlsx", 403),
            (Role::Admin, "/users", 403),
            (Role::Admin, "/audit", 403),
            (Role::Admin, "/tasks", 200),
        ] {
            assert_eq!(get(role, path).await, want, "{name} {role:?} {path}");
        }
        // The system administrator cannot make an auditor of their own, nor take over one.
        let sys = h.session(Role::SystemAdmin);
        let (st, body) = add_user(&h, "myauditor", "audit_admin").await;
        assert_eq!(st, 422, "{name}: {body}");
        let auditor = h
            .store
            .users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.role == Role::AuditAdmin)
            .unwrap();
        for (path, form) in [
            (
                format!("/users/{}/password", auditor.id),
                "password=Qp3%23nLw8%21sJ6",
            ),
            (format!("/users/{}/active", auditor.id), "active=0"),
        ] {
            let res = send_form(&h, &sys, &path, form).await;
            assert_eq!(res.status(), 422, "{name} {path}");
        }
        assert!(h.store.user(auditor.id).await.unwrap().unwrap().active);
        // The audit administrator exports what the filter selects, in Chinese.
        let bytes = crate::common::body_bytes(
            h.get(
                Some(Role::AuditAdmin),
                "/audit/export.xlsx?actor=system_admin5",
            )
            .await,
        )
        .await;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = calamine::Reader::worksheet_range(&mut book, "审计日志").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][3], "操作", "{name}");
        assert!(
            rows.len() > 1 && rows[1..].iter().all(|r| r[2] == "system_admin5"),
            "{name}: {rows:?}"
        );
        // A custodian signing in starts on their own page.
        let res = h.get(Some(Role::AuditAdmin), "/").await;
        assert_eq!(res.headers()["location"], "/audit", "{name}");
    }
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).unwrap() + start.len();
    let rest = &text[from..];
    rest[..rest.find(end).unwrap()].to_string()
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
