//! Which task of a new version is which task of the stored document.
//!
//! Tasks keep their identity across versions so that their history, reports and supervision stay
//! attached. A new task is paired with the stored task whose wording is most alike (a rewording of
//! one clause keeps the pairing), preferring the same number; pairs below `MIN_SIMILARITY` are not
//! the same task.

use luoshi_doc::normalize::canonical_key;
use similar::{Algorithm, TextDiff};

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
    fn each_stored_task_is_used_once() {
        let stored = vec![t("1", "甲", "相同的内容相同的内容")];
        let new = vec![
            t("1", "甲", "相同的内容相同的内容"),
            t("2", "甲", "相同的内容相同的内容"),
        ];
        assert_eq!(match_tasks(&stored, &new), vec![Some(0), None]);
    }
}
