//! Findings of a review of `cutover check` against rules.md and
//! inventory.md: schedule semantics in other zones and across DST,
//! locations in CRLF and multi-byte files, determinism across file layouts,
//! and one regression test per defect found (ignored until fixed; each
//! `#[ignore]` names the bug).

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// A temporary inventory made of `files` (relative path, text).
fn world(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    dir
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// Teams `ops` and `dba`; systems `db` (owned by dba) and `app`.
const BASE: &str = r#"[[team]]
id = "ops"
name = "Ops"

[[team]]
id = "dba"
name = "DBA"

[[system]]
id = "db"
name = "Database"
owner = "dba"
criticality = "low"

[[system]]
id = "app"
name = "App"
owner = "ops"
criticality = "low"
"#;

const BERLIN: &str = "[site]\ntimezone = \"Europe/Berlin\"\n";

/// A change `id` of `ops` to `systems`, announced long ago, with one phase
/// per (start, duration) and `extra` TOML after the change's own keys.
fn change(id: &str, systems: &[&str], phases: &[(&str, &str)], extra: &str) -> String {
    let mut text = format!(
        "[[change]]\nid = \"{id}\"\ntitle = \"T\"\nowner = \"ops\"\nstatus = \"proposed\"\nsystems = {systems:?}\nsummary = \"s\"\nwhy = \"w\"\nannounced = 2026-01-01\n{extra}\n"
    );
    for (i, (start, duration)) in phases.iter().enumerate() {
        text.push_str(&format!(
            "[[change.phase]]\nname = \"P{}\"\nstart = {start}\nduration = \"{duration}\"\n",
            i + 1
        ));
    }
    text
}

/// Findings of `rule`, after asserting that the inventory loaded.
fn of_rule(dir: &Path, rule: &str) -> Vec<Found> {
    let (_, found) = findings(dir);
    let loading = [
        "syntax",
        "schema",
        "duplicate-id",
        "unknown-reference",
        "invalid-time",
        "invalid-schedule",
    ];
    let broken: Vec<_> = found
        .iter()
        .filter(|f| loading.contains(&f.rule.as_str()))
        .collect();
    assert!(broken.is_empty(), "the inventory must load: {broken:#?}");
    found.into_iter().filter(|f| f.rule == rule).collect()
}

/// A Sunday window at 02:00 for `duration` in `zone`, applying to db.
fn sunday_window(zone: &str, start: &str, duration: &str) -> String {
    format!(
        "[[window]]\nid = \"sunday\"\nname = \"Sunday\"\ntimezone = \"{zone}\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"{start}\"\nduration = \"{duration}\"\nsystems = [\"db\"]\n"
    )
}

// ---- schedule semantics ------------------------------------------------------

#[test]
fn a_new_york_window_in_the_spring_gap_starts_at_the_end_of_the_gap() {
    // 2026-03-08 02:00 does not exist in New York: RFC 5545 reads it with
    // the offset before the gap (-05:00), so the occurrence runs from
    // 07:00 to 09:00 UTC (03:00-05:00 EDT). The site zone is Berlin.
    let window = sunday_window("America/New_York", "02:00", "2h");
    for (start, fits) in [
        ("2026-03-08T07:00:00Z", true),
        ("2026-03-08T08:00:00+01:00", true), // Berlin local, written with its offset
        ("2026-03-08T06:59:00Z", false),
        ("2026-03-08T07:01:00Z", false),
    ] {
        let c = change("C1", &["db"], &[(start, "2h")], "");
        let w = world(&[
            ("cutover.toml", BERLIN),
            ("base.toml", BASE),
            ("w.toml", &window),
            ("c.toml", &c),
        ]);
        assert_eq!(
            of_rule(w.path(), "outside-window").is_empty(),
            fits,
            "phase at {start}"
        );
    }
}

#[test]
fn a_new_york_window_in_the_fall_back_fold_takes_the_earlier_instant() {
    // 2026-11-01 01:30 happens twice in New York: the earlier (EDT, 05:30 UTC).
    let window = sunday_window("America/New_York", "01:30", "1h");
    for (start, fits) in [
        ("2026-11-01T05:30:00Z", true),
        ("2026-11-01T01:30:00-04:00", true),
        ("2026-11-01T01:30:00-05:00", false), // the later 01:30
    ] {
        let c = change("C1", &["db"], &[(start, "1h")], "");
        let w = world(&[
            ("cutover.toml", BERLIN),
            ("base.toml", BASE),
            ("w.toml", &window),
            ("c.toml", &c),
        ]);
        assert_eq!(
            of_rule(w.path(), "outside-window").is_empty(),
            fits,
            "phase at {start}"
        );
    }
}

#[test]
fn a_change_zone_reads_its_local_phases_and_the_site_zone_reads_the_windows() {
    // Window: Sundays 02:00-04:00 Berlin (site zone) = 01:00-03:00 UTC.
    // The change is in New York: 2026-12-05T20:00 EST = 01:00 UTC Sunday.
    let window = "[[window]]\nid = \"sunday\"\nname = \"S\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"02:00\"\nduration = \"2h\"\n";
    let ny = "timezone = \"America/New_York\"";
    let fits = change("C1", &["db"], &[("2026-12-05T20:00:00", "2h")], ny);
    let w = world(&[
        ("cutover.toml", BERLIN),
        ("base.toml", BASE),
        ("w.toml", window),
        ("c.toml", &fits),
    ]);
    assert_eq!(of_rule(w.path(), "outside-window"), vec![]);
    // The same local time read in Berlin is Saturday evening: outside.
    let berlin = change("C1", &["db"], &[("2026-12-05T20:00:00", "2h")], "");
    let w = world(&[
        ("cutover.toml", BERLIN),
        ("base.toml", BASE),
        ("w.toml", window),
        ("c.toml", &berlin),
    ]);
    assert_eq!(of_rule(w.path(), "outside-window").len(), 1);
}

#[test]
fn a_daily_window_crossing_midnight_holds_a_phase_after_midnight_and_not_one_past_its_end() {
    let window = "[[window]]\nid = \"night\"\nname = \"N\"\nrrule = \"FREQ=DAILY\"\nstart = \"22:00\"\nduration = \"4h\"\n";
    for (start, duration, fits) in [
        ("2026-12-07T00:30:00", "90m", true), // ends 02:00, the window's end
        ("2026-12-06T22:00:00", "4h", true),
        ("2026-12-07T00:30:00", "91m", false),
        ("2026-12-06T21:59:00", "1h", false),
    ] {
        let c = change("C1", &["db"], &[(start, duration)], "");
        let w = world(&[
            ("cutover.toml", BERLIN),
            ("base.toml", BASE),
            ("w.toml", window),
            ("c.toml", &c),
        ]);
        assert_eq!(
            of_rule(w.path(), "outside-window").is_empty(),
            fits,
            "phase at {start} for {duration}"
        );
    }
}

#[test]
fn pair_findings_name_the_other_change_on_both_and_skip_inactive_ones() {
    let everywhere = "[[window]]\nid = \"any\"\nname = \"A\"\nrrule = \"FREQ=DAILY\"\nstart = \"00:00\"\nduration = \"1d\"\n";
    let a = change("A", &["db"], &[("2026-12-06T02:00:00", "2h")], "");
    let b = change("b", &["DB"], &[("2026-12-06T03:59:00", "1h")], "");
    let w = world(&[
        ("base.toml", BASE),
        ("w.toml", everywhere),
        ("a.toml", &a),
        ("b.toml", &b),
    ]);
    let found = of_rule(w.path(), "change-collision");
    let on: Vec<(Option<&str>, &str)> = found
        .iter()
        .map(|f| (f.change.as_deref(), f.subjects[0].as_str()))
        .collect();
    assert_eq!(on, vec![(Some("A"), "b"), (Some("b"), "A")]);
    for status in ["cancelled", "completed", "rolled-back"] {
        let b = b.replace("\"proposed\"", &format!("\"{status}\""));
        let w = world(&[
            ("base.toml", BASE),
            ("w.toml", everywhere),
            ("a.toml", &a),
            ("b.toml", &b),
        ]);
        assert_eq!(of_rule(w.path(), "change-collision"), vec![], "{status}");
    }
}

// ---- locations -----------------------------------------------------------------

/// An inventory with a loading problem on a line holding multi-byte text.
const LOADING_PROBLEMS: &str = "[[team]]\nid = \"ops\"\nname = \"Öps ✓\"\n\n[[system]]\nid = \"db\"\nname = \"Dätenbank\"\nowner = \"ops\"\ncriticality = \"low\"\nhealth = { notes = \"überprüft 🙂\", status = \"fine\" }\ncolour = \"grün\"\n";

/// 1-based character column of `needle` on 1-based `line` of `text`.
fn column_of(text: &str, line: usize, needle: &str) -> u64 {
    let l = text.lines().nth(line - 1).unwrap();
    let byte = l.find(needle).unwrap();
    l[..byte].chars().count() as u64 + 1
}

#[test]
fn columns_count_characters_and_crlf_does_not_move_them() {
    let text = LOADING_PROBLEMS;
    let expected = vec![
        place("schema", "a.toml", 10, column_of(text, 10, "\"fine\"")),
        place("schema", "a.toml", 11, 1),
    ];
    let line = text.lines().nth(9).unwrap();
    let bytes = line.find("\"fine\"").unwrap() as u64 + 1;
    assert!(expected[0].3 < bytes, "multi-byte text comes first");
    let lf = world(&[("a.toml", text)]);
    assert_eq!(places(&findings(lf.path()).1), expected);
    let crlf = world(&[("a.toml", &text.replace('\n', "\r\n"))]);
    assert_eq!(places(&findings(crlf.path()).1), expected);
}

#[test]
fn plan_findings_in_a_crlf_file_point_where_they_do_in_an_lf_file() {
    let c = change(
        "C1",
        &["db"],
        &[("2026-12-05T02:00:00", "1h"), ("2026-12-05T02:30:00", "1h")],
        "",
    );
    let lf = world(&[("base.toml", BASE), ("c.toml", &c)]);
    let crlf = world(&[
        ("base.toml", &BASE.replace('\n', "\r\n")),
        ("c.toml", &c.replace('\n', "\r\n")),
    ]);
    let (_, a) = findings(lf.path());
    let (_, b) = findings(crlf.path());
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]

fn a_byte_order_mark_does_not_shift_the_columns_of_the_first_line() {
    let w = world(&[("a.toml", "\u{feff}colour = 1\n")]);
    assert_eq!(
        places(&findings(w.path()).1),
        vec![place("schema", "a.toml", 1, 1)]
    );
}

// ---- determinism ---------------------------------------------------------------

/// "rule level message change subjects" of each finding, sorted: what
/// must not depend on how the inventory is split into files.
fn layout_free(found: &[Found]) -> Vec<String> {
    let mut keys: Vec<String> = found
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?} {:?} {:?}",
                f.rule, f.level, f.message, f.change, f.subjects
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn two_runs_print_the_same_bytes() {
    let example = example();
    for format in ["json", "human"] {
        let run = || {
            cutover()
                .args([
                    "check", "--as-of", AS_OF, "--color", "never", "--format", format,
                ])
                .arg(&example)
                .output()
                .unwrap()
                .stdout
        };
        assert_eq!(run(), run(), "{format}");
    }
}

#[test]
fn the_example_in_one_file_in_reverse_order_has_the_same_findings() {
    let example = example();
    let mut files: Vec<_> = walkdir::WalkDir::new(&example)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("cutover.toml"))
        .collect();
    files.sort();
    files.reverse();
    let mut all = String::new();
    for file in files {
        all.push_str(&fs::read_to_string(file).unwrap());
        all.push('\n');
    }
    let config = fs::read_to_string(example.join("cutover.toml")).unwrap();
    let merged = world(&[("cutover.toml", &config), ("everything.toml", &all)]);
    let (_, split) = findings(&example);
    let (_, one) = findings(merged.path());
    assert!(!split.is_empty());
    assert_eq!(layout_free(&split), layout_free(&one));
}

