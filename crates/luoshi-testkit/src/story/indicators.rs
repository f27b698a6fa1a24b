//! Indicators follow the documents: each target becomes a milestone of the indicator of its
//! subject and scope; a new version updates them in place and keeps the old values as history;
//! a target in a task takes the task's units; the office's baseline is audited; undoing an
//! import takes its indicators with it. Values are filed with reports and reviewed with them,
//! or entered and imported by the office.

use luoshi_domain::indicators::filing::ValueOrigin;
use luoshi_domain::indicators::{Comparator, Decimal, Measure};
use luoshi_domain::lights::Light;
use luoshi_store::indicators::{Baseline, Indicator, IndicatorFilter, NewValue};
use luoshi_store::ledger::ImportOutcome;
use luoshi_store::{Page, Store};

use super::{Cx, import, unit_id};
use crate::day;

/// A document of our own: goals with a level, an inverse level, a change against a base year
/// and a share; one target inside a task.
const PLAN: &str = "示范区口岸提效工作方案\n\n一、工作目标\n\n\
到2027年，示范区进口整体通关时间压缩至30小时以内，单证审核时间较2025年压缩30%，\
外贸进出口额不少于900亿元，占全区外贸进出口总额25%以上。\n\n二、重点任务\n\n\
1．建设国际贸易单一窗口。到2026年，单一窗口主要业务应用率达到95%以上（2026年底前完成）。\
（牵头单位：自治区商务厅；配合单位：自治区交通运输厅）\n\n\
2．优化口岸营商环境。公开口岸收费目录清单。（责任单位：自治区商务厅）\n";

async fn by_subject(store: &dyn Store, subject: &str) -> Option<Indicator> {
    store
        .indicators(&IndicatorFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.subject == subject)
}

