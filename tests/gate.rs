//! `cutover gate`: the answer (open, open with warnings, closed) for each
//! kind of reason, with `until` asserted to the second; a window across a
//! DST change; a runway ending exactly at a window's end and one minute
//! past; a freeze reached through a depth-2 dependency path; `[rules]`
//! levels; loading errors and bad questions (exit 2); `--wait`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{AS_OF, cutover, fixture};
use serde_json::Value;

/// Runs `gate --format json` on `dir`; the exit status and the answer.
fn gate(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = cutover()
        .args(["gate", "--format", "json", "--as-of", AS_OF])
        .arg(dir)
        .args(args)
        .output()
        .expect("cutover runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let answer: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exited"), answer)
}

fn rules(answer: &Value) -> Vec<(String, String)> {
    answer["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(rule: &str, level: &str) -> (String, String) {
    (rule.to_string(), level.to_string())
}

/// Asserts state, exit status, `until` (RFC 3339 in Berlin time) and the
/// reasons' rules and levels.
fn expect(
    args: &[&str],
    state: &str,
    code: i32,
    until: Option<&str>,
    reasons: &[(&str, &str)],
) -> Value {
    let (got, answer) = gate(&fixture("gate"), args);
    assert_eq!(answer["state"], state, "{args:?}: {answer:#}");
    assert_eq!(got, code, "{args:?}: {answer:#}");
    assert_eq!(answer["until"].as_str(), until, "{args:?}: {answer:#}");
    let wanted: Vec<(String, String)> = reasons.iter().map(|(r, l)| pair(r, l)).collect();
    assert_eq!(rules(&answer), wanted, "{args:?}: {answer:#}");
    answer
}

#[test]
fn open_inside_the_window_until_the_latest_start_that_still_fits() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-06T03:00", "--for", "1h"],
        "open",
        0,
        Some("2026-12-06T05:00:00+01:00"),
        &[],
    );
    assert_eq!(answer["until_means"], "closes");
    assert_eq!(answer["at_utc"], "2026-12-06T02:00:00Z");
    assert_eq!(answer["runway"]["end"], "2026-12-06T04:00:00+01:00");
    assert_eq!(answer["asked"]["systems"], serde_json::json!(["db"]));
}

#[test]
fn outside_window_is_closed_until_the_window_opens() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-05T03:00", "--for", "1h"],
        "closed",
        1,
        Some("2026-12-06T01:00:00+01:00"),
        &[("outside-window", "error")],
    );
    assert_eq!(answer["until_means"], "opens");
    assert_eq!(answer["until_utc"], "2026-12-06T00:00:00Z");
    assert_eq!(answer["reasons"][0]["systems"], serde_json::json!(["db"]));
}

#[test]
fn a_runway_ending_exactly_at_the_window_end_is_open_and_one_minute_more_is_closed() {
    expect(
        &["--system", "etl", "--at", "2026-12-06T05:00", "--for", "1h"],
        "open",
        0,
        Some("2026-12-06T05:00:00+01:00"),
        &[],
    );
    expect(
        &["--system", "etl", "--at", "2026-12-06T05:01", "--for", "1h"],
        "closed",
        1,
        Some("2026-12-13T01:00:00+01:00"),
        &[("outside-window", "error")],
    );
}

#[test]
fn a_window_across_the_spring_dst_change_is_measured_in_exact_hours() {
    // Sunday 2026-03-29: the 5h window from 01:00 CET ends at 07:00 CEST
    // (clocks jump from 02:00 to 03:00), so a 5h runway fits exactly.
    let answer = expect(
        &["--system", "crm", "--at", "2026-03-29T01:00", "--for", "5h"],
        "open",
        0,
        Some("2026-03-29T01:00:00+01:00"),
        &[],
    );
    assert_eq!(answer["runway"]["end"], "2026-03-29T07:00:00+02:00");
    expect(
        &["--system", "crm", "--at", "2026-03-29T01:01", "--for", "5h"],
        "closed",
        1,
        Some("2026-04-05T01:00:00+02:00"),
        &[("outside-window", "error")],
    );
}

