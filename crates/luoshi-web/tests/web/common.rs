//! A test ledger behind the router, on either backend, with one signed-in session per role.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use luoshi_domain::accounts::Role;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_store::ledger::plan_import;
use luoshi_store::{Actor, Store};
use luoshi_store_sql::SqlStore;
use luoshi_web::{AppState, Config};
use tower::ServiceExt;

pub struct Harness {
    pub app: Router,
    pub store: Arc<dyn Store>,
    /// (role, cookie token, csrf) for a user of each role; liaison is 自治区商务厅's.
    pub sessions: Vec<(Role, String, String)>,
    /// The database's URL, for a second "process" (its own store and pool) on the same data.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

const ROLE_UNITS: [(Role, &str); 8] = [
    (Role::Admin, "自贸试验区工作领导小组办公室"),
    (Role::Liaison, "自治区商务厅"),
    (Role::Leader, "自贸试验区工作领导小组办公室"),
    (Role::AreaCommittee, "崇左片区管委会"),
    (Role::CityGov, "钦州市人民政府"),
    (Role::SystemAdmin, "自贸试验区工作领导小组办公室"),
    (Role::SecurityAdmin, "自贸试验区工作领导小组办公室"),
    (Role::AuditAdmin, "自贸试验区工作领导小组办公室"),
];

/// A ledger with the project's samples imported and a session for every role.
pub async fn harness(backend: Backend, name: &str, config: Config) -> Harness {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (SqlStore::fresh_postgres_url(name).await.unwrap(), None),
    };
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&url, 8).await.unwrap());
    luoshi_store::accounts::credentials::bootstrap_admin(&*store, false)
        .await
        .unwrap();
    let actor = Actor::system("test");
    for (file, bytes) in luoshi_store::samples::SAMPLES {
        let plan = plan_import(&*store, luoshi_testkit::input(file, bytes))
            .await
            .unwrap();
        store.apply_import(&actor, &plan).await.unwrap();
    }
    let mut sessions = Vec::new();
    for (i, (role, unit)) in ROLE_UNITS.iter().enumerate() {
        let unit = store.unit_by_name(unit).await.unwrap().unwrap();
        let user = store
            .create_user(
                &actor,
                NewUser {
                    username: format!("{}{i}", role.code()),
                    display_name: role.label().into(),
                    role: *role,
                    unit_id: unit.id,
                    password_hash: luoshi_store::accounts::credentials::hash_password("Passw0rd!x"),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        if role.needs_second_factor() {
            luoshi_testkit::enrol_test_factor(&*store, user.id, 2).await;
        }
        let token = format!("token-{i}-{}", role.code());
        let csrf = format!("csrf-{i}");
        store
            .create_session(NewSession {
                token_hash: hex_sha(&token),
                user_id: user.id,
                csrf: csrf.clone(),
                now: now(),
            })
            .await
            .unwrap();
        sessions.push((*role, token, csrf));
    }
    let app = luoshi_web::app(AppState {
        store: store.clone(),
        config: Arc::new(config),
        memo: Default::default(),
    });
    Harness {
        app,
        store,
        sessions,
        url,
        _dir: dir,
    }
}

pub fn now() -> i64 {
    luoshi_store::now()
}

pub fn hex_sha(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

impl Harness {
    pub fn session(&self, role: Role) -> (String, String) {
        let (_, t, c) = self.sessions.iter().find(|s| s.0 == role).unwrap();
        (t.clone(), c.clone())
    }

    /// Sends a request, signed in as `role` (or anonymous), with the CSRF header when signed in.
    pub async fn send(
        &self,
        role: Option<Role>,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response<Body> {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(role) = role {
            let (token, csrf) = self.session(role);
            req = req
                .header("cookie", format!("luoshi_session={token}"))
                .header("x-csrf-token", csrf);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap()
    }

    pub async fn get(&self, role: Option<Role>, uri: &str) -> Response<Body> {
        self.send(role, "GET", uri, None, Vec::new()).await
    }

    pub async fn json(
        &self,
        role: Option<Role>,
        method: &str,
        uri: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = self
            .send(
                role,
                method,
                uri,
                Some("application/json"),
                body.to_string().into_bytes(),
            )
            .await;
        let status = res.status().as_u16();
        (status, body_json(res).await)
    }
}

pub async fn body_bytes(res: Response<Body>) -> Vec<u8> {
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    let b = body_bytes(res).await;
    serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null)
}

pub async fn body_text(res: Response<Body>) -> String {
    String::from_utf8(body_bytes(res).await).unwrap()
}

/// A new session for the harness's user of `role`.
pub async fn fresh_session(h: &Harness, role: Role) -> (String, String) {
    let users = h.store.users().await.unwrap();
    let i = ROLE_UNITS.iter().position(|(r, _)| *r == role).unwrap();
    let name = format!("{}{i}", role.code());
    let user = users.iter().find(|u| u.username == name).unwrap();
    sign_in(h, user.id, role).await
}

/// A new session of user `user_id`; tokens are unique within the test process.
async fn sign_in(h: &Harness, user_id: luoshi_store::Id, role: Role) -> (String, String) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let token = format!("fresh-{n}-{}", role.code());
    let csrf = format!("c-{n}");
    h.store
        .create_session(NewSession {
            token_hash: hex_sha(&token),
            user_id,
            csrf: csrf.clone(),
            now: now(),
        })
        .await
        .unwrap();
    (token, csrf)
}

impl Harness {
    pub async fn send_as(
        &self,
        session: &(String, String),
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response<Body> {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("cookie", format!("luoshi_session={}", session.0))
            .header("x-csrf-token", &session.1);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap()
    }
}

/// What the page after a form post said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Where the post sent the browser.
    pub to: String,
    /// `done` or `refused`: the message box's style.
    pub tone: String,
    pub text: String,
}

/// Follows a form post's redirect as the same session and reads the message its page shows once
/// (the newest, when earlier posts' pages were never opened).
pub async fn outcome(h: &Harness, session: &(String, String), res: Response<Body>) -> Outcome {
    assert_eq!(res.status(), 303, "a form post answers with a redirect");
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(!to.contains("msg="), "no message text in the URL: {to}");
    let page = body_text(h.send_as(session, "GET", &to, None, Vec::new()).await).await;
    let Some(start) = page.rfind("<div class=\"flash ") else {
        return Outcome {
            to,
            tone: String::new(),
            text: String::new(),
        };
    };
    let rest = &page[start + "<div class=\"flash ".len()..];
    let tone = rest[..rest.find('"').unwrap()].to_string();
    let body = &rest[rest.find("</b>").unwrap() + 4..];
    let text = body[..body.find("</div>").unwrap()]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    Outcome { to, tone, text }
}

pub async fn json_as(
    h: &Harness,
    s: &(String, String),
    method: &str,
    uri: &str,
    body: serde_json::Value,
    key: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("cookie", format!("luoshi_session={}", s.0))
        .header("x-csrf-token", &s.1)
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let res = tower::ServiceExt::oneshot(
        h.app.clone(),
        req.body(axum::body::Body::from(body.to_string())).unwrap(),
    )
    .await
    .unwrap();
    let status = res.status().as_u16();
    (status, body_json(res).await)
}

/// A signed-in session for a new user of `role` in the unit named `unit`.
pub async fn session_of(h: &Harness, unit: &str, role: Role) -> (String, String) {
    let unit = h.store.unit_by_name(unit).await.unwrap().unwrap();
    let n = h.store.users().await.unwrap().len();
    let user = h
        .store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: format!("unit{n}{}", role.code()),
                display_name: format!("{}联络员", unit.name),
                role,
                unit_id: unit.id,
                password_hash: luoshi_store::accounts::credentials::hash_password("Passw0rd!x"),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    if role.needs_second_factor() {
        luoshi_testkit::enrol_test_factor(&*h.store, user.id, 0).await;
    }
    sign_in(h, user.id, role).await
}

/// A multipart form body with text fields and files.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let b = "----luoshi-test-boundary";
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        out.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        out.extend(*bytes);
        out.extend(b"\r\n");
    }
    out.extend(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), out)
}

/// Posts a form (`application/x-www-form-urlencoded`) as `session`.
pub async fn send_form(
    h: &Harness,
    session: &(String, String),
    uri: &str,
    form: &str,
) -> Response<Body> {
    h.send_as(
        session,
        "POST",
        uri,
        Some("application/x-www-form-urlencoded"),
        form.as_bytes().to_vec(),
    )
    .await
}
