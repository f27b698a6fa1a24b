//! The second storage test story: a quarter of work. Reports are filed, retried, returned,
//! revised and accepted; a meeting's decision becomes a supervision item that is reminded,
//! extended, closed, returned, closed again, graded and struck off; deliveries are claimed and
//! retried; the roster is kept. Every backend runs it and must end with the same dump.

use luoshi_doc::Period;

use crate::chapters::{self, Chapter};
use crate::input;
use luoshi_domain::accounts::Role;
use luoshi_domain::group::MeetingKind;
use luoshi_domain::registry::UnitKind;
use luoshi_domain::reporting::{Figure, ReportKind, ReviewState, WorkStatus};
use luoshi_domain::supervision::{Action, Grade, Stage};
use luoshi_store::accounts::{NewUser, User};
use luoshi_store::group::{MemberEdit, NewDecision, NewMeeting};
use luoshi_store::ledger::plan_import;
use luoshi_store::notify::DeliveryResult;
use luoshi_store::reporting::{
    NewAttachment, Obligation, ObligationFilter, ReportFilter, Review, SubmitReport,
};
use luoshi_store::samples::sample;
use luoshi_store::settings::Settings;
use luoshi_store::supervision::{ItemFilter, ItemSource, ItemStep, NewItem, ReminderRun};
use luoshi_store::{Actor, Id, Page, Store, StoreError};

fn user(username: &str, role: Role, unit_id: Id) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: username.into(),
        role,
        unit_id,
        password_hash: "h".into(),
    }
}

fn actor(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        name: u.display_name.clone(),
    }
}

fn filing(task: Id, unit: Id, kind: ReportKind, filed_on: &str, key: Option<&str>) -> SubmitReport {
    SubmitReport {
        task_id: task,
        unit_id: unit,
        kind,
        period: crate::period("2026-Q3"),
        due: crate::day("2026-09-19"),
        filed_on: crate::day(filed_on),
        status: WorkStatus::Ongoing,
        progress: 60,
        narrative: "已组织两场对接活动。".into(),
        figures: vec![Figure {
            name: "对接企业".into(),
            value: 42.0,
            unit: "家".into(),
        }],
        attachments: Vec::new(),
        idempotency_key: key.map(str::to_string),
    }
}

fn step(action: Action, note: &str, today: &str) -> ItemStep {
    ItemStep {
        action,
        note: note.into(),
        progress: None,
        new_due: None,
        grade: None,
        today: crate::day(today),
        expected_stage: None,
    }
}

async fn unit(store: &dyn Store, name: &str) -> Id {
    store.unit_by_name(name).await.unwrap().expect(name).id
}

/// Runs the story on an empty store; returns comparable lines.
/// What the chapters share: the store, the actors and units set up first, the task and item the
/// later chapters work on.
pub struct Cx<'s> {
    store: &'s dyn Store,
    cli: Actor,
    actors: Option<(Actor, Actor, Actor)>,
    users: Option<(User, User, User)>,
    units: (Id, Id, Id),
    task: Id,
    item: Id,
    /// What the transport department owes (sample 02).
    port: Vec<Obligation>,
}