#[test]
fn a_window_across_the_autumn_dst_change_closes_by_exact_hours() {
    // Sunday 2026-10-25: 01:00 CEST + 5h is 05:00 CET (02:00-03:00 happens
    // twice). A 4h runway's latest start is the first 02:00 (CEST).
    expect(
        &["--system", "crm", "--at", "2026-10-25T01:00", "--for", "4h"],
        "open",
        0,
        Some("2026-10-25T02:00:00+02:00"),
        &[],
    );
    // 4h30m from 01:00 CEST ends at 04:30 CET: it fits, a nominal
    // "01:00-06:00" would say otherwise for 5h30m, which does not.
    expect(
        &[
            "--system",
            "crm",
            "--at",
            "2026-10-25T01:00",
            "--for",
            "5h30m",
        ],
        "closed",
        1,
        None,
        &[("outside-window", "error")],
    );
}

#[test]
fn an_instant_is_open_until_the_window_ends() {
    expect(
        &["--system", "lab", "--at", "2026-12-09T19:00"],
        "open",
        0,
        Some("2026-12-09T20:00:00+01:00"),
        &[],
    );
    expect(
        &["--system", "lab", "--at", "2026-12-09T20:00"],
        "closed",
        1,
        Some("2026-12-16T18:00:00+01:00"),
        &[("outside-window", "error")],
    );
}

#[test]
fn a_hard_freeze_reached_through_a_depth_two_path_closes_and_names_the_path() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-20T03:00", "--for", "1h"],
        "closed",
        1,
        Some("2026-12-27T01:00:00+01:00"),
        &[("freeze-conflict", "error")],
    );
    let reason = &answer["reasons"][0];
    assert_eq!(reason["period"], "portal-launch");
    assert_eq!(reason["systems"], serde_json::json!(["portal"]));
    assert_eq!(
        reason["paths"][0]["via"],
        serde_json::json!(["db", "app", "portal"])
    );
    assert_eq!(
        reason["paths"][0]["text"],
        "`portal` is frozen; your change impacts it via db → app → portal"
    );
    assert_eq!(
        reason["occurrences"][0]["start"],
        "2026-12-20T00:00:00+01:00"
    );
    assert_eq!(reason["occurrences"][0]["end_utc"], "2026-12-20T23:00:00Z");
    // The human form says it too.
    let output = cutover()
        .args(["gate", "--as-of", AS_OF])
        .arg(fixture("gate"))
        .args(["--system", "db", "--at", "2026-12-20T03:00", "--for", "1h"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("`portal` is frozen; your change impacts it via db → app → portal"),
        "{text}"
    );
    assert!(
        text.starts_with("closed: `db` at Sun 2026-12-20 03:00 CET (02:00 UTC)"),
        "{text}"
    );
    assert!(
        text.contains("closed until Sun 2026-12-27 01:00 CET (00:00 UTC)"),
        "{text}"
    );
}

#[test]
fn a_soft_freeze_is_open_with_warnings() {
    let answer = expect(
        &["--system", "app", "--at", "2027-01-03T02:00", "--for", "1h"],
        "open with warnings",
        0,
        Some("2027-01-03T05:00:00+01:00"),
        &[("freeze-conflict", "warning")],
    );
    assert_eq!(answer["reasons"][0]["period"], "app-audit");
}

#[test]
fn a_peak_on_an_impacted_system_is_open_with_warnings() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-06T04:30", "--for", "1h"],
        "open with warnings",
        0,
        Some("2026-12-06T05:00:00+01:00"),
        &[("peak-overlap", "warning")],
    );
    let reason = &answer["reasons"][0];
    assert_eq!(reason["period"], "brunch");
    assert_eq!(
        reason["occurrences"][0]["start"],
        "2026-12-06T05:00:00+01:00"
    );
    assert_eq!(
        reason["paths"][0]["text"],
        "`portal` is at a peak; your change impacts it via db → app → portal"
    );
}

