//! The time and schedule rules of rules.md: each one firing, and its near
//! miss staying quiet, on the world of `tests/fixtures/schedule-base/`
//! (Europe/Berlin; see that file for its systems, windows, freezes, peaks).

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// A temporary inventory: schedule-base plus `files`.
fn world(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["cutover.toml", "base.toml"] {
        fs::copy(fixture("schedule-base").join(name), dir.path().join(name)).unwrap();
    }
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// A change file: `id` owned by `owner`, status `status`, changing
/// `systems`, with phases (start, duration), and `extra` TOML appended.
fn change(
    id: &str,
    owner: &str,
    status: &str,
    systems: &[&str],
    phases: &[(&str, &str)],
    extra: &str,
) -> String {
    let mut text = format!(
        "[[change]]\nid = \"{id}\"\ntitle = \"Change {id}\"\nowner = \"{owner}\"\nstatus = \"{status}\"\nsystems = {systems:?}\nsummary = \"s\"\nwhy = \"w\"\n{extra}\n"
    );
    for (i, (start, duration)) in phases.iter().enumerate() {
        text.push_str(&format!(
            "\n[[change.phase]]\nname = \"P{}\"\nstart = {start}\nduration = \"{duration}\"\n",
            i + 1
        ));
    }
    text
}

fn one(dir: &Path, id: &str, phases: &[(&str, &str)], systems: &[&str]) -> tempfile::TempDir {
    let _ = dir;
    world(&[("c.toml", change(id, "ops", "proposed", systems, phases, ""))])
}

// ---- outside-window -------------------------------------------------------

#[test]
fn outside_window_fires_for_a_saturday_phase() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-05T02:00:00", "2h")],
        &["erp"],
    );
    let found = of_rule(w.path(), "outside-window");
    assert_eq!(
        places(&found),
        vec![place("outside-window", "c.toml", 13, 9)]
    );
    assert_eq!(found[0].change.as_deref(), Some("CHG-1"));
    assert_eq!(found[0].subjects, vec!["erp"]);
    assert_eq!(found[0].level, "error");
    assert!(
        found[0]
            .message
            .contains("Sat 2026-12-05 02:00 CET (01:00 UTC)"),
        "{}",
        found[0].message
    );
}

#[test]
fn outside_window_quiet_for_a_phase_filling_the_window_exactly() {
    // Sunday 01:00-06:00 is the whole window: half-open ends touch, it fits.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "5h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "5h1m")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

#[test]
fn outside_window_quiet_when_one_of_several_windows_holds_the_phase() {
    // Tuesday evening: not Sunday, but the wiki's internal-evenings window.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-08T20:30:00", "2h")],
        &["wiki"],
    );
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    // The same phase for the ERP has no window.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-08T20:30:00", "2h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

// ---- freeze-conflict --------------------------------------------------------

#[test]
fn freeze_conflict_reaches_impacted_systems_through_critical_integrations() {
    // db is changed; erp consumes db critically, and month-end applies to erp.
    // 2027-01-31 is a Sunday and the last day of January.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2027-01-31T02:00:00", "1h")],
        &["db"],
    );
    let found = of_rule(w.path(), "freeze-conflict");
    assert_eq!(
        places(&found),
        vec![place("freeze-conflict", "c.toml", 13, 9)]
    );
    assert_eq!(found[0].level, "error");
    assert_eq!(found[0].subjects, vec!["month-end", "erp"]);
    assert!(found[0].message.contains("finance closes the books"));
}

#[test]
fn freeze_conflict_quiet_across_a_non_critical_integration_and_at_touching_ends() {
    // crm-cutover applies to crm; crm uses erp only non-critically.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-13T01:00:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "freeze-conflict"), vec![]);
    // A change to crm itself from 02:00: the freeze ended at 02:00.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-13T02:00:00", "1h")],
        &["crm"],
    );
    assert_eq!(of_rule(w.path(), "freeze-conflict"), vec![]);
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-13T01:59:00", "1h")],
        &["crm"],
    );
    assert_eq!(of_rule(w.path(), "freeze-conflict").len(), 1);
}

