//! Writing a planned import: one transaction that re-checks the base version, stores the
//! original, the version and its tasks (matched ones keep their identity, dropped ones retire),
//! resolves every written unit name through the registry (after adding the names the office
//! mapped to existing units as their aliases), and audits it.

use super::documents::{
    Resolved, insert_version, refresh_statistics, set_latest, title_of, write_task,
};
use crate::{Col, Dialect, Fetch, Run, SqlStore, audit, commit, now, scalar};
use luoshi_domain::registry::unit_key;
use luoshi_store::ledger::{ImportOutcome, ImportPlan, PlanTarget, TaskMatch};
use luoshi_store::{Actor, StoreError, StoreResult};
use serde_json::json;

pub(super) async fn apply_import(
    s: &SqlStore,
    actor: &Actor,
    plan: &ImportPlan,
) -> StoreResult<ImportOutcome> {
    let mut tx = s.write().await?;
    if s.dialect == Dialect::Postgres {
        // Imports resolve and create units; two processes must not race on the same names.
        sqlx::query("SELECT pg_advisory_xact_lock(7351002)")
            .run(&mut *tx)
            .await?;
    }
    // The same bytes may have been imported since the plan was made (a double click, another
    // server): nothing changes then.
    let existing = sqlx::query("SELECT document_id, id FROM versions WHERE sha256 = $1")
        .bind(plan.sha256.clone())
        .maybe(&mut *tx)
        .await?;
    if let Some(r) = existing {
        return Ok(ImportOutcome::Unchanged {
            document_id: r.col(0)?,
            version_id: r.col(1)?,
        });
    }
    // Names the office mapped to existing units become their aliases before any task links.
    let mut mapped = Resolved::new();
    if !plan.unit_map.is_empty() {
        s.registry_lock(&mut tx).await?;
    }
    for (written, unit_id) in &plan.unit_map {
        crate::registry::add_alias_in(&mut tx, actor, *unit_id, written).await?;
        mapped.insert(written.clone(), *unit_id);
    }
    let doc = &plan.input.document;
    let title = title_of(doc, &plan.input.file_name);
    let outcome = match &plan.target {
        PlanTarget::AlreadyStored {
            document_id,
            version_id,
        } => ImportOutcome::Unchanged {
            document_id: *document_id,
            version_id: *version_id,
        },
        PlanTarget::NewDocument => {
            let document_id: i64 = scalar(
                "INSERT INTO documents (title, title_key, doc_number, issuer, signed_date, printed_date, \
                 reporting_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(title.clone())
            .bind(unit_key(&title))
            .bind(doc.meta.doc_number.clone())
            .bind(doc.meta.issuer.clone())
            .bind(doc.meta.signed_date.clone())
            .bind(doc.meta.printed_date.clone())
            .bind(plan.reporting_from.map(|d| d.to_string()))
            .bind(now())
            .one(&mut *tx).await?;
            let version_id =
                insert_version(&mut tx, actor, plan, document_id, 1, None, &[]).await?;
            let mut new_units = 0;
            let mut resolved = mapped.clone();
            let mut task_ids = Vec::with_capacity(doc.tasks.len());
            for (seq, task) in doc.tasks.iter().enumerate() {
                let (task_id, created) = write_task(
                    &mut tx,
                    &mut resolved,
                    None,
                    document_id,
                    version_id,
                    seq as i64,
                    task,
                )
                .await?;
                task_ids.push(task_id);
                new_units += created;
            }
            crate::indicators::write_targets(&mut tx, document_id, version_id, doc, &task_ids)
                .await?;
            set_latest(&mut tx, document_id, version_id, doc).await?;
            ImportOutcome::NewDocument {
                document_id,
                version_id,
                tasks: doc.tasks.len() as i64,
                new_units,
            }
        }
        PlanTarget::NewVersion {
            document_id,
            base_version_id,
            version_no,
            diff,
            matches,
            retired,
        } => {
            let latest: Option<i64> =
                scalar("SELECT latest_version_id FROM documents WHERE id = $1")
                    .bind(*document_id)
                    .maybe(&mut *tx)
                    .await?
                    .flatten();
            if latest != Some(*base_version_id) {
                return Err(StoreError::Conflict(
                    "该文件在预览之后又导入了新版本，请重新导入以核对差异".into(),
                ));
            }
            let version_id = insert_version(
                &mut tx,
                actor,
                plan,
                *document_id,
                *version_no,
                Some(diff.similarity),
                &diff.changes,
            )
            .await?;
            let mut new_units = 0;
            let mut matched = 0;
            let mut resolved = mapped.clone();
            let mut task_ids = Vec::with_capacity(doc.tasks.len());
            for (seq, (task, m)) in doc.tasks.iter().zip(matches).enumerate() {
                let existing = match m {
                    TaskMatch::Continues(id) => {
                        matched += 1;
                        Some(*id)
                    }
                    TaskMatch::New => None,
                };
                let (task_id, created) = write_task(
                    &mut tx,
                    &mut resolved,
                    existing,
                    *document_id,
                    version_id,
                    seq as i64,
                    task,
                )
                .await?;
                task_ids.push(task_id);
                new_units += created;
            }
            crate::indicators::write_targets(&mut tx, *document_id, version_id, doc, &task_ids)
                .await?;
            for id in retired {
                sqlx::query("UPDATE tasks SET retired = 1, last_version_id = $1 WHERE id = $2")
                    .bind(version_id)
                    .bind(*id)
                    .run(&mut *tx)
                    .await?;
                sqlx::query("UPDATE task_units SET live = 0 WHERE task_id = $1")
                    .bind(*id)
                    .run(&mut *tx)
                    .await?;
            }
            // A reprint often lacks the 版头: what the new version does not say is kept.
            sqlx::query(
                "UPDATE documents SET title = COALESCE($1, title), title_key = COALESCE($2, title_key), \
                 doc_number = COALESCE($3, doc_number), issuer = COALESCE($4, issuer), \
                 signed_date = COALESCE($5, signed_date), printed_date = COALESCE($6, printed_date) \
                 WHERE id = $7",
            )
            .bind(doc.meta.title.clone())
            .bind(doc.meta.title.as_deref().map(unit_key))
            .bind(doc.meta.doc_number.clone())
            .bind(doc.meta.issuer.clone())
            .bind(doc.meta.signed_date.clone())
            .bind(doc.meta.printed_date.clone())
            .bind(*document_id)
            .run(&mut *tx).await?;
            set_latest(&mut tx, *document_id, version_id, doc).await?;
            ImportOutcome::NewVersion {
                document_id: *document_id,
                version_id,
                version_no: *version_no,
                matched,
                added: doc.tasks.len() as i64 - matched,
                retired: retired.len() as i64,
                changes: diff.changes.len() as i64,
                new_units,
            }
        }
    };
    audit(
        &mut tx,
        actor,
        "document.import",
        "document",
        Some(outcome.document_id()),
        None,
        Some(json!({
            "file_name": plan.input.file_name, "sha256": plan.sha256, "title": title,
            "outcome": outcome,
        })),
    )
    .await?;
    commit(tx).await?;
    *s.counts_cache.lock().expect("not poisoned") = None;
    if s.dialect == Dialect::Postgres {
        let pool = s.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = refresh_statistics(&pool).await {
                eprintln!("luoshi: statistics refresh failed: {e}");
            }
        });
    }
    Ok(outcome)
}
