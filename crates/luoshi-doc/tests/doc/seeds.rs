//! Tests over the public documents in ../shared/seeds. They fail, loudly, when the seeds are missing:
//! they never pass by skipping.

use std::path::PathBuf;

use luoshi_doc::{Comparator, Document, LeadRule, Limits, Period, Role, RuleKind, Task, parse};

/// The package's folder, read when the test runs (not baked in at build time, so a build cache
/// shared between checkouts cannot point a test at another checkout).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests are run by cargo"),
    )
}

fn seed(prefix: &str) -> PathBuf {
    let dir = manifest_dir().join("../../../shared/seeds");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the seed documents must be at {}: {e}", dir.display()));
    entries
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("seed {prefix} is missing from {}", dir.display()))
}

fn doc(prefix: &str) -> Document {
    let bytes = std::fs::read(seed(prefix)).expect("read seed");
    parse(&bytes, &Limits::default()).expect("seed parses")
}

fn task<'a>(d: &'a Document, number: &str) -> &'a Task {
    d.tasks
        .iter()
        .find(|t| t.number == number)
        .unwrap_or_else(|| panic!("task {number}"))
}

fn leads(t: &Task) -> Vec<&str> {
    t.units
        .iter()
        .filter(|u| u.role == Role::Lead)
        .map(|u| u.name.as_str())
        .collect()
}

fn support(t: &Task) -> Vec<&str> {
    t.units
        .iter()
        .filter(|u| u.role == Role::Support)
        .map(|u| u.name.as_str())
        .collect()
}

#[test]
fn seed_000_plan_tasks_and_units() {
    let d = doc("000_");
    assert_eq!(d.tasks.len(), 45);
    assert!(
        d.tasks.iter().all(|t| !t.units.is_empty()),
        "every task of 000 has a clause"
    );
    assert_eq!(d.lead_rule, LeadRule::Declared);
    let t1 = task(&d, "1");
    assert_eq!(t1.title, "实施更为开放的行业准入措施");
    assert_eq!(
        t1.path,
        ["三、主要任务", "（一）加快构建对接国际一流标准的规则体系"]
    );
    assert!(
        t1.text.starts_with("进一步放宽外商投资准入限制，"),
        "page break mended: {}",
        t1.text
    );
    assert_eq!(leads(t1), ["自治区商务厅"]);
    assert_eq!(
        support(t1),
        [
            "自治区发展改革委",
            "自治区投资促进局",
            "自治区大数据发展局",
            "自治区市场监管局",
            "南宁片区管理机构",
            "钦州港片区管理机构",
            "崇左片区管理机构"
        ]
    );
    let t3 = task(&d, "3");
    assert!(t3.others);
    assert_eq!(leads(t3), ["自治区大数据发展局"]);
    // The clause of task 6 is split across a page break ("南宁、" / "钦州港、崇左片区管理机构)").
    let t6 = task(&d, "6");
    assert_eq!(leads(t6), ["广西税务局"]);
    assert!(
        support(t6).ends_with(&["南宁片区管理机构", "钦州港片区管理机构", "崇左片区管理机构"]),
        "{:?}",
        support(t6)
    );
    // Task 28's clause is split inside a unit name ("自治区商" / "务厅").
    assert_eq!(leads(task(&d, "28")), ["自治区商务厅"]);
    assert_eq!(leads(task(&d, "36")), ["南宁市人民政府"]);
    assert!(support(task(&d, "31")).contains(&"自治区党委网信办"));
    assert_eq!(task(&d, "45").line, 189);
}

#[test]
fn seed_000_metadata_roster_and_rules() {
    let d = doc("000_");
    let m = &d.meta;
    assert_eq!(m.doc_number.as_deref(), Some("桂政发〔2020〕3号"));
    assert_eq!(m.issuer.as_deref(), Some("广西壮族自治区人民政府"));
    let title = m.title.as_deref().expect("title");
    assert!(
        title.starts_with("广西壮族自治区人民政府关于印发")
            && title.ends_with("建设实施方案的通知")
            && !title.contains(' '),
        "{title}"
    );
    assert_eq!(m.signed_date.as_deref(), Some("2020-01-22"));
    assert_eq!(m.printed_date.as_deref(), Some("2020-02-06"));
    assert_eq!(
        m.printed_by.as_deref(),
        Some("广西壮族自治区人民政府办公厅")
    );
    assert_eq!(
        m.addressees,
        ["各市、县人民政府", "自治区人民政府各组成部门、各直属机构"]
    );
    assert_eq!(m.cc.len(), 10);
    assert_eq!(m.cc.last().map(String::as_str), Some("自治区工商联"));
    assert_eq!(m.public, Some(true));
    assert_eq!(m.attachments.len(), 1);
    assert!(
        m.attachments[0].starts_with("中国（广西）")
            && m.attachments[0].ends_with("职责及组成人员名单")
    );
    assert_eq!(d.roster.len(), 39);
    assert_eq!(
        (d.roster[1].role.as_str(), d.roster[1].name.as_str()),
        ("组长", "陈武")
    );
    let zhang = d
        .roster
        .iter()
        .find(|r| r.name == "张晓钦")
        .expect("张晓钦");
    assert_eq!(zhang.role, "副组长");
    // A position continued on the next line is joined: "…党组副书记，" / "…指挥部指挥长".
    assert!(
        zhang.position.contains("党组副书记，") && zhang.position.ends_with("建设指挥部指挥长"),
        "{}",
        zhang.position
    );
    assert_eq!(d.roster.iter().filter(|r| r.role == "成员").count(), 34);
    let report = d
        .reporting_rules
        .iter()
        .find(|r| r.what == RuleKind::Report)
        .expect("report rule");
    assert_eq!(
        (report.every, report.month_of_period, report.day),
        (Period::Quarter, Some(3), Some(20))
    );
    let meeting = d
        .reporting_rules
        .iter()
        .find(|r| r.what == RuleKind::Meeting)
        .expect("meeting rule");
    assert_eq!(
        (meeting.every, meeting.count, meeting.count_max),
        (Period::Year, Some(1), Some(2))
    );
    assert_eq!(d.outline.last().map(|n| n.marker.as_str()), Some("附件"));
}

