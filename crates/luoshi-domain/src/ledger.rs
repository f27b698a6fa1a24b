//! Which task of a new version is which task of the stored document, and the rules of the
//! office's corrections after import (a task's fields, a document's end, undoing an import).
//!
//! Tasks keep their identity across versions so that their history, reports and supervision stay
//! attached. A new task is paired with the stored task whose wording is most alike (a rewording of
//! one clause keeps the pairing), preferring the same number; pairs below `MIN_SIMILARITY` are not
//! the same task.

use luoshi_doc::normalize::canonical_key;
use similar::{Algorithm, TextDiff};

crate::codes! {
    /// Whether a document is in force. A repealed (废止) or expired (到期) one owes nothing for
    /// periods that start after its end.
    pub enum DocumentStatus {
        /// 有效
        Active = ("active", "有效"),
        /// 废止
        Repealed = ("repealed", "已废止"),
        /// 到期
        Expired = ("expired", "已到期"),
    }
}

/// The last day a task owes reports: the earlier of its 办结 and its document's end.
pub fn owes_until(
    completed_on: Option<crate::calendar::Date>,
    document_ended_on: Option<crate::calendar::Date>,
) -> Option<crate::calendar::Date> {
    match (completed_on, document_ended_on) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Why a document's end is refused: an active document has no end date, an ended one needs one.
pub fn check_document_end(
    status: DocumentStatus,
    ended_on: Option<crate::calendar::Date>,
) -> Result<(), &'static str> {
    match (status, ended_on) {
        (DocumentStatus::Active, Some(_)) => Err("有效的文件不应填写终止日期"),
        (DocumentStatus::Repealed | DocumentStatus::Expired, None) => {
            Err("请填写文件废止或到期的日期")
        }
        _ => Ok(()),
    }
}

/// Why a task edit is refused: a title of 1–200 characters, at least one unit, none named twice.
pub fn check_task_edit(title: &str, units: &[i64]) -> Result<(), &'static str> {
    let n = title.trim().chars().count();
    if n == 0 || n > 200 {
        return Err("任务名称须为 1–200 个字");
    }
    if units.is_empty() {
        return Err("请至少指定牵头单位");
    }
    let mut seen = std::collections::HashSet::new();
    if !units.iter().all(|u| seen.insert(*u)) {
        return Err("同一单位不能重复列出");
    }
    Ok(())
}

/// Why an import cannot be undone: once a unit has reported on its tasks or the office has opened
/// supervision on them, the document is part of the record (retire it as 废止 instead).
pub fn undo_import_refusal(reports: i64, items: i64) -> Option<String> {
    match (reports, items) {
        (0, 0) => None,
        (r, 0) => Some(format!(
            "该文件的任务已有 {r} 份报送材料，不能撤销导入；如文件已失效，请标记为废止或到期"
        )),
        (0, i) => Some(format!(
            "该文件的任务已有 {i} 项督办事项，不能撤销导入；如文件已失效，请标记为废止或到期"
        )),
        (r, i) => Some(format!(
            "该文件的任务已有 {r} 份报送材料和 {i} 项督办事项，不能撤销导入；如文件已失效，请标记为废止或到期"
        )),
    }
}

/// Below this character similarity two tasks are different tasks.
pub const MIN_SIMILARITY: f64 = 0.6;

/// The wording a task is compared by.
#[derive(Debug, Clone)]
pub struct TaskWording {
    pub number: String,
    pub title: String,
    pub text: String,
}

fn key(t: &TaskWording) -> String {
    canonical_key(&format!("{}{}", t.title, t.text))
}