#[test]
fn a_soft_freeze_is_a_warning() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2027-01-10T02:00:00", "1h")],
        &["wiki"],
    );
    let found = of_rule(w.path(), "freeze-conflict");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, "warning");
}

// ---- peak-overlap -------------------------------------------------------------

#[test]
fn peak_overlap_fires_in_business_hours_and_not_from_their_end() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-07T17:00:00", "2h")],
        &["webshop"],
    );
    let found = of_rule(w.path(), "peak-overlap");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, "warning");
    assert_eq!(found[0].subjects[0], "business-hours");
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-07T18:00:00", "2h")],
        &["webshop"],
    );
    assert_eq!(of_rule(w.path(), "peak-overlap"), vec![]);
}

#[test]
fn peak_overlap_quiet_for_a_system_outside_its_scope() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-07T10:00:00", "1h")],
        &["wiki"],
    );
    assert_eq!(of_rule(w.path(), "peak-overlap"), vec![]);
}

// ---- batch-run-overlap --------------------------------------------------------

#[test]
fn batch_run_overlap_fires_during_the_nightly_export_and_not_after_it() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:30:00", "1h")],
        &["erp"],
    );
    let found = of_rule(w.path(), "batch-run-overlap");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subjects, vec!["dwh-erp"]);
    // The run is 01:00-01:45; a phase from 01:45 touches it.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:45:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "batch-run-overlap"), vec![]);
}

// ---- pair rules -----------------------------------------------------------------

#[test]
fn change_collision_is_reported_on_both_changes() {
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "ops",
                "proposed",
                &["erp"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "dba",
                "approved",
                &["erp"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
    ]);
    let found = of_rule(w.path(), "change-collision");
    assert_eq!(
        places(&found),
        vec![
            place("change-collision", "a.toml", 13, 9),
            place("change-collision", "b.toml", 13, 9)
        ]
    );
    assert_eq!(found[0].change.as_deref(), Some("CHG-A"));
    assert_eq!(found[0].subjects, vec!["CHG-B", "erp"]);
    assert_eq!(found[1].subjects, vec!["CHG-A", "erp"]);
}

#[test]
fn change_collision_quiet_for_a_cancelled_change_and_for_touching_phases() {
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "ops",
                "proposed",
                &["erp"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "dba",
                "cancelled",
                &["erp"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
        (
            "c.toml",
            change(
                "CHG-C",
                "dba",
                "proposed",
                &["erp"],
                &[("2026-12-06T04:00:00", "1h")],
                "",
            ),
        ),
    ]);
    assert_eq!(of_rule(w.path(), "change-collision"), vec![]);
}

#[test]
fn blast_radius_overlap_when_one_changes_what_the_other_impacts() {
    // db's blast radius holds erp and webshop (critical chain).
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "dba",
                "proposed",
                &["db"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "ops",
                "proposed",
                &["webshop"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
    ]);
    let found = of_rule(w.path(), "blast-radius-overlap");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].subjects, vec!["CHG-B", "webshop"]);
    assert_eq!(found[1].subjects, vec!["CHG-A", "webshop"]);
    assert_eq!(of_rule(w.path(), "change-collision"), vec![]);
}

#[test]
fn blast_radius_overlap_quiet_across_a_non_critical_integration() {
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "dba",
                "proposed",
                &["erp"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "ops",
                "proposed",
                &["crm"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
    ]);
    assert_eq!(of_rule(w.path(), "blast-radius-overlap"), vec![]);
}

#[test]
fn owner_double_booked_for_one_team_and_not_for_two() {
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "ops",
                "proposed",
                &["wiki"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "ops",
                "proposed",
                &["crm"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
    ]);
    let found = of_rule(w.path(), "owner-double-booked");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].subjects, vec!["CHG-B", "ops"]);
    let w = world(&[
        (
            "a.toml",
            change(
                "CHG-A",
                "ops",
                "proposed",
                &["wiki"],
                &[("2026-12-06T02:00:00", "2h")],
                "",
            ),
        ),
        (
            "b.toml",
            change(
                "CHG-B",
                "dba",
                "proposed",
                &["crm"],
                &[("2026-12-06T03:00:00", "2h")],
                "",
            ),
        ),
    ]);
    assert_eq!(of_rule(w.path(), "owner-double-booked"), vec![]);
}

