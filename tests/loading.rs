//! The loading rules of rules.md, each on a fixture inventory, asserting
//! rule, file, line and column; and what happens on bad input of every kind.

mod common;

use std::fs;

use common::*;
use predicates::prelude::*;

#[test]
fn a_valid_inventory_loads_without_loading_findings() {
    // Its one change is a bare draft, so plan rules do fire; loading does not.
    let (_, found) = findings(&fixture("minimal"));
    assert_eq!(loading(found), vec![], "the minimal fixture is valid");
}

#[test]
fn syntax_error_points_at_the_unterminated_string() {
    let (code, found) = findings(&fixture("syntax"));
    assert_eq!(places(&found), vec![place("syntax", "broken.toml", 3, 19)]);
    assert!(
        found[0].message.contains("invalid TOML"),
        "{}",
        found[0].message
    );
    assert_eq!(code, 1);
}

#[test]
fn ids_from_a_file_with_a_syntax_error_still_resolve() {
    // fine.toml's system is owned by `ops`, declared in broken.toml: only
    // the syntax error is reported, not an echo of it.
    let (_, found) = findings(&fixture("syntax"));
    assert!(found.iter().all(|f| f.rule == "syntax"));
}

#[test]
fn schema_errors_are_all_reported_each_at_its_key() {
    let (code, found) = findings(&fixture("schema"));
    assert_eq!(
        places(&found),
        vec![
            place("schema", "systems.toml", 9, 15),  // criticality = "hgh"
            place("schema", "systems.toml", 10, 1),  // unknown key colour
            place("schema", "systems.toml", 13, 6),  // id "../../etc/passwd"
            place("schema", "systems.toml", 14, 8),  // a table where a string belongs
            place("schema", "systems.toml", 18, 1),  // missing name: the [[system]] header
            place("schema", "systems.toml", 22, 12), // stateful = "yes"
            place("schema", "systems.toml", 29, 2),  // [servers]: not an entity kind
        ]
    );
    assert!(found[0].message.contains("`hgh`"));
    assert!(found[1].message.contains("unknown key `colour`"));
    assert!(
        found[2]
            .message
            .contains("`../../etc/passwd` is not a valid id")
    );
    assert!(found[3].message.contains("must be a string, found a table"));
    assert!(found[4].message.contains("has no `name`"));
    assert_eq!(code, 1);
}