/// The same entities in two layouts whose file order differs: `first`
/// and `second` are written to `1.toml` and `2.toml`, then swapped.
fn both_orders(first: &str, second: &str, rest: &str) -> (Vec<Found>, Vec<Found>) {
    let one = world(&[("1.toml", first), ("2.toml", second), ("rest.toml", rest)]);
    let two = world(&[("1.toml", second), ("2.toml", first), ("rest.toml", rest)]);
    (findings(one.path()).1, findings(two.path()).1)
}

const ZETA: &str =
    "[[system]]\nid = \"zeta\"\nname = \"Z\"\nowner = \"ops\"\ncriticality = \"low\"\n";
const ALPHA: &str =
    "[[system]]\nid = \"alpha\"\nname = \"A\"\nowner = \"ops\"\ncriticality = \"low\"\n";
const OPS: &str = "[[team]]\nid = \"ops\"\nname = \"Ops\"\n";

#[test]

fn outside_window_subjects_do_not_depend_on_file_order() {
    let rest = format!(
        "{OPS}[[window]]\nid = \"sat\"\nname = \"S\"\nrrule = \"FREQ=WEEKLY;BYDAY=SA\"\nstart = \"00:00\"\nduration = \"1d\"\n{}",
        change(
            "C1",
            &["alpha", "zeta"],
            &[("2026-12-06T10:00:00", "1h")],
            ""
        )
    );
    let (a, b) = both_orders(ZETA, ALPHA, &rest);
    let subjects = |found: &[Found]| {
        found
            .iter()
            .find(|f| f.rule == "outside-window")
            .unwrap()
            .subjects
            .clone()
    };
    assert_eq!(subjects(&a), vec!["alpha", "zeta"]);
    assert_eq!(subjects(&b), vec!["alpha", "zeta"]);
}

