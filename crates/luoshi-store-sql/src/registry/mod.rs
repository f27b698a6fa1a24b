//! The unit registry: names and aliases, successors, merges and splits (undoable), and the
//! resolution of a written name to a unit during import.

mod ops;

use async_trait::async_trait;
use std::collections::{HashMap, HashSet};

use luoshi_domain::registry::{SUCCESSIONS, area_of, guess_kind, shipped_units, unit_key};
use luoshi_domain::registry::{UnitKind, UnitOpKind};
use luoshi_store::registry::{
    KnownName, RegistryStore, Unit, UnitDetail, UnitEdit, UnitOp, UnitSplit, UnitSummary,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, now, scalar};

const UNIT_COLUMNS: &str = "id, name, kind, area, successor_id, succeeded_on, merged_into";

pub(crate) fn unit_row(r: &AnyRow) -> StoreResult<Unit> {
    let kind: String = r.col("kind")?;
    Ok(Unit {
        id: r.col("id")?,
        name: r.col("name")?,
        kind: UnitKind::from_code(&kind).unwrap_or(UnitKind::Other),
        area: r.col("area")?,
        successor_id: r.col("successor_id")?,
        succeeded_on: r.opt_date("succeeded_on")?,
        merged_into: r.col("merged_into")?,
    })
}

async fn unit_in(tx: &mut Tx, id: Id) -> StoreResult<Unit> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .maybe(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    unit_row(&row)
}

async fn alias_owner(tx: &mut Tx, key: &str) -> StoreResult<Option<Id>> {
    scalar("SELECT unit_id FROM unit_aliases WHERE alias_key = $1")
        .bind(key.to_string())
        .maybe(&mut **tx)
        .await
}

async fn insert_alias(tx: &mut Tx, unit_id: Id, alias: &str) -> StoreResult<()> {
    let key = unit_key(alias);
    match alias_owner(tx, &key).await? {
        Some(owner) if owner == unit_id => Ok(()),
        Some(owner) => {
            let other = unit_in(tx, owner).await?;
            Err(StoreError::Conflict(format!(
                "名称“{alias}”已是单位“{}”的名称或别名",
                other.name
            )))
        }
        None => {
            sqlx::query("INSERT INTO unit_aliases (alias_key, alias, unit_id) VALUES ($1, $2, $3)")
                .bind(key)
                .bind(alias.to_string())
                .bind(unit_id)
                .run(&mut **tx)
                .await?;
            Ok(())
        }
    }
}

/// Adds an alias to a unit inside the caller's transaction (which holds the registry lock), audited.
pub(crate) async fn add_alias_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Id,
    alias: &str,
) -> StoreResult<()> {
    let alias = alias.trim();
    if alias.is_empty() {
        return Err(StoreError::Invalid("alias_empty", "别名不能为空".into()));
    }
    crate::bounded("别名", alias, luoshi_domain::limits::NAME)?;
    unit_in(tx, id).await?;
    insert_alias(tx, id, alias).await?;
    audit(
        tx,
        actor,
        "unit.alias.add",
        "unit",
        Some(id),
        None,
        Some(json!({ "alias": alias })),
    )
    .await
}

