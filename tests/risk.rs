//! The risk rules of rules.md, each firing and each near miss staying
//! quiet, and the risk score term by term. The world is
//! `tests/fixtures/risk-base/`; its `good-change.toml.txt` is a change that
//! no rule fires on, and each test edits one thing in it.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use predicates::prelude::*;

fn good() -> String {
    fs::read_to_string(fixture("risk-base").join("good-change.toml.txt")).unwrap()
}

/// The good change with each `(from, to)` replaced; panics if `from` is
/// not in it, so a test cannot silently edit nothing.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = good();
    for (from, to) in edits {
        assert!(text.contains(from), "the good change has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

/// A temporary inventory: risk-base plus `change.toml`, and extra config.
/// Edits that move the good change to `system` (dropping the nginx compat
/// entry, which only a change to app may name).
fn moved(system: &str) -> [(&'static str, String); 2] {
    [
        ("systems = [\"app\"]", format!("systems = [\"{system}\"]")),
        (
            "[[change.compat]]\ntarget = \"nginx\"\nverified = true\n",
            String::new(),
        ),
    ]
}

fn edited_on(system: &str, edits: &[(&str, &str)]) -> String {
    let moves = moved(system);
    let mut all: Vec<(&str, &str)> = moves.iter().map(|(a, b)| (*a, b.as_str())).collect();
    all.extend_from_slice(edits);
    edited(&all)
}

fn world_with(change: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture("risk-base");
    let cutover = fs::read_to_string(base.join("cutover.toml")).unwrap();
    fs::write(
        dir.path().join("cutover.toml"),
        format!("{cutover}\n{config}"),
    )
    .unwrap();
    fs::copy(base.join("base.toml"), dir.path().join("base.toml")).unwrap();
    fs::write(dir.path().join("change.toml"), change).unwrap();
    dir
}

fn world(change: &str) -> tempfile::TempDir {
    world_with(change, "")
}

#[test]
fn the_good_change_gets_no_finding_at_all() {
    let w = world(&good());
    assert_eq!(loaded(w.path()), vec![]);
}

#[test]
fn no_backup_for_a_stateful_system_and_none_with_a_reason() {
    let w = world(&edited_on(
        "db",
        &[(
            "[change.backup]\nmethod = \"snapshot\"\nrestore_tested = 2026-11-20\n",
            "",
        )],
    ));
    let found = of_rule(w.path(), "no-backup");
    assert_eq!(
        places(&found),
        vec![place("no-backup", "change.toml", 1, 1)]
    );
    assert_eq!(found[0].level, "error");
    assert_eq!(found[0].subjects, vec!["db"]);
    let w = world(&edited_on(
        "db",
        &[(
            "[change.backup]\nmethod = \"snapshot\"\nrestore_tested = 2026-11-20\n",
            "[change.backup]\nnone = \"schema-only change, data untouched\"\n",
        )],
    ));
    assert_eq!(of_rule(w.path(), "no-backup"), vec![]);
    assert_eq!(of_rule(w.path(), "untested-restore"), vec![]);
}

#[test]
fn untested_restore_missing_or_older_than_thirty_days_but_not_at_exactly_thirty() {
    let w = world(&edited(&[("restore_tested = 2026-11-20\n", "")]));
    assert_eq!(
        places(&of_rule(w.path(), "untested-restore")),
        vec![place("untested-restore", "change.toml", 25, 1)]
    );
    // First phase 2026-12-06: tested 2026-11-06 is exactly 30 days before.
    let w = world(&edited(&[(
        "restore_tested = 2026-11-20",
        "restore_tested = 2026-11-06",
    )]));
    assert_eq!(of_rule(w.path(), "untested-restore"), vec![]);
    let w = world(&edited(&[(
        "restore_tested = 2026-11-20",
        "restore_tested = 2026-11-05",
    )]));
    assert_eq!(
        places(&of_rule(w.path(), "untested-restore")),
        vec![place("untested-restore", "change.toml", 27, 18)]
    );
}

#[test]
fn no_rollback_without_table_or_steps() {
    let w = world(&edited(&[("steps = [\"Redeploy 4.1\"]", "steps = []")]));
    let found = of_rule(w.path(), "no-rollback");
    assert_eq!(
        places(&found),
        vec![place("no-rollback", "change.toml", 29, 1)]
    );
    assert_eq!(found[0].level, "error");
    let w = world(&edited(&[(
        "[change.rollback]\nsteps = [\"Redeploy 4.1\"]\ntime = \"30m\"\ntriggers = [\"error rate above 2% for 10 minutes\"]\nowner = \"ops\"\n",
        "",
    )]));
    assert_eq!(
        places(&of_rule(w.path(), "no-rollback")),
        vec![place("no-rollback", "change.toml", 1, 1)]
    );
}

#[test]
fn no_rollback_trigger_only_when_triggers_are_missing() {
    let w = world(&edited(&[(
        "triggers = [\"error rate above 2% for 10 minutes\"]\n",
        "",
    )]));
    assert_eq!(
        places(&of_rule(w.path(), "no-rollback-trigger")),
        vec![place("no-rollback-trigger", "change.toml", 29, 1)]
    );
    assert_eq!(of_rule(w.path(), "no-rollback"), vec![]);
}

#[test]
fn untested_change_without_environment_or_pre_tests() {
    let w = world(&edited(&[("environment = \"staging\"\n", "")]));
    let found = of_rule(w.path(), "untested-change");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("`environment`"),
        "{}",
        found[0].message
    );
    let w = world(&edited(&[("pre = [\"smoke tests\"]", "pre = []")]));
    assert_eq!(of_rule(w.path(), "untested-change").len(), 1);
}

#[test]
fn no_post_validation_without_post_tests() {
    let w = world(&edited(&[("post = [\"place a test order\"]\n", "")]));
    assert_eq!(of_rule(w.path(), "no-post-validation").len(), 1);
}

#[test]
fn big_bang_on_a_high_system_but_not_a_single_phase_on_a_medium_one() {
    let single = |system: &str| {
        edited_on(
            system,
            &[(
                "\n[[change.phase]]\nname = \"Everyone\"\nstart = 2026-12-13T02:00:00\nduration = \"1h\"\naudiences = [\"staff\", \"customers\"]\n",
                "",
            )],
        )
    };
    let w = world(&single("db"));
    let found = of_rule(w.path(), "big-bang-rollout");
    assert_eq!(
        places(&found),
        vec![place("big-bang-rollout", "change.toml", 13, 1)]
    );
    assert_eq!(found[0].subjects, vec!["db"]);
    let w = world(&single("app"));
    assert_eq!(of_rule(w.path(), "big-bang-rollout"), vec![]);
}

#[test]
fn critical_first_when_criticality_falls_and_quiet_when_it_rises_or_stays() {
    let w = world(&edited(&[
        ("audiences = [\"pilots\"]", "audiences = [\"customers\"]"),
        (
            "audiences = [\"staff\", \"customers\"]",
            "audiences = [\"pilots\"]",
        ),
    ]));
    let found = of_rule(w.path(), "critical-first");
    assert_eq!(
        places(&found),
        vec![place("critical-first", "change.toml", 23, 14)]
    );
    let w = world(&edited(&[(
        "audiences = [\"staff\", \"customers\"]",
        "audiences = [\"pilots\"]",
    )]));
    assert_eq!(of_rule(w.path(), "critical-first"), vec![]);
}

#[test]
fn unverified_integration_for_a_false_or_missing_compat_entry() {
    let w = world(&edited(&[(
        "target = \"app-db\"\nverified = true",
        "target = \"app-db\"\nverified = false",
    )]));
    let found = of_rule(w.path(), "unverified-integration");
    assert_eq!(
        places(&found),
        vec![place("unverified-integration", "change.toml", 40, 1)]
    );
    assert_eq!(found[0].subjects, vec!["app-db"]);
    let w = world(&edited(&[(
        "[[change.compat]]\ntarget = \"app-db\"\nverified = true\n",
        "",
    )]));
    assert_eq!(
        places(&of_rule(w.path(), "unverified-integration")),
        vec![place("unverified-integration", "change.toml", 1, 1)]
    );
}

#[test]
fn unverified_third_party_for_an_item_without_a_verified_entry() {
    let w = world(&edited(&[(
        "target = \"nginx\"\nverified = true",
        "target = \"nginx\"\nverified = false",
    )]));
    let found = of_rule(w.path(), "unverified-third-party");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subjects, vec!["nginx 1.25"]);
}

#[test]
fn unhealthy_system_warns_when_degraded_and_errs_when_down() {
    let on = |system: &str| world(&edited_on(system, &[]));
    let w = on("sick");
    let found = of_rule(w.path(), "unhealthy-system");
    assert_eq!(
        places(&found),
        vec![place("unhealthy-system", "base.toml", 35, 21)]
    );
    assert_eq!(found[0].level, "warning");
    assert!(found[0].message.contains("disk 91% full"));
    let w = on("dead");
    let found = of_rule(w.path(), "unhealthy-system");
    assert_eq!(found[0].level, "error");
    let w = on("app");
    assert_eq!(of_rule(w.path(), "unhealthy-system"), vec![]);
}

#[test]
fn stale_health_without_a_check_or_past_the_age_limit_but_not_at_it() {
    let w = world(&edited_on("nocheck", &[]));
    assert_eq!(of_rule(w.path(), "stale-health").len(), 1);
    let checked = |date: &str| {
        let w = world(&good());
        let base = fs::read_to_string(w.path().join("base.toml")).unwrap();
        let base = base.replacen(
            "health = { status = \"healthy\", checked = 2026-11-20 }",
            &format!("health = {{ status = \"healthy\", checked = {date} }}"),
            1,
        );
        fs::write(w.path().join("base.toml"), base).unwrap();
        w
    };
    let w = checked("2026-11-06");
    assert_eq!(of_rule(w.path(), "stale-health"), vec![]);
    let w = checked("2026-11-05");
    let found = of_rule(w.path(), "stale-health");
    assert_eq!(
        places(&found),
        vec![place("stale-health", "base.toml", 12, 42)]
    );
    assert_eq!(found[0].subjects, vec!["app"]);
}

#[test]
fn legacy_system_is_an_info_at_its_legacy_key() {
    let w = world(&edited_on("old", &[]));
    let found = of_rule(w.path(), "legacy-system");
    assert_eq!(
        places(&found),
        vec![place("legacy-system", "base.toml", 27, 10)]
    );
    assert_eq!(found[0].level, "info");
    let w = world(&good());
    assert_eq!(of_rule(w.path(), "legacy-system"), vec![]);
}

#[test]
fn short_monitoring_below_the_policy_and_quiet_at_it() {
    let w = world(&edited(&[("duration = \"72h\"", "duration = \"48h\"")]));
    assert_eq!(
        places(&of_rule(w.path(), "short-monitoring")),
        vec![place("short-monitoring", "change.toml", 49, 12)]
    );
    let w = world(&edited(&[("duration = \"72h\"", "duration = \"3d\"")]));
    assert_eq!(of_rule(w.path(), "short-monitoring"), vec![]);
}

#[test]
fn missing_metric_names_every_missing_kind_in_one_finding() {
    let w = world(&edited(&[
        ("  { name = \"tickets\", kind = \"tickets\" },\n", ""),
        ("kind = \"cpu\"", "kind = \"other\""),
    ]));
    let found = of_rule(w.path(), "missing-metric");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subjects, vec!["cpu", "tickets"]);
}

