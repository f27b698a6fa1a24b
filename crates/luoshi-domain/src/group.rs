//! The leading group (领导小组): the kinds of its meetings, and who reads what of a meeting.

crate::codes! {
    /// A meeting of the leading group.
    pub enum MeetingKind {
        /// 全体会议
        Plenary = ("plenary", "全体会议"),
        /// 办公室会议
        Office = ("office", "办公室会议"),
    }
}

/// What of a meeting a reader sees. The office and leaders see everything; a unit sees a meeting
/// only when one of its decisions is led by the unit (or a unit it succeeded), and then only its
/// own decisions, not the minutes. The roster is printed in the document that sets the group up,
/// so every signed-in user reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingView {
    Whole,
    /// The positions (in order) of the decisions this reader may see; never empty.
    Decisions(Vec<usize>),
    Hidden,
}

/// The view of a meeting with decisions led by `leads` (in order), for a reader who sees
/// everything or belongs to `family`.
pub fn meeting_view(sees_everything: bool, family: &[i64], leads: &[Option<i64>]) -> MeetingView {
    if sees_everything {
        return MeetingView::Whole;
    }
    let own: Vec<usize> = leads
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_some_and(|u| family.contains(&u)))
        .map(|(i, _)| i)
        .collect();
    if own.is_empty() {
        MeetingView::Hidden
    } else {
        MeetingView::Decisions(own)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_sees_only_meetings_that_gave_it_work() {
        let leads = [Some(3), None, Some(7), Some(3)];
        let table = [
            (true, vec![], MeetingView::Whole),
            (false, vec![3], MeetingView::Decisions(vec![0, 3])),
            (false, vec![9, 7], MeetingView::Decisions(vec![2])),
            (false, vec![5], MeetingView::Hidden),
            (false, vec![], MeetingView::Hidden),
        ];
        for (everything, family, want) in table {
            assert_eq!(
                meeting_view(everything, &family, &leads),
                want,
                "{family:?}"
            );
        }
    }
}
