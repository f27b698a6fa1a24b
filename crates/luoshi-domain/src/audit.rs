//! How the audit log reads to people: every stored action code and object type in Chinese. The
//! codes stay what storage writes; an unknown one is shown as written.

use crate::supervision::Action;

/// The Chinese name of an action code (`unit.merge` → 合并单位, `item.remind` → 督办事项：催办).
pub fn action_label(code: &str) -> String {
    let fixed = match code {
        "document.import" => Some("导入文件"),
        "registry.seed" => Some("初始化单位名录"),
        "unit.create" => Some("新增单位"),
        "unit.update" => Some("修改单位"),
        "unit.merge" => Some("合并单位"),
        "unit.split" => Some("拆分单位"),
        "unit.merge.undo" => Some("撤销合并单位"),
        "unit.split.undo" => Some("撤销拆分单位"),
        "unit.alias.add" => Some("增加别名"),
        "unit.alias.remove" => Some("删除别名"),
        "user.create" => Some("新增用户"),
        "user.active" => Some("启用或停用用户"),
        "user.email" => Some("修改电子邮箱"),
        "user.password" => Some("修改或重置密码"),
        "report.submit" => Some("报送报告"),
        "report.accept" => Some("采纳报告"),
        "report.return" => Some("退回报告"),
        "item.open" => Some("督办事项：立项"),
        "meeting.create" => Some("记录会议"),
        "group.member_add" => Some("增加领导小组成员"),
        "group.member_update" => Some("修改领导小组成员"),
        "group.member_delete" => Some("删除领导小组成员"),
        "settings.save" => Some("保存设置"),
        "report.draft" => Some("保存报送草稿"),
        "login.success" => Some("登录"),
        "login.failure" => Some("登录失败"),
        "login.unlock" => Some("解除登录限制"),
        "logout" => Some("退出登录"),
        "download" => Some("下载"),
        "access.denied" => Some("拒绝访问"),
        "rate.limited" => Some("请求过于频繁被拒绝"),
        "decision.update" => Some("修改议定事项"),
        "meeting.update" => Some("修改会议"),
        "document.reporting_from" => Some("修改报送起始日期"),
        "document.status" => Some("修改文件状态"),
        "document.undo_import" => Some("撤销导入"),
        "report.remind" => Some("催报"),
        "task.edit" => Some("更正任务"),
        "task.reopen" => Some("重新打开已办结任务"),
        "user.password_reset" => Some("重置密码"),
        "second_factor.begin" => Some("开始绑定动态口令"),
        "second_factor.enrol" => Some("绑定动态口令"),
        "second_factor.recovery_code" => Some("使用恢复码"),
        "second_factor.reset" => Some("重置动态口令"),
        "indicator.baseline" => Some("设置指标基期值"),
        "indicator.edit" => Some("修改指标"),
        "indicator.units" => Some("指定指标责任单位"),
        "indicator.merge" => Some("合并指标"),
        _ => None,
    };
    if let Some(label) = fixed {
        return label.to_string();
    }
    match code.strip_prefix("item.").and_then(Action::from_code) {
        Some(a) => format!("督办事项：{}", a.label()),
        None => code.to_string(),
    }
}

/// The Chinese name of an object type (`unit` → 单位).
pub fn object_label(kind: &str) -> &str {
    match kind {
        "document" => "文件",
        "unit" => "单位",
        "user" => "用户",
        "report" => "报告",
        "item" => "督办事项",
        "meeting" => "会议",
        "group_member" => "领导小组成员",
        "settings" => "设置",
        "page" => "页面",
        "file" => "文件下载",
        "indicator" => "指标",
        other => other,
    }
}

/// The Chinese name of a field in an audit record's before/after (`name` → 名称).
pub fn field_label(key: &str) -> &str {
    match key {
        "name" => "名称",
        "kind" => "类别",
        "area" => "片区",
        "successor_id" => "继任单位",
        "succeeded_on" => "承接日期",
        "merged_into" => "并入单位",
        "alias" | "aliases" => "别名",
        "title" => "名称",
        "state" => "审核状态",
        "stage" => "阶段",
        "status" => "推进状态",
        "progress" => "进度",
        "reason" => "理由",
        "note" => "说明",
        "version" => "版本",
        "period" => "报送期",
        "late" => "迟报",
        "due" => "时限",
        "held_on" => "会议日期",
        "active" => "启用",
        "email" => "电子邮箱",
        "role" => "角色",
        "username" => "用户名",
        "display_name" => "姓名",
        "unit_id" => "单位",
        "task_id" => "任务",
        "file_name" => "文件名",
        "attachments" => "附件数",
        "person" => "姓名",
        "position" => "职务",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_objects_read_in_chinese() {
        let table = [
            ("unit.merge", "合并单位"),
            ("unit.split.undo", "撤销拆分单位"),
            ("report.return", "退回报告"),
            ("item.remind", "督办事项：催办"),
            ("item.strike_off", "督办事项：销号"),
            ("login.failure", "登录失败"),
            ("access.denied", "拒绝访问"),
            ("item.no_such_step", "item.no_such_step"),
            ("something.new", "something.new"),
        ];
        for (code, want) in table {
            assert_eq!(action_label(code), want, "{code}");
        }
        assert_eq!(object_label("group_member"), "领导小组成员");
        assert_eq!(object_label("zone"), "zone");
        assert_eq!(
            (field_label("succeeded_on"), field_label("x_y")),
            ("承接日期", "x_y")
        );
    }
}
