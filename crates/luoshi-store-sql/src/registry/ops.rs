//! Registry operations that move names, task links and accounts between units — merge, split
//! and their undo — each recorded in `unit_ops` with the payload its undo needs.

use super::{insert_alias, unit_in};
use crate::{Arg, Col, Fetch, Q, Run, SqlStore, Tx, audit, commit, now, scalar};
use luoshi_domain::registry::{area_of, unit_key};
use luoshi_store::registry::UnitSplit;
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::{Value, json};
use std::collections::HashSet;

async fn ids(tx: &mut Tx, sql: &'static str, id: Id) -> StoreResult<Vec<i64>> {
    scalar(sql).bind(id).all(&mut **tx).await
}

async fn strings(tx: &mut Tx, sql: &'static str, id: Id) -> StoreResult<Vec<String>> {
    scalar(sql).bind(id).all(&mut **tx).await
}

/// Task-unit links as "task_id:ord" keys.
async fn links(tx: &mut Tx, unit: Id, keys: Option<&[String]>) -> StoreResult<Vec<(Id, Id)>> {
    let mut q = Q::new("SELECT task_id, ord FROM task_units WHERE unit_id = ");
    let p = q.bind(Arg::I(unit));
    q.push(&p);
    if let Some(keys) = keys {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let ps: Vec<String> = keys.iter().map(|k| q.bind(Arg::S(k.clone()))).collect();
        q.push(&format!(" AND written_key IN ({})", ps.join(", ")));
    }
    let rows = q.query().all(&mut **tx).await?;
    rows.iter().map(|r| Ok((r.col(0)?, r.col(1)?))).collect()
}