/// Runs the story on an empty store, chapter by chapter; returns the comparable dump.
pub async fn run(store: &dyn Store) -> Vec<String> {
    let mut cx = Cx {
        store,
        cli: Actor::system("story"),
        actors: None,
        users: None,
        units: (0, 0, 0),
        task: 0,
        item: 0,
        port: Vec::new(),
    };
    let chapters: &[Chapter<Cx>] = &[
        Chapter {
            name: "setup_and_obligations",
            builds: true,
            run: |cx| Box::pin(setup_and_obligations(cx)),
        },
        Chapter {
            name: "contribution_retried",
            builds: true,
            run: |cx| Box::pin(contribution_retried(cx)),
        },
        Chapter {
            name: "lead_report_reviewed",
            builds: true,
            run: |cx| Box::pin(lead_report_reviewed(cx)),
        },
        Chapter {
            name: "late_filing",
            builds: true,
            run: |cx| Box::pin(late_filing(cx)),
        },
        Chapter {
            name: "meeting_to_item",
            builds: true,
            run: |cx| Box::pin(meeting_to_item(cx)),
        },
        Chapter {
            name: "illegal_moves",
            builds: true,
            run: |cx| Box::pin(illegal_moves(cx)),
        },
        Chapter {
            name: "reminders",
            builds: true,
            run: |cx| Box::pin(reminders(cx)),
        },
        Chapter {
            name: "job_claims",
            builds: false,
            run: |cx| Box::pin(job_claims(cx)),
        },
        Chapter {
            name: "deliveries",
            builds: true,
            run: |cx| Box::pin(deliveries(cx)),
        },
        Chapter {
            name: "roster",
            builds: false,
            run: |cx| Box::pin(roster(cx)),
        },
    ];
    chapters::run("work", &mut cx, chapters).await;
    let ids = cx
        .users
        .as_ref()
        .map(|(o, l, s)| vec![o.id, l.id, s.id])
        .unwrap_or_default();
    dump(store, &ids).await
}

async fn setup_and_obligations(cx: &mut Cx<'_>) {
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

async fn contribution_retried(cx: &mut Cx<'_>) {
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

async fn lead_report_reviewed(cx: &mut Cx<'_>) {
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

async fn late_filing(cx: &mut Cx<'_>) {
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

async fn meeting_to_item(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, _, _) = cx.actors.clone().expect("setup ran");
    let (commerce, ccpit, _) = cx.units;
    let task = cx.task;
    // A meeting decides; the decision becomes a supervision item, assigned at once.
    let meeting = store
        .create_meeting(
            &o,
            NewMeeting {
                kind: MeetingKind::Office,
                title: "2026年第三次主任办公会议".into(),
                held_on: crate::day("2026-09-20"),
                place: "南宁".into(),
                summary: "研究数字贸易推进工作。".into(),
                decisions: vec![
                    NewDecision {
                        text: "10月10日前完成东盟数字贸易对接平台上线".into(),
                        lead_unit_id: Some(commerce),
                        due: Some(crate::day("2026-10-10")),
                    },
                    NewDecision {
                        text: "研究港口收费清单公开事宜".into(),
                        lead_unit_id: None,
                        due: None,
                    },
                ],
            },
        )
        .await
        .unwrap();
    assert_eq!(meeting.decisions.len(), 2);
    let decision = &meeting.decisions[0];
    let item = store
        .create_item(
            &o,
            NewItem {
                title: decision.text.clone(),
                source: ItemSource::Meeting,
                source_ref: meeting.title.clone(),
                task_id: Some(task),
                decision_id: Some(decision.id),
                lead_unit_id: commerce,
                support_unit_ids: vec![ccpit],
                due: crate::day("2026-10-10"),
                opened_on: crate::day("2026-09-20"),
                assign: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(item.stage, Stage::Assigned);
    let m = store.meeting(meeting.id).await.unwrap().unwrap();
    assert_eq!(m.decisions[0].item_ids, vec![item.id]);
    let i = item.id;
    cx.item = i;
}

async fn illegal_moves(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, l, _) = cx.actors.clone().expect("setup ran");
    let i = cx.item;
    // Illegal moves are refused with a reason; a stale screen gets a conflict.
    let refused = store
        .item_step(&o, i, step(Action::Accept, "", "2026-09-21"))
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(_, m)) if m.contains("签收")),
        "{refused:?}"
    );
    let mut stale = step(Action::Acknowledge, "", "2026-09-21");
    stale.expected_stage = Some(Stage::Opened);
    assert!(matches!(
        store.item_step(&l, i, stale).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .item_step(&l, i, step(Action::Acknowledge, "", "2026-09-21"))
        .await
        .unwrap();
}

async fn reminders(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, l, _) = cx.actors.clone().expect("setup ran");
    let i = cx.item;
    // Reminders: 7 and 3 days ahead, then weekly when overdue; each once.
    let days = [7, 3];
    let sent = |r: ReminderRun| r.reminders_sent;
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-10-02"), &days)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-10-03"), &days)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-10-03"), &days)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-10-07"), &days)
                .await
                .unwrap()
        ),
        1
    );
    let mut fb = step(Action::Feedback, "平台已完成联调。", "2026-10-08");
    fb.progress = Some(80);
    store.item_step(&l, i, fb).await.unwrap();
    let mut ext = step(Action::RequestExtension, "等待安全测评。", "2026-10-09");
    ext.new_due = Some(crate::day("2026-10-30"));
    assert_eq!(
        store.item_step(&l, i, ext).await.unwrap().requested_due,
        Some(crate::day("2026-10-30"))
    );
    let approved = store
        .item_step(&o, i, step(Action::ApproveExtension, "", "2026-10-09"))
        .await
        .unwrap();
    assert_eq!(
        (approved.due, approved.original_due),
        (crate::day("2026-10-30"), crate::day("2026-10-10"))
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-10-12"), &days)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-11-01"), &days)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        sent(
            store
                .run_reminders(crate::day("2026-11-01"), &days)
                .await
                .unwrap()
        ),
        0
    );
    store
        .item_step(
            &l,
            i,
            step(Action::SubmitClosing, "平台已上线运行。", "2026-11-02"),
        )
        .await
        .unwrap();
    store
        .item_step(
            &o,
            i,
            step(Action::Return, "请附上线验收材料。", "2026-11-03"),
        )
        .await
        .unwrap();
    store
        .item_step(
            &l,
            i,
            step(Action::SubmitClosing, "已附验收材料。", "2026-11-04"),
        )
        .await
        .unwrap();
    store
        .item_step(&o, i, step(Action::Accept, "", "2026-11-05"))
        .await
        .unwrap();
    let mut grade = step(Action::Grade, "", "2026-11-05");
    assert!(matches!(
        store.item_step(&o, i, grade.clone()).await,
        Err(StoreError::Invalid(..))
    ));
    grade.grade = Some(Grade::Good);
    store.item_step(&o, i, grade).await.unwrap();
    let closed = store
        .item_step(&o, i, step(Action::StrikeOff, "", "2026-11-06"))
        .await
        .unwrap();
    assert_eq!(
        (closed.stage, closed.grade, closed.closed_on),
        (
            Stage::StruckOff,
            Some(Grade::Good),
            Some(crate::day("2026-11-04"))
        )
    );
    assert!(matches!(
        store
            .item_step(&o, i, step(Action::Remind, "", "2026-11-07"))
            .await,
        Err(StoreError::Invalid(..))
    ));
    let detail = store.item(i).await.unwrap().unwrap();
    assert_eq!(detail.row.reminders, 3);
    assert_eq!(detail.units.len(), 2);
}

