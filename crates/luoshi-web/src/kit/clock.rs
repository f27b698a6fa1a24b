//! Time for the web layer: now (Unix seconds, the store's one clock) and today in China (UTC+8),
//! or the day the configuration fixes (demos and rehearsals).

use luoshi_domain::calendar::Date;

use crate::AppState;

/// Unix seconds now (the store's one clock).
pub use luoshi_store::now;

/// Today in China (UTC+8), or the date the configuration fixes (demos and tests).
pub fn today(state: &AppState) -> Date {
    if let Some(d) = state.config.today {
        return d;
    }
    luoshi_store::today_in_china()
}
