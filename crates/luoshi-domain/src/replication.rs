//! 制度创新成果 and their replication (复制推广): an achievement's level from its batch's title,
//! the kind of places its 推广范围 asks for, the checks on a filed replication record, and what
//! an achievement's records add up to (coverage, and whether its replication is complete).
//!
//! Each 复制推广责任单位 owes a record per achievement in the quarterly round, reviewed like a task
//! report, until the office confirms the replication complete; these rules read plain facts.

use serde::Serialize;

use crate::reporting::ReviewState;

crate::codes! {
    /// Who published the batch: the region's own, or the State Council's and MOFCOM's national
    /// batches, replicated here too.
    pub enum Level {
        Regional = ("regional", "自治区级"),
        National = ("national", "国家级"),
    }
}

crate::codes! {
    /// Where a unit's replication of an achievement stands, as it declares.
    pub enum Status {
        NotStarted = ("not_started", "未启动"),
        Ongoing = ("ongoing", "推进中"),
        Replicated = ("replicated", "已复制推广"),
        /// Needs a reason, which the office must accept.
        NotApplicable = ("not_applicable", "不适用"),
    }
}

crate::codes! {
    /// The kind of places a 推广范围 names: a replication record says which of them it reached.
    pub enum PlaceKind {
        /// 全区: the region — cities and the zone's areas.
        Region = ("region", "全区各地"),
        /// 广西自贸试验区: the zone's three areas.
        Areas = ("areas", "自贸试验区各片区"),
        Seaports = ("seaports", "海港口岸"),
        BorderPorts = ("border_ports", "边境口岸"),
        BorderAreas = ("border_areas", "边境地区"),
        BondedZones = ("bonded_zones", "综合保税区"),
        /// 特定区域 or a scope not recognised: the places as the unit names them.
        Named = ("named", "指定区域"),
    }
}

/// The level of a batch from its title (自治区级 unless it says 国家级 or names the State Council
/// or MOFCOM as its publisher).
pub fn level_of(title: &str) -> Level {
    let title: String = title.chars().filter(|c| !c.is_whitespace()).collect();
    if title.contains("自治区级") {
        Level::Regional
    } else if ["国家级", "国务院", "商务部", "全国"]
        .iter()
        .any(|w| title.contains(w))
    {
        Level::National
    } else {
        Level::Regional
    }
}

/// The kinds of places a 推广范围 asks for, in the order written: 全区或特定区域 gives the region
/// and named places; no scope written means the region.
pub fn place_kinds(scope: Option<&str>) -> Vec<PlaceKind> {
    let Some(scope) = scope.map(str::trim).filter(|s| !s.is_empty()) else {
        return vec![PlaceKind::Region];
    };
    let mut kinds = Vec::new();
    for part in scope.split(['或', '、', '和', '及']) {
        let kind = if part.contains("海港口岸") || part.contains("港口") {
            PlaceKind::Seaports
        } else if part.contains("边境口岸") {
            PlaceKind::BorderPorts
        } else if part.contains("边境") {
            PlaceKind::BorderAreas
        } else if part.contains("综合保税区") || part.contains("综保区") {
            PlaceKind::BondedZones
        } else if part.contains("自贸试验区") || part.contains("片区") {
            PlaceKind::Areas
        } else if part.trim() == "全区" {
            PlaceKind::Region
        } else {
            PlaceKind::Named
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// What a unit files for one achievement in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing<'a> {
    pub status: Status,
    /// Where it was applied (areas, ports, cities …), as written.
    pub places: &'a [String],
    /// What was done (or, for 不适用, why it does not apply).
    pub narrative: &'a str,
}

/// Refuses a record that says too little for its status, in words for the unit.
pub fn check_filing(f: &Filing) -> Result<(), String> {
    let said = !f.narrative.trim().is_empty();
    match f.status {
        Status::NotStarted => Ok(()),
        Status::Ongoing if !said => Err("推进中的复制推广须说明已开展的工作".into()),
        Status::Replicated if f.places.iter().all(|p| p.trim().is_empty()) => {
            Err("已复制推广的须写明推广到的地方（片区、口岸或城市）".into())
        }
        Status::Replicated if !said => Err("已复制推广的须说明做法和成效".into()),
        Status::NotApplicable if !said => Err("不适用须写明理由，由办公室审核".into()),
        _ => Ok(()),
    }
}

/// One owing unit's latest record on an achievement, as the matrix and the counts read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The latest record's status, or `None` when nothing was filed.
    pub status: Option<Status>,
    pub review: Option<ReviewState>,
    /// The round's deadline has passed without an accepted record.
    pub late: bool,
}

/// What one achievement's (or one unit's, or one area's) cells add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Accepted as 已复制推广.
    pub replicated: usize,
    /// Accepted as 不适用.
    pub not_applicable: usize,
    /// Filed as 推进中 or 已复制推广 and not yet accepted as such.
    pub ongoing: usize,
    /// Nothing filed, or 未启动.
    pub not_started: usize,
    /// Of all the above, those past the round's deadline without an accepted record.
    pub late: usize,
}

