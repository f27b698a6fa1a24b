//! The office's settings: thresholds, reminder days, delivery channels.

use async_trait::async_trait;
use luoshi_domain::lights::Thresholds;
use luoshi_domain::settings::SmtpSettings;
use serde::{Deserialize, Serialize};

use crate::{Actor, StoreResult};

/// What the office configures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub thresholds: Thresholds,
    /// Days before a deadline when reminders go out.
    pub reminder_days: Vec<i64>,
    pub smtp: Option<SmtpSettings>,
    /// Where a JSON POST goes for every notification (intranet messaging).
    pub webhook: Option<String>,
    /// 催报 goes to a unit's leaders (分管领导) too, not only to its liaisons.
    #[serde(default)]
    pub remind_leaders: bool,
    /// How far an indicator may lag its expected value before it turns yellow or red.
    #[serde(default)]
    pub indicator_thresholds: luoshi_domain::indicators::IndicatorThresholds,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            thresholds: Thresholds::default(),
            reminder_days: vec![7, 3],
            smtp: None,
            webhook: None,
            remind_leaders: false,
            indicator_thresholds: Default::default(),
        }
    }
}

/// The office's settings.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn settings(&self) -> StoreResult<Settings>;
    async fn save_settings(&self, actor: &Actor, settings: &Settings) -> StoreResult<()>;
}
