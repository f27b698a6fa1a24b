//! The storage story on both backends: a SQLite file in a temporary directory and a fresh database
//! on the PostgreSQL server at 127.0.0.1:5432. Both must end with the same ledger.

use luoshi_store::Store;
use luoshi_store_sql::SqlStore;

async fn fresh_postgres(name: &str) -> SqlStore {
    SqlStore::fresh_postgres(name).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_gives_the_same_ledger_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite(&dir.path().join("ledger.db"))
        .await
        .unwrap();
    let lite = luoshi_store::story::run(&sqlite).await;
    let pg = fresh_postgres("story").await;
    let post = luoshi_store::story::run(&pg).await;
    assert!(lite.len() > 20);
    assert_eq!(lite, post);
    assert_eq!(sqlite.backend(), "sqlite");
    assert_eq!(pg.backend(), "postgres");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_log_is_append_only_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite(&dir.path().join("a.db"))
        .await
        .unwrap();
    let pg = fresh_postgres("audit").await;
    for store in [&sqlite, &pg] {
        store
            .seed_registry(&luoshi_store::Actor::system("test"))
            .await
            .unwrap();
        assert!(store.audit_rows().await.unwrap() > 0);
        assert!(
            store.tamper_with_audit().await.is_err(),
            "{}",
            store.backend()
        );
        assert!(store.audit_rows().await.unwrap() > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_with_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite(&dir.path().join("p.db"))
        .await
        .unwrap();
    let p = sqlite.sqlite_pragmas().await.unwrap();
    assert_eq!(p, ("wal".to_string(), 2, 1));
}
