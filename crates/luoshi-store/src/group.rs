//! The leading group (领导小组): its roster, meetings and decisions.

use async_trait::async_trait;
use luoshi_domain::calendar::Date;
use luoshi_domain::group::MeetingKind;
use serde::{Deserialize, Serialize};

use crate::{Actor, Id, StoreResult};

/// A member of the leading group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: Id,
    pub seq: i64,
    /// 组长, 副组长, 成员, 办公室主任 …
    pub role: String,
    pub person: String,
    pub position: String,
    pub unit_id: Option<Id>,
    pub unit_name: Option<String>,
    pub liaison_user_id: Option<Id>,
    pub liaison_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MemberEdit {
    pub role: String,
    pub person: String,
    pub position: String,
    pub unit_id: Option<Id>,
    pub liaison_user_id: Option<Id>,
}

/// A decision (议定事项) of a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: Id,
    pub meeting_id: Id,
    pub seq: i64,
    pub text: String,
    pub lead_unit_id: Option<Id>,
    pub lead_unit_name: Option<String>,
    pub due: Option<Date>,
    /// Supervision items opened from it.
    pub item_ids: Vec<Id>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Id,
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub summary: String,
    pub decisions: Vec<Decision>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewDecision {
    pub text: String,
    pub lead_unit_id: Option<Id>,
    pub due: Option<Date>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub summary: String,
    pub decisions: Vec<NewDecision>,
}

/// A stored version whose text lists a leading group's roster: what the roster import offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterSource {
    pub document_id: Id,
    pub document_title: String,
    pub version_id: Id,
    pub version_no: i64,
    /// Whether it is the document's latest version.
    pub latest: bool,
    pub members: usize,
}

/// The leading group and its meetings.
#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn members(&self) -> StoreResult<Vec<Member>>;
    /// Every stored version that lists a roster, newest document first, versions newest first.
    async fn roster_sources(&self) -> StoreResult<Vec<RosterSource>>;
    /// Appends members (one, or a roster read from a document) in one transaction.
    async fn add_members(&self, actor: &Actor, new: Vec<MemberEdit>) -> StoreResult<Vec<Member>>;
    async fn update_member(&self, actor: &Actor, id: Id, edit: MemberEdit) -> StoreResult<Member>;
    async fn delete_member(&self, actor: &Actor, id: Id) -> StoreResult<()>;
    async fn meetings(&self) -> StoreResult<Vec<Meeting>>;
    async fn meeting(&self, id: Id) -> StoreResult<Option<Meeting>>;
    async fn create_meeting(&self, actor: &Actor, new: NewMeeting) -> StoreResult<Meeting>;
    /// Corrects a meeting's kind, title, date, place and minutes (not its decisions). Audited.
    async fn update_meeting(&self, actor: &Actor, id: Id, edit: NewMeeting)
    -> StoreResult<Meeting>;
    /// Corrects a decision's text, lead unit and deadline (a decision saved without a lead gets
    /// one, and can then become an item). Audited with before and after.
    async fn update_decision(
        &self,
        actor: &Actor,
        id: Id,
        edit: NewDecision,
    ) -> StoreResult<Decision>;
}
