//! 指标 through the router on both backends: the samples' targets as indicators on the list
//! (filtered by light and year), an indicator's page with its chart and milestone history, the
//! office's baseline (refused with the reason when wrong, and not the liaison's to set), and the
//! API in the CLI's shape.

use crate::common::{BACKENDS, body_json, body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_web::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_become_indicators_on_the_page_and_the_api() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Some(luoshi_testkit::day("2026-07-01")),
            ..Config::default()
        };
        let h = harness(backend, "indicators", config).await;
        let list = body_text(h.get(Some(Role::Liaison), "/indicators").await).await;
        assert!(list.contains("数字贸易进出口额"), "{name}");
        assert!(
            list.contains("2027年 ≥ 200亿元"),
            "{name}: the latest version's target"
        );
        assert!(
            list.contains("尚未填报实际值"),
            "{name}: the reason is in words"
        );
        // Filters: a year with no milestone, a light with none.
        let none = body_text(h.get(Some(Role::Liaison), "/indicators?year=2030").await).await;
        assert!(none.contains("没有符合条件的指标"), "{name}");
        let red = body_text(h.get(Some(Role::Liaison), "/indicators?light=red").await).await;
        assert!(!red.contains("数字贸易进出口额"), "{name}");
        let bad = h.get(Some(Role::Liaison), "/indicators?light=blue").await;
        assert_eq!(bad.status(), 400, "{name}");

        let (status, all) = h
            .json(
                Some(Role::Leader),
                "GET",
                "/api/v1/indicators",
                serde_json::json!(null),
            )
            .await;
        assert_eq!(status, 200, "{name}");
        let trade = all
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["subject"] == "数字贸易进出口额")
            .unwrap()
            .clone();
        assert_eq!(trade["milestones"][0]["value"], 200, "{name}");
        assert_eq!(trade["status"]["light"], "grey", "{name}");
        let id = trade["id"].as_i64().unwrap();

        let page = body_text(
            h.get(Some(Role::Liaison), &format!("/indicators/{id}"))
                .await,
        )
        .await;
        assert!(
            page.contains("<svg") && page.contains("class=\"milestone\""),
            "{name}"
        );
        assert!(
            page.contains("旧版本"),
            "{name}: 180亿元 is kept as history"
        );
        assert!(
            !page.contains("baseline-form"),
            "{name}: not the liaison's form"
        );

        // The office sets the baseline; a wrong unit is refused with the reason.
        let office = h.session(Role::Admin);
        let res = crate::common::send_form(
            &h,
            &office,
            &format!("/indicators/{id}/baseline"),
            "year=2025&value=3&unit=%E4%BA%BF%E7%BE%8E%E5%85%83&source=",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let page = body_text(h.get(Some(Role::Admin), &format!("/indicators/{id}")).await).await;
        assert!(page.contains("单位应为“亿元”"), "{name}: {page}");
        assert!(page.contains("尚未设置基期值"), "{name}: nothing stored");
        let res = crate::common::send_form(
            &h,
            &office,
            &format!("/indicators/{id}/baseline"),
            "year=2025&value=1200000&unit=%E4%B8%87%E5%85%83&source=%E7%BB%9F%E8%AE%A1%E5%BF%AB%E6%8A%A5",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let page = body_text(h.get(Some(Role::Admin), &format!("/indicators/{id}")).await).await;
        assert!(
            page.contains("基期：2025 年 120亿元（统计快报）"),
            "{name}: 120万万元 is 120亿元"
        );
        assert!(
            page.contains("class=\"path\""),
            "{name}: the path from the baseline is drawn"
        );
        let liaison = h
            .send(
                Some(Role::Liaison),
                "POST",
                &format!("/indicators/{id}/baseline"),
                Some("application/x-www-form-urlencoded"),
                b"year=2025&value=1".to_vec(),
            )
            .await;
        assert_eq!(liaison.status(), 403, "{name}");
        // The list as a sheet, filtered as the page is.
        let res = h
            .get(
                Some(Role::Leader),
                "/export/indicators.xlsx?light=grey&year=2027",
            )
            .await;
        assert_eq!(res.status(), 200, "{name}");
        let bytes = crate::common::body_bytes(res).await;
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("指标").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][..4], ["编号", "指标", "范围", "口径"], "{name}");
        let trade_row = rows.iter().find(|r| r[1] == "数字贸易进出口额").unwrap();
        assert_eq!(trade_row[4], "2027年 ≥ 200亿元", "{name}");
        assert_eq!(trade_row[5], "2025年 120亿元", "{name}");
        assert!(
            trade_row[9].contains("尚未填报实际值"),
            "{name}: {trade_row:?}"
        );
        assert!(
            rows.iter()
                .all(|r| r[1] != "培育数字贸易重点企业" || r[8] == "灰灯"),
            "{name}"
        );
        let res = h
            .get(Some(Role::Leader), &format!("/api/v1/indicators/{id}"))
            .await;
        let one = body_json(res).await;
        assert_eq!(one["baseline"]["value"], 120, "{name}");
        assert_eq!(
            h.get(Some(Role::Leader), "/api/v1/indicators/999999")
                .await
                .status(),
            404
        );
    }
}