#[test]
fn deny_warnings_fails_an_open_gate_with_warnings_and_looks_for_a_clean_start() {
    // Open with warnings at 04:30 (the brunch peak at 05:00); denied, it
    // passes next at the following window's start, clear of the batch run
    // at 02:00 and of CHG-1 from 02:00.
    let (code, answer) = gate(
        &fixture("gate"),
        &[
            "--system",
            "db",
            "--at",
            "2026-12-06T04:30",
            "--for",
            "1h",
            "--deny",
            "warnings",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(answer["state"], "open with warnings");
    assert_eq!(answer["passes"], false);
    assert_eq!(answer["until"], "2026-12-13T01:00:00+01:00");
}

#[test]
fn a_batch_run_of_an_integration_is_a_warning() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-06T02:00", "--for", "1h"],
        "open with warnings",
        0,
        Some("2026-12-06T05:00:00+01:00"),
        &[("batch-run-overlap", "warning")],
    );
    let reason = &answer["reasons"][0];
    assert_eq!(reason["integration"], "etl-db");
    assert_eq!(
        reason["occurrences"][0]["start"],
        "2026-12-06T02:00:00+01:00"
    );
    assert_eq!(reason["occurrences"][0]["end"], "2026-12-06T02:30:00+01:00");
}

#[test]
fn a_collision_with_another_change_closes_until_it_ends() {
    let answer = expect(
        &["--system", "db", "--at", "2026-12-13T01:30", "--for", "1h"],
        "closed",
        1,
        Some("2026-12-13T03:00:00+01:00"),
        &[
            ("batch-run-overlap", "warning"),
            ("change-collision", "error"),
        ],
    );
    let reason = &answer["reasons"][1];
    assert_eq!(reason["change"], "CHG-1");
    assert_eq!(
        reason["occurrences"][0]["start"],
        "2026-12-13T02:00:00+01:00"
    );
    assert_eq!(reason["occurrences"][0]["end"], "2026-12-13T03:00:00+01:00");
}

#[test]
fn a_blast_radius_overlap_is_a_warning_with_its_path() {
    let answer = expect(
        &["--system", "db", "--at", "2027-01-10T03:00", "--for", "1h"],
        "open with warnings",
        0,
        Some("2027-01-10T05:00:00+01:00"),
        &[("blast-radius-overlap", "warning")],
    );
    let reason = &answer["reasons"][0];
    assert_eq!(reason["change"], "CHG-2");
    assert_eq!(
        reason["paths"][0]["text"],
        "`CHG-2` changes `portal`; your change impacts it via db → app → portal"
    );
}

#[test]
fn a_rollback_past_the_window_is_a_warning_unless_rules_make_it_an_error() {
    let answer = expect(
        &[
            "--system",
            "etl",
            "--at",
            "2026-12-06T05:00",
            "--for",
            "30m",
            "--rollback",
            "1h",
        ],
        "open with warnings",
        0,
        Some("2026-12-06T05:30:00+01:00"),
        &[("rollback-exceeds-window", "warning")],
    );
    assert_eq!(answer["runway"]["end"], "2026-12-06T06:30:00+01:00");
    assert_eq!(answer["runway"]["phase_end"], "2026-12-06T05:30:00+01:00");
    assert_eq!(
        answer["reasons"][0]["occurrences"][0]["end"],
        "2026-12-06T06:00:00+01:00"
    );
    // The same inventory with [rules] rollback-exceeds-window = "error".
    let dir = copy_of_fixture("gate");
    let config = dir.path().join("cutover.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[rules]\nrollback-exceeds-window = \"error\"\n"),
    )
    .unwrap();
    let (code, answer) = gate(
        dir.path(),
        &[
            "--system",
            "etl",
            "--at",
            "2026-12-06T05:00",
            "--for",
            "30m",
            "--rollback",
            "1h",
        ],
    );
    assert_eq!((code, answer["state"].as_str()), (1, Some("closed")));
    assert_eq!(rules(&answer), [pair("rollback-exceeds-window", "error")]);
    // The next start with 30m + 1h inside the window: Sunday 01:00.
    assert_eq!(answer["until"], "2026-12-13T01:00:00+01:00");
}

