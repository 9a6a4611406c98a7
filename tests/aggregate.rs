//! Findings that would grow with the square of the plan are aggregated
//! (issue 10, case 4): a thousand changes to one system at one time make
//! one finding per phase and rule, naming the count and the first few, in
//! every output, not a million.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::{check_json, cutover};

const CHANGES: usize = 1000;

/// `CHANGES` proposed changes of one team, each one phase on `erp` at the
/// same hour, inside a window.
fn crowd() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "[[team]]\nid = \"t\"\nname = \"T\"\n\
         [[system]]\nid = \"erp\"\nname = \"ERP\"\nowner = \"t\"\ncriticality = \"low\"\n\
         [[window]]\nid = \"sunday\"\nname = \"Sunday\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"01:00\"\nduration = \"5h\"\n",
    );
    for i in 0..CHANGES {
        write!(
            text,
            "[[change]]\nid = \"c{i:04}\"\ntitle = \"T\"\nowner = \"t\"\nstatus = \"proposed\"\nsystems = [\"erp\"]\nsummary = \"s\"\nwhy = \"w\"\n\
             [[change.phase]]\nname = \"p\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n"
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("changes.toml"), text).unwrap();
    dir
}

#[test]
fn a_thousand_colliding_changes_make_one_finding_per_phase_and_rule() {
    let dir = crowd();
    let (code, document) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "collisions are errors");
    let diagnostics = document["diagnostics"].as_array().unwrap();
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diagnostics {
        *per_rule.entry(d["rule"].as_str().unwrap()).or_default() += 1;
    }
    // At most two findings per phase per rule (one here), whatever the rule.
    for (rule, count) in &per_rule {
        assert!(*count <= 2 * CHANGES, "{rule}: {count} findings");
    }
    assert_eq!(per_rule["change-collision"], CHANGES);
    assert_eq!(per_rule["owner-double-booked"], CHANGES);
    let first = diagnostics
        .iter()
        .find(|d| d["rule"] == "change-collision" && d["change"] == "c0000")
        .unwrap();
    assert_eq!(
        first["message"],
        "phase \"p\" of `c0000` (Sun 2026-12-06 02:00 UTC to Sun 2026-12-06 03:00 UTC) changes `erp` at the same time as 999 phases of other changes: phase \"p\" of `c0001`, phase \"p\" of `c0002`, phase \"p\" of `c0003` and 996 more"
    );
    assert_eq!(
        first["subjects"],
        serde_json::json!(["c0001", "c0002", "c0003", "erp"])
    );
    // At the phase's start.
    assert_eq!(first["line"], 25);
}

#[test]
fn the_human_report_of_a_crowd_is_aggregated_too() {
    let dir = crowd();
    let output = cutover()
        .args(["check", "--as-of", common::AS_OF])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let collisions = text.matches("change-collision").count();
    assert!(
        (CHANGES..=2 * CHANGES).contains(&collisions),
        "{collisions} mentions"
    );
    assert!(text.contains("999 phases of other changes"));
}
