//! A quarter through the router, on both backends: obligations, a contribution and a task report
//! (retried with the same key), a return with a reason, a revision with an attachment checked by
//! content, acceptance, downloads scoped to who may see them, a supervision item from a meeting
//! decision with its steps, reminders and refusals, and the quarterly outputs.

use std::io::Read;

use crate::common::{BACKENDS, Harness, body_bytes, body_json, body_text, harness, hex_sha, now};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_store::Actor;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_testkit::chapters::{self, Chapter};
use luoshi_web::Config;
use serde_json::{Value, json};

/// A signed-in liaison officer of `unit`.
async fn liaison(h: &Harness, unit: &str, username: &str) -> (String, String) {
    let u = h.store.unit_by_name(unit).await.unwrap().unwrap();
    let user = h
        .store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: username.into(),
                display_name: username.into(),
                role: Role::Liaison,
                unit_id: u.id,
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    let token = format!("tok-{username}");
    h.store
        .create_session(NewSession {
            token_hash: hex_sha(&token),
            user_id: user.id,
            csrf: "c".into(),
            now: now(),
        })
        .await
        .unwrap();
    (token, "c".into())
}

async fn json_as(
    h: &Harness,
    s: &(String, String),
    method: &str,
    uri: &str,
    body: Value,
    key: Option<&str>,
) -> (u16, Value) {
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

/// A multipart form body with text fields and files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
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

fn location(res: &axum::http::Response<axum::body::Body>) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// What the quarter's chapters share.
struct Quarter {
    h: Harness,
    name: &'static str,
    lead: (String, String),
    support: (String, String),
    city: (String, String),
    task: i64,
    /// The lead's report, filed in the first chapter.
    id: i64,
    /// The task's reporting page.
    uri: String,
    /// The lead's filing body.
    report: serde_json::Value,
    /// The item the meeting's decision became.
    item: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quarter_through_the_router_on_both_backends() {
    let chapters: &[Chapter<Quarter>] = &[
        Chapter {
            name: "obligations_and_filing",
            builds: true,
            run: |cx| Box::pin(obligations_and_filing(cx)),
        },
        Chapter {
            name: "review_and_revision",
            builds: true,
            run: |cx| Box::pin(review_and_revision(cx)),
        },
        Chapter {
            name: "meeting_to_item",
            builds: true,
            run: |cx| Box::pin(meeting_to_item(cx)),
        },
        Chapter {
            name: "pages_and_outputs",
            builds: true,
            run: |cx| Box::pin(pages_and_outputs(cx)),
        },
    ];
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-09-10"),
            ..Config::default()
        };
        let h = harness(backend, "work", config).await;
        let lead = h.session(Role::Liaison); // 自治区商务厅
        let support = liaison(&h, "自治区党委网信办", "wangxin").await;
        let city = h.session(Role::CityGov);

        let mut cx = Quarter {
            h,
            name,
            lead,
            support,
            city,
            task: 0,
            id: 0,
            uri: String::new(),
            report: serde_json::Value::Null,
            item: 0,
        };
        chapters::run(&format!("a quarter on {name}"), &mut cx, chapters).await;
    }
}