async fn job_claims(cx: &mut Cx<'_>) {
    let store = cx.store;
    // Periodic jobs: one claim per interval, whoever asks.
    assert!(store.claim_job("reminders", 1000, 600, "a").await.unwrap());
    assert!(!store.claim_job("reminders", 1001, 600, "b").await.unwrap());
    assert!(store.claim_job("reminders", 1600, 600, "b").await.unwrap());
}

async fn deliveries(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, _, s) = cx.actors.clone().expect("setup ran");
    let (_, ccpit, _) = cx.units;
    let task = cx.task;
    // Deliveries: with a webhook set, a notification is queued, claimed once, retried, sent.
    let mut settings = store.settings().await.unwrap();
    assert_eq!(settings, Settings::default());
    settings.webhook = Some("ftp://x".into());
    assert!(store.save_settings(&o, &settings).await.is_err());
    settings.webhook = Some("http://127.0.0.1:9/hook".into());
    settings.thresholds.yellow_lag = 10.0;
    store.save_settings(&o, &settings).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), settings);
    let mut fb = filing(
        task,
        ccpit,
        ReportKind::Contribution,
        "2026-09-11",
        Some("k2"),
    );
    fb.narrative = "补充一场对接活动。".into();
    store.submit_report(&s, fb).await.unwrap();
    let t0 = 4_000_000_000;
    let got = store.claim_deliveries(t0, 10, 60).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].channel.code(), got[0].username.as_str()),
        ("webhook", "shangwu")
    );
    assert!(
        store.claim_deliveries(t0, 10, 60).await.unwrap().is_empty(),
        "leased"
    );
    store
        .finish_delivery(
            got[0].id,
            DeliveryResult::Failed("connection refused".into()),
            t0,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_deliveries(t0 + 1, 10, 60)
            .await
            .unwrap()
            .is_empty(),
        "backing off"
    );
    let retry = store.claim_deliveries(t0 + 3600, 10, 60).await.unwrap();
    assert_eq!(retry[0].attempts, 2);
    store
        .finish_delivery(retry[0].id, DeliveryResult::Sent, t0 + 3600)
        .await
        .unwrap();
    let list = store.deliveries(Page::new(0, 10)).await.unwrap();
    assert_eq!(
        (
            list.items[0].state.code(),
            list.items[0].last_error.as_deref()
        ),
        ("sent", None)
    );
}

