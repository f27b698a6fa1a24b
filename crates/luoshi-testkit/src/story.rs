//! The storage test story: one sequence of imports, registry edits and reads that every backend
//! runs. It asserts as it goes and returns a dump of the final ledger, which must be identical on
//! every backend.

use crate::input;

use luoshi_domain::access::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_store::ledger::plan_import;
use luoshi_store::ledger::{ImportOutcome, PendingImport, TaskFilter};
use luoshi_store::registry::{UnitEdit, UnitSplit};
use luoshi_store::samples::sample;
use luoshi_store::{Actor, Id, Page, Scope, Store, StoreError};

async fn import(store: &dyn Store, actor: &Actor, name: &str, bytes: &[u8]) -> ImportOutcome {
    let plan = plan_import(store, input(name, bytes)).await.expect("plan");
    store.apply_import(actor, &plan).await.expect("import")
}

async fn unit_id(store: &dyn Store, name: &str) -> Id {
    store
        .unit_by_name(name)
        .await
        .expect("lookup")
        .unwrap_or_else(|| panic!("unit {name} unknown"))
        .id
}

async fn count(store: &dyn Store, f: TaskFilter) -> i64 {
    store.tasks(&f, Page::new(0, 1)).await.expect("tasks").total
}

fn by_units(units: Vec<Id>, lead_only: bool) -> TaskFilter {
    TaskFilter {
        units: Some(units),
        lead_only,
        ..TaskFilter::all()
    }
}

