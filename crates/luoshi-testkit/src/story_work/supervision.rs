//! Chapters of the work story about supervision items: from a meeting decision to struck off.

use luoshi_domain::group::MeetingKind;
use luoshi_domain::supervision::{Action, Grade, Stage};
use luoshi_store::StoreError;
use luoshi_store::group::{NewDecision, NewMeeting};
use luoshi_store::supervision::{ItemSource, NewItem, ReminderRun};

use super::{Cx, step};

pub(super) async fn meeting_to_item(cx: &mut Cx<'_>) {
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

pub(super) async fn illegal_moves(cx: &mut Cx<'_>) {
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

pub(super) async fn reminders(cx: &mut Cx<'_>) {
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
    // Feedback carries its evidence; a step that takes none refuses files and stores nothing.
    let evidence = || luoshi_store::NewAttachment {
        file_name: "联调记录.pdf".into(),
        mime: "application/pdf".into(),
        bytes: b"%PDF-1.4 joint test minutes".to_vec(),
    };
    let mut remind = step(Action::Remind, "", "2026-10-08");
    remind.attachments = vec![evidence()];
    assert!(matches!(
        store.item_step(&o, i, remind).await,
        Err(StoreError::Invalid("evidence_not_here", _))
    ));
    let mut fb = step(Action::Feedback, "平台已完成联调。", "2026-10-08");
    fb.progress = Some(80);
    fb.attachments = vec![evidence()];
    store.item_step(&l, i, fb).await.unwrap();
    let events = store.item(i).await.unwrap().unwrap().events;
    let filed = &events.last().unwrap().attachments;
    assert_eq!(filed.len(), 1);
    let (meta, bytes) = store.item_attachment(filed[0].id).await.unwrap().unwrap();
    assert_eq!(
        (meta.item_id, meta.file_name.as_str(), bytes),
        (i, "联调记录.pdf", evidence().bytes)
    );
    // A leader's 批示 on the item: in its log and the lead's inbox, the stage unchanged.
    let instructed = store
        .item_step(
            &o,
            i,
            step(Action::Instruct, "请抓紧安全测评。", "2026-10-08"),
        )
        .await
        .unwrap();
    assert_eq!(instructed.stage, Stage::InProgress);
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
