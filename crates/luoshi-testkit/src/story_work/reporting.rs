//! Chapters of the work story about reporting: obligations, filing, retries, review, lateness.

use luoshi_doc::Period;

use crate::input;
use luoshi_domain::accounts::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_domain::reporting::{ReportKind, ReviewState, WorkStatus};
use luoshi_store::ledger::plan_import;
use luoshi_store::reporting::{NewAttachment, ObligationFilter, Review};
use luoshi_store::samples::sample;
use luoshi_store::{Page, StoreError};

use super::{Cx, actor, filing, unit, user};

pub(super) async fn setup_and_obligations(cx: &mut Cx<'_>) {
    let store = cx.store;
    let cli = cx.cli.clone();
    store.seed_registry(&cli).await.unwrap();
    let office_unit = store
        .create_unit(&cli, "自贸试验区工作领导小组办公室", UnitKind::RegionalDept)
        .await
        .unwrap();
    for (name, bytes) in [
        ("01_v1.txt", sample("01_digital_trade_plan_v1.txt")),
        ("02.txt", sample("02_port_logistics_plan.txt")),
    ] {
        let plan = plan_import(store, input(name, bytes)).await.unwrap();
        store.apply_import(&cli, &plan).await.unwrap();
    }

    let commerce = unit(store, "自治区商务厅").await;
    let ccpit = unit(store, "广西贸促会").await;
    let transport = unit(store, "自治区交通运输厅").await;
    let office = store
        .create_user(&cli, user("office", Role::Admin, office_unit.id))
        .await
        .unwrap();
    let lead = store
        .create_user(&cli, user("shangwu", Role::Liaison, commerce))
        .await
        .unwrap();
    let support = store
        .create_user(&cli, user("maocu", Role::Liaison, ccpit))
        .await
        .unwrap();
    let (o, l, s) = (actor(&office), actor(&lead), actor(&support));
    // What is owed: the commerce department leads the ASEAN-market task, the CCPIT supports it.
    let owed = store
        .obligations(&ObligationFilter {
            units: Some(vec![commerce]),
            ..Default::default()
        })
        .await
        .unwrap();
    let asean = owed
        .iter()
        .find(|o| o.task_title.contains("东盟市场"))
        .expect("the ASEAN task");
    assert_eq!(asean.role, luoshi_doc::Role::Lead);
    let task = asean.task_id;
    let rule = asean.due_rule.expect("sample 01 states its rule");
    assert_eq!((rule.every, rule.before_day), (Period::Quarter, 20));
    // Sample 02 states its own deadline, the 25th.
    let port = store
        .obligations(&ObligationFilter {
            units: Some(vec![transport]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        port.iter()
            .any(|o| o.due_rule.map(|r| r.before_day) == Some(25))
    );
    let supports = store
        .obligations(&ObligationFilter {
            task: Some(task),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        supports
            .iter()
            .any(|o| o.unit_id == ccpit && o.role == luoshi_doc::Role::Support)
    );
    cx.actors = Some((o, l, s));
    cx.users = Some((office, lead, support));
    cx.units = (commerce, ccpit, transport);
    cx.task = task;
    cx.port = port;
}

pub(super) async fn contribution_retried(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (_, l, s) = cx.actors.clone().expect("setup ran");
    let (_, lead, _) = cx.users.clone().expect("setup ran");
    let (commerce, ccpit, _) = cx.units;
    let task = cx.task;
    // A contribution, retried with the same key: one report, one version.
    let first = store
        .submit_report(
            &s,
            filing(
                task,
                ccpit,
                ReportKind::Contribution,
                "2026-09-10",
                Some("k1"),
            ),
        )
        .await
        .unwrap();
    assert!(!first.replayed && !first.report.late);
    let again = store
        .submit_report(
            &s,
            filing(
                task,
                ccpit,
                ReportKind::Contribution,
                "2026-09-10",
                Some("k1"),
            ),
        )
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!((again.report.id, again.version_no), (first.report.id, 1));
    // The lead was told.
    assert!(
        store.inbox(lead.id, Page::new(0, 10)).await.unwrap().items[0]
            .title
            .contains("配合材料")
    );
    // A unit files only what it owes.
    let wrong = store
        .submit_report(
            &s,
            filing(task, ccpit, ReportKind::Task, "2026-09-10", None),
        )
        .await;
    assert!(matches!(wrong, Err(StoreError::Invalid(..))), "{wrong:?}");
    let mut done_at_half = filing(task, commerce, ReportKind::Task, "2026-09-12", None);
    done_at_half.status = WorkStatus::Done;
    assert!(matches!(
        store.submit_report(&l, done_at_half).await,
        Err(StoreError::Invalid(..))
    ));
}

pub(super) async fn lead_report_reviewed(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, l, _) = cx.actors.clone().expect("setup ran");
    let (_, lead, _) = cx.users.clone().expect("setup ran");
    let (commerce, _, _) = cx.units;
    let task = cx.task;
    // The lead's report with an attachment; the office returns it, the unit revises, it is accepted.
    let mut report = filing(
        task,
        commerce,
        ReportKind::Task,
        "2026-09-12",
        Some("lead-1"),
    );
    report.attachments.push(NewAttachment {
        file_name: "进展材料.pdf".into(),
        mime: "application/pdf".into(),
        bytes: b"%PDF-1.4\n% story\n".to_vec(),
    });
    let filed = store.submit_report(&l, report).await.unwrap();
    let id = filed.report.id;
    let review = |version_no, accept, reason: &str| Review {
        report_id: id,
        version_no,
        accept,
        reason: reason.into(),
    };
    assert!(matches!(
        store.review_report(&o, review(1, false, " ")).await,
        Err(StoreError::Invalid(..))
    ));
    assert!(matches!(
        store.review_report(&o, review(0, false, "数据不全")).await,
        Err(StoreError::Conflict(_))
    ));
    let returned = store
        .review_report(&o, review(1, false, "请补充对接企业名单"))
        .await
        .unwrap();
    assert_eq!(returned.state, ReviewState::Returned);
    assert!(matches!(
        store.review_report(&o, review(1, true, "")).await,
        Err(StoreError::Invalid(..))
    ));
    let inbox = store.inbox(lead.id, Page::new(0, 10)).await.unwrap();
    assert!(inbox.items[0].body.contains("请补充对接企业名单"));
    assert_eq!(store.unread_count(lead.id).await.unwrap(), 2);
    store.mark_read(lead.id, None).await.unwrap();
    assert_eq!(store.unread_count(lead.id).await.unwrap(), 0);
    let mut revised = filing(
        task,
        commerce,
        ReportKind::Task,
        "2026-09-25",
        Some("lead-2"),
    );
    revised.narrative = "已补充对接企业名单。".into();
    let revised = store.submit_report(&l, revised).await.unwrap();
    assert_eq!(revised.version_no, 2);
    assert!(
        !revised.report.late,
        "lateness is judged by the first filing"
    );
    let accepted = store.review_report(&o, review(2, true, "")).await.unwrap();
    assert_eq!(accepted.state, ReviewState::Accepted);
    assert!(matches!(
        store
            .submit_report(
                &l,
                filing(task, commerce, ReportKind::Task, "2026-09-26", None)
            )
            .await,
        Err(StoreError::Invalid(..))
    ));
    let detail = store.report(id).await.unwrap().unwrap();
    assert_eq!(detail.history.len(), 2);
    assert_eq!(detail.history[0].review, Some(ReviewState::Returned));
    assert_eq!(
        detail.history[0].review_reason.as_deref(),
        Some("请补充对接企业名单")
    );
    assert_eq!(detail.history[1].narrative, "已补充对接企业名单。");
    let att = &detail.history[0].attachments[0];
    let (meta, bytes) = store.attachment(att.id).await.unwrap().unwrap();
    assert_eq!(
        (meta.report_id, bytes.as_slice()),
        (id, &b"%PDF-1.4\n% story\n"[..])
    );
}

pub(super) async fn late_filing(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (_, l, _) = cx.actors.clone().expect("setup ran");
    let (_, _, transport) = cx.units;
    let port = cx.port.clone();
    // A first filing after the deadline is late.
    let other = port
        .iter()
        .find(|o| o.role.is_lead())
        .expect("a transport lead task");
    let late = store
        .submit_report(
            &l,
            filing(
                other.task_id,
                transport,
                ReportKind::Task,
                "2026-09-22",
                None,
            ),
        )
        .await
        .unwrap();
    assert!(late.report.late);
}
