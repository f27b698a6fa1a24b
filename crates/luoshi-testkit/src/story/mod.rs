//! The ledger story: imports, registry edits and reads that every backend runs, in named chapters
//! (see `chapters`). Each chapter asserts as it goes; the story returns a dump of the final ledger,
//! which must be identical on every backend.

mod accounts;
mod indicators;

use crate::chapters::{self, Chapter};
use crate::input;

use luoshi_domain::registry::UnitKind;
use luoshi_store::ledger::plan_import;
use luoshi_store::ledger::{ImportOutcome, PendingImport, TaskFilter};
use luoshi_store::registry::{Unit, UnitEdit, UnitSplit};
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

/// What the chapters share: the store, the actors, and what earlier chapters made.
pub struct Cx<'s> {
    store: &'s dyn Store,
    cli: Actor,
    actor: Actor,
    admin_id: Id,
    data: Option<Unit>,
    big_data: Option<Unit>,
    document_id: Id,
    hub_id: Id,
}

impl Cx<'_> {
    fn data(&self) -> &Unit {
        self.data.as_ref().expect("the registry chapter ran")
    }
    fn big_data(&self) -> &Unit {
        self.big_data.as_ref().expect("the registry chapter ran")
    }
}

/// Runs the story on an empty store, chapter by chapter; returns the final ledger as lines.
pub async fn run(store: &dyn Store) -> Vec<String> {
    let mut cx = Cx {
        store,
        cli: Actor::system("story"),
        actor: Actor::system("story"),
        admin_id: 0,
        data: None,
        big_data: None,
        document_id: 0,
        hub_id: 0,
    };
    let chapters: &[Chapter<Cx>] = &[
        Chapter {
            name: "registry_seeded",
            builds: true,
            run: |cx| Box::pin(registry_seeded(cx)),
        },
        Chapter {
            name: "accounts_and_throttle",
            builds: true,
            run: |cx| Box::pin(accounts::accounts_and_throttle(cx)),
        },
        Chapter {
            name: "sessions",
            builds: false,
            run: |cx| Box::pin(accounts::sessions(cx)),
        },
        Chapter {
            name: "passwords_and_second_factors",
            builds: false,
            run: |cx| Box::pin(accounts::passwords_and_second_factors(cx)),
        },
        Chapter {
            name: "import_and_reimport",
            builds: true,
            run: |cx| Box::pin(import_and_reimport(cx)),
        },
        Chapter {
            name: "new_version",
            builds: true,
            run: |cx| Box::pin(new_version(cx)),
        },
        Chapter {
            name: "indicators_follow_versions",
            builds: false,
            run: |cx| Box::pin(indicators::indicators_follow_versions(cx)),
        },
        Chapter {
            name: "stale_plan_refused",
            builds: true,
            run: |cx| Box::pin(stale_plan_refused(cx)),
        },
        Chapter {
            name: "family_lists",
            builds: false,
            run: |cx| Box::pin(family_lists(cx)),
        },
        Chapter {
            name: "unit_index_equals_scope",
            builds: false,
            run: |cx| Box::pin(unit_index_equals_scope(cx)),
        },
        Chapter {
            name: "areas",
            builds: false,
            run: |cx| Box::pin(areas(cx)),
        },
        Chapter {
            name: "front_page_counts",
            builds: false,
            run: |cx| Box::pin(front_page_counts(cx)),
        },
        Chapter {
            name: "document_scopes",
            builds: false,
            run: |cx| Box::pin(document_scopes(cx)),
        },
        Chapter {
            name: "merge_and_undo",
            builds: false,
            run: |cx| Box::pin(merge_and_undo(cx)),
        },
        Chapter {
            name: "merge_of_a_shared_task",
            builds: false,
            run: |cx| Box::pin(merge_of_a_shared_task(cx)),
        },
        Chapter {
            name: "split_and_undo",
            builds: false,
            run: |cx| Box::pin(split_and_undo(cx)),
        },
        Chapter {
            name: "registry_edits_checked",
            builds: false,
            run: |cx| Box::pin(registry_edits_checked(cx)),
        },
        Chapter {
            name: "pending_imports",
            builds: false,
            run: |cx| Box::pin(pending_imports(cx)),
        },
        Chapter {
            name: "audited",
            builds: false,
            run: |cx| Box::pin(audited(cx)),
        },
        Chapter {
            name: "values_filed_and_reviewed",
            builds: false,
            run: |cx| Box::pin(indicators::values_filed_and_reviewed(cx)),
        },
    ];
    chapters::run("ledger", &mut cx, chapters).await;
    dump(store).await
}

