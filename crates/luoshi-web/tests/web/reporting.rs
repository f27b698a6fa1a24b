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
    let owed = owed_in(&h, &lead, "2026-Q3").await;
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
    let owed = owed_in(&h, &lead, "2026-Q3").await;
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

/// A plan of our own, signed 2026-11-25, whose second task names a unit since succeeded
/// (自治区大数据发展局 → 自治区数据局) as its lead.
const LATE_PLAN: &str = "中国（广西）自由贸易试验区工作领导小组办公室文件

桂自贸办发〔2026〕21号

关于印发《自贸试验区跨境电商提质行动方案》的通知

各片区管委会，各有关单位：
《自贸试验区跨境电商提质行动方案》已经领导小组同意，现印发给你们，请认真组织实施。

2026年11月25日

自贸试验区跨境电商提质行动方案

一、重点任务

1.建设跨境电商公共海外仓。支持企业在东盟国家布局公共海外仓，完善退换货和售后服务网络。（责任单位：自治区商务厅，南宁片区管理机构）

2.推进跨境电商数据互认。建设跨境电商综合服务平台数据接口，推动订单、支付、物流数据一次申报。（责任单位：自治区大数据发展局，自治区商务厅）
";

/// Imports [`LATE_PLAN`]; answers the document's id and its two tasks' ids.
async fn import_late_plan(h: &crate::common::Harness) -> (i64, i64, i64) {
    let plan = luoshi_store::ledger::plan_import(
        &*h.store,
        luoshi_testkit::input("late_plan.txt", LATE_PLAN.as_bytes()),
    )
    .await
    .unwrap();
    let doc = h
        .store
        .apply_import(&Actor::system("test"), &plan)
        .await
        .unwrap()
        .document_id();
    let tasks = h
        .store
        .tasks(
            &luoshi_store::ledger::TaskFilter {
                document: Some(doc),
                ..luoshi_store::ledger::TaskFilter::all()
            },
            luoshi_store::Page::all(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    (doc, tasks[0].id, tasks[1].id)
}

/// `/api/v1/obligations` of `round` as `session` sees it.
pub(crate) async fn owed_in(
    h: &crate::common::Harness,
    session: &(String, String),
    round: &str,
) -> serde_json::Value {
    json_as(
        h,
        session,
        "GET",
        &format!("/api/v1/obligations?round={round}"),
        json!({}),
        None,
    )
    .await
    .1
}

pub(crate) fn of_task(owed: &serde_json::Value, task: i64) -> Vec<serde_json::Value> {
    owed.as_array()
        .unwrap()
        .iter()
        .filter(|o| o["task_id"] == task)
        .cloned()
        .collect()
}

/// Issue 10 item 1: a document owes nothing before its date (no 2020-Q1 report for a plan
/// signed 2026-11-25); before the deadline an unreported task is grey with the days left, not
/// red against a calendar-year 序时进度; a task 办结 owes no later report; the dashboard's trend
/// starts where the data starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lights_wait_for_the_deadline_and_obligations_start_with_the_document() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-12-02"),
            ..Config::default()
        };
        let h = harness(backend, "lights_window", config).await;
        let (doc, first, _) = import_late_plan(&h).await;
        let lead = h.session(Role::Liaison);
        for round in ["2020-Q1", "2026-Q3"] {
            let owed = owed_in(&h, &lead, round).await;
            assert!(
                of_task(&owed, first).is_empty(),
                "{name}: {round} is before the plan: {owed}"
            );
        }
        let owed = owed_in(&h, &lead, "2026-Q4").await;
        let q4 = of_task(&owed, first);
        assert_eq!(q4.len(), 1, "{name}: {owed}");
        assert_eq!(
            (q4[0]["standing"].as_str(), q4[0]["due"].as_str()),
            (Some("open"), Some("2026-12-19"))
        );
        let page = body_text(
            h.get(
                Some(Role::Admin),
                &format!("/reporting/tasks/{first}/2026-Q4"),
            )
            .await,
        )
        .await;
        assert!(
            page.contains("badge 灰灯") && page.contains("本期待报送，截止 12-19，还有 17 天"),
            "{name}: {page}"
        );
        let dash = body_text(
            h.get(
                Some(Role::Admin),
                &format!("/dashboard?document={doc}&round=2026-Q4"),
            )
            .await,
        )
        .await;
        assert!(
            dash.contains("<b id=\"dash-red\">0</b>"),
            "{name}: no red light before the deadline: {dash}"
        );
        // The trend starts at the plan's first round: no bars for the three quarters before it.
        assert!(
            dash.contains("26Q4按时") && !dash.contains("26Q3按时"),
            "{name}: {dash}"
        );
        // 办结: the lead reports 已完成 and the office accepts; the next round owes nothing.
        let (s, filed) = json_as(
            &h,
            &lead,
            "POST",
            "/api/v1/reports",
            json!({"task_id": first, "period": "2026-Q4", "status": "done", "progress": 100,
                   "narrative": "首批公共海外仓已投入运营。"}),
            None,
        )
        .await;
        assert_eq!(s, 201, "{name}: {filed}");
        let id = filed["report"]["id"].as_i64().unwrap();
        let (s, _) = h
            .json(
                Some(Role::Admin),
                "POST",
                &format!("/api/v1/reports/{id}/review"),
                json!({"version_no": 1, "accept": true}),
            )
            .await;
        assert_eq!(s, 200, "{name}");
        let next = owed_in(&h, &lead, "2027-Q1").await;
        assert!(
            of_task(&next, first).is_empty(),
            "{name}: a task 办结 owes nothing later: {next}"
        );
        // The office reopens it, saying why (a reason is required): it owes again.
        let page = body_text(h.get(Some(Role::Admin), &format!("/tasks/{first}")).await).await;
        assert!(page.contains("id=\"task-completed\""), "{name}");
        let office = h.session(Role::Admin);
        let uri = format!("/tasks/{first}/reopen");
        let res = crate::common::send_form(&h, &office, &uri, "reason=").await;
        assert_eq!(res.status(), 303, "{name}");
        let page = body_text(h.get(Some(Role::Admin), &format!("/tasks/{first}")).await).await;
        assert!(
            page.contains("须写明原因") && page.contains("task-completed"),
            "{name}"
        );
        let res = crate::common::send_form(
            &h,
            &office,
            &uri,
            "reason=%E7%8E%B0%E5%9C%BA%E6%A0%B8%E6%9F%A5%E6%9C%AA%E5%AE%8C%E6%88%90",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let next = owed_in(&h, &lead, "2027-Q1").await;
        assert!(
            !of_task(&next, first).is_empty(),
            "{name}: reopened, it owes again"
        );
        let audit = h
            .store
            .audit(&Default::default(), luoshi_store::Page::new(0, 20))
            .await
            .unwrap();
        assert!(
            audit.items.iter().any(|e| e.action == "task.reopen"),
            "{name}"
        );
        let liaison = h
            .send(
                Some(Role::Liaison),
                "POST",
                &uri,
                Some("application/x-www-form-urlencoded"),
                b"reason=x".to_vec(),
            )
            .await;
        assert_eq!(liaison.status(), 403, "{name}");
    }
}

