//! Progress reports (信息报送): what a report holds, and the review state machine.
//!
//! For every reporting period each task's lead unit owes a task report (任务报告) and each support
//! unit owes its contribution (配合单位报送) to the lead. A report is submitted, then the office
//! accepts it or returns it with a reason; a returned report is revised (a new version) and
//! submitted again. An accepted report is final. Every version is kept. `round` adds up what a
//! quarter's obligations come to.

pub mod round;

use serde::{Deserialize, Serialize};

use crate::calendar::Date;

/// Which obligation a report answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The lead unit's report on the task.
    Task,
    /// A support unit's contribution to the lead.
    Contribution,
}

impl ReportKind {
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Task => "task",
            ReportKind::Contribution => "contribution",
        }
    }
    pub fn from_code(code: &str) -> Option<ReportKind> {
        [ReportKind::Task, ReportKind::Contribution]
            .into_iter()
            .find(|k| k.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Task => "任务报告",
            ReportKind::Contribution => "配合报送",
        }
    }
}

/// The state of work a report declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkStatus {
    /// 未启动
    NotStarted,
    /// 推进中
    Ongoing,
    /// 已完成
    Done,
    /// 滞后
    Lagging,
}

impl WorkStatus {
    pub const ALL: [WorkStatus; 4] = [
        WorkStatus::NotStarted,
        WorkStatus::Ongoing,
        WorkStatus::Done,
        WorkStatus::Lagging,
    ];
    pub fn code(self) -> &'static str {
        match self {
            WorkStatus::NotStarted => "not_started",
            WorkStatus::Ongoing => "ongoing",
            WorkStatus::Done => "done",
            WorkStatus::Lagging => "lagging",
        }
    }
    pub fn from_code(code: &str) -> Option<WorkStatus> {
        WorkStatus::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            WorkStatus::NotStarted => "未启动",
            WorkStatus::Ongoing => "推进中",
            WorkStatus::Done => "已完成",
            WorkStatus::Lagging => "滞后",
        }
    }
}

/// Where a report stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// 已报送, awaiting the office.
    Submitted,
    /// 已采纳
    Accepted,
    /// 已退回, awaiting a revision.
    Returned,
}

impl ReviewState {
    pub const ALL: [ReviewState; 3] = [
        ReviewState::Submitted,
        ReviewState::Accepted,
        ReviewState::Returned,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Submitted => "submitted",
            ReviewState::Accepted => "accepted",
            ReviewState::Returned => "returned",
        }
    }
    pub fn from_code(code: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::Submitted => "待审核",
            ReviewState::Accepted => "已采纳",
            ReviewState::Returned => "已退回",
        }
    }
}

/// What someone does to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// The unit files (or revises) it.
    Submit,
    /// The office accepts it.
    Accept,
    /// The office returns it with a reason.
    Return,
}

impl ReviewAction {
    pub const ALL: [ReviewAction; 3] = [
        ReviewAction::Submit,
        ReviewAction::Accept,
        ReviewAction::Return,
    ];
}

/// The state after `action` on a report in `state` (`None`: nothing filed yet), or why not.
pub fn next(state: Option<ReviewState>, action: ReviewAction) -> Result<ReviewState, String> {
    use ReviewAction as A;
    use ReviewState as S;
    match (state, action) {
        (None | Some(S::Submitted) | Some(S::Returned), A::Submit) => Ok(S::Submitted),
        (Some(S::Submitted), A::Accept) => Ok(S::Accepted),
        (Some(S::Submitted), A::Return) => Ok(S::Returned),
        (Some(S::Accepted), A::Submit) => Err("报告已采纳，不能再修改".into()),
        (Some(S::Accepted), _) => Err("报告已采纳，无需再审核".into()),
        (Some(S::Returned), _) => Err("报告已退回，等待单位修改后重新报送".into()),
        (None, _) => Err("尚未报送，无可审核的报告".into()),
    }
}