#[test]
fn seed_001_web_version_reads_the_same_tasks() {
    let print = doc("000_");
    let web = doc("001_");
    assert_eq!(web.tasks.len(), 45);
    for (a, b) in print.tasks.iter().zip(&web.tasks) {
        assert_eq!(
            (&a.number, &a.units),
            (&b.number, &b.units),
            "task {}",
            a.number
        );
    }
    assert_eq!(
        web.meta.doc_number, None,
        "the cited 国发〔2019〕16号 is not this document's number"
    );
}

#[test]
fn seed_002_tasks_without_clauses() {
    let d = doc("002_");
    assert_eq!(d.tasks.len(), 6);
    assert!(
        d.tasks
            .iter()
            .all(|t| t.units.is_empty() && t.units_text.is_none())
    );
    assert_eq!(
        d.tasks
            .iter()
            .map(|t| t.number.as_str())
            .collect::<Vec<_>>(),
        ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    );
    assert_eq!(d.tasks[0].title, "协同制度创新");
    assert_eq!(d.meta.doc_number.as_deref(), Some("桂自贸办发〔2022〕13号"));
    assert_eq!(
        d.meta.issuer.as_deref(),
        Some("中国（广西）自由贸易试验区工作办公室")
    );
    assert_eq!(d.meta.signed_date.as_deref(), Some("2022-09-28"));
    assert_eq!(d.meta.addressees.len(), 3);
}

#[test]
fn seed_003_tasks_safeguards_and_collectives() {
    let d = doc("003_");
    assert_eq!(d.tasks.len(), 29);
    assert_eq!(
        d.tasks
            .iter()
            .filter(|t| t.path.first().map(String::as_str) == Some("二、重点任务"))
            .count(),
        23
    );
    assert_eq!(
        d.tasks
            .iter()
            .filter(|t| t.path.first().map(String::as_str) == Some("三、保障措施"))
            .count(),
        6
    );
    let t1 = task(&d, "1");
    assert_eq!(
        t1.title, "实施跨境产业“强基”行动",
        "title split over two lines is mended"
    );
    assert_eq!(
        leads(t1),
        ["南宁片区管委会", "钦州港片区管委会", "崇左片区管委会"]
    );
    assert_eq!(
        support(t1),
        [
            "南宁市人民政府",
            "钦州市人民政府",
            "崇左市人民政府",
            "自治区发展改革委",
            "自治区工业和信息化厅"
        ]
    );
    assert_eq!(
        task(&d, "2").line,
        23,
        "a number alone on its line keeps its line"
    );
    assert_eq!(
        leads(task(&d, "22")),
        ["南宁市人民政府", "钦州市人民政府", "崇左市人民政府"]
    );
    assert_eq!(leads(task(&d, "19")), ["自治区商务厅"]);
    assert!(task(&d, "16").open_ended);
    let last = d.tasks.last().expect("tasks");
    assert_eq!(last.number, "（六）");
    assert!(
        last.units
            .iter()
            .any(|u| u.name == "自治区党委编办〔绩效办〕")
    );
    assert_eq!(d.meta.doc_number.as_deref(), Some("桂政发〔2021〕17号"));
    assert_eq!(d.meta.signed_date.as_deref(), Some("2021-07-18"));
    assert_eq!(
        d.meta.addressees,
        ["各市、县人民政府", "自治区人民政府各组成部门、各直属机构"]
    );
}

