//! Two server processes on one PostgreSQL database (here: two routers with their own connection
//! pools): a session opened on one works on the other, an upload previewed on one is confirmed on
//! the other, logout on one ends the session everywhere, and login failures count across both.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use luoshi_store::Store;
use luoshi_store_sql::SqlStore;
use luoshi_web::{AppState, Config};
use tower::ServiceExt;

async fn server(url: &str) -> (Router, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(url, 4).await.unwrap());
    let app = luoshi_web::app(AppState {
        store: store.clone(),
        config: Arc::new(Config::default()),
        memo: Default::default(),
    });
    (app, store)
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Vec<u8>,
) -> (u16, Option<String>, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    req = req.header("content-type", "application/json");
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let set_cookie = res
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        set_cookie,
        serde_json::from_slice(&bytes).unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_database() {
    let url = SqlStore::fresh_postgres_url("scaleout").await.unwrap();
    let (one, store) = server(&url).await;
    let (two, _) = server(&url).await;
    let first = luoshi_store::accounts::credentials::bootstrap_admin(&*store, false)
        .await
        .unwrap()
        .unwrap();
    let (user, password) = (first[0].username.clone(), first[0].password.clone());
    let admin = store.credentials(&user).await.unwrap().unwrap().user;
    luoshi_testkit::enrol_test_factor(&*store, admin.id, 0).await;

    let login = serde_json::json!({
        "username": user, "password": password, "otp": luoshi_testkit::test_code(0)
    })
    .to_string();
    let (st, cookie, body) = call(
        &one,
        "POST",
        "/api/v1/session",
        None,
        None,
        login.into_bytes(),
    )
    .await;
    assert_eq!(st, 200);
    let cookie = cookie.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_string();

    // The session opened on one answers on two.
    let (st, _, me) = call(&two, "GET", "/api/v1/me", Some(&cookie), None, Vec::new()).await;
    assert_eq!((st, me["user"]["username"].as_str()), (200, Some("admin")));

    // Upload on one, preview and confirm on two.
    let doc = "测试文件\n\n一、重点任务\n\n1.共同推进一项工作。形成机制。（责任单位：自治区商务厅，崇左片区管理机构）\n";
    let (st, _, preview) = call(
        &one,
        "POST",
        "/api/v1/imports?name=a.txt",
        Some(&cookie),
        Some(&csrf),
        doc.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(st, 200, "{preview}");
    let token = preview["token"].as_str().unwrap();
    let (st, _, again) = call(
        &two,
        "GET",
        &format!("/api/v1/imports/{token}"),
        Some(&cookie),
        None,
        Vec::new(),
    )
    .await;
    assert_eq!((st, again["kind"].as_str()), (200, Some("new_document")));
    let (st, _, outcome) = call(
        &two,
        "POST",
        &format!("/api/v1/imports/{token}/confirm"),
        Some(&cookie),
        Some(&csrf),
        Vec::new(),
    )
    .await;
    assert_eq!((st, outcome["tasks"].as_i64()), (200, Some(1)));

    // Logout on two ends the session on one.
    let (st, _, _) = call(
        &two,
        "DELETE",
        "/api/v1/session",
        Some(&cookie),
        Some(&csrf),
        Vec::new(),
    )
    .await;
    assert_eq!(st, 204);
    let (st, _, _) = call(&one, "GET", "/api/v1/me", Some(&cookie), None, Vec::new()).await;
    assert_eq!(st, 401);

    // Failures on both servers add up to the pause of this address for this account.
    let wrong = serde_json::json!({ "username": "admin", "password": "Wrong-pass1" }).to_string();
    for i in 0..5 {
        let app = if i % 2 == 0 { &one } else { &two };
        let (st, _, _) = call(
            app,
            "POST",
            "/api/v1/session",
            None,
            None,
            wrong.clone().into_bytes(),
        )
        .await;
        assert_eq!(st, 401);
    }
    let right = serde_json::json!({ "username": "admin", "password": password }).to_string();
    let (st, _, body) = call(
        &one,
        "POST",
        "/api/v1/session",
        None,
        None,
        right.into_bytes(),
    )
    .await;
    assert_eq!(st, 401);
    assert!(
        body["message"].as_str().unwrap().contains("暂停此地址"),
        "{body}"
    );
}
