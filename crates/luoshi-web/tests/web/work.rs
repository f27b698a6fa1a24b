//! A quarter through the router, on both backends: obligations, a contribution and a task report
//! (retried with the same key), a return with a reason, a revision with an attachment checked by
//! content, acceptance, downloads scoped to who may see them, a supervision item from a meeting
//! decision with its steps, reminders and refusals, and the quarterly outputs.

use std::io::Read;

use crate::common::{
    BACKENDS, Harness, body_bytes, body_text, harness, hex_sha, json_as, multipart, now,
};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_store::Actor;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_testkit::chapters::{self, Chapter};
use luoshi_web::Config;
use serde_json::json;

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
                must_change_password: false,
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
    // The same form edited and posted again (Back, then submit) is not dropped in silence: it is
    // refused, says why, and comes back with the edited text.
    let (ct2, edited) = multipart(
        &[
            ("status", "ongoing"),
            ("progress", "55"),
            ("narrative", "组织企业参加东盟展会三场，签约两项。"),
            ("figures", "参展企业 40 家"),
            ("idem", "form-key-1"),
        ],
        &[],
    );
    let res = h.send_as(&support, "POST", &uri, Some(&ct2), edited).await;
    assert_eq!(res.status(), 422, "{name}");
    let page = body_text(res).await;
    assert!(
        page.contains("这份表单已经提交过（第 1 版）")
            && page.contains("组织企业参加东盟展会三场，签约两项。"),
        "{name}: {page}"
    );
    // A wrong figure line keeps the text too, and names the line.
    let (ct3, bad) = multipart(
        &[
            ("status", "ongoing"),
            ("progress", "55"),
            ("narrative", "补充展会成效材料。"),
            ("figures", "参展企业 很多 家"),
            ("idem", "form-key-2"),
        ],
        &[],
    );
    let res = h.send_as(&support, "POST", &uri, Some(&ct3), bad).await;
    assert_eq!(res.status(), 400, "{name}");
    let page = body_text(res).await;
    assert!(
        page.contains("id=\"filing-error\"")
            && page.contains("补充展会成效材料。")
            && page.contains("参展企业 很多 家"),
        "{name}: {page}"
    );

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
    assert_eq!(res.status(), 400, "{name}");
    let page = body_text(res).await;
    assert!(
        page.contains("附件是可执行文件") && page.contains("已补充对接企业名单。"),
        "{name}: refused, with the text kept"
    );
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
