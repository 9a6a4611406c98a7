//! `cutover explain` and `cutover init`, and the example inventory.

mod common;

use common::*;
use predicates::prelude::*;

/// Every rule name of rules.md (and `unreadable`, cutover's addition).
const RULES: &[&str] = &[
    "syntax",
    "schema",
    "duplicate-id",
    "unknown-reference",
    "invalid-time",
    "invalid-schedule",
    "unreadable",
    "nonexistent-local-time",
    "ambiguous-local-time",
    "integration-cycle",
    "outside-window",
    "freeze-conflict",
    "peak-overlap",
    "batch-run-overlap",
    "change-collision",
    "blast-radius-overlap",
    "owner-double-booked",
    "phase-overlap",
    "short-soak",
    "rollback-exceeds-window",
    "short-notice",
    "stale-status",
    "no-backup",
    "untested-restore",
    "no-rollback",
    "no-rollback-trigger",
    "untested-change",
    "no-post-validation",
    "big-bang-rollout",
    "critical-first",
    "unverified-integration",
    "unverified-third-party",
    "unhealthy-system",
    "stale-health",
    "legacy-system",
    "short-monitoring",
    "missing-metric",
    "unnotified-audience",
    "incomplete-announcement",
    "no-fallback",
    "repeat-failure",
    "missing-approval",
    "missing-outcome",
    "unexportable-period",
];

#[test]
fn explain_answers_for_every_rule() {
    for rule in RULES {
        cutover()
            .args(["explain", rule])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(format!("# {rule}\n")))
            .stdout(predicate::str::contains("## What it checks"))
            .stdout(predicate::str::contains("## Why it matters"))
            .stdout(predicate::str::contains("## How to fix"))
            .stdout(predicate::str::contains("## Example"));
    }
}

#[test]
fn the_rule_list_matches_the_contract_when_it_is_beside_the_repository() {
    // In CI and development, shared/spec/rules.md sits beside the clone.
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/rules.md");
    let Ok(text) = std::fs::read_to_string(spec) else {
        return;
    };
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let name = line.trim_start_matches("| `").split('`').next().unwrap();
        assert!(
            RULES.contains(&name),
            "rules.md names `{name}`, which the tests do not know"
        );
    }
}

#[test]
fn explain_without_a_rule_lists_them_all() {
    let output = cutover().arg("explain").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    for rule in RULES {
        assert!(text.contains(rule), "{rule} missing from the list");
    }
}

#[test]
fn explain_fails_clearly_for_an_unknown_rule() {
    cutover()
        .args(["explain", "outside-windows"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no rule is named `outside-windows`",
        ))
        .stderr(predicate::str::contains("did you mean `outside-window`?"));
}

#[test]
fn init_writes_the_example_which_loads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inv");
    cutover().arg("init").arg(&target).assert().success();
    assert!(target.join("cutover.toml").is_file());
    let (_, found) = findings(&target);
    let bad = loading(found);
    assert!(bad.is_empty(), "loading errors in the example: {bad:#?}");
    // It is the repository's inventory/, file for file.
    let repo = example();
    for entry in walkdir::WalkDir::new(&repo)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&repo).unwrap();
            assert_eq!(
                std::fs::read(entry.path()).unwrap(),
                std::fs::read(target.join(rel)).unwrap_or_default(),
                "{} differs",
                rel.display()
            );
        }
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.toml"), "# mine").unwrap();
    cutover()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.toml")).unwrap(),
        "# mine"
    );
}

#[test]
fn the_example_inventory_has_no_loading_errors() {
    let inventory = example();
    let (_, found) = findings(&inventory);
    let bad = loading(found);
    assert!(bad.is_empty(), "loading errors in inventory/: {bad:#?}");
}

#[test]
fn schema_prints_a_json_schema_of_the_inventory_files() {
    let output = cutover().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    for kind in [
        "system",
        "integration",
        "process",
        "team",
        "audience",
        "window",
        "freeze",
        "peak",
        "change",
        "incident",
    ] {
        assert!(
            schema["properties"][kind]["items"]["properties"]["id"].is_object(),
            "{kind}"
        );
    }
    assert_eq!(
        schema["properties"]["freeze"]["items"]["properties"]["hard"]["default"],
        true
    );
    assert!(
        schema["properties"]["window"]["items"]["properties"]
            .get("hard")
            .is_none()
    );
    assert!(schema["properties"].get("rules").is_none());
    let output = cutover()
        .args(["schema", "--file", "config"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let config: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        config["properties"]["rules"]["properties"]
            .get("syntax")
            .is_none(),
        "loading rules cannot be set"
    );
    assert!(config["properties"]["rules"]["properties"]["unexportable-period"].is_object());
}