#[test]
fn phase_overlap_within_one_change_but_not_for_touching_phases() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "2h"), ("2026-12-06T02:00:00", "1h")],
        &["erp"],
    );
    let found = of_rule(w.path(), "phase-overlap");
    assert_eq!(
        places(&found),
        vec![place("phase-overlap", "c.toml", 18, 9)]
    );
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "2h"), ("2026-12-06T03:00:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "phase-overlap"), vec![]);
}

#[test]
fn short_soak_below_the_minimum_and_quiet_at_exactly_the_minimum() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "1h"), ("2026-12-06T02:30:00", "1h")],
        &["erp"],
    );
    let found = of_rule(w.path(), "short-soak");
    assert_eq!(places(&found), vec![place("short-soak", "c.toml", 18, 9)]);
    assert!(found[0].message.contains("0h30m"), "{}", found[0].message);
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T01:00:00", "1h"), ("2026-12-06T03:00:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "short-soak"), vec![]);
}

#[test]
fn rollback_exceeds_window_and_its_exact_fit() {
    let too_long = change(
        "CHG-1",
        "ops",
        "proposed",
        &["erp"],
        &[("2026-12-06T01:00:00", "4h")],
        "[change.rollback]\nsteps = [\"restore\"]\ntime = \"90m\"\n",
    );
    let w = world(&[("c.toml", too_long)]);
    let found = of_rule(w.path(), "rollback-exceeds-window");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subjects, vec!["sunday-early"]);
    let fits = change(
        "CHG-1",
        "ops",
        "proposed",
        &["erp"],
        &[("2026-12-06T01:00:00", "4h")],
        "[change.rollback]\nsteps = [\"restore\"]\ntime = \"1h\"\n",
    );
    let w = world(&[("c.toml", fits)]);
    assert_eq!(of_rule(w.path(), "rollback-exceeds-window"), vec![]);
}

#[test]
fn short_notice_counts_from_the_announcement() {
    let late = change(
        "CHG-1",
        "ops",
        "proposed",
        &["erp"],
        &[("2026-12-06T02:00:00", "1h")],
        "announced = 2026-12-03",
    );
    let w = world(&[("c.toml", late)]);
    let found = of_rule(w.path(), "short-notice");
    assert_eq!(places(&found), vec![place("short-notice", "c.toml", 9, 13)]);
    // Announced 2026-12-01: five days and two hours ahead.
    let early = change(
        "CHG-1",
        "ops",
        "proposed",
        &["erp"],
        &[("2026-12-06T02:00:00", "1h")],
        "announced = 2026-12-01",
    );
    let w = world(&[("c.toml", early)]);
    assert_eq!(of_rule(w.path(), "short-notice"), vec![]);
}

#[test]
fn short_notice_without_announcement_counts_from_the_as_of_date() {
    // As of 2026-11-24, a phase on 2026-11-29 is five days minus nothing: 5d 02:00 ahead.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-11-29T02:00:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "short-notice"), vec![]);
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-11-28T23:00:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "short-notice").len(), 1);
}

#[test]
fn stale_status_for_a_scheduled_change_in_the_past_only() {
    let past = change(
        "CHG-1",
        "ops",
        "scheduled",
        &["erp"],
        &[("2026-11-15T02:00:00", "1h")],
        "",
    );
    let w = world(&[("c.toml", past)]);
    let found = of_rule(w.path(), "stale-status");
    assert_eq!(places(&found), vec![place("stale-status", "c.toml", 5, 10)]);
    let done = change(
        "CHG-1",
        "ops",
        "completed",
        &["erp"],
        &[("2026-11-15T02:00:00", "1h")],
        "",
    );
    let w = world(&[("c.toml", done)]);
    assert_eq!(of_rule(w.path(), "stale-status"), vec![]);
}

// ---- time rules ---------------------------------------------------------------------

