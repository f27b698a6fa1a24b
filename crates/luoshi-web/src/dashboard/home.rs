//! The front page (首页): the ledger's counts, tasks per area, and a unit's reporting to-do.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::charts::bar_chart;
use crate::kit::error::AppResult;
use crate::kit::page::{Nav, nav, page};
use crate::kit::scope::scope_of;
use luoshi_domain::registry::AREAS;
use luoshi_store::ledger::LedgerCounts;
use luoshi_store::reporting::ObligationFilter;

#[derive(Template)]
#[template(path = "dashboard/home.html")]
struct HomePage {
    nav: Nav,
    counts: LedgerCounts,
    area_chart: String,
    todo: Option<Todo>,
}

/// A unit's reporting to-do for the current round.
struct Todo {
    round: String,
    owed: usize,
    open: usize,
    missing: usize,
    returned: usize,
}

pub async fn home(State(state): State<AppState>, a: Auth) -> AppResult<Html<String>> {
    let scope = scope_of(&state, &a.0).await?;
    let counts = state.store.ledger_counts(&scope).await?;
    let bars: Vec<(String, i64)> = AREAS
        .iter()
        .map(|area| {
            let n = counts
                .by_area
                .iter()
                .find(|(c, _)| c == area.code)
                .map(|x| x.1)
                .unwrap_or(0);
            (format!("{}片区", area.name), n)
        })
        .collect();
    // A unit's officer sees what it owes this round first.
    let todo = if a.0.user.role.sees_everything() {
        None
    } else {
        let round = luoshi_domain::reporting::round::Round::of(crate::kit::clock::today(&state));
        let family = state.store.unit_family(a.0.user.unit_id).await?;
        let links = state
            .store
            .obligations(&ObligationFilter {
                units: Some(family),
                ..Default::default()
            })
            .await?;
        let owed = crate::reporting::round::owed_in_round(&state, links, round).await?;
        let count = |s: luoshi_domain::reporting::round::Standing| {
            owed.iter().filter(|o| o.standing == s).count()
        };
        use luoshi_domain::reporting::round::Standing as S;
        Some(Todo {
            round: round.label(),
            owed: owed.len(),
            open: count(S::Open),
            missing: count(S::Missing),
            returned: count(S::Returned),
        })
    };
    Ok(page(HomePage {
        nav: nav(&a, "home"),
        counts,
        area_chart: bar_chart(&bars),
        todo,
    }))
}