#[test]
fn duplicate_ids_differ_only_in_case_and_both_places_are_named() {
    let (_, found) = findings(&fixture("duplicate-id"));
    assert_eq!(places(&found), vec![place("duplicate-id", "b.toml", 2, 6)]);
    assert!(found[0].message.contains("`erp`") && found[0].message.contains("`ERP`"));
    // The human form shows the first definition too.
    cutover()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(fixture("duplicate-id"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("--> b.toml:2:6"))
        .stdout(predicate::str::contains("a.toml:6:6"))
        .stdout(predicate::str::contains("first defined here"));
}

#[test]
fn unknown_references_point_at_the_dangling_id() {
    let (_, found) = findings(&fixture("unknown-reference"));
    assert_eq!(
        places(&found),
        vec![
            place("unknown-reference", "a.toml", 8, 9), // owner = "opps"
            place("unknown-reference", "a.toml", 17, 19), // systems = [.., "billing"]
            place("unknown-reference", "a.toml", 27, 10), // compat target "haproxy"
        ]
    );
    assert_eq!(found[0].subjects, vec!["opps"]);
    assert_eq!(found[2].change.as_deref(), Some("CHG-7"));
}

#[test]
fn unknown_reference_suggests_the_close_id() {
    cutover()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(fixture("unknown-reference"))
        .assert()
        .stdout(predicate::str::contains("did you mean `ops`?"));
}

#[test]
fn invalid_times_zone_time_of_day_and_duration() {
    let (_, found) = findings(&fixture("invalid-time"));
    assert_eq!(
        places(&found),
        vec![
            place("invalid-time", "a.toml", 8, 12),  // timezone
            place("invalid-time", "a.toml", 10, 9),  // start = "25:00"
            place("invalid-time", "a.toml", 11, 12), // duration = "2 hours"
        ]
    );
    assert!(found[1].message.contains("`25:00`"));
}

#[test]
fn invalid_schedules_of_every_kind() {
    let (_, found) = findings(&fixture("invalid-schedule"));
    assert_eq!(
        places(&found),
        vec![
            place("invalid-schedule", "a.toml", 4, 15), // FREQ=HOURLY, inside the string
            place("invalid-schedule", "a.toml", 8, 1),  // from without until
            place("invalid-schedule", "a.toml", 17, 9), // until before from
            place("invalid-schedule", "a.toml", 19, 1), // neither form
            place("invalid-schedule", "a.toml", 26, 9), // INTERVAL=2 without from
        ]
    );
    assert!(found[0].message.contains("HOURLY"), "{}", found[0].message);
    assert!(
        found[4].message.contains("no start date"),
        "{}",
        found[4].message
    );
}

#[test]
fn errors_in_several_files_are_all_reported_in_one_run() {
    let (code, found) = findings(&fixture("multi-file"));
    assert_eq!(
        places(&found),
        vec![
            place("syntax", "a-syntax.toml", 1, 8),
            place("schema", "b-schema.toml", 4, 1),
            place("unknown-reference", "c-reference.toml", 4, 9),
            place("unknown-reference", "c-reference.toml", 10, 9),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn config_keys_are_checked() {
    let (_, found) = findings(&fixture("bad-config"));
    assert_eq!(
        places(&found),
        vec![
            place("invalid-time", "cutover.toml", 2, 12), // Europe/Berln
            place("invalid-time", "cutover.toml", 5, 10), // "five days"
            place("schema", "cutover.toml", 6, 28),       // metric kind "disk"
            place("schema", "cutover.toml", 10, 1),       // loading rules cannot be changed
            place("schema", "cutover.toml", 11, 1),       // no rule peek-overlap
            place("schema", "cutover.toml", 12, 14),      // level "loud"
            place("schema", "cutover.toml", 16, 8),       // thresholds must rise
            place("schema", "cutover.toml", 19, 13),      // weight 300
            place("schema", "cutover.toml", 20, 1),       // time rules have no weight
        ]
    );
}

#[test]
fn json_follows_the_rules_md_form() {
    let (_, document) = check_json(&fixture("unknown-reference"), &[]);
    assert_eq!(document["version"], 1);
    assert_eq!(document["as_of"], AS_OF);
    assert_eq!(document["summary"]["errors"], 3);
    assert_eq!(document["summary"]["warnings"], 0);
    assert_eq!(document["summary"]["infos"], 0);
    let first = &document["diagnostics"][0];
    for key in [
        "rule", "level", "message", "file", "line", "column", "change", "subjects",
    ] {
        assert!(first.get(key).is_some(), "diagnostic lacks {key}");
    }
    assert!(first["change"].is_null());
    assert_eq!(document["changes"][0]["id"], "CHG-7");
    assert_eq!(document["changes"][0]["status"], "draft");
}

#[test]
fn human_output_reads_like_a_compiler() {
    cutover()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(fixture("invalid-time"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[invalid-time]: `start` of window `late`: `25:00`",
        ))
        .stdout(predicate::str::contains("--> a.toml:10:9"))
        .stdout(predicate::str::contains("start = \"25:00\""))
        .stdout(predicate::str::contains("^^^^^^^"))
        .stdout(predicate::str::contains("= help:").or(predicate::str::contains("help:")))
        .stdout(predicate::str::contains("3 errors, 0 warnings, 0 infos"));
}

#[test]
fn quiet_prints_errors_without_summary_and_color_never_has_no_escapes() {
    let output = cutover()
        .args(["check", "--quiet", "--color", "never", "--as-of", AS_OF])
        .arg(fixture("multi-file"))
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[syntax]"));
    assert!(!text.contains("errors,"), "{text}");
    assert!(!text.contains('\x1b'));
    let colored = cutover()
        .args(["check", "--color", "always", "--as-of", AS_OF])
        .arg(fixture("multi-file"))
        .output()
        .unwrap();
    assert!(String::from_utf8(colored.stdout).unwrap().contains('\x1b'));
}

#[test]
fn a_missing_inventory_is_exit_2_naming_the_path() {
    cutover()
        .args(["check", "no/such/inventory"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/inventory"));
}

#[test]
fn a_file_instead_of_a_folder_is_exit_2() {
    cutover()
        .arg("check")
        .arg(fixture("minimal").join("base.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a folder"));
}

#[test]
fn bad_flags_are_exit_2() {
    cutover()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    cutover()
        .args(["check", "--as-of", "tomorrow"])
        .arg(fixture("minimal"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as-of"));
}

#[test]
fn source_date_epoch_sets_the_as_of_date() {
    let output = cutover()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["check", "--format", "json"])
        .arg(fixture("minimal"))
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["as_of"], "2026-01-01");
}

#[test]
fn a_non_utf8_file_is_a_located_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("latin1.toml"),
        b"[[team]]\nid = \"ops\"\nname = \"Op\xe9rations\"\n",
    )
    .unwrap();
    let (code, found) = findings(dir.path());
    assert_eq!(places(&found), vec![place("syntax", "latin1.toml", 3, 11)]);
    assert!(found[0].message.contains("UTF-8"));
    assert_eq!(code, 1);
}

#[test]
fn an_empty_file_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.toml"), "").unwrap();
    let (code, found) = findings(dir.path());
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn a_folder_without_toml_files_is_exit_2_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("README.md"), "# not an inventory").unwrap();
    cutover()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no .toml files"));
}

#[test]
fn a_single_table_where_an_array_of_tables_belongs() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.toml"),
        "[team]\nid = \"ops\"\nname = \"Ops\"\n",
    )
    .unwrap();
    let (_, found) = findings(dir.path());
    assert_eq!(places(&found), vec![place("schema", "t.toml", 1, 2)]);
    assert!(found[0].message.contains("array of tables"));
}