#[test]
fn a_start_in_the_spring_forward_gap_does_not_exist() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-03-29T02:30:00", "1h")],
        &["erp"],
    );
    let found = of_rule(w.path(), "nonexistent-local-time");
    assert_eq!(
        places(&found),
        vec![place("nonexistent-local-time", "c.toml", 13, 9)]
    );
    assert!(found[0].message.contains("03:30"), "{}", found[0].message);
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-03-29T03:30:00", "1h")],
        &["erp"],
    );
    assert_eq!(of_rule(w.path(), "nonexistent-local-time"), vec![]);
}

#[test]
fn a_start_in_the_fall_back_fold_is_ambiguous_unless_written_with_an_offset() {
    let ny = "timezone = \"America/New_York\"";
    let w = world(&[(
        "c.toml",
        change(
            "CHG-1",
            "ops",
            "proposed",
            &["erp"],
            &[("2026-11-01T01:30:00", "1h")],
            ny,
        ),
    )]);
    let found = of_rule(w.path(), "ambiguous-local-time");
    assert_eq!(
        places(&found),
        vec![place("ambiguous-local-time", "c.toml", 13, 9)]
    );
    assert_eq!(found[0].level, "warning");
    let w = world(&[(
        "c.toml",
        change(
            "CHG-1",
            "ops",
            "proposed",
            &["erp"],
            &[("2026-11-01T01:30:00-04:00", "1h")],
            ny,
        ),
    )]);
    assert_eq!(of_rule(w.path(), "ambiguous-local-time"), vec![]);
}

/// A window on one night only: 22:00 for 5h, from `date`, applying to db.
fn night_window(date: &str) -> String {
    format!(
        "[[window]]\nid = \"dst\"\nname = \"DST night\"\nfrom = {date}\nuntil = {date}\nrrule = \"FREQ=DAILY\"\nstart = \"22:00\"\nduration = \"5h\"\nsystems = [\"db\"]\n"
    )
}

#[test]
fn a_five_hour_window_across_spring_forward_ends_five_real_hours_later() {
    // Saturday 2026-03-28 22:00 CET + 5h = Sunday 04:00 CEST (clocks skip 02:00-03:00).
    // A phase from Sunday 00:00 for 3h ends 04:00 CEST: exactly the end.
    let fits = change(
        "CHG-1",
        "dba",
        "proposed",
        &["db"],
        &[("2026-03-29T00:00:00", "3h")],
        "",
    );
    let w = world(&[("w.toml", night_window("2026-03-28")), ("c.toml", fits)]);
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    let over = change(
        "CHG-1",
        "dba",
        "proposed",
        &["db"],
        &[("2026-03-29T00:00:00", "3h1m")],
        "",
    );
    let w = world(&[("w.toml", night_window("2026-03-28")), ("c.toml", over)]);
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

#[test]
fn a_five_hour_window_across_fall_back_ends_at_two_local() {
    // Saturday 2026-10-24 22:00 CEST + 5h = Sunday 02:00 CET (02:00-03:00 happens twice).
    let fits = change(
        "CHG-1",
        "dba",
        "proposed",
        &["db"],
        &[("2026-10-25T00:00:00", "3h")],
        "",
    );
    let w = world(&[("w.toml", night_window("2026-10-24")), ("c.toml", fits)]);
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    let over = change(
        "CHG-1",
        "dba",
        "proposed",
        &["db"],
        &[("2026-10-25T00:00:00", "3h1m")],
        "",
    );
    let w = world(&[("w.toml", night_window("2026-10-24")), ("c.toml", over)]);
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

#[test]
fn integration_cycle_of_critical_edges_and_none_through_a_non_critical_one() {
    let cycle = "[[integration]]\nid = \"db-webshop\"\nconsumer = \"db\"\nprovider = \"webshop\"\n";
    let w = world(&[("i.toml", cycle.to_string())]);
    let found = of_rule(w.path(), "integration-cycle");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("db -> webshop -> erp -> db"),
        "{}",
        found[0].message
    );
    let broken = format!("{cycle}critical = false\n");
    let w = world(&[("i.toml", broken)]);
    assert_eq!(of_rule(w.path(), "integration-cycle"), vec![]);
}

#[test]
fn rule_levels_follow_the_rules_table_of_cutover_toml() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-07T17:00:00", "2h")],
        &["webshop"],
    );
    let config = fs::read_to_string(w.path().join("cutover.toml")).unwrap();
    fs::write(
        w.path().join("cutover.toml"),
        format!("{config}\n[rules]\npeak-overlap = \"error\"\noutside-window = \"off\"\n"),
    )
    .unwrap();
    let (_, found) = findings(w.path());
    assert!(found.iter().all(|f| f.rule != "outside-window"));
    assert_eq!(
        found
            .iter()
            .find(|f| f.rule == "peak-overlap")
            .unwrap()
            .level,
        "error"
    );
}

