//! The dashboards (看板): overall, per area, unit and document, with the four-round trend.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::charts::columns;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Query;
use crate::kit::page::{Nav, nav, page, refused};
use crate::reporting::round::{
    Owed, item_facts, owed_facts, owed_in_round, round_param, visible_links,
};
use luoshi_domain::lights::Light;
use luoshi_domain::registry::AREAS;
use luoshi_domain::reporting::round::{Figures, Round, figures, scorecards};
use luoshi_store::Id;
use luoshi_store::reporting::ObligationFilter;
use luoshi_store::supervision::ItemFilter;

#[derive(Deserialize, Default)]
pub struct DashQuery {
    pub round: Option<String>,
    pub area: Option<String>,
    pub unit: Option<Id>,
    pub document: Option<Id>,
}

pub struct AreaLine {
    pub name: &'static str,
    pub code: &'static str,
    pub figures: Figures,
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashPage {
    nav: Nav,
    round: Round,
    what: String,
    query: String,
    now: Figures,
    lights_chart: String,
    trend_chart: String,
    areas: Vec<AreaLine>,
    area_chart: String,
    items_lights: [usize; Light::COUNT],
    scores: Vec<luoshi_domain::reporting::round::Score>,
    /// Live tasks in the user's ledger and how many of them owe nothing this round, when the
    /// board is not filtered and the two differ: why its count is not the front page's.
    ledger_gap: Option<(i64, i64)>,
    /// Indicators off course (red, yellow), worst first, and every indicator's light count.
    indicators: Vec<crate::indicators::pages::Row>,
    indicator_lights: [usize; Light::COUNT],
}

pub async fn dashboard(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    // A mistyped round on a page goes back to the current one and says why.
    let round = match round_param(&state, q.round.as_deref()) {
        Ok(r) => r,
        Err(e) => return Ok(refused("/dashboard", &e.message)),
    };
    let area = q.area.clone().filter(|s| !s.is_empty());
    if let Some(code) = &area
        && !AREAS.iter().any(|x| x.code == code)
    {
        return Err(AppError::bad_request("未知片区"));
    }
    let mut what = Vec::new();
    let units = match q.unit {
        Some(u) => {
            let unit = crate::kit::scope::visible_unit(&state, &a.0, u).await?;
            what.push(unit.unit.name.clone());
            Some(state.store.unit_family(u).await?)
        }
        None => None,
    };
    if let Some(code) = &area {
        what.push(crate::kit::format::area_name(Some(code)).to_string());
    }
    if let Some(d) = q.document {
        let doc = crate::kit::scope::visible_document(&state, &a.0, d).await?;
        what.push(doc.1.doc.title.clone());
    }
    let filter = ObligationFilter {
        units: units.clone(),
        area: area.clone(),
        document: q.document,
        task: None,
    };
    let links = visible_links(&state, &a.0, filter).await?;
    let settings = state.store.settings().await?;
    let t = settings.thresholds;
    let day = today(&state);
    let owed = owed_in_round(&state, links.clone(), round).await?;
    let facts = owed_facts(&owed);
    let now = figures(&facts, day, &t);
    let mut trend = Vec::new();
    for r in round.trail(4) {
        let o = if r == round {
            owed.clone()
        } else {
            owed_in_round(&state, links.clone(), r).await?
        };
        let f = figures(&owed_facts(&o), day, &t);
        // The trend starts where the data starts: rounds before anything was owed are left out.
        if trend.is_empty() && f.owed == 0 && r != round {
            continue;
        }
        trend.push((format!("{}Q{}", r.year % 100, r.quarter), f));
    }
    let mut trend_bars = Vec::new();
    for (label, f) in &trend {
        trend_bars.push((format!("{label}按时"), f.on_time_rate(), "#1565c0"));
        trend_bars.push((format!("{label}完成"), f.completion(), "#2e7d32"));
    }
    // Per area, when the whole ledger is shown.
    let mut areas = Vec::new();
    if area.is_none() && units.is_none() {
        let mut by_area: BTreeMap<&str, Vec<Owed>> = BTreeMap::new();
        for a_ in AREAS {
            let area_links = state
                .store
                .obligations(&ObligationFilter {
                    area: Some(a_.code.to_string()),
                    document: q.document,
                    ..Default::default()
                })
                .await?;
            let tasks: HashSet<Id> = area_links.iter().map(|l| l.task_id).collect();
            by_area.insert(
                a_.code,
                owed.iter()
                    .filter(|o| tasks.contains(&o.ob.task_id))
                    .cloned()
                    .collect(),
            );
        }
        for a_ in AREAS {
            areas.push(AreaLine {
                name: a_.name,
                code: a_.code,
                figures: figures(&owed_facts(&by_area[a_.code]), day, &t),
            });
        }
    }
    let area_chart = if areas.is_empty() {
        String::new()
    } else {
        columns(
            "各片区按时报送率",
            &areas
                .iter()
                .map(|l| (l.name.to_string(), l.figures.on_time_rate(), "#9e1b1b"))
                .collect::<Vec<_>>(),
            true,
        )
    };
    let items = state
        .store
        .items(&ItemFilter {
            units: match &units {
                Some(u) => Some(u.clone()),
                None => crate::kit::scope::item_units(&state, &a.0).await?,
            },
            open_only: false,
            ..Default::default()
        })
        .await?;
    let mut items_lights = [0; Light::COUNT];
    for i in &items {
        items_lights[luoshi_domain::supervision::item_light(&i.progress_facts(), day, &t).light
            as usize] += 1;
    }
    let query = format!(
        "round={}{}{}{}",
        round.key(),
        area.as_ref()
            .map(|a| format!("&area={a}"))
            .unwrap_or_default(),
        q.unit.map(|u| format!("&unit={u}")).unwrap_or_default(),
        q.document
            .map(|d| format!("&document={d}"))
            .unwrap_or_default()
    );
    let ledger_gap = if area.is_none() && q.unit.is_none() && q.document.is_none() {
        let scope = crate::kit::scope::scope_of(&state, &a.0).await?;
        let all = state.store.ledger_counts(&scope).await?.tasks;
        let gap = all - now.tasks as i64;
        (gap > 0).then_some((all, gap))
    } else {
        None
    };
    let (indicator_lights, indicators) = crate::indicators::behind(
        &state,
        &luoshi_store::indicators::IndicatorFilter::default(),
        10,
    )
    .await?;
    Ok(page(DashPage {
        ledger_gap,
        indicators,
        indicator_lights,
        nav: nav(&a, "dashboard"),
        what: if what.is_empty() {
            "全部任务".into()
        } else {
            what.join(" · ")
        },
        lights_chart: columns(
            "任务红黄绿灯",
            &[
                (
                    "待报送".into(),
                    now.lights[Light::Grey as usize] as f64,
                    "#9e9e9e",
                ),
                (
                    "绿灯".into(),
                    now.lights[Light::Green as usize] as f64,
                    "#2e7d32",
                ),
                (
                    "黄灯".into(),
                    now.lights[Light::Yellow as usize] as f64,
                    "#f9a825",
                ),
                (
                    "红灯".into(),
                    now.lights[Light::Red as usize] as f64,
                    "#c62828",
                ),
            ],
            false,
        ),
        trend_chart: columns("近四个季度按时报送率与完成率", &trend_bars, true),
        scores: scorecards(&facts, &item_facts(&items), day),
        now,
        round,
        query,
        areas,
        area_chart,
        items_lights,
    })
    .into_response())
}
