//! The leading group: the roster read from a document.

use crate::common::{body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_store::Actor;
use luoshi_web::Config;

/// The leading group's roster is read from the 000 seed's annex and kept editable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roster_is_imported_from_a_document() {
    let h = harness(crate::common::Backend::Sqlite, "roster", Config::default()).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let seed = std::fs::read_dir(&dir)
        .expect("../shared/seeds holds the public documents")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000_"))
        .expect("the 000 seed");
    let bytes = std::fs::read(&seed).unwrap();
    let input = luoshi_testkit::input("000.txt", &bytes);
    let roster = input.document.roster.len();
    assert!(roster >= 10, "the annex lists the group: {roster}");
    let plan = luoshi_store::ledger::plan_import(&*h.store, input)
        .await
        .unwrap();
    let outcome = h
        .store
        .apply_import(&Actor::system("test"), &plan)
        .await
        .unwrap();
    let doc = match outcome {
        luoshi_store::ledger::ImportOutcome::NewDocument { document_id, .. } => document_id,
        other => panic!("{other:?}"),
    };
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            "/group/roster",
            Some("application/x-www-form-urlencoded"),
            format!("document_id={doc}").into_bytes(),
        )
        .await;
    let said = crate::common::outcome(&h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(
        said.text.contains(&format!("已导入 {roster} 名成员")),
        "{said:?}"
    );
    let members = h.store.members().await.unwrap();
    assert_eq!(members.len(), roster);
    assert!(members.iter().any(|m| m.role.contains("组长")));
    // A member is edited on the page; a liaison officer from another unit is refused.
    let m = &members[members.len() - 1];
    let res = h
        .send(
            Some(Role::Admin),
            "POST",
            &format!("/group/members/{}", m.id),
            Some("application/x-www-form-urlencoded"),
            format!(
                "role=%E6%88%90%E5%91%98&person=&position=x&unit_id={}&liaison_user_id=1",
                h.store
                    .unit_by_name("自治区商务厅")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .into_bytes(),
        )
        .await;
    let said = crate::common::outcome(&h, &h.session(Role::Admin), res).await;
    assert_eq!(said.tone, "refused", "{said:?}");
    assert!(
        said.text.contains("信息联络员须为该成员单位的账号"),
        "{said:?}"
    );
    let page = body_text(h.get(Some(Role::Leader), "/group").await).await;
    assert!(page.contains(&members[0].person));
}
