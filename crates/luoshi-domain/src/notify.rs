//! What a notification says and what it points at. Storage writes a [`Notice`] in the transaction
//! of the change it reports; the web maps its typed [`Target`] to a page. Nothing here knows URLs.

use crate::calendar::Date;
use crate::periods::PeriodKey;
use crate::reporting::ReportKind;
use crate::supervision::{Action, Stage};

/// What a notification points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One task's reports for a period (`2026-Q3`).
    TaskPeriod {
        task: i64,
        period: PeriodKey,
    },
    Report(i64),
    Item(i64),
    /// A reporting round's list (`2026-Q4`): what a unit still owes.
    Round(PeriodKey),
    /// Nothing to open.
    None,
}

impl Target {
    /// The stored form: `task:3:2026-Q3`, `report:5`, `item:7`, or empty.
    pub fn code(&self) -> String {
        match self {
            Target::TaskPeriod { task, period } => format!("task:{task}:{period}"),
            Target::Report(id) => format!("report:{id}"),
            Target::Item(id) => format!("item:{id}"),
            Target::Round(p) => format!("round:{p}"),
            Target::None => String::new(),
        }
    }

    /// Reads the stored form; rows written before targets were typed hold the page's path
    /// (`/items/7`), which is read too. Anything else is [`Target::None`].
    pub fn parse(s: &str) -> Target {
        let id = |t: &str| t.parse::<i64>().ok();
        let parts: Vec<&str> = s.split(':').collect();
        let typed = match parts.as_slice() {
            ["task", t, p] => id(t)
                .zip(PeriodKey::parse(p))
                .map(|(task, period)| Target::TaskPeriod { task, period }),
            ["report", r] => id(r).map(Target::Report),
            ["item", i] => id(i).map(Target::Item),
            ["round", p] => PeriodKey::parse(p).map(Target::Round),
            _ => None,
        };
        if let Some(t) = typed {
            return t;
        }
        let segs: Vec<&str> = s.trim_start_matches('/').split('/').collect();
        match segs.as_slice() {
            ["items", i] => id(i).map(Target::Item),
            ["reporting", "reports", r] => id(r).map(Target::Report),
            ["reporting", "tasks", t, p] => id(t)
                .zip(PeriodKey::parse(p))
                .map(|(task, period)| Target::TaskPeriod { task, period }),
            _ => None,
        }
        .unwrap_or(Target::None)
    }
}

impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Target::parse(&s))
    }
}

/// A notification's words and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub target: Target,
}

/// A task as notifications name it.
#[derive(Debug, Clone, Copy)]
pub struct TaskRef<'a> {
    pub id: i64,
    pub number: &'a str,
    pub title: &'a str,
}

/// A support unit filed its contribution: tell the lead.
pub fn contribution_filed(from_unit: &str, task: TaskRef, period: PeriodKey) -> Notice {
    Notice {
        title: format!("{from_unit}报送了配合材料"),
        body: format!(
            "任务“{} {}”（{period}）收到配合单位报送，请在任务报告中汇总。",
            task.number, task.title
        ),
        target: Target::TaskPeriod {
            task: task.id,
            period,
        },
    }
}

/// The office accepted or returned a report: tell the unit (a return carries its reason).
pub fn report_reviewed(
    report_id: i64,
    kind: ReportKind,
    task: TaskRef,
    period: PeriodKey,
    returned_for: Option<&str>,
) -> Notice {
    let what = format!(
        "{}“{} {}”（{period}）",
        kind.label(),
        task.number,
        task.title
    );
    let (title, body) = match returned_for {
        None => ("报告已采纳".to_string(), format!("{what}已被采纳。")),
        Some(reason) => (
            "报告被退回，请修改后重新报送".to_string(),
            format!("{what}被退回。退回理由：{reason}"),
        ),
    };
    Notice {
        title,
        body,
        target: Target::Report(report_id),
    }
}

/// An item was assigned to a unit.
pub fn item_assigned(item_id: i64, title: &str, due: Date) -> Notice {
    Notice {
        title: "新的督办事项".into(),
        body: format!("督办事项“{title}”已交办，办理时限 {due}，请及时签收。"),
        target: Target::Item(item_id),
    }
}

/// An item took a step: tell the other side.
pub fn item_stepped(
    item_id: i64,
    action: Action,
    title: &str,
    now_at: Stage,
    due: Date,
    note: &str,
) -> Notice {
    let body = if note.is_empty() {
        format!("当前状态：{}，办理时限 {due}。", now_at.label())
    } else {
        format!("{note}（当前状态：{}，办理时限 {due}）", now_at.label())
    };
    Notice {
        title: format!("督办事项{}：{title}", action.label()),
        body,
        target: Target::Item(item_id),
    }
}

/// An automatic reminder on an item (`note` says how close or how late it is).
pub fn item_reminder(item_id: i64, title: &str, note: &str, due: Date) -> Notice {
    Notice {
        title: format!("催办：{title}"),
        body: format!("督办事项“{title}”{note}（办理时限 {due}）。"),
        target: Target::Item(item_id),
    }
}

