//! `luoshi demo`: a fresh demo ledger from the project's own samples (plus any directory
//! given), accounts for every role, a meeting, a day of the round's work, then the server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_store::accounts::NewUser;
use luoshi_store::ledger::{ImportInput, plan_import};
use luoshi_store::{Actor, Store};
use luoshi_store_sql::SqlStore;

use crate::ledger_cmd::{Serving, describe, import_files, run_server};

/// Demo accounts: (username, display name, role, unit).
const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("shangwu", "商务厅联络员", Role::Liaison, "自治区商务厅"),
    ("shuju", "数据局联络员", Role::Liaison, "自治区数据局"),
    (
        "lingdao",
        "领导",
        Role::Leader,
        luoshi_domain::registry::OFFICE,
    ),
    (
        "nanning",
        "南宁片区联络员",
        Role::AreaCommittee,
        "南宁片区管委会",
    ),
    ("qinzhou", "钦州市联络员", Role::CityGov, "钦州市人民政府"),
];

/// `luoshi demo`: a fresh demo ledger from the project's own samples (plus any directory given),
/// accounts for every role, then the server.
pub async fn demo(
    db: &Path,
    listen: SocketAddr,
    also: &[PathBuf],
    today: Option<Date>,
) -> Result<ExitCode> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("{}", p.display()))?;
        }
    }
    let beside = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::ops_cmd::load_audit_key(&beside.join("luoshi-audit.key"))?;
    crate::ops_cmd::load_data_key(&beside.join("luoshi-data.key"))?;
    let store: Arc<dyn Store> = Arc::new(
        SqlStore::open_sqlite(db)
            .await
            .map_err(|e| anyhow!("{e}"))?,
    );
    let first = luoshi_store::accounts::credentials::bootstrap_admin(&*store, false)
        .await?
        .ok_or_else(|| anyhow!("demo database was not empty"))?;
    let actor = Actor::system("演示数据");
    let day = today.unwrap_or_else(luoshi_store::today_in_china);
    for (name, bytes) in luoshi_store::samples::SAMPLES {
        let input = ImportInput::parse(name, bytes).map_err(|e| anyhow!("sample {name}: {e}"))?;
        let plan = plan_import(&*store, input).await?.with_default_start(day);
        let outcome = store.apply_import(&actor, &plan).await?;
        println!("示例 {name}：{}", describe(&outcome));
    }
    for dir in also {
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!(
                "luoshi: {} 不存在，跳过（not found, skipped)",
                dir.display()
            );
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        import_files(&*store, &files, false, day).await?;
    }
    let meeting = demo_meeting(&*store, &actor, day).await?;
    demo_daily(&*store, &actor, day, &meeting).await?;
    crate::indicators_cmd::demo_indicators(&*store, &actor, day, beside).await?;
    let mut logins: Vec<(String, String, String)> = first
        .iter()
        .map(|a| {
            (
                a.username.clone(),
                a.password.clone(),
                a.role.label().to_string(),
            )
        })
        .collect();
    // The office's administrator and the custodians sign in with a second factor: the demo
    // enrols one for each and prints its secret and a few recovery codes.
    let mut factors = Vec::new();
    for a in &first {
        factors.push((
            a.username.clone(),
            crate::ops_cmd::enrol_demo_factor(&*store, &a.username).await?,
        ));
    }
    for (user, name, role, unit) in DEMO_USERS {
        let Some(u) = store.unit_by_name(unit).await? else {
            continue;
        };
        let password = luoshi_store::accounts::credentials::new_password();
        store
            .create_user(
                &actor,
                NewUser {
                    username: user.to_string(),
                    display_name: name.to_string(),
                    role: *role,
                    unit_id: u.id,
                    password_hash: luoshi_store::accounts::credentials::hash_password(&password),
                    must_change_password: false,
                },
            )
            .await?;
        logins.push((
            user.to_string(),
            password,
            format!("{}，{}", role.label(), unit),
        ));
    }
    println!();
    println!("演示数据库：{}", db.display());
    println!("登录账户（密码只显示这一次）：");
    for (user, pw, what) in &logins {
        println!("  {user:<10} {pw:<18} {what}");
    }
    println!(
        "动态口令（办公室管理员和三员必须使用；用身份验证器添加密钥，或运行 luoshi otp 密钥 得到当前口令；恢复码每个只能用一次）："
    );
    for (user, (secret, codes)) in &factors {
        println!("  {user:<10} 密钥 {secret}  恢复码 {}", codes.join(" "));
    }
    println!();
    println!("一个季度的演示：shangwu 在“信息报送”中填报牵头任务，shuju 填报配合材料；");
    println!("admin 退回一份、单位修改后采纳；在“领导小组”记录会议并把议定事项转为督办事项，");
    println!("在“督办”中催办、签收、办结、评价；最后在“信息报送”下载季度汇编（Word/PDF）。");
    println!("各文件自其日期（旧文件自导入当季）起计应报，截止前未报显示灰灯并注明剩余天数；");
    println!("原文写作“自治区大数据发展局”的任务由自治区数据局承担，shuju 以现单位名义报送。");
    println!("“文件”页逐字标出新版改动（如“跨境专线2条→3条”）并链接涉及的任务；admin 可在任务页");
    println!(
        "更正名称、牵头/配合单位和完成时限，在文件页标记废止/到期或撤销误导入（均记入操作日志）；"
    );
    println!("演示会议中一项议定事项未明确牵头单位，补上后即可转为督办事项。");
    println!(
        "单位输入处可写简称（“商务厅”“数据局”“自贸办”），有歧义时提示“是否指…？”；导入预览可把"
    );
    println!(
        "新单位对应到已有单位。领导小组名单可从含名单的文件版本导入（如 000 号文件第 1 版）。"
    );
    println!(
        "季度汇编：前附各单位报送情况表，正文按文件和任务汇总已报材料（含配合单位），未报清单为附件。"
    );
    println!(
        "日常：督办事项“梳理面向东盟的数字贸易规则对接清单”已有商务厅的反馈和佐证材料及领导批示；"
    );
    println!(
        "lingdao 可在事项页批示；shangwu 有一份已保存未报送的草稿，也可在“批量报送”一表填报全部事项。"
    );
    println!("办公室更正过的任务，导入新版本时保留更正（导入预览逐项说明）。");
    println!(
        "指标：文件中的量化目标按对象和范围汇成指标（数字贸易进出口额 2027 年 200 亿元，已设 2025 年基期 120 亿元，办公室指定商务厅牵头），"
    );
    println!(
        "已导入统计报表（一季度、1-6月：72 亿元，按序时应达 80 亿元，黄灯并写明落后 10%）；交通运输厅随季度报告填报海铁联运班列 1-9月 0.82 万列，已采纳。"
    );
    println!(
        "shangwu 在任务报告的“指标数据”中填报 1-9月数值（填“万元”自动换算，单位不符或数量级不对会被退回），admin 采纳后灯色随之变化；"
    );
    println!(
        "admin 在“指标”→“统计报表导入”上传演示目录中的“统计报表示例-前三季度.xlsx”，先预览新增/修改再确认（有错行时逐行说明、一行也不写入）；"
    );
    println!(
        "也可运行 luoshi figures import --db 演示库 统计报表示例-前三季度.xlsx --dry-run；每个数值保留各版本及审核记录。"
    );
    println!(
        "指标的黄灯、红灯阈值（落后序时应达值的百分比）由 sysadmin 在“设置”中调整；季度汇编第四部分列出各指标完成情况。"
    );
    println!(
        "在“指标”页按文件、单位、年份、灯色筛选（可导出 Excel 指标表），指标页画出序时路径与节点；新版本改目标时旧值留作历史；luoshi indicators --json。"
    );
    println!(
        "任务中的目标带任务的责任单位（海铁联运班列开行量，交通运输厅牵头）；任务原文的完成时限（如“2027年6月底前完成”）随导入保存，灯和序时进度按它计算。"
    );
    println!(
        "“任务”页可只看逾期任务（已过完成时限、未办结）；已办结的任务由 admin 写明原因后可重新打开（办结后的各期须补报）。"
    );
    println!(
        "安全：三权分立——sysadmin 管账户和设置，secadmin 管登录限制和动态口令重置，auditadmin 只读审计日志；"
    );
    println!(
        "三员和 admin 登录须输入动态口令（上面的密钥或恢复码）；审计日志逐条以 HMAC-SM3 封存（auditadmin"
    );
    println!(
        "在“审计”页看校验结果，或运行 luoshi audit verify）；同一地址连续登录失败会被暂停（secadmin 在“安全”页"
    );
    println!(
        "解除）；新建或重置的账户首次登录须先改密码，密码 90 天到期、不得与最近 5 次相同；luoshi backup / restore。"
    );
    println!(
        "附件、原件和报送正文以 SM4-GCM 加密存储（密钥在 luoshi-data.key，luoshi key rotate / rekey 轮换）。"
    );
    println!(
        "每个账户每分钟至多访问 600 次、提交 120 次、导出或下载 30 次（所有服务进程合计），超过即答“请求过于频繁”并告警 secadmin。"
    );
    let serving = Serving {
        today,
        ..Serving::default()
    };
    run_server(store, listen, serving, None).await
}

