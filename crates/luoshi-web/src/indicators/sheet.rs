//! 统计报表导入: the office uploads a statistics sheet, sees what it would change (or every
//! bad row with its reason) and confirms. The preview writes nothing; the confirmation carries
//! the same bytes back (in the form, so no process keeps them) and is planned again before
//! anything is written, all or nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;

use super::filing::{SheetPlan, by_indicator, import_sheet, preview_sheet};
use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::page::{Nav, back, nav, page, refused};
use luoshi_domain::indicators::filing::{Change, period_label};

/// Changes shown in the preview (all are imported).
const SHOWN: usize = 500;

#[derive(Template)]
#[template(path = "indicators/figures.html")]
struct FiguresPage {
    nav: Nav,
    plan: Option<SheetPlan>,
    file_name: String,
    /// The uploaded bytes, base64, for the confirmation.
    sheet: String,
    groups: Vec<(String, Vec<Change>)>,
    hidden: usize,
}

impl FiguresPage {
    fn period(&self, c: &Change) -> String {
        period_label(c.year, c.quarter)
    }
}

fn blank(a: &Auth) -> FiguresPage {
    FiguresPage {
        nav: nav(a, "indicators"),
        plan: None,
        file_name: String::new(),
        sheet: String::new(),
        groups: Vec::new(),
        hidden: 0,
    }
}

pub async fn form(a: Auth) -> Html<String> {
    page(blank(&a))
}

/// The uploaded file, or the confirmation's carried bytes.
async fn sheet_of(state: &AppState, mp: Multipart) -> AppResult<(String, Vec<u8>)> {
    let mut f = crate::kit::attach::read_fields(mp, state.config.max_upload / 1024 / 1024).await?;
    if let Some((name, bytes)) = f.files.pop() {
        return Ok((name, bytes));
    }
    let carried = f.get("sheet");
    if carried.is_empty() {
        return Err(AppError::bad_request("请选择要导入的统计报表（.xlsx）"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(carried.as_bytes())
        .map_err(|_| AppError::bad_request("确认内容已损坏，请重新上传统计报表"))?;
    Ok((f.get("file_name"), bytes))
}

pub async fn preview(State(state): State<AppState>, a: Auth, mp: Multipart) -> Response {
    let result = async {
        let (file_name, bytes) = sheet_of(&state, mp).await?;
        let plan = preview_sheet(&state, &bytes).await?;
        let mut shown = 0;
        let groups: Vec<(String, Vec<Change>)> = by_indicator(&plan.changes)
            .into_iter()
            .map(|(name, changes)| {
                let take: Vec<Change> = changes
                    .into_iter()
                    .take(SHOWN.saturating_sub(shown))
                    .cloned()
                    .collect();
                shown += take.len();
                (name, take)
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        Ok::<_, AppError>(page(FiguresPage {
            hidden: plan.changes.len() - shown,
            sheet: if plan.problems.is_empty() {
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            } else {
                String::new()
            },
            plan: Some(plan),
            file_name,
            groups,
            nav: nav(&a, "indicators"),
        }))
    }
    .await;
    match result {
        Ok(html) => html.into_response(),
        Err(e) => refused("/figures", &e.message),
    }
}

pub async fn import(State(state): State<AppState>, a: Auth, mp: Multipart) -> Response {
    let result = async {
        let (_, bytes) = sheet_of(&state, mp).await?;
        import_sheet(&state, &a.actor(), &bytes).await
    }
    .await;
    match result {
        Ok((plan, written)) => {
            let (new, changed, same) = plan.counts();
            back(
                "/indicators",
                &format!(
                    "统计报表已导入：新增 {new} 个、修改 {changed} 个数值，{same} 个与已有数值相同未变（共写入 {written} 个）"
                ),
            )
        }
        Err(e) => refused("/figures", &e.message),
    }
}