pub(super) async fn indicators_follow_versions(cx: &mut Cx<'_>) {
    let store = cx.store;
    // The shipped plan's two versions: 180亿元 became 200亿元; 60家 stayed.
    let trade = by_subject(store, "数字贸易进出口额").await.expect("trade");
    let live: Vec<String> = trade
        .live_milestones()
        .map(|m| format!("{} {}", m.milestone.year, m.milestone.value))
        .collect();
    assert_eq!(live, ["2027 200"]);
    let history: Vec<String> = trade
        .milestones
        .iter()
        .filter(|m| !m.live)
        .map(|m| format!("{} {}", m.milestone.year, m.milestone.value))
        .collect();
    assert_eq!(history, ["2027 180"], "the old value is kept");
    let firms = by_subject(store, "培育数字贸易重点企业")
        .await
        .expect("firms");
    assert_eq!(
        firms.milestones.len(),
        1,
        "an unchanged milestone is not copied"
    );
    assert_eq!(
        firms.milestones[0].source.version_id, trade.milestones[0].source.version_id,
        "it points at the new version"
    );
    // A target without a year is not a milestone.
    assert!(by_subject(store, "每年引进数字贸易企业").await.is_none());

    let outcome = import(store, &cx.actor, "口岸提效.txt", PLAN.as_bytes()).await;
    let ImportOutcome::NewDocument { document_id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let mine = store
        .indicators(&IndicatorFilter {
            document_id: Some(document_id),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut shapes: Vec<(String, Measure, Comparator, String)> = mine
        .iter()
        .map(|i| {
            let m = i.live_milestones().next().unwrap();
            (
                i.subject.clone(),
                i.measure,
                m.milestone.comparator,
                format!("{} {}{}", m.milestone.year, m.milestone.value, i.unit),
            )
        })
        .collect();
    shapes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        shapes,
        [
            (
                "单一窗口主要业务应用率".into(),
                Measure::Level,
                Comparator::AtLeast,
                "2026 95%".into()
            ),
            (
                "单证审核时间".into(),
                Measure::Change,
                Comparator::Equal,
                "2027 30%".into()
            ),
            (
                "外贸进出口额".into(),
                Measure::Level,
                Comparator::AtLeast,
                "2027 900亿元".into()
            ),
            (
                "外贸进出口额占全区外贸进出口总额".into(),
                Measure::Share,
                Comparator::AtLeast,
                "2027 25%".into()
            ),
            (
                "示范区进口整体通关时间".into(),
                Measure::Level,
                Comparator::AtMost,
                "2027 30小时".into()
            ),
        ]
    );
    // The task's target takes the task's units; the goals' take none until the office assigns.
    let window = mine
        .iter()
        .find(|i| i.subject == "单一窗口主要业务应用率")
        .unwrap();
    let units: Vec<(&str, &str)> = window
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.role.as_str()))
        .collect();
    assert_eq!(
        units,
        [("自治区商务厅", "lead"), ("自治区交通运输厅", "support")]
    );
    let task_id = window.source().unwrap().task_id.expect("in a task");
    let of_task = store
        .indicators(&IndicatorFilter {
            task_id: Some(task_id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        of_task.iter().map(|i| i.id).collect::<Vec<_>>(),
        [window.id]
    );
    let customs = mine
        .iter()
        .find(|i| i.subject == "示范区进口整体通关时间")
        .unwrap();
    assert!(customs.units.is_empty() && customs.source().unwrap().task_id.is_none());
    let commerce = unit_id(store, "自治区商务厅").await;
    let of_unit = store
        .indicators(&IndicatorFilter {
            unit_id: Some(commerce),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        of_unit.iter().map(|i| i.id).collect::<Vec<_>>(),
        [window.id]
    );
    // The change needs its base value; the office sets it, audited.
    let review = mine.iter().find(|i| i.subject == "单证审核时间").unwrap();
    let today = day("2026-07-01");
    let before = review.status(&Default::default(), today);
    assert!(before.reason.contains("缺少基期值"), "{}", before.reason);
    store
        .set_baseline(
            &cx.actor,
            review.id,
            Some(Baseline {
                year: 2025,
                value: Decimal::from(20),
                source: Some("口岸办统计".into()),
            }),
        )
        .await
        .unwrap();
    let review = store.indicator(review.id).await.unwrap().unwrap();
    let after = review.status(&Default::default(), today);
    assert_eq!(after.light, Light::Grey);
    assert_eq!(after.target, Some(14.0), "20 小时 less 30%");
    let refused = store
        .set_baseline(
            &cx.actor,
            review.id,
            Some(Baseline {
                year: 1800,
                value: Decimal::from(1),
                source: None,
            }),
        )
        .await;
    assert!(refused.is_err());
    let audit = store
        .audit(&Default::default(), Page::new(0, 20))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "indicator.baseline"));
    // The same subject written two ways: merged, its milestones move, and a later version of
    // its document lands on the kept indicator. Unlike ones are refused.
    let other = "示范区外贸工作要点\n\n一、工作目标\n\n到2028年，外贸进出口总额不少于1000亿元。\n";
    let outcome = import(store, &cx.actor, "要点.txt", other.as_bytes()).await;
    let ImportOutcome::NewDocument {
        document_id: other_doc,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let keep = by_subject(store, "外贸进出口额").await.unwrap();
    let drop = by_subject(store, "外贸进出口总额").await.unwrap();
    let share = by_subject(store, "外贸进出口额占全区外贸进出口总额")
        .await
        .unwrap();
    let refused = store.merge_indicators(&cx.actor, keep.id, share.id).await;
    assert!(
        matches!(&refused, Err(luoshi_store::StoreError::Invalid("merge_refused", m)) if m.contains("口径不同")),
        "{refused:?}"
    );
    store
        .merge_indicators(&cx.actor, keep.id, drop.id)
        .await
        .unwrap();
    assert!(by_subject(store, "外贸进出口总额").await.is_none());
    let keep = store.indicator(keep.id).await.unwrap().unwrap();
    let years: Vec<i32> = keep.live_milestones().map(|m| m.milestone.year).collect();
    assert_eq!(years, [2027, 2028]);
    let v2 = other.replace("1000亿元", "1100亿元");
    let again = import(store, &cx.actor, "要点 v2.txt", v2.as_bytes()).await;
    assert!(
        matches!(again, ImportOutcome::NewVersion { document_id, .. } if document_id == other_doc),
        "{again:?}"
    );
    let keep = store.indicator(keep.id).await.unwrap().unwrap();
    let live: Vec<String> = keep
        .live_milestones()
        .map(|m| format!("{} {}", m.milestone.year, m.milestone.value))
        .collect();
    assert_eq!(
        live,
        ["2027 900", "2028 1100"],
        "the new version lands on the kept one"
    );
    // The office assigns units to a goal's indicator and renames it.
    let transport = unit_id(store, "自治区交通运输厅").await;
    store
        .assign_units(
            &cx.actor,
            keep.id,
            &[(commerce, "lead".into()), (transport, "support".into())],
        )
        .await
        .unwrap();
    store
        .edit_indicator(&cx.actor, keep.id, "示范区外贸进出口额", Some("示范区"))
        .await
        .unwrap();
    let keep = store.indicator(keep.id).await.unwrap().unwrap();
    assert_eq!(
        (keep.subject.as_str(), keep.scope.as_deref()),
        ("示范区外贸进出口额", Some("示范区"))
    );
    let assigned: Vec<(&str, &str, bool)> = keep
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.role.as_str(), u.from_task))
        .collect();
    assert_eq!(
        assigned,
        [
            ("自治区商务厅", "lead", false),
            ("自治区交通运输厅", "support", false)
        ]
    );
    assert!(
        store
            .assign_units(&cx.actor, keep.id, &[(commerce, "owner".into())])
            .await
            .is_err()
    );
    assert!(
        store
            .edit_indicator(&cx.actor, keep.id, " ", None)
            .await
            .is_err()
    );
    store.undo_import(&cx.actor, other_doc).await.unwrap();

    // The same bytes again change nothing; undoing the import removes its indicators.
    let again = import(store, &cx.actor, "again.txt", PLAN.as_bytes()).await;
    assert!(matches!(again, ImportOutcome::Unchanged { .. }));
    store.undo_import(&cx.actor, document_id).await.unwrap();
    assert!(by_subject(store, "单证审核时间").await.is_none());
    assert!(store.indicator(review.id).await.unwrap().is_none());
    assert!(by_subject(store, "数字贸易进出口额").await.is_some());
}

