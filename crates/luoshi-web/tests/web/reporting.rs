//! Reporting pages and lists beyond the quarter story: late reports and the long overdue list.

use crate::common::{BACKENDS, body_text, harness, json_as};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_store::Actor;
use luoshi_web::Config;
use serde_json::json;

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
