//! The life of a supervision item (督办事项): 立项 → 交办 → 签收 → 反馈 (periodic) → 催办 →
//! 延期 (request and approval) → 办结 (closing report) → 审核 (accept or return) → 评价 → 销号.
//!
//! `next` is the whole state machine: every (stage, action) pair either moves to a stage or is
//! refused with a Chinese reason. Reminders (催办) and periodic feedback do not change the stage
//! once work is under way; a returned closing report sends the item back to work.

use crate::calendar::Date;
use crate::lights::{Assessment, Light, Thresholds, assess};
use serde::{Deserialize, Serialize};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 立项
    Opened,
    /// 交办: assigned to a unit, not yet acknowledged.
    Assigned,
    /// 签收
    Acknowledged,
    /// 反馈中: feedback has been given at least once.
    InProgress,
    /// 延期申请中
    ExtensionRequested,
    /// 办结报告已提交, awaiting 审核.
    ClosingSubmitted,
    /// 审核通过, awaiting 评价.
    Accepted,
    /// 已评价, awaiting 销号.
    Graded,
    /// 已销号
    StruckOff,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Opened,
        Stage::Assigned,
        Stage::Acknowledged,
        Stage::InProgress,
        Stage::ExtensionRequested,
        Stage::ClosingSubmitted,
        Stage::Accepted,
        Stage::Graded,
        Stage::StruckOff,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Opened => "已立项",
            Stage::Assigned => "已交办",
            Stage::Acknowledged => "已签收",
            Stage::InProgress => "办理中",
            Stage::ExtensionRequested => "延期申请中",
            Stage::ClosingSubmitted => "办结待审核",
            Stage::Accepted => "审核通过",
            Stage::Graded => "已评价",
            Stage::StruckOff => "已销号",
        }
    }

    /// Whether the responsible unit still owes work (reminders apply).
    pub fn is_open_work(self) -> bool {
        matches!(
            self,
            Stage::Assigned | Stage::Acknowledged | Stage::InProgress | Stage::ExtensionRequested
        )
    }
}

/// What someone does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 交办 (the office)
    Assign,
    /// 签收 (the unit)
    Acknowledge,
    /// 反馈 (the unit, periodically)
    Feedback,
    /// 催办 (the office or the reminder job)
    Remind,
    /// 申请延期 (the unit)
    RequestExtension,
    /// 批准延期 (the office)
    ApproveExtension,
    /// 不予延期 (the office)
    RejectExtension,
    /// 提交办结报告 (the unit)
    SubmitClosing,
    /// 审核通过 (the office)
    Accept,
    /// 退回 (the office, with a reason)
    Return,
    /// 评价 (the office)
    Grade,
    /// 销号 (the office)
    StrikeOff,
    /// 批示 (a leader or the office): recorded on the item and sent to the lead unit; the stage
    /// stays.
    Instruct,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Assign,
        Action::Acknowledge,
        Action::Feedback,
        Action::Remind,
        Action::RequestExtension,
        Action::ApproveExtension,
        Action::RejectExtension,
        Action::SubmitClosing,
        Action::Accept,
        Action::Return,
        Action::Grade,
        Action::StrikeOff,
        Action::Instruct,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Action::Assign => "交办",
            Action::Acknowledge => "签收",
            Action::Feedback => "反馈",
            Action::Remind => "催办",
            Action::RequestExtension => "申请延期",
            Action::ApproveExtension => "批准延期",
            Action::RejectExtension => "不予延期",
            Action::SubmitClosing => "提交办结报告",
            Action::Accept => "审核通过",
            Action::Return => "退回",
            Action::Grade => "评价",
            Action::StrikeOff => "销号",
            Action::Instruct => "批示",
        }
    }
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Opened => "opened",
            Stage::Assigned => "assigned",
            Stage::Acknowledged => "acknowledged",
            Stage::InProgress => "in_progress",
            Stage::ExtensionRequested => "extension_requested",
            Stage::ClosingSubmitted => "closing_submitted",
            Stage::Accepted => "accepted",
            Stage::Graded => "graded",
            Stage::StruckOff => "struck_off",
        }
    }
    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }
    /// Whether the item's work is finished (on time or not is judged by the closing date).
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Accepted | Stage::Graded | Stage::StruckOff)
    }
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Assign => "assign",
            Action::Acknowledge => "acknowledge",
            Action::Feedback => "feedback",
            Action::Remind => "remind",
            Action::RequestExtension => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::RejectExtension => "reject_extension",
            Action::SubmitClosing => "submit_closing",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Grade => "grade",
            Action::StrikeOff => "strike_off",
            Action::Instruct => "instruct",
        }
    }
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
    /// Whether the office takes this action (the others are the responsible unit's).
    pub fn by_office(self) -> bool {
        !matches!(
            self,
            Action::Acknowledge
                | Action::Feedback
                | Action::RequestExtension
                | Action::SubmitClosing
        )
    }
    /// Whether the action needs a written note (a reason, a feedback, a closing report).
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Action::Feedback
                | Action::RequestExtension
                | Action::RejectExtension
                | Action::SubmitClosing
                | Action::Return
                | Action::Instruct
        )
    }
    /// Whether evidence files may come with the action (反馈 and 办结报告).
    pub fn takes_evidence(self) -> bool {
        matches!(self, Action::Feedback | Action::SubmitClosing)
    }
    /// Whether a leader (read-only elsewhere) may take it: only 批示.
    pub fn by_leader(self) -> bool {
        self == Action::Instruct
    }
}

