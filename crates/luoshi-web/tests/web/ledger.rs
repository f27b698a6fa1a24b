//! The ledger after import: wording changes shown to the character with the tasks they touch.

use crate::common::{BACKENDS, body_json, body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_web::Config;

/// The id of the stored document whose title holds `part`.
pub async fn document_id(h: &crate::common::Harness, part: &str) -> i64 {
    let docs = body_json(h.get(Some(Role::Admin), "/api/v1/documents").await).await;
    docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"].as_str().unwrap().contains(part))
        .unwrap_or_else(|| panic!("no document {part}: {docs}"))["id"]
        .as_i64()
        .unwrap()
}

/// The sample's second version changes one figure inside a task's sentence (跨境专线2条 → 3条):
/// the document page marks that one character each side and links the task it touches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_character_change_is_marked_with_the_task_it_touches() {
    for backend in BACKENDS {
        let h = harness(backend, "diffchars", Config::default()).await;
        let doc = document_id(&h, "数字贸易提质").await;
        let page = body_text(h.get(Some(Role::Admin), &format!("/documents/{doc}")).await).await;
        assert!(page.contains("第 2 版的文字变化"), "{page}");
        assert!(
            page.contains("新增跨境专线<del>2</del>条")
                && page.contains("新增跨境专线<ins>3</ins>条"),
            "only the changed character is marked: {page}"
        );
        let tasks = body_json(
            h.get(
                Some(Role::Admin),
                &format!("/api/v1/tasks?document={doc}&limit=50"),
            )
            .await,
        )
        .await;
        let hub = tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == "建设面向东盟的数据服务枢纽")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let row = page
            .split("<tr>")
            .find(|r| r.contains("新增跨境专线<ins>3</ins>条"))
            .unwrap();
        assert!(
            row.contains(&format!("href=\"/tasks/{hub}\"")),
            "the change links its task: {row}"
        );
        // A change outside every task (the goals paragraph) names none.
        let goals = page
            .split("<tr>")
            .find(|r| r.contains("数字贸易进出口额达到"))
            .unwrap();
        assert!(!goals.contains("href=\"/tasks/"), "{goals}");
        assert!(
            goals.contains("<del>18</del>") || goals.contains("<del>1</del>"),
            "{goals}"
        );
    }
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Unit fields take what people type: short forms resolve (商务厅, 数据局, 人民银行广西区分行),
/// several equal fits are asked about ("是否指…？"), every unit field suggests the registry's
/// names, and the import preview lets the office map a 新单位 to an existing unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_fields_resolve_short_forms_and_ask_when_unsure() {
    for backend in BACKENDS {
        let h = harness(backend, "shortforms", Config::default()).await;
        let admin = h.session(Role::Admin);
        for (typed, name) in [
            ("商务厅", "自治区商务厅"),
            ("数据局", "自治区数据局"),
            ("人民银行广西区分行", "中国人民银行广西壮族自治区分行"),
        ] {
            let page = body_text(
                h.get(Some(Role::Admin), &format!("/tasks?unit={}", enc(typed)))
                    .await,
            )
            .await;
            assert!(
                page.contains(&format!("“{typed}”按 {name} 筛选")),
                "{typed}: {page}"
            );
            assert!(!page.contains("任务台账（0 项）"), "{typed} finds tasks");
            assert!(page.contains("<datalist id=\"unit-names\">"));
        }
        let page = body_text(
            h.get(
                Some(Role::Admin),
                &format!("/tasks?unit={}", enc("市人民政府")),
            )
            .await,
        )
        .await;
        assert!(
            page.contains("是否指：")
                && page.contains("钦州市人民政府")
                && page.contains("南宁市人民政府"),
            "{page}"
        );
        // A supervision item's support units by short form; an ambiguous one is asked about.
        let lead = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
        let post = |support: &'static str| {
            let h = &h;
            let admin = admin.clone();
            let lead = lead.id.to_string();
            async move {
                h.send_as(
                    &admin,
                    "POST",
                    "/items",
                    Some("application/x-www-form-urlencoded"),
                    form(&[
                        ("title", "推进数据跨境试点"),
                        ("source", "instruction"),
                        ("source_ref", "领导批示第12号"),
                        ("lead_unit_id", &lead),
                        ("support", support),
                        ("due", "2026-12-31"),
                    ]),
                )
                .await
            }
        };
        // Refused: the form comes back as typed, with the question.
        let res = post("市人民政府").await;
        assert_eq!(res.status(), 400);
        let page = body_text(res).await;
        assert!(
            page.contains("id=\"item-error\"")
                && page.contains("是否指：")
                && page.contains("value=\"推进数据跨境试点\"")
                && page.contains("value=\"领导批示第12号\"")
                && page.contains("value=\"2026-12-31\"")
                && page.contains("value=\"市人民政府\""),
            "{page}"
        );
        let said = crate::common::outcome(&h, &admin, post("数据局、钦州市政府").await).await;
        assert_eq!(said.tone, "done", "{said:?}");
        let items = body_json(h.get(Some(Role::Admin), "/api/v1/items?all=1").await).await;
        let item = items
            .as_array()
            .or_else(|| items["items"].as_array())
            .unwrap()
            .iter()
            .find(|i| i["title"] == "推进数据跨境试点")
            .unwrap()
            .clone();
        let detail = body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/items/{}", item["id"]))
                .await,
        )
        .await;
        assert!(detail.to_string().contains("自治区数据局"), "{detail}");

        // The preview offers each 新单位 to be mapped; the mapped name becomes the unit's alias.
        let units_before = h.store.units().await.unwrap().len();
        let doc = "某某厅文件\n\n某发〔2026〕19号\n\n关于推进对接工作的通知\n\n各有关单位：\n\n一、重点任务\n\n1.推进规则对接。形成对接清单。（责任单位：商务厅自贸处，南宁片区管理机构）\n";
        let res = h
            .send(
                Some(Role::Admin),
                "POST",
                "/api/v1/imports?name=map.txt",
                Some("application/octet-stream"),
                doc.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(res.status(), 200);
        let token = body_json(res).await["token"].as_str().unwrap().to_string();
        let preview = body_text(h.get(Some(Role::Admin), &format!("/import/{token}")).await).await;
        assert!(
            preview.contains("id=\"new-units\"") && preview.contains("name=\"map:商务厅自贸处\""),
            "{preview}"
        );
        let res = h
            .send_as(
                &admin,
                "POST",
                &format!("/import/{token}/confirm"),
                Some("application/x-www-form-urlencoded"),
                form(&[("map:商务厅自贸处", "市人民政府")]),
            )
            .await;
        let said = crate::common::outcome(&h, &admin, res).await;
        assert_eq!(
            said.tone, "refused",
            "an ambiguous mapping is asked about: {said:?}"
        );
        assert!(said.text.contains("是否指"), "{said:?}");
        let res = h
            .send_as(
                &admin,
                "POST",
                &format!("/import/{token}/confirm"),
                Some("application/x-www-form-urlencoded"),
                form(&[("map:商务厅自贸处", "商务厅")]),
            )
            .await;
        let said = crate::common::outcome(&h, &admin, res).await;
        assert_eq!(said.tone, "done", "{said:?}");
        assert_eq!(
            h.store.units().await.unwrap().len(),
            units_before,
            "no new unit"
        );
        assert_eq!(
            h.store
                .unit_by_name("商务厅自贸处")
                .await
                .unwrap()
                .map(|u| u.id),
            Some(lead.id)
        );
        let tasks = body_json(
            h.get(
                Some(Role::Admin),
                "/api/v1/tasks?q=%E6%8E%A8%E8%BF%9B%E8%A7%84%E5%88%99%E5%AF%B9%E6%8E%A5",
            )
            .await,
        )
        .await;
        assert_eq!(tasks["items"][0]["lead"][0], "自治区商务厅", "{tasks}");
    }
}