#[test]
fn the_owner_of_a_change_double_booked_is_a_warning() {
    let answer = expect(
        &["--change", "CHG-3", "--at", "2026-12-13T02:00"],
        "open with warnings",
        0,
        Some("2026-12-13T05:00:00+01:00"),
        &[("owner-double-booked", "warning")],
    );
    assert_eq!(answer["asked"]["change"], "CHG-3");
    assert_eq!(answer["asked"]["phase"], "Fields");
    assert_eq!(answer["reasons"][0]["file"], "changes/chg-3.toml");
    assert_eq!(answer["reasons"][0]["line"], 14);
}

#[test]
fn phases_of_one_change_overlapping_close_the_gate_and_a_short_soak_warns() {
    expect(
        &[
            "--change",
            "CHG-4",
            "--phase",
            "Load",
            "--at",
            "2026-12-27T01:30",
        ],
        "closed",
        1,
        Some("2026-12-27T02:00:00+01:00"),
        &[("batch-run-overlap", "warning"), ("phase-overlap", "error")],
    );
    expect(
        &[
            "--change",
            "CHG-4",
            "--phase",
            "Load",
            "--at",
            "2026-12-27T02:30",
        ],
        "open with warnings",
        0,
        Some("2026-12-27T05:00:00+01:00"),
        &[("short-soak", "warning")],
    );
}

#[test]
fn a_change_without_phase_asks_about_the_phase_at_or_after_at() {
    let (_, answer) = gate(
        &fixture("gate"),
        &["--change", "CHG-4", "--at", "2026-12-27T01:30"],
    );
    assert_eq!(answer["asked"]["phase"], "Extract");
    let (_, answer) = gate(
        &fixture("gate"),
        &["--change", "CHG-4", "--at", "2026-12-27T02:10"],
    );
    assert_eq!(answer["asked"]["phase"], "Load");
    // Defaults: the phase's duration and the change's rollback time.
    assert_eq!(answer["runway"]["for"], "1h");
    assert_eq!(answer["runway"]["rollback"], "30m");
    let (_, answer) = gate(
        &fixture("gate"),
        &["--change", "CHG-4", "--at", "2027-02-01T00:00"],
    );
    assert_eq!(answer["asked"]["phase"], "Load");
}

#[test]
fn at_with_an_offset_is_an_instant() {
    let (_, local) = gate(
        &fixture("gate"),
        &["--system", "db", "--at", "2026-12-06T03:00", "--for", "1h"],
    );
    let (_, offset) = gate(
        &fixture("gate"),
        &[
            "--system",
            "db",
            "--at",
            "2026-12-06T02:00:00Z",
            "--for",
            "1h",
        ],
    );
    assert_eq!(local, offset);
}