impl Coverage {
    pub fn of(cells: &[Cell]) -> Coverage {
        let mut c = Coverage::default();
        for cell in cells {
            let accepted = cell.review == Some(ReviewState::Accepted);
            match cell.status {
                Some(Status::Replicated) if accepted => c.replicated += 1,
                Some(Status::NotApplicable) if accepted => c.not_applicable += 1,
                Some(Status::Ongoing | Status::Replicated | Status::NotApplicable) => {
                    c.ongoing += 1
                }
                Some(Status::NotStarted) | None => c.not_started += 1,
            }
            if cell.late {
                c.late += 1;
            }
        }
        c
    }

    /// Units that owe.
    pub fn owed(&self) -> usize {
        self.replicated + self.not_applicable + self.ongoing + self.not_started
    }

    /// Every owing unit's replication is accepted as done or as not applicable: the office may
    /// confirm the achievement's replication complete, after which no more records are owed.
    pub fn complete(&self) -> bool {
        self.owed() > 0 && self.replicated + self.not_applicable == self.owed()
    }

    /// The coverage in words, as the matrix and the portal show it.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} 个责任单位中 {} 个已复制推广",
            self.owed(),
            self.replicated
        );
        for (n, what) in [
            (self.ongoing, "推进中"),
            (self.not_started, "未启动"),
            (self.not_applicable, "经审核不适用"),
            (self.late, "逾期未报"),
        ] {
            if n > 0 {
                s.push_str(&format!("，{n} 个{what}"));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_level_comes_from_its_title() {
        for (title, level) in [
            (
                "示范自贸区第九批自治区级制度创新成果推广清单",
                Level::Regional,
            ),
            ("商务部发布的自贸区第三批“实践案例”", Level::National),
            ("国务院印发的第二批改革经验推广通知", Level::National),
            ("第三批制度创新成果", Level::Regional),
            ("自治区级\n制度创新成果（含国家级推荐）", Level::Regional),
        ] {
            assert_eq!(level_of(title), level, "{title}");
        }
    }

    #[test]
    fn a_scope_names_the_kinds_of_places() {
        use PlaceKind::*;
        for (scope, kinds) in [
            (None, vec![Region]),
            (Some(""), vec![Region]),
            (Some("全区"), vec![Region]),
            (Some("全区各海港口岸"), vec![Seaports]),
            (Some("全区边境口岸"), vec![BorderPorts]),
            (Some("全区边境地区"), vec![BorderAreas]),
            (Some("全区综合保税区"), vec![BondedZones]),
            (Some("广西自贸试验区"), vec![Areas]),
            (Some("全区或特定区域"), vec![Region, Named]),
            (Some("南宁、钦州两市"), vec![Named]),
        ] {
            assert_eq!(place_kinds(scope), kinds, "{scope:?}");
        }
    }

    #[test]
    fn a_record_says_enough_for_its_status() {
        let places = ["钦州港口岸".to_string()];
        let none: [String; 0] = [];
        let blank = [" ".to_string()];
        for (status, places, narrative, ok) in [
            (Status::NotStarted, &none[..], "", true),
            (Status::Ongoing, &none[..], "", false),
            (Status::Ongoing, &none[..], "已制定实施方案", true),
            (Status::Replicated, &none[..], "已在港区推行", false),
            (Status::Replicated, &blank[..], "已在港区推行", false),
            (Status::Replicated, &places[..], "", false),
            (Status::Replicated, &places[..], "已在港区推行", true),
            (Status::NotApplicable, &none[..], "  ", false),
            (
                Status::NotApplicable,
                &none[..],
                "本单位无进口粮食业务",
                true,
            ),
        ] {
            let f = Filing {
                status,
                places,
                narrative,
            };
            assert_eq!(check_filing(&f).is_ok(), ok, "{f:?}");
        }
    }

    #[test]
    fn cells_add_up_to_coverage() {
        use ReviewState::*;
        let cell = |status, review, late| Cell {
            status,
            review,
            late,
        };
        let cells = [
            cell(Some(Status::Replicated), Some(Accepted), false),
            cell(Some(Status::Replicated), Some(Submitted), false),
            cell(Some(Status::NotApplicable), Some(Accepted), false),
            cell(Some(Status::NotApplicable), Some(Returned), false),
            cell(Some(Status::Ongoing), Some(Accepted), false),
            cell(Some(Status::NotStarted), Some(Accepted), true),
            cell(None, None, true),
        ];
        let c = Coverage::of(&cells);
        assert_eq!(
            c,
            Coverage {
                replicated: 1,
                not_applicable: 1,
                ongoing: 3,
                not_started: 2,
                late: 2,
            }
        );
        assert_eq!(c.owed(), 7);
        assert!(!c.complete());
        assert_eq!(
            c.summary(),
            "7 个责任单位中 1 个已复制推广，3 个推进中，2 个未启动，1 个经审核不适用，2 个逾期未报"
        );
        for (cells, complete) in [
            (vec![], false),
            (
                vec![cell(Some(Status::Replicated), Some(Accepted), false)],
                true,
            ),
            (
                vec![
                    cell(Some(Status::Replicated), Some(Accepted), false),
                    cell(Some(Status::NotApplicable), Some(Accepted), false),
                ],
                true,
            ),
            (
                vec![
                    cell(Some(Status::Replicated), Some(Accepted), false),
                    cell(Some(Status::Replicated), Some(Submitted), false),
                ],
                false,
            ),
        ] {
            assert_eq!(Coverage::of(&cells).complete(), complete, "{cells:?}");
        }
    }
}