/// One quantified figure in a report (e.g. 进出口额 12.5 亿元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    #[serde(default)]
    pub unit: String,
}

/// Longest narrative accepted, in characters.
pub const MAX_NARRATIVE: usize = 20_000;
/// Most figures in one report.
pub const MAX_FIGURES: usize = 50;

/// Checks a report's content; the error is for the user, in Chinese.
pub fn validate(
    status: WorkStatus,
    progress: i64,
    narrative: &str,
    figures: &[Figure],
) -> Result<(), String> {
    if !(0..=100).contains(&progress) {
        return Err("进度须在 0 到 100 之间".into());
    }
    match status {
        WorkStatus::Done if progress != 100 => {
            return Err("状态为“已完成”时进度应为 100%".into());
        }
        WorkStatus::NotStarted if progress != 0 => {
            return Err("状态为“未启动”时进度应为 0%".into());
        }
        _ => {}
    }
    if narrative.trim().is_empty() {
        return Err("请填写进展情况".into());
    }
    if narrative.chars().count() > MAX_NARRATIVE {
        return Err(format!("进展情况不能超过 {MAX_NARRATIVE} 字"));
    }
    if figures.len() > MAX_FIGURES {
        return Err(format!("数据项不能超过 {MAX_FIGURES} 个"));
    }
    for f in figures {
        if f.name.trim().is_empty() || f.name.chars().count() > 100 {
            return Err("数据项名称不能为空，且不超过 100 字".into());
        }
        if !f.value.is_finite() {
            return Err(format!("数据项“{}”的数值无效", f.name));
        }
        if f.unit.chars().count() > 20 {
            return Err(format!("数据项“{}”的单位过长", f.name));
        }
    }
    Ok(())
}

/// Longest figures text a draft keeps, in characters.
pub const MAX_DRAFT_FIGURES: usize = 10_000;

/// Checks a draft (草稿: saved, not filed) before it is kept: it must hold something, and no more
/// than a filing may. A draft need not be complete; its status and progress are checked when it
/// is filed.
pub fn check_draft(narrative: &str, figures: &str) -> Result<(), String> {
    if narrative.trim().is_empty() && figures.trim().is_empty() {
        return Err("草稿为空：请先填写进展情况或数据".into());
    }
    if narrative.chars().count() > MAX_NARRATIVE {
        return Err(format!("进展情况不能超过 {MAX_NARRATIVE} 字"));
    }
    if figures.chars().count() > MAX_DRAFT_FIGURES {
        return Err(format!("数据不能超过 {MAX_DRAFT_FIGURES} 字"));
    }
    Ok(())
}

/// Whether a row of the batch filing table (批量报送) is to be filed: a row left as it came (no
/// text, no figures, no progress typed) is skipped; any other row is filed and checked as a filing.
pub fn batch_row_filed(progress: &str, narrative: &str, figures: &str) -> bool {
    !(progress.trim().is_empty() && narrative.trim().is_empty() && figures.trim().is_empty())
}

/// Who reads a filed report (and its attachments) on a task several units share: the office and
/// leaders read all; a unit reads what it filed; the task's lead unit also reads its support
/// units' contributions (it folds them into its report). A support unit does not read the lead's
/// report or another support unit's contribution, and an area committee reads only its own units'
/// filings, not every filing on its area's tasks.
pub fn may_read_report(sees_everything: bool, filed_by_own_unit: bool, leads_task: bool) -> bool {
    sees_everything || filed_by_own_unit || leads_task
}

/// Who may file what: a task report is the lead unit's, a contribution a support unit's. `role` is
/// the filing unit's live link to the task, if it has one.
pub fn may_file(kind: ReportKind, role: Option<luoshi_doc::Role>) -> Result<(), String> {
    let want = match kind {
        ReportKind::Task => luoshi_doc::Role::Lead,
        ReportKind::Contribution => luoshi_doc::Role::Support,
    };
    if role == Some(want) {
        return Ok(());
    }
    let who = match want {
        luoshi_doc::Role::Lead => "牵头单位",
        luoshi_doc::Role::Support => "配合单位",
    };
    Err(format!("该单位不是此任务的{who}，不能报送{}", kind.label()))
}

