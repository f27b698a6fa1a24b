//! The authorization walk: every registered route, with every role and anonymously, on both
//! backends. It fails when a route is missing from the permission table (or the table names a
//! route that does not exist), when an anonymous request gets through, or when a role is let
//! into a route the table keeps from it.

use std::collections::BTreeSet;

use crate::common::{BACKENDS, harness};
use luoshi_domain::accounts::{Access, Role};
use luoshi_web::Config;
use luoshi_web::routes::{PERMISSIONS, routes};

#[test]
fn every_route_is_in_the_permission_table_and_back() {
    let registered: BTreeSet<(String, String)> = routes(1024)
        .registered
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let table: BTreeSet<(String, String)> = PERMISSIONS
        .iter()
        .map(|p| (p.method.to_string(), p.path.to_string()))
        .collect();
    let unlisted: Vec<_> = registered.difference(&table).collect();
    let stale: Vec<_> = table.difference(&registered).collect();
    assert!(
        unlisted.is_empty(),
        "routes missing from PERMISSIONS: {unlisted:?}"
    );
    assert!(
        stale.is_empty(),
        "PERMISSIONS names routes that do not exist: {stale:?}"
    );
    assert_eq!(
        registered.len(),
        PERMISSIONS.len(),
        "a route is listed twice"
    );
}

/// Fills path parameters with values that exist in the test ledger.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{token}", "no-such-token")
        .replace("{alias}", "%E6%9F%90%E5%88%AB%E5%90%8D")
        .replace("{period}", "2026-Q3")
        .replace("{decision}", "1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "authz", Config::default()).await;
        let mut checked = 0;
        for (method, path) in routes(1024).registered {
            let perm = PERMISSIONS
                .iter()
                .find(|p| p.method == method.as_str() && p.path == path)
                .expect("table checked above");
            let uri = concrete(path);
            let api = path.starts_with("/api/");
            let body = if method == "GET" {
                Vec::new()
            } else {
                b"{}".to_vec()
            };
            let ct = if api {
                Some("application/json")
            } else {
                Some("application/x-www-form-urlencoded")
            };
            // Anonymous.
            let res = h.send(None, method.as_str(), &uri, ct, body.clone()).await;
            let status = res.status().as_u16();
            if perm.access == Access::Public {
                assert!(
                    status != 401 && status != 403 && status != 500,
                    "{name} anon {method} {path}: {status}"
                );
            } else if api {
                assert_eq!(status, 401, "{name} anon {method} {path}");
            } else {
                assert_eq!(status, 303, "{name} anon {method} {path}");
                let loc = res.headers()["location"].to_str().unwrap();
                assert!(loc.starts_with("/login"), "{loc}");
            }
            // Each role; a fresh session per request, so logout routes do not end the walk.
            for role in Role::ALL {
                let h2 = crate::common::fresh_session(&h, role).await;
                let res = h
                    .send_as(&h2, method.as_str(), &uri, ct, body.clone())
                    .await;
                let status = res.status().as_u16();
                if perm.access.allows(role) {
                    assert!(
                        status != 401 && status != 403 && status != 500,
                        "{name} {role:?} {method} {path}: {status}"
                    );
                } else if role.is_custodian() && path == "/" && method == "GET" {
                    // A custodian (三员) is sent to their own page, not the ledger's.
                    assert_eq!(status, 303, "{name} {role:?} {method} {path}");
                    assert_eq!(res.headers()["location"], role.home());
                } else {
                    assert_eq!(status, 403, "{name} {role:?} {method} {path}");
                }
                checked += 1;
            }
        }
        assert!(checked >= PERMISSIONS.len() * Role::ALL.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_without_the_csrf_token_are_refused() {
    let h = harness(crate::common::Backend::Sqlite, "csrf", Config::default()).await;
    for p in PERMISSIONS
        .iter()
        .filter(|p| p.method != "GET" && p.access != Access::Public)
    {
        let (token, _) = h.session(Role::Admin);
        let req = axum::http::Request::builder()
            .method(p.method)
            .uri(concrete(p.path))
            .header("cookie", format!("luoshi_session={token}"))
            .header("x-csrf-token", "wrong")
            .body(axum::body::Body::from("{}"))
            .unwrap();
        let res = tower::ServiceExt::oneshot(h.app.clone(), req)
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{} {}", p.method, p.path);
    }
}
