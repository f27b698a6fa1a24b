//! An item's light: from its deadline and its reported progress against the time gone.

use luoshi_domain::calendar::Date;
use luoshi_domain::lights::assess;
use luoshi_domain::lights::{Assessment, Light, Thresholds};
use luoshi_domain::supervision::Stage;
use luoshi_store::supervision::ItemRow;

/// An item's light: from its deadline and its reported progress against the time gone.
pub fn item_light(item: &ItemRow, today: Date, t: &Thresholds) -> Assessment {
    let (start, due) = (item.opened_on, item.due);
    if item.stage == Stage::Opened {
        return Assessment {
            light: Light::Green,
            expected: 0.0,
            reasons: vec!["尚未交办".into()],
        };
    }
    let mut a = assess(
        today,
        start,
        due,
        Some(item.progress as f64),
        item.stage.is_closed() || item.stage == Stage::ClosingSubmitted,
        t,
    );
    if item.stage.is_closed()
        && let Some(c) = &item.closed_on
        && *c > item.due
    {
        a.reasons = vec![format!("已办结（逾期办结于 {c}）")];
    }
    a
}