/// The actions open on an item at `stage`, for the office or for the responsible unit (批示 has a
/// form of its own, for leaders and the office).
pub fn actions(stage: Stage, office: bool) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| !a.by_leader() && a.by_office() == office && next(stage, *a).is_ok())
        .collect()
}

/// The office's grade (评价) of a closed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail];
    pub fn code(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }
    pub fn from_code(code: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

pub use crate::notify::reminder_keys;

/// The stage after `action`, or why it is refused.
pub fn next(stage: Stage, action: Action) -> Result<Stage, String> {
    use Action as A;
    use Stage as S;
    let to = match (stage, action) {
        (S::Opened, A::Assign) => S::Assigned,
        (S::Assigned, A::Acknowledge) => S::Acknowledged,
        (S::Acknowledged | S::InProgress, A::Feedback) => S::InProgress,
        (s, A::Remind) if s.is_open_work() => s,
        (s, A::Instruct) if s != S::StruckOff => s,
        (S::Acknowledged | S::InProgress, A::RequestExtension) => S::ExtensionRequested,
        (S::ExtensionRequested, A::ApproveExtension | A::RejectExtension) => S::InProgress,
        (S::Acknowledged | S::InProgress, A::SubmitClosing) => S::ClosingSubmitted,
        (S::ClosingSubmitted, A::Accept) => S::Accepted,
        (S::ClosingSubmitted, A::Return) => S::InProgress,
        (S::Accepted, A::Grade) => S::Graded,
        (S::Graded, A::StrikeOff) => S::StruckOff,
        (s, a) => {
            let hint = match (s, a) {
                (S::StruckOff, _) => "事项已销号，不能再操作".to_string(),
                (S::Opened, _) => "事项尚未交办，请先交办".to_string(),
                (S::Assigned, _) => "承办单位尚未签收，请先签收".to_string(),
                (S::ExtensionRequested, _) => "延期申请待审批，请先批准或不予延期".to_string(),
                (S::ClosingSubmitted, _) => "办结报告待审核，请先审核通过或退回".to_string(),
                (S::Accepted, _) => "审核已通过，下一步是评价".to_string(),
                (S::Graded, _) => "已评价，下一步是销号".to_string(),
                _ => format!("“{}”状态下不能“{}”", s.label(), a.label()),
            };
            return Err(hint);
        }
    };
    Ok(to)
}

/// What an item's light reads of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemProgress {
    pub stage: Stage,
    pub opened_on: Date,
    pub due: Date,
    pub closed_on: Option<Date>,
    /// The lead's reported progress, 0–100.
    pub progress: i64,
}

/// An item's light: from its deadline and its reported progress against the time gone. An item
/// not yet assigned is green; one closed late says so.
pub fn item_light(item: &ItemProgress, today: Date, t: &Thresholds) -> Assessment {
    if item.stage == Stage::Opened {
        return Assessment {
            light: Light::Green,
            expected: 0.0,
            reasons: vec!["尚未交办".into()],
        };
    }
    let mut a = assess(
        today,
        item.opened_on,
        item.due,
        Some(item.progress as f64),
        item.stage.is_closed() || item.stage == Stage::ClosingSubmitted,
        t,
    );
    if item.stage.is_closed()
        && let Some(c) = item.closed_on
        && c > item.due
    {
        a.reasons = vec![format!("已办结（逾期办结于 {c}）")];
    }
    a
}

/// Days a 批示 gives the lead unit when the leader names no deadline.
pub const INSTRUCTION_DAYS: i64 = 30;