/// The office keeps the indicators: units for a goal's target (by name as typed), a new name,
/// and a merge refused when the two do not count alike — each refusal says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_assigns_units_renames_and_merges() {
    let h = harness(
        crate::common::Backend::Sqlite,
        "indicator_office",
        Config::default(),
    )
    .await;
    let (_, all) = h
        .json(
            Some(Role::Admin),
            "GET",
            "/api/v1/indicators",
            serde_json::json!(null),
        )
        .await;
    let id_of = |subject: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|i| i["subject"] == subject)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (trade, firms) = (id_of("数字贸易进出口额"), id_of("培育数字贸易重点企业"));
    let office = h.session(Role::Admin);
    let post = |uri: String, form: &'static str| {
        let office = office.clone();
        let h = &h;
        async move {
            crate::common::send_form(h, &office, &uri, form)
                .await
                .status()
        }
    };
    let view = || async {
        body_text(
            h.get(Some(Role::Admin), &format!("/indicators/{trade}"))
                .await,
        )
        .await
    };
    // 商务厅 by its short name; an unknown name is refused and nothing is stored.
    let st = post(
        format!("/indicators/{trade}/units"),
        "lead=%E5%95%86%E5%8A%A1%E5%8E%85&support=",
    )
    .await;
    assert_eq!(st, 303);
    let st = post(
        format!("/indicators/{trade}/units"),
        "lead=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%8E%85&support=",
    )
    .await;
    assert_eq!(st, 303);
    let page = view().await;
    assert!(page.contains("自治区商务厅（牵头，办公室指定）"), "{page}");
    assert!(
        page.contains("不存在的厅"),
        "the refusal names the unknown unit: {page}"
    );
    let liaison = body_text(h.get(Some(Role::Liaison), "/indicators").await).await;
    assert!(liaison.contains("自治区商务厅"), "the list names the lead");
    // The unit's page lists what it answers for; the dashboard counts every indicator's light.
    let commerce = h
        .store
        .unit_by_name("自治区商务厅")
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = body_text(
        h.get(Some(Role::Liaison), &format!("/units/{commerce}"))
            .await,
    )
    .await;
    assert!(
        unit.contains(&format!("href=\"/indicators/{trade}\"")),
        "{unit}"
    );
    let board = body_text(h.get(Some(Role::Leader), "/dashboard").await).await;
    assert!(board.contains("id=\"dash-indicators\""), "{board}");
    assert!(board.contains("/indicators?light=red"), "{board}");
    // Merging unlike indicators is refused with the reason.
    let st = post(format!("/indicators/{trade}/merge"), "other=").await;
    assert_eq!(st, 303);
    let form = Box::leak(format!("other={firms}").into_boxed_str());
    let st = post(format!("/indicators/{trade}/merge"), form).await;
    assert_eq!(st, 303);
    let page = view().await;
    assert!(
        page.contains("两个指标的单位不同（亿元、家），不能合并"),
        "{page}"
    );
    // Renamed; a liaison may not.
    let st = post(
        format!("/indicators/{trade}/edit"),
        "subject=%E6%95%B0%E5%AD%97%E8%B4%B8%E6%98%93%E9%A2%9D&scope=",
    )
    .await;
    assert_eq!(st, 303);
    let page = view().await;
    assert!(page.contains("<h1>数字贸易额"), "{page}");
    let res = h
        .send(
            Some(Role::Liaison),
            "POST",
            &format!("/indicators/{trade}/edit"),
            Some("application/x-www-form-urlencoded"),
            b"subject=x".to_vec(),
        )
        .await;
    assert_eq!(res.status(), 403);
    let audit = h
        .store
        .audit(&Default::default(), luoshi_store::Page::new(0, 50))
        .await
        .unwrap();
    for action in ["indicator.units", "indicator.edit"] {
        assert!(audit.items.iter().any(|e| e.action == action), "{action}");
    }
}

