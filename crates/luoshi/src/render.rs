//! Human-readable output of `luoshi parse` and `luoshi diff`, in Chinese.

use std::io::{self, Write};
use std::path::Path;

use luoshi_doc::{Comparator, DiffReport, Document, OutlineNode, Role};

pub fn document(out: &mut impl Write, source: &str, doc: &Document) -> io::Result<()> {
    let m = &doc.meta;
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    writeln!(out, "══ {source}（{:?}，{}）", doc.format, doc.encoding)?;
    writeln!(out, "标题：{}", or(&m.title))?;
    writeln!(
        out,
        "发文字号：{}    发文机关：{}",
        or(&m.doc_number),
        or(&m.issuer)
    )?;
    writeln!(
        out,
        "成文日期：{}    印发：{} {}",
        or(&m.signed_date),
        or(&m.printed_by),
        or(&m.printed_date)
    )?;
    if !m.addressees.is_empty() {
        writeln!(out, "主送：{}", m.addressees.join("，"))?;
    }
    if !m.cc.is_empty() {
        writeln!(out, "抄送：{}", m.cc.join("，"))?;
    }
    if !m.attachments.is_empty() {
        writeln!(out, "附件：{}", m.attachments.join("；"))?;
    }
    let public = match m.public {
        Some(true) => "公开",
        Some(false) => "不公开",
        None => "未注明",
    };
    writeln!(
        out,
        "公开属性：{public}    牵头规则：{}",
        if doc.lead_rule == luoshi_doc::LeadRule::Declared {
            "文件明确（排在首位的为牵头单位）"
        } else {
            "推定首位为牵头单位"
        }
    )?;
    writeln!(out)?;
    writeln!(out, "── 提纲")?;
    fn tree(out: &mut impl Write, nodes: &[OutlineNode], depth: usize) -> io::Result<()> {
        for n in nodes {
            writeln!(
                out,
                "{}{}{}  （第{}行）",
                "  ".repeat(depth),
                n.marker,
                n.title,
                n.line
            )?;
            tree(out, &n.children, depth + 1)?;
        }
        Ok(())
    }
    tree(out, &doc.outline, 0)?;
    writeln!(out)?;
    writeln!(out, "── 任务（{} 项）", doc.tasks.len())?;
    for t in &doc.tasks {
        let number = if t.number.chars().all(|c| c.is_ascii_digit()) {
            format!("{}.", t.number)
        } else {
            t.number.clone()
        };
        writeln!(out, "{number} {}  （第{}行）", t.title, t.line)?;
        let leads: Vec<&str> = t
            .units
            .iter()
            .filter(|u| u.role == Role::Lead)
            .map(|u| u.name.as_str())
            .collect();
        let support: Vec<&str> = t
            .units
            .iter()
            .filter(|u| u.role == Role::Support)
            .map(|u| u.name.as_str())
            .collect();
        if t.units.is_empty() {
            writeln!(out, "    （未列责任单位）")?;
        } else {
            writeln!(out, "    ★牵头：{}", leads.join("、"))?;
            if !support.is_empty() {
                writeln!(out, "     配合：{}", support.join("、"))?;
            }
        }
        if t.others {
            writeln!(out, "     另有：其他各有关单位")?;
        }
        if let Some(d) = &t.deadline {
            let when = d.date.as_deref().unwrap_or("长期");
            writeln!(out, "     时限：{}（{when}）", d.text)?;
        }
    }
    if !doc.targets.is_empty() {
        writeln!(out)?;
        writeln!(out, "── 量化目标（{} 项）", doc.targets.len())?;
        for t in &doc.targets {
            let cmp = match t.comparator {
                Comparator::AtLeast => "≥",
                Comparator::AtMost => "≤",
                Comparator::Equal => "=",
                Comparator::Range => "区间",
            };
            let value = match t.value_max {
                Some(max) => format!("{}—{}", t.value, max),
                None => t.value.to_string(),
            };
            let year = t.year.map_or_else(String::new, |y| format!("{y}年 "));
            let dir = match t.direction {
                Some(luoshi_doc::Direction::Decrease) => "下降",
                Some(luoshi_doc::Direction::Increase) => "增长",
                None => "",
            };
            let measure = match (t.measure, t.base_year) {
                (luoshi_doc::Measure::Share, _) => "（占比）".to_string(),
                (luoshi_doc::Measure::AnnualGrowth, _) => format!("（年均{dir}）"),
                (luoshi_doc::Measure::Change, Some(y)) => format!("（较{y}年{dir}）"),
                (luoshi_doc::Measure::Change, None) => format!("（{dir}）"),
                (luoshi_doc::Measure::Level, _) => String::new(),
            };
            let scope = t
                .scope
                .as_deref()
                .map_or_else(String::new, |s| format!("［{s}］"));
            writeln!(
                out,
                "{year}{scope}{}{measure} {cmp} {value}{}  （第{}行）",
                t.subject, t.unit, t.line
            )?;
        }
    }
    if !doc.reporting_rules.is_empty() {
        writeln!(out)?;
        writeln!(out, "── 报送与会议制度")?;
        for r in &doc.reporting_rules {
            writeln!(out, "{}  （第{}行）", r.text, r.line)?;
        }
    }
    if !doc.roster.is_empty() {
        writeln!(out)?;
        writeln!(out, "── 组成人员（{} 人）", doc.roster.len())?;
        for r in &doc.roster {
            writeln!(out, "{}  {}  {}", r.role, r.name, r.position)?;
        }
    }
    if !doc.achievements.is_empty() {
        writeln!(out)?;
        writeln!(out, "── 制度创新成果（{} 项）", doc.achievements.len())?;
        for a in &doc.achievements {
            writeln!(
                out,
                "{} {}. {}  牵头：{}",
                a.category.as_deref().unwrap_or(""),
                a.number,
                a.name,
                a.lead_units.join("、")
            )?;
        }
    }
    if !doc.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "── 提示（{} 条）", doc.warnings.len())?;
        for w in &doc.warnings {
            writeln!(out, "第{}行：{}", w.line, w.message)?;
        }
    }
    writeln!(out)
}

pub fn diff(out: &mut impl Write, a: &Path, b: &Path, r: &DiffReport) -> io::Result<()> {
    writeln!(out, "{} ↔ {}", a.display(), b.display())?;
    if r.same_document {
        writeln!(
            out,
            "同一文件的不同版本（相似度 {:.1}%），措辞变化 {} 处：",
            r.similarity * 100.0,
            r.changes.len()
        )?;
        for c in &r.changes {
            writeln!(out, "  第{}行 → 第{}行", c.line_a, c.line_b)?;
            writeln!(out, "    原：{}", c.before)?;
            writeln!(out, "    新：{}", c.after)?;
        }
    } else {
        writeln!(out, "不是同一文件（相似度 {:.1}%）。", r.similarity * 100.0)?;
    }
    Ok(())
}
