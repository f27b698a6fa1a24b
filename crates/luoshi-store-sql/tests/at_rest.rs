//! Issue 11 item 15: stored files and report narratives are sealed with SM4-GCM under the data
//! key, read back whole through the store, on both backends. (Its own test binary: the key is
//! process-wide.)

use luoshi_store::Actor;
use luoshi_store::ledger::LedgerStore;
use luoshi_store::ledger::{TaskFilter, plan_import};
use luoshi_store::registry::RegistryStore;
use luoshi_store::reporting::ReportDraft;
use luoshi_store::reporting::ReportingStore;
use luoshi_store_sql::SqlStore;
use luoshi_store_sql::encryption::{current_key, set_data_keys};

async fn sealed_on(store: SqlStore, name: &str) {
    let actor = Actor::system("test");
    store.seed_registry(&actor).await.unwrap();
    let (file, bytes) = luoshi_store::samples::SAMPLES[0];
    let plan = plan_import(&store, luoshi_testkit::input(file, bytes))
        .await
        .unwrap();
    store.apply_import(&actor, &plan).await.unwrap();
    // The original comes back byte for byte.
    let back = store.blob(&plan.sha256).await.unwrap().unwrap();
    assert_eq!(back, bytes, "{name}");
    let task = store
        .tasks(&TaskFilter::all(), luoshi_store::Page::new(0, 1))
        .await
        .unwrap()
        .items
        .remove(0);
    let unit = store.units().await.unwrap().remove(0);
    let narrative = "已完成跨境数据专线建设，开通两条。";
    store
        .save_draft(
            &actor,
            ReportDraft {
                task_id: task.id,
                unit_id: unit.unit.id,
                period: luoshi_testkit::period("2026-Q3"),
                status: None,
                progress: None,
                narrative: narrative.into(),
                figures: String::new(),
                saved_at: 0,
                saved_by: String::new(),
            },
        )
        .await
        .unwrap();
    let drafts = store
        .drafts(&[unit.unit.id], luoshi_testkit::period("2026-Q3"), None)
        .await
        .unwrap();
    assert_eq!(drafts[0].narrative, narrative, "{name}");
    let counts = store.sealed_counts().await.unwrap();
    assert!(counts.files >= 1, "{name}");
    assert_eq!(
        counts.files_sealed, counts.files,
        "{name}: every file is sealed"
    );
    assert_eq!(
        (counts.narratives, counts.narratives_sealed),
        (1, 1),
        "{name}"
    );
    // Nothing was sealed with another key, so a rekey has nothing to do.
    let done = store.rekey().await.unwrap();
    assert_eq!((done.files, done.narratives), (0, 0), "{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_narratives_are_sealed_at_rest() {
    set_data_keys(vec![(1, [9u8; 16])]);
    assert_eq!(current_key(), Some(1));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite(&dir.path().join("at_rest.db"))
        .await
        .unwrap();
    sealed_on(sqlite, "sqlite").await;
    let pg = SqlStore::fresh_postgres("at_rest").await.unwrap();
    sealed_on(pg, "postgres").await;
}

/// An import undone leaves no residue on disk: its original goes with it (unless another file is
/// the same bytes), `secure_delete` zeroes the freed pages and the WAL is truncated, so the
/// document's text is in neither file afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undone_import_leaves_no_residue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("residue.db");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    let actor = Actor::system("test");
    store.seed_registry(&actor).await.unwrap();
    let bytes = luoshi_store::samples::sample("02_port_logistics_plan.txt");
    let plan = plan_import(
        &store,
        luoshi_testkit::input("02_port_logistics_plan.txt", bytes),
    )
    .await
    .unwrap();
    let done = store.apply_import(&actor, &plan).await.unwrap();
    let marker = "公开港口收费目录清单".as_bytes();
    let on_disk = || {
        ["", "-wal"].iter().any(|suffix| {
            let file = std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default();
            file.windows(marker.len()).any(|w| w == marker)
        })
    };
    assert!(on_disk(), "the text is stored (the test can fail)");
    store.undo_import(&actor, done.document_id()).await.unwrap();
    assert!(
        !on_disk(),
        "an undone import leaves its text in the database or its WAL"
    );
}
