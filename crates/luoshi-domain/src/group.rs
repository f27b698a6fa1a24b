//! The leading group (领导小组): the kinds of its meetings.

crate::codes! {
    /// A meeting of the leading group.
    pub enum MeetingKind {
        /// 全体会议
        Plenary = ("plenary", "全体会议"),
        /// 办公室会议
        Office = ("office", "办公室会议"),
    }
}
