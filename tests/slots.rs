//! `cutover slots`: slots for the example's change held by the holiday
//! freeze, a change whose slots skip the Black Friday peak, a change that
//! cannot fit (and why), the JSON form; and the property that every slot
//! proposed, written into the change, leaves `check` without an error on
//! it.

mod common;

use std::path::Path;

use common::{AS_OF, cutover, example, fixture};
use serde_json::Value;

fn slots(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = cutover()
        .args(["slots", "--format", "json", "--as-of", AS_OF])
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

fn copy_of(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// Writes each phase's `toml` line over the `start = ...` line it names.
fn paste(dir: &Path, slot: &Value) {
    for phase in slot["phases"].as_array().unwrap() {
        let path = dir.join(phase["file"].as_str().unwrap());
        let line = phase["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        assert!(
            lines[line - 1].trim_start().starts_with("start = "),
            "{}",
            lines[line - 1]
        );
        lines[line - 1] = phase["toml"].as_str().unwrap().to_string();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
}

fn errors_on(dir: &Path, change: &str) -> Vec<String> {
    let (_, document) = common::check_json(dir, &[]);
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["change"] == change && d["level"] == "error")
        .map(|d| format!("{}: {}", d["rule"], d["message"]))
        .collect()
}

#[test]
fn slots_for_the_change_in_the_holiday_freeze_leave_it_without_errors() {
    // CHG-2043 has two freeze-conflict errors as planned.
    assert_eq!(errors_on(&example(), "CHG-2043").len(), 2);
    let (code, answer) = slots(
        &example(),
        &["--change", "CHG-2043", "--from", "2026-11-24"],
    );
    assert_eq!(code, 0, "{answer:#}");
    let list = answer["slots"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(answer["why_none"], serde_json::json!([]));
    for slot in list {
        for phase in slot["phases"].as_array().unwrap() {
            let start = phase["start_utc"].as_str().unwrap();
            assert!(
                !("2026-12-20T23:00:00Z".."2027-01-03T23:00:00Z").contains(&start),
                "a slot in the holiday freeze: {slot:#}"
            );
        }
        let dir = copy_of(&example());
        paste(dir.path(), slot);
        assert_eq!(
            errors_on(dir.path(), "CHG-2043"),
            Vec::<String>::new(),
            "{slot:#}"
        );
    }
    // Ranked by warnings, then start: the best has none.
    assert_eq!(list[0]["warnings"], serde_json::json!([]));
    let first = &list[0]["phases"];
    assert_eq!(
        first[0]["name"],
        "Patch app server 2, back-office users only"
    );
    assert_eq!(first[0]["start"], "2027-01-24T03:00:00+01:00");
    assert_eq!(first[0]["start_utc"], "2027-01-24T02:00:00Z");
    assert_eq!(first[0]["end_utc"], "2027-01-24T03:00:00Z");
    assert_eq!(first[0]["window"], "sunday-early");
    assert_eq!(first[0]["toml"], "start = 2027-01-24T03:00:00+01:00");
    assert_eq!(first[0]["file"], "changes/chg-2043.toml");
    assert_eq!(first[1]["window"], "first-saturday");
    assert_eq!(
        first[1]["window_occurrence"]["start"],
        "2027-02-06T20:00:00+01:00"
    );
}

#[test]
fn slots_skip_the_black_friday_peak() {
    let (code, answer) = slots(
        &example(),
        &["--change", "CHG-2052", "--from", "2026-11-24"],
    );
    assert_eq!(code, 0);
    let starts: Vec<&str> = answer["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["phases"][0]["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-12-05T20:00:00+01:00",
            "2026-12-13T01:00:00+01:00",
            "2026-12-20T01:00:00+01:00",
            "2027-01-10T01:00:00+01:00",
            "2027-01-17T01:00:00+01:00",
        ]
    );
    for slot in answer["slots"].as_array().unwrap() {
        assert_eq!(slot["warnings"], serde_json::json!([]));
    }
    // The Sunday in the peak is there, ranked last, with its warning.
    let (_, all) = slots(
        &example(),
        &[
            "--change",
            "CHG-2052",
            "--from",
            "2026-11-24",
            "--count",
            "50",
        ],
    );
    let list = all["slots"].as_array().unwrap();
    let last = list.last().unwrap();
    assert_eq!(last["phases"][0]["start"], "2026-11-29T01:00:00+01:00");
    assert_eq!(last["warnings"][0]["rule"], "peak-overlap");
    assert!(
        last["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`black-friday`"),
        "{last:#}"
    );
    assert_eq!(all["found"], list.len());
}

#[test]
fn a_change_that_fits_no_window_says_why() {
    let (code, answer) = slots(
        &example(),
        &["--change", "CHG-2053", "--from", "2026-11-24"],
    );
    assert_eq!(code, 1);
    assert_eq!(answer["slots"], serde_json::json!([]));
    assert_eq!(
        answer["why_none"],
        serde_json::json!([
            "no window of `dwh` is long enough for 7h + 1h rollback (the longest, `sunday-early`, lasts 5h00m)"
        ])
    );
    let output = cutover()
        .args(["slots", "--as-of", AS_OF])
        .arg(example())
        .args(["--change", "CHG-2053", "--from", "2026-11-24"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("nothing fits:\n  - no window of `dwh` is long enough for 7h + 1h rollback"),
        "{text}"
    );
}

#[test]
fn when_every_window_is_frozen_it_says_so() {
    let (code, answer) = slots(
        &example(),
        &[
            "--change",
            "CHG-2043",
            "--from",
            "2026-12-21",
            "--horizon",
            "14d",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        answer["why_none"],
        serde_json::json!([
            "every window occurrence of `erp` long enough for 1h + 1h rollback between Mon 2026-12-21 and Mon 2027-01-04 (`first-saturday` on Sat 2027-01-02; `sunday-early` on Sun 2026-12-27, Sun 2027-01-03) is inside hard freeze `holiday-freeze` (until Mon 2027-01-04 00:00 CET (2027-01-03 23:00 UTC))"
        ])
    );
}

#[test]
fn slots_for_systems_not_yet_in_a_change() {
    let (code, answer) = slots(
        &fixture("gate"),
        &[
            "--system",
            "db",
            "--for",
            "1h",
            "--rollback",
            "30m",
            "--from",
            "2026-12-13T01:30",
            "--count",
            "3",
        ],
    );
    assert_eq!(code, 0, "{answer:#}");
    assert_eq!(answer["asked"]["systems"], serde_json::json!(["db"]));
    let list = answer["slots"].as_array().unwrap();
    // From 01:30 on 2026-12-13: CHG-1 changes db 02:00-03:00 and the batch
    // run is at 02:00; 03:00 is clear of both, with the rollback inside
    // the window.
    assert_eq!(list[0]["phases"][0]["start"], "2026-12-13T03:00:00+01:00");
    assert_eq!(list[0]["phases"][0]["window"], "sunday");
    assert_eq!(list[0]["warnings"], serde_json::json!([]));
    // The Sunday of the portal launch (a hard freeze through app) is
    // skipped; the one of the app audit (a soft freeze) ranks lower.
    assert_eq!(list[1]["phases"][0]["start"], "2026-12-27T01:00:00+01:00");
    assert_eq!(list[2]["phases"][0]["start"], "2027-01-10T01:00:00+01:00");
    for slot in list {
        assert!(
            !slot["phases"][0]["start"]
                .as_str()
                .unwrap()
                .starts_with("2026-12-20")
        );
    }
}

#[test]
fn systems_need_a_duration_and_bad_flags_are_exit_2() {
    let run = |args: &[&str]| {
        let output = cutover()
            .args(["slots", "--as-of", AS_OF])
            .arg(fixture("gate"))
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--system", "db"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--system and --tag need --for DURATION"),
        "{err}"
    );
    let (code, err) = run(&["--change", "CHG-1", "--horizon", "soon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--horizon"), "{err}");
    let (code, err) = run(&["--change", "CHG-1", "--count", "0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--count must be at least 1"), "{err}");
    let output = cutover()
        .args(["slots", "--as-of", AS_OF])
        .arg(fixture("duplicate-id"))
        .args(["--system", "x", "--for", "1h"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error[duplicate-id]"));
}

mod property {
    //! Every slot proposed for a random change, written into it, makes
    //! `check` report no error on the change; slots come ranked; and when
    //! none is proposed, there is a reason.

    use super::common::random_plan::{self, PlanSpec};
    use cutover::ask::slots::search;
    use cutover::ask::{Asked, Question};
    use cutover::base::Level;
    use cutover::check;
    use jiff::civil::Date;
    use proptest::prelude::*;

    const AS_OF: Date = Date::constant(2026, 3, 10);
    /// 2026-03-20T00:00:00Z.
    const FROM: i64 = 1_773_964_800;

    fn errors_on(plan: &PlanSpec, c: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        plan.write(dir.path());
        let checked = check::check(dir.path(), AS_OF).unwrap();
        let id = format!("c{c}");
        checked
            .findings
            .iter()
            .filter(|f| f.level == Level::Error && f.change.as_deref() == Some(id.as_str()))
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn every_slot_written_into_the_change_has_no_error(
            plan in random_plan::plan(),
            pick in any::<prop::sample::Index>(),
        ) {
            let active: Vec<usize> = (0..plan.changes.len()).filter(|&c| plan.changes[c].active).collect();
            prop_assume!(!active.is_empty());
            let c = active[pick.index(active.len())];
            let dir = tempfile::tempdir().unwrap();
            plan.write(dir.path());
            let checked = check::check(dir.path(), AS_OF).unwrap();
            let asked = Asked { change: Some(format!("c{c}")), ..Asked::default() };
            let question = Question::new(&checked, &asked, FROM).unwrap();
            let found = search(&question, FROM, FROM + 21 * 86_400, 3);
            prop_assert!(found.slots.len() <= 3);
            if found.slots.is_empty() {
                prop_assert!(!found.why_none.is_empty());
            }
            let ranks: Vec<(usize, i64)> = found
                .slots
                .iter()
                .map(|s| {
                    (
                        s.warnings.iter().filter(|f| f.level == Level::Warning).count(),
                        s.phases[0].interval.start,
                    )
                })
                .collect();
            let mut sorted = ranks.clone();
            sorted.sort();
            prop_assert_eq!(&ranks, &sorted);
            for slot in &found.slots {
                let mut moved = plan.clone();
                for placed in &slot.phases {
                    prop_assert!(placed.interval.start >= FROM);
                    moved.changes[c].phases[placed.phase].at = Some(placed.interval.start);
                }
                let errors = errors_on(&moved, c);
                prop_assert!(errors.is_empty(), "slot {:?}: {:?}", slot.phases, errors);
            }
        }
    }
}
