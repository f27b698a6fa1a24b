//! The audit log as people read it, and its filters.

use crate::common::{BACKENDS, body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_web::Config;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_reads_in_chinese_and_narrows_by_person_unit_and_day() {
    for backend in BACKENDS {
        let name = backend.name();
        let h = harness(backend, "audit_words", Config::default()).await;
        let unit = h.store.unit_by_name("自治区商务厅").await.unwrap().unwrap();
        let res = h
            .send(
                Some(Role::Admin),
                "POST",
                &format!("/units/{}/aliases", unit.id),
                Some("application/x-www-form-urlencoded"),
                "alias=%E5%95%86%E5%8A%A1%E5%8E%85".into(),
            )
            .await;
        assert_eq!(res.status(), 303);
        let page = body_text(h.get(Some(Role::AuditAdmin), "/audit").await).await;
        assert!(
            page.contains("导入文件") && page.contains("增加别名"),
            "{name}"
        );
        assert!(page.contains("别名：") && page.contains("商务厅"), "{name}");
        assert!(!page.contains("document.import") && !page.contains("unit.alias.add"));
        // By person: only the admin's change; by the admin's unit: the same; by day.
        let get = |q: String| {
            let h = &h;
            async move {
                h.json(
                    Some(Role::AuditAdmin),
                    "GET",
                    &format!("/api/v1/audit{q}"),
                    json!({}),
                )
                .await
            }
        };
        let (_, all) = get(String::new()).await;
        // Whoever made the change through the page: that user and their unit.
        let actor = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "unit.alias.add")
            .unwrap()["actor"]
            .as_str()
            .unwrap()
            .to_string();
        let admin = h
            .store
            .users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == actor)
            .unwrap();
        let (_, mine) = get(format!("?actor={}", admin.username)).await;
        let (_, unit_rows) = get(format!("?unit={}", admin.unit_id)).await;
        let actions = |v: &Value| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert!(
            all["total"].as_i64().unwrap() > mine["total"].as_i64().unwrap(),
            "{name}"
        );
        assert!(
            actions(&mine).contains(&"unit.alias.add".to_string()),
            "{name}: {mine}"
        );
        assert!(
            actions(&mine).iter().all(|a| a != "document.import"),
            "{name}"
        );
        assert!(
            actions(&unit_rows).contains(&"unit.alias.add".to_string()),
            "{name}"
        );
        let today = luoshi_store::now();
        let day = luoshi_domain::calendar::Date::from_days((today + 8 * 3600).div_euclid(86_400));
        let (_, on_day) = get(format!("?from={day}&to={day}")).await;
        assert_eq!(
            on_day["total"], all["total"],
            "{name}: everything happened today"
        );
        let (_, before) = get(format!("?to={}", day.add_days(-1))).await;
        assert_eq!(before["total"], 0, "{name}");
        let (status, bad) = get("?from=2026-13-01".into()).await;
        assert_eq!(
            (status, bad["code"].as_str()),
            (422, Some("bad_date")),
            "{name}"
        );
        // The page keeps the filter in its form.
        let page = body_text(
            h.get(
                Some(Role::AuditAdmin),
                &format!("/audit?actor={}", admin.username),
            )
            .await,
        )
        .await;
        assert!(
            page.contains(&format!("value=\"{}\"", admin.username)),
            "{name}"
        );
    }
}
