//! The OpenAPI 3.1 document of `/api/v1`, built from the route rows (each API row carries its
//! summary, schemas and query parameters), so every API route is described and none is described
//! that does not exist. Component schemas are written here; a test checks real responses against
//! their required fields.

use serde_json::{Map, Value, json};

use crate::kit::route::Permission;

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn obj(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": props })
}

fn page_of(item: &str) -> Value {
    obj(
        &["items", "total", "offset", "limit"],
        json!({
            "items": { "type": "array", "items": r(item) },
            "total": { "type": "integer" }, "offset": { "type": "integer" }, "limit": { "type": "integer" }
        }),
    )
}

/// Component schemas: name → schema.
pub fn schemas() -> Map<String, Value> {
    let s = json!({ "type": "string" });
    let i = json!({ "type": "integer" });
    let ns = json!({ "type": ["string", "null"] });
    let ni = json!({ "type": ["integer", "null"] });
    let strs = json!({ "type": "array", "items": { "type": "string" } });
    let kinds = json!({ "type": "string", "enum": ["regional_dept", "central_in_guangxi", "area_committee", "city_gov", "enterprise", "other"] });
    let roles = json!({ "type": "string", "enum": ["admin", "liaison", "leader", "area_committee", "city_gov"] });
    let unit_props = json!({
        "id": i, "name": s, "kind": kinds, "area": ns, "successor_id": ni,
        "succeeded_on": ns, "merged_into": ni
    });
    let unit_req = [
        "id",
        "name",
        "kind",
        "area",
        "successor_id",
        "succeeded_on",
        "merged_into",
    ];
    let task_props = json!({
        "id": i, "document_id": i, "document_title": s, "seq": i, "number": s, "title": s, "text": s,
        "lead": strs, "support": strs, "areas": strs
    });
    let task_req = [
        "id",
        "document_id",
        "document_title",
        "number",
        "title",
        "text",
        "lead",
        "support",
        "areas",
    ];
    let mut task_detail = task_props.clone();
    task_detail["path"] = strs.clone();
    task_detail["units_text"] = ns.clone();
    task_detail["units"] = json!({ "type": "array", "items": obj(&["unit_id", "unit_name", "written_as", "role"], json!({
        "unit_id": i, "unit_name": s, "written_as": s, "role": { "type": "string", "enum": ["lead", "support"] }
    })) });
    let mut unit_summary = unit_props.clone();
    unit_summary["lead_tasks"] = i.clone();
    unit_summary["support_tasks"] = i.clone();
    let mut unit_detail = unit_props.clone();
    unit_detail["aliases"] = strs.clone();
    unit_detail["predecessors"] = json!({ "type": "array", "items": r("Unit") });
    unit_detail["successor"] = json!({ "oneOf": [r("Unit"), { "type": "null" }] });
    let doc_props = json!({
        "id": i, "title": s, "doc_number": ns, "issuer": ns, "signed_date": ns,
        "versions": i, "tasks": i, "latest_version_id": i
    });
    let mut doc_detail = doc_props.clone();
    doc_detail["versions"] = json!({ "type": "array", "items": obj(&["id", "version_no", "sha256", "file_name", "changes"], json!({
        "id": i, "document_id": i, "version_no": i, "sha256": s, "file_name": s, "format": s,
        "imported_at": i, "imported_by": s, "similarity": { "type": ["number", "null"] },
        "changes": { "type": "array", "items": obj(&["before", "after"], json!({ "before": s, "after": s, "line_a": i, "line_b": i })) }
    })) });
    doc_detail["outline"] = json!({ "type": "array", "items": { "type": "object" } });
    doc_detail["warnings"] = json!({ "type": "array", "items": { "type": "object" } });
    let user_props = json!({
        "id": i, "username": s, "display_name": s, "role": roles, "unit_id": i, "unit_name": s,
        "active": { "type": "boolean" }
    });
    let user_req = [
        "id",
        "username",
        "display_name",
        "role",
        "unit_id",
        "unit_name",
        "active",
    ];
    let list = [
        (
            "Error",
            obj(&["code", "message"], json!({ "code": s, "message": s })),
        ),
        ("Object", json!({ "type": "object" })),
        ("Empty", json!({ "type": "null" })),
        ("Binary", json!({ "type": "string", "format": "binary" })),
        (
            "Login",
            obj(
                &["username", "password"],
                json!({ "username": s, "password": s }),
            ),
        ),
        (
            "SessionInfo",
            obj(
                &["user", "csrf_token"],
                json!({ "user": r("User"), "csrf_token": s }),
            ),
        ),
        ("User", obj(&user_req, user_props)),
        ("UserList", json!({ "type": "array", "items": r("User") })),
        (
            "NewUser",
            obj(
                &["username", "display_name", "role", "unit", "password"],
                json!({
                    "username": s, "display_name": s, "role": roles, "unit": s, "password": s
                }),
            ),
        ),
        ("Unit", obj(&unit_req, unit_props)),
        (
            "UnitSummary",
            obj(
                &["id", "name", "kind", "lead_tasks", "support_tasks"],
                unit_summary,
            ),
        ),
        (
            "UnitList",
            json!({ "type": "array", "items": r("UnitSummary") }),
        ),
        (
            "UnitDetail",
            obj(
                &["id", "name", "kind", "aliases", "predecessors"],
                unit_detail,
            ),
        ),
        (
            "NewUnit",
            obj(&["name", "kind"], json!({ "name": s, "kind": kinds })),
        ),
        (
            "UnitEdit",
            obj(
                &[],
                json!({ "name": s, "kind": kinds, "successor_id": ni, "succeeded_on": ns }),
            ),
        ),
        ("Alias", obj(&["alias"], json!({ "alias": s }))),
        ("Merge", obj(&["into"], json!({ "into": i }))),
        (
            "Split",
            obj(
                &["new_name", "kind", "aliases"],
                json!({ "new_name": s, "kind": kinds, "aliases": strs }),
            ),
        ),
        ("UnitOp", obj(&["op_id"], json!({ "op_id": i }))),
        ("Task", obj(&task_req, task_props)),
        (
            "TaskDetail",
            obj(&["id", "title", "units", "units_text", "path"], task_detail),
        ),
        ("TaskPage", page_of("Task")),
        (
            "Document",
            obj(&["id", "title", "versions", "tasks"], doc_props),
        ),
        (
            "DocumentDetail",
            obj(&["id", "title", "versions", "outline"], doc_detail),
        ),
        ("DocumentPage", page_of("Document")),
        (
            "Preview",
            obj(
                &[
                    "token",
                    "file_name",
                    "sha256",
                    "kind",
                    "tasks",
                    "changes",
                    "warnings",
                ],
                json!({
                    "token": s, "file_name": s, "sha256": s, "title": ns, "doc_number": ns, "issuer": ns,
                    "kind": { "type": "string", "enum": ["already_stored", "new_document", "new_version"] },
                    "document_id": ni, "version_no": ni, "similarity": { "type": ["number", "null"] },
                    "changes": { "type": "array", "items": { "type": "object" } }, "retired": i,
                    "tasks": { "type": "array", "items": { "type": "object" } }, "targets": strs, "warnings": strs
                }),
            ),
        ),
        (
            "ImportOutcome",
            obj(
                &["outcome", "document_id"],
                json!({
                    "outcome": { "type": "string", "enum": ["unchanged", "new_document", "new_version"] },
                    "document_id": i, "version_id": i
                }),
            ),
        ),
        (
            "AuditEntry",
            obj(
                &["id", "at", "actor", "action", "object_type"],
                json!({
                    "id": i, "at": i, "user_id": ni, "actor": s, "action": s, "object_type": s, "object_id": ni,
                    "before": {}, "after": {}
                }),
            ),
        ),
        ("AuditPage", page_of("AuditEntry")),
        (
            "Obligation",
            obj(
                &[
                    "task_id",
                    "unit_id",
                    "kind",
                    "period",
                    "due",
                    "standing",
                    "report_id",
                    "late",
                ],
                json!({
                    "task_id": i, "task_number": s, "task_title": s, "document_id": i, "unit_id": i,
                    "unit_name": s, "kind": { "enum": ["task", "contribution"] }, "period": s, "due": s,
                    "standing": { "enum": ["open", "missing", "submitted", "returned", "accepted"] },
                    "report_id": ni, "late": { "type": "boolean" }
                }),
            ),
        ),
        (
            "ObligationList",
            json!({ "type": "array", "items": r("Obligation") }),
        ),
        (
            "ReportBody",
            obj(
                &["task_id", "period", "status", "progress", "narrative"],
                json!({
                    "task_id": i, "period": s,
                    "status": { "enum": ["not_started", "ongoing", "done", "lagging"] },
                    "progress": i, "narrative": s,
                    "figures": { "type": "array", "items": obj(&["name", "value"], json!({ "name": s, "value": { "type": "number" }, "unit": s })) },
                    "attachments": { "type": "array", "items": obj(&["file_name", "content"], json!({ "file_name": s, "content": { "type": "string", "contentEncoding": "base64" } })) }
                }),
            ),
        ),
        (
            "ReportRow",
            obj(
                &[
                    "id", "task_id", "unit_id", "kind", "period", "due", "state", "status",
                    "progress", "versions", "late",
                ],
                json!({
                    "id": i, "task_id": i, "task_number": s, "task_title": s, "document_id": i, "unit_id": i,
                    "unit_name": s, "kind": s, "period": s, "due": s, "state": { "enum": ["submitted", "accepted", "returned"] },
                    "status": s, "progress": i, "versions": i, "returns": i, "late": { "type": "boolean" },
                    "first_filed_on": s, "updated_at": i
                }),
            ),
        ),
        (
            "Submitted",
            obj(
                &["report", "version_no", "replayed"],
                json!({ "report": r("ReportRow"), "version_no": i, "replayed": { "type": "boolean" } }),
            ),
        ),
        (
            "ReportDetail",
            obj(
                &["id", "history"],
                json!({ "id": i, "history": { "type": "array", "items": { "type": "object" } } }),
            ),
        ),
        (
            "ReviewBody",
            obj(
                &["version_no", "accept"],
                json!({ "version_no": i, "accept": { "type": "boolean" }, "reason": s }),
            ),
        ),
        (
            "ItemRow",
            obj(
                &[
                    "id",
                    "title",
                    "source",
                    "lead_unit_id",
                    "stage",
                    "due",
                    "progress",
                ],
                json!({
                    "id": i, "title": s, "source": { "enum": ["instruction", "meeting", "inspection"] }, "source_ref": s,
                    "task_id": ni, "decision_id": ni, "lead_unit_id": i, "lead_unit_name": s, "stage": s,
                    "opened_on": s, "due": s, "original_due": s, "requested_due": ns, "closed_on": ns,
                    "progress": i, "grade": ns, "reminders": i, "updated_at": i
                }),
            ),
        ),
        (
            "ItemList",
            json!({ "type": "array", "items": r("ItemRow") }),
        ),
        (
            "ItemDetail",
            obj(
                &["id", "stage", "units", "events"],
                json!({ "id": i, "stage": s, "units": { "type": "array" }, "events": { "type": "array" } }),
            ),
        ),
        (
            "ItemBody",
            obj(
                &["title", "source", "lead_unit_id", "due"],
                json!({ "title": s, "source": { "enum": ["instruction", "meeting", "inspection"] }, "source_ref": s,
                        "lead_unit_id": i, "support_unit_ids": { "type": "array", "items": i }, "due": s, "task_id": ni }),
            ),
        ),
        (
            "StepBody",
            obj(
                &["action"],
                json!({ "action": { "enum": ["assign", "acknowledge", "feedback", "remind", "request_extension", "approve_extension", "reject_extension", "submit_closing", "accept", "return", "grade", "strike_off"] },
                        "note": s, "progress": s, "new_due": s, "grade": s, "stage": s }),
            ),
        ),
        (
            "Notification",
            obj(
                &["id", "title", "body", "link", "created_at", "read"],
                json!({ "id": i, "title": s, "body": s, "link": s, "created_at": i, "read": { "type": "boolean" } }),
            ),
        ),
        ("NotificationPage", page_of("Notification")),
    ];
    list.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The whole OpenAPI document.
pub fn document(permissions: &[Permission]) -> Value {
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
            "description": "政策落实督办平台的任务台账接口。先以 POST /api/v1/session 登录，之后每个修改请求都须带 X-CSRF-Token 头。"
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": crate::kit::auth::COOKIE } }
        },
        "security": [{ "session": [] }]
    })
}
