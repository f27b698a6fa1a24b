//! The leading group (领导小组): its roster with one liaison officer per member unit, and its
//! meetings with their decisions (议定事项), from which supervision items are opened.

use async_trait::async_trait;
use luoshi_store::group::{
    Decision, GroupStore, Meeting, Member, MemberEdit, NewDecision, NewMeeting, RosterSource,
};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{Col, Fetch, Run, SqlStore, Tx, audit, commit, now, scalar};
use luoshi_domain::group::MeetingKind;

const MEMBER_SQL: &str = "SELECT m.id, m.seq, m.role, m.person, m.position, u.id AS unit_id, \
    u.name AS unit_name, m.liaison_user_id, us.display_name AS liaison_name \
    FROM group_members m LEFT JOIN units w ON w.id = m.unit_id \
    LEFT JOIN units u ON u.id = COALESCE(w.current_id, w.id) \
    LEFT JOIN users us ON us.id = m.liaison_user_id";

fn member_row(r: &AnyRow) -> StoreResult<Member> {
    Ok(Member {
        id: r.col("id")?,
        seq: r.col("seq")?,
        role: r.col("role")?,
        person: r.col("person")?,
        position: r.col("position")?,
        unit_id: r.col("unit_id")?,
        unit_name: r.col("unit_name")?,
        liaison_user_id: r.col("liaison_user_id")?,
        liaison_name: r.col("liaison_name")?,
    })
}

/// A meeting's title, place, minutes and decisions within their bounds.
fn check_meeting(m: &NewMeeting) -> StoreResult<()> {
    if m.title.trim().is_empty() || m.title.chars().count() > 200 {
        return Err(StoreError::Invalid(
            "meeting_title",
            "会议名称不能为空，且不超过 200 字".into(),
        ));
    }
    use luoshi_domain::limits::{BODY, NAME, REFERENCE};
    crate::bounded("会议地点", &m.place, NAME)?;
    crate::bounded("会议纪要", &m.summary, BODY)?;
    for d in &m.decisions {
        crate::bounded("议定事项", &d.text, REFERENCE)?;
    }
    Ok(())
}

fn check(e: &MemberEdit) -> StoreResult<()> {
    let bad = |s: &str, max: usize| s.chars().count() > max;
    if e.role.trim().is_empty() || bad(&e.role, 50) || bad(&e.person, 50) || bad(&e.position, 200) {
        return Err(StoreError::Invalid(
            "member_fields",
            "职务不能为空；姓名不超过 50 字，职务不超过 200 字".into(),
        ));
    }
    if e.person.trim().is_empty() && e.unit_id.is_none() {
        return Err(StoreError::Invalid(
            "member_empty",
            "请填写姓名或选择成员单位".into(),
        ));
    }
    Ok(())
}