/// A plan of our own whose task carries a flow target (filed by its lead with the report) and
/// whose goals carry one for the office to feed.
const VALUES_PLAN: &str = "示范区跨境电商工作方案\n\n一、工作目标\n\n\
到2026年，示范区跨境电商经营主体不少于300家。\n\n二、重点任务\n\n\
1．扩大跨境电商规模。到2026年，示范区跨境电商交易额达到80亿元。\
（牵头单位：自治区商务厅；配合单位：自治区交通运输厅）\n";

/// A statistics sheet (.xlsx) of (指标, 年份, 期别, 数值, 单位) rows.
fn sheet(rows: &[[&str; 5]]) -> Vec<u8> {
    use luoshi_output::xlsx::{Cell, Sheet, write};
    let mut s = Sheet::new(
        "统计表",
        &[
            ("指标", 20.0),
            ("年份", 8.0),
            ("期别", 8.0),
            ("数值", 8.0),
            ("单位", 8.0),
        ],
    );
    for r in rows {
        s.rows.push(r.iter().map(|c| Cell::from(*c)).collect());
    }
    write(&[s]).expect("xlsx")
}

fn value(indicator_id: luoshi_store::Id, quarter: Option<u8>, v: &str) -> NewValue {
    NewValue {
        indicator_id,
        year: 2026,
        quarter,
        value: v.parse().unwrap(),
        source: Some("商务厅统计".into()),
    }
}