#[test]
fn seed_003_targets() {
    let d = doc("003_");
    let find = |subject: &str, year: i32| {
        d.targets
            .iter()
            .find(|t| t.subject == subject && t.year == Some(year))
            .unwrap_or_else(|| panic!("{subject} {year}"))
    };
    let t = find("电子信息产业年产值", 2025);
    assert_eq!(
        (t.value, t.unit.as_str(), t.comparator, t.scope.as_deref()),
        (700.0, "亿元", Comparator::AtLeast, Some("广西自贸试验区"))
    );
    // The text runs from the year phrase through the scope to the value.
    assert!(
        t.text.starts_with("到2025年，广西自贸试验区") && t.text.ends_with("年产值达700亿元"),
        "{}",
        t.text
    );
    assert_eq!(find("电子信息产业年产值", 2023).value, 450.0);
    let cars = d
        .targets
        .iter()
        .find(|t| t.comparator == Comparator::Range)
        .expect("range target");
    assert_eq!(
        (cars.value, cars.value_max, cars.unit.as_str()),
        (50.0, Some(60.0), "万辆")
    );
    let fdi = find("年度利用外资", 2025);
    assert_eq!(
        (fdi.value, fdi.unit.as_str(), fdi.comparator),
        (10.0, "亿美元", Comparator::AtLeast)
    );
    let share = d
        .targets
        .iter()
        .find(|t| t.unit == "%" && t.value == 40.0)
        .expect("40%");
    assert_eq!(share.comparator, Comparator::AtLeast);
    // Both share targets are shares of what the target before them counts; levels are levels.
    let shares: Vec<&str> = d
        .targets
        .iter()
        .filter(|t| t.measure == luoshi_doc::Measure::Share)
        .map(|t| t.subject.as_str())
        .collect();
    assert_eq!(
        shares,
        [
            "年度利用外资占全区利用外资总额",
            "年度外贸进出口总额占全区外贸进出口总额"
        ]
    );
    assert_eq!(fdi.measure, luoshi_doc::Measure::Level);
    // Each industry's output has two milestones, 2023 and 2025.
    for industry in [
        "电子信息",
        "汽车和新能源汽车",
        "化工新材料",
        "中药材加工",
        "东盟特色产品加工",
    ] {
        let subject = format!("{industry}产业年产值");
        let years: Vec<_> = d
            .targets
            .iter()
            .filter(|t| t.subject == subject)
            .map(|t| t.year)
            .collect();
        assert_eq!(years, [Some(2023), Some(2025)], "{subject}");
    }
    let firms = d
        .targets
        .iter()
        .find(|t| t.value == 5000.0)
        .expect("5000家");
    assert_eq!(
        (
            firms.unit.as_str(),
            firms.comparator,
            firms.subject.as_str()
        ),
        ("家", Comparator::AtLeast, "上下游中小微制造企业")
    );
    assert!(
        d.targets.iter().all(|t| t.unit != "个" || t.value != 3.0),
        "3个片区 is not a target"
    );
}

#[test]
fn seed_004_achievements() {
    let d = doc("004_");
    assert_eq!(d.achievements.len(), 40);
    let pilots: Vec<_> = d
        .achievements
        .iter()
        .filter(|a| a.category.as_deref() == Some("改革试点经验"))
        .collect();
    let cases: Vec<_> = d
        .achievements
        .iter()
        .filter(|a| a.category.as_deref() == Some("最佳实践案例"))
        .collect();
    assert_eq!((pilots.len(), cases.len()), (16, 24));
    assert!(d.achievements.iter().all(|a| a.batch == Some(7)));
    let first = pilots[0];
    assert_eq!(first.number, 1);
    assert_eq!(first.scope.as_deref(), Some("全区"));
    assert_eq!(
        first.lead_units,
        [
            "自治区商务厅",
            "自治区市场监管局",
            "自治区药监局",
            "南宁海关",
            "自贸试验区南宁片区管委会",
            "自贸试验区钦州港片区管委会",
            "自贸试验区崇左片区管委会"
        ]
    );
    assert_eq!(
        first.replication_units,
        [
            "自治区商务厅",
            "自治区市场监管局",
            "自治区药监局",
            "南宁海关"
        ]
    );
    assert_eq!(cases[0].scope, None, "—— is no scope");
    assert_eq!(
        cases[2].replication_units,
        ["自治区党委网信办", "自治区数据局"]
    );
}

#[test]
fn seed_versions_are_recognised() {
    let limits = Limits::default();
    let ex = |p: &str| {
        luoshi_doc::extract(&std::fs::read(seed(p)).expect("read"), &limits).expect("extract")
    };
    let same = luoshi_doc::diff(&ex("000_"), &ex("001_"));
    assert!(same.same_document);
    assert!(same.similarity > 0.99, "{}", same.similarity);
    assert!(
        (3..=12).contains(&same.changes.len()),
        "a handful of wording changes: {:#?}",
        same.changes
    );
    assert!(
        same.changes
            .iter()
            .any(|c| c.before.contains("专精特新") && c.after.contains("专精特优"))
    );
    assert!(
        same.changes
            .iter()
            .all(|c| !c.before.is_empty() && !c.after.is_empty()),
        "header and annex are not changes"
    );
    let other = luoshi_doc::diff(&ex("000_"), &ex("002_"));
    assert!(!other.same_document);
    assert!(other.similarity < 0.3);
}