#[test]
fn loading_errors_fail_closed_with_exit_2_and_the_located_errors() {
    let output = cutover()
        .args(["gate", "--as-of", AS_OF])
        .arg(fixture("duplicate-id"))
        .args(["--system", "db"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("error[duplicate-id]"), "{err}");
    assert!(err.contains("b.toml"), "{err}");
    assert!(
        err.contains("has loading errors; the gate cannot answer and fails closed"),
        "{err}"
    );
    let (code, answer) = gate(&fixture("duplicate-id"), &["--system", "db"]);
    assert_eq!(code, 2);
    assert_eq!(answer["state"], "unanswered");
    assert_eq!(answer["passes"], false);
    let first = &answer["diagnostics"][0];
    assert_eq!(first["rule"], "duplicate-id");
    assert!(first["line"].as_u64().unwrap() >= 1);
}

#[test]
fn unknown_names_and_bad_flags_are_exit_2() {
    let run = |args: &[&str]| {
        let output = cutover()
            .args(["gate", "--as-of", AS_OF])
            .arg(fixture("gate"))
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--system", "dbb"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no system has the id `dbb`; did you mean `db`?"),
        "{err}"
    );
    let (code, err) = run(&["--change", "CHG-9"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no change has the id `CHG-9`"), "{err}");
    let (code, err) = run(&["--change", "CHG-4", "--phase", "Transform"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("its phases are \"Extract\", \"Load\""),
        "{err}"
    );
    let (code, err) = run(&["--system", "db", "--at", "tomorrow"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--at `tomorrow` is not a datetime"), "{err}");
    let (code, err) = run(&["--system", "db", "--for", "90 minutes"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--for"), "{err}");
    let (code, err) = run(&["--tag", "nothing-has-it"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no system has the tag `nothing-has-it`"),
        "{err}"
    );
    let (code, _) = run(&["--system", "db", "--wait"]);
    assert_eq!(code, Some(2), "--wait needs --timeout");
}

#[test]
fn a_tag_asks_about_every_system_with_it() {
    let (_, answer) = gate(
        &fixture("gate"),
        &[
            "--tag",
            "customer-facing",
            "--at",
            "2026-12-06T03:00",
            "--for",
            "1h",
        ],
    );
    assert_eq!(answer["asked"]["systems"], serde_json::json!(["portal"]));
    assert_eq!(answer["state"], "open");
}

#[test]
fn github_format_annotates_each_reason_and_the_answer() {
    let output = cutover()
        .args(["gate", "--format", "github", "--as-of", AS_OF])
        .arg(fixture("gate"))
        .args(["--change", "CHG-3", "--at", "2026-12-13T02:00"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("::warning file="), "{text}");
    assert!(
        lines[0].contains("changes/chg-3.toml,line=14,col="),
        "{text}"
    );
    assert!(
        lines[0].contains("title=cutover gate owner-double-booked::"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(
            "::notice title=cutover gate%3A phase \"Fields\" of `CHG-3`::open with warnings at"
        ),
        "{text}"
    );
}

fn copy_of_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(fixture(name)) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(fixture(name)).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// An inventory with one system whose only window is one-off, from
/// `opens` (seconds from now) for an hour.
fn opening_in(seconds: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let opens = jiff::Timestamp::now().as_second() + seconds;
    let at = |s: i64| {
        jiff::Timestamp::from_second(s)
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    std::fs::write(
        dir.path().join("inv.toml"),
        format!(
            "[[team]]\nid = \"t\"\nname = \"T\"\n\
             [[system]]\nid = \"s\"\nname = \"S\"\nowner = \"t\"\ncriticality = \"low\"\n\
             [[window]]\nid = \"soon\"\nname = \"Soon\"\nfrom = {}\nuntil = {}\nsystems = [\"s\"]\n",
            at(opens),
            at(opens + 3600)
        ),
    )
    .unwrap();
    dir
}

#[test]
fn wait_sleeps_until_the_window_opens_then_answers_open() {
    let dir = opening_in(2);
    let started = Instant::now();
    let output = cutover()
        .args(["gate", "--format", "json"])
        .arg(dir.path())
        .args(["--system", "s", "--wait", "--timeout", "1m"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(err.contains("waiting until"), "{err}");
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["state"], "open");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn wait_gives_up_at_once_when_the_opening_is_after_the_timeout() {
    let dir = opening_in(3600);
    let started = Instant::now();
    let output = cutover()
        .args(["gate"])
        .arg(dir.path())
        .args(["--system", "s", "--wait", "--timeout", "1m"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("it does not pass before the timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

mod agreement {
    //! The gate answers from check's rules: for random inventories, a
    //! phase's gate at its planned start has exactly check's schedule
    //! findings on that phase; at a random instant, exactly those check
    //! reports once the phase is written there; and `until` is where that
    //! answer changes.

    use super::common::random_plan::{self, PlanSpec};
    use cutover::ask::gate::{State, answer};
    use cutover::ask::{Asked, Question};
    use cutover::base::{Family, Level, Subject};
    use cutover::check::{self, Checked};
    use jiff::civil::Date;
    use proptest::prelude::*;

    const AS_OF: Date = Date::constant(2026, 3, 10);

    type Said = Vec<(String, String, String)>;

    fn checked(plan: &PlanSpec) -> (tempfile::TempDir, Checked) {
        let dir = tempfile::tempdir().unwrap();
        plan.write(dir.path());
        let checked = check::check(dir.path(), AS_OF).unwrap();
        assert!(!checked.has_loading_errors(), "{:?}", checked.findings);
        (dir, checked)
    }

    /// check's schedule findings on phase `p` of change `c`.
    fn on_phase(checked: &Checked, c: usize, p: usize) -> Said {
        let mut said: Said = checked
            .findings
            .iter()
            .filter(|f| f.rule.family() == Family::Schedule)
            .filter(|f| {
                f.is_about(Subject::Phase {
                    change: c,
                    phase: p,
                })
            })
            .map(|f| {
                (
                    f.rule.name().to_string(),
                    f.level.name().to_string(),
                    f.message.clone(),
                )
            })
            .collect();
        said.sort();
        said
    }

    fn closed(said: &Said) -> bool {
        said.iter()
            .any(|(_, level, _)| level == Level::Error.name())
    }

    /// The gate's answer for phase `p` of change `c` at `at`.
    fn gate_said(checked: &Checked, c: usize, p: usize, at: i64) -> (State, Option<i64>, Said) {
        let asked = Asked {
            change: Some(format!("c{c}")),
            ..Asked::default()
        };
        let question = Question::new(checked, &asked, at).unwrap();
        let got = answer(&question, p, at, false);
        let mut said: Said = got
            .reasons
            .iter()
            .map(|r| {
                let f = &r.finding;
                (
                    f.rule.name().to_string(),
                    f.level.name().to_string(),
                    f.message.clone(),
                )
            })
            .collect();
        said.sort();
        (got.state, got.until, said)
    }

    /// check's findings on phase `p` of change `c` written at `at`.
    fn check_at(plan: &PlanSpec, c: usize, p: usize, at: i64) -> Said {
        let mut moved = plan.clone();
        moved.changes[c].phases[p].at = Some(at);
        let (_dir, checked) = checked(&moved);
        on_phase(&checked, c, p)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn the_gate_says_what_check_says(
            plan in random_plan::plan(),
            pick in any::<prop::sample::Index>(),
            minute in 0i64..(21 * 1440),
        ) {
            let (_dir, base) = checked(&plan);
            let active: Vec<usize> = (0..plan.changes.len()).filter(|&c| plan.changes[c].active).collect();
            prop_assume!(!active.is_empty());
            // Every phase at its planned start: the same findings.
            for &c in &active {
                for p in 0..plan.changes[c].phases.len() {
                    let at = base.facts.changes[c].phases[p].interval.start;
                    let (state, _, said) = gate_said(&base, c, p, at);
                    let expected = on_phase(&base, c, p);
                    prop_assert_eq!(&said, &expected, "c{} p{} at its start", c, p);
                    prop_assert_eq!(state == State::Closed, closed(&expected));
                }
            }
            // One phase at a random instant, and where its answer changes.
            let c = active[pick.index(active.len())];
            let p = pick.index(plan.changes[c].phases.len());
            // 2026-03-20T00:00:00Z, then whole minutes; every other case a
            // quarter hour into an occurrence of a window of the phase.
            let mut at = 1_773_964_800 + minute * 60;
            if minute % 2 == 0 {
                let cal = &base.facts.calendar;
                let system = base.facts.changes[c].phases[p].systems[0];
                let starts: Vec<i64> = cal
                    .windows_of(system)
                    .iter()
                    .flat_map(|&w| cal.occurrences(w).iter().map(|o| o.start))
                    .filter(|&s| s >= at)
                    .collect();
                if let Some(start) = starts.into_iter().min() {
                    at = start + (minute % 8) * 15 * 60;
                }
            }
            let (state, until, said) = gate_said(&base, c, p, at);
            let expected = check_at(&plan, c, p, at);
            prop_assert_eq!(&said, &expected, "c{} p{} at {}", c, p, at);
            let passes = state != State::Closed;
            if let Some(u) = until {
                prop_assert!(u >= at);
                let there = check_at(&plan, c, p, u);
                if passes {
                    // The latest start that passes, and one second later not.
                    prop_assert!(!closed(&there), "until {} should pass: {:?}", u, there);
                    prop_assert!(closed(&check_at(&plan, c, p, u + 1)), "after until {} should not pass", u);
                } else {
                    prop_assert!(!closed(&there), "until {} should open: {:?}", u, there);
                    if u - at > 1 {
                        let mid = at + (u - at) / 2;
                        prop_assert!(closed(&check_at(&plan, c, p, mid)), "still closed at {}", mid);
                        prop_assert!(closed(&check_at(&plan, c, p, u - 1)), "still closed at {}", u - 1);
                    }
                }
            }
        }
    }
}

/// A freeze at the end of a 30-step chain: the path is named by its changed
/// system, the count of systems left out and its last 9 steps, so an
/// answer stays bounded however deep the graph is.
#[test]
fn a_long_dependency_path_is_shown_bounded() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("[[team]]\nid = \"t\"\nname = \"T\"\n");
    for i in 0..=30 {
        write!(
            text,
            "[[system]]\nid = \"s{i}\"\nname = \"S{i}\"\nowner = \"t\"\ncriticality = \"low\"\n"
        )
        .unwrap();
    }
    for i in 0..30 {
        // s{i+1} consumes s{i}: a change of s0 impacts s30 in 30 steps.
        write!(
            text,
            "[[integration]]\nid = \"i{i}\"\nconsumer = \"s{}\"\nprovider = \"s{i}\"\n",
            i + 1
        )
        .unwrap();
    }
    text.push_str(
        "[[window]]\nid = \"always\"\nname = \"Always\"\nrrule = \"FREQ=DAILY\"\nstart = \"00:00\"\nduration = \"1d\"\n\
         [[freeze]]\nid = \"far\"\nname = \"Far\"\nfrom = 2026-12-20T00:00:00\nuntil = 2026-12-21T00:00:00\nsystems = [\"s30\"]\n",
    );
    std::fs::write(dir.path().join("inv.toml"), text).unwrap();
    let (code, answer) = gate(
        dir.path(),
        &["--system", "s0", "--at", "2026-12-20T03:00", "--for", "1h"],
    );
    assert_eq!(code, 1, "{answer}");
    let path = &answer["reasons"][0]["paths"][0];
    assert_eq!(path["system"], "s30");
    assert_eq!(path["hops"], 30);
    let via: Vec<&str> = path["via"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        via,
        [
            "s0", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30"
        ]
    );
    assert_eq!(
        path["text"],
        "`s30` is frozen; your change impacts it via s0 → … 20 more … → s21 → s22 → s23 → s24 → s25 → s26 → s27 → s28 → s29 → s30"
    );
}

/// Moving the earlier of two phases onto the later one closes the gate on
/// it, though check files `phase-overlap` at the later phase: the finding
/// is about both. Touching the later phase (no overlap) is only the short
/// soak, and at its planned start an hour apart it is open.
#[test]
fn the_earlier_phase_of_an_overlapping_pair_is_closed_too() {
    let ask = |at: &str| {
        vec![
            "--change".to_string(),
            "CHG-4".to_string(),
            "--phase".to_string(),
            "Extract".to_string(),
            "--at".to_string(),
            at.to_string(),
        ]
    };
    let args = ask("2026-12-27T02:30");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let answer = expect(
        &args,
        "closed",
        1,
        // Once past Load (03:00-04:00), only the short soak warns.
        Some("2026-12-27T04:00:00+01:00"),
        &[("phase-overlap", "error")],
    );
    assert!(
        answer["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("phase \"Load\""),
        "{answer:#}"
    );
    let args = ask("2026-12-27T02:00");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    expect(
        &args,
        "open with warnings",
        0,
        Some("2026-12-27T02:00:00+01:00"),
        &[("batch-run-overlap", "warning"), ("short-soak", "warning")],
    );
    // Planned, an hour before Load: open until it would overlap Load.
    let args = ask("2026-12-27T01:00");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    expect(&args, "open", 0, Some("2026-12-27T02:00:00+01:00"), &[]);
}

/// `short-notice` is about the first phase it measures, so the gate on
/// that phase reports it, and `[rules]` can make it close the gate.
#[test]
fn short_notice_reaches_the_gate_and_rules_can_make_it_close() {
    let dir = copy_of_fixture("gate");
    let file = dir.path().join("changes/chg-4.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("announced = 2026-11-20", "announced = 2026-12-24"),
    )
    .unwrap();
    let args = [
        "--change",
        "CHG-4",
        "--phase",
        "Extract",
        "--at",
        "2026-12-27T01:00",
    ];
    let (code, answer) = gate(dir.path(), &args);
    assert_eq!(code, 0, "{answer:#}");
    assert_eq!(answer["state"], "open with warnings", "{answer:#}");
    assert_eq!(rules(&answer), [pair("short-notice", "warning")]);
    // Near miss: the later phase is not measured by the notice.
    let (code, answer) = gate(
        dir.path(),
        &[
            "--change",
            "CHG-4",
            "--phase",
            "Load",
            "--at",
            "2026-12-27T03:00",
        ],
    );
    assert_eq!(
        (code, answer["state"].as_str()),
        (0, Some("open")),
        "{answer:#}"
    );
    let config = dir.path().join("cutover.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[rules]\nshort-notice = \"error\"\n");
    std::fs::write(&config, text).unwrap();
    let (code, answer) = gate(dir.path(), &args);
    assert_eq!(code, 1, "{answer:#}");
    assert_eq!(answer["state"], "closed", "{answer:#}");
    assert_eq!(rules(&answer), [pair("short-notice", "error")]);
}

/// `--at` outside the years the inventory accepts, or with an offset no
/// zone has, is exit 2 with what to write instead; +14:00 is fine.
#[test]
fn at_out_of_range_or_with_an_impossible_offset_is_exit_2() {
    let run = |at: &str| {
        let output = cutover()
            .args(["gate", "--as-of", AS_OF])
            .arg(fixture("gate"))
            .args(["--system", "db", "--for", "1h", "--at", at])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    for at in ["9999-12-31T23:00", "9999-12-30T12:00:00Z", "1899-12-31"] {
        let (code, err) = run(at);
        assert_eq!(code, Some(2), "{at}: {err}");
        assert!(err.contains("is out of range"), "{at}: {err}");
    }
    let (code, err) = run("2026-12-06T02:00:00+25:00");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("more than 14 hours from UTC"), "{err}");
    let (code, err) = run("2026-12-06T15:00:00+14:00");
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = run("2999-12-31T00:00");
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let (code, _) = {
        let output = cutover()
            .args(["gate", "--as-of", AS_OF])
            .arg(fixture("gate"))
            .args(["--system", "db", "--timeout", "1h"])
            .output()
            .unwrap();
        (output.status.code(), ())
    };
    assert_eq!(code, Some(2), "--timeout needs --wait");
}

/// Names from the inventory and values from the command line reach the
/// terminal with their escape sequences written out, in human and GitHub
/// output and in error messages.
#[test]
fn terminal_escapes_in_names_and_flags_are_written_out() {
    let dir = copy_of_fixture("gate");
    let file = dir.path().join("changes/chg-4.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "name = \"Extract\"",
            "name = \"Ex\\u001b]0;pwned\\u0007tract\"",
        )
        .replace(
            "title = \"ETL rewrite\"",
            "title = \"ETL \\u001b[2J rewrite\"",
        ),
    )
    .unwrap();
    for format in ["human", "github"] {
        let output = cutover()
            .args(["gate", "--format", format, "--as-of", AS_OF])
            .arg(dir.path())
            .args(["--change", "CHG-4", "--at", "2026-12-27T02:30"])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{format}: {out}"
        );
        assert!(!output.stdout.contains(&0x1b), "{format}: {out}");
        assert!(!output.stdout.contains(&0x07), "{format}: {out}");
        assert!(
            out.contains("Ex\\u{1b}]0;pwned\\u{7}tract"),
            "{format}: {out}"
        );
    }
    let output = cutover()
        .args(["slots", "--as-of", AS_OF, "--from", "2026-12-20"])
        .arg(dir.path())
        .args(["--change", "CHG-4"])
        .output()
        .unwrap();
    assert!(
        !output.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("\\u{1b}"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = cutover()
        .args(["gate", "--as-of", AS_OF])
        .arg(dir.path())
        .args(["--change", "CHG-4", "--phase", "x\u{1b}[2Jy"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!output.stderr.contains(&0x1b));
    assert!(String::from_utf8_lossy(&output.stderr).contains("x\\u{1b}[2Jy"));
}