/// Runs the story on an empty store; returns the final ledger as lines.
pub async fn run(store: &dyn Store) -> Vec<String> {
    let cli = Actor::system("story");

    // The shipped registry, loaded twice, is there once; spellings of a committee are one unit.
    store.seed_registry(&cli).await.unwrap();
    let seeded = store.units().await.unwrap().len();
    store.seed_registry(&cli).await.unwrap();
    assert_eq!(store.units().await.unwrap().len(), seeded);
    let nanning = unit_id(store, "南宁片区管委会").await;
    assert_eq!(unit_id(store, "南宁片区管理机构").await, nanning);
    assert_eq!(unit_id(store, "自贸试验区南宁片区管委会").await, nanning);
    let data = store.unit_by_name("自治区数据局").await.unwrap().unwrap();
    let big_data = store
        .unit_by_name("自治区大数据发展局")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(big_data.successor_id, Some(data.id));

    // Users and the login throttle.
    let office = store
        .create_unit(&cli, "自贸试验区工作领导小组办公室", UnitKind::RegionalDept)
        .await
        .unwrap();
    let admin = store
        .create_user(
            &cli,
            NewUser {
                username: "office".into(),
                display_name: "办公室".into(),
                role: Role::Admin,
                unit_id: office.id,
                password_hash: "h".into(),
            },
        )
        .await
        .unwrap();
    let dup = store
        .create_user(
            &cli,
            NewUser {
                username: "office".into(),
                display_name: "又一个".into(),
                role: Role::Leader,
                unit_id: office.id,
                password_hash: "h".into(),
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    for _ in 0..4 {
        store
            .record_login_failure(admin.id, 1000, 5, 1800)
            .await
            .unwrap();
    }
    let c = store.credentials("office").await.unwrap().unwrap();
    assert_eq!((c.failed_logins, c.locked_until), (4, None));
    store
        .record_login_failure(admin.id, 1000, 5, 1800)
        .await
        .unwrap();
    let c = store.credentials("office").await.unwrap().unwrap();
    assert_eq!(c.locked_until, Some(2800));
    store.record_login_success(admin.id).await.unwrap();
    assert_eq!(
        store
            .credentials("office")
            .await
            .unwrap()
            .unwrap()
            .locked_until,
        None
    );

    // Sessions expire when idle and are gone after logout.
    store
        .create_session(NewSession {
            token_hash: "t1".into(),
            user_id: admin.id,
            csrf: "c1".into(),
            now: 10_000,
        })
        .await
        .unwrap();
    let live = store.session("t1", 10_100, 1800).await.unwrap().unwrap();
    assert_eq!((live.user.id, live.csrf.as_str()), (admin.id, "c1"));
    assert!(
        store
            .session("t1", 10_100 + 1801, 1800)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.session("t1", 10_200, 1800).await.unwrap().is_none());
    store
        .create_session(NewSession {
            token_hash: "t2".into(),
            user_id: admin.id,
            csrf: "c2".into(),
            now: 10_000,
        })
        .await
        .unwrap();
    store.delete_session("t2").await.unwrap();
    assert!(store.session("t2", 10_001, 1800).await.unwrap().is_none());
    let actor = Actor {
        user_id: Some(admin.id),
        name: "office".into(),
    };

    // A new document, and the same bytes again: nothing changes the second time.
    let v1 = sample("01_digital_trade_plan_v1.txt");
    let first = import(store, &actor, "v1.txt", v1).await;
    let ImportOutcome::NewDocument {
        document_id, tasks, ..
    } = first
    else {
        panic!("{first:?}")
    };
    assert_eq!(tasks, 5);
    let again = import(store, &actor, "v1 copy.txt", v1).await;
    assert!(matches!(again, ImportOutcome::Unchanged { document_id: d, .. } if d == document_id));
    assert_eq!(count(store, TaskFilter::all()).await, 5);
    let hub = store
        .tasks(
            &TaskFilter {
                q: Some("数据服务枢纽".into()),
                ..TaskFilter::all()
            },
            Page::new(0, 10),
        )
        .await
        .unwrap();
    assert_eq!(hub.total, 1);
    let hub_id = hub.items[0].id;
    assert_eq!(hub.items[0].lead, vec!["自治区大数据发展局".to_string()]);

    let second = import(
        store,
        &actor,
        "port.txt",
        sample("02_port_logistics_plan.txt"),
    )
    .await;
    assert!(
        matches!(second, ImportOutcome::NewDocument { tasks: 6, .. }),
        "{second:?}"
    );

    // A new version: linked to the document, its tasks matched, never duplicated.
    let v2 = sample("01_digital_trade_plan_v2.txt");
    let third = import(store, &actor, "v2.txt", v2).await;
    let ImportOutcome::NewVersion {
        document_id: d2,
        version_no,
        matched,
        added,
        retired,
        changes,
        ..
    } = third
    else {
        panic!("{third:?}")
    };
    assert_eq!(
        (d2, version_no, matched, added, retired),
        (document_id, 2, 4, 1, 1)
    );
    assert!(changes >= 4, "{changes}");
    assert_eq!(count(store, TaskFilter::all()).await, 11);
    let hub = store.task(hub_id).await.unwrap().unwrap();
    assert_eq!(hub.row.lead, vec!["自治区数据局".to_string()]);
    assert_eq!(
        hub.units_text.as_deref(),
        Some("自治区数据局，自治区通信管理局，南宁片区管理机构")
    );
    let detail = store.document(document_id).await.unwrap().unwrap();
    assert_eq!(detail.versions.len(), 2);
    assert_eq!(detail.doc.tasks, 5);
    assert!(
        detail.versions[0]
            .changes
            .iter()
            .any(|c| c.after.contains("200亿元"))
    );
    let original = store
        .blob(&detail.versions[1].sha256)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(original, v1);

    // A plan made against a version that is no longer the latest is refused, and nothing is written.
    let text = String::from_utf8(v2.to_vec()).unwrap();
    let v3a = text.replace("年内新增跨境专线3条", "年内新增跨境专线4条");
    let v3b = text.replace("年内新增跨境专线3条", "年内新增跨境专线5条");
    let plan_a = plan_import(store, input("v3a.txt", v3a.as_bytes()))
        .await
        .unwrap();
    let plan_b = plan_import(store, input("v3b.txt", v3b.as_bytes()))
        .await
        .unwrap();
    store.apply_import(&actor, &plan_a).await.unwrap();
    let stale = store.apply_import(&actor, &plan_b).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(
        store
            .version_by_sha(&plan_b.sha256)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count(store, TaskFilter::all()).await, 11);

    // A unit's list includes the tasks of the units it succeeded.
    let family = store.unit_family(data.id).await.unwrap();
    assert!(family.contains(&big_data.id));
    assert_eq!(count(store, by_units(family.clone(), true)).await, 1);
    assert_eq!(count(store, by_units(family, false)).await, 2);

    // A unit's list (read from the unit index) equals the same unit's scope (read from tasks),
    // in the same order, page by page.
    for name in [
        "自治区商务厅",
        "钦州港片区管委会",
        "自治区数据局",
        "南宁海关",
    ] {
        let id = unit_id(store, name).await;
        let family = store.unit_family(id).await.unwrap();
        let by_index = store
            .tasks(&by_units(family.clone(), false), Page::all())
            .await
            .unwrap();
        let by_scope = store
            .tasks(
                &TaskFilter {
                    scope: Scope::Units(family.clone()),
                    ..TaskFilter::all()
                },
                Page::all(),
            )
            .await
            .unwrap();
        assert!(by_index.total > 0, "{name}");
        assert_eq!(by_index.total, by_scope.total, "{name}");
        assert_eq!(by_index.items, by_scope.items, "{name}");
        let second = store
            .tasks(&by_units(family, false), Page::new(1, 2))
            .await
            .unwrap();
        assert_eq!(
            second.items[..],
            by_scope.items[1..by_scope.items.len().min(3)],
            "{name}"
        );
    }

    // Areas are those whose committees a task names.
    let area = |a: &str| TaskFilter {
        area: Some(a.into()),
        ..TaskFilter::all()
    };
    assert_eq!(count(store, area("nanning")).await, 2);
    assert_eq!(count(store, area("qinzhougang")).await, 5);
    assert_eq!(count(store, area("chongzuo")).await, 4);

    // The front page's figures, for everything and for one unit's scope.
    let all = store.ledger_counts(&Scope::All).await.unwrap();
    assert_eq!((all.tasks, all.documents), (11, 2));
    let areas: Vec<(&str, i64)> = all.by_area.iter().map(|(a, n)| (a.as_str(), *n)).collect();
    assert_eq!(areas, [("chongzuo", 4), ("nanning", 2), ("qinzhougang", 5)]);
    assert_eq!(
        (all.top_leads[0].0.as_str(), all.top_leads[0].2),
        ("南宁海关", 2)
    );
    let customs = unit_id(store, "南宁海关").await;
    let mine = store
        .ledger_counts(&Scope::Units(vec![customs]))
        .await
        .unwrap();
    assert_eq!((mine.tasks, mine.documents), (2, 2));
    let areas: Vec<(&str, i64)> = mine.by_area.iter().map(|(a, n)| (a.as_str(), *n)).collect();
    assert_eq!(areas, [("chongzuo", 2), ("qinzhougang", 2)]);
    assert_eq!(mine.top_leads.len(), 1);

    // Scopes: a unit sees documents that hold its tasks.
    let commerce = unit_id(store, "自治区商务厅").await;
    let docs = store
        .documents(&Scope::Units(vec![commerce]), Page::new(0, 10))
        .await
        .unwrap();
    assert_eq!(docs.total, 1);
    assert_eq!(
        store
            .documents(&Scope::All, Page::new(0, 10))
            .await
            .unwrap()
            .total,
        2
    );

    // Merge and undo.
    let finance = unit_id(store, "自治区地方金融监管局").await;
    let bureau = store
        .create_unit(&actor, "自治区党委金融办", UnitKind::RegionalDept)
        .await
        .unwrap();
    let op = store.merge_units(&actor, finance, bureau.id).await.unwrap();
    assert_eq!(unit_id(store, "自治区地方金融监管局").await, bureau.id);
    assert_eq!(count(store, by_units(vec![bureau.id], true)).await, 1);
    assert_eq!(count(store, by_units(vec![finance], false)).await, 0);
    store.undo_unit_op(&actor, op).await.unwrap();
    assert_eq!(unit_id(store, "自治区地方金融监管局").await, finance);
    assert_eq!(count(store, by_units(vec![bureau.id], false)).await, 0);
    assert!(matches!(
        store.undo_unit_op(&actor, op).await,
        Err(StoreError::Invalid(..))
    ));

    // Merging two units named by one task: the task is listed once under the survivor.
    let transport = unit_id(store, "自治区交通运输厅").await;
    let market = unit_id(store, "自治区市场监管局").await;
    let before_t = count(store, by_units(vec![transport], false)).await;
    let before_m = count(store, by_units(vec![market], false)).await;
    assert_eq!((before_t, before_m), (3, 1));
    let op = store.merge_units(&actor, transport, market).await.unwrap();
    let merged = store
        .tasks(&by_units(vec![market], false), Page::all())
        .await
        .unwrap();
    assert_eq!(merged.total, 3);
    assert_eq!(merged.items.len(), 3);
    store.undo_unit_op(&actor, op).await.unwrap();
    assert_eq!(count(store, by_units(vec![transport], false)).await, 3);
    assert_eq!(count(store, by_units(vec![market], false)).await, 1);

    // Split and undo: tasks written with the alias move with it.
    let qz = unit_id(store, "钦州港片区管委会").await;
    let split = store
        .split_unit(
            &actor,
            UnitSplit {
                unit_id: qz,
                new_name: "钦州港片区管理机构".into(),
                kind: UnitKind::AreaCommittee,
                aliases: vec!["钦州港片区管理机构".into()],
            },
        )
        .await
        .unwrap();
    let split_unit = unit_id(store, "钦州港片区管理机构").await;
    assert_ne!(split_unit, qz);
    assert_eq!(count(store, by_units(vec![split_unit], false)).await, 3);
    assert_eq!(count(store, by_units(vec![qz], false)).await, 2);
    store.undo_unit_op(&actor, split).await.unwrap();
    assert_eq!(unit_id(store, "钦州港片区管理机构").await, qz);
    assert_eq!(count(store, by_units(vec![qz], false)).await, 5);

    // Registry edits are checked.
    let cycle = store
        .update_unit(
            &actor,
            data.id,
            UnitEdit {
                successor_id: Some(Some(big_data.id)),
                ..UnitEdit::default()
            },
        )
        .await;
    assert!(
        matches!(cycle, Err(StoreError::Invalid("succession_cycle", _))),
        "{cycle:?}"
    );
    let taken = store.add_alias(&actor, data.id, "南宁片区管理机构").await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    // Pending imports belong to the user who uploaded them.
    let p = input("p.txt", v1);
    store
        .save_pending_import(PendingImport {
            token: "tok".into(),
            user_id: admin.id,
            file_name: "p.txt".into(),
            bytes: p.bytes.clone(),
            extracted: p.extracted.clone(),
            document: p.document.clone(),
            created_at: 5,
        })
        .await
        .unwrap();
    assert!(
        store
            .pending_import("tok", admin.id + 1)
            .await
            .unwrap()
            .is_none()
    );
    let back = store
        .pending_import("tok", admin.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.document, p.document);
    store.delete_pending_import("tok").await.unwrap();
    assert!(
        store
            .pending_import("tok", admin.id)
            .await
            .unwrap()
            .is_none()
    );

    // Every change was audited.
    let audit = store.audit(Page::new(0, 500)).await.unwrap();
    for action in [
        "user.create",
        "document.import",
        "unit.merge",
        "unit.merge.undo",
        "unit.split",
        "unit.split.undo",
    ] {
        assert!(
            audit.items.iter().any(|e| e.action == action),
            "no audit entry {action}"
        );
    }

    dump(store).await
}

/// The ledger as comparable lines: every live task with its units and areas, every unit's counts.
pub async fn dump(store: &dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    let tasks = store.tasks(&TaskFilter::all(), Page::all()).await.unwrap();
    for t in tasks.items {
        out.push(format!(
            "task {} {} {} | lead {:?} | support {:?} | areas {:?}",
            t.document_title, t.number, t.title, t.lead, t.support, t.areas
        ));
    }
    for u in store.units().await.unwrap() {
        out.push(format!(
            "unit {} {} {:?} lead {} support {}",
            u.unit.name,
            u.unit.kind.code(),
            u.unit.area,
            u.lead_tasks,
            u.support_tasks
        ));
    }
    out
}