/// A filing is late when it comes after the last day on time (`due`).
pub fn is_late(filed_on: Date, due: Date) -> bool {
    filed_on > due
}

/// Writes figures one per line as [`parse_figures`] reads them (a revision form starts from them).
pub fn figures_text(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(|f| {
            format!("{} {} {}", f.name, f.value, f.unit)
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses figures written one per line as `名称 数值 单位` (e.g. `进出口额 12.5 亿元`).
pub fn parse_figures(text: &str) -> Result<Vec<Figure>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '：' || c == ':')
            .filter(|s| !s.is_empty())
            .collect();
        let value_at = parts.iter().position(|p| p.parse::<f64>().is_ok());
        let Some(i) = value_at.filter(|i| *i > 0) else {
            return Err(format!(
                "第 {} 行数据格式应为“名称 数值 单位”，如“进出口额 12.5 亿元”",
                n + 1
            ));
        };
        out.push(Figure {
            name: parts[..i].join(" "),
            value: parts[i].parse().expect("checked"),
            unit: parts[i + 1..].join(" "),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewAction as A;

    #[test]
    fn a_draft_holds_something_and_no_more_than_a_filing() {
        let long = "字".repeat(MAX_NARRATIVE + 1);
        let many = "x".repeat(MAX_DRAFT_FIGURES + 1);
        let table: &[(&str, &str, Result<(), &str>)] = &[
            ("已完成第一阶段。", "", Ok(())),
            ("", "对接企业 3 家", Ok(())),
            ("  ", " \n", Err("草稿为空：请先填写进展情况或数据")),
            (&long, "", Err("进展情况不能超过 20000 字")),
            ("甲", &many, Err("数据不能超过 10000 字")),
        ];
        for (narrative, figures, want) in table {
            assert_eq!(
                check_draft(narrative, figures),
                want.map_err(str::to_string),
                "{narrative:.10} {figures:.10}"
            );
        }
    }

    #[test]
    fn a_shared_task_s_reports_are_read_by_their_own_unit_and_the_lead() {
        // (sees everything, filed by own unit, leads the task) → may read
        let table = [
            (true, false, false, true),
            (false, true, false, true),
            (false, false, true, true),
            (false, false, false, false),
        ];
        for (all, own, lead, want) in table {
            assert_eq!(may_read_report(all, own, lead), want, "{all} {own} {lead}");
        }
    }

    #[test]
    fn a_batch_row_is_filed_once_anything_is_typed_in_it() {
        let table = [
            ("", "", "", false),
            (" ", "\n", " ", false),
            ("60", "", "", true),
            ("", "已启动", "", true),
            ("", "", "企业 3 家", true),
        ];
        for (progress, narrative, figures, want) in table {
            assert_eq!(batch_row_filed(progress, narrative, figures), want);
        }
    }
    use ReviewState as S;

    #[test]
    fn every_state_and_action() {
        let table: &[(Option<S>, A, Option<S>)] = &[
            (None, A::Submit, Some(S::Submitted)),
            (None, A::Accept, None),
            (None, A::Return, None),
            (Some(S::Submitted), A::Submit, Some(S::Submitted)),
            (Some(S::Submitted), A::Accept, Some(S::Accepted)),
            (Some(S::Submitted), A::Return, Some(S::Returned)),
            (Some(S::Returned), A::Submit, Some(S::Submitted)),
            (Some(S::Returned), A::Accept, None),
            (Some(S::Returned), A::Return, None),
            (Some(S::Accepted), A::Submit, None),
            (Some(S::Accepted), A::Accept, None),
            (Some(S::Accepted), A::Return, None),
        ];
        let states = [
            None,
            Some(S::Submitted),
            Some(S::Returned),
            Some(S::Accepted),
        ];
        assert_eq!(table.len(), states.len() * A::ALL.len(), "table covers all");
        for (state, action, want) in table {
            let got = next(*state, *action);
            match want {
                Some(w) => assert_eq!(got, Ok(*w), "{state:?} × {action:?}"),
                None => {
                    let msg = got.expect_err("refused");
                    assert!(!msg.is_empty() && !msg.is_ascii(), "{msg}");
                }
            }
        }
    }

    #[test]
    fn content_is_checked() {
        let ok = |s, p, n: &str| validate(s, p, n, &[]);
        assert!(ok(WorkStatus::Ongoing, 40, "推进顺利").is_ok());
        assert!(ok(WorkStatus::Ongoing, 101, "x").is_err());
        assert!(ok(WorkStatus::Ongoing, -1, "x").is_err());
        assert!(ok(WorkStatus::Done, 90, "x").is_err());
        assert!(ok(WorkStatus::Done, 100, "x").is_ok());
        assert!(ok(WorkStatus::NotStarted, 10, "x").is_err());
        assert!(ok(WorkStatus::Lagging, 10, "  ").is_err());
        let nan = Figure {
            name: "x".into(),
            value: f64::NAN,
            unit: String::new(),
        };
        assert!(validate(WorkStatus::Ongoing, 1, "x", &[nan]).is_err());
        for code in ["not_started", "ongoing", "done", "lagging"] {
            assert_eq!(WorkStatus::from_code(code).map(|s| s.code()), Some(code));
        }
    }

    #[test]
    fn figures_are_read_one_per_line() {
        let f = parse_figures("进出口额 12.5 亿元\n\n新增企业：30 家\n").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].name.as_str(), f[0].value, f[0].unit.as_str()),
            ("进出口额", 12.5, "亿元")
        );
        assert_eq!(
            (f[1].name.as_str(), f[1].value, f[1].unit.as_str()),
            ("新增企业", 30.0, "家")
        );
        assert!(parse_figures("只有名称").is_err());
        assert!(parse_figures("12 亿元").is_err());
    }

    #[test]
    fn only_the_lead_files_the_report_and_only_a_support_unit_contributes() {
        use luoshi_doc::Role::{Lead, Support};
        let table = [
            (ReportKind::Task, Some(Lead), true),
            (ReportKind::Task, Some(Support), false),
            (ReportKind::Task, None, false),
            (ReportKind::Contribution, Some(Support), true),
            (ReportKind::Contribution, Some(Lead), false),
            (ReportKind::Contribution, None, false),
        ];
        for (kind, role, ok) in table {
            assert_eq!(may_file(kind, role).is_ok(), ok, "{kind:?} {role:?}");
        }
        assert!(
            may_file(ReportKind::Task, None)
                .unwrap_err()
                .contains("牵头单位")
        );
    }

    #[test]
    fn late_means_after_the_last_day_on_time() {
        let d = |s| Date::parse(s).unwrap();
        assert!(!is_late(d("2026-09-19"), d("2026-09-19")));
        assert!(is_late(d("2026-09-20"), d("2026-09-19")));
        assert!(!is_late(d("2025-12-31"), d("2026-01-01")));
        assert!(is_late(d("2027-01-01"), d("2026-12-31")));
    }

    #[test]
    fn figures_written_for_a_form_read_back_the_same() {
        let table = [
            "进出口额 12.5 亿元",
            "对接企业 42 家\n参展企业 36 家",
            "企业数 3",
        ];
        for text in table {
            let figures = parse_figures(text).unwrap();
            assert_eq!(figures_text(&figures), text);
            assert_eq!(parse_figures(&figures_text(&figures)).unwrap(), figures);
        }
    }
}
