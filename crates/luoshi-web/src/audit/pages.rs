//! The audit log page (审计), paged.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::audit::filter::AuditQuery;
use crate::kit::auth::Auth;
use crate::kit::error::AppResult;
use crate::kit::extract::Query;
use crate::kit::page::{Nav, nav, page, pager};
use luoshi_domain::audit::field_label;
use luoshi_store::Paged;
use luoshi_store::audit::AuditEntry;
use luoshi_store::registry::Unit;
use serde_json::Value;

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    nav: Nav,
    entries: Paged<AuditEntry>,
    /// Each entry's changed fields, in the entries' order.
    changes: Vec<Vec<Change>>,
    pager: String,
    /// For the unit filter.
    units: Vec<Unit>,
    /// What was asked, to keep the form filled.
    q: AuditQuery,
    /// The seal chain's check, in words, and whether it holds.
    chain: (String, bool),
    /// The export of what the filter selects.
    export: String,
}

/// One field an audited change touched, as people read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A value in a few words: strings without quotes, long ones cut.
fn short(v: Option<&Value>) -> String {
    let text = match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// The fields whose values differ between before and after (every field of a new object).
fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&Value>| match v {
        Some(Value::Object(m)) => Some(m.clone()),
        _ => None,
    };
    match (as_map(before), as_map(after)) {
        (None, None) => {
            let (b, a) = (short(before), short(after));
            if b == a {
                Vec::new()
            } else {
                vec![Change {
                    field: String::new(),
                    before: b,
                    after: a,
                }]
            }
        }
        (b, a) => {
            let (b, a) = (b.unwrap_or_else(|| empty.clone()), a.unwrap_or(empty));
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| Change {
                    field: field_label(k).to_string(),
                    before: short(b.get(k)),
                    after: short(a.get(k)),
                })
                .collect()
        }
    }
}

pub async fn audit(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    let (filter, page_asked) = q.filter()?;
    let entries = state.store.audit(&filter, page_asked).await?;
    let pager = pager(&q.base(), entries.offset, entries.limit, entries.total);
    let export = q.base().replacen("/audit", "/audit/export.xlsx", 1);
    let units: Vec<Unit> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.unit.merged_into.is_none())
        .map(|u| u.unit)
        .collect();
    let changes = entries
        .items
        .iter()
        .map(|e| changes(e.before.as_ref(), e.after.as_ref()))
        .collect();
    let check = state.store.verify_chain().await?;
    Ok(page(AuditPage {
        nav: nav(&a, "audit"),
        entries,
        changes,
        pager,
        units,
        q,
        chain: (check.words(), check.broken_at.is_none()),
        export,
    }))
}

/// The records the filter selects, as an .xlsx (the audit administrator's export; itself a
/// download, so an audited event).
pub async fn export(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> AppResult<axum::response::Response> {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let (filter, _) = q.filter()?;
    let entries = state
        .store
        .audit(&filter, luoshi_store::Page::all())
        .await?;
    let bytes =
        luoshi_output::audit::audit_xlsx(&entries.items, |t| crate::kit::format::fmt_time(&t))
            .map_err(|e| {
                tracing::warn!("audit export failed: {e}");
                crate::kit::error::AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "export",
                    "导出失败",
                )
            })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.xlsx\"; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_entry_shows_the_fields_it_changed() {
        let before = json!({ "name": "自治区大数据发展局", "kind": "regional_dept", "area": null });
        let after = json!({ "name": "自治区数据局", "kind": "regional_dept", "area": null, "succeeded_on": "2024-01-01" });
        let got = changes(Some(&before), Some(&after));
        let want = vec![
            Change {
                field: "名称".into(),
                before: "自治区大数据发展局".into(),
                after: "自治区数据局".into(),
            },
            Change {
                field: "承接日期".into(),
                before: String::new(),
                after: "2024-01-01".into(),
            },
        ];
        assert_eq!(got, want);
        // A new object lists every field; nothing changed lists nothing.
        assert_eq!(
            changes(None, Some(&json!({ "active": false })))[0].after,
            "否"
        );
        assert!(changes(Some(&before), Some(&before)).is_empty());
        assert!(short(Some(&json!("字".repeat(80)))).ends_with('…'));
    }
}