/// A meeting of the office with two decisions, one still without a lead unit (the office adds
/// it on the meeting's page, and the decision can then become an item).
async fn demo_meeting(
    store: &dyn Store,
    actor: &Actor,
    day: Date,
) -> Result<luoshi_store::group::Meeting> {
    let lead = store.unit_by_name("自治区商务厅").await?.map(|u| u.id);
    Ok(store
        .create_meeting(
            actor,
            luoshi_store::group::NewMeeting {
                kind: luoshi_domain::group::MeetingKind::Office,
                title: "自贸试验区工作领导小组办公室第一次会议".into(),
                held_on: day.add_days(-7),
                place: "南宁".into(),
                summary: "听取数字贸易提质行动推进情况汇报，研究下一步工作。".into(),
                decisions: vec![
                    luoshi_store::group::NewDecision {
                        text: "梳理面向东盟的数字贸易规则对接清单".into(),
                        lead_unit_id: lead,
                        due: Some(day.add_days(45)),
                    },
                    luoshi_store::group::NewDecision {
                        text: "研究建立跨境数据专线建设协调机制".into(),
                        lead_unit_id: None,
                        due: None,
                    },
                ],
            },
        )
        .await?)
}

/// The office's everyday work in the demo: the meeting's first decision is a supervision item of
/// 自治区商务厅, acknowledged and reported on with an evidence file, with a leader's 批示 on it;
/// and 商务厅 keeps a draft of one of this quarter's reports (not yet filed).
async fn demo_daily(
    store: &dyn Store,
    actor: &Actor,
    day: Date,
    meeting: &luoshi_store::group::Meeting,
) -> Result<()> {
    use luoshi_domain::supervision::Action;
    use luoshi_store::supervision::{ItemSource, ItemStep, NewItem};
    let Some(commerce) = store.unit_by_name("自治区商务厅").await? else {
        return Ok(());
    };
    let decision = &meeting.decisions[0];
    let item = store
        .create_item(
            actor,
            NewItem {
                title: decision.text.clone(),
                source: ItemSource::Meeting,
                source_ref: meeting.title.clone(),
                task_id: None,
                decision_id: Some(decision.id),
                lead_unit_id: commerce.id,
                support_unit_ids: Vec::new(),
                due: decision.due.unwrap_or(day.add_days(45)),
                opened_on: meeting.held_on,
                assign: true,
            },
        )
        .await?;
    let step = |action, note: &str| ItemStep {
        action,
        note: note.into(),
        progress: None,
        new_due: None,
        grade: None,
        today: day,
        expected_stage: None,
        attachments: Vec::new(),
    };
    let unit = Actor::system("商务厅信息联络员（演示）");
    store
        .item_step(&unit, item.id, step(Action::Acknowledge, ""))
        .await?;
    let mut feedback = step(
        Action::Feedback,
        "已形成规则对接清单初稿（共 23 项），正征求有关处室意见。",
    );
    feedback.progress = Some(40);
    feedback.attachments = vec![luoshi_store::NewAttachment {
        file_name: "规则对接清单（初稿）.txt".into(),
        mime: "text/plain; charset=utf-8".into(),
        bytes: "规则对接清单（初稿，演示材料）\n1. 数字身份互认\n2. 电子发票互通\n3. 跨境数据分类规则\n"
            .as_bytes()
            .to_vec(),
    }];
    store.item_step(&unit, item.id, feedback).await?;
    store
        .item_step(
            &Actor::system("领导小组办公室主任（演示）"),
            item.id,
            step(Action::Instruct, "清单要对标 DEPA 条款，月底前报领导小组。"),
        )
        .await?;
    // A draft of this quarter's report on the first task 商务厅 leads.
    let links = store
        .obligations(&luoshi_store::reporting::ObligationFilter {
            units: Some(vec![commerce.id]),
            ..Default::default()
        })
        .await?;
    let owed = links.iter().find_map(|ob| {
        let p = ob.due_rule.unwrap_or_default().period_of(day);
        (ob.role.is_lead() && ob.window.owes(&p) && p.start <= day).then_some((ob, p))
    });
    if let Some((ob, p)) = owed {
        store
            .save_draft(
                &unit,
                luoshi_store::reporting::ReportDraft {
                    task_id: ob.task_id,
                    unit_id: ob.unit_id,
                    period: p.key(),
                    status: Some(luoshi_domain::reporting::WorkStatus::Ongoing),
                    progress: Some(30),
                    narrative: "（草稿）已梳理本季度推进情况，待处室会签后报送。".into(),
                    figures: String::new(),
                    saved_at: 0,
                    saved_by: String::new(),
                },
            )
            .await?;
    }
    Ok(())
}