#[test]

fn rollback_exceeds_window_names_the_same_window_whatever_the_file_order() {
    let window = |id: &str| {
        format!(
            "[[window]]\nid = \"{id}\"\nname = \"W\"\nrrule = \"FREQ=WEEKLY;BYDAY=SA\"\nstart = \"00:00\"\nduration = \"1d\"\n"
        )
    };
    let c = change(
        "C1",
        &["alpha"],
        &[("2026-12-05T23:00:00", "30m")],
        "[change.rollback]\nsteps = [\"undo\"]\ntime = \"2h\"",
    );
    let rest = format!("{OPS}{ALPHA}{c}");
    let (a, b) = both_orders(&window("w1"), &window("w2"), &rest);
    let named = |found: &[Found]| {
        found
            .iter()
            .find(|f| f.rule == "rollback-exceeds-window")
            .unwrap()
            .subjects
            .clone()
    };
    assert_eq!(named(&a), named(&b));
}

#[test]

fn integration_cycle_does_not_depend_on_file_order() {
    let rest = format!(
        "{OPS}[[integration]]\nid = \"i-az\"\nconsumer = \"alpha\"\nprovider = \"zeta\"\n[[integration]]\nid = \"i-za\"\nconsumer = \"zeta\"\nprovider = \"alpha\"\n"
    );
    let (a, b) = both_orders(ZETA, ALPHA, &rest);
    assert_eq!(places(&a), places(&b));
    assert_eq!(layout_free(&a), layout_free(&b));
}

