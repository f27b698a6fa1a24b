//! The work story's chapter about the leading group's roster.

use luoshi_store::group::MemberEdit;
use luoshi_store::{Page, StoreError};

use super::Cx;

pub(super) async fn roster(cx: &mut Cx<'_>) {
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

    let audit = store
        .audit(
            &luoshi_store::audit::AuditFilter::default(),
            Page::new(0, 500),
        )
        .await
        .unwrap();
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