/// Issue 12 item 6: a task past its 完成时限 and not 办结 is listed as overdue; the list says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_tasks_are_listed() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = luoshi_web::Config {
            today: Some(luoshi_testkit::day("2027-08-01")),
            ..luoshi_web::Config::default()
        };
        let h = harness(backend, "overdue_tasks", config).await;
        // The port sample's task (二) is due by 2027-06-30 (its text says so).
        let overdue = body_text(h.get(Some(Role::Admin), "/tasks?overdue=1").await).await;
        assert!(overdue.contains("完善集疏运体系"), "{name}: {overdue}");
        assert!(
            !overdue.contains("加密海铁联运班列"),
            "{name}: no deadline, not overdue"
        );
        assert!(overdue.contains("任务台账（1 项）"), "{name}");
    }
}

/// Issue 10 item 2: a duty written under a unit since succeeded is the successor's — its liaison
/// files it under the current name, the task page shows the successor as lead with the name as
/// written, and the office's table has one row per current unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successors_carry_their_predecessors_duties_under_their_own_name() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-12-02"),
            ..Config::default()
        };
        let h = harness(backend, "successors", config).await;
        let (_, _, second) = import_late_plan(&h).await;
        let shuju = crate::common::session_of(&h, "自治区数据局", Role::Liaison).await;
        let owed = owed_in(&h, &shuju, "2026-Q4").await;
        let mine = of_task(&owed, second);
        assert_eq!(mine.len(), 1, "{name}: {owed}");
        assert_eq!(
            (
                mine[0]["unit_name"].as_str(),
                mine[0]["written_as"].as_str(),
                mine[0]["kind"].as_str()
            ),
            (
                Some("自治区数据局"),
                Some("自治区大数据发展局"),
                Some("task")
            ),
            "{name}"
        );
        // The support unit of sample 02's （六） is the predecessor too: shown under 数据局.
        assert!(
            owed.as_array()
                .unwrap()
                .iter()
                .all(|o| o["unit_name"] == "自治区数据局"),
            "{name}: {owed}"
        );
        let (s, filed) = json_as(
            &h,
            &shuju,
            "POST",
            "/api/v1/reports",
            json!({"task_id": second, "period": "2026-Q4", "status": "ongoing", "progress": 20,
                   "narrative": "数据接口完成需求调研。"}),
            None,
        )
        .await;
        assert_eq!(s, 201, "{name}: {filed}");
        assert_eq!(filed["report"]["unit_name"], "自治区数据局", "{name}");
        let task = body_text(h.get(Some(Role::Admin), &format!("/tasks/{second}")).await).await;
        assert!(
            task.contains("自治区数据局</a> <span class=\"muted\">（原文作“自治区大数据发展局”）"),
            "{name}: {task}"
        );
        let office = body_text(h.get(Some(Role::Admin), "/reporting?round=2026-Q4").await).await;
        assert!(
            !office.contains(">自治区大数据发展局</a>"),
            "{name}: no row under the predecessor: {office}"
        );
        let rows = office.matches(">自治区数据局</a></td>").count();
        assert_eq!(rows, 1, "{name}: one scorecard row: {office}");
    }
}

