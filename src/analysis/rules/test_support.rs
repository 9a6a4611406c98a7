//! Tests of single rules: a small inventory written as TOML, loaded,
//! analysed, and one rule function run on it.

use jiff::civil::Date;

use crate::analysis::rules::{Ctx, RuleFn};
use crate::base::Finding;

/// The as-of date of every rule test.
pub const AS_OF: Date = Date::constant(2026, 11, 24);

/// Two teams and three low systems, `app` consuming `db` (critical).
pub const BASE: &str = r#"
[[team]]
id = "t"
name = "T"
[[team]]
id = "u"
name = "U"
[[system]]
id = "app"
name = "App"
owner = "t"
criticality = "low"
[[system]]
id = "db"
name = "DB"
owner = "t"
criticality = "low"
[[system]]
id = "web"
name = "Web"
owner = "u"
criticality = "low"
[[integration]]
id = "app-db"
consumer = "app"
provider = "db"
"#;

/// A change (proposed, of `app`, owned by `t` unless `keys` say otherwise)
/// with top-level `keys`, then
/// `tables` (phases and sub-tables); one phase `p` at `2026-12-06T02:00`
/// for an hour when `tables` has none.
pub fn change(id: &str, keys: &str, tables: &str) -> String {
    let mut text =
        format!("[[change]]\nid = \"{id}\"\ntitle = \"T\"\nsummary = \"s\"\nwhy = \"w\"\n");
    for (key, default) in [
        ("owner", "owner = \"t\""),
        ("status", "status = \"proposed\""),
        ("systems", "systems = [\"app\"]"),
    ] {
        if !keys.lines().any(|l| l.trim_start().starts_with(key)) {
            text.push_str(default);
            text.push('\n');
        }
    }
    text.push_str(keys);
    text.push('\n');
    if !tables.contains("[[change.phase]]") {
        text.push_str(&phase("p", "2026-12-06T02:00:00", "1h", ""));
    }
    text.push_str(tables);
    text.push('\n');
    text
}

/// A `[[change.phase]]` with more `keys`.
pub fn phase(name: &str, start: &str, duration: &str, keys: &str) -> String {
    format!(
        "[[change.phase]]\nname = \"{name}\"\nstart = {start}\nduration = \"{duration}\"\n{keys}\n"
    )
}

/// The findings of `rule` on [`BASE`] plus `text`.
pub fn run(text: &str, rule: RuleFn) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv.toml"), format!("{BASE}\n{text}")).unwrap();
    let loaded = crate::inventory::load(dir.path()).unwrap();
    assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
    let (facts, _) = crate::analysis::analyse(&loaded.model, AS_OF);
    let cx = Ctx::new(&loaded.model, &facts, AS_OF);
    let mut findings = Vec::new();
    rule(&cx, &mut findings);
    findings
}

/// The messages of the findings, for assertions.
pub fn messages(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.message.as_str()).collect()
}

/// A change of a generated plan: its owner team (`t<n>`), its phases as
/// (start in minutes from 2026-12-01 00:00, minutes, systems `s<n>`), and
/// whether it is active.
pub type ChangeSpec = (usize, Vec<(u32, u32, Vec<usize>)>, bool);

/// The `[[change]]` tables of `changes`, whose ids (`k<n>`) do not follow
/// the written order (so change-id order is not slot order).
pub fn changes_text(changes: &[ChangeSpec]) -> String {
    let mut text = String::new();
    let names =
        |systems: &[usize]| -> Vec<String> { systems.iter().map(|s| format!("s{s}")).collect() };
    for (c, (team, phases, active)) in changes.iter().enumerate() {
        let status = if *active { "scheduled" } else { "cancelled" };
        let mut all: Vec<usize> = phases.iter().flat_map(|p| p.2.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        text.push_str(&format!(
            "[[change]]\nid = \"k{}\"\ntitle = \"C\"\nowner = \"t{team}\"\nstatus = \"{status}\"\nsystems = {:?}\nsummary = \"s\"\nwhy = \"w\"\n",
            (c * 37) % 101,
            names(&all)
        ));
        for (p, (start, minutes, systems)) in phases.iter().enumerate() {
            let at = jiff::civil::date(2026, 12, 1).at(0, 0, 0, 0)
                + jiff::Span::new().minutes(i64::from(*start));
            text.push_str(&format!(
                "[[change.phase]]\nname = \"p{p}\"\nstart = {at}\nduration = \"{minutes}m\"\nsystems = {:?}\n",
                names(systems)
            ));
        }
    }
    text
}

/// Findings as their Debug text, to compare them whole.
pub fn shown(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{f:?}")).collect()
}
