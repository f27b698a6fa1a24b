//! The front page (首页): the 待办 panel of the user's role (the office: reports to review,
//! extension requests, closings to check, late duties; a unit: what it owes and the items waiting
//! for it), the ledger's counts and tasks per area.

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
    /// The 待办 panel: what waits for this user's role, each with where to act.
    waiting: Vec<Waiting>,
}

/// One line of the 待办 panel.
pub struct Waiting {
    pub label: String,
    pub count: usize,
    pub href: String,
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
    let waiting = waiting(&state, &a).await?;
    Ok(page(HomePage {
        nav: nav(&a, "home"),
        counts,
        area_chart: bar_chart(&bars),
        todo,
        waiting,
    }))
}

/// What waits for the user's role: items by the stage that is theirs to move
/// (`supervision::waits_for`), overdue items, and for the office the reports to review and the
/// duties late this round.
async fn waiting(state: &AppState, a: &Auth) -> AppResult<Vec<Waiting>> {
    use luoshi_domain::accounts::Role;
    let role = a.0.user.role;
    let office = role == Role::Admin;
    let day = crate::kit::clock::today(state);
    let units = crate::kit::scope::item_units(state, &a.0).await?;
    let items = state
        .store
        .items(&luoshi_store::supervision::ItemFilter {
            units,
            open_only: true,
            ..Default::default()
        })
        .await?;
    let mut out: Vec<Waiting> = Vec::new();
    let mut add = |label: String, count: usize, href: &str| {
        if count > 0 {
            match out.iter_mut().find(|w| w.label == label) {
                Some(w) => w.count += count,
                None => out.push(Waiting {
                    label,
                    count,
                    href: href.to_string(),
                }),
            }
        }
    };
    if office {
        let submitted = state
            .store
            .reports(&luoshi_store::reporting::ReportFilter {
                state: Some(luoshi_domain::reporting::ReviewState::Submitted),
                ..Default::default()
            })
            .await?
            .len();
        add("报送材料待审核".into(), submitted, "/reporting");
    }
    // A leader reads: the items waiting for the office or a unit, as one picture. A unit's move
    // is its lead's (a support unit helps, it does not acknowledge or report).
    let family = if role.sees_everything() {
        Vec::new()
    } else {
        state.store.unit_family(a.0.user.unit_id).await?
    };
    for i in &items {
        let mine = role.sees_everything() || family.contains(&i.lead_unit_id);
        if let Some((office_move, what)) = luoshi_domain::supervision::waits_for(i.stage)
            && (role == Role::Leader || (office_move == office && mine))
        {
            add(format!("督办事项{what}"), 1, "/items");
        }
    }
    let overdue = items
        .iter()
        .filter(|i| !i.stage.is_closed() && i.due < day)
        .count();
    add("督办事项逾期未办结".into(), overdue, "/items?overdue=1");
    if role.sees_everything() {
        let round = luoshi_domain::reporting::round::Round::of(day);
        let links = state
            .store
            .obligations(&ObligationFilter::default())
            .await?;
        let owed = crate::reporting::round::owed_in_round(state, links, round).await?;
        let missing = owed
            .iter()
            .filter(|o| o.standing == luoshi_domain::reporting::round::Standing::Missing)
            .count();
        add(
            format!("{}逾期未报", round.label()),
            missing,
            &format!("/reporting?round={}", round.key()),
        );
    }
    Ok(out)
}
