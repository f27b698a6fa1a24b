//! The deadline-rush fixture, shared by the load benchmark and the crash test: `n` units, one
//! document whose task `i` is led by unit `i` (unit `i + 1` supports), and a signed-in liaison
//! officer per unit whose session token is known to the caller.

use crate::input;
use luoshi_domain::accounts::Role;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_store::ledger::{plan_import, sha256_hex};
use luoshi_store::reporting::ObligationFilter;
use luoshi_store::{Actor, Id, Store, StoreError, StoreResult};

/// One officer of the rush: the session to send and the task to report on.
#[derive(Debug, Clone)]
pub struct RushUser {
    pub username: String,
    pub token: String,
    pub csrf: String,
    pub task_id: Id,
}

/// Builds the fixture on an empty store (sessions stamped `now`, unix seconds).
pub async fn prepare(store: &dyn Store, n: usize, now: i64) -> StoreResult<Vec<RushUser>> {
    let actor = Actor::system("rush");
    store.seed_registry(&actor).await?;
    let name = |i: usize| format!("自治区压力测试第{i}厅");
    let mut text = String::from(
        "关于印发压力测试任务分工方案的通知\n\n桂压测发〔2026〕1号\n\n压力测试任务分工方案\n\n一、主要任务\n\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "{}.推进第{i}项压力测试任务。按季度报送进展。（责任单位：{}，{}）\n\n",
            i + 1,
            name(i),
            name((i + 1) % n)
        ));
    }
    let plan = plan_import(store, input("rush.txt", text.as_bytes())).await?;
    store.apply_import(&actor, &plan).await?;
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let unit = store
            .unit_by_name(&name(i))
            .await?
            .ok_or_else(|| StoreError::Invalid("fixture", format!("unit {i} was not created")))?;
        let owed = store
            .obligations(&ObligationFilter {
                units: Some(vec![unit.id]),
                ..Default::default()
            })
            .await?;
        let task_id = owed
            .iter()
            .find(|o| o.role.is_lead())
            .ok_or_else(|| StoreError::Invalid("fixture", format!("unit {i} leads nothing")))?
            .task_id;
        let username = format!("rush{i}");
        let user = store
            .create_user(
                &actor,
                NewUser {
                    username: username.clone(),
                    display_name: username.clone(),
                    role: Role::Liaison,
                    unit_id: unit.id,
                    password_hash: "unused".into(),
                    must_change_password: false,
                },
            )
            .await?;
        let token = format!("rush-token-{i}");
        store
            .create_session(NewSession {
                token_hash: sha256_hex(token.as_bytes()),
                user_id: user.id,
                csrf: format!("rush-csrf-{i}"),
                now,
            })
            .await?;
        users.push(RushUser {
            username,
            token,
            csrf: format!("rush-csrf-{i}"),
            task_id,
        });
    }
    Ok(users)
}

/// The JSON body of one officer's quarterly report.
pub fn report_body(u: &RushUser, period: &str) -> String {
    serde_json::json!({
        "task_id": u.task_id,
        "period": period,
        "status": "ongoing",
        "progress": 50,
        "narrative": format!("{}：本季度按计划推进，完成阶段目标。", u.username),
        "figures": [{"name": "完成事项", "value": 3, "unit": "项"}]
    })
    .to_string()
}