#[test]
fn json_lists_the_impacted_systems_processes_and_audiences() {
    let w = one(
        Path::new(""),
        "CHG-1",
        &[("2026-12-06T02:00:00", "1h")],
        &["db"],
    );
    let (_, document) = check_json(w.path(), &[]);
    let impacted = &document["changes"][0]["impacted"];
    assert_eq!(
        impacted["systems"],
        serde_json::json!(["db", "erp", "webshop"])
    );
    assert_eq!(impacted["processes"], serde_json::json!(["order-to-cash"]));
    assert_eq!(impacted["audiences"], serde_json::json!([]));
}

#[test]
fn a_window_crossing_midnight_and_the_month_end_holds_a_phase_on_the_first() {
    // The last day of each month, 22:00 for 5h: 2027-01-31 22:00 to 2027-02-01 03:00.
    let window = "[[window]]\nid = \"month-turn\"\nname = \"Month turn\"\nrrule = \"FREQ=MONTHLY;BYMONTHDAY=-1\"\nstart = \"22:00\"\nduration = \"5h\"\nsystems = [\"wiki\"]\n";
    let fits = change(
        "CHG-1",
        "ops",
        "proposed",
        &["wiki"],
        &[("2027-02-01T01:00:00", "2h")],
        "",
    );
    let w = world(&[("w.toml", window.to_string()), ("c.toml", fits)]);
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    let over = change(
        "CHG-1",
        "ops",
        "proposed",
        &["wiki"],
        &[("2027-02-01T02:30:00", "1h")],
        "",
    );
    let w = world(&[("w.toml", window.to_string()), ("c.toml", over)]);
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
    // February 2028 (leap year) ends on the 29th: the window opens then.
    let leap = change(
        "CHG-1",
        "ops",
        "proposed",
        &["wiki"],
        &[("2028-02-29T23:00:00", "1h")],
        "",
    );
    let w = world(&[("w.toml", window.to_string()), ("c.toml", leap)]);
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    let not_last = change(
        "CHG-1",
        "ops",
        "proposed",
        &["wiki"],
        &[("2028-02-28T23:00:00", "1h")],
        "",
    );
    let w = world(&[("w.toml", window.to_string()), ("c.toml", not_last)]);
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

#[test]
fn the_example_inventory_shows_its_planned_findings_and_none_on_the_exemplary_change() {
    let inventory = example();
    let (_, found) = findings(&inventory);
    let on = |change: &str, rule: &str| {
        found
            .iter()
            .filter(|f| f.change.as_deref() == Some(change) && f.rule == rule)
            .count()
    };
    assert!(
        found
            .iter()
            .all(|f| f.change.as_deref() != Some("CHG-2041")),
        "the exemplary change has findings"
    );
    assert_eq!(on("CHG-2043", "freeze-conflict"), 2);
    assert_eq!(on("CHG-2044", "freeze-conflict"), 1);
    assert_eq!(on("CHG-2045", "peak-overlap"), 1);
    assert_eq!(on("CHG-2046", "change-collision"), 2);
    assert_eq!(on("CHG-2047", "change-collision"), 2);
    assert_eq!(on("CHG-2051", "short-notice"), 1);
    // History and cancelled changes never get plan findings.
    for quiet in ["CHG-2031", "CHG-2036", "CHG-2039"] {
        assert!(
            found.iter().all(|f| f.change.as_deref() != Some(quiet)),
            "{quiet}"
        );
    }
}

#[test]
fn short_soak_counts_from_the_phase_that_ends_last() {
    // P2 is nested in P1 (a phase-overlap); P3 starts 30 minutes after P1 ends.
    let w = one(
        Path::new(""),
        "CHG-1",
        &[
            ("2026-12-06T01:00:00", "4h"),
            ("2026-12-06T01:30:00", "30m"),
            ("2026-12-06T05:30:00", "30m"),
        ],
        &["erp"],
    );
    let found = of_rule(w.path(), "short-soak");
    assert_eq!(places(&found), vec![place("short-soak", "c.toml", 23, 9)]);
    assert!(
        found[0].message.contains("after phase \"P1\" ends"),
        "{}",
        found[0].message
    );
}

/// A world of `db` and twelve systems `w01`..`w12` that use it, written in
/// id order or in reverse, with a freeze over everything, a freeze over
/// the twelve and one change to `db` during both.
fn consumers_world(in_id_order: bool) -> tempfile::TempDir {
    let mut ids: Vec<String> = std::iter::once("db".to_string())
        .chain((1..=12).map(|n| format!("w{n:02}")))
        .collect();
    if !in_id_order {
        ids.reverse();
    }
    let mut text = String::from("[[team]]\nid = \"ops\"\nname = \"Operations\"\n");
    for id in &ids {
        text.push_str(&format!(
            "\n[[system]]\nid = \"{id}\"\nname = \"System {id}\"\nowner = \"ops\"\ncriticality = \"low\"\n"
        ));
    }
    for id in ids.iter().filter(|id| id.starts_with('w')) {
        text.push_str(&format!(
            "\n[[integration]]\nid = \"{id}-db\"\nconsumer = \"{id}\"\nprovider = \"db\"\n"
        ));
    }
    let scoped: Vec<&String> = ids.iter().filter(|id| id.starts_with('w')).collect();
    text.push_str(&format!(
        "\n[[freeze]]\nid = \"all\"\nname = \"Everything\"\nfrom = 2027-01-10T00:00:00\nuntil = 2027-01-11T00:00:00\n\n[[freeze]]\nid = \"some\"\nname = \"The users of db\"\nfrom = 2027-01-10T00:00:00\nuntil = 2027-01-11T00:00:00\nsystems = {scoped:?}\n"
    ));
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        fixture("schedule-base").join("cutover.toml"),
        dir.path().join("cutover.toml"),
    )
    .unwrap();
    fs::write(dir.path().join("a.toml"), text).unwrap();
    let change = change(
        "CHG-1",
        "ops",
        "proposed",
        &["db"],
        &[("2027-01-10T02:00:00", "1h")],
        "",
    );
    fs::write(dir.path().join("c.toml"), change).unwrap();
    dir
}

