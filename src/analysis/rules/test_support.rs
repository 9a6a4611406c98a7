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