#[test]
fn unnotified_audience_for_an_impacted_audience_left_out() {
    let w = world(&edited(&[(
        "audiences = [\"pilots\", \"staff\", \"customers\"]",
        "audiences = [\"pilots\", \"staff\"]",
    )]));
    let found = of_rule(w.path(), "unnotified-audience");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subjects, vec!["customers"]);
}

#[test]
fn incomplete_announcement_without_impact() {
    let w = world(&edited(&[(
        "impact = \"The shop is read-only for a few minutes.\"\n",
        "",
    )]));
    let found = of_rule(w.path(), "incomplete-announcement");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("`impact`"));
}

#[test]
fn no_fallback_for_an_impacted_critical_process_without_one() {
    let w = world(&edited_on("old", &[]));
    let found = of_rule(w.path(), "no-fallback");
    assert_eq!(
        places(&found),
        vec![place("no-fallback", "base.toml", 64, 6)]
    );
    assert_eq!(found[0].subjects, vec!["ledger"]);
    // The shop is critical too, but has a fallback.
    let w = world(&good());
    assert_eq!(of_rule(w.path(), "no-fallback"), vec![]);
}

#[test]
fn repeat_failure_for_an_incident_on_a_changed_system() {
    let w = world(&edited_on("old", &[]));
    let found = of_rule(w.path(), "repeat-failure");
    assert_eq!(
        places(&found),
        vec![place("repeat-failure", "base.toml", 95, 6)]
    );
    assert_eq!(found[0].subjects, vec!["INC-1", "old"]);
}

