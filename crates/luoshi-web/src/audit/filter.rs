//! The audit log's query, shared by the page and the API: who, which unit's users, which days.

use serde::Deserialize;

use crate::kit::error::AppError;
use crate::kit::extract::opt_date_field;
use crate::kit::page::PageQuery;
use luoshi_store::audit::AuditFilter;
use luoshi_store::{Id, Page};

/// `?actor=&unit=&from=&to=&offset=&limit=`; empty fields do not narrow.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// The filter and page asked for; a date that does not parse is refused (`bad_date`).
    pub fn filter(&self) -> Result<(AuditFilter, Page), AppError> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let unit_id = match text(&self.unit) {
            None => None,
            Some(u) => Some(
                u.parse::<Id>()
                    .map_err(|_| AppError::bad_request("单位参数应为单位编号"))?,
            ),
        };
        let filter = AuditFilter {
            actor: text(&self.actor),
            unit_id,
            from: opt_date_field(self.from.as_deref(), "起始日期")?,
            to: opt_date_field(self.to.as_deref(), "截止日期")?,
        };
        let page = PageQuery {
            offset: self.offset,
            limit: self.limit,
        }
        .page();
        Ok((filter, page))
    }

    /// The query again without its offset, for the pager's links.
    pub fn base(&self) -> String {
        let mut out = String::from("/audit?");
        for (k, v) in [
            ("actor", &self.actor),
            ("unit", &self.unit),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                out.push_str(&format!("{k}={}&", crate::kit::format::url_encode(v)));
            }
        }
        out.trim_end_matches(['&', '?']).to_string()
    }
}
