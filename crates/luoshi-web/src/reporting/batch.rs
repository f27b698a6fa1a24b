//! 批量报送: a unit with many duties in a round (an area committee has dozens) fills them in one
//! table and files them, or keeps them as drafts, in one post. Each row is filed through the same
//! use case as the single form (`filing`), each under its own one-time key, so a row that fails
//! does not stop the others and a repeated post files nothing twice; the rows that failed come
//! back as typed, each with its reason.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::clock::today;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::{Form, Query};
use crate::kit::page::{Nav, back, nav, page};
use crate::reporting::filing::{DraftInput, Filing, file_report, save_draft};
use crate::reporting::pages::RoundQuery;
use crate::reporting::round::{Owed, owed_in_round, round_param, visible_links};
use luoshi_domain::accounts::Role;
use luoshi_domain::periods::PeriodKey;
use luoshi_domain::reporting::round::{Round, Standing};
use luoshi_domain::reporting::{WorkStatus, batch_row_filed, figures_text, parse_figures};
use luoshi_store::Id;
use luoshi_store::accounts::credentials::random_token;
use luoshi_store::reporting::ObligationFilter;

/// Most rows one post files.
pub const MAX_ROWS: usize = 300;

/// One duty still to file, with what its row starts from.
pub struct Row {
    pub owed: Owed,
    pub status: String,
    pub progress: String,
    pub narrative: String,
    pub figures: String,
    /// Where the row's text came from (草稿, 退回前的版本), or why it was refused.
    pub note: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "reporting/batch.html")]
struct BatchPage {
    nav: Nav,
    round: Round,
    rows: Vec<Row>,
    statuses: Vec<(&'static str, &'static str)>,
    idem: String,
    /// What the post just did, when some rows were refused.
    summary: Option<String>,
}

/// A row as posted.
#[derive(Default, Clone)]
struct Posted {
    status: String,
    progress: String,
    narrative: String,
    figures: String,
}

/// The user's duties in the round still to file (not yet filed, or returned), due first.
async fn open_duties(state: &AppState, a: &Auth, round: Round) -> AppResult<Vec<Owed>> {
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let links = visible_links(
        state,
        &a.0,
        ObligationFilter {
            units: Some(family.clone()),
            ..Default::default()
        },
    )
    .await?;
    let day = today(state);
    let mut owed: Vec<Owed> = owed_in_round(state, links, round)
        .await?
        .into_iter()
        .filter(|o| family.contains(&o.ob.unit_id))
        .filter(|o| {
            matches!(
                o.standing,
                Standing::Open | Standing::Missing | Standing::Returned
            ) && o.period.start <= day
        })
        .collect();
    owed.sort_by(|x, y| {
        (x.due, &x.ob.document_title, x.ob.task_id).cmp(&(
            y.due,
            &y.ob.document_title,
            y.ob.task_id,
        ))
    });
    Ok(owed)
}

async fn batch_page(
    state: &AppState,
    a: &Auth,
    round: Round,
    typed: &HashMap<(Id, PeriodKey), (Posted, String)>,
    summary: Option<String>,
) -> AppResult<String> {
    let owed = open_duties(state, a, round).await?;
    let family = state.store.unit_family(a.0.user.unit_id).await?;
    let mut periods: Vec<PeriodKey> = owed.iter().map(|o| o.period_key).collect();
    periods.sort();
    periods.dedup();
    let mut drafts = Vec::new();
    for p in periods {
        drafts.extend(state.store.drafts(&family, p, None).await?);
    }
    let mut rows = Vec::new();
    for o in owed {
        let key = (o.ob.task_id, o.period_key);
        let mut row = Row {
            status: String::new(),
            progress: String::new(),
            narrative: String::new(),
            figures: String::new(),
            note: None,
            error: None,
            owed: o,
        };
        if let Some((p, why)) = typed.get(&key) {
            row.status = p.status.clone();
            row.progress = p.progress.clone();
            row.narrative = p.narrative.clone();
            row.figures = p.figures.clone();
            row.error = Some(why.clone());
        } else if let Some(d) = drafts
            .iter()
            .find(|d| d.task_id == key.0 && d.period == key.1 && d.unit_id == row.owed.ob.unit_id)
        {
            row.status = d.status.map(|s| s.code().to_string()).unwrap_or_default();
            row.progress = d.progress.map(|p| p.to_string()).unwrap_or_default();
            row.narrative = d.narrative.clone();
            row.figures = d.figures.clone();
            row.note = Some(format!(
                "草稿（{} 保存）",
                crate::kit::format::fmt_time(&d.saved_at)
            ));
        } else if let Some(r) = row
            .owed
            .report
            .as_ref()
            .filter(|_| row.owed.standing == Standing::Returned)
            && let Some(detail) = state.store.report(r.id).await?
            && let Some(v) = detail.history.last()
        {
            // A returned report is revised from its last version, not retyped.
            row.status = v.status.code().to_string();
            row.progress = v.progress.to_string();
            row.narrative = v.narrative.clone();
            row.figures = figures_text(&v.figures);
            row.note = Some(match &v.review_reason {
                Some(why) => format!("已退回：{why}"),
                None => "已退回".to_string(),
            });
        }
        rows.push(row);
    }
    Ok(page(BatchPage {
        nav: nav(a, "reporting"),
        round,
        rows,
        statuses: WorkStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        idem: random_token(16),
        summary,
    })
    .0)
}