async fn insert_unit(
    tx: &mut Tx,
    name: &str,
    kind: UnitKind,
    area: Option<&str>,
) -> StoreResult<Id> {
    if let Some(owner) = alias_owner(tx, &unit_key(name)).await? {
        let other = unit_in(tx, owner).await?;
        return Err(StoreError::Conflict(format!(
            "名称“{name}”已是单位“{}”的名称或别名",
            other.name
        )));
    }
    let id: i64 = scalar(
        "INSERT INTO units (name, kind, area, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name.to_string())
    .bind(kind.code())
    .bind(area.map(str::to_string))
    .bind(now())
    .one(&mut **tx)
    .await?;
    insert_alias(tx, id, name).await?;
    Ok(id)
}

/// The unit a written name denotes, created (kind guessed) when the registry does not know it.
/// Returns the id and whether it was created.
pub(crate) async fn resolve_or_create(tx: &mut Tx, written: &str) -> StoreResult<(Id, bool)> {
    if let Some(id) = alias_owner(tx, &unit_key(written)).await? {
        return Ok((id, false));
    }
    let area = area_of(written).map(|a| a.code);
    let id = insert_unit(tx, written, guess_kind(written), area).await?;
    Ok((id, true))
}

/// Points every unit at the unit that carries it today (`current_id`, NULL for itself), from the
/// successor and merge links. Every registry change runs it in its transaction; it reads the units
/// once and writes only what changed.
pub(crate) async fn refresh_current(tx: &mut Tx) -> StoreResult<()> {
    let rows = sqlx::query("SELECT id, successor_id, merged_into, current_id FROM units")
        .all(&mut **tx)
        .await?;
    let mut next = Vec::with_capacity(rows.len());
    let mut stored = HashMap::new();
    for r in &rows {
        let id: Id = r.col("id")?;
        let successor: Option<Id> = r.col("successor_id")?;
        let merged: Option<Id> = r.col("merged_into")?;
        next.push((id, successor.or(merged)));
        stored.insert(id, r.col::<Option<Id>, _>("current_id")?);
    }
    for (id, cur) in luoshi_domain::registry::current_units(&next) {
        let want = (cur != id).then_some(cur);
        if stored.get(&id).copied().flatten() != want {
            sqlx::query("UPDATE units SET current_id = $1 WHERE id = $2")
                .bind(want)
                .bind(id)
                .run(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn all_units(s: &SqlStore) -> StoreResult<Vec<Unit>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).all(&s.pool).await?;
    rows.iter().map(unit_row).collect()
}

/// Predecessors of every unit, transitively, from the successor links.
fn families(units: &[Unit]) -> HashMap<Id, Vec<Id>> {
    let mut preds: HashMap<Id, Vec<Id>> = HashMap::new();
    for u in units {
        if let Some(s) = u.successor_id {
            preds.entry(s).or_default().push(u.id);
        }
    }
    let mut out = HashMap::new();
    for u in units {
        let mut family = vec![u.id];
        let mut seen: HashSet<Id> = HashSet::from([u.id]);
        let mut i = 0;
        while i < family.len() {
            for p in preds.get(&family[i]).into_iter().flatten() {
                if seen.insert(*p) {
                    family.push(*p);
                }
            }
            i += 1;
        }
        out.insert(u.id, family);
    }
    out
}

/// A unit and, transitively, the units it succeeded (one recursive query on both dialects).
async fn family_ids(s: &SqlStore, id: Id) -> StoreResult<Vec<Id>> {
    scalar(
        "WITH RECURSIVE fam(id) AS (SELECT id FROM units WHERE id = $1 \
           UNION SELECT u.id FROM units u JOIN fam ON u.successor_id = fam.id) \
         SELECT id FROM fam",
    )
    .bind(id)
    .all(&s.pool)
    .await
}

async fn units_by_ids(s: &SqlStore, ids: &[Id]) -> StoreResult<Vec<Unit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new("");
    let list = q.bind_ids(ids);
    q.push(&format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE id IN ({list}) ORDER BY id"
    ));
    let rows = q.query().all(&s.pool).await?;
    rows.iter().map(unit_row).collect()
}

#[async_trait]
impl RegistryStore for SqlStore {
    async fn seed_registry(&self, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.registry_lock(&mut tx).await?;
        let mut added = Vec::new();
        for u in shipped_units() {
            let id = match alias_owner(&mut tx, &unit_key(&u.name)).await? {
                Some(id) => id,
                None => {
                    added.push(u.name.clone());
                    insert_unit(&mut tx, &u.name, u.kind, u.area).await?
                }
            };
            for alias in &u.aliases {
                if alias_owner(&mut tx, &unit_key(alias)).await?.is_none() {
                    insert_alias(&mut tx, id, alias).await?;
                }
            }
        }
        for succ in SUCCESSIONS {
            let from = alias_owner(&mut tx, &unit_key(succ.from)).await?;
            let to = alias_owner(&mut tx, &unit_key(succ.to)).await?;
            if let (Some(from), Some(to)) = (from, to) {
                sqlx::query(
                    "UPDATE units SET successor_id = $1, succeeded_on = $2 WHERE id = $3 AND successor_id IS NULL",
                )
                .bind(to)
                .bind(succ.date)
                .bind(from)
                .run(&mut *tx).await?;
            }
        }
        if !added.is_empty() {
            audit(
                &mut tx,
                actor,
                "registry.seed",
                "unit",
                None,
                None,
                Some(json!({ "units": added })),
            )
            .await?;
        }
        refresh_current(&mut tx).await?;
        commit(tx).await
    }

    async fn units(&self) -> StoreResult<Vec<UnitSummary>> {
        let units = all_units(self).await?;
        let rows = sqlx::query(
            "SELECT tu.unit_id, \
               COUNT(DISTINCT CASE WHEN tu.role = 'lead' THEN tu.task_id END) AS lead, \
               COUNT(DISTINCT CASE WHEN tu.role = 'support' THEN tu.task_id END) AS support \
             FROM task_units tu WHERE tu.live = 1 GROUP BY tu.unit_id",
        )
        .all(&self.pool)
        .await?;
        let mut counts: HashMap<Id, (i64, i64)> = HashMap::new();
        for r in rows {
            counts.insert(r.col("unit_id")?, (r.col("lead")?, r.col("support")?));
        }
        let fam = families(&units);
        Ok(units
            .into_iter()
            .filter(|u| u.merged_into.is_none())
            .map(|u| {
                let (lead, support) = fam[&u.id]
                    .iter()
                    .filter_map(|id| counts.get(id))
                    .fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
                UnitSummary {
                    unit: u,
                    lead_tasks: lead,
                    support_tasks: support,
                }
            })
            .collect())
    }

    async fn unit(&self, id: Id) -> StoreResult<Option<UnitDetail>> {
        let family = family_ids(self, id).await?;
        if family.is_empty() {
            return Ok(None);
        }
        let mut units = units_by_ids(self, &family).await?;
        let Some(pos) = units.iter().position(|u| u.id == id) else {
            return Ok(None);
        };
        let unit = units.remove(pos);
        let successor = match unit.successor_id {
            Some(sid) => units_by_ids(self, &[sid]).await?.pop(),
            None => None,
        };
        let aliases: Vec<String> =
            scalar("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias")
                .bind(id)
                .all(&self.pool)
                .await?;
        Ok(Some(UnitDetail {
            unit,
            aliases,
            predecessors: units,
            successor,
        }))
    }

    async fn unit_by_name(&self, name: &str) -> StoreResult<Option<Unit>> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE id = (SELECT unit_id FROM unit_aliases WHERE alias_key = $1)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(unit_key(name))
            .maybe(&self.pool)
            .await?;
        row.as_ref().map(unit_row).transpose()
    }

    async fn known_names(&self) -> StoreResult<Vec<KnownName>> {
        sqlx::query(
            "SELECT a.alias, c.id AS unit_id, c.name AS unit_name FROM unit_aliases a \
             JOIN units u ON u.id = a.unit_id JOIN units c ON c.id = COALESCE(u.current_id, u.id) \
             ORDER BY c.name, a.alias",
        )
        .all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(KnownName {
                name: r.col("alias")?,
                unit_id: r.col("unit_id")?,
                unit_name: r.col("unit_name")?,
            })
        })
        .collect()
    }

    async fn unit_family(&self, id: Id) -> StoreResult<Vec<Id>> {
        let mut ids = family_ids(self, id).await?;
        if ids.is_empty() {
            return Err(StoreError::NotFound);
        }
        // The unit itself first, as callers expect.
        if let Some(pos) = ids.iter().position(|x| *x == id) {
            ids.swap(0, pos);
        }
        Ok(ids)
    }

    async fn create_unit(&self, actor: &Actor, name: &str, kind: UnitKind) -> StoreResult<Unit> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "unit_name_empty",
                "单位名称不能为空".into(),
            ));
        }
        crate::bounded("单位名称", name, luoshi_domain::limits::NAME)?;
        let mut tx = self.write().await?;
        self.registry_lock(&mut tx).await?;
        let area = area_of(name).map(|a| a.code);
        let id = insert_unit(&mut tx, name, kind, area).await?;
        let unit = unit_in(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "unit.create",
            "unit",
            Some(id),
            None,
            Some(json!(unit)),
        )
        .await?;
        commit(tx).await?;
        Ok(unit)
    }

    async fn update_unit(&self, actor: &Actor, id: Id, edit: UnitEdit) -> StoreResult<Unit> {
        let mut tx = self.write().await?;
        self.registry_lock(&mut tx).await?;
        let before = unit_in(&mut tx, id).await?;
        let mut after = before.clone();
        if let Some(name) = edit.name.as_deref().map(str::trim)
            && name != before.name
        {
            if name.is_empty() {
                return Err(StoreError::Invalid(
                    "unit_name_empty",
                    "单位名称不能为空".into(),
                ));
            }
            crate::bounded("单位名称", name, luoshi_domain::limits::NAME)?;
            insert_alias(&mut tx, id, name).await?;
            after.name = name.to_string();
        }
        if let Some(kind) = edit.kind {
            after.kind = kind;
        }
        if let Some(successor) = edit.successor_id {
            if let Some(succ) = successor {
                // Refuse cycles: walking from the successor must never come back here.
                let mut cur = Some(succ);
                let mut steps = 0;
                while let Some(c) = cur {
                    if c == id {
                        return Err(StoreError::Invalid(
                            "succession_cycle",
                            "继任关系不能形成循环".into(),
                        ));
                    }
                    cur = unit_in(&mut tx, c).await?.successor_id;
                    steps += 1;
                    if steps > 1000 {
                        break;
                    }
                }
            }
            after.successor_id = successor;
        }
        if let Some(date) = edit.succeeded_on {
            after.succeeded_on = date;
        }
        sqlx::query(
            "UPDATE units SET name = $1, kind = $2, successor_id = $3, succeeded_on = $4 WHERE id = $5",
        )
        .bind(after.name.clone())
        .bind(after.kind.code())
        .bind(after.successor_id)
        .bind(after.succeeded_on.map(|d| d.to_string()))
        .bind(id)
        .run(&mut *tx).await?;
        audit(
            &mut tx,
            actor,
            "unit.update",
            "unit",
            Some(id),
            Some(json!(before)),
            Some(json!(after)),
        )
        .await?;
        refresh_current(&mut tx).await?;
        commit(tx).await?;
        Ok(after)
    }

    async fn add_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.registry_lock(&mut tx).await?;
        add_alias_in(&mut tx, actor, id, alias).await?;
        commit(tx).await
    }

    async fn remove_alias(&self, actor: &Actor, id: Id, alias: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.registry_lock(&mut tx).await?;
        let unit = unit_in(&mut tx, id).await?;
        let key = unit_key(alias);
        if key == unit_key(&unit.name) {
            return Err(StoreError::Invalid(
                "official_name_kept",
                "不能删除单位的正式名称".into(),
            ));
        }
        let used: i64 = scalar("SELECT COUNT(*) FROM task_units WHERE written_key = $1")
            .bind(key.clone())
            .one(&mut *tx)
            .await?;
        if used > 0 {
            return Err(StoreError::Invalid(
                "alias_in_use",
                format!("有 {used} 项任务以“{alias}”书写，不能删除该别名；如需分开请使用“拆分”"),
            ));
        }
        let n = sqlx::query("DELETE FROM unit_aliases WHERE alias_key = $1 AND unit_id = $2")
            .bind(key)
            .bind(id)
            .run(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit(
            &mut tx,
            actor,
            "unit.alias.remove",
            "unit",
            Some(id),
            Some(json!({ "alias": alias })),
            None,
        )
        .await?;
        commit(tx).await
    }

    async fn merge_units(&self, actor: &Actor, from: Id, into: Id) -> StoreResult<Id> {
        ops::merge_units(self, actor, from, into).await
    }

    async fn split_unit(&self, actor: &Actor, split: UnitSplit) -> StoreResult<Id> {
        ops::split_unit(self, actor, split).await
    }

    async fn undo_unit_op(&self, actor: &Actor, op_id: Id) -> StoreResult<()> {
        ops::undo_unit_op(self, actor, op_id).await
    }

    async fn unit_ops(&self, unit: Option<Id>) -> StoreResult<Vec<UnitOp>> {
        let rows = sqlx::query(
            "SELECT id, kind, unit_id, other_id, at, by_name, undone FROM unit_ops \
             WHERE ($1 = 0 OR unit_id = $1 OR other_id = $1) ORDER BY id DESC",
        )
        .bind(unit.unwrap_or(0))
        .all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitOp {
                    id: r.col("id")?,
                    kind: r.parsed("kind", UnitOpKind::from_code)?,
                    unit_id: r.col("unit_id")?,
                    other_id: r.col("other_id")?,
                    at: r.col("at")?,
                    by: r.col("by_name")?,
                    undone: r.col::<i64, _>("undone")? != 0,
                })
            })
            .collect()
    }
}
