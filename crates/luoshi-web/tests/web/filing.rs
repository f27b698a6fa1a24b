//! Filing before it is sent and many at once: drafts (草稿) and the batch table (批量报送).

use crate::common::{BACKENDS, body_text, harness, json_as};
use crate::reporting::{of_task, owed_in};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_web::Config;
use serde_json::json;

/// Issue 10 item 13: a filing is kept as a draft before it is sent (nothing is filed; the form
/// starts from it; filing removes it), and a unit fills all its duties in one table (批量报送):
/// the rows typed in are filed, a refused row comes back as typed with its reason, and a repeated
/// post files nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_wait_and_a_batch_files_every_row_typed() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-09-10"),
            ..Config::default()
        };
        let h = harness(backend, "batch", config).await;
        let lead = h.session(Role::Liaison);
        let owed = owed_in(&h, &lead, "2026-Q3").await;
        let tasks: Vec<i64> = owed
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["task_id"].as_i64().unwrap())
            .collect();
        assert!(tasks.len() >= 2, "{name}: {owed}");
        let (t1, t2) = (tasks[0], tasks[1]);
        let form = format!("/reporting/tasks/{t1}/2026-Q3");
        let (ct, body) = crate::common::multipart(
            &[
                ("status", "ongoing"),
                ("progress", "30"),
                ("narrative", "草稿内容：已完成调研"),
                ("intent", "draft"),
            ],
            &[],
        );
        let res = h.send_as(&lead, "POST", &form, Some(&ct), body).await;
        let said = crate::common::outcome(&h, &lead, res).await;
        assert!(
            said.tone == "done" && said.text.contains("草稿已保存"),
            "{name}: {said:?}"
        );
        let page = body_text(h.send_as(&lead, "GET", &form, None, vec![]).await).await;
        assert!(
            page.contains("id=\"saved-draft\"")
                && page.contains(">草稿内容：已完成调研</textarea>")
                && page.contains("value=\"30\""),
            "{name}: {page}"
        );
        assert!(
            of_task(&owed_in(&h, &lead, "2026-Q3").await, t1)
                .iter()
                .all(|o| o["report_id"].is_null()),
            "{name}: a draft files nothing"
        );
        let (ct, body) = crate::common::multipart(&[("narrative", " "), ("intent", "draft")], &[]);
        let res = h.send_as(&lead, "POST", &form, Some(&ct), body).await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(body_text(res).await.contains("草稿为空"), "{name}");

        // The batch table lists both duties, the first with its draft.
        let batch = body_text(
            h.send_as(&lead, "GET", "/reporting/batch?round=2026-Q3", None, vec![])
                .await,
        )
        .await;
        assert!(
            batch.contains(&format!("value=\"{t1}/2026-Q3\""))
                && batch.contains(&format!("value=\"{t2}/2026-Q3\""))
                && batch.contains("草稿内容：已完成调研"),
            "{name}: {batch}"
        );
        let post = |idem: &str| {
            format!(
                "idem={idem}&row={t1}%2F2026-Q3&status=ongoing&progress=40&narrative=%E6%89%B9%E9%87%8F%E6%8A%A5%E9%80%81&figures=\
                 &row={t2}%2F2026-Q3&status=done&progress=50&narrative=%E9%85%8D%E5%90%88%E6%9D%90%E6%96%99%E4%B9%99&figures=&intent=file"
            )
            .into_bytes()
        };
        let send = |body: Vec<u8>| {
            h.send_as(
                &lead,
                "POST",
                "/reporting/batch?round=2026-Q3",
                Some("application/x-www-form-urlencoded"),
                body,
            )
        };
        let res = send(post("k1")).await;
        assert_eq!(res.status(), 422, "{name}");
        let page = body_text(res).await;
        assert!(
            page.contains("已报送 1 项；1 项未通过")
                && page.contains("已完成")
                && page.contains(">配合材料乙</textarea>"),
            "{name}: {page}"
        );
        let first = of_task(&owed_in(&h, &lead, "2026-Q3").await, t1);
        let report = first
            .iter()
            .find_map(|o| o["report_id"].as_i64())
            .expect("row 1 filed");
        let page = body_text(h.send_as(&lead, "GET", &form, None, vec![]).await).await;
        assert!(
            !page.contains("id=\"saved-draft\""),
            "{name}: filed, the draft is gone"
        );
        // The same post again (a double click): row 1 is not filed twice.
        assert_eq!(send(post("k1")).await.status(), 422, "{name}");
        let (_, r) = json_as(
            &h,
            &lead,
            "GET",
            &format!("/api/v1/reports/{report}"),
            json!({}),
            None,
        )
        .await;
        assert_eq!(r["versions"], 1, "{name}: {r}");
        // Nothing typed: nothing posted.
        let res = send(
            format!("idem=k2&row={t2}%2F2026-Q3&status=&progress=&narrative=&figures=")
                .into_bytes(),
        )
        .await;
        let said = crate::common::outcome(&h, &lead, res).await;
        assert_eq!(said.tone, "refused", "{name}: {said:?}");
    }
}
