//! The second storage test story: a quarter of work. Reports are filed, retried, returned,
//! revised and accepted; a meeting's decision becomes a supervision item that is reminded,
//! extended, closed, returned, closed again, graded and struck off; deliveries are claimed and
//! retried; the roster is kept. Every backend runs it and must end with the same dump.

mod group;
mod notify;
mod reporting;
mod supervision;

use crate::chapters::{self, Chapter};
use luoshi_domain::accounts::Role;
use luoshi_domain::reporting::{Figure, ReportKind, WorkStatus};
use luoshi_domain::supervision::Action;
use luoshi_store::accounts::{NewUser, User};
use luoshi_store::reporting::{Obligation, ReportFilter, SubmitReport};
use luoshi_store::supervision::{ItemFilter, ItemStep};
use luoshi_store::{Actor, Id, Page, Store};

fn user(username: &str, role: Role, unit_id: Id) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: username.into(),
        role,
        unit_id,
        password_hash: "h".into(),
        must_change_password: false,
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
        values: Vec::new(),
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
        attachments: Vec::new(),
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
            run: |cx| Box::pin(reporting::setup_and_obligations(cx)),
        },
        Chapter {
            name: "contribution_retried",
            builds: true,
            run: |cx| Box::pin(reporting::contribution_retried(cx)),
        },
        Chapter {
            name: "lead_report_reviewed",
            builds: true,
            run: |cx| Box::pin(reporting::lead_report_reviewed(cx)),
        },
        Chapter {
            name: "late_filing",
            builds: true,
            run: |cx| Box::pin(reporting::late_filing(cx)),
        },
        Chapter {
            name: "meeting_to_item",
            builds: true,
            run: |cx| Box::pin(supervision::meeting_to_item(cx)),
        },
        Chapter {
            name: "illegal_moves",
            builds: true,
            run: |cx| Box::pin(supervision::illegal_moves(cx)),
        },
        Chapter {
            name: "reminders",
            builds: true,
            run: |cx| Box::pin(supervision::reminders(cx)),
        },
        Chapter {
            name: "job_claims",
            builds: false,
            run: |cx| Box::pin(notify::job_claims(cx)),
        },
        Chapter {
            name: "deliveries",
            builds: true,
            run: |cx| Box::pin(notify::deliveries(cx)),
        },
        Chapter {
            name: "roster",
            builds: false,
            run: |cx| Box::pin(group::roster(cx)),
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
            let files: Vec<String> = e
                .attachments
                .iter()
                .map(|a| format!("{} {}B", a.file_name, a.size))
                .collect();
            out.push(format!(
                "  {} {} {:?}→{:?} {} {files:?}",
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