async fn obligations_and_filing(cx: &mut Quarter) {
    let h = &cx.h;
    let name = cx.name;
    let lead = cx.lead.clone();
    let support = cx.support.clone();
    // What the commerce department owes this round.
    let (status, owed) = json_as(
        h,
        &lead,
        "GET",
        "/api/v1/obligations?round=2026-Q3",
        json!({}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{name}");
    let asean = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["task_title"]
                .as_str()
                .unwrap()
                .contains("数字规则对接试点")
                && o["kind"] == "task"
        })
        .unwrap_or_else(|| panic!("{name}: {owed}"))
        .clone();
    assert_eq!(asean["due"], "2026-09-19");
    assert_eq!(asean["standing"], "open");
    let task = asean["task_id"].as_i64().unwrap();
    let page = body_text(
        h.send_as(&lead, "GET", "/reporting?round=2026-Q3", None, vec![])
            .await,
    )
    .await;
    assert!(
        page.contains("本单位应报") && page.contains("数字规则对接试点"),
        "{name}"
    );

    // The support unit files its contribution through the form.
    let (ct, body) = multipart(
        &[
            ("status", "ongoing"),
            ("progress", "50"),
            ("narrative", "组织企业参加东盟展会两场。"),
            ("figures", "参展企业 36 家"),
            ("idem", "form-key-1"),
        ],
        &[],
    );
    let uri = format!("/reporting/tasks/{task}/2026-Q3");
    let res = h
        .send_as(&support, "POST", &uri, Some(&ct), body.clone())
        .await;
    assert_eq!(res.status(), 303, "{name}");
    let said = crate::common::outcome(h, &support, res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("已报送"), "{said:?}");
    // The same form posted again (a double click) files nothing new.
    let res = h.send_as(&support, "POST", &uri, Some(&ct), body).await;
    let said = crate::common::outcome(h, &support, res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("未重复报送"), "{said:?}");

    // The lead files by API, retried with the same key: one report, version 1.
    let report = json!({
        "task_id": task, "period": "2026-Q3", "status": "ongoing", "progress": 60,
        "narrative": "对接平台上线，组织线上洽谈。", "figures": [{"name": "洽谈企业", "value": 42, "unit": "家"}]
    });
    let (s1, first) = json_as(
        h,
        &lead,
        "POST",
        "/api/v1/reports",
        report.clone(),
        Some("k-1"),
    )
    .await;
    let (s2, again) = json_as(
        h,
        &lead,
        "POST",
        "/api/v1/reports",
        report.clone(),
        Some("k-1"),
    )
    .await;
    assert_eq!((s1, s2), (201, 200), "{name}: {first} {again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(first["report"]["id"], again["report"]["id"]);
    let id = first["report"]["id"].as_i64().unwrap();
    cx.task = task;
    cx.id = id;
    cx.uri = uri;
    cx.report = report;
}

async fn review_and_revision(cx: &mut Quarter) {
    let h = &cx.h;
    let uri = cx.uri.clone();
    let report = cx.report.clone();
    let name = cx.name;
    let lead = cx.lead.clone();
    let city = cx.city.clone();
    let task = cx.task;
    let id = cx.id;
    // Leaders read only; another unit cannot file or even see this task.
    let (s, _) = h
        .json(
            Some(Role::Leader),
            "POST",
            "/api/v1/reports",
            report.clone(),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = json_as(h, &city, "POST", "/api/v1/reports", report.clone(), None).await;
    assert_eq!(s, 404, "{name}");
    let mut bad = report.clone();
    bad["status"] = json!("done");
    let (s, err) = json_as(h, &lead, "POST", "/api/v1/reports", bad, None).await;
    assert_eq!(s, 422, "{name}: {err}");
    assert!(err["message"].as_str().unwrap().contains("100%"));

    // The office sees it waiting, returns it with a reason; the lead is told.
    let office_page = body_text(h.get(Some(Role::Admin), "/reporting?round=2026-Q3").await).await;
    assert!(
        office_page.contains("待审核") && office_page.contains("自治区商务厅"),
        "{name}"
    );
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            &format!("/reporting/reports/{id}/review"),
            Some("application/x-www-form-urlencoded"),
            "version_no=1&decision=return&reason=%E8%AF%B7%E8%A1%A5%E5%85%85%E5%90%8D%E5%8D%95"
                .into(),
        )
        .await;
    let said = crate::common::outcome(h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("已退回"), "{said:?}");
    let (_, inbox) = json_as(h, &lead, "GET", "/api/v1/notifications", json!({}), None).await;
    assert!(
        inbox["items"].to_string().contains("请补充名单"),
        "{name}: {inbox}"
    );
    // The header counts unread messages; the front page shows what is still to do.
    let home = body_text(h.send_as(&lead, "GET", "/", None, vec![]).await).await;
    assert!(home.contains("id=\"unread\""), "{name}");
    assert!(
        home.contains("本单位2026年第3季度报送") && home.contains("被退回待修改 1 项"),
        "{name}"
    );

    // The revision form starts from the returned version: its status, progress, text and figures.
    let form_page = body_text(
        h.send_as(
            &lead,
            "GET",
            &format!("/reporting/tasks/{task}/2026-Q3"),
            None,
            vec![],
        )
        .await,
    )
    .await;
    assert!(
        form_page.contains(">对接平台上线，组织线上洽谈。</textarea>")
            && form_page.contains("<option value=\"ongoing\" selected>")
            && form_page.contains("value=\"60\"")
            && form_page.contains(">洽谈企业 42 家</textarea>"),
        "{name}: the revision form keeps the text"
    );
    // The revision: a disguised executable is refused and nothing is stored; a PDF is kept.
    let (ct, body) = multipart(
        &[
            ("status", "ongoing"),
            ("progress", "70"),
            ("narrative", "已补充对接企业名单。"),
            ("idem", "rev-1"),
        ],
        &[(
            "名单.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        )],
    );
    let res = h.send_as(&lead, "POST", &uri, Some(&ct), body).await;
    let said = crate::common::outcome(h, &lead, res).await;
    assert_eq!(said.tone, "refused", "{said:?}");
    assert!(said.text.contains("不支持的附件类型"), "{said:?}");
    let (_, detail) = json_as(
        h,
        &lead,
        "GET",
        &format!("/api/v1/reports/{id}"),
        json!({}),
        None,
    )
    .await;
    assert_eq!(detail["history"].as_array().unwrap().len(), 1, "{name}");
    let pdf = b"%PDF-1.4\n% a list of firms\n";
    let (ct, body) = multipart(
        &[
            ("status", "ongoing"),
            ("progress", "70"),
            ("narrative", "已补充对接企业名单。"),
            ("idem", "rev-2"),
        ],
        &[("名单.pdf", pdf)],
    );
    let res = h.send_as(&lead, "POST", &uri, Some(&ct), body).await;
    let said = crate::common::outcome(h, &lead, res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("第 2 版"), "{said:?}");
    let (_, detail) = json_as(
        h,
        &lead,
        "GET",
        &format!("/api/v1/reports/{id}"),
        json!({}),
        None,
    )
    .await;
    let att = detail["history"][1]["attachments"][0]["id"]
        .as_i64()
        .unwrap();
    let res = h
        .send_as(&lead, "GET", &format!("/attachments/{att}"), None, vec![])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert_eq!(body_bytes(res).await, pdf);
    let res = h
        .send_as(&city, "GET", &format!("/attachments/{att}"), None, vec![])
        .await;
    assert_eq!(res.status(), 404, "{name}: another unit's attachment");
    // Accepted by the office (a stale version number is a conflict).
    let (s, _) = h
        .json(
            Some(Role::Admin),
            "POST",
            &format!("/api/v1/reports/{id}/review"),
            json!({"version_no": 1, "accept": true}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, row) = h
        .json(
            Some(Role::Admin),
            "POST",
            &format!("/api/v1/reports/{id}/review"),
            json!({"version_no": 2, "accept": true}),
        )
        .await;
    assert_eq!(
        (s, row["state"].as_str()),
        (200, Some("accepted")),
        "{name}: {row}"
    );
    let task_page = body_text(h.send_as(&lead, "GET", &uri, None, vec![]).await).await;
    assert!(
        task_page.contains("已采纳")
            && task_page.contains("请补充名单")
            && task_page.contains("组织企业参加东盟展会两场")
    );
}

async fn meeting_to_item(cx: &mut Quarter) {
    let h = &cx.h;
    let name = cx.name;
    let lead = cx.lead.clone();
    let city = cx.city.clone();
    // A meeting decides; the decision becomes an item in one step.
    let unit = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
    let res = h
        .send(Some(Role::Admin), "POST", "/meetings", Some("application/x-www-form-urlencoded"),
              format!("kind=office&title=%E4%B8%BB%E4%BB%BB%E5%8A%9E%E5%85%AC%E4%BC%9A&held_on=2026-09-01&decisions={}",
                      luoshi_web::url_encode("9月15日前上线东盟对接平台 | 自治区商务厅 | 2026-09-15")).into_bytes())
        .await;
    let meeting_url = location(&res);
    assert!(
        meeting_url.starts_with("/meetings/"),
        "{name}: {meeting_url}"
    );
    let meeting_id: i64 = meeting_url["/meetings/".len()..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let meeting = h.store.meeting(meeting_id).await.unwrap().unwrap();
    let decision = meeting.decisions[0].id;
    assert_eq!(meeting.decisions[0].lead_unit_id, Some(unit.id));
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            &format!("/meetings/{meeting_id}/decisions/{decision}/item"),
            Some("application/x-www-form-urlencoded"),
            vec![],
        )
        .await;
    let said = crate::common::outcome(h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("已转为督办事项"), "{said:?}");
    let item_url = said.to;
    let item: i64 = item_url["/items/".len()..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The item's log names the opening once, not as a move from a stage to itself.
    let page = body_text(h.get(Some(Role::Admin), &format!("/items/{item}")).await).await;
    assert!(
        page.contains("立项") && !page.contains("已立项 → 已立项"),
        "{name}"
    );
    // The unit acknowledges; the office's actions are not the unit's, and leaders only read.
    let form = |a: &str| format!("action={a}&stage=assigned").into_bytes();
    let step = format!("/items/{item}/steps");
    let res = h
        .send_as(
            &lead,
            "POST",
            &step,
            Some("application/x-www-form-urlencoded"),
            form("acknowledge"),
        )
        .await;
    let said = crate::common::outcome(h, &lead, res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("已签收"), "{said:?}");
    let res = h
        .send_as(
            &lead,
            "POST",
            &step,
            Some("application/x-www-form-urlencoded"),
            form("accept"),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = h
        .send(
            Some(Role::Leader),
            "POST",
            &step,
            Some("application/x-www-form-urlencoded"),
            form("feedback"),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = h
        .send_as(&city, "GET", &format!("/items/{item}"), None, vec![])
        .await;
    assert_eq!(res.status(), 404, "{name}: another unit's item");
    // A stale screen: the stage moved on.
    let res = h
        .send_as(
            &lead,
            "POST",
            &step,
            Some("application/x-www-form-urlencoded"),
            b"action=feedback&stage=assigned&note=x".to_vec(),
        )
        .await;
    let said = crate::common::outcome(h, &lead, res).await;
    assert_eq!(said.tone, "refused", "{said:?}");
    assert!(said.text.contains("已由他人处理"), "{said:?}");
    // Five days before the deadline: the 7-day reminder goes out, once.
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/items/reminders",
            Some("application/x-www-form-urlencoded"),
            vec![],
        )
        .await;
    let said = crate::common::outcome(h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("发出催办 1 条"), "{said:?}");
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/items/reminders",
            Some("application/x-www-form-urlencoded"),
            vec![],
        )
        .await;
    let said = crate::common::outcome(h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(said.text.contains("发出催办 0 条"), "{said:?}");
    let (_, d) = json_as(
        h,
        &lead,
        "GET",
        &format!("/api/v1/items/{item}"),
        json!({}),
        None,
    )
    .await;
    assert_eq!(d["reminders"], 1);
    assert!(
        d["events"].to_string().contains("距办理时限还有 5 天"),
        "{d}"
    );
    let (s, _) = json_as(
        h,
        &lead,
        "POST",
        &format!("/api/v1/items/{item}/steps"),
        json!({"action": "submit_closing", "note": "平台已上线。"}),
        None,
    )
    .await;
    assert_eq!(s, 200);
    for (action, extra) in [("accept", ""), ("grade", "good"), ("strike_off", "")] {
        let (s, v) = h
            .json(
                Some(Role::Admin),
                "POST",
                &format!("/api/v1/items/{item}/steps"),
                json!({"action": action, "grade": extra}),
            )
            .await;
        assert_eq!(s, 200, "{name} {action}: {v}");
    }
    let (s, v) = h
        .json(
            Some(Role::Admin),
            "POST",
            &format!("/api/v1/items/{item}/steps"),
            json!({"action": "remind"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["message"].as_str().unwrap().contains("已销号"));
    cx.item = item;
}

async fn pages_and_outputs(cx: &mut Quarter) {
    let h = &cx.h;
    let name = cx.name;
    let lead = cx.lead.clone();
    let item = cx.item;
    // The pages draw; the outputs download.
    for page in [
        "/dashboard?round=2026-Q3",
        "/items?all=1",
        "/group",
        "/inbox",
        "/settings",
        &format!("/items/{item}"),
    ] {
        let res = h.get(Some(Role::Admin), page).await;
        assert_eq!(res.status(), 200, "{name} {page}");
    }
    let dash = body_text(
        h.send_as(&lead, "GET", "/dashboard?round=2026-Q3", None, vec![])
            .await,
    )
    .await;
    assert!(dash.contains("<svg") && dash.contains("按时报送率"));
    let res = h
        .get(Some(Role::Admin), "/compilation.docx?round=2026-Q3")
        .await;
    assert_eq!(res.status(), 200);
    let docx = body_bytes(res).await;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains("2026年第3季度工作进展汇编") && xml.contains("已补充对接企业名单"),
        "{name}"
    );
    let res = h
        .get(Some(Role::Admin), "/export/reports.xlsx?round=2026-Q3")
        .await;
    assert_eq!(res.status(), 200);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body_bytes(res).await)).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("报送情况").unwrap();
    assert!(sheet.rows().any(|r| {
        r.iter()
            .any(|c| c.to_string().contains("已补充对接企业名单"))
    }));
    assert!(book.worksheet_range("督办事项").unwrap().rows().count() >= 2);
}

/// After the deadline a missing report is marked 逾期未报 and stays listed until filed; a filing
/// then is accepted but marked late.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_reports_stay_visible_until_filed() {
    let config = Config {
        today: Date::parse("2026-09-21"),
        ..Config::default()
    };
    let h = harness(crate::common::Backend::Sqlite, "late", config).await;
    let lead = h.session(Role::Liaison);
    let (_, owed) = json_as(
        &h,
        &lead,
        "GET",
        "/api/v1/obligations?round=2026-Q3",
        json!({}),
        None,
    )
    .await;
    let first = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "task")
        .unwrap()
        .clone();
    assert_eq!(first["standing"], "missing");
    // An area committee sees the whole of its area's tasks: the lead's obligations too.
    let (_, area) = h
        .json(
            Some(Role::AreaCommittee),
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
        )
        .await;
    let area = area.as_array().unwrap();
    assert!(
        area.iter()
            .any(|o| o["unit_name"] == "崇左市人民政府" && o["kind"] == "task"),
        "{area:?}"
    );
    // A task of another area (钦州港 only) stays out of sight.
    assert!(
        !area
            .iter()
            .any(|o| o["task_title"] == "开展数字规则对接试点"),
        "{area:?}"
    );
    let office = body_text(h.get(Some(Role::Admin), "/reporting?round=2026-Q3").await).await;
    assert!(office.contains("逾期未报") && office.contains(first["task_title"].as_str().unwrap()));
    let (s, filed) = json_as(&h, &lead, "POST", "/api/v1/reports",
        json!({"task_id": first["task_id"], "period": "2026-Q3", "status": "lagging", "progress": 10, "narrative": "受审批进度影响滞后。"}), None).await;
    assert_eq!(s, 201, "{filed}");
    assert_eq!(filed["report"]["late"], true);
    // The overdue list of items: open and past the deadline.
    let unit = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
    for (title, due) in [("逾期事项甲", "2026-09-15"), ("未到期事项乙", "2026-10-15")] {
        h.store
            .create_item(
                &Actor::system("test"),
                luoshi_store::supervision::NewItem {
                    title: title.into(),
                    source: luoshi_store::supervision::ItemSource::Inspection,
                    source_ref: String::new(),
                    task_id: None,
                    decision_id: None,
                    lead_unit_id: unit.id,
                    support_unit_ids: vec![],
                    due: luoshi_testkit::day(due),
                    opened_on: luoshi_testkit::day("2026-09-01"),
                    assign: true,
                },
            )
            .await
            .unwrap();
    }
    let list = body_text(h.get(Some(Role::Admin), "/items?overdue=1").await).await;
    assert!(list.contains("逾期事项甲") && !list.contains("未到期事项乙"));
    let (_, owed) = json_as(
        &h,
        &lead,
        "GET",
        "/api/v1/obligations?round=2026-Q3",
        json!({}),
        None,
    )
    .await;
    let again = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["task_id"] == first["task_id"] && o["kind"] == "task")
        .unwrap();
    assert_eq!(
        (again["standing"].as_str(), again["late"].as_bool()),
        (Some("submitted"), Some(true))
    );
}

/// The leading group's roster is read from the 000 seed's annex and kept editable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roster_is_imported_from_a_document() {
    let h = harness(crate::common::Backend::Sqlite, "roster", Config::default()).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let seed = std::fs::read_dir(&dir)
        .expect("../shared/seeds holds the public documents")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000_"))
        .expect("the 000 seed");
    let bytes = std::fs::read(&seed).unwrap();
    let input = luoshi_testkit::input("000.txt", &bytes);
    let roster = input.document.roster.len();
    assert!(roster >= 10, "the annex lists the group: {roster}");
    let plan = luoshi_store::ledger::plan_import(&*h.store, input)
        .await
        .unwrap();
    let outcome = h
        .store
        .apply_import(&Actor::system("test"), &plan)
        .await
        .unwrap();
    let doc = match outcome {
        luoshi_store::ledger::ImportOutcome::NewDocument { document_id, .. } => document_id,
        other => panic!("{other:?}"),
    };
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/group/roster",
            Some("application/x-www-form-urlencoded"),
            format!("document_id={doc}").into_bytes(),
        )
        .await;
    let said = crate::common::outcome(&h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(
        said.text.contains(&format!("已导入 {roster} 名成员")),
        "{said:?}"
    );
    let members = h.store.members().await.unwrap();
    assert_eq!(members.len(), roster);
    assert!(members.iter().any(|m| m.role.contains("组长")));
    // A member is edited on the page; a liaison officer from another unit is refused.
    let m = &members[members.len() - 1];
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            &format!("/group/members/{}", m.id),
            Some("application/x-www-form-urlencoded"),
            format!(
                "role=%E6%88%90%E5%91%98&person=&position=x&unit_id={}&liaison_user_id=1",
                h.store
                    .unit_by_name("自治区商务厅")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .into_bytes(),
        )
        .await;
    let said = crate::common::outcome(&h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "refused", "{said:?}");
    assert!(
        said.text.contains("信息联络员须为该成员单位的账号"),
        "{said:?}"
    );
    let page = body_text(h.get(Some(Role::Leader), "/group").await).await;
    assert!(page.contains(&members[0].person));
}

/// A long overdue list is paged, grouped by unit and states its totals (it used to stop at 300
/// rows without saying so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overdue_list_is_paged_grouped_and_counted() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-09-21"),
            ..Config::default()
        };
        let h = harness(backend, "overdue", config).await;
        // A plan of 70 tasks, each led by 商务厅 and supported by 财政厅: 140 obligations, all
        // past the 2026-09-19 deadline and none filed.
        let mut text = String::from(
            "关于印发《压力测试方案》的通知\n\n2026年1月5日\n\n压力测试方案\n\n一、重点任务\n\n",
        );
        for n in 1..=70 {
            text.push_str(&format!(
                "{n}. 推进第{n}项测试工作。（责任单位：自治区商务厅，自治区财政厅）\n\n"
            ));
        }
        let plan = luoshi_store::ledger::plan_import(
            &*h.store,
            luoshi_testkit::input("overdue.txt", text.as_bytes()),
        )
        .await
        .unwrap();
        h.store
            .apply_import(&Actor::system("test"), &plan)
            .await
            .unwrap();
        let (_, all) = h
            .json(
                Some(Role::Admin),
                "GET",
                "/api/v1/obligations?round=2026-Q3",
                json!({}),
            )
            .await;
        let missing = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["standing"] == "missing")
            .count();
        assert!(missing >= 140, "{name}: {missing}");
        let page = body_text(h.get(Some(Role::Admin), "/reporting?round=2026-Q3").await).await;
        let section = &page[page.find("<table id=\"missing\">").unwrap()..];
        let section = &section[..section.find("</table>").unwrap()];
        assert!(
            page.contains(&format!("逾期未报（共 {missing} 项，涉及 ")),
            "{name}: the total is stated"
        );
        let rows = |s: &str| s.matches("<tr><td>").count();
        assert_eq!(rows(section), 100, "{name}: one page of 100");
        assert!(
            section.contains("<tr class=\"group\">"),
            "{name}: grouped by unit"
        );
        assert!(page.contains("missing_offset=100"), "{name}: a next page");
        let second = body_text(
            h.get(
                Some(Role::Admin),
                "/reporting?round=2026-Q3&missing_offset=100",
            )
            .await,
        )
        .await;
        let section = &second[second.find("<table id=\"missing\">").unwrap()..];
        let section = &section[..section.find("</table>").unwrap()];
        assert_eq!(rows(section), missing - 100, "{name}: the rest on page two");
        // The unit's header counts its rows in the whole list.
        let count = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["standing"] == "missing" && o["unit_name"] == "自治区财政厅")
            .count();
        assert!(
            page.contains(&format!("自治区财政厅</a>（{count} 项）"))
                || second.contains(&format!("自治区财政厅</a>（{count} 项）")),
            "{name}"
        );
    }
}

