//! The OpenAPI 3.1 document of `/api/v1`, built from the route rows (each API row carries its
//! summary, schemas and query parameters), so every API route is described and none is described
//! that does not exist. Each feature's `api` module writes the component schemas its rows name;
//! a test checks real responses against their required fields.

use serde_json::{Map, Value, json};

use crate::kit::route::Permission;

pub(crate) fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(crate) fn obj(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": props })
}

pub(crate) fn page_of(item: &str) -> Value {
    obj(
        &["items", "total", "offset", "limit"],
        json!({
            "items": { "type": "array", "items": r(item) },
            "total": { "type": "integer" }, "offset": { "type": "integer" }, "limit": { "type": "integer" }
        }),
    )
}

/// The plain types every schema uses: string, integer, nullable string, nullable integer, array
/// of strings.
pub(crate) fn scalars() -> (Value, Value, Value, Value, Value) {
    (
        json!({ "type": "string" }),
        json!({ "type": "integer" }),
        json!({ "type": ["string", "null"] }),
        json!({ "type": ["integer", "null"] }),
        json!({ "type": "array", "items": { "type": "string" } }),
    )
}

/// The schemas no feature owns: errors, untyped objects, empty answers, file bodies.
pub(crate) fn schemas() -> Vec<(&'static str, Value)> {
    let (s, ..) = scalars();
    vec![
        (
            "Error",
            obj(&["code", "message"], json!({ "code": s, "message": s })),
        ),
        ("Object", json!({ "type": "object" })),
        ("Empty", json!({ "type": "null" })),
        ("Binary", json!({ "type": "string", "format": "binary" })),
    ]
}

/// The whole OpenAPI document.
pub fn document(permissions: &[Permission], schemas: Vec<(&'static str, Value)>) -> Value {
    let mut paths = Map::new();
    for p in permissions.iter().filter(|p| p.path.starts_with("/api/")) {
        let Some(doc) = p.doc else {
            continue;
        };
        let (summary, body, response, query) = (doc.summary, doc.request, doc.response, doc.query);
        let mut params: Vec<Value> = p
            .path
            .split('/')
            .filter(|seg| seg.starts_with('{'))
            .map(|seg| {
                let name = seg.trim_matches(['{', '}']);
                let ty = if name == "id" { "integer" } else { "string" };
                json!({ "name": name, "in": "path", "required": true, "schema": { "type": ty } })
            })
            .collect();
        params.extend(query.iter().map(|q| {
            json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } })
        }));
        let status = match (p.method, response) {
            (_, "Empty") => "204",
            ("POST", "Unit" | "User" | "ItemRow") => "201",
            ("POST", "Submitted") => "201",
            _ => "200",
        };
        let mut responses = json!({
            status: { "description": "成功", "content": { "application/json": { "schema": r(response) } } },
            "default": { "description": "错误", "content": { "application/json": { "schema": r("Error") } } }
        });
        if status == "204" {
            responses[status] = json!({ "description": "成功" });
        }
        let mut op = json!({
            "summary": summary,
            "operationId": format!("{}_{}", p.method.to_lowercase(), p.path.trim_start_matches("/api/v1/").replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": params,
            "responses": responses,
            "x-access": format!("{:?}", p.access).to_lowercase(),
        });
        if let Some(b) = body {
            let media = if b == "Binary" {
                "application/octet-stream"
            } else {
                "application/json"
            };
            op["requestBody"] =
                json!({ "required": true, "content": { media: { "schema": r(b) } } });
        }
        let entry = paths.entry(p.path.to_string()).or_insert_with(|| json!({}));
        entry[p.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "落实 Luoshi API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "政策落实督办平台的任务台账接口。先以 POST /api/v1/session 登录，之后每个修改请求都须带 X-CSRF-Token 头。每个账户每分钟的请求有上限（默认访问 600 次、提交 120 次、导出或下载 30 次，所有服务进程合计），超过时答 429，Retry-After 头给出需等待的秒数。"
        },
        "paths": paths,
        "components": {
            "schemas": schemas.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<String, Value>>(),
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": crate::kit::auth::COOKIE } }
        },
        "security": [{ "session": [] }]
    })
}
