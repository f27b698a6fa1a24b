//! The router in process, on both backends: login and lockout, sessions, security headers, import
//! through the API (preview, confirm, idempotence, versions, bad input), unit scoping (404 for
//! other units' objects), the xlsx export and the OpenAPI document.

use std::io::Read;

use crate::common::{BACKENDS, Backend, Harness, body_json, body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_testkit::chapters::{self, Chapter};
use luoshi_web::Config;
use serde_json::{Value, json};

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlenc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn login(h: &Harness, user: &str, password: &str) -> axum::http::Response<axum::body::Body> {
    h.send(
        None,
        "POST",
        "/login",
        Some("application/x-www-form-urlencoded"),
        form(&[
            ("username", user),
            ("password", password),
            ("next", "/tasks"),
        ]),
    )
    .await
}

async fn login_lockout_and_sessions(h: &Harness) {
    // A right password opens a session with a hardened cookie, and goes to `next`.
    let res = login(h, "liaison1", "Passw0rd!x").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/tasks");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("luoshi_session=")
        .to_string();
    let req = |t: &str| {
        axum::http::Request::builder()
            .uri("/api/v1/me")
            .header("cookie", format!("luoshi_session={t}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let me = tower::ServiceExt::oneshot(h.app.clone(), req(&token))
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me = body_json(me).await;
    assert_eq!(me["user"]["username"], "liaison1");
    // Logout destroys it.
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let out = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/logout?_csrf={csrf}"))
        .header("cookie", format!("luoshi_session={token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let out = tower::ServiceExt::oneshot(h.app.clone(), out)
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let me = tower::ServiceExt::oneshot(h.app.clone(), req(&token))
        .await
        .unwrap();
    assert_eq!(me.status(), 401);

    // Five wrong passwords lock the account for 30 minutes, even against the right password.
    for i in 0..5 {
        let res = login(h, "leader2", "wrong-password").await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = login(h, "leader2", "Passw0rd!x").await;
    assert_eq!(res.status(), 401);
    assert!(body_text(res).await.contains("暂停"));
    // Unknown users get the same answer as wrong passwords.
    let res = login(h, "nobody", "Passw0rd!x").await;
    assert!(body_text(res).await.contains("用户名、密码或动态口令错误"));
    // A cross-site login post is refused.
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header("host", "ledger.local")
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form(&[
            ("username", "admin"),
            ("password", "x"),
        ])))
        .unwrap();
    let res = tower::ServiceExt::oneshot(h.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn headers_and_pages(h: &Harness) {
    let res = h.get(Some(Role::Admin), "/").await;
    assert_eq!(res.status(), 200);
    let hd = res.headers().clone();
    assert!(
        hd["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(hd["x-content-type-options"], "nosniff");
    assert_eq!(hd["x-frame-options"], "DENY");
    let html = body_text(res).await;
    assert!(html.contains("台账总览") && html.contains("<svg"), "{html}");
    for page in [
        "/documents",
        "/tasks",
        "/units",
        "/import",
        "/account",
        "/users",
        "/settings",
        "/security",
        "/audit",
    ] {
        let role = match page {
            "/users" | "/settings" => Role::SystemAdmin,
            "/security" => Role::SecurityAdmin,
            "/audit" => Role::AuditAdmin,
            _ => Role::Admin,
        };
        let res = h.get(Some(role), page).await;
        assert_eq!(res.status(), 200, "{page}");
        let html = body_text(res).await;
        assert!(html.contains("lang=\"zh-CN\""), "{page}");
        assert!(!html.contains("<script"), "{page} has a script");
    }
    // Assets are served from the binary, no request leaves the machine.
    let css = h.get(None, "/assets/style.css").await;
    assert_eq!(css.status(), 200);
    let html = body_text(h.get(Some(Role::Admin), "/tasks").await).await;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external reference in page"
    );
}

async fn import_through_the_api(h: &Harness) {
    let admin = Some(Role::Admin);
    let docs_before = body_json(h.get(admin, "/api/v1/documents").await).await["total"]
        .as_i64()
        .unwrap();
    let doc = "某某厅文件\n\n某发〔2026〕9号\n\n关于推进测试工作的通知\n\n各有关单位：\n\n一、重点任务\n\n1.建设测试平台。完成平台上线。（责任单位：自治区商务厅，南宁片区管理机构）\n\n2.编写测试文档。形成规范。（责任单位：自治区数据局，自治区新设测试中心）\n";
    let res = h
        .send(
            admin,
            "POST",
            "/api/v1/imports?name=t.txt",
            Some("application/octet-stream"),
            doc.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(res.status(), 200);
    let preview = body_json(res).await;
    assert_eq!(preview["kind"], "new_document");
    assert_eq!(preview["tasks"].as_array().unwrap().len(), 2);
    let units = &preview["tasks"][0]["units"];
    assert_eq!(units[0]["lead"], true);
    assert_eq!(units[1]["written"], "南宁片区管理机构");
    assert_eq!(units[1]["resolved"], "南宁片区管委会");
    assert_eq!(preview["tasks"][1]["units"][1]["resolved"], Value::Null);
    // Nothing is written before confirmation.
    let docs_now = body_json(h.get(admin, "/api/v1/documents").await).await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(docs_now, docs_before);
    let token = preview["token"].as_str().unwrap();
    // Another user cannot see or confirm someone else's pending import.
    let (st, _) = h
        .json(
            Some(Role::Leader),
            "POST",
            &format!("/api/v1/imports/{token}/confirm"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, outcome) = h
        .json(
            admin,
            "POST",
            &format!("/api/v1/imports/{token}/confirm"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{outcome}");
    assert_eq!(outcome["outcome"], "new_document");
    assert_eq!(outcome["tasks"], 2);
    // The same bytes again: recognised, nothing changes.
    let res = h
        .send(
            admin,
            "POST",
            "/api/v1/imports?name=again.txt",
            Some("application/octet-stream"),
            doc.as_bytes().to_vec(),
        )
        .await;
    let again = body_json(res).await;
    assert_eq!(again["kind"], "already_stored");
    let (_, outcome) = h
        .json(
            admin,
            "POST",
            &format!(
                "/api/v1/imports/{}/confirm",
                again["token"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(outcome["outcome"], "unchanged");
    let docs_after = body_json(h.get(admin, "/api/v1/documents").await).await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(docs_after, docs_before + 1);
    // Bad input: a clear Chinese error, nothing stored.
    let res = h
        .send(
            admin,
            "POST",
            "/api/v1/imports?name=x.docx",
            Some("application/octet-stream"),
            b"PK\x03\x04broken".to_vec(),
        )
        .await;
    assert_eq!(res.status(), 422);
    let err = body_json(res).await;
    assert!(err["code"].is_string());
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{err}"
    );
    let res = h
        .send(
            admin,
            "POST",
            "/api/v1/imports?name=e.txt",
            Some("application/octet-stream"),
            Vec::new(),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        body_json(h.get(admin, "/api/v1/documents").await).await["total"]
            .as_i64()
            .unwrap(),
        docs_after
    );
}

async fn upload_limit(backend: Backend) {
    let config = Config {
        max_upload: 1024,
        ..Config::default()
    };
    let h = harness(backend, "limit", config).await;
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/api/v1/imports?name=big.txt",
            Some("application/octet-stream"),
            vec![b'a'; 200 * 1024],
        )
        .await;
    assert_eq!(res.status(), 413);
}

async fn scoping(h: &Harness) {
    let liaison = Some(Role::Liaison); // 自治区商务厅
    let all = body_json(h.get(Some(Role::Leader), "/api/v1/tasks?limit=500").await).await;
    let mine = body_json(h.get(liaison, "/api/v1/tasks?limit=500").await).await;
    assert!(mine["total"].as_i64().unwrap() > 0);
    assert!(mine["total"].as_i64().unwrap() < all["total"].as_i64().unwrap());
    for t in mine["items"].as_array().unwrap() {
        let named = t["lead"]
            .as_array()
            .unwrap()
            .iter()
            .chain(t["support"].as_array().unwrap());
        assert!(named.clone().any(|u| u == "自治区商务厅"), "{t}");
    }
    let other = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            !t["lead"]
                .as_array()
                .unwrap()
                .iter()
                .chain(t["support"].as_array().unwrap())
                .any(|u| u == "自治区商务厅")
        })
        .unwrap();
    let id = other["id"].as_i64().unwrap();
    assert_eq!(
        h.get(liaison, &format!("/api/v1/tasks/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(h.get(liaison, &format!("/tasks/{id}")).await.status(), 404);
    assert_eq!(
        h.get(Some(Role::Leader), &format!("/tasks/{id}"))
            .await
            .status(),
        200
    );
    // The area committee of 崇左 sees its area's tasks.
    let area = body_json(
        h.get(Some(Role::AreaCommittee), "/api/v1/tasks?limit=500")
            .await,
    )
    .await;
    assert!(area["total"].as_i64().unwrap() > 0);
    for t in area["items"].as_array().unwrap() {
        assert!(
            t["areas"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "chongzuo"),
            "{t}"
        );
    }
    // Another unit's page answers 404; its own does not.
    let qz = h
        .store
        .unit_by_name("钦州港片区管委会")
        .await
        .unwrap()
        .unwrap()
        .id;
    let own = h
        .store
        .unit_by_name("自治区商务厅")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        h.get(liaison, &format!("/api/v1/units/{qz}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        h.get(liaison, &format!("/api/v1/units/{own}"))
            .await
            .status(),
        200
    );
    // A leader reads everything and changes nothing.
    let (st, body) = h
        .json(
            Some(Role::Leader),
            "POST",
            "/api/v1/units",
            json!({"name": "某单位", "kind": "other"}),
        )
        .await;
    assert_eq!((st, body["code"].as_str()), (403, Some("forbidden")));
    // A unit's list by any of its names includes its predecessors' tasks: one sample task written
    // with 自治区大数据发展局, one with 自治区数据局, and the one imported above.
    let by_new = body_json(
        h.get(
            Some(Role::Admin),
            "/api/v1/tasks?unit=%E8%87%AA%E6%B2%BB%E5%8C%BA%E6%95%B0%E6%8D%AE%E5%B1%80",
        )
        .await,
    )
    .await;
    assert_eq!(by_new["total"], 3);
    let by_old = body_json(h.get(Some(Role::Admin), "/api/v1/tasks?unit=%E8%87%AA%E6%B2%BB%E5%8C%BA%E5%A4%A7%E6%95%B0%E6%8D%AE%E5%8F%91%E5%B1%95%E5%B1%80").await).await;
    assert_eq!(by_old["total"], 1);
}

async fn registry_edits(h: &Harness) {
    let admin = Some(Role::Admin);
    let (st, unit) = h
        .json(
            admin,
            "POST",
            "/api/v1/units",
            json!({"name": "自治区测试局", "kind": "regional_dept"}),
        )
        .await;
    assert_eq!(st, 201, "{unit}");
    let id = unit["id"].as_i64().unwrap();
    let (st, _) = h
        .json(
            admin,
            "POST",
            &format!("/api/v1/units/{id}/aliases"),
            json!({"alias": "测试局"}),
        )
        .await;
    assert_eq!(st, 204);
    let (st, err) = h
        .json(
            admin,
            "POST",
            &format!("/api/v1/units/{id}/aliases"),
            json!({"alias": "南宁片区管理机构"}),
        )
        .await;
    assert_eq!((st, err["code"].as_str()), (409, Some("conflict")));
    let detail = body_json(h.get(admin, &format!("/api/v1/units/{id}")).await).await;
    assert!(
        detail["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "测试局")
    );
    let audit = body_json(h.get(Some(Role::AuditAdmin), "/api/v1/audit?limit=5").await).await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "unit.alias.add")
    );
}

async fn export(h: &Harness) {
    // A task text that looks like a formula stays text.
    let doc = "测试文件\n\n一、重点任务\n\n1.=SUM(A1:A9)。-1+2@x。（责任单位：自治区商务厅）\n";
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/api/v1/imports?name=f.txt",
            Some("application/octet-stream"),
            doc.as_bytes().to_vec(),
        )
        .await;
    let p = body_json(res).await;
    let (st, _) = h
        .json(
            Some(Role::Admin),
            "POST",
            &format!("/api/v1/imports/{}/confirm", p["token"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let res = h.get(Some(Role::Liaison), "/export/tasks.xlsx").await;
    assert_eq!(res.status(), 200);
    let bytes = crate::common::body_bytes(res).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "a formula cell was written"
    );
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("任务分工表").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "序号",
            "任务",
            "主要内容",
            "牵头单位",
            "配合单位",
            "来源文件"
        ]
    );
    let liaison_total = body_json(h.get(Some(Role::Liaison), "/api/v1/tasks").await).await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(rows.len() as i64 - 1, liaison_total);
    assert!(
        rows.iter()
            .any(|r| r[1].ends_with("=SUM(A1:A9)") && r[2] == "'-1+2@x。"),
        "{rows:?}"
    );
}

async fn openapi(h: &Harness) {
    let res = h.get(None, "/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc = body_json(res).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // Every API route is described; every reference resolves.
    for p in luoshi_web::PERMISSIONS
        .iter()
        .filter(|p| p.path.starts_with("/api/"))
    {
        assert!(
            doc["paths"][p.path][p.method.to_lowercase()].is_object(),
            "{} {}",
            p.method,
            p.path
        );
    }
    let text = doc.to_string();
    for r in text.split("\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    // Real responses carry the fields their schemas require.
    let check = |schema: &str, v: &Value| {
        for f in schemas[schema]["required"].as_array().unwrap() {
            assert!(
                v.get(f.as_str().unwrap()).is_some(),
                "{schema} lacks {f}: {v}"
            );
        }
    };
    let tasks = body_json(h.get(Some(Role::Admin), "/api/v1/tasks?limit=3").await).await;
    check("TaskPage", &tasks);
    check("Task", &tasks["items"][0]);
    let id = tasks["items"][0]["id"].as_i64().unwrap();
    check(
        "TaskDetail",
        &body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/tasks/{id}"))
                .await,
        )
        .await,
    );
    let units = body_json(h.get(Some(Role::Admin), "/api/v1/units").await).await;
    check("UnitSummary", &units[0]);
    let docs = body_json(h.get(Some(Role::Admin), "/api/v1/documents").await).await;
    check("DocumentPage", &docs);
    check("Document", &docs["items"][0]);
    let d = docs["items"][0]["id"].as_i64().unwrap();
    check(
        "DocumentDetail",
        &body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/documents/{d}"))
                .await,
        )
        .await,
    );
    check(
        "User",
        &body_json(h.get(Some(Role::SystemAdmin), "/api/v1/users").await).await[0],
    );
    check(
        "AuditPage",
        &body_json(h.get(Some(Role::AuditAdmin), "/api/v1/audit").await).await,
    );
    // Pagination is bounded.
    let page = body_json(h.get(Some(Role::Admin), "/api/v1/tasks?limit=100000").await).await;
    assert_eq!(page["limit"], 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_on_both_backends() {
    let chapters: &[Chapter<Harness>] = &[
        Chapter {
            name: "login_lockout_and_sessions",
            builds: false,
            run: |h| Box::pin(login_lockout_and_sessions(h)),
        },
        Chapter {
            name: "headers_and_pages",
            builds: false,
            run: |h| Box::pin(headers_and_pages(h)),
        },
        Chapter {
            name: "import_through_the_api",
            builds: true,
            run: |h| Box::pin(import_through_the_api(h)),
        },
        Chapter {
            name: "scoping",
            builds: false,
            run: |h| Box::pin(scoping(h)),
        },
        Chapter {
            name: "registry_edits",
            builds: false,
            run: |h| Box::pin(registry_edits(h)),
        },
        Chapter {
            name: "export",
            builds: false,
            run: |h| Box::pin(export(h)),
        },
        Chapter {
            name: "openapi",
            builds: false,
            run: |h| Box::pin(openapi(h)),
        },
    ];
    for backend in BACKENDS {
        let story = format!("router on {}", backend.name());
        let mut h = harness(backend, "router", Config::default()).await;
        chapters::run(&story, &mut h, chapters).await;
    }
    for backend in BACKENDS {
        upload_limit(backend).await;
    }
}