/// 催报: what a unit still owes in a round, and by when. `tasks` are the task numbers as the
/// document writes them; `manual` when the office sent it by hand (一键催报).
pub fn report_reminder(
    round: PeriodKey,
    round_label: &str,
    tasks: &[String],
    note: &str,
    manual: bool,
) -> Notice {
    let shown: Vec<&str> = tasks.iter().take(10).map(String::as_str).collect();
    let more = if tasks.len() > shown.len() {
        format!(" 等 {} 项", tasks.len())
    } else {
        String::new()
    };
    Notice {
        title: format!(
            "{}：{round_label}信息报送",
            if manual {
                "催报（办公室）"
            } else {
                "催报"
            }
        ),
        body: format!(
            "贵单位{round_label}尚有 {} 项报送未完成（任务 {}{more}），{note}。请登录系统报送。",
            tasks.len(),
            shown.join("、"),
        ),
        target: Target::Round(round),
    }
}

/// How a reminder describes a deadline on `today`: 距截止还有 3 天 / 今天截止 / 已逾期 2 天.
pub fn deadline_note(today: Date, due: Date) -> String {
    let left = due.days() - today.days();
    match left {
        l if l < 0 => format!("截止 {due}，已逾期 {} 天", -l),
        0 => format!("今天（{due}）截止"),
        l => format!("截止 {due}，还有 {l} 天"),
    }
}

/// The automatic reminders work due on `due` has on `today`, as stable keys: `before:7` once it is
/// within 7 days of its deadline (one key per configured lead time, so each goes out once even
/// when several servers run the job), and `overdue:N` for week N past the deadline (one a week
/// until it is done). Returns the keys in the order they became due; the caller records each key
/// once and sends one reminder for the newest. Supervision items and reports share it.
pub fn reminder_keys(today: Date, due: Date, lead_days: &[i64]) -> Vec<String> {
    let left = due.days() - today.days();
    if left < 0 {
        let week = (-left - 1) / 7;
        return vec![format!("overdue:{week}")];
    }
    let mut days: Vec<i64> = lead_days.iter().copied().filter(|d| *d >= 0).collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    days.into_iter()
        .filter(|d| left <= *d)
        .map(|d| format!("before:{d}"))
        .collect()
}

/// The key of a reminder the office sends by hand on `today`: at most one a day per duty.
pub fn manual_key(today: Date) -> String {
    format!("manual:{today}")
}

crate::codes! {
    /// How a notification leaves the system.
    pub enum Channel {
        Smtp = ("smtp", "电子邮件"),
        Webhook = ("webhook", "Webhook"),
    }
}

crate::codes! {
    /// Where a delivery stands.
    pub enum DeliveryState {
        /// Waiting for its next attempt.
        Pending = ("pending", "待发送"),
        Sent = ("sent", "已发送"),
        /// Given up after the last attempt.
        Failed = ("failed", "发送失败"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q3() -> PeriodKey {
        PeriodKey::parse("2026-Q3").unwrap()
    }

    #[test]
    fn targets_round_trip_and_legacy_paths_are_read() {
        let table = [
            (
                Target::TaskPeriod {
                    task: 3,
                    period: PeriodKey::parse("2026-Q3").unwrap(),
                },
                "task:3:2026-Q3",
                "/reporting/tasks/3/2026-Q3",
            ),
            (Target::Report(5), "report:5", "/reporting/reports/5"),
            (Target::Item(7), "item:7", "/items/7"),
        ];
        for (target, code, legacy) in table {
            assert_eq!(target.code(), code);
            assert_eq!(Target::parse(code), target);
            assert_eq!(Target::parse(legacy), target);
        }
        let round = Target::Round(PeriodKey::parse("2026-Q4").unwrap());
        assert_eq!(Target::parse(&round.code()), round);
        assert_eq!(Target::parse("round:2026-Q5"), Target::None);
        for junk in [
            "",
            "item:x",
            "/evil",
            "report:1:2",
            "https://x/items/1",
            "task:3:2026-Q9",
        ] {
            assert_eq!(Target::parse(junk), Target::None, "{junk}");
        }
    }

    #[test]
    fn a_report_reminder_names_the_tasks_and_the_deadline() {
        let d = |s| Date::parse(s).unwrap();
        let table = [
            ("2026-12-12", "2026-12-19", "截止 2026-12-19，还有 7 天"),
            ("2026-12-19", "2026-12-19", "今天（2026-12-19）截止"),
            ("2026-12-22", "2026-12-19", "截止 2026-12-19，已逾期 3 天"),
        ];
        for (today, due, want) in table {
            assert_eq!(deadline_note(d(today), d(due)), want);
        }
        let q4 = PeriodKey::parse("2026-Q4").unwrap();
        let tasks: Vec<String> = (1..=12).map(|n| n.to_string()).collect();
        let n = report_reminder(
            q4,
            "2026年第4季度",
            &tasks,
            "截止 2026-12-19，已逾期 3 天",
            true,
        );
        assert_eq!(n.title, "催报（办公室）：2026年第4季度信息报送");
        assert!(
            n.body.contains("尚有 12 项")
                && n.body.contains("任务 1、2、3")
                && n.body.contains(" 等 12 项"),
            "{}",
            n.body
        );
        assert_eq!(n.target, Target::Round(q4));
        assert_eq!(manual_key(d("2026-12-02")), "manual:2026-12-02");
    }

    #[test]
    fn a_return_carries_its_reason_and_an_acceptance_does_not() {
        let task = TaskRef {
            id: 1,
            number: "3",
            title: "推进通关便利化",
        };
        let back = report_reviewed(9, ReportKind::Task, task, q3(), Some("缺少数据"));
        assert!(back.body.contains("退回理由：缺少数据"), "{}", back.body);
        assert_eq!(back.target, Target::Report(9));
        let ok = report_reviewed(9, ReportKind::Task, task, q3(), None);
        assert_eq!(ok.title, "报告已采纳");
        assert!(!ok.body.contains("理由"));
    }
}