#[test]
fn a_freeze_over_many_impacted_systems_names_the_first_ten_by_id_in_any_written_order() {
    // The systems in id order take the short way (the first members of
    // the impact), in reverse order the long one (all of them, ranked):
    // the findings are the same.
    let mut seen = Vec::new();
    for in_id_order in [true, false] {
        let w = consumers_world(in_id_order);
        let mut found = of_rule(w.path(), "freeze-conflict");
        found.sort_by(|a, b| a.subjects.cmp(&b.subjects));
        assert_eq!(found.len(), 2, "{found:#?}");
        let ids = |names: &[&str]| -> Vec<String> { names.iter().map(|s| s.to_string()).collect() };
        let mut all = ids(&["all", "db"]);
        all.extend((1..=9).map(|n| format!("w{n:02}")));
        assert_eq!(found[0].subjects, all);
        assert!(
            found[0].message.ends_with("`w08`, `w09` and 3 more"),
            "{}",
            found[0].message
        );
        let mut some = ids(&["some"]);
        some.extend((1..=10).map(|n| format!("w{n:02}")));
        assert_eq!(found[1].subjects, some);
        assert!(
            found[1].message.ends_with("impacted `w01`, `w02`, `w03`, `w04`, `w05`, `w06`, `w07`, `w08`, `w09`, `w10` and 2 more"),
            "{}",
            found[1].message
        );
        seen.push(found.into_iter().map(|f| f.message).collect::<Vec<_>>());
    }
    assert_eq!(seen[0], seen[1]);
}
