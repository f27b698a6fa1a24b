//! What users type, resolved to units through the registry (aliases, short forms, successors).

use crate::AppState;
use crate::kit::error::{AppError, AppResult};
use luoshi_store::Id;

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

/// The registry unit a written name (or alias) resolves to, or why not.
pub(crate) async fn unit_named(state: &AppState, name: &str) -> AppResult<Id> {
    Ok(state
        .store
        .unit_by_name(name)
        .await?
        .ok_or_else(|| AppError::bad_request(format!("单位“{name}”不在名录中")))?
        .id)
}
