//! 催报: reminders of reporting duties not yet filed — automatic ones before and after the
//! deadline on the office's schedule (`reminder_days`, then weekly), and the office's 一键催报
//! for one unit or for every late unit. Each reminder is recorded under its key and shown on the
//! duty; storage sends each unit one notice per run.

use crate::AppState;
use crate::kit::clock::today;
use crate::kit::error::AppResult;
use crate::reporting::round::{Owed, owed_in_round};
use luoshi_domain::notify::{deadline_note, manual_key, reminder_keys};
use luoshi_domain::reporting::round::{Round, Standing};
use luoshi_store::reporting::{Obligation, ObligationFilter, RemindOutcome, ReportReminder};
use luoshi_store::{Actor, Id};

/// Whom a run reminds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whom {
    /// Every unfiled duty whose reminder falls due today on the schedule.
    Schedule,
    /// By hand: every unfiled duty of this unit.
    Unit(Id),
    /// By hand: every duty past its deadline and not filed.
    AllLate,
}

fn unfiled(o: &Owed) -> bool {
    matches!(o.standing, Standing::Open | Standing::Missing)
}

/// The links a run reads: one unit's, or every unit's.
async fn links_for(state: &AppState, whom: Whom) -> AppResult<Vec<Obligation>> {
    let units = match whom {
        Whom::Unit(u) => Some(vec![u]),
        Whom::Schedule | Whom::AllLate => None,
    };
    Ok(state
        .store
        .obligations(&ObligationFilter {
            units,
            ..Default::default()
        })
        .await?)
}

/// Sends the reminders of `round` that `whom` asks for.
pub async fn remind(
    state: &AppState,
    actor: &Actor,
    round: Round,
    whom: Whom,
) -> AppResult<RemindOutcome> {
    let links = links_for(state, whom).await?;
    remind_links(state, actor, links, round, whom).await
}

async fn remind_links(
    state: &AppState,
    actor: &Actor,
    links: Vec<Obligation>,
    round: Round,
    whom: Whom,
) -> AppResult<RemindOutcome> {
    let day = today(state);
    let settings = state.store.settings().await?;
    let owed = owed_in_round(state, links, round).await?;
    let mut out = Vec::new();
    for o in owed.iter().filter(|o| unfiled(o)) {
        let keys = match whom {
            Whom::Schedule => reminder_keys(day, o.due, &settings.reminder_days),
            Whom::Unit(u) if u == o.ob.unit_id => vec![manual_key(day)],
            Whom::AllLate if o.standing == Standing::Missing => vec![manual_key(day)],
            _ => Vec::new(),
        };
        for key in keys {
            out.push(ReportReminder {
                task_id: o.ob.task_id,
                task_number: o.ob.task_number.clone(),
                unit_id: o.ob.unit_id,
                kind: o.kind,
                period: o.period_key,
                key,
                note: deadline_note(day, o.due),
            });
        }
    }
    let key = luoshi_domain::periods::DueRule::default()
        .period(round.year, round.quarter)
        .key();
    Ok(state
        .store
        .remind_reports(
            actor,
            key,
            &out,
            whom != Whom::Schedule,
            settings.remind_leaders,
        )
        .await?)
}

/// The automatic run: this round's duties, and the last round's still missing.
pub async fn remind_on_schedule(state: &AppState) -> AppResult<RemindOutcome> {
    let actor = Actor::system("自动催报");
    let round = Round::of(today(state));
    let links = links_for(state, Whom::Schedule).await?;
    let now = remind_links(state, &actor, links.clone(), round, Whom::Schedule).await?;
    let last = remind_links(state, &actor, links, round.prev(), Whom::Schedule).await?;
    Ok(RemindOutcome {
        reminders: now.reminders + last.reminders,
        units: now.units + last.units,
    })
}