#[test]
fn an_offset_datetime_is_accepted_where_a_local_one_is() {
    // minimal/changes/chg-1.toml has a phase at 2026-12-13T01:00:00Z.
    let text = fs::read_to_string(fixture("minimal").join("changes/chg-1.toml")).unwrap();
    assert!(text.contains("T01:00:00Z"));
    let (_, found) = findings(&fixture("minimal"));
    assert!(found.iter().all(|f| !LOADING.contains(&f.rule.as_str())));
    // Read as 01:00 UTC = 02:00 CET, the phase is inside the Sunday window.
    assert!(
        found.iter().all(|f| f.rule != "outside-window"),
        "{found:#?}"
    );
}

#[test]
fn a_thousand_entities_and_a_ten_megabyte_file_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("[[team]]\nid = \"ops\"\nname = \"Ops\"\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "\n[[system]]\nid = \"sys-{i}\"\nname = \"System number {i}\"\nowner = \"ops\"\ncriticality = \"low\"\ndescription = \"{}\"\n",
            "Padding text to reach ten megabytes. ".repeat(4)
        ));
        i += 1;
    }
    assert!(i > 1000);
    fs::write(dir.path().join("big.toml"), &text).unwrap();
    // One bad entity among them is still found, at its line.
    text.push_str(
        "\n[[system]]\nid = \"bad\"\nname = \"Bad\"\nowner = \"ops\"\ncriticality = \"severe\"\n",
    );
    fs::write(dir.path().join("big.toml"), &text).unwrap();
    let lines = text.lines().count() as u64;
    let (code, found) = findings(dir.path());
    assert_eq!(places(&found), vec![place("schema", "big.toml", lines, 15)]);
    assert_eq!(code, 1);
}

#[test]
fn hidden_entries_and_templates_are_skipped_and_files_read_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::create_dir_all(root.join("deep/er")).unwrap();
    fs::write(root.join(".git/config.toml"), "not = [toml").unwrap();
    fs::write(root.join(".hidden.toml"), "not = [toml").unwrap();
    fs::write(root.join("templates/x.toml"), "not = [toml").unwrap();
    fs::write(root.join("notes.txt"), "not = [toml").unwrap();
    fs::write(
        root.join("deep/er/teams.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n",
    )
    .unwrap();
    fs::write(
        root.join("a.toml"),
        "[[system]]\nid = \"s\"\nname = \"S\"\nowner = \"ops\"\ncriticality = \"low\"\n",
    )
    .unwrap();
    let (code, found) = findings(root);
    assert_eq!((code, found), (0, vec![]));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/loop")).unwrap();
    fs::write(
        root.join("sub/teams.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n",
    )
    .unwrap();
    let (code, found) = findings(root);
    assert_eq!(places(&found), vec![place("unreadable", "sub/loop", 1, 1)]);
    assert!(found[0].message.contains("symlink loop"));
    assert_eq!(code, 1);
}

/// Issue 10, case 8: a link to `/` made the loader walk `/proc` forever.
#[cfg(unix)]
#[test]
fn a_symlink_to_the_root_folder_is_reported_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("teams.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/", root.join("everything")).unwrap();
    let started = std::time::Instant::now();
    let output = cutover()
        .args(["check", "--format", "json", "--as-of", AS_OF])
        .arg(root)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(1));
    let (_, found) = findings(root);
    assert_eq!(
        places(&found),
        vec![place("unreadable", "everything", 1, 1)]
    );
    assert_eq!(
        found[0].message,
        "`everything` links to `/`, outside the inventory: links outside the inventory are not followed"
    );
}

