//! The life of a supervision item (督办事项): 立项 → 交办 → 签收 → 反馈 (periodic) → 催办 →
//! 延期 (request and approval) → 办结 (closing report) → 审核 (accept or return) → 评价 → 销号.
//!
//! `next` is the whole state machine: every (stage, action) pair either moves to a stage or is
//! refused with a Chinese reason. Reminders (催办) and periodic feedback do not change the stage
//! once work is under way; a returned closing report sends the item back to work.

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
}

impl Action {
    pub const ALL: [Action; 12] = [
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
        }
    }
}

/// The stage after `action`, or why it is refused.
pub fn next(stage: Stage, action: Action) -> Result<Stage, String> {
    use Action as A;
    use Stage as S;
    let to = match (stage, action) {
        (S::Opened, A::Assign) => S::Assigned,
        (S::Assigned, A::Acknowledge) => S::Acknowledged,
        (S::Acknowledged | S::InProgress, A::Feedback) => S::InProgress,
        (s, A::Remind) if s.is_open_work() => s,
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

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Stage as S;

    /// Every stage × action: the expected next stage, or `None` for a refusal.
    fn expected(stage: Stage, action: Action) -> Option<Stage> {
        let table: &[(Stage, &[(Action, Stage)])] = &[
            (S::Opened, &[(A::Assign, S::Assigned)]),
            (
                S::Assigned,
                &[(A::Acknowledge, S::Acknowledged), (A::Remind, S::Assigned)],
            ),
            (
                S::Acknowledged,
                &[
                    (A::Feedback, S::InProgress),
                    (A::Remind, S::Acknowledged),
                    (A::RequestExtension, S::ExtensionRequested),
                    (A::SubmitClosing, S::ClosingSubmitted),
                ],
            ),
            (
                S::InProgress,
                &[
                    (A::Feedback, S::InProgress),
                    (A::Remind, S::InProgress),
                    (A::RequestExtension, S::ExtensionRequested),
                    (A::SubmitClosing, S::ClosingSubmitted),
                ],
            ),
            (
                S::ExtensionRequested,
                &[
                    (A::Remind, S::ExtensionRequested),
                    (A::ApproveExtension, S::InProgress),
                    (A::RejectExtension, S::InProgress),
                ],
            ),
            (
                S::ClosingSubmitted,
                &[(A::Accept, S::Accepted), (A::Return, S::InProgress)],
            ),
            (S::Accepted, &[(A::Grade, S::Graded)]),
            (S::Graded, &[(A::StrikeOff, S::StruckOff)]),
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
        assert_eq!(allowed, 18);
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
}