/// A statistics sheet of (指标, 年份, 期别, 数值, 单位) rows.
fn stat_sheet(rows: &[[&str; 5]]) -> Vec<u8> {
    use luoshi_output::xlsx::{Cell, Sheet, write};
    let mut s = Sheet::new(
        "统计快报",
        &[
            ("指标名称", 20.0),
            ("年份", 8.0),
            ("期别", 8.0),
            ("数值", 8.0),
            ("计量单位", 8.0),
        ],
    );
    for r in rows {
        s.rows.push(r.iter().map(|c| Cell::from(*c)).collect());
    }
    write(&[s]).unwrap()
}

async fn status_of(h: &crate::common::Harness, id: i64) -> serde_json::Value {
    body_json(
        h.get(Some(Role::Leader), &format!("/api/v1/indicators/{id}"))
            .await,
    )
    .await
}

/// Issue 12's way of work, through the router on both backends: the office makes 商务厅 the
/// lead of a goal's indicator; its liaison files the figure with the quarter's report (a wrong
/// unit refused with the reason, 万元 converted); the office accepts and the light turns; a
/// statistics sheet is previewed and imported (a bad one names its rows and stores nothing);
/// the API takes the office's values and a sheet, and not a liaison's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_files_figures_with_its_report_and_the_office_imports_a_sheet() {
    use crate::common::{multipart, send_form};
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Some(luoshi_testkit::day("2026-10-09")),
            ..Config::default()
        };
        let h = harness(backend, "indicator_values", config).await;
        let trade = indicator_id(&h, "数字贸易进出口额").await;
        let office = h.session(Role::Admin);
        for (path, form) in [
            ("units", "lead=%E5%95%86%E5%8A%A1%E5%8E%85&support="),
            ("baseline", "year=2025&value=120&unit=&source="),
        ] {
            let res = send_form(&h, &office, &format!("/indicators/{trade}/{path}"), form).await;
            assert_eq!(res.status(), 303, "{name}");
        }
        // The liaison's report on its task shows the indicator.
        let liaison = h.session(Role::Liaison);
        let (_, owed) = h
            .json(
                Some(Role::Liaison),
                "GET",
                "/api/v1/obligations?round=2026-Q3",
                serde_json::json!(null),
            )
            .await;
        let task = owed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "task")
            .unwrap_or_else(|| panic!("{name}: {owed}"))["task_id"]
            .as_i64()
            .unwrap();
        let form_page = format!("/reporting/tasks/{task}/2026-Q3");
        let page = body_text(h.get(Some(Role::Liaison), &form_page).await).await;
        assert!(
            page.contains(&format!("name=\"iv_{trade}_value\"")),
            "{name}: the report form asks for the indicator"
        );
        let value_field = format!("iv_{trade}_value");
        let unit_field = format!("iv_{trade}_unit");
        let period_field = format!("iv_{trade}_period");
        let file = |key: &'static str, value: &'static str, unit: &'static str| {
            multipart(
                &[
                    ("status", "ongoing"),
                    ("progress", "60"),
                    ("narrative", "数字贸易企业对接东盟市场。"),
                    ("idem", key),
                    (period_field.as_str(), "Q3"),
                    (value_field.as_str(), value),
                    (unit_field.as_str(), unit),
                ],
                &[],
            )
        };
        let (ct, body) = file("v-1", "105", "亿美元");
        let res = h
            .send_as(&liaison, "POST", &form_page, Some(&ct), body)
            .await;
        assert_eq!(res.status(), 422, "{name}");
        let text = body_text(res).await;
        assert!(
            text.contains("指标“数字贸易进出口额”的单位：单位应为“亿元”"),
            "{name}: {text}"
        );
        assert!(
            status_of(&h, trade).await["actuals"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{name}: nothing stored"
        );
        let (ct, body) = file("v-2", "1050000", "万元");
        let res = h
            .send_as(&liaison, "POST", &form_page, Some(&ct), body)
            .await;
        assert_eq!(res.status(), 303, "{name}");
        let filed = status_of(&h, trade).await;
        assert_eq!(filed["actuals"][0]["value"], 105, "{name}: {filed}");
        assert_eq!(filed["actuals"][0]["status"], "submitted", "{name}");
        assert_eq!(filed["status"]["light"], "grey", "{name}: not counted yet");
        // The office accepts the report: the value counts and the light says why.
        let (_, owed) = h
            .json(
                Some(Role::Admin),
                "GET",
                "/api/v1/obligations?round=2026-Q3",
                serde_json::json!(null),
            )
            .await;
        let report = owed
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["task_id"] == task && o["kind"] == "task")
            .unwrap()["report_id"]
            .as_i64()
            .unwrap();
        let res = send_form(
            &h,
            &office,
            &format!("/reporting/reports/{report}/review"),
            "version_no=1&decision=accept&reason=",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let accepted = status_of(&h, trade).await;
        assert_eq!(accepted["actuals"][0]["status"], "accepted", "{name}");
        assert_eq!(accepted["status"]["light"], "yellow", "{name}: {accepted}");
        let reason = accepted["status"]["reason"].as_str().unwrap().to_string();
        assert!(
            reason.contains("应达 120") && reason.contains("实际 105"),
            "{name}: {reason}"
        );
        let page = body_text(
            h.get(Some(Role::Leader), &format!("/indicators/{trade}"))
                .await,
        )
        .await;
        assert!(
            page.contains("随报告填报") && page.contains("自治区商务厅"),
            "{name}: the value's origin and unit are on the page"
        );

        // A bad sheet names its rows and stores nothing.
        let bad = stat_sheet(&[
            ["数字贸易进出口额", "2026", "1-9月", "118", "亿元"],
            ["数字贸易进出口额", "2031", "全年", "1", "亿元"],
            ["不存在的指标", "2026", "全年", "1", "亿元"],
        ]);
        let (ct, body) = multipart(&[], &[("统计快报.xlsx", &bad)]);
        let res = h
            .send_as(&office, "POST", "/figures/preview", Some(&ct), body)
            .await;
        assert_eq!(res.status(), 200, "{name}");
        let text = body_text(res).await;
        assert!(
            text.contains("第 3 行“年份”列") && text.contains("第 4 行“指标”列"),
            "{name}: {text}"
        );
        assert!(!text.contains("figures-confirm"), "{name}: no confirmation");
        let encoded = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&bad)
        };
        let (ct, body) = multipart(&[("sheet", encoded.as_str())], &[]);
        let res = h
            .send_as(&office, "POST", "/figures/import", Some(&ct), body)
            .await;
        assert_eq!(res.status(), 303, "{name}");
        assert_eq!(
            status_of(&h, trade).await["actuals"][0]["value"],
            105,
            "{name}: the bad sheet changed nothing"
        );
        // A good one: previewed (105 → 118, 修改), confirmed, and the light turns green.
        let good = stat_sheet(&[["数字贸易进出口额", "2026", "1-9月", "118", "亿元"]]);
        let (ct, body) = multipart(&[], &[("统计快报.xlsx", &good)]);
        let res = h
            .send_as(&office, "POST", "/figures/preview", Some(&ct), body)
            .await;
        let text = body_text(res).await;
        assert!(
            text.contains("105亿元") && text.contains("118亿元") && text.contains("修改"),
            "{name}: {text}"
        );
        let carried = text
            .split("name=\"sheet\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let (ct, body) = multipart(&[("sheet", carried.as_str())], &[]);
        let res = h
            .send_as(&office, "POST", "/figures/import", Some(&ct), body)
            .await;
        assert_eq!(res.status(), 303, "{name}");
        let imported = status_of(&h, trade).await;
        assert_eq!(imported["actuals"][0]["value"], 118, "{name}: {imported}");
        assert_eq!(imported["status"]["light"], "green", "{name}: {imported}");
        // The thresholds are the office's (设置): 1% behind is yellow once it says so.
        let sysadmin = h.session(Role::SystemAdmin);
        let res = send_form(
            &h,
            &sysadmin,
            "/settings",
            "yellow_days_left=7&yellow_lag=10&red_lag=20&reminder_days=7%2C3&indicator_yellow_lag=1&indicator_red_lag=15",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        let stricter = status_of(&h, trade).await;
        assert_eq!(stricter["status"]["light"], "yellow", "{name}: {stricter}");
        let res = send_form(
            &h,
            &sysadmin,
            "/settings",
            "yellow_days_left=7&yellow_lag=10&red_lag=20&reminder_days=7%2C3&indicator_yellow_lag=30&indicator_red_lag=15",
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
        assert_eq!(
            status_of(&h, trade).await["status"]["light"],
            "yellow",
            "{name}: a yellow past red is refused and nothing changes"
        );

        // The API: the office's values and a sheet's dry run; not a liaison's.
        let body =
            serde_json::json!({ "values": [{ "year": "2026", "period": "Q2", "value": "80" }] });
        let (status, written) = h
            .json(
                Some(Role::Admin),
                "POST",
                &format!("/api/v1/indicators/{trade}/values"),
                body.clone(),
            )
            .await;
        assert_eq!(
            (status, written["written"].clone()),
            (200, 1.into()),
            "{name}"
        );
        let (status, _) = h
            .json(
                Some(Role::Liaison),
                "POST",
                &format!("/api/v1/indicators/{trade}/values"),
                body,
            )
            .await;
        assert_eq!(status, 403, "{name}");
        let (status, plan) = h
            .json(
                Some(Role::Admin),
                "POST",
                "/api/v1/figures?dry_run=1",
                serde_json::json!({ "content": carried }),
            )
            .await;
        assert_eq!(status, 200, "{name}: {plan}");
        assert_eq!(
            (plan["same"].clone(), plan["written"].clone()),
            (1.into(), 0.into()),
            "{name}"
        );
    }
}

/// The indicators as the API lists them.
async fn indicators(h: &crate::common::Harness) -> Vec<serde_json::Value> {
    let (_, all) = h
        .json(
            Some(Role::Admin),
            "GET",
            "/api/v1/indicators",
            serde_json::json!(null),
        )
        .await;
    all.as_array().unwrap().clone()
}

/// The id of the indicator with this subject, through the API.
async fn indicator_id(h: &crate::common::Harness, subject: &str) -> i64 {
    indicators(h)
        .await
        .iter()
        .find(|i| i["subject"] == subject)
        .unwrap_or_else(|| panic!("no indicator {subject}"))["id"]
        .as_i64()
        .unwrap()
}

/// The list, an indicator's page and the API are kept in the serving process while the audit
/// log's head stands still (`kit::memo`): a change written by another process (here a second
/// connection pool, as a second `luoshi serve` would have) shows on the next read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_page_follows_a_change_made_by_another_process() {
    for backend in BACKENDS {
        let name = backend.name();
        let config = Config {
            today: Some(luoshi_testkit::day("2026-07-01")),
            ..Config::default()
        };
        let h = harness(backend, "indicators_memo", config).await;
        let trade = indicator_id(&h, "数字贸易进出口额").await;
        let page = format!("/indicators/{trade}");
        for _ in 0..2 {
            let before = body_text(h.get(Some(Role::Leader), &page).await).await;
            assert!(before.contains("尚未设置基期值"), "{name}");
        }
        let other = luoshi_store_sql::SqlStore::connect(&h.url, 2)
            .await
            .unwrap();
        luoshi_store::indicators::IndicatorsStore::set_baseline(
            &other,
            &luoshi_store::Actor::system("another server"),
            trade,
            Some(luoshi_store::indicators::Baseline {
                year: 2025,
                value: "120".parse().unwrap(),
                source: Some("另一进程写入".into()),
            }),
        )
        .await
        .unwrap();
        let after = body_text(h.get(Some(Role::Leader), &page).await).await;
        assert!(
            after.contains("另一进程写入"),
            "{name}: the page was computed again"
        );
        let again = indicators(&h).await;
        let row = again.iter().find(|i| i["id"] == trade).unwrap();
        assert_eq!(row["baseline"]["year"], 2025, "{name}: {row}");
    }
}