/// Issue 10 item 5: 催报. The automatic run reminds units of duties before and after the deadline
/// on the office's schedule (each key once); 一键催报 reminds every late unit at most once a
/// day; the unit receives it in 消息 and the duty's page records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_units_are_reminded_once_each_and_the_duty_shows_it() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-09-21"),
            ..Config::default()
        };
        let h = harness(backend, "remind", config).await;
        let admin = h.session(Role::Admin);
        let lead = h.session(Role::Liaison);
        let post = |uri: &'static str, body: &'static str| {
            h.send_as(
                &admin,
                "POST",
                uri,
                Some("application/x-www-form-urlencoded"),
                body.as_bytes().to_vec(),
            )
        };
        // The automatic run (the office's button runs it now): overdue reminders go out once.
        let said = crate::common::outcome(&h, &admin, post("/items/reminders", "").await).await;
        assert!(said.text.contains("信息报送催报"), "{name}: {said:?}");
        assert!(!said.text.contains("信息报送催报 0 项"), "{name}: {said:?}");
        let again = crate::common::outcome(&h, &admin, post("/items/reminders", "").await).await;
        assert!(
            again.text.contains("信息报送催报 0 项"),
            "{name}: {again:?}"
        );
        let (_, inbox) = json_as(&h, &lead, "GET", "/api/v1/notifications", json!({}), None).await;
        let inbox = inbox["items"].to_string();
        assert!(
            inbox.contains("催报：2026年第3季度信息报送") && inbox.contains("已逾期"),
            "{name}: {inbox}"
        );
        // 一键催报: every late unit, once a day.
        let all =
            crate::common::outcome(&h, &admin, post("/reporting/remind", "round=2026-Q3").await)
                .await;
        assert_eq!(all.tone, "done", "{name}: {all:?}");
        assert!(all.text.starts_with("已向 "), "{name}: {all:?}");
        let twice =
            crate::common::outcome(&h, &admin, post("/reporting/remind", "round=2026-Q3").await)
                .await;
        assert_eq!(twice.tone, "refused", "{name}: {twice:?}");
        let (_, inbox) = json_as(&h, &lead, "GET", "/api/v1/notifications", json!({}), None).await;
        assert!(
            inbox["items"].to_string().contains("催报（办公室）"),
            "{name}: {inbox}"
        );
        // The API runs the same 一键催报: already sent today, so nothing new; a liaison may not.
        let (s, out) = json_as(
            &h,
            &admin,
            "POST",
            "/api/v1/reminders/reports",
            json!({"round": "2026-Q3"}),
            None,
        )
        .await;
        assert_eq!(
            (s, out["reminders"].as_i64()),
            (200, Some(0)),
            "{name}: {out}"
        );
        let (s, _) = json_as(
            &h,
            &lead,
            "POST",
            "/api/v1/reminders/reports",
            json!({"round": "2026-Q3"}),
            None,
        )
        .await;
        assert_eq!(s, 403, "{name}");
        let (s, out) = json_as(
            &h,
            &admin,
            "POST",
            "/api/v1/reminders/reports",
            json!({"round": "2026-Q9"}),
            None,
        )
        .await;
        assert!(s == 400 || s == 422, "{name}: {s} {out}");
        let owed = owed_in(&h, &lead, "2026-Q3").await;
        let missing = owed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["standing"] == "missing")
            .unwrap()
            .clone();
        let page = body_text(
            h.send_as(
                &lead,
                "GET",
                &format!("/reporting/tasks/{}/2026-Q3", missing["task_id"]),
                None,
                vec![],
            )
            .await,
        )
        .await;
        assert!(
            page.contains("催报记录：")
                && page.contains("自动催报")
                && page.contains("已逾期 2 天"),
            "{name}: {page}"
        );
    }
}