#[test]
fn missing_approval_for_approved_without_approvals_but_not_for_a_draft() {
    let w = world(&edited(&[(
        "approvals = [{ by = \"cab\", date = 2026-11-20 }]\n",
        "",
    )]));
    assert_eq!(
        places(&of_rule(w.path(), "missing-approval")),
        vec![place("missing-approval", "change.toml", 5, 10)]
    );
    let w = world(&edited(&[
        ("approvals = [{ by = \"cab\", date = 2026-11-20 }]\n", ""),
        ("status = \"approved\"", "status = \"draft\""),
    ]));
    assert_eq!(of_rule(w.path(), "missing-approval"), vec![]);
}

#[test]
fn missing_outcome_for_a_finished_change_only() {
    let w = world(&edited(&[(
        "status = \"approved\"",
        "status = \"completed\"",
    )]));
    let found = of_rule(w.path(), "missing-outcome");
    assert_eq!(
        places(&found),
        vec![place("missing-outcome", "change.toml", 5, 10)]
    );
    let with_outcome = format!(
        "{}\n[change.outcome]\nresult = \"success\"\ncompleted = 2026-12-13T03:00:00\n",
        edited(&[("status = \"approved\"", "status = \"completed\"")])
    );
    let w = world(&with_outcome);
    assert_eq!(
        loaded(w.path()),
        vec![],
        "a completed change is history: no other rule fires"
    );
}