/// The id of the live task titled `title`.
async fn task_id(h: &crate::common::Harness, title: &str) -> i64 {
    let tasks = body_json(h.get(Some(Role::Admin), "/api/v1/tasks?limit=500").await).await;
    tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title}"))["id"]
        .as_i64()
        .unwrap()
}

async fn post_form(
    h: &crate::common::Harness,
    uri: &str,
    pairs: &[(&str, &str)],
) -> crate::common::Outcome {
    let admin = h.session(Role::Admin);
    let res = h
        .send_as(
            &admin,
            "POST",
            uri,
            Some("application/x-www-form-urlencoded"),
            form(pairs),
        )
        .await;
    crate::common::outcome(h, &admin, res).await
}

/// The office corrects what the parser got wrong: a task's title, lead, support units and
/// deadline (the duties follow, the audit log keeps before and after); a document is 废止 from a
/// day (later rounds owe nothing for it); an import nothing refers to is undone, one with a
/// report is not; a decision saved without a lead gets one and becomes an item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_corrects_tasks_documents_and_decisions_after_import() {
    for backend in BACKENDS {
        let config = Config {
            today: luoshi_domain::calendar::Date::parse("2026-09-10"),
            ..Config::default()
        };
        let h = harness(backend, "corrections", config).await;
        let task = task_id(&h, "开展数字规则对接试点").await;
        let here = format!("/tasks/{task}/edit");
        // A refusal names the field and changes nothing.
        let said = post_form(
            &h,
            &here,
            &[("title", "开展数字规则对接试点"), ("lead", "")],
        )
        .await;
        assert_eq!(said.tone, "refused", "{said:?}");
        assert!(said.text.contains("牵头单位"), "{said:?}");
        let said = post_form(
            &h,
            &here,
            &[
                ("title", "开展数字贸易规则对接试点"),
                ("lead", "数据局"),
                ("support", "商务厅、钦州港片区管委会"),
                ("deadline", "2026-12-31"),
            ],
        )
        .await;
        assert_eq!(said.tone, "done", "{said:?}");
        let t = body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/tasks/{task}"))
                .await,
        )
        .await;
        assert_eq!(t["title"], "开展数字贸易规则对接试点");
        assert_eq!(t["lead"], serde_json::json!(["自治区数据局"]), "{t}");
        assert_eq!(t["deadline"], "2026-12-31");
        let page = body_text(h.get(Some(Role::Admin), &format!("/tasks/{task}")).await).await;
        assert!(page.contains("完成时限：2026年12月31日"), "{page}");
        // The duty moved with the lead.
        let (_, owed) = h
            .json(
                Some(Role::Admin),
                "GET",
                "/api/v1/obligations?round=2026-Q3",
                serde_json::json!({}),
            )
            .await;
        let lead = owed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["task_id"] == task && o["kind"] == "task")
            .unwrap();
        assert_eq!(lead["unit_name"], "自治区数据局");
        let audit = body_json(
            h.get(Some(Role::AuditAdmin), "/api/v1/audit?limit=50")
                .await,
        )
        .await;
        let entry = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "task.edit")
            .expect("the edit is audited");
        assert!(
            entry.to_string().contains("开展数字规则对接试点")
                && entry.to_string().contains("开展数字贸易规则对接试点"),
            "before and after: {entry}"
        );

        // A leader's 批示 on the task becomes an item of its lead unit in one step.
        let leader = h.session(Role::Leader);
        let instruct = |text: &'static str| {
            let h = &h;
            let leader = leader.clone();
            async move {
                let res = h
                    .send_as(
                        &leader,
                        "POST",
                        &format!("/tasks/{task}/instruction"),
                        Some("application/x-www-form-urlencoded"),
                        form(&[("text", text)]),
                    )
                    .await;
                crate::common::outcome(h, &leader, res).await
            }
        };
        let said = instruct("  ").await;
        assert_eq!(said.tone, "refused", "{said:?}");
        assert!(said.text.contains("请填写批示内容"), "{said:?}");
        let said = instruct("请加快对接进度，年底前形成清单。").await;
        assert_eq!(said.tone, "done", "{said:?}");
        let item: i64 = said.to.trim_start_matches("/items/").parse().unwrap();
        let detail = body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/items/{item}"))
                .await,
        )
        .await;
        assert_eq!(detail["source"], "instruction", "{detail}");
        assert_eq!(detail["lead_unit_name"], "自治区数据局", "{detail}");
        assert!(
            detail["source_ref"]
                .as_str()
                .unwrap()
                .contains("批示（2026年9月10日）：请加快对接进度"),
            "{detail}"
        );
        assert_eq!(detail["due"], "2026-10-10");
        let res = h
            .send(
                Some(Role::Liaison),
                "POST",
                &format!("/tasks/{task}/instruction"),
                Some("application/x-www-form-urlencoded"),
                form(&[("text", "x")]),
            )
            .await;
        assert_eq!(res.status(), 403, "a liaison does not instruct");

        // 废止 from 2026-09-30: Q3 is still owed, Q4 no longer.
        let port = document_id(&h, "港口").await;
        let said = post_form(
            &h,
            &format!("/documents/{port}/status"),
            &[("status", "repealed")],
        )
        .await;
        assert_eq!(said.tone, "refused", "a repeal needs its day: {said:?}");
        let said = post_form(
            &h,
            &format!("/documents/{port}/status"),
            &[("status", "repealed"), ("ended_on", "2026-09-30")],
        )
        .await;
        assert_eq!(said.tone, "done", "{said:?}");
        let owes = |round: &'static str| {
            let h = &h;
            async move {
                let (_, owed) = h
                    .json(
                        Some(Role::Admin),
                        "GET",
                        &format!("/api/v1/obligations?round={round}"),
                        serde_json::json!({}),
                    )
                    .await;
                owed.as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["document_id"] == port)
                    .count()
            }
        };
        assert!(owes("2026-Q3").await > 0);
        assert_eq!(owes("2026-Q4").await, 0, "nothing is owed after the repeal");
        let page = body_text(
            h.get(Some(Role::Admin), &format!("/documents/{port}"))
                .await,
        )
        .await;
        assert!(page.contains("状态：已废止（自 2026年9月30日 起"), "{page}");

        // Undo: refused once a report exists, done for a document nothing refers to.
        let (s, _) = h
            .json(
                Some(Role::Liaison),
                "POST",
                "/api/v1/reports",
                serde_json::json!({"task_id": task_id(&h, "引育数字贸易龙头企业").await,
                    "period": "2026-Q3", "status": "ongoing", "progress": 20,
                    "narrative": "已对接三家龙头企业。"}),
            )
            .await;
        assert_eq!(s, 201);
        let digital = document_id(&h, "数字贸易提质").await;
        let said = post_form(&h, &format!("/documents/{digital}/undo-import"), &[]).await;
        assert_eq!(said.tone, "refused", "{said:?}");
        assert!(said.text.contains("1 份报送材料"), "{said:?}");
        let doc = "某某厅文件\n\n某发〔2026〕29号\n\n关于误导入测试的通知\n\n各有关单位：\n\n一、重点任务\n\n1.误导入的任务。形成清单。（责任单位：自治区商务厅）\n";
        let plan = luoshi_store::ledger::plan_import(
            &*h.store,
            luoshi_testkit::input("wrong.txt", doc.as_bytes()),
        )
        .await
        .unwrap();
        let wrong = h
            .store
            .apply_import(&luoshi_store::Actor::system("test"), &plan)
            .await
            .unwrap()
            .document_id();
        let said = post_form(&h, &format!("/documents/{wrong}/undo-import"), &[]).await;
        assert_eq!(said.tone, "done", "{said:?}");
        assert_eq!(
            h.get(Some(Role::Admin), &format!("/documents/{wrong}"))
                .await
                .status(),
            404
        );
        assert!(h.store.document(wrong).await.unwrap().is_none());
        // The same bytes import again afterwards.
        let plan = luoshi_store::ledger::plan_import(
            &*h.store,
            luoshi_testkit::input("wrong.txt", doc.as_bytes()),
        )
        .await
        .unwrap();
        assert!(matches!(
            plan.target,
            luoshi_store::ledger::PlanTarget::NewDocument
        ));

        // A meeting form refused keeps what was typed; a decision without a lead gets one.
        let admin = h.session(Role::Admin);
        let res = h
            .send_as(
                &admin,
                "POST",
                "/meetings",
                Some("application/x-www-form-urlencoded"),
                form(&[
                    ("kind", "office"),
                    ("title", "第三次办公室会议"),
                    ("held_on", "2026-09-08"),
                    ("summary", "研究数据跨境工作。"),
                    (
                        "decisions",
                        "推进专线建设 | 数据局\n形成对接清单 | 不存在的单位",
                    ),
                ]),
            )
            .await;
        assert_eq!(res.status(), 400);
        let page = body_text(res).await;
        assert!(
            page.contains("议定事项第 2 行")
                && page.contains("value=\"第三次办公室会议\"")
                && page.contains("研究数据跨境工作。")
                && page.contains("形成对接清单 | 不存在的单位"),
            "{page}"
        );
        let meeting = h
            .store
            .create_meeting(
                &luoshi_store::Actor::system("test"),
                luoshi_store::group::NewMeeting {
                    kind: luoshi_domain::group::MeetingKind::Office,
                    title: "第四次办公室会议".into(),
                    held_on: luoshi_domain::calendar::Date::parse("2026-09-09").unwrap(),
                    place: String::new(),
                    summary: String::new(),
                    decisions: vec![luoshi_store::group::NewDecision {
                        text: "建立对接台账".into(),
                        lead_unit_id: None,
                        due: None,
                    }],
                },
            )
            .await
            .unwrap();
        let d = meeting.decisions[0].id;
        let said = post_form(
            &h,
            &format!("/meetings/{}/decisions/{d}/edit", meeting.id),
            &[
                ("text", "建立对接工作台账"),
                ("lead", "商务厅"),
                ("due", "2026-10-31"),
            ],
        )
        .await;
        assert_eq!(said.tone, "done", "{said:?}");
        let said = post_form(
            &h,
            &format!("/meetings/{}/decisions/{d}/item", meeting.id),
            &[],
        )
        .await;
        assert_eq!(said.tone, "done", "the decision becomes an item: {said:?}");
        let m = h.store.meeting(meeting.id).await.unwrap().unwrap();
        assert_eq!(m.decisions[0].text, "建立对接工作台账");
        assert_eq!(m.decisions[0].item_ids.len(), 1);
        // 首页's 待办: the office has a report to review; the unit an item to acknowledge.
        let home = body_text(h.get(Some(Role::Admin), "/").await).await;
        assert!(home.contains("报送材料待审核</a> <b>1</b> 项"), "{home}");
        let home = body_text(h.get(Some(Role::Liaison), "/").await).await;
        assert!(home.contains("督办事项待签收</a> <b>1</b> 项"), "{home}");
        assert!(!home.contains("报送材料待审核"), "not the unit's to do");
        let said = post_form(
            &h,
            &format!("/meetings/{}/edit", meeting.id),
            &[
                ("kind", "office"),
                ("title", "第四次主任办公会议"),
                ("held_on", "2026-09-09"),
            ],
        )
        .await;
        assert_eq!(said.tone, "done", "{said:?}");
        assert_eq!(
            h.store.meeting(meeting.id).await.unwrap().unwrap().title,
            "第四次主任办公会议"
        );
    }
}