// ---- defects -------------------------------------------------------------------

#[test]

fn batch_run_overlap_with_two_runs_is_not_hidden_by_an_unrelated_change() {
    // `self` runs 00:00-20:00 and 02:00-02:30 daily. C1 from 10:00 overlaps
    // the long run. C2 (another system) only widens the span expanded.
    let runs = "[[integration]]\nid = \"feed\"\nconsumer = \"app\"\nprovider = \"db\"\ncritical = false\nruns = [\n  { rrule = \"FREQ=DAILY\", start = \"00:00\", duration = \"20h\" },\n  { rrule = \"FREQ=DAILY\", start = \"02:00\", duration = \"30m\" },\n]\n";
    let c1 = change("C1", &["db"], &[("2026-12-06T10:00:00", "1h")], "");
    let alone = world(&[("base.toml", BASE), ("i.toml", runs), ("c1.toml", &c1)]);
    assert_eq!(of_rule(alone.path(), "batch-run-overlap").len(), 1);
    let c2 = "[[system]]\nid = \"other\"\nname = \"O\"\nowner = \"ops\"\ncriticality = \"low\"\n"
        .to_string()
        + &change("C2", &["other"], &[("2026-12-06T01:00:00", "1h")], "");
    let with_c2 = world(&[
        ("base.toml", BASE),
        ("i.toml", runs),
        ("c1.toml", &c1),
        ("c2.toml", &c2),
    ]);
    let found = of_rule(with_c2.path(), "batch-run-overlap");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].change.as_deref(), Some("C1"));
}

#[test]

fn batch_run_overlap_shows_the_run_in_its_own_zone() {
    let runs = "[[integration]]\nid = \"feed\"\nconsumer = \"app\"\nprovider = \"db\"\ncritical = false\nruns = [\n  { rrule = \"FREQ=DAILY\", start = \"12:00\", duration = \"30m\", timezone = \"Asia/Kathmandu\" },\n  { rrule = \"FREQ=DAILY\", start = \"02:00\", duration = \"30m\", timezone = \"America/New_York\" },\n]\n";
    let c = change("C1", &["db"], &[("2026-12-06T07:00:00Z", "1h")], "");
    let w = world(&[("base.toml", BASE), ("i.toml", runs), ("c.toml", &c)]);
    let found = of_rule(w.path(), "batch-run-overlap");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("02:00 EST"),
        "the New York run, as written: {}",
        found[0].message
    );
}

