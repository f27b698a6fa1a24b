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
