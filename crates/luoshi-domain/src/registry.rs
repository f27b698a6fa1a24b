//! Units: their kinds, the key a name is looked up by, and the registry Luoshi ships.
//!
//! The parser keeps unit names exactly as written. The registry maps every written name (an alias)
//! to one unit; a unit may have a successor that took over its duties on a date (机构改革). The
//! shipped entries are the ones the seed documents themselves show under two names; the office
//! edits the rest.

use serde::{Deserialize, Serialize};

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 自治区部门
    RegionalDept,
    /// 中直驻桂单位
    CentralInGuangxi,
    /// 片区管委会
    AreaCommittee,
    /// 设区市人民政府
    CityGov,
    /// 企业
    Enterprise,
    /// 其他
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::RegionalDept,
        UnitKind::CentralInGuangxi,
        UnitKind::AreaCommittee,
        UnitKind::CityGov,
        UnitKind::Enterprise,
        UnitKind::Other,
    ];

    /// The Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::RegionalDept => "自治区部门",
            UnitKind::CentralInGuangxi => "中直驻桂单位",
            UnitKind::AreaCommittee => "片区管委会",
            UnitKind::CityGov => "设区市人民政府",
            UnitKind::Enterprise => "企业",
            UnitKind::Other => "其他",
        }
    }

    /// The stable code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::RegionalDept => "regional_dept",
            UnitKind::CentralInGuangxi => "central_in_guangxi",
            UnitKind::AreaCommittee => "area_committee",
            UnitKind::CityGov => "city_gov",
            UnitKind::Enterprise => "enterprise",
            UnitKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The key a unit name is looked up by: whitespace removed, width and bracket variants unified.
pub fn unit_key(name: &str) -> String {
    luoshi_doc::normalize::canonical_key(name)
}

/// Central bodies stationed in Guangxi, recognised by what their names contain.
const CENTRAL_MARKERS: &[&str] = &[
    "海关",
    "边防检查",
    "人民银行",
    "中国人民银行",
    "外汇管理局",
    "金融监管局",
    "银保监局",
    "证监局",
    "税务局",
    "海事局",
    "邮政管理局",
    "通信管理局",
    "气象局",
    "统计调查总队",
];

/// Guesses a newly seen unit's kind from its name; the office can correct it.
pub fn guess_kind(name: &str) -> UnitKind {
    if area_of(name).is_some() {
        return UnitKind::AreaCommittee;
    }
    if name.ends_with("市人民政府") || name.ends_with("市政府") {
        return UnitKind::CityGov;
    }
    if name.contains("公司") || name.ends_with("集团") {
        return UnitKind::Enterprise;
    }
    let regional_prefix = name.starts_with("自治区");
    if name == "自治区通信管理局"
        || (!regional_prefix && CENTRAL_MARKERS.iter().any(|m| name.contains(m)))
    {
        return UnitKind::CentralInGuangxi;
    }
    if regional_prefix
        || (name.starts_with("广西")
            && ["厅", "委", "局", "办", "会"]
                .iter()
                .any(|e| name.ends_with(e)))
    {
        return UnitKind::RegionalDept;
    }
    UnitKind::Other
}

/// One of the Free Trade Zone's areas (片区).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub code: &'static str,
    /// Short name: 南宁, 钦州港, 崇左.
    pub name: &'static str,
    /// The committee's registry name.
    pub committee: &'static str,
}

/// The three areas of 中国（广西）自由贸易试验区.
pub const AREAS: [Area; 3] = [
    Area {
        code: "nanning",
        name: "南宁",
        committee: "南宁片区管委会",
    },
    Area {
        code: "qinzhougang",
        name: "钦州港",
        committee: "钦州港片区管委会",
    },
    Area {
        code: "chongzuo",
        name: "崇左",
        committee: "崇左片区管委会",
    },
];

/// The area whose committee a name denotes, under any of its usual spellings.
pub fn area_of(name: &str) -> Option<&'static Area> {
    let key = unit_key(name);
    AREAS.iter().find(|a| {
        committee_aliases(a)
            .iter()
            .any(|alias| unit_key(alias) == key)
    })
}

/// Every spelling of an area committee's name Luoshi knows.
pub fn committee_aliases(area: &Area) -> Vec<String> {
    let n = area.name;
    vec![
        format!("{n}片区管委会"),
        format!("{n}片区管理机构"),
        format!("{n}片区管理委员会"),
        format!("自贸试验区{n}片区管委会"),
        format!("广西自贸试验区{n}片区管委会"),
        format!("中国（广西）自由贸易试验区{n}片区管理委员会"),
    ]
}

/// A unit the registry ships with, and the other names it goes by.
#[derive(Debug, Clone)]
pub struct ShippedUnit {
    pub name: String,
    pub kind: UnitKind,
    pub aliases: Vec<String>,
    pub area: Option<&'static str>,
}

/// A succession the registry ships: `from` handed its duties to `to` on `date` (ISO 8601).
#[derive(Debug, Clone, Copy)]
pub struct Succession {
    pub from: &'static str,
    pub to: &'static str,
    pub date: &'static str,
}