pub async fn batch(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<RoundQuery>,
) -> AppResult<Response> {
    if a.0.user.role == Role::Leader {
        return Err(AppError::forbidden());
    }
    let round = round_param(&state, q.round.as_deref())?;
    let html = batch_page(&state, &a, round, &HashMap::new(), None).await?;
    Ok(axum::response::Html(html).into_response())
}

/// Files (or keeps as drafts, with `intent=draft`) every row something was typed in.
pub async fn batch_submit(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<RoundQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if a.0.user.role == Role::Leader {
        return Err(AppError::forbidden());
    }
    let round = round_param(&state, q.round.as_deref())?;
    let here = format!("/reporting/batch?round={}", round.key());
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let drafting = field("intent") == "draft";
    let nonce = field("idem");
    // Rows are posted as `row` = "<task>/<period>", followed by that row's fields.
    let mut rows: Vec<((Id, PeriodKey), Posted)> = Vec::new();
    for (k, v) in &fields {
        let v = v.trim().to_string();
        match k.as_str() {
            "row" => {
                let parsed = v
                    .split_once('/')
                    .and_then(|(t, p)| Some((t.parse::<Id>().ok()?, PeriodKey::parse(p)?)));
                let key =
                    parsed.ok_or_else(|| AppError::bad_request("表格行无效，请刷新后重试"))?;
                rows.push((key, Posted::default()));
            }
            "status" | "progress" | "narrative" | "figures" => {
                let Some((_, p)) = rows.last_mut() else {
                    continue;
                };
                match k.as_str() {
                    "status" => p.status = v,
                    "progress" => p.progress = v,
                    "narrative" => p.narrative = v,
                    _ => p.figures = v,
                }
            }
            _ => {}
        }
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::bad_request(format!("一次最多提交 {MAX_ROWS} 行")));
    }
    let mut done = 0;
    let mut refused: HashMap<(Id, PeriodKey), (Posted, String)> = HashMap::new();
    for ((task, period), p) in rows {
        if !batch_row_filed(&p.progress, &p.narrative, &p.figures) {
            continue;
        }
        let key = period.to_string();
        let outcome = if drafting {
            save_draft(
                &state,
                &a,
                task,
                &key,
                DraftInput {
                    status: p.status.clone(),
                    progress: p.progress.clone(),
                    narrative: p.narrative.clone(),
                    figures: p.figures.clone(),
                },
            )
            .await
        } else {
            let filing = match (p.progress.parse::<i64>(), parse_figures(&p.figures)) {
                (Err(_), _) if !p.progress.is_empty() => {
                    Err(AppError::bad_request("进度须为 0 到 100 的整数"))
                }
                (_, Err(e)) => Err(AppError::bad_request(e)),
                (progress, Ok(figures)) => Ok(Filing {
                    status: p.status.clone(),
                    progress: progress.unwrap_or(-1),
                    narrative: p.narrative.clone(),
                    figures,
                    values: Vec::new(),
                    files: Vec::new(),
                    idem: Some(format!("{nonce}:{task}:{key}")).filter(|_| !nonce.is_empty()),
                }),
            };
            match filing {
                Ok(f) => file_report(&state, &a, task, &key, f).await.map(|_| ()),
                Err(e) => Err(e),
            }
        };
        match outcome {
            Ok(()) => done += 1,
            Err(e) => {
                refused.insert((task, period), (p, e.message));
            }
        }
    }
    let verb = if drafting { "保存草稿" } else { "报送" };
    if refused.is_empty() {
        return Ok(if done == 0 {
            crate::kit::page::refused(&here, "没有填写任何一行，未提交")
        } else {
            back(&here, &format!("已{verb} {done} 项"))
        });
    }
    let summary = format!(
        "已{verb} {done} 项；{} 项未通过，原因见各行（所填内容已保留，未保存）",
        refused.len()
    );
    let html = batch_page(&state, &a, round, &refused, Some(summary)).await?;
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        axum::response::Html(html),
    )
        .into_response())
}