/// The shipped registry, loaded twice, is there once; spellings of a committee are one unit.
async fn registry_seeded(cx: &mut Cx<'_>) {
    let store = cx.store;
    store.seed_registry(&cx.cli).await.unwrap();
    let seeded = store.units().await.unwrap().len();
    store.seed_registry(&cx.cli).await.unwrap();
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
    cx.data = Some(data);
    cx.big_data = Some(big_data);
}

/// A new document, and the same bytes again: nothing changes the second time.
async fn import_and_reimport(cx: &mut Cx<'_>) {
    let store = cx.store;
    let v1 = sample("01_digital_trade_plan_v1.txt");
    let first = import(store, &cx.actor, "v1.txt", v1).await;
    let ImportOutcome::NewDocument {
        document_id, tasks, ..
    } = first
    else {
        panic!("{first:?}")
    };
    assert_eq!(tasks, 5);
    let again = import(store, &cx.actor, "v1 copy.txt", v1).await;
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
    // Written 自治区大数据发展局; the registry knows its successor, which leads today.
    assert_eq!(hub.items[0].lead, vec!["自治区数据局".to_string()]);

    let second = import(
        store,
        &cx.actor,
        "port.txt",
        sample("02_port_logistics_plan.txt"),
    )
    .await;
    assert!(
        matches!(second, ImportOutcome::NewDocument { tasks: 6, .. }),
        "{second:?}"
    );
    cx.document_id = document_id;
    cx.hub_id = hub_id;
}

/// A new version: linked to the document, its tasks matched, never duplicated.
async fn new_version(cx: &mut Cx<'_>) {
    let store = cx.store;
    let (document_id, hub_id) = (cx.document_id, cx.hub_id);
    let v1 = sample("01_digital_trade_plan_v1.txt");
    let v2 = sample("01_digital_trade_plan_v2.txt");
    let third = import(store, &cx.actor, "v2.txt", v2).await;
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
}

/// A plan made against a version that is no longer the latest is refused, and nothing is written.
async fn stale_plan_refused(cx: &mut Cx<'_>) {
    let store = cx.store;
    let v2 = sample("01_digital_trade_plan_v2.txt");
    let text = String::from_utf8(v2.to_vec()).unwrap();
    let v3a = text.replace("年内新增跨境专线3条", "年内新增跨境专线4条");
    let v3b = text.replace("年内新增跨境专线3条", "年内新增跨境专线5条");
    let plan_a = plan_import(store, input("v3a.txt", v3a.as_bytes()))
        .await
        .unwrap();
    let plan_b = plan_import(store, input("v3b.txt", v3b.as_bytes()))
        .await
        .unwrap();
    store.apply_import(&cx.actor, &plan_a).await.unwrap();
    let stale = store.apply_import(&cx.actor, &plan_b).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(
        store
            .version_by_sha(&plan_b.sha256)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count(store, TaskFilter::all()).await, 11);
}

/// A unit's list includes the tasks of the units it succeeded.
async fn family_lists(cx: &mut Cx<'_>) {
    let store = cx.store;
    let family = store.unit_family(cx.data().id).await.unwrap();
    assert!(family.contains(&cx.big_data().id));
    assert_eq!(count(store, by_units(family.clone(), true)).await, 1);
    assert_eq!(count(store, by_units(family, false)).await, 2);
}

/// A unit's list (read from the unit index) equals the same unit's scope (read from tasks),
/// in the same order, page by page.
async fn unit_index_equals_scope(cx: &mut Cx<'_>) {
    let store = cx.store;
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
}

/// Areas are those whose committees a task names.
async fn areas(cx: &mut Cx<'_>) {
    let store = cx.store;
    let area = |a: &str| TaskFilter {
        area: Some(a.into()),
        ..TaskFilter::all()
    };
    assert_eq!(count(store, area("nanning")).await, 2);
    assert_eq!(count(store, area("qinzhougang")).await, 5);
    assert_eq!(count(store, area("chongzuo")).await, 4);
}

/// The front page's figures, for everything and for one unit's scope.
async fn front_page_counts(cx: &mut Cx<'_>) {
    let store = cx.store;
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
}

/// Scopes: a unit sees documents that hold its tasks.
async fn document_scopes(cx: &mut Cx<'_>) {
    let store = cx.store;
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
}