/// Issue 10, case 10: a FIFO named `*.toml` was skipped silently (and
/// reading it would block until someone writes to it).
#[cfg(unix)]
#[test]
fn a_fifo_named_toml_is_unreadable_and_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("teams.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n",
    )
    .unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("x.toml"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = cutover()
        .args(["check", "--format", "json", "--as-of", AS_OF])
        .arg(root)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "it must end, with an error");
    let (_, found) = findings(root);
    assert_eq!(places(&found), vec![place("unreadable", "x.toml", 1, 1)]);
    assert_eq!(
        found[0].message,
        "`x.toml` is a FIFO (named pipe), not a regular file: it was not read"
    );
}

#[test]
fn file_order_does_not_change_the_output() {
    // Same entities, split across files differently: same findings, sorted.
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let team = "[[team]]\nid = \"ops\"\nname = \"Ops\"\n";
    let bad = "[[system]]\nid = \"s\"\nname = \"S\"\nowner = \"nobody\"\ncriticality = \"low\"\n";
    fs::write(one.path().join("a.toml"), team).unwrap();
    fs::write(one.path().join("b.toml"), bad).unwrap();
    fs::write(two.path().join("b.toml"), bad).unwrap();
    fs::write(two.path().join("z.toml"), team).unwrap();
    assert_eq!(findings(one.path()), findings(two.path()));
}

#[test]
fn github_format_prints_one_annotation_per_finding() {
    let output = cutover()
        .args(["check", "--as-of", AS_OF, "--format", "github"])
        .arg(fixture("multi-file"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("::error file="), "{}", lines[0]);
    assert!(
        lines[0].contains("a-syntax.toml,line=1,col=8,title=cutover syntax::"),
        "{}",
        lines[0]
    );
    assert!(
        lines[3].contains("c-reference.toml,line=10,col=9"),
        "{}",
        lines[3]
    );
}

#[test]
fn sarif_format_is_a_sarif_log_with_located_results() {
    let output = cutover()
        .args(["check", "--as-of", AS_OF, "--format", "sarif"])
        .arg(fixture("multi-file"))
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cutover");
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() >= 43);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[2]["ruleId"], "unknown-reference");
    assert_eq!(results[2]["level"], "error");
    let region = &results[2]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(4), Some(9))
    );
    let uri = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.ends_with("multi-file/c-reference.toml"), "{uri}");
}

#[test]
fn a_window_and_a_freeze_may_share_an_id_but_two_freezes_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let period = |kind: &str, id: &str| {
        format!(
            "[[{kind}]]\nid = \"{id}\"\nname = \"N\"\nfrom = 2026-12-01T00:00:00\nuntil = 2026-12-02T00:00:00\n\n"
        )
    };
    let text = [
        period("window", "weekend"),
        period("freeze", "weekend"),
        period("freeze", "Weekend"),
    ]
    .concat();
    fs::write(dir.path().join("calendar.toml"), text).unwrap();
    let (_, found) = findings(dir.path());
    assert_eq!(
        places(&found),
        vec![place("duplicate-id", "calendar.toml", 14, 6)]
    );
    assert!(
        found[0].message.starts_with("freeze id `Weekend`"),
        "{}",
        found[0].message
    );
}

#[test]
fn one_bad_field_does_not_hide_the_other_findings_of_its_entity() {
    // The phase's duration is malformed, so the phase (and the change) are
    // dropped; the change's and the phase's unknown systems are reported
    // all the same, as is the incident's beside its own bad field.
    let (code, found) = findings(&fixture("dropped-entity"));
    assert_eq!(
        places(&found),
        vec![
            place("unknown-reference", "plan.toml", 18, 19), // systems = [.., "ghost"]
            place("invalid-time", "plan.toml", 25, 12),      // duration = "2 hours"
            place("unknown-reference", "plan.toml", 26, 12), // phase systems = ["phantom"]
            place("unknown-reference", "plan.toml", 32, 12), // incident systems = ["nowhere"]
            place("schema", "plan.toml", 33, 1),             // unknown key severity
        ]
    );
    assert_eq!(found[0].subjects, vec!["ghost"]);
    assert_eq!(code, 1);
}
