//! Supervision items opened from a task.

use crate::common::{body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_web::Config;
use serde_json::json;

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

/// Issue 10 item 13: 反馈 and 办结 carry evidence files, which the item's log lists and whoever
/// may see the item downloads; a step that takes none refuses them. A leader's 批示 on an item is
/// recorded in its log and reaches the lead unit, and the stage stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_carry_evidence_and_leaders_instruct_on_items() {
    use luoshi_store::supervision::{ItemSource, NewItem};
    for backend in crate::common::BACKENDS {
        let name = backend.name();
        let h = harness(backend, "item_evidence", Config::default()).await;
        let lead = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
        let item = h
            .store
            .create_item(
                &luoshi_store::Actor::system("test"),
                NewItem {
                    title: "完成对接平台上线".into(),
                    source: ItemSource::Instruction,
                    source_ref: String::new(),
                    task_id: None,
                    decision_id: None,
                    lead_unit_id: lead.id,
                    support_unit_ids: vec![],
                    due: luoshi_domain::calendar::Date::parse("2027-03-01").unwrap(),
                    opened_on: luoshi_domain::calendar::Date::parse("2026-09-01").unwrap(),
                    assign: true,
                },
            )
            .await
            .unwrap();
        let liaison = h.session(Role::Liaison);
        let step = format!("/items/{}/steps", item.id);
        let res = h
            .send_as(
                &liaison,
                "POST",
                &step,
                Some("application/x-www-form-urlencoded"),
                b"action=acknowledge".to_vec(),
            )
            .await;
        assert_eq!(
            crate::common::outcome(&h, &liaison, res).await.tone,
            "done",
            "{name}"
        );
        let pdf: &[u8] = b"%PDF-1.4 evidence of the platform going live";
        let (ct, body) = crate::common::multipart(
            &[
                ("action", "feedback"),
                ("note", "平台已上线试运行"),
                ("progress", "70"),
            ],
            &[("上线验收单.pdf", pdf)],
        );
        let res = h.send_as(&liaison, "POST", &step, Some(&ct), body).await;
        let said = crate::common::outcome(&h, &liaison, res).await;
        assert_eq!(said.tone, "done", "{name}: {said:?}");
        let page = body_text(
            h.get(Some(Role::Admin), &format!("/items/{}", item.id))
                .await,
        )
        .await;
        let at = page
            .find("class=\"evidence\" href=\"")
            .expect("the log lists the file");
        let href = &page[at + "class=\"evidence\" href=\"".len()..];
        let href = href[..href.find('"').unwrap()].to_string();
        assert!(page.contains("上线验收单.pdf"), "{name}");
        let got = h.send_as(&liaison, "GET", &href, None, vec![]).await;
        assert_eq!(got.status(), 200, "{name}");
        assert_eq!(crate::common::body_bytes(got).await, pdf, "{name}");
        let city = h.session(Role::CityGov);
        assert_eq!(
            h.send_as(&city, "GET", &href, None, vec![]).await.status(),
            404,
            "{name}: another unit's evidence"
        );
        // A renamed executable is refused by its content; an extension request takes no files.
        let (ct, body) = crate::common::multipart(
            &[("action", "feedback"), ("note", "再次反馈")],
            &[("说明.pdf", b"MZ\x90\x00\x03\x00\x00\x00")],
        );
        let res = h.send_as(&liaison, "POST", &step, Some(&ct), body).await;
        let said = crate::common::outcome(&h, &liaison, res).await;
        assert!(
            said.tone == "refused" && said.text.contains("说明.pdf"),
            "{name}: {said:?}"
        );
        let (ct, body) = crate::common::multipart(
            &[
                ("action", "request_extension"),
                ("note", "等待测评"),
                ("new_due", "2027-04-01"),
            ],
            &[("a.pdf", pdf)],
        );
        let res = h.send_as(&liaison, "POST", &step, Some(&ct), body).await;
        let said = crate::common::outcome(&h, &liaison, res).await;
        assert!(
            said.tone == "refused" && said.text.contains("不能附带材料"),
            "{name}: {said:?}"
        );
        // 批示: a leader writes it on the item; its log and the lead's inbox carry it.
        let leader = h.session(Role::Leader);
        let res = h
            .send_as(
                &leader,
                "POST",
                &format!("/items/{}/instruction", item.id),
                Some("application/x-www-form-urlencoded"),
                "text=请于月底前完成安全测评".as_bytes().to_vec(),
            )
            .await;
        let said = crate::common::outcome(&h, &leader, res).await;
        assert!(
            said.tone == "done" && said.text.contains("办理中"),
            "{name}: {said:?}"
        );
        let page = body_text(
            h.get(Some(Role::Admin), &format!("/items/{}", item.id))
                .await,
        )
        .await;
        assert!(page.contains("批示：请于月底前完成安全测评"), "{name}");
        let (_, inbox) = crate::common::json_as(
            &h,
            &liaison,
            "GET",
            "/api/v1/notifications",
            json!({}),
            None,
        )
        .await;
        assert!(
            inbox["items"].to_string().contains("督办事项批示"),
            "{name}: {inbox}"
        );
        // Leaders still take no routine step, and a liaison writes no 批示.
        let res = h
            .send_as(
                &leader,
                "POST",
                &step,
                Some("application/x-www-form-urlencoded"),
                b"action=instruct&note=x".to_vec(),
            )
            .await;
        assert_eq!(res.status(), 403, "{name}");
        let res = h
            .send_as(
                &liaison,
                "POST",
                &format!("/items/{}/instruction", item.id),
                Some("application/x-www-form-urlencoded"),
                b"text=x".to_vec(),
            )
            .await;
        assert_eq!(res.status(), 403, "{name}");
    }
}