/// A leader's 批示 on a task as the item it opens: its title, its reference (who instructed, when,
/// what) and its deadline (the one given, else [`INSTRUCTION_DAYS`] from today); or why not.
pub fn instruction_item(
    task_title: &str,
    who: &str,
    text: &str,
    today: Date,
    due: Option<Date>,
) -> Result<(String, String, Date), &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("请填写批示内容");
    }
    if text.chars().count() > 500 {
        return Err("批示内容不超过 500 字");
    }
    let due = due.unwrap_or(today.add_days(INSTRUCTION_DAYS));
    if due < today {
        return Err("办理时限不能早于今天");
    }
    let title: String = format!("落实领导批示：{task_title}")
        .chars()
        .take(200)
        .collect();
    Ok((
        title,
        format!("{who}批示（{}）：{text}", today.written()),
        due,
    ))
}

/// Whose 待办 an item at this stage is, and what it waits for: the office's (`office`) or the
/// lead unit's. None: nobody's move (立项 not yet assigned counts as the office's).
pub fn waits_for(stage: Stage) -> Option<(bool, &'static str)> {
    match stage {
        Stage::Opened => Some((true, "待交办")),
        Stage::Assigned => Some((false, "待签收")),
        Stage::Acknowledged | Stage::InProgress => Some((false, "办理中，待反馈")),
        Stage::ExtensionRequested => Some((true, "延期申请待审批")),
        Stage::ClosingSubmitted => Some((true, "办结待审核")),
        Stage::Accepted => Some((true, "待评价")),
        Stage::Graded => Some((true, "待销号")),
        Stage::StruckOff => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Stage as S;

    /// Every stage × action: the expected next stage, or `None` for a refusal.
    fn expected(stage: Stage, action: Action) -> Option<Stage> {
        let table: &[(Stage, &[(Action, Stage)])] = &[
            (
                S::Opened,
                &[(A::Assign, S::Assigned), (A::Instruct, S::Opened)],
            ),
            (
                S::Assigned,
                &[
                    (A::Acknowledge, S::Acknowledged),
                    (A::Remind, S::Assigned),
                    (A::Instruct, S::Assigned),
                ],
            ),
            (
                S::Acknowledged,
                &[
                    (A::Feedback, S::InProgress),
                    (A::Remind, S::Acknowledged),
                    (A::RequestExtension, S::ExtensionRequested),
                    (A::SubmitClosing, S::ClosingSubmitted),
                    (A::Instruct, S::Acknowledged),
                ],
            ),
            (
                S::InProgress,
                &[
                    (A::Feedback, S::InProgress),
                    (A::Remind, S::InProgress),
                    (A::RequestExtension, S::ExtensionRequested),
                    (A::SubmitClosing, S::ClosingSubmitted),
                    (A::Instruct, S::InProgress),
                ],
            ),
            (
                S::ExtensionRequested,
                &[
                    (A::Remind, S::ExtensionRequested),
                    (A::ApproveExtension, S::InProgress),
                    (A::RejectExtension, S::InProgress),
                    (A::Instruct, S::ExtensionRequested),
                ],
            ),
            (
                S::ClosingSubmitted,
                &[
                    (A::Accept, S::Accepted),
                    (A::Return, S::InProgress),
                    (A::Instruct, S::ClosingSubmitted),
                ],
            ),
            (
                S::Accepted,
                &[(A::Grade, S::Graded), (A::Instruct, S::Accepted)],
            ),
            (
                S::Graded,
                &[(A::StrikeOff, S::StruckOff), (A::Instruct, S::Graded)],
            ),
            (S::StruckOff, &[]),
        ];
        table
            .iter()
            .find(|(s, _)| *s == stage)
            .and_then(|(_, moves)| moves.iter().find(|(a, _)| *a == action))
            .map(|(_, to)| *to)
    }

    #[test]
    fn every_stage_and_action() {
        let mut allowed = 0;
        for s in Stage::ALL {
            for a in Action::ALL {
                match (next(s, a), expected(s, a)) {
                    (Ok(to), Some(want)) => {
                        assert_eq!(to, want, "{s:?} {a:?}");
                        allowed += 1;
                    }
                    (Err(msg), None) => {
                        assert!(
                            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                            "{msg}"
                        )
                    }
                    (got, want) => panic!("{s:?} × {a:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!(allowed, 26);
    }

    #[test]
    fn codes_round_trip_and_each_side_sees_its_actions() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_code(s.code()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(actions(S::Opened, true), [A::Assign]);
        assert!(actions(S::Opened, false).is_empty());
        assert_eq!(actions(S::Assigned, false), [A::Acknowledge]);
        assert_eq!(
            actions(S::InProgress, false),
            [A::Feedback, A::RequestExtension, A::SubmitClosing]
        );
        assert_eq!(actions(S::ClosingSubmitted, true), [A::Accept, A::Return]);
        // 批示 is nobody's routine step: it has its own form.
        assert!(
            Stage::ALL
                .iter()
                .all(|s| !actions(*s, true).contains(&A::Instruct))
        );
        let evidence: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|a| a.takes_evidence())
            .collect();
        assert_eq!(evidence, [A::Feedback, A::SubmitClosing]);
        assert_eq!(
            next(S::StruckOff, A::Instruct).unwrap_err(),
            "事项已销号，不能再操作"
        );
    }

    #[test]
    fn reminders_fall_due_once_per_lead_time_and_weekly_when_overdue() {
        use crate::calendar::Date;
        let due = Date::parse("2027-01-03").unwrap();
        let at = |s: &str| reminder_keys(Date::parse(s).unwrap(), due, &[3, 7]);
        assert!(at("2026-12-26").is_empty());
        assert_eq!(at("2026-12-27"), ["before:7"]);
        assert_eq!(at("2026-12-31"), ["before:7", "before:3"]);
        assert_eq!(at("2027-01-03"), ["before:7", "before:3"]);
        assert_eq!(at("2027-01-04"), ["overdue:0"]);
        assert_eq!(at("2027-01-10"), ["overdue:0"]);
        assert_eq!(at("2027-01-11"), ["overdue:1"]);
    }

    #[test]
    fn a_whole_life_with_a_return() {
        let steps = [
            A::Assign,
            A::Acknowledge,
            A::Feedback,
            A::Remind,
            A::RequestExtension,
            A::ApproveExtension,
            A::SubmitClosing,
            A::Return,
            A::Feedback,
            A::SubmitClosing,
            A::Accept,
            A::Grade,
            A::StrikeOff,
        ];
        let end = steps
            .iter()
            .try_fold(S::Opened, |s, a| next(s, *a))
            .unwrap();
        assert_eq!(end, S::StruckOff);
        assert_eq!(
            next(S::StruckOff, A::Remind).unwrap_err(),
            "事项已销号，不能再操作"
        );
    }

    #[test]
    fn an_items_light_reads_its_stage_deadline_and_progress() {
        let d = |s: &str| Date::parse(s).unwrap();
        let t = Thresholds::default();
        let item = |stage, closed_on: Option<&str>, progress| ItemProgress {
            stage,
            opened_on: d("2026-09-01"),
            due: d("2026-09-30"),
            closed_on: closed_on.map(d),
            progress,
        };
        let today = d("2026-09-29");
        let fresh = item_light(&item(Stage::Opened, None, 0), today, &t);
        assert_eq!(
            (fresh.light, fresh.reasons[0].as_str()),
            (Light::Green, "尚未交办")
        );
        assert!(item_light(&item(Stage::InProgress, None, 5), today, &t).light > Light::Green);
        let late = item_light(
            &item(Stage::StruckOff, Some("2026-10-03"), 100),
            d("2026-10-05"),
            &t,
        );
        assert_eq!(late.reasons, ["已办结（逾期办结于 2026-10-03）"]);
    }

    #[test]
    fn every_open_stage_waits_for_someone() {
        let table = [
            (Stage::Opened, Some((true, "待交办"))),
            (Stage::Assigned, Some((false, "待签收"))),
            (Stage::Acknowledged, Some((false, "办理中，待反馈"))),
            (Stage::InProgress, Some((false, "办理中，待反馈"))),
            (Stage::ExtensionRequested, Some((true, "延期申请待审批"))),
            (Stage::ClosingSubmitted, Some((true, "办结待审核"))),
            (Stage::Accepted, Some((true, "待评价"))),
            (Stage::Graded, Some((true, "待销号"))),
            (Stage::StruckOff, None),
        ];
        assert_eq!(table.len(), Stage::ALL.len());
        for (stage, want) in table {
            assert_eq!(waits_for(stage), want, "{stage:?}");
        }
    }

    #[test]
    fn an_instruction_opens_an_item_with_its_words_and_a_deadline() {
        let day = Date::parse("2026-12-02").unwrap();
        let (title, reference, due) =
            instruction_item("建设数据枢纽", "张主任", " 请加快进度 ", day, None).unwrap();
        assert_eq!(title, "落实领导批示：建设数据枢纽");
        assert_eq!(reference, "张主任批示（2026年12月2日）：请加快进度");
        assert_eq!(due, Date::parse("2027-01-01").unwrap());
        let set = Date::parse("2026-12-20");
        assert_eq!(
            instruction_item("甲", "乙", "丙", day, set).unwrap().2,
            set.unwrap()
        );
        for (text, due, why) in [
            ("", None, "请填写批示内容"),
            ("丙", Date::parse("2026-12-01"), "办理时限不能早于今天"),
            (&"长".repeat(501) as &str, None, "批示内容不超过 500 字"),
        ] {
            assert_eq!(
                instruction_item("甲", "乙", text, day, due).unwrap_err(),
                why
            );
        }
    }
}