/// Points task links at another unit. A task that already names `to` keeps its own link, and the
/// old one stays with the old unit (a task links a unit once).
async fn move_links(tx: &mut Tx, links: &[(Id, Id)], to: Id) -> StoreResult<()> {
    for (task, ord) in links {
        sqlx::query(
            "UPDATE task_units SET unit_id = $1 WHERE task_id = $2 AND ord = $3 \
             AND NOT EXISTS (SELECT 1 FROM task_units x WHERE x.task_id = $2 AND x.unit_id = $1)",
        )
        .bind(to)
        .bind(*task)
        .bind(*ord)
        .run(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `UPDATE {table} SET {column} = to WHERE {key} IN (keys)` in one statement.
async fn repoint(
    tx: &mut Tx,
    table: &str,
    column: &str,
    key: &str,
    keys: Vec<Arg>,
    to: Id,
) -> StoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut q = Q::new("");
    let target = q.bind(Arg::I(to));
    let list: Vec<String> = keys.into_iter().map(|k| q.bind(k)).collect();
    q.push(&format!(
        "UPDATE {table} SET {column} = {target} WHERE {key} IN ({})",
        list.join(", ")
    ));
    q.query().run(&mut **tx).await?;
    Ok(())
}

/// Moves names to another unit.
async fn move_aliases(tx: &mut Tx, keys: &[String], to: Id) -> StoreResult<()> {
    let keys = keys.iter().map(|k| Arg::S(k.clone())).collect();
    repoint(tx, "unit_aliases", "unit_id", "alias_key", keys, to).await
}

/// Moves accounts to another unit.
async fn move_users(tx: &mut Tx, users: &[Id], to: Id) -> StoreResult<()> {
    let ids = users.iter().map(|u| Arg::I(*u)).collect();
    repoint(tx, "users", "unit_id", "id", ids, to).await
}

/// Makes `to` the successor of these units.
async fn set_successor(tx: &mut Tx, units: &[Id], to: Id) -> StoreResult<()> {
    let ids = units.iter().map(|u| Arg::I(*u)).collect();
    repoint(tx, "units", "successor_id", "id", ids, to).await
}

async fn record_op(
    tx: &mut Tx,
    actor: &Actor,
    kind: &str,
    unit: Id,
    other: Id,
    payload: &Value,
) -> StoreResult<Id> {
    scalar(
        "INSERT INTO unit_ops (kind, unit_id, other_id, payload, at, by_name) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(kind.to_string())
    .bind(unit)
    .bind(other)
    .bind(payload.to_string())
    .bind(now())
    .bind(actor.name.clone())
    .one(&mut **tx).await
}

fn payload_ids(p: &Value, key: &str) -> Vec<Id> {
    p[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

fn payload_strings(p: &Value, key: &str) -> Vec<String> {
    p[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn payload_links(p: &Value) -> Vec<(Id, Id)> {
    p["links"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| Some((l[0].as_i64()?, l[1].as_i64()?)))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) async fn merge_units(
    s: &SqlStore,
    actor: &Actor,
    from: Id,
    into: Id,
) -> StoreResult<Id> {
    if from == into {
        return Err(StoreError::Invalid(
            "merge_into_self",
            "不能把单位合并到自身".into(),
        ));
    }
    let mut tx = s.write().await?;
    s.registry_lock(&mut tx).await?;
    let a = unit_in(&mut tx, from).await?;
    let b = unit_in(&mut tx, into).await?;
    if a.merged_into.is_some() || b.merged_into.is_some() {
        return Err(StoreError::Invalid(
            "already_merged",
            "已被合并的单位不能再合并".into(),
        ));
    }
    let aliases = strings(
        &mut tx,
        "SELECT alias_key FROM unit_aliases WHERE unit_id = $1",
        from,
    )
    .await?;
    let moved_links = links(&mut tx, from, None).await?;
    let users = ids(&mut tx, "SELECT id FROM users WHERE unit_id = $1", from).await?;
    let preds = ids(
        &mut tx,
        "SELECT id FROM units WHERE successor_id = $1",
        from,
    )
    .await?;
    move_aliases(&mut tx, &aliases, into).await?;
    move_links(&mut tx, &moved_links, into).await?;
    move_users(&mut tx, &users, into).await?;
    set_successor(&mut tx, &preds, into).await?;
    sqlx::query("UPDATE units SET merged_into = $1 WHERE id = $2")
        .bind(into)
        .bind(from)
        .run(&mut *tx)
        .await?;
    let payload = json!({
        "aliases": aliases, "links": moved_links, "users": users, "predecessors": preds,
    });
    let op = record_op(&mut tx, actor, "merge", from, into, &payload).await?;
    audit(
        &mut tx,
        actor,
        "unit.merge",
        "unit",
        Some(from),
        Some(json!({ "from": a, "into": b })),
        Some(json!({ "op": op, "moved": payload })),
    )
    .await?;
    super::refresh_current(&mut tx).await?;
    commit(tx).await?;
    Ok(op)
}

pub(super) async fn split_unit(s: &SqlStore, actor: &Actor, split: UnitSplit) -> StoreResult<Id> {
    let mut tx = s.write().await?;
    s.registry_lock(&mut tx).await?;
    let source = unit_in(&mut tx, split.unit_id).await?;
    let own: HashSet<String> = strings(
        &mut tx,
        "SELECT alias_key FROM unit_aliases WHERE unit_id = $1",
        split.unit_id,
    )
    .await?
    .into_iter()
    .collect();
    let keys: Vec<String> = split.aliases.iter().map(|a| unit_key(a)).collect();
    if let Some(bad) = split.aliases.iter().find(|a| !own.contains(&unit_key(a))) {
        return Err(StoreError::Invalid(
            "alias_not_of_unit",
            format!("“{bad}”不是单位“{}”的别名", source.name),
        ));
    }
    if keys.contains(&unit_key(&source.name)) {
        return Err(StoreError::Invalid(
            "split_takes_official_name",
            "拆分时不能带走原单位的正式名称".into(),
        ));
    }
    let new_name = split.new_name.trim();
    let new_key = unit_key(new_name);
    // The new unit's own name may be one of the aliases it takes along.
    let mut moving = keys.clone();
    if own.contains(&new_key) && !moving.contains(&new_key) {
        moving.push(new_key.clone());
    }
    let new_id: i64 = scalar(
        "INSERT INTO units (name, kind, area, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(new_name.to_string())
    .bind(split.kind.code())
    .bind(area_of(new_name).map(|a| a.code.to_string()))
    .bind(now())
    .one(&mut *tx)
    .await?;
    move_aliases(&mut tx, &moving, new_id).await?;
    if !moving.contains(&new_key) {
        insert_alias(&mut tx, new_id, new_name).await?;
    }
    let moved_links = links(&mut tx, split.unit_id, Some(&moving)).await?;
    move_links(&mut tx, &moved_links, new_id).await?;
    let payload = json!({ "aliases": moving, "links": moved_links, "new_unit": new_id });
    let op = record_op(&mut tx, actor, "split", split.unit_id, new_id, &payload).await?;
    audit(
        &mut tx,
        actor,
        "unit.split",
        "unit",
        Some(split.unit_id),
        Some(json!(source)),
        Some(json!({ "op": op, "new_unit": new_id, "moved": payload })),
    )
    .await?;
    super::refresh_current(&mut tx).await?;
    commit(tx).await?;
    Ok(op)
}

pub(super) async fn undo_unit_op(s: &SqlStore, actor: &Actor, op_id: Id) -> StoreResult<()> {
    let mut tx = s.write().await?;
    s.registry_lock(&mut tx).await?;
    let row =
        sqlx::query("SELECT kind, unit_id, other_id, payload, undone FROM unit_ops WHERE id = $1")
            .bind(op_id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let kind: String = row.col("kind")?;
    let unit: Id = row.col("unit_id")?;
    let other: Id = row.col("other_id")?;
    let undone: i64 = row.col("undone")?;
    let payload: Value = serde_json::from_str(&row.col::<String, _>("payload")?)
        .map_err(|e| StoreError::Database(e.to_string(), None))?;
    if undone != 0 {
        return Err(StoreError::Invalid("already_undone", "该操作已撤销".into()));
    }
    let later: i64 = scalar(
        "SELECT COUNT(*) FROM unit_ops WHERE id > $1 AND undone = 0 \
         AND (unit_id IN ($2, $3) OR other_id IN ($2, $3))",
    )
    .bind(op_id)
    .bind(unit)
    .bind(other)
    .one(&mut *tx)
    .await?;
    if later > 0 {
        return Err(StoreError::Invalid(
            "later_ops_first",
            "这两个单位之后还有合并或拆分操作，请先撤销较晚的操作".into(),
        ));
    }
    let aliases = payload_strings(&payload, "aliases");
    let moved = payload_links(&payload);
    match kind.as_str() {
        "merge" => {
            move_aliases(&mut tx, &aliases, unit).await?;
            move_links(&mut tx, &moved, unit).await?;
            move_users(&mut tx, &payload_ids(&payload, "users"), unit).await?;
            set_successor(&mut tx, &payload_ids(&payload, "predecessors"), unit).await?;
            sqlx::query("UPDATE units SET merged_into = NULL WHERE id = $1")
                .bind(unit)
                .run(&mut *tx)
                .await?;
        }
        "split" => {
            // Everything the new unit took goes back; it is folded into its source.
            let own = strings(
                &mut tx,
                "SELECT alias_key FROM unit_aliases WHERE unit_id = $1",
                other,
            )
            .await?;
            let all = links(&mut tx, other, None).await?;
            move_aliases(&mut tx, &own, unit).await?;
            move_links(&mut tx, &all, unit).await?;
            let users = ids(&mut tx, "SELECT id FROM users WHERE unit_id = $1", other).await?;
            move_users(&mut tx, &users, unit).await?;
            sqlx::query("UPDATE units SET merged_into = $1 WHERE id = $2")
                .bind(unit)
                .bind(other)
                .run(&mut *tx)
                .await?;
        }
        _ => {
            return Err(StoreError::Database(
                format!("unknown unit op {kind}"),
                None,
            ));
        }
    }
    sqlx::query("UPDATE unit_ops SET undone = 1 WHERE id = $1")
        .bind(op_id)
        .run(&mut *tx)
        .await?;
    audit(
        &mut tx,
        actor,
        &format!("unit.{kind}.undo"),
        "unit",
        Some(unit),
        Some(payload),
        Some(json!({ "op": op_id })),
    )
    .await?;
    super::refresh_current(&mut tx).await?;
    commit(tx).await
}