/// For every new task, the index of the stored task it continues, if any. Each stored task is
/// used at most once.
pub fn match_tasks(stored: &[TaskWording], new: &[TaskWording]) -> Vec<Option<usize>> {
    let sk: Vec<String> = stored.iter().map(key).collect();
    let nk: Vec<String> = new.iter().map(key).collect();
    let mut out = vec![None; new.len()];
    let mut used = vec![false; stored.len()];
    // Exact wording first, in order.
    for (j, k) in nk.iter().enumerate() {
        if let Some(i) = (0..stored.len()).find(|&i| !used[i] && sk[i] == *k) {
            used[i] = true;
            out[j] = Some(i);
        }
    }
    // Then the most similar remaining pairs.
    let mut pairs = Vec::new();
    for (j, k) in nk.iter().enumerate() {
        if out[j].is_some() {
            continue;
        }
        for (i, s) in sk.iter().enumerate() {
            if used[i] {
                continue;
            }
            let mut score = TextDiff::configure()
                .algorithm(Algorithm::Myers)
                .diff_chars(s.as_str(), k.as_str())
                .ratio() as f64;
            if stored[i].number == new[j].number {
                score += 0.05;
            }
            if score >= MIN_SIMILARITY {
                pairs.push((score, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, i, j) in pairs {
        if !used[i] && out[j].is_none() {
            used[i] = true;
            out[j] = Some(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(number: &str, title: &str, text: &str) -> TaskWording {
        TaskWording {
            number: number.into(),
            title: title.into(),
            text: text.into(),
        }
    }

    #[test]
    fn reworded_and_renumbered_tasks_keep_their_identity() {
        let stored = vec![
            t(
                "1",
                "建设跨境数据通道",
                "推进面向东盟的数据通道建设，年内开通两条。",
            ),
            t("2", "培育市场主体", "新增外贸企业一百家以上。"),
            t("3", "优化通关流程", "压缩整体通关时间三成。"),
        ];
        let new = vec![
            t("1", "培育市场主体", "新增外贸企业一百五十家以上。"),
            t(
                "2",
                "建设跨境数据通道",
                "推进面向东盟的数据通道建设，年内开通两条。",
            ),
            t("3", "发展海洋经济", "建设现代化海洋牧场示范区。"),
        ];
        assert_eq!(match_tasks(&stored, &new), vec![Some(1), Some(0), None]);
    }

    #[test]
    fn corrections_are_checked_by_rule() {
        use crate::calendar::Date;
        let d = |s| Date::parse(s);
        for (done, ended, want) in [
            (None, None, None),
            (d("2026-06-30"), None, d("2026-06-30")),
            (None, d("2026-03-31"), d("2026-03-31")),
            (d("2026-06-30"), d("2026-03-31"), d("2026-03-31")),
            (d("2026-01-15"), d("2026-03-31"), d("2026-01-15")),
        ] {
            assert_eq!(owes_until(done, ended), want);
        }
        for (status, ended, ok) in [
            (DocumentStatus::Active, None, true),
            (DocumentStatus::Active, d("2026-01-01"), false),
            (DocumentStatus::Repealed, None, false),
            (DocumentStatus::Repealed, d("2026-01-01"), true),
            (DocumentStatus::Expired, d("2026-12-31"), true),
        ] {
            assert_eq!(
                check_document_end(status, ended).is_ok(),
                ok,
                "{status:?} {ended:?}"
            );
        }
        for (title, units, ok) in [
            ("建设数据枢纽", vec![1, 2], true),
            ("", vec![1], false),
            ("建设数据枢纽", vec![], false),
            ("建设数据枢纽", vec![1, 2, 1], false),
            (&"长".repeat(201) as &str, vec![1], false),
        ] {
            assert_eq!(
                check_task_edit(title, &units).is_ok(),
                ok,
                "{title} {units:?}"
            );
        }
        assert_eq!(undo_import_refusal(0, 0), None);
        assert!(undo_import_refusal(3, 0).unwrap().contains("3 份报送材料"));
        assert!(undo_import_refusal(0, 2).unwrap().contains("2 项督办事项"));
        assert!(undo_import_refusal(1, 1).unwrap().contains("废止"));
    }

    #[test]
    fn each_stored_task_is_used_once() {
        let stored = vec![t("1", "甲", "相同的内容相同的内容")];
        let new = vec![
            t("1", "甲", "相同的内容相同的内容"),
            t("2", "甲", "相同的内容相同的内容"),
        ];
        assert_eq!(match_tasks(&stored, &new), vec![Some(0), None]);
    }
}
