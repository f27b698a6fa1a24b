//! A leading group's roster: 组长 / 副组长 / 成员 with names and positions.
//!
//! The roster is read from the raw lines, because its layout is in the spaces: "陈 武 自治区党委
//! 副书记" is the name 陈武 (a two-character name set with a space to the width of three) followed
//! by the position. A role label (**组 长：**) holds for the lines that follow it; a line that does
//! not start with a name continues the position above it.

use crate::layout::SourceLine;
use crate::model::RosterEntry;
use crate::normalize::{clean_line, is_han};

const ROLES: &[&str] = &[
    "常务副组长",
    "副组长",
    "组长",
    "成员",
    "秘书长",
    "副秘书长",
    "办公室主任",
];

/// Splits a role label off the start of a line: "**组 长：**鹿心社 …" → ("组长", "鹿心社 …").
fn role_label(raw: &str) -> Option<(&'static str, String)> {
    let t: String = raw.replace("**", "");
    let t = t.trim();
    let colon = t.find(['：', ':'])?;
    let label: String = t[..colon]
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    let role = ROLES.iter().find(|r| **r == label)?;
    Some((role, t[colon..].trim_start_matches(['：', ':']).to_string()))
}

/// Splits "陈 武 自治区党委副书记" into name and position, if the line starts with a name.
fn name_and_position(line: &str) -> Option<(String, String)> {
    let tokens: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() < 2 {
        return None;
    }
    let is_name_part = |t: &str| t.chars().all(is_han) && (1..=4).contains(&t.chars().count());
    let (name, rest) = if tokens[0].chars().count() == 1
        && tokens.len() >= 3
        && is_name_part(tokens[1])
        && tokens[1].chars().count() <= 2
    {
        (format!("{}{}", tokens[0], tokens[1]), &tokens[2..])
    } else if is_name_part(tokens[0]) && tokens[0].chars().count() >= 2 {
        (tokens[0].to_string(), &tokens[1..])
    } else {
        return None;
    };
    let position = clean_line(&rest.join(" ")).0;
    if position.chars().count() < 2 {
        return None;
    }
    Some((name, position))
}

/// Reads the roster, if the document has one.
pub fn extract(lines: &[SourceLine<'_>]) -> Vec<RosterEntry> {
    let mut out: Vec<RosterEntry> = Vec::new();
    let mut role: Option<&'static str> = None;
    let mut blank_run = 0;
    for line in lines {
        let raw = line.raw.trim();
        if raw.is_empty() {
            blank_run += 1;
            if blank_run > 4 {
                role = None;
            }
            continue;
        }
        blank_run = 0;
        let (line_role, rest) = match role_label(raw) {
            Some((r, rest)) => (Some(r), rest),
            None => (None, raw.to_string()),
        };
        if let Some(r) = line_role {
            role = Some(r);
        }
        let Some(current) = role else { continue };
        let rest = rest.replace("**", "");
        if let Some((name, position)) = name_and_position(&rest) {
            out.push(RosterEntry {
                role: current.to_string(),
                name,
                position,
            });
        } else if line_role.is_none() {
            let text = clean_line(&rest).0;
            if crate::outline::detect_marker(&text).is_some()
                || text.starts_with('#')
                || text.chars().count() > 40
            {
                role = None;
                continue;
            }
            if let Some(last) = out.last_mut() {
                last.position.push_str(&text);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::split_lines;

    #[test]
    fn names_with_spaces_and_continued_positions() {
        let src = "二、组成人员\n\n**组 长：**张三丰 某某书记\n\n李 四 某某副书记、\n某某主任\n\n**成 员：**王 五 某某厅厅长  \n赵六 某某局局长\n\n三、工作机构\n";
        let lines = split_lines(src);
        let r = extract(&lines);
        let got: Vec<_> = r
            .iter()
            .map(|e| (e.role.as_str(), e.name.as_str(), e.position.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("组长", "张三丰", "某某书记"),
                ("组长", "李四", "某某副书记、某某主任"),
                ("成员", "王五", "某某厅厅长"),
                ("成员", "赵六", "某某局局长")
            ]
        );
    }
}
