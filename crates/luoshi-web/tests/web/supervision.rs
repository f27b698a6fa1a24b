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