/// 沿用上季度: a duty not yet filed this quarter offers last quarter's report as the form's start,
/// and the form then holds its text, saying where it came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_quarter_can_start_from_the_last_one() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Date::parse("2026-10-12"),
            ..Config::default()
        };
        let h = harness(backend, "carry", config).await;
        let lead = h.session(Role::Liaison);
        let owed = owed_in(&h, &lead, "2026-Q3").await;
        let task = owed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "task")
            .unwrap()["task_id"]
            .clone();
        let (s, v) = json_as(
            &h,
            &lead,
            "POST",
            "/api/v1/reports",
            json!({"task_id": task, "period": "2026-Q3", "status": "ongoing", "progress": 45,
                   "narrative": "完成规则比对，形成试点清单初稿。"}),
            None,
        )
        .await;
        assert_eq!(s, 201, "{name}: {v}");
        let page = body_text(
            h.send_as(
                &lead,
                "GET",
                &format!("/reporting/tasks/{task}/2026-Q4"),
                None,
                vec![],
            )
            .await,
        )
        .await;
        assert!(
            page.contains("id=\"carry\"") && page.contains("沿用2026年第3季度"),
            "{name}: {page}"
        );
        let page = body_text(
            h.send_as(
                &lead,
                "GET",
                &format!("/reporting/tasks/{task}/2026-Q4?carry=1"),
                None,
                vec![],
            )
            .await,
        )
        .await;
        assert!(
            page.contains("id=\"carried\"")
                && page.contains(">完成规则比对，形成试点清单初稿。</textarea>")
                && page.contains("value=\"45\""),
            "{name}: {page}"
        );
        // Nothing was filed for Q4 by opening it.
        let q4 = owed_in(&h, &lead, "2026-Q4").await;
        assert!(
            q4.as_array()
                .unwrap()
                .iter()
                .all(|o| o["report_id"].is_null()),
            "{name}"
        );
    }
}