/// An item is opened from a task's page and names the task as users know it (its number and
/// title), not by the internal id a form used to ask for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_is_opened_from_its_task_and_names_it() {
    let h = harness(
        crate::common::Backend::Sqlite,
        "item_task",
        Config::default(),
    )
    .await;
    let (_, tasks) = h
        .json(Some(Role::Admin), "GET", "/api/v1/tasks?limit=5", json!({}))
        .await;
    let t = &tasks["items"][0];
    let (id, number, title) = (
        t["id"].as_i64().unwrap(),
        t["number"].as_str().unwrap().to_string(),
        t["title"].as_str().unwrap().to_string(),
    );
    let task_page = body_text(h.get(Some(Role::Admin), &format!("/tasks/{id}")).await).await;
    assert!(
        task_page.contains(&format!("/items?task={id}")),
        "a link from the task"
    );
    let form = body_text(h.get(Some(Role::Admin), &format!("/items?task={id}")).await).await;
    assert!(
        form.contains(&format!("任务 {number} {title}"))
            && form.contains(&format!("name=\"task_id\" value=\"{id}\"")),
        "the form names the task and carries it"
    );
    let lead = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
    let body = format!(
        "title=t&source=instruction&lead_unit_id={}&due=2026-12-30&task_id={id}",
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
    let said = crate::common::outcome(&h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    let item = body_text(h.get(Some(Role::Admin), &said.to).await).await;
    assert!(item.contains(&format!("任务 {number} {title}")), "{item}");
}