/// A correction survives the next version: after the office corrects a task's title and lead, a
/// new version of the document that rewords the task keeps the correction (the preview says so),
/// while the task's text follows the new version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_keeps_the_offices_corrections() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "kept_fix", Config::default()).await;
        let v1 = "某某厅文件\n\n某发〔2026〕31号\n\n关于推进更正测试工作的通知\n\n各有关单位：\n\n一、重点任务\n\n1.建设侧试平台。完成平台上线。（责任单位：自治区商务厅）\n\n2.编写测试文档。形成规范。（责任单位：自治区数据局）\n";
        let plan = luoshi_store::ledger::plan_import(
            &*h.store,
            luoshi_testkit::input("fix.txt", v1.as_bytes()),
        )
        .await
        .unwrap();
        h.store
            .apply_import(&luoshi_store::Actor::system("test"), &plan)
            .await
            .unwrap();
        let task = task_id(&h, "建设侧试平台").await;
        let said = post_form(
            &h,
            &format!("/tasks/{task}/edit"),
            &[
                ("title", "建设测试平台"),
                ("lead", "数据局"),
                ("support", ""),
            ],
        )
        .await;
        assert_eq!(said.tone, "done", "{name}: {said:?}");
        let v2 = v1.replace("完成平台上线。", "年底前完成平台上线。");
        let res = h
            .send(
                Some(Role::Admin),
                "POST",
                "/api/v1/imports?name=fix-v2.txt",
                Some("application/octet-stream"),
                v2.into_bytes(),
            )
            .await;
        assert_eq!(res.status(), 200, "{name}");
        let preview = body_json(res).await;
        assert_eq!(preview["kind"], "new_version", "{name}: {preview}");
        let kept = preview["tasks"][0]["kept"].as_str().unwrap_or_default();
        assert!(
            kept.contains("建设测试平台") && kept.contains("自治区数据局"),
            "{name}: {preview}"
        );
        assert!(preview["tasks"][1].get("kept").is_none(), "{name}");
        let token = preview["token"].as_str().unwrap();
        let (st, _) = h
            .json(
                Some(Role::Admin),
                "POST",
                &format!("/api/v1/imports/{token}/confirm"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(st, 200, "{name}");
        let t = body_json(
            h.get(Some(Role::Admin), &format!("/api/v1/tasks/{task}"))
                .await,
        )
        .await;
        assert_eq!(t["title"], "建设测试平台", "{name}: {t}");
        assert_eq!(
            t["lead"],
            serde_json::json!(["自治区数据局"]),
            "{name}: {t}"
        );
        assert!(
            t["text"].as_str().unwrap_or_default().contains("年底前"),
            "{name}: the text follows the new version: {t}"
        );
    }
}
