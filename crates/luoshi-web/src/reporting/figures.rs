//! The figures a dashboard and the compilation print from a round's obligations: tasks, owed,
//! filed, on time, completion and lights.

use std::collections::HashSet;

use crate::reporting::round::{Owed, task_light};
use luoshi_domain::lights::{Light, Thresholds};
use luoshi_domain::reports::{ReportKind, WorkStatus};
use luoshi_store::Id;

/// The figures of one round for a set of obligations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub tasks: usize,
    pub done: usize,
    pub owed: usize,
    /// Not yet due and not filed: left out of the on-time rate.
    pub pending: usize,
    pub on_time: usize,
    pub filed: usize,
    pub lights: [usize; 3],
}

impl Figures {
    pub fn completion(&self) -> f64 {
        ratio(self.done, self.tasks)
    }
    /// Reports due by now or filed.
    pub fn counted(&self) -> usize {
        self.owed - self.pending
    }
    pub fn on_time_rate(&self) -> f64 {
        ratio(self.on_time, self.counted())
    }
    pub fn pct(x: f64) -> String {
        format!("{:.0}%", x * 100.0)
    }
}

pub(crate) fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Works out a round's figures: completion from the leads' reports, the on-time rate over every
/// obligation, and one light per task.
pub fn figures(
    owed: &[Owed],
    state_today: luoshi_domain::calendar::Date,
    t: &Thresholds,
) -> Figures {
    let mut f = Figures::default();
    let mut tasks = HashSet::new();
    // One light per task: the worst over its lead reports (a task may have several leads).
    let mut task_lights: std::collections::HashMap<Id, Light> = std::collections::HashMap::new();
    for o in owed {
        tasks.insert(o.ob.task_id);
        f.owed += 1;
        if let Some(r) = &o.report {
            f.filed += 1;
            if !r.late {
                f.on_time += 1;
            }
        } else if o.standing == crate::reporting::round::Standing::Open {
            f.pending += 1;
        }
        if o.kind == ReportKind::Task {
            if o.report
                .as_ref()
                .is_some_and(|r| r.status == WorkStatus::Done)
            {
                f.done += 1;
            }
            let light = task_light(o.report.as_ref(), o.standing, None, state_today, t).light;
            let worst = task_lights.entry(o.ob.task_id).or_insert(light);
            *worst = (*worst).max(light);
        }
    }
    for light in task_lights.values() {
        f.lights[*light as usize] += 1;
    }
    f.tasks = tasks.len();
    f
}
