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
        let body = format!("username=admin0&password=Passw0rd%21x&next={}", next);
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