/// Successions after institutional reform. The seed documents name both the old and the new bodies.
/// The dates are starting values for when the new body took over (挂牌); they are not checked
/// against an official source, so the office confirms or corrects them on the unit's page.
pub const SUCCESSIONS: [Succession; 4] = [
    Succession {
        from: "自治区大数据发展局",
        to: "自治区数据局",
        date: "2024-04-26",
    },
    Succession {
        from: "广西银保监局",
        to: "广西金融监管局",
        date: "2023-07-20",
    },
    Succession {
        from: "人民银行南宁中心支行",
        to: "中国人民银行广西壮族自治区分行",
        date: "2024-01-01",
    },
    Succession {
        from: "国家外汇管理局广西区分局",
        to: "国家外汇管理局广西分局",
        date: "2024-01-01",
    },
];

/// Aliases of ordinary units that the documents spell in more than one way.
const UNIT_ALIASES: &[(&str, &[&str])] = &[
    (
        "中国人民银行广西壮族自治区分行",
        &["人民银行广西分行", "人行广西分行"],
    ),
    ("广西金融监管局", &["国家金融监督管理总局广西监管局"]),
    ("自治区数据局", &["广西壮族自治区数据局"]),
    (
        "人民银行南宁中心支行",
        &["中国人民银行南宁中心支行", "人行南宁中心支行"],
    ),
    ("自治区发展改革委", &["自治区发改委"]),
];

/// The registry Luoshi ships: the area committees, both sides of every succession, known aliases.
pub fn shipped_units() -> Vec<ShippedUnit> {
    let mut out: Vec<ShippedUnit> = AREAS
        .iter()
        .map(|a| {
            let aliases = committee_aliases(a);
            ShippedUnit {
                name: a.committee.to_string(),
                kind: UnitKind::AreaCommittee,
                aliases: aliases.into_iter().skip(1).collect(),
                area: Some(a.code),
            }
        })
        .collect();
    for s in SUCCESSIONS {
        for name in [s.from, s.to] {
            if !out.iter().any(|u| u.name == name) {
                out.push(ShippedUnit {
                    name: name.to_string(),
                    kind: guess_kind(name),
                    aliases: Vec::new(),
                    area: None,
                });
            }
        }
    }
    for (name, aliases) in UNIT_ALIASES {
        let entry = match out.iter_mut().find(|u| u.name == *name) {
            Some(e) => e,
            None => {
                out.push(ShippedUnit {
                    name: name.to_string(),
                    kind: guess_kind(name),
                    aliases: Vec::new(),
                    area: None,
                });
                out.last_mut().expect("just pushed")
            }
        };
        entry.aliases.extend(aliases.iter().map(|a| a.to_string()));
    }
    out
}

/// The unit of the office that runs Luoshi.
pub const OFFICE: &str = "自贸试验区工作领导小组办公室";

crate::codes! {
    /// A change to the registry that can be undone.
    pub enum UnitOpKind {
        /// Two units become one (合并).
        Merge = ("merge", "合并"),
        /// One unit becomes two (拆分).
        Split = ("split", "拆分"),
    }
}

/// The unit that carries each unit on today: the end of its chain of successors (or of the
/// unit it was merged into). `next` is each unit's successor or merge target, if any. A unit that
/// carries itself maps to itself; a cycle (refused on entry, but never trusted) stops where it
/// closes.
pub fn current_units(next: &[(i64, Option<i64>)]) -> std::collections::HashMap<i64, i64> {
    let step: std::collections::HashMap<i64, i64> = next
        .iter()
        .filter_map(|(id, n)| n.map(|n| (*id, n)))
        .collect();
    next.iter()
        .map(|(id, _)| {
            let mut cur = *id;
            let mut seen = std::collections::HashSet::from([cur]);
            while let Some(n) = step.get(&cur) {
                if !seen.insert(*n) {
                    break;
                }
                cur = *n;
            }
            (*id, cur)
        })
        .collect()
}

/// How a typed name fits a registry name, best first: the name's tail (商务厅 → 自治区商务厅),
/// a part of it (大数据发展 → 自治区大数据发展局), or its characters in order (自贸办 →
/// 自贸试验区工作领导小组办公室; 人民银行广西区分行 → 中国人民银行广西壮族自治区分行).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameFit {
    Tail,
    Inside,
    InOrder,
}

/// How `typed` fits `name` (compared by [`unit_key`]); none for fewer than two characters or
/// when the typed text is the whole name (an exact name is found by key, not guessed).
pub fn name_fit(typed: &str, name: &str) -> Option<NameFit> {
    let t = unit_key(typed);
    let n = unit_key(name);
    if t.chars().count() < 2 || t == n {
        return None;
    }
    if n.ends_with(&t) {
        return Some(NameFit::Tail);
    }
    if n.contains(&t) {
        return Some(NameFit::Inside);
    }
    // In order, and at least three characters: two in order fit far too many names.
    let mut rest = n.chars();
    (t.chars().count() >= 3 && t.chars().all(|c| rest.any(|x| x == c))).then_some(NameFit::InOrder)
}

