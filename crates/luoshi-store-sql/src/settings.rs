//! The office's settings, one JSON row, validated before it is saved. The mail server's password
//! is sealed with the data key inside that row and left out of the audit record.

use async_trait::async_trait;

use crate::{Fetch, Run, SqlStore, audit, commit, now, scalar};
use luoshi_store::settings::{Settings, SettingsStore};
use luoshi_store::{Actor, StoreError, StoreResult};

const SETTINGS_KEY: &str = "office";

pub(crate) async fn settings_in(
    exec: impl sqlx::Executor<'_, Database = sqlx::Any>,
) -> StoreResult<Settings> {
    let v: Option<String> = scalar("SELECT value FROM settings WHERE key = $1")
        .bind(SETTINGS_KEY)
        .maybe(exec)
        .await?;
    let mut settings: Settings = v
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    if let Some(smtp) = settings.smtp.as_mut()
        && let Some(p) = smtp.password.as_mut()
    {
        *p = crate::encryption::open_text(p)?;
    }
    Ok(settings)
}

/// The settings as the audit log shows them: the password only as "set".
fn redacted(settings: &Settings) -> Option<serde_json::Value> {
    let mut v = serde_json::to_value(settings).ok()?;
    if let Some(p) = v.pointer_mut("/smtp/password") {
        *p = "（已设置）".into();
    }
    Some(v)
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn settings(&self) -> StoreResult<Settings> {
        settings_in(&self.pool).await
    }

    async fn save_settings(&self, actor: &Actor, settings: &Settings) -> StoreResult<()> {
        luoshi_domain::settings::check(
            &settings.thresholds,
            &settings.reminder_days,
            settings.webhook.as_deref(),
            settings.smtp.as_ref(),
        )
        .map_err(|r| StoreError::Invalid(r.field, r.message.into()))?;
        settings
            .indicator_thresholds
            .check()
            .map_err(|m| StoreError::Invalid("thresholds", m.into()))?;
        let mut tx = self.write().await?;
        let before = settings_in(&mut *tx).await?;
        let mut stored = settings.clone();
        if let Some(smtp) = stored.smtp.as_mut()
            && let Some(p) = smtp.password.as_mut()
        {
            *p = crate::encryption::seal_text(p);
        }
        let value = serde_json::to_string(&stored)
            .map_err(|e| StoreError::Database(e.to_string(), None))?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(SETTINGS_KEY)
        .bind(value)
        .bind(now())
        .run(&mut *tx).await?;
        audit(
            &mut tx,
            actor,
            "settings.save",
            "settings",
            None,
            redacted(&before),
            redacted(settings),
        )
        .await?;
        commit(tx).await
    }
}
