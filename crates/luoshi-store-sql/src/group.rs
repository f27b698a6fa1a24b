//! The leading group (领导小组): its roster with one liaison officer per member unit, and its
//! meetings with their decisions (议定事项), from which supervision items are opened.

use async_trait::async_trait;
use luoshi_store::group::{Decision, GroupStore, Meeting, Member, MemberEdit, NewMeeting};
use luoshi_store::{Actor, Id, StoreError, StoreResult};
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{SqlStore, Tx, audit, db_err, get, now};

const MEMBER_SQL: &str = "SELECT m.id, m.seq, m.role, m.person, m.position, m.unit_id, \
    u.name AS unit_name, m.liaison_user_id, us.display_name AS liaison_name \
    FROM group_members m LEFT JOIN units u ON u.id = m.unit_id \
    LEFT JOIN users us ON us.id = m.liaison_user_id";

fn member_row(r: &AnyRow) -> StoreResult<Member> {
    Ok(Member {
        id: get(r, "id")?,
        seq: get(r, "seq")?,
        role: get(r, "role")?,
        person: get(r, "person")?,
        position: get(r, "position")?,
        unit_id: get(r, "unit_id")?,
        unit_name: get(r, "unit_name")?,
        liaison_user_id: get(r, "liaison_user_id")?,
        liaison_name: get(r, "liaison_name")?,
    })
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
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    member_row(&r)
}

/// A liaison officer must belong to the member unit.
async fn check_liaison(tx: &mut Tx, e: &MemberEdit) -> StoreResult<()> {
    if let Some(user) = e.liaison_user_id {
        let unit: Option<i64> = sqlx::query_scalar("SELECT unit_id FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
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
        "SELECT d.id, d.meeting_id, d.seq, d.text, d.lead_unit_id, u.name AS lead_unit_name, d.due, \
         (SELECT MIN(i.id) FROM items i WHERE i.decision_id = d.id) AS first_item \
         FROM decisions d LEFT JOIN units u ON u.id = d.lead_unit_id {} ORDER BY d.meeting_id, d.seq",
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
    q.fetch_all(exec)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(Decision {
                id: get(r, "id")?,
                meeting_id: get(r, "meeting_id")?,
                seq: get(r, "seq")?,
                text: get(r, "text")?,
                lead_unit_id: get(r, "lead_unit_id")?,
                lead_unit_name: get(r, "lead_unit_name")?,
                due: get(r, "due")?,
                item_ids: get::<Option<i64>>(r, "first_item")?.into_iter().collect(),
            })
        })
        .collect()
}

fn meeting_row(r: &AnyRow) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: get(r, "id")?,
        kind: get(r, "kind")?,
        title: get(r, "title")?,
        held_on: get(r, "held_on")?,
        place: get(r, "place")?,
        summary: get(r, "summary")?,
        decisions: Vec::new(),
    })
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn members(&self) -> StoreResult<Vec<Member>> {
        let s = self;
        let sql = format!("{MEMBER_SQL} ORDER BY m.seq, m.id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&s.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(member_row)
            .collect()
    }

    async fn add_members(&self, actor: &Actor, new: Vec<MemberEdit>) -> StoreResult<Vec<Member>> {
        let s = self;
        for e in &new {
            check(e)?;
        }
        let mut tx = s.write().await?;
        let mut seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM group_members")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut out = Vec::new();
        for e in new {
            check_liaison(&mut tx, &e).await?;
            seq += 1;
            let id: Id = sqlx::query_scalar(
                "INSERT INTO group_members (seq, role, person, position, unit_id, liaison_user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(seq)
            .bind(e.role.trim().to_string())
            .bind(e.person.trim().to_string())
            .bind(e.position.trim().to_string())
            .bind(e.unit_id)
            .bind(e.liaison_user_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn update_member(&self, actor: &Actor, id: Id, e: MemberEdit) -> StoreResult<Member> {
        let s = self;
        check(&e)?;
        let mut tx = s.write().await?;
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
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
        Ok(m)
    }

    async fn delete_member(&self, actor: &Actor, id: Id) -> StoreResult<()> {
        let s = self;
        let mut tx = s.write().await?;
        let before = member_in(&mut tx, id).await?;
        sqlx::query("DELETE FROM group_members WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)
    }

    async fn meetings(&self) -> StoreResult<Vec<Meeting>> {
        let s = self;
        let mut out = sqlx::query(
            "SELECT id, kind, title, held_on, place, summary FROM meetings ORDER BY held_on DESC, id DESC",
        )
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(meeting_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let all = decisions(&s.pool, None).await?;
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
        let s = self;
        let Some(r) = sqlx::query(
            "SELECT id, kind, title, held_on, place, summary FROM meetings WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?
        else {
            return Ok(None);
        };
        let mut m = meeting_row(&r)?;
        m.decisions = decisions(&s.pool, Some(id)).await?;
        // Every item opened from a decision, not only the first.
        for d in &mut m.decisions {
            d.item_ids =
                sqlx::query_scalar("SELECT id FROM items WHERE decision_id = $1 ORDER BY id")
                    .bind(d.id)
                    .fetch_all(&s.pool)
                    .await
                    .map_err(db_err)?;
        }
        Ok(Some(m))
    }

    async fn create_meeting(&self, actor: &Actor, new: NewMeeting) -> StoreResult<Meeting> {
        let s = self;
        if !matches!(new.kind.as_str(), "plenary" | "office") {
            return Err(StoreError::Invalid(
                "meeting_kind",
                "会议类型应为全体会议或办公室会议".into(),
            ));
        }
        if new.title.trim().is_empty() || new.title.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "meeting_title",
                "会议名称不能为空，且不超过 200 字".into(),
            ));
        }
        if luoshi_domain::calendar::Date::parse(&new.held_on).is_none() {
            return Err(StoreError::Invalid(
                "bad_date",
                "会议日期格式应为 2026-09-30".into(),
            ));
        }
        for d in &new.decisions {
            if d.text.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "decision_empty",
                    "议定事项内容不能为空".into(),
                ));
            }
            if let Some(due) = &d.due
                && luoshi_domain::calendar::Date::parse(due).is_none()
            {
                return Err(StoreError::Invalid(
                    "bad_date",
                    "议定事项的完成时限格式应为 2026-09-30".into(),
                ));
            }
        }
        let mut tx = s.write().await?;
        let id: Id = sqlx::query_scalar(
            "INSERT INTO meetings (kind, title, held_on, place, summary, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.kind.clone())
        .bind(new.title.trim().to_string())
        .bind(new.held_on.clone())
        .bind(new.place.trim().to_string())
        .bind(new.summary.trim().to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        for (i, d) in new.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO decisions (meeting_id, seq, text, lead_unit_id, due) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i as i64 + 1)
            .bind(d.text.trim().to_string())
            .bind(d.lead_unit_id)
            .bind(d.due.clone())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
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
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?,
        )?;
        m.decisions = decisions(&mut *tx, Some(id)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(m)
    }
}
