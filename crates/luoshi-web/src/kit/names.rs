//! What users type, resolved to units through the registry: an exact name or alias (a
//! predecessor's too), else a short form (商务厅, 数据局, 自贸办) by the rule in
//! `luoshi_domain::registry::resolve_short_form`; several equally good fits are offered back as
//! "是否指：…？". Also the names every unit field suggests (a `<datalist>`).

use crate::AppState;
use crate::kit::error::{AppError, AppResult};
use luoshi_domain::registry::{ShortForm, resolve_short_form};
use luoshi_store::Id;

/// What a typed unit name came to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    /// The unit, by its name today.
    Unit(Id, String),
    /// Several units fit: their names, to ask "是否指…？".
    Ask(Vec<String>),
    Unknown,
}

impl Resolved {
    /// The refusal for a name that did not resolve.
    pub(crate) fn refusal(&self, typed: &str) -> String {
        match self {
            Resolved::Ask(names) => {
                format!("单位“{typed}”不在名录中。是否指：{}？", names.join("？"))
            }
            _ => format!("单位“{typed}”不在名录中，请输入名录中的单位名称或简称"),
        }
    }
}

/// Resolves a typed unit name: exactly, then as a short form.
pub(crate) async fn resolve(state: &AppState, typed: &str) -> AppResult<Resolved> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Resolved::Unknown);
    }
    if let Some(u) = state.store.unit_by_name(typed).await? {
        return Ok(Resolved::Unit(u.id, u.name));
    }
    let known = state.store.known_names().await?;
    let names: Vec<(Id, &str)> = known.iter().map(|k| (k.unit_id, k.name.as_str())).collect();
    let name_of = |id: Id| {
        known
            .iter()
            .find(|k| k.unit_id == id)
            .map(|k| k.unit_name.clone())
            .unwrap_or_default()
    };
    Ok(match resolve_short_form(typed, &names) {
        ShortForm::One(id) => Resolved::Unit(id, name_of(id)),
        ShortForm::Ask(ids) => Resolved::Ask(ids.into_iter().map(name_of).collect()),
        ShortForm::Nothing => Resolved::Unknown,
    })
}

/// Support units written as names separated by 、 or commas.
pub(crate) async fn unit_ids(state: &AppState, names: &str) -> AppResult<Vec<Id>> {
    let mut out = Vec::new();
    for n in names
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        out.push(unit_named(state, n).await?);
    }
    Ok(out)
}

/// The registry unit a written name (alias or short form) resolves to, or why not.
pub(crate) async fn unit_named(state: &AppState, name: &str) -> AppResult<Id> {
    match resolve(state, name).await? {
        Resolved::Unit(id, _) => Ok(id),
        other => Err(AppError::bad_request(other.refusal(name.trim()))),
    }
}

/// The current units' names, for a `<datalist>` on every unit field.
pub(crate) async fn suggestions(state: &AppState) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = state
        .store
        .known_names()
        .await?
        .into_iter()
        .map(|k| k.unit_name)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}