async fn roster(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (o, _, _) = cx.actors.clone().expect("setup ran");
    let (_, lead, support) = cx.users.clone().expect("setup ran");
    let (commerce, _, _) = cx.units;
    // The roster: members, each with one liaison from their own unit.
    let added = store
        .add_members(
            &o,
            vec![
                MemberEdit {
                    role: "组长".into(),
                    person: "张三".into(),
                    position: "自治区副主席".into(),
                    unit_id: None,
                    liaison_user_id: None,
                },
                MemberEdit {
                    role: "成员".into(),
                    person: String::new(),
                    position: "自治区商务厅厅长".into(),
                    unit_id: Some(commerce),
                    liaison_user_id: Some(lead.id),
                },
            ],
        )
        .await
        .unwrap();
    let wrong_liaison = MemberEdit {
        role: "成员".into(),
        person: String::new(),
        position: "厅长".into(),
        unit_id: Some(commerce),
        liaison_user_id: Some(support.id),
    };
    assert!(matches!(
        store.update_member(&o, added[1].id, wrong_liaison).await,
        Err(StoreError::Invalid(..))
    ));
    store.delete_member(&o, added[0].id).await.unwrap();
    let members = store.members().await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].liaison_name.as_deref(), Some("shangwu"));

    let audit = store.audit(Page::new(0, 500)).await.unwrap();
    for action in [
        "report.submit",
        "report.return",
        "report.accept",
        "item.open",
        "item.acknowledge",
        "item.remind",
        "item.grade",
        "meeting.create",
        "settings.save",
        "group.member_add",
        "group.member_delete",
    ] {
        assert!(
            audit.items.iter().any(|e| e.action == action),
            "no audit entry {action}"
        );
    }
}

/// Reports, items with their histories, and inboxes, as comparable lines (no clock times).
pub async fn dump(store: &dyn Store, users: &[Id]) -> Vec<String> {
    let mut out = Vec::new();
    for r in store.reports(&ReportFilter::default()).await.unwrap() {
        out.push(format!(
            "report {} {} {} {} {:?} {:?} v{} late={} due={} first={}",
            r.task_number,
            r.unit_name,
            r.kind.code(),
            r.period,
            r.state,
            r.status,
            r.versions,
            r.late,
            r.due,
            r.first_filed_on
        ));
    }
    for i in store.items(&ItemFilter::default()).await.unwrap() {
        out.push(format!(
            "item {} {:?} due={} reminders={}",
            i.title, i.stage, i.due, i.reminders
        ));
        for e in store.item(i.id).await.unwrap().unwrap().events {
            out.push(format!(
                "  {} {} {:?}→{:?} {}",
                e.actor, e.action, e.from_stage, e.to_stage, e.note
            ));
        }
    }
    for u in users {
        for n in store.inbox(*u, Page::all()).await.unwrap().items {
            out.push(format!(
                "inbox {u} {} | {} | {}",
                n.title,
                n.body,
                n.target.code()
            ));
        }
    }
    out
}
