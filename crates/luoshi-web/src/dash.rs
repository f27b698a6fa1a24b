//! Dashboards (看板): overall, per area, per unit and per document — completion, on-time rate,
//! lights and the trend over the last four rounds — with charts drawn on the server as SVG.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use luoshi_domain::lights::Light;
use luoshi_domain::registry::AREAS;
use luoshi_store::*;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::pages::{Nav, esc, nav, page};
use crate::work::{
    Owed, Round, owed_in_round, round_param, scorecards, task_light, today, visible_links,
};

/// The figures of one round for a set of obligations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub tasks: usize,
    pub done: usize,
    pub owed: usize,
    /// Not yet due and not filed: left out of the on-time rate.
    pub pending: usize,
    pub on_time: usize,
    pub filed: usize,
    pub lights: [usize; 3],
}

impl Figures {
    pub fn completion(&self) -> f64 {
        ratio(self.done, self.tasks)
    }
    /// Reports due by now or filed.
    pub fn counted(&self) -> usize {
        self.owed - self.pending
    }
    pub fn on_time_rate(&self) -> f64 {
        ratio(self.on_time, self.counted())
    }
    pub fn pct(x: f64) -> String {
        format!("{:.0}%", x * 100.0)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Works out a round's figures: completion from the leads' reports, the on-time rate over every
/// obligation, and one light per task.
pub fn figures(
    owed: &[Owed],
    state_today: luoshi_domain::calendar::Date,
    t: &Thresholds,
) -> Figures {
    let mut f = Figures::default();
    let mut tasks = HashSet::new();
    // One light per task: the worst over its lead reports (a task may have several leads).
    let mut task_lights: std::collections::HashMap<Id, Light> = std::collections::HashMap::new();
    for o in owed {
        tasks.insert(o.ob.task_id);
        f.owed += 1;
        if let Some(r) = &o.report {
            f.filed += 1;
            if !r.late {
                f.on_time += 1;
            }
        } else if o.standing == crate::work::Standing::Open {
            f.pending += 1;
        }
        if o.kind == ReportKind::Task {
            if o.report
                .as_ref()
                .is_some_and(|r| r.status == WorkStatus::Done)
            {
                f.done += 1;
            }
            let light = task_light(o.report.as_ref(), o.standing, None, state_today, t).light;
            let worst = task_lights.entry(o.ob.task_id).or_insert(light);
            *worst = (*worst).max(light);
        }
    }
    for light in task_lights.values() {
        f.lights[*light as usize] += 1;
    }
    f.tasks = tasks.len();
    f
}

/// Vertical columns with value labels, as inline SVG. `bars`: (label, value 0–1 or count, colour).
pub fn columns(title: &str, bars: &[(String, f64, &str)], percent: bool) -> String {
    let max = if percent {
        1.0
    } else {
        bars.iter().map(|b| b.1).fold(1.0, f64::max)
    };
    let (w, h, base) = (90usize, 160.0, 190.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"230\" role=\"img\" aria-label=\"{}\">",
        bars.len() * w + 20,
        esc(title)
    );
    svg.push_str(&format!(
        "<line x1=\"10\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#999\"/>",
        bars.len() * w + 10
    ));
    for (i, (label, v, color)) in bars.iter().enumerate() {
        let x = 20 + i * w;
        let bh = (v / max * h).max(0.0);
        let text = if percent {
            format!("{:.0}%", v * 100.0)
        } else {
            format!("{v:.0}")
        };
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"50\" height=\"{bh:.1}\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\">{text}</text>\
             <text x=\"{}\" y=\"212\" font-size=\"13\" text-anchor=\"middle\">{}</text>",
            base - bh,
            x + 25,
            base - bh - 4.0,
            x + 25,
            esc(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

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
#[template(path = "dashboard.html")]
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
    items_lights: [usize; 3],
    scores: Vec<crate::work::Score>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<DashQuery>,
) -> AppResult<Html<String>> {
    let round = round_param(&state, q.round.as_deref())?;
    let area = q.area.clone().filter(|s| !s.is_empty());
    if let Some(code) = &area
        && !AREAS.iter().any(|x| x.code == code)
    {
        return Err(AppError::bad_request("未知片区"));
    }
    let mut what = Vec::new();
    let units = match q.unit {
        Some(u) => {
            let unit = crate::scope::visible_unit(&state, &a.0, u).await?;
            what.push(unit.unit.name.clone());
            Some(state.store.unit_family(u).await?)
        }
        None => None,
    };
    if let Some(code) = &area {
        what.push(crate::pages::area_name(Some(code)).to_string());
    }
    if let Some(d) = q.document {
        let doc = crate::scope::visible_document(&state, &a.0, d).await?;
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
    let now = figures(&owed, day, &t);
    let mut trend = Vec::new();
    for r in round.trail(4) {
        let o = if r == round {
            owed.clone()
        } else {
            owed_in_round(&state, links.clone(), r).await?
        };
        let f = figures(&o, day, &t);
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
                figures: figures(&by_area[a_.code], day, &t),
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
                None => crate::scope::item_units(&state, &a.0).await?,
            },
            open_only: false,
            ..Default::default()
        })
        .await?;
    let mut items_lights = [0; 3];
    for i in &items {
        items_lights[crate::work::item_light(i, day, &t).light as usize] += 1;
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
    Ok(page(DashPage {
        nav: nav(&a, "dashboard", None),
        what: if what.is_empty() {
            "全部任务".into()
        } else {
            what.join(" · ")
        },
        lights_chart: columns(
            "任务红黄绿灯",
            &[
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
        scores: scorecards(&owed, &items, day),
        now,
        round,
        query,
        areas,
        area_chart,
        items_lights,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_plain_svg_with_escaped_labels() {
        let svg = columns("t", &[("<b>".into(), 0.5, "#000")], true);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && svg.contains("50%"));
        assert!(!svg.contains("<script"));
    }
}
