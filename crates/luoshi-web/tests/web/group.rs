//! The leading group: the roster read from the document version the office chooses.

use crate::common::{body_text, harness};
use luoshi_domain::accounts::Role;
use luoshi_store::Actor;
use luoshi_web::Config;

/// The leading group's roster is read from the 000 seed's annex and kept editable. The 001 seed
/// is its second version, which lists no roster: the import offers version 1 by name, and only
/// versions that have a roster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_roster_is_imported_from_a_document() {
    let h = harness(crate::common::Backend::Sqlite, "roster", Config::default()).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let seed = |prefix: &str| {
        std::fs::read_dir(&dir)
            .expect("../shared/seeds holds the public documents")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .expect("the seed")
    };
    let bytes = std::fs::read(seed("000_")).unwrap();
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
    let next = luoshi_testkit::input("001.txt", &std::fs::read(seed("001_")).unwrap());
    assert!(next.document.roster.is_empty());
    let plan = luoshi_store::ledger::plan_import(&*h.store, next)
        .await
        .unwrap();
    let v2 = match h
        .store
        .apply_import(&Actor::system("test"), &plan)
        .await
        .unwrap()
    {
        luoshi_store::ledger::ImportOutcome::NewVersion {
            document_id,
            version_id,
            ..
        } => {
            assert_eq!(document_id, doc);
            version_id
        }
        other => panic!("{other:?}"),
    };
    let sources = h.store.roster_sources().await.unwrap();
    assert_eq!(
        sources.len(),
        1,
        "only version 1 lists a roster: {sources:?}"
    );
    assert_eq!(
        (sources[0].version_no, sources[0].latest, sources[0].members),
        (1, false, roster)
    );
    let page = body_text(h.get(Some(Role::Admin), "/group").await).await;
    let form = &page[page.find("id=\"roster-import\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(
        form.contains(&format!("value=\"{}\"", sources[0].version_id))
            && form.contains(&format!("（第 1 版，{roster} 人）")),
        "{form}"
    );
    assert!(
        !form.contains("数字贸易提质"),
        "documents without a roster are not offered: {form}"
    );
    let post = |body: String| {
        let h = &h;
        async move {
            let res = h
                .send(
                    Some(Role::Admin),
                    "POST",
                    "/group/roster",
                    Some("application/x-www-form-urlencoded"),
                    body.into_bytes(),
                )
                .await;
            crate::common::outcome(h, &h.session(Role::Admin), res).await
        }
    };
    // The latest version has no roster: refused, and nothing is added.
    let said = post(format!("version_id={v2}")).await;
    assert_eq!(said.tone, "refused", "{said:?}");
    assert!(said.text.contains("没有识别到领导小组名单"), "{said:?}");
    assert!(h.store.members().await.unwrap().is_empty());
    let said = post(format!("version_id={}", sources[0].version_id)).await;
    assert_eq!(said.tone, "done", "{said:?}");
    assert!(
        said.text.contains(&format!("第 1 版导入 {roster} 名成员")),
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