/// Merge and undo.
async fn merge_and_undo(cx: &mut Cx<'_>) {
    let store = cx.store;
    let finance = unit_id(store, "自治区地方金融监管局").await;
    let bureau = store
        .create_unit(&cx.actor, "自治区党委金融办", UnitKind::RegionalDept)
        .await
        .unwrap();
    let op = store
        .merge_units(&cx.actor, finance, bureau.id)
        .await
        .unwrap();
    assert_eq!(unit_id(store, "自治区地方金融监管局").await, bureau.id);
    assert_eq!(count(store, by_units(vec![bureau.id], true)).await, 1);
    assert_eq!(count(store, by_units(vec![finance], false)).await, 0);
    store.undo_unit_op(&cx.actor, op).await.unwrap();
    assert_eq!(unit_id(store, "自治区地方金融监管局").await, finance);
    assert_eq!(count(store, by_units(vec![bureau.id], false)).await, 0);
    assert!(matches!(
        store.undo_unit_op(&cx.actor, op).await,
        Err(StoreError::Invalid(..))
    ));
}

/// Merging two units named by one task: the task is listed once under the survivor.
async fn merge_of_a_shared_task(cx: &mut Cx<'_>) {
    let store = cx.store;
    let transport = unit_id(store, "自治区交通运输厅").await;
    let market = unit_id(store, "自治区市场监管局").await;
    let before_t = count(store, by_units(vec![transport], false)).await;
    let before_m = count(store, by_units(vec![market], false)).await;
    assert_eq!((before_t, before_m), (3, 1));
    let op = store
        .merge_units(&cx.actor, transport, market)
        .await
        .unwrap();
    let merged = store
        .tasks(&by_units(vec![market], false), Page::all())
        .await
        .unwrap();
    assert_eq!(merged.total, 3);
    assert_eq!(merged.items.len(), 3);
    store.undo_unit_op(&cx.actor, op).await.unwrap();
    assert_eq!(count(store, by_units(vec![transport], false)).await, 3);
    assert_eq!(count(store, by_units(vec![market], false)).await, 1);
}

/// Split and undo: tasks written with the alias move with it.
async fn split_and_undo(cx: &mut Cx<'_>) {
    let store = cx.store;
    let qz = unit_id(store, "钦州港片区管委会").await;
    let split = store
        .split_unit(
            &cx.actor,
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
    store.undo_unit_op(&cx.actor, split).await.unwrap();
    assert_eq!(unit_id(store, "钦州港片区管理机构").await, qz);
    assert_eq!(count(store, by_units(vec![qz], false)).await, 5);
}

/// Registry edits are checked.
async fn registry_edits_checked(cx: &mut Cx<'_>) {
    let store = cx.store;
    let cycle = store
        .update_unit(
            &cx.actor,
            cx.data().id,
            UnitEdit {
                successor_id: Some(Some(cx.big_data().id)),
                ..UnitEdit::default()
            },
        )
        .await;
    assert!(
        matches!(cycle, Err(StoreError::Invalid("succession_cycle", _))),
        "{cycle:?}"
    );
    let taken = store
        .add_alias(&cx.actor, cx.data().id, "南宁片区管理机构")
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
}

/// Pending imports belong to the user who uploaded them.
async fn pending_imports(cx: &mut Cx<'_>) {
    let store = cx.store;
    let v1 = sample("01_digital_trade_plan_v1.txt");
    let p = input("p.txt", v1);
    store
        .save_pending_import(PendingImport {
            token: "tok".into(),
            user_id: cx.admin_id,
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
            .pending_import("tok", cx.admin_id + 1)
            .await
            .unwrap()
            .is_none()
    );
    let back = store
        .pending_import("tok", cx.admin_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.document, p.document);
    store.delete_pending_import("tok").await.unwrap();
    assert!(
        store
            .pending_import("tok", cx.admin_id)
            .await
            .unwrap()
            .is_none()
    );
}

/// Every change was audited.
async fn audited(cx: &mut Cx<'_>) {
    let store = cx.store;
    let audit = store
        .audit(
            &luoshi_store::audit::AuditFilter::default(),
            Page::new(0, 500),
        )
        .await
        .unwrap();
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
    let indicators = store
        .indicators(&luoshi_store::indicators::IndicatorFilter::default())
        .await
        .unwrap();
    for i in indicators {
        let milestones: Vec<String> = i
            .milestones
            .iter()
            .map(|m| format!("{} {} {}", m.milestone.year, m.milestone.value, m.live))
            .collect();
        let units: Vec<String> = i
            .units
            .iter()
            .map(|u| format!("{} {}", u.name, u.role))
            .collect();
        let values: Vec<String> = i
            .values
            .iter()
            .map(|v| {
                format!(
                    "{} {:?} {} v{} {} {}",
                    v.point.year,
                    v.point.quarter,
                    v.point.value,
                    v.version,
                    v.state.code(),
                    v.origin.code()
                )
            })
            .collect();
        out.push(format!(
            "indicator {} {:?} {} {:?} | {milestones:?} | {units:?} | {values:?}",
            i.subject, i.scope, i.unit, i.measure
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