/// Values are owed work: a lead files them with its report and they count once the office
/// accepts that version; a returned version's values do not count; a retried filing files
/// once and a reused key with other values is refused; a value for an indicator that is not the
/// report's is refused with nothing of the filing kept; the office's own values and a
/// statistics sheet are accepted as written, the sheet all rows or none; merging moves values.
pub(super) async fn values_filed_and_reviewed(cx: &mut Cx<'_>) {
    use luoshi_domain::reporting::{ReportKind, ReviewState, WorkStatus};
    use luoshi_store::reporting::{Review, SubmitReport};
    let store = cx.store;
    let outcome = import(store, &cx.actor, "跨境电商.txt", VALUES_PLAN.as_bytes()).await;
    let ImportOutcome::NewDocument { document_id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let mine = store
        .indicators(&IndicatorFilter {
            document_id: Some(document_id),
            ..Default::default()
        })
        .await
        .unwrap();
    let sales = mine
        .iter()
        .find(|i| i.subject.contains("交易额"))
        .expect("the task's target");
    let firms = mine
        .iter()
        .find(|i| i.subject.contains("经营主体"))
        .expect("the goal's target");
    assert!(sales.cumulative, "a yearly amount is a flow");
    let task_id = sales.source().unwrap().task_id.unwrap();
    let commerce = unit_id(store, "自治区商务厅").await;
    let liaison = luoshi_store::Actor::system("商务厅联络员");
    let filing = |values: Vec<NewValue>, key: &str| SubmitReport {
        task_id,
        unit_id: commerce,
        kind: ReportKind::Task,
        period: crate::period("2026-Q3"),
        due: day("2026-10-10"),
        filed_on: day("2026-10-08"),
        status: WorkStatus::Ongoing,
        progress: 60,
        narrative: "三季度新增跨境电商主体 40 家。".into(),
        figures: Vec::new(),
        values,
        attachments: Vec::new(),
        idempotency_key: Some(key.into()),
    };
    // Filed with the report: awaiting review, not counted yet.
    let first = store
        .submit_report(&liaison, filing(vec![value(sales.id, Some(3), "52")], "k1"))
        .await
        .unwrap();
    let now = store.indicator(sales.id).await.unwrap().unwrap();
    assert!(now.actuals.is_empty());
    assert_eq!(now.values.len(), 1);
    assert_eq!(now.values[0].state, ReviewState::Submitted);
    assert_eq!(now.values[0].unit_name.as_deref(), Some("自治区商务厅"));
    // A retry files once; the same key with another value is refused.
    let again = store
        .submit_report(&liaison, filing(vec![value(sales.id, Some(3), "52")], "k1"))
        .await
        .unwrap();
    assert!(again.replayed);
    let reused = store
        .submit_report(&liaison, filing(vec![value(sales.id, Some(3), "53")], "k1"))
        .await;
    assert!(
        matches!(
            reused,
            Err(luoshi_store::StoreError::Invalid(
                "idempotency_key_reused",
                _
            ))
        ),
        "{reused:?}"
    );
    // Returned: its values do not count.
    store
        .review_report(
            &cx.actor,
            Review {
                report_id: first.report.id,
                version_no: first.version_no,
                accept: false,
                reason: "交易额口径应为海关统计".into(),
            },
        )
        .await
        .unwrap();
    let now = store.indicator(sales.id).await.unwrap().unwrap();
    assert!(now.actuals.is_empty());
    assert_eq!(now.values[0].state, ReviewState::Returned);
    assert_eq!(
        now.values[0].review_reason.as_deref(),
        Some("交易额口径应为海关统计")
    );
    // A goal's indicator nobody assigned to the unit is not its to file: nothing is kept.
    let refused = store
        .submit_report(
            &liaison,
            filing(
                vec![value(sales.id, Some(3), "48"), value(firms.id, None, "310")],
                "k2",
            ),
        )
        .await;
    assert!(
        matches!(
            &refused,
            Err(luoshi_store::StoreError::Invalid("not_your_indicator", _))
        ),
        "{refused:?}"
    );
    let report = store.report(first.report.id).await.unwrap().unwrap();
    assert_eq!(report.row.versions, 1, "the refused filing left no version");
    // Revised and accepted: the second version counts.
    let second = store
        .submit_report(&liaison, filing(vec![value(sales.id, Some(3), "48")], "k3"))
        .await
        .unwrap();
    assert_eq!(second.version_no, 2);
    store
        .review_report(
            &cx.actor,
            Review {
                report_id: second.report.id,
                version_no: 2,
                accept: true,
                reason: String::new(),
            },
        )
        .await
        .unwrap();
    let now = store.indicator(sales.id).await.unwrap().unwrap();
    assert_eq!(now.actuals.len(), 1);
    assert_eq!(now.actuals[0].value.to_string(), "48");
    let versions: Vec<(i64, ReviewState)> =
        now.values.iter().map(|v| (v.version, v.state)).collect();
    assert_eq!(
        versions,
        [(2, ReviewState::Accepted), (1, ReviewState::Returned)],
        "newest first, every version kept"
    );
    let report = store.report(second.report.id).await.unwrap().unwrap();
    assert_eq!(
        report.history[1].values.len(),
        1,
        "the report shows its values"
    );
    // The office's own value: accepted at once; the same again writes nothing.
    let office = [value(firms.id, Some(2), "280")];
    let written = store
        .record_values(&cx.actor, ValueOrigin::Office, day("2026-10-09"), &office)
        .await
        .unwrap();
    assert_eq!(written, 1);
    let written = store
        .record_values(&cx.actor, ValueOrigin::Office, day("2026-10-09"), &office)
        .await
        .unwrap();
    assert_eq!(written, 0, "an unchanged value is no new version");
    // A statistics sheet: one bad row and nothing is written; a good one writes its changes.
    let bad = sheet(&[
        ["示范区跨境电商交易额", "2026", "上半年", "30", "亿元"],
        ["示范区跨境电商经营主体", "2026", "三季度", "-5", "家"],
    ]);
    let refused =
        luoshi_store::indicators::import_sheet(store, &cx.actor, &bad, day("2026-10-09")).await;
    assert!(
        matches!(&refused, Err(luoshi_store::StoreError::Invalid("sheet_rows", m)) if m.contains("第 3 行“数值”列")),
        "{refused:?}"
    );
    let now = store.indicator(sales.id).await.unwrap().unwrap();
    assert_eq!(now.values.len(), 2, "nothing of the bad sheet was written");
    let good = sheet(&[
        ["示范区跨境电商交易额", "2026", "上半年", "300000", "万元"],
        ["示范区跨境电商经营主体", "2026", "二季度", "280", "家"],
    ]);
    let (plan, written) =
        luoshi_store::indicators::import_sheet(store, &cx.actor, &good, day("2026-10-09"))
            .await
            .unwrap();
    assert_eq!(plan.counts(), (1, 0, 1));
    assert_eq!(written, 1);
    let now = store.indicator(sales.id).await.unwrap().unwrap();
    let actuals: Vec<String> = now
        .actuals
        .iter()
        .map(|p| format!("{:?} {}", p.quarter, p.value))
        .collect();
    assert_eq!(
        actuals,
        ["Some(2) 30", "Some(3) 48"],
        "30万… converted to 亿元"
    );
    assert_eq!(now.values[0].origin, ValueOrigin::Sheet);
    let audit = store
        .audit(&Default::default(), Page::new(0, 50))
        .await
        .unwrap();
    assert!(audit.items.iter().any(|e| e.action == "indicator.values"));
    // The light follows: 48 of the 60 expected by the end of Q3 (80 × ¾) is 20% behind.
    let status = now.status(&Default::default(), day("2026-10-09"));
    assert_eq!(status.light, Light::Red, "{}", status.reason);
    // A page of the list: lights judged once and kept, counted and filtered; a new value drops
    // the kept light and the next page judges it again.
    let of_doc = IndicatorFilter {
        document_id: Some(document_id),
        ..Default::default()
    };
    let t = Default::default();
    let today = day("2026-10-09");
    let page = store
        .indicator_page(&of_doc, None, &t, today, Page::new(0, 1), false)
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(page.counts[Light::Red as usize], 1);
    let red = store
        .indicator_page(
            &of_doc,
            Some(Light::Red),
            &t,
            today,
            Page::new(0, 10),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        red.items.iter().map(|(i, _)| i.id).collect::<Vec<_>>(),
        [sales.id]
    );
    store
        .record_values(
            &cx.actor,
            ValueOrigin::Office,
            today,
            &[value(sales.id, Some(3), "62")],
        )
        .await
        .unwrap();
    let red = store
        .indicator_page(
            &of_doc,
            Some(Light::Red),
            &t,
            today,
            Page::new(0, 10),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        red.total, 0,
        "the kept light was dropped with the new value"
    );
    let green = store
        .indicator_page(
            &of_doc,
            Some(Light::Green),
            &t,
            today,
            Page::new(0, 10),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        green.items.iter().map(|(i, _)| i.id).collect::<Vec<_>>(),
        [sales.id]
    );
}