#[test]

fn a_freeze_until_the_end_of_9999_is_not_said_to_end_before_it_starts() {
    let freeze = "[[freeze]]\nid = \"forever\"\nname = \"Until further notice\"\nfrom = 2026-12-01T00:00:00\nuntil = 9999-12-31T23:59:59\n";
    let w = world(&[("base.toml", BASE), ("f.toml", freeze)]);
    let (_, found) = findings(w.path());
    assert!(
        found
            .iter()
            .all(|f| !f.message.contains("ends at or before its start")),
        "{found:#?}"
    );
}

#[test]

fn a_phase_start_past_the_last_instant_is_not_moved_to_year_minus_9999() {
    // 9999-12-31T23:00:00Z is an `invalid-time` (out of range); the same
    // instant written as local time must not quietly become another one.
    let c = change("C1", &["db"], &[("9999-12-31T23:00:00", "1h")], "");
    let w = world(&[("base.toml", BASE), ("c.toml", &c)]);
    let (_, found) = findings(w.path());
    assert!(
        found.iter().all(|f| !f.message.contains("-9999")),
        "{found:#?}"
    );
}

#[test]

fn a_phase_too_long_for_the_calendar_is_not_treated_as_empty() {
    // A daily one-day window cannot hold a 10000-day phase; near year 9999
    // the phase's end cannot even be represented, which is an error too.
    let window = "[[window]]\nid = \"day\"\nname = \"D\"\nrrule = \"FREQ=DAILY\"\nstart = \"00:00\"\nduration = \"1d\"\n";
    let c = change("C1", &["db"], &[("9999-12-25T00:00:00", "10000d")], "");
    let w = world(&[("base.toml", BASE), ("w.toml", window), ("c.toml", &c)]);
    let (_, found) = findings(w.path());
    assert!(found.iter().any(|f| f.level == "error"), "{found:#?}");
}

#[test]

fn backup_none_with_a_method_is_one_finding_at_the_method() {
    let c = change(
        "C1",
        &["db"],
        &[("2026-12-06T02:00:00", "1h")],
        "[change.backup]\nnone = \"stateless\"\nmethod = \"dump\"",
    );
    let w = world(&[("base.toml", BASE), ("c.toml", &c)]);
    let (_, found) = findings(w.path());
    let schema: Vec<_> = found.iter().filter(|f| f.rule == "schema").collect();
    assert_eq!(schema.len(), 1, "{schema:#?}");
    assert!(!schema[0].message.contains("unknown key"), "{schema:#?}");
    // The most specific place is the `method` key, not the [change.backup] header.
    let line = c.lines().position(|l| l.starts_with("method")).unwrap() as u64 + 1;
    assert_eq!((schema[0].line, schema[0].column), (line, 1));
}

#[test]

fn an_out_of_range_datetime_names_its_key_and_says_how_to_fix_it() {
    let c = change("C1", &["db"], &[("9999-12-31T23:59:59Z", "1h")], "");
    let w = world(&[("base.toml", BASE), ("c.toml", &c)]);
    let (_, document) = check_json(w.path(), &[]);
    let diagnostics = document["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["rule"], "invalid-time");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("`start`"), "{message}");
    assert!(!message.contains("Unix timestamp seconds"), "{message}");
    assert!(d["help"].is_string(), "{d:#?}");
}

#[test]

fn a_count_rule_from_year_one_does_not_slow_the_check_per_change() {
    // 100 changes more than a month apart make 100 spans; one freeze counts
    // days from year 1. A check of this size takes milliseconds without COUNT.
    let mut changes = String::new();
    for i in 0..100 {
        let day = jiff::civil::date(2026, 12, 6) + jiff::Span::new().days(i * 40);
        changes.push_str(&change(
            &format!("C{i}"),
            &["db"],
            &[(&format!("{day}T02:00:00"), "1h")],
            "",
        ));
    }
    let freeze = "[[freeze]]\nid = \"f\"\nname = \"F\"\nrrule = \"FREQ=DAILY;COUNT=4000000000\"\nfrom = 0001-01-01\nstart = \"05:00\"\nduration = \"1h\"\n";
    let w = world(&[
        ("base.toml", BASE),
        ("f.toml", freeze),
        ("c.toml", &changes),
    ]);
    let started = std::time::Instant::now();
    let checked = cutover::check::check(w.path(), jiff::civil::date(2026, 11, 24)).unwrap();
    assert!(!checked.findings.is_empty());
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
}