/// What a short or partial name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortForm {
    /// One unit fits best: take it.
    One(i64),
    /// Several fit equally well: ask "是否指…？" (at most five, shortest names first).
    Ask(Vec<i64>),
    /// Nothing fits.
    Nothing,
}

/// Resolves a typed name against the registry's names (`(unit, name)`, aliases included, each
/// unit given as the unit that carries it today): the units at the best fit; one is taken, several
/// are asked about.
pub fn resolve_short_form(typed: &str, names: &[(i64, &str)]) -> ShortForm {
    let mut fits: Vec<(NameFit, usize, i64)> = names
        .iter()
        .filter_map(|(id, n)| name_fit(typed, n).map(|f| (f, n.chars().count(), *id)))
        .collect();
    let Some(best) = fits.iter().map(|f| f.0).min() else {
        return ShortForm::Nothing;
    };
    fits.retain(|f| f.0 == best);
    fits.sort();
    let mut ids: Vec<i64> = Vec::new();
    for (_, _, id) in fits {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    match ids.len() {
        1 => ShortForm::One(ids[0]),
        _ => ShortForm::Ask(ids.into_iter().take(5).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_resolve_to_the_unit_they_fit_best() {
        let names = [
            (1, "自治区商务厅"),
            (2, "南宁市商务局"),
            (3, "自治区数据局"),
            // A predecessor is given as the unit that carries it today.
            (3, "自治区大数据发展局"),
            (4, "自贸试验区工作领导小组办公室"),
            (5, "中国人民银行广西壮族自治区分行"),
            (5, "人民银行南宁中心支行"),
            (6, "钦州市人民政府"),
            (7, "南宁市人民政府"),
        ];
        let table: [(&str, ShortForm); 10] = [
            ("商务厅", ShortForm::One(1)),
            ("数据局", ShortForm::One(3)),
            ("大数据发展局", ShortForm::One(3)),
            ("自贸办", ShortForm::One(4)),
            ("人民银行广西区分行", ShortForm::One(5)),
            ("商务", ShortForm::Ask(vec![1, 2])),
            ("市人民政府", ShortForm::Ask(vec![6, 7])),
            ("交通运输厅", ShortForm::Nothing),
            ("厅", ShortForm::Nothing),
            // Two characters in order are no evidence.
            ("商局", ShortForm::Nothing),
        ];
        for (typed, want) in table {
            assert_eq!(resolve_short_form(typed, &names), want, "{typed}");
        }
        assert_eq!(name_fit("自治区商务厅", "自治区商务厅"), None);
        assert_eq!(name_fit("商务厅", "自治区商务厅"), Some(NameFit::Tail));
    }

    #[test]
    fn every_unit_is_carried_by_the_end_of_its_chain() {
        // 1 → 2 → 3 (two reforms), 4 merged into 2, 5 alone, 6 ⇄ 7 a cycle.
        let next = [
            (1, Some(2)),
            (2, Some(3)),
            (3, None),
            (4, Some(2)),
            (5, None),
            (6, Some(7)),
            (7, Some(6)),
        ];
        let cur = current_units(&next);
        let table = [(1, 3), (2, 3), (3, 3), (4, 3), (5, 5), (6, 7), (7, 6)];
        for (unit, want) in table {
            assert_eq!(cur[&unit], want, "unit {unit}");
        }
    }

    #[test]
    fn kinds_are_guessed_from_names() {
        let cases = [
            ("南宁片区管理机构", UnitKind::AreaCommittee),
            ("钦州市人民政府", UnitKind::CityGov),
            ("南宁海关", UnitKind::CentralInGuangxi),
            ("人民银行南宁中心支行", UnitKind::CentralInGuangxi),
            ("广西银保监局", UnitKind::CentralInGuangxi),
            ("自治区通信管理局", UnitKind::CentralInGuangxi),
            ("自治区地方金融监管局", UnitKind::RegionalDept),
            ("自治区商务厅", UnitKind::RegionalDept),
            ("广西贸促会", UnitKind::RegionalDept),
            ("广西北部湾国际港务集团有限公司", UnitKind::Enterprise),
            ("某某研究院", UnitKind::Other),
        ];
        for (name, kind) in cases {
            assert_eq!(guess_kind(name), kind, "{name}");
        }
    }

    #[test]
    fn committee_spellings_find_their_area() {
        assert_eq!(area_of("南宁片区管理机构").map(|a| a.code), Some("nanning"));
        assert_eq!(
            area_of("自贸试验区崇左片区管委会").map(|a| a.code),
            Some("chongzuo")
        );
        assert_eq!(area_of("钦州市人民政府"), None);
        assert_eq!(area_of("南宁市人民政府"), None);
    }

    #[test]
    fn shipped_registry_has_no_name_twice() {
        let units = shipped_units();
        let mut keys: Vec<String> = units
            .iter()
            .flat_map(|u| std::iter::once(&u.name).chain(&u.aliases))
            .map(|n| unit_key(n))
            .collect();
        let before = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), before);
        assert!(units.iter().any(|u| u.name == "自治区数据局"));
    }
}
