//! The import pages (导入): upload, preview, confirm or cancel.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::kit::auth::Auth;
use crate::kit::error::{AppError, AppResult};
use crate::kit::extract::Path;
use crate::kit::page::{Nav, back, nav, page};
use crate::ledger::ingest::Preview;
use luoshi_store::ledger::ImportOutcome;

#[derive(Template)]
#[template(path = "ledger/import.html")]
struct ImportPage {
    nav: Nav,
    error: Option<String>,
    max_mb: usize,
}

pub async fn import_page(State(state): State<AppState>, a: Auth) -> Html<String> {
    page(ImportPage {
        nav: nav(&a, "import"),
        error: None,
        max_mb: state.config.max_upload / 1024 / 1024,
    })
}

pub async fn import_upload(
    State(state): State<AppState>,
    a: Auth,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut error = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        tracing::warn!("upload read failed: {e}");
                        error = Some(format!(
                            "上传失败：文件可能超过 {} MB 上限",
                            state.config.max_upload / 1024 / 1024
                        ));
                        break;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                tracing::warn!("multipart error: {e}");
                error = Some("上传失败，请重试".into());
                break;
            }
        }
    }
    let result = match (error, file) {
        (Some(e), _) => Err(AppError::bad_request(e)),
        (None, None) => Err(AppError::bad_request("请选择文件")),
        (None, Some((name, bytes))) => {
            crate::ledger::staging::stage_upload(&state, &a.0, name, bytes).await
        }
    };
    match result {
        Ok(p) => Redirect::to(&format!("/import/{}", p.token)).into_response(),
        Err(e) => (
            e.status,
            page(ImportPage {
                nav: nav(&a, "import"),
                error: Some(e.message),
                max_mb: state.config.max_upload / 1024 / 1024,
            }),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "ledger/preview.html")]
struct PreviewPage {
    nav: Nav,
    p: Preview,
    changes: Vec<crate::ledger::wording::ChangeView>,
    /// Names the registry does not know, each offered to be mapped to an existing unit.
    new_units: Vec<String>,
    unit_names: Vec<String>,
}

pub async fn import_preview(
    State(state): State<AppState>,
    a: Auth,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let p = crate::ledger::staging::pending_preview(&state, &a.0, &token).await?;
    let texts: Vec<crate::ledger::wording::TaskText> = p
        .tasks
        .iter()
        .map(|t| crate::ledger::wording::TaskText {
            href: None,
            label: format!("{} {}", t.number, t.title),
            text: &t.text,
        })
        .collect();
    let changes = crate::ledger::wording::views(&p.changes, &texts);
    drop(texts);
    let mut new_units: Vec<String> = Vec::new();
    for u in p.tasks.iter().flat_map(|t| &t.units) {
        if u.resolved.is_none() && !new_units.contains(&u.written) {
            new_units.push(u.written.clone());
        }
    }
    let unit_names = if new_units.is_empty() {
        Vec::new()
    } else {
        crate::kit::names::suggestions(&state).await?
    };
    Ok(page(PreviewPage {
        nav: nav(&a, "import"),
        p,
        changes,
        new_units,
        unit_names,
    }))
}

#[derive(serde::Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    reporting_from: Option<String>,
    /// `map:<name as written>` = the existing unit the office says it is (blank: a new unit).
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

pub async fn import_confirm(
    State(state): State<AppState>,
    a: Auth,
    Path(token): Path<String>,
    crate::kit::extract::Form(form): crate::kit::extract::Form<ConfirmForm>,
) -> AppResult<Response> {
    let from = crate::kit::extract::opt_date_field(form.reporting_from.as_deref(), "报送起始日期")?;
    let mut unit_map = Vec::new();
    let mut mapped: Vec<(String, String)> = form
        .rest
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map:")?.to_string(), v.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    mapped.sort();
    for (written, typed) in mapped {
        match crate::kit::names::resolve(&state, &typed).await? {
            crate::kit::names::Resolved::Unit(id, _) => unit_map.push((written, id)),
            other => {
                return Ok(crate::kit::page::refused(
                    &format!("/import/{token}"),
                    &format!("“{written}”对应的单位：{}", other.refusal(&typed)),
                ));
            }
        }
    }
    let outcome =
        crate::ledger::staging::confirm_pending(&state, &a, &token, from, unit_map).await?;
    let msg = match &outcome {
        ImportOutcome::Unchanged { .. } => "该文件此前已导入，台账没有变化".to_string(),
        ImportOutcome::NewDocument { tasks, .. } => format!("已导入，新增任务 {tasks} 项"),
        ImportOutcome::NewVersion {
            version_no,
            matched,
            added,
            retired,
            ..
        } => format!(
            "已导入第 {version_no} 版：延续原任务 {matched} 项，新增 {added} 项，停用 {retired} 项"
        ),
    };
    Ok(back(&format!("/documents/{}", outcome.document_id()), &msg))
}

pub async fn import_cancel(
    State(state): State<AppState>,
    _a: Auth,
    Path(token): Path<String>,
) -> AppResult<Response> {
    state.store.delete_pending_import(&token).await?;
    Ok(back("/import", "已取消导入"))
}