// ---- the score -----------------------------------------------------------------

fn risk_of(dir: &Path) -> serde_json::Value {
    let (_, document) = check_json(dir, &[]);
    document["changes"][0]["risk"].clone()
}

#[test]
fn score_of_the_good_change_is_its_criticality_alone() {
    // Impacted: app (medium) and the shop process (critical): 30 points.
    let w = world(&good());
    assert_eq!(
        risk_of(w.path()),
        serde_json::json!({
            "score": 30, "level": "medium",
            "factors": [{"name": "criticality", "points": 30, "detail": "highest impacted: critical (shop)"}]
        })
    );
}

#[test]
fn score_adds_blast_radius_and_configured_weights_and_skips_rules_turned_off() {
    // A single phase on db without backup: no-backup fires; big-bang-rollout
    // would fire but is off. db impacts app (1 system beyond): 5 points.
    let change = edited_on(
        "db",
        &[
            (
                "[change.backup]\nmethod = \"snapshot\"\nrestore_tested = 2026-11-20\n",
                "",
            ),
            (
                "\n[[change.phase]]\nname = \"Everyone\"\nstart = 2026-12-13T02:00:00\nduration = \"1h\"\naudiences = [\"staff\", \"customers\"]\n",
                "",
            ),
            (
                "audiences = [\"pilots\"]",
                "audiences = [\"pilots\", \"staff\", \"customers\"]",
            ),
        ],
    );
    let config = "[rules]\nbig-bang-rollout = \"off\"\n\n[risk]\nmedium = 20\nhigh = 60\ncritical = 90\n\n[risk.weights]\nno-backup = 40\n";
    let w = world_with(&change, config);
    let found = loaded(w.path());
    assert_eq!(
        found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        vec!["no-backup"]
    );
    assert_eq!(
        risk_of(w.path()),
        serde_json::json!({
            "score": 75, "level": "high",
            "factors": [
                {"name": "criticality", "points": 30, "detail": "highest impacted: critical (shop)"},
                {"name": "blast-radius", "points": 5, "detail": "1 systems impacted beyond the 1 changed"},
                {"name": "no-backup", "points": 40, "detail": "1 finding"}
            ]
        })
    );
}

#[test]
fn max_risk_fails_naming_the_change_and_its_terms() {
    let change = edited_on(
        "db",
        &[(
            "[change.backup]\nmethod = \"snapshot\"\nrestore_tested = 2026-11-20\n",
            "",
        )],
    );
    let w = world(&change);
    cutover()
        .args(["check", "--as-of", AS_OF, "--max-risk", "medium"])
        .arg(w.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CHG-1 scores"))
        .stderr(predicate::str::contains("above --max-risk medium"))
        .stderr(predicate::str::contains("no-backup 30"));
    // The good change (30, medium) passes --max-risk medium.
    let w = world(&good());
    cutover()
        .args(["check", "--as-of", AS_OF, "--max-risk", "medium"])
        .arg(w.path())
        .assert()
        .code(0);
}

#[test]
fn deny_warnings_fails_on_a_warning_and_passes_without() {
    let w = world(&edited(&[("post = [\"place a test order\"]\n", "")]));
    cutover()
        .args(["check", "--as-of", AS_OF])
        .arg(w.path())
        .assert()
        .code(0);
    cutover()
        .args(["check", "--as-of", AS_OF, "--deny", "warnings"])
        .arg(w.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--deny warnings: 1 warning (on CHG-1)",
        ));
    let w = world(&good());
    cutover()
        .args(["check", "--as-of", AS_OF, "--deny", "warnings"])
        .arg(w.path())
        .assert()
        .code(0);
}

#[test]
fn the_example_inventory_fails_max_risk_medium_and_deny_warnings_naming_changes() {
    let inventory = example();
    let output = cutover()
        .args(["check", "--as-of", AS_OF, "--max-risk", "medium", "--quiet"])
        .arg(&inventory)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("CHG-2049 scores"), "{stderr}");
    assert!(
        !stderr.contains("CHG-2041"),
        "the exemplary change is not above medium: {stderr}"
    );
    let (_, document) = check_json(&inventory, &[]);
    let levels: std::collections::BTreeSet<String> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["risk"]["level"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(levels.len(), 4, "a spread over all four levels: {levels:?}");
}
