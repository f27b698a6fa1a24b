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
