//! The unit registry: units, their aliases, successions, merges and splits.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::registry::{UnitKind, UnitOpKind};
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

/// A registry entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: Id,
    pub name: String,
    pub kind: UnitKind,
    /// Area code (`nanning`, …) for an area committee.
    pub area: Option<String>,
    pub successor_id: Option<Id>,
    /// ISO date the successor took over.
    pub succeeded_on: Option<Date>,
    /// Set when the unit was merged into another.
    pub merged_into: Option<Id>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitSummary {
    #[serde(flatten)]
    pub unit: Unit,
    /// Live tasks led, including those of predecessors.
    pub lead_tasks: i64,
    pub support_tasks: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    pub aliases: Vec<String>,
    pub predecessors: Vec<Unit>,
    pub successor: Option<Unit>,
}

/// An edit of a unit's own fields; `None` leaves a field alone.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitEdit {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    /// Absent: unchanged; `null`: cleared; a value: set.
    #[serde(default, deserialize_with = "present")]
    pub successor_id: Option<Option<Id>>,
    /// As `successor_id`; an empty string clears it too (a form's blank field).
    #[serde(default, deserialize_with = "present_date")]
    pub succeeded_on: Option<Option<Date>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one not sent (`None`, via `default`).
fn present<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `present` for a date, reading a blank string as `null`.
fn present_date<'de, D>(d: D) -> Result<Option<Option<Date>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) if s.trim().is_empty() => Ok(Some(None)),
        Some(s) => Date::parse(&s)
            .map(|day| Some(Some(day)))
            .ok_or_else(|| serde::de::Error::custom(format!("not a date (YYYY-MM-DD): {s:?}"))),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct UnitSplit {
    pub unit_id: Id,
    pub new_name: String,
    pub kind: UnitKind,
    /// Aliases of `unit_id` that belong to the new unit; tasks written with them move too.
    pub aliases: Vec<String>,
}

/// A merge or split, kept so it can be undone.
#[derive(Debug, Clone, Serialize)]
pub struct UnitOp {
    pub id: Id,
    pub kind: UnitOpKind,
    pub unit_id: Id,
    pub other_id: Id,
    pub at: i64,
    pub by: String,
    pub undone: bool,
}

/// A name the registry knows (a unit's own or an alias, a predecessor's included) and the unit
/// that carries it today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownName {
    pub name: String,
    pub unit_id: Id,
    pub unit_name: String,
}

/// The unit registry.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Loads the shipped registry into an empty database (idempotent).
    async fn seed_registry(&self, actor: &Actor) -> StoreResult<()>;
    async fn units(&self) -> StoreResult<Vec<UnitSummary>>;
    async fn unit(&self, id: Id) -> StoreResult<Option<UnitDetail>>;
    /// The unit an alias (or name, or predecessor's name) resolves to, successors not followed.
    async fn unit_by_name(&self, name: &str) -> StoreResult<Option<Unit>>;
    /// Every name and alias, each with the unit that carries it today (for suggestions and
    /// short forms).
    async fn known_names(&self) -> StoreResult<Vec<KnownName>>;
    /// A unit and, transitively, every unit it succeeded.
    async fn unit_family(&self, id: Id) -> StoreResult<Vec<Id>>;
    async fn create_unit(&self, actor: &Actor, name: &str, kind: UnitKind) -> StoreResult<Unit>;
    async fn update_unit(&self, actor: &Actor, id: Id, edit: UnitEdit) -> StoreResult<Unit>;
    async fn add_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()>;
    async fn remove_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()>;
    /// Folds `from` into `into`: names, tasks and accounts move. Returns the operation's id.
    async fn merge_units(&self, actor: &Actor, from: Id, into: Id) -> StoreResult<Id>;
    /// Splits the named aliases (and the tasks written with them) off into a new unit.
    async fn split_unit(&self, actor: &Actor, split: UnitSplit) -> StoreResult<Id>;
    async fn undo_unit_op(&self, actor: &Actor, op_id: Id) -> StoreResult<()>;
    async fn unit_ops(&self, unit: Option<Id>) -> StoreResult<Vec<UnitOp>>;
}

#[cfg(test)]
mod tests {
    use super::UnitEdit;

    #[test]
    fn null_clears_and_absent_keeps() {
        let e: UnitEdit = serde_json::from_str(r#"{"successor_id": null}"#).unwrap();
        assert_eq!(e.successor_id, Some(None));
        assert_eq!(e.succeeded_on, None);
        let e: UnitEdit = serde_json::from_str(r#"{"successor_id": 7}"#).unwrap();
        assert_eq!(e.successor_id, Some(Some(7)));
    }
}