async fn member_in(tx: &mut Tx, id: Id) -> StoreResult<Member> {
    let sql = format!("{MEMBER_SQL} WHERE m.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .maybe(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    member_row(&r)
}

/// A liaison officer must belong to the member unit.
async fn check_liaison(tx: &mut Tx, e: &MemberEdit) -> StoreResult<()> {
    if let Some(user) = e.liaison_user_id {
        let unit: Option<i64> = scalar("SELECT unit_id FROM users WHERE id = $1")
            .bind(user)
            .maybe(&mut **tx)
            .await?;
        if unit.is_none() || e.unit_id.is_none() || unit != e.unit_id {
            return Err(StoreError::Invalid(
                "liaison_of_unit",
                "信息联络员须为该成员单位的账号".into(),
            ));
        }
    }
    Ok(())
}

async fn decisions(
    exec: impl sqlx::Executor<'_, Database = sqlx::Any>,
    meeting: Option<Id>,
) -> StoreResult<Vec<Decision>> {
    let sql = format!(
        "SELECT d.id, d.meeting_id, d.seq, d.text, u.id AS lead_unit_id, u.name AS lead_unit_name, d.due, \
         (SELECT MIN(i.id) FROM items i WHERE i.decision_id = d.id) AS first_item \
         FROM decisions d LEFT JOIN units w ON w.id = d.lead_unit_id \
         LEFT JOIN units u ON u.id = COALESCE(w.current_id, w.id) {} ORDER BY d.meeting_id, d.seq",
        if meeting.is_some() {
            "WHERE d.meeting_id = $1"
        } else {
            ""
        }
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(m) = meeting {
        q = q.bind(m);
    }
    q.all(exec)
        .await?
        .iter()
        .map(|r| {
            Ok(Decision {
                id: r.col("id")?,
                meeting_id: r.col("meeting_id")?,
                seq: r.col("seq")?,
                text: r.col("text")?,
                lead_unit_id: r.col("lead_unit_id")?,
                lead_unit_name: r.col("lead_unit_name")?,
                due: r.opt_date("due")?,
                item_ids: r.col::<Option<i64>, _>("first_item")?.into_iter().collect(),
            })
        })
        .collect()
}

fn meeting_row(r: &AnyRow) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: r.col("id")?,
        kind: r.parsed("kind", MeetingKind::from_code)?,
        title: r.col("title")?,
        held_on: r.date("held_on")?,
        place: r.col("place")?,
        summary: r.col("summary")?,
        decisions: Vec::new(),
    })
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn members(&self) -> StoreResult<Vec<Member>> {
        let sql = format!("{MEMBER_SQL} ORDER BY m.seq, m.id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .all(&self.pool)
            .await?
            .iter()
            .map(member_row)
            .collect()
    }

    async fn roster_sources(&self) -> StoreResult<Vec<RosterSource>> {
        // Only versions whose parse lists someone are read in full (an empty roster is written
        // `"roster":[]`).
        let rows = sqlx::query(
            "SELECT v.id, v.version_no, v.document_id, d.title, d.latest_version_id, v.parsed \
             FROM versions v JOIN documents d ON d.id = v.document_id \
             WHERE v.parsed NOT LIKE '%\"roster\":[]%' ORDER BY d.id DESC, v.version_no DESC",
        )
        .all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let parsed: String = r.col("parsed")?;
            let doc: luoshi_doc::Document = serde_json::from_str(&parsed)
                .map_err(|e| StoreError::Database(format!("stored JSON unreadable: {e}"), None))?;
            if doc.roster.is_empty() {
                continue;
            }
            let id: Id = r.col("id")?;
            out.push(RosterSource {
                document_id: r.col("document_id")?,
                document_title: r.col("title")?,
                version_id: id,
                version_no: r.col("version_no")?,
                latest: r.col::<Id, _>("latest_version_id")? == id,
                members: doc.roster.len(),
            });
        }
        Ok(out)
    }

    async fn add_members(&self, actor: &Actor, new: Vec<MemberEdit>) -> StoreResult<Vec<Member>> {
        for e in &new {
            check(e)?;
        }
        let mut tx = self.write().await?;
        let mut seq: i64 = scalar("SELECT COALESCE(MAX(seq), 0) FROM group_members")
            .one(&mut *tx)
            .await?;
        let mut out = Vec::new();
        for e in new {
            check_liaison(&mut tx, &e).await?;
            seq += 1;
            let id: Id = scalar(
                "INSERT INTO group_members (seq, role, person, position, unit_id, liaison_user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(seq)
            .bind(e.role.trim().to_string())
            .bind(e.person.trim().to_string())
            .bind(e.position.trim().to_string())
            .bind(e.unit_id)
            .bind(e.liaison_user_id)
            .one(&mut *tx)
            .await?;
            let m = member_in(&mut tx, id).await?;
            audit(
                &mut tx,
                actor,
                "group.member_add",
                "group_member",
                Some(id),
                None,
                serde_json::to_value(&m).ok(),
            )
            .await?;
            out.push(m);
        }
        commit(tx).await?;
        Ok(out)
    }

    async fn update_member(&self, actor: &Actor, id: Id, e: MemberEdit) -> StoreResult<Member> {
        check(&e)?;
        let mut tx = self.write().await?;
        let before = member_in(&mut tx, id).await?;
        check_liaison(&mut tx, &e).await?;
        sqlx::query(
            "UPDATE group_members SET role = $1, person = $2, position = $3, unit_id = $4, \
             liaison_user_id = $5 WHERE id = $6",
        )
        .bind(e.role.trim().to_string())
        .bind(e.person.trim().to_string())
        .bind(e.position.trim().to_string())
        .bind(e.unit_id)
        .bind(e.liaison_user_id)
        .bind(id)
        .run(&mut *tx)
        .await?;
        let m = member_in(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "group.member_update",
            "group_member",
            Some(id),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&m).ok(),
        )
        .await?;
        commit(tx).await?;
        Ok(m)
    }

    async fn delete_member(&self, actor: &Actor, id: Id) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = member_in(&mut tx, id).await?;
        sqlx::query("DELETE FROM group_members WHERE id = $1")
            .bind(id)
            .run(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "group.member_delete",
            "group_member",
            Some(id),
            serde_json::to_value(&before).ok(),
            None,
        )
        .await?;
        commit(tx).await
    }

    async fn meetings(&self) -> StoreResult<Vec<Meeting>> {
        let mut out = sqlx::query(
            "SELECT id, kind, title, held_on, place, summary FROM meetings ORDER BY held_on DESC, id DESC",
        )
        .all(&self.pool).await?
        .iter()
        .map(meeting_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let all = decisions(&self.pool, None).await?;
        for m in &mut out {
            m.decisions = all
                .iter()
                .filter(|d| d.meeting_id == m.id)
                .cloned()
                .collect();
        }
        Ok(out)
    }

    async fn meeting(&self, id: Id) -> StoreResult<Option<Meeting>> {
        let Some(r) = sqlx::query(
            "SELECT id, kind, title, held_on, place, summary FROM meetings WHERE id = $1",
        )
        .bind(id)
        .maybe(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let mut m = meeting_row(&r)?;
        m.decisions = decisions(&self.pool, Some(id)).await?;
        // Every item opened from a decision, not only the first.
        for d in &mut m.decisions {
            d.item_ids = scalar("SELECT id FROM items WHERE decision_id = $1 ORDER BY id")
                .bind(d.id)
                .all(&self.pool)
                .await?;
        }
        Ok(Some(m))
    }

    async fn create_meeting(&self, actor: &Actor, new: NewMeeting) -> StoreResult<Meeting> {
        check_meeting(&new)?;
        for d in &new.decisions {
            if d.text.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "decision_empty",
                    "议定事项内容不能为空".into(),
                ));
            }
        }
        let mut tx = self.write().await?;
        let id: Id = scalar(
            "INSERT INTO meetings (kind, title, held_on, place, summary, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.kind.code())
        .bind(new.title.trim().to_string())
        .bind(new.held_on.to_string())
        .bind(new.place.trim().to_string())
        .bind(new.summary.trim().to_string())
        .bind(now())
        .one(&mut *tx)
        .await?;
        for (i, d) in new.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO decisions (meeting_id, seq, text, lead_unit_id, due) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i as i64 + 1)
            .bind(d.text.trim().to_string())
            .bind(d.lead_unit_id)
            .bind(d.due.map(|d| d.to_string()))
            .run(&mut *tx).await?;
        }
        audit(
            &mut tx,
            actor,
            "meeting.create",
            "meeting",
            Some(id),
            None,
            Some(
                json!({ "title": new.title, "held_on": new.held_on, "decisions": new.decisions.len() }),
            ),
        )
        .await?;
        let mut m = meeting_row(
            &sqlx::query(
                "SELECT id, kind, title, held_on, place, summary FROM meetings WHERE id = $1",
            )
            .bind(id)
            .one(&mut *tx)
            .await?,
        )?;
        m.decisions = decisions(&mut *tx, Some(id)).await?;
        commit(tx).await?;
        Ok(m)
    }

    async fn update_meeting(
        &self,
        actor: &Actor,
        id: Id,
        edit: NewMeeting,
    ) -> StoreResult<Meeting> {
        check_meeting(&edit)?;
        let before = self.meeting(id).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE meetings SET kind = $1, title = $2, held_on = $3, place = $4, summary = $5 WHERE id = $6",
        )
        .bind(edit.kind.code())
        .bind(edit.title.trim().to_string())
        .bind(edit.held_on.to_string())
        .bind(edit.place.trim().to_string())
        .bind(edit.summary.trim().to_string())
        .bind(id)
        .run(&mut *tx)
        .await?;
        let fields = |m: &NewMeeting| {
            json!({ "kind": m.kind.code(), "title": m.title.trim(), "held_on": m.held_on,
                    "place": m.place.trim(), "summary": m.summary.trim() })
        };
        let was = NewMeeting {
            kind: before.kind,
            title: before.title.clone(),
            held_on: before.held_on,
            place: before.place.clone(),
            summary: before.summary.clone(),
            decisions: Vec::new(),
        };
        audit(
            &mut tx,
            actor,
            "meeting.update",
            "meeting",
            Some(id),
            Some(fields(&was)),
            Some(fields(&edit)),
        )
        .await?;
        commit(tx).await?;
        self.meeting(id).await?.ok_or(StoreError::NotFound)
    }

    async fn update_decision(
        &self,
        actor: &Actor,
        id: Id,
        edit: NewDecision,
    ) -> StoreResult<Decision> {
        if edit.text.trim().is_empty() {
            return Err(StoreError::Invalid(
                "decision_empty",
                "议定事项内容不能为空".into(),
            ));
        }
        let mut tx = self.write().await?;
        let meeting: Id = scalar("SELECT meeting_id FROM decisions WHERE id = $1")
            .bind(id)
            .maybe(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let find = |all: Vec<Decision>| all.into_iter().find(|d| d.id == id);
        let before = find(decisions(&mut *tx, Some(meeting)).await?).ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE decisions SET text = $1, lead_unit_id = $2, due = $3 WHERE id = $4")
            .bind(edit.text.trim().to_string())
            .bind(edit.lead_unit_id)
            .bind(edit.due.map(|d| d.to_string()))
            .bind(id)
            .run(&mut *tx)
            .await?;
        let after = find(decisions(&mut *tx, Some(meeting)).await?).ok_or(StoreError::NotFound)?;
        let fields =
            |d: &Decision| json!({ "text": d.text, "lead_unit": d.lead_unit_name, "due": d.due });
        audit(
            &mut tx,
            actor,
            "decision.update",
            "decision",
            Some(id),
            Some(fields(&before)),
            Some(fields(&after)),
        )
        .await?;
        commit(tx).await?;
        Ok(after)
    }
}
