//! Robustness of `cutover::check::check`: whatever is in the inventory
//! folder (random bytes, TOML-ish token soup, or random but structurally
//! plausible inventories with extreme dates, durations, RRULEs, zones, odd
//! ids, CRLF, tabs, a BOM and unicode), a check returns instead of
//! panicking or hanging, every finding points inside its file, and two runs
//! of one inventory give the same findings.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cutover::check::{Checked, check};
use jiff::civil::Date;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const AS_OF: Date = Date::constant(2026, 11, 24);

/// How long one check may take before it counts as a hang (a debug build
/// on a slow machine; the inventories here are small).
const HANG: Duration = Duration::from_secs(30);

/// Runs the check on another thread, so that a panic is reported with the
/// inventory that caused it and a hang fails instead of blocking the run.
fn check_in_time(dir: &Path) -> Result<Checked, String> {
    let (tx, rx) = mpsc::channel();
    let root = dir.to_path_buf();
    let worker = std::thread::spawn(move || {
        let result = check(&root, AS_OF).map_err(|e| e.0);
        let _ = tx.send(result);
    });
    match rx.recv_timeout(HANG) {
        Ok(result) => {
            let _ = worker.join();
            result
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("check took over {HANG:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker
                .join()
                .expect_err("the worker ended without a result");
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            Err(format!("check panicked: {text}"))
        }
    }
}

/// What a check said, in a form that compares across runs.
fn summary(checked: &Checked) -> Vec<String> {
    checked
        .findings
        .iter()
        .map(|f| {
            let file = checked.sources.get(f.loc.file);
            let (line, column) = file.line_column(f.loc.span.start);
            format!(
                "{}:{line}:{column} {} {} {:?} {:?} {:?} {:?}",
                file.path,
                f.rule.name(),
                f.level.name(),
                f.message,
                f.change,
                f.subjects,
                f.help
            )
        })
        .collect()
}

/// Writes `files` to a fresh folder, checks it twice and asserts what every
/// check must satisfy.
fn assert_robust(files: &[(String, Vec<u8>)]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let first = check_in_time(dir.path()).map_err(TestCaseError::fail)?;
    for f in &first.findings {
        let file = first.sources.get(f.loc.file);
        prop_assert!(
            f.loc.span.start <= f.loc.span.end && f.loc.span.end <= file.text.len(),
            "a finding points outside {}: {:?} ({} bytes): {}",
            file.path,
            f.loc.span,
            file.text.len(),
            f.message
        );
        prop_assert!(!f.message.trim().is_empty(), "an empty message: {f:?}");
    }
    // The human renderer must not panic on any span either.
    let _ = cutover::report::human::render(&first.findings, &first.sources, false);
    let second = check_in_time(dir.path()).map_err(TestCaseError::fail)?;
    prop_assert_eq!(summary(&first), summary(&second));
    Ok(())
}

// ---- random bytes and token soup -------------------------------------------

/// Pieces of TOML, valid and not, joined at random.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[[system]]\n".to_string()),
        Just("[[change]]\n".to_string()),
        Just("[[change.phase]]\n".to_string()),
        Just("[[window]]\n".to_string()),
        Just("[[integration]]\n".to_string()),
        Just("[site]\n".to_string()),
        Just("[a.b.c.d.e.f]\n".to_string()),
        Just("id = \"x\"\n".to_string()),
        Just("id = \"X\"\n".to_string()),
        Just("start = 2026-03-29T02:30:00\n".to_string()),
        Just("duration = \"10000d\"\n".to_string()),
        Just("rrule = \"FREQ=DAILY;COUNT=99999\"\n".to_string()),
        Just("systems = []\n".to_string()),
        Just("x = [[[[[[[[[[1]]]]]]]]]]\n".to_string()),
        Just("x = {a = {b = {c = {d = {}}}}}\n".to_string()),
        Just("x = 9223372036854775807\n".to_string()),
        Just("x = 99999999999999999999999\n".to_string()),
        Just("x = 0001-01-01\n".to_string()),
        Just("x = 9999-12-31T23:59:59.999999999-23:59\n".to_string()),
        Just("x = \"\\u00e9\u{1F600}\"\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\"".to_string()),
        Just("'''".to_string()),
        Just("=".to_string()),
        Just("# comment\n".to_string()),
        "[a-zA-Z0-9_ .=\\[\\]\"\n-]{0,12}",
    ]
}

/// Tables nested `depth` deep, as headers or inline.
fn deep(depth: usize, inline: bool) -> String {
    if inline {
        format!("x = {}1{}\n", "{a = ".repeat(depth), "}".repeat(depth))
    } else {
        let keys: Vec<String> = (0..depth).map(|i| format!("k{i}")).collect();
        format!("[{}]\nx = 1\n", keys.join("."))
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        config in any::<bool>(),
    ) {
        let name = if config { "cutover.toml" } else { "a.toml" };
        assert_robust(&[(name.to_string(), bytes)])?;
    }

    #[test]
    fn token_soup_never_panics(
        tokens in prop::collection::vec(token(), 0..60),
        config in any::<bool>(),
    ) {
        let name = if config { "cutover.toml" } else { "sub/a.toml" };
        assert_robust(&[(name.to_string(), tokens.concat().into_bytes())])?;
    }
}

#[test]
fn deeply_nested_tables_and_arrays_never_panic() {
    for depth in [10, 100, 1000] {
        for inline in [false, true] {
            assert_robust(&[("a.toml".into(), deep(depth, inline).into_bytes())]).unwrap();
        }
        let array = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        assert_robust(&[("a.toml".into(), array.into_bytes())]).unwrap();
    }
}

// ---- structurally plausible inventories ------------------------------------

/// One of `valid`, or now and then (unless `valid_only`) one of `invalid`.
fn pick(
    valid: &'static [&'static str],
    invalid: &'static [&'static str],
    valid_only: bool,
) -> BoxedStrategy<String> {
    let good = prop::sample::select(valid).prop_map(str::to_string);
    if valid_only || invalid.is_empty() {
        good.boxed()
    } else {
        prop_oneof![
            6 => good,
            1 => prop::sample::select(invalid).prop_map(str::to_string),
        ]
        .boxed()
    }
}

/// Every system id of the world, always defined.
const SYSTEMS: &[&str] = &["db", "erp", "wms", "a.b_c-d", "X9"];
/// References to them, in any case.
const SYSTEM_REFS: &[&str] = &["db", "DB", "erp", "Erp", "wms", "a.b_c-d", "x9", "X9"];
const TEAMS: &[&str] = &["ops", "OPS", "dba"];
const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "Europe/Berlin",
    "America/New_York",
    "America/New_York",
    "Australia/Lord_Howe",
    "Antarctica/Troll",
    "Pacific/Apia",
    "Asia/Kathmandu",
    "europe/berlin",
];
const BAD_ZONES: &[&str] = &["Mars/Olympus", "", "+01:00"];
const DATES: &[&str] = &[
    "2026-03-08",
    "2026-03-29",
    "2026-10-25",
    "2026-11-01",
    "2026-11-24",
    "2026-12-06",
    "2026-12-31",
    "2027-02-28",
    "2028-02-29",
];
const FAR_DATES: &[&str] = &[
    "0000-01-01",
    "0001-01-01",
    "1970-01-01",
    "9999-12-25",
    "9999-12-31",
];
const TIMES: &[&str] = &[
    "00:00:00",
    "01:30:00",
    "02:00:00",
    "02:30:00",
    "03:00:00",
    "23:59:59",
    "12:00:00.5",
];
const OFFSETS: &[&str] = &["", "", "", "", "Z", "+14:00", "-12:00", "+05:45", "-23:59"];
const DURATIONS: &[&str] = &[
    "1h",
    "1h",
    "90m",
    "1h30m",
    "1d",
    "2w",
    "3d",
    "1d23h59m",
    "10000d",
    "1428w",
    "14400000m",
];
const BAD_DURATIONS: &[&str] = &["0m", "0d", "10001d", "", "2H", "1.5h", "-1h", "1w1w"];
const TIMES_OF_DAY: &[&str] = &["00:00", "02:00", "02:30", "22:00", "23:59", "12:00:30"];
const BAD_TIMES_OF_DAY: &[&str] = &["24:00", "2:00", "x"];
const RRULES: &[&str] = &[
    "FREQ=DAILY",
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=SU",
    "FREQ=WEEKLY;BYDAY=SA,SU;WKST=SU",
    "FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1",
    "FREQ=MONTHLY;BYDAY=1SU",
    "FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYDAY=53MO",
    "FREQ=DAILY;COUNT=4294967295",
    "FREQ=DAILY;COUNT=3",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    "FREQ=DAILY;INTERVAL=4294967295",
    "FREQ=DAILY;UNTIL=99991231",
    "FREQ=DAILY;UNTIL=20270101T000000Z",
    "FREQ=DAILY;UNTIL=00010101T000000",
    "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
    "RRULE:freq=weekly;byday=mo",
    "FREQ=WEEKLY",
    "FREQ=MONTHLY",
    "FREQ=YEARLY",
];
const BAD_RRULES: &[&str] = &[
    "FREQ=HOURLY",
    "FREQ=DAILY;BYHOUR=2",
    "FREQ=DAILY;;",
    "",
    "FREQ=DAILY;UNTIL=99991231T235959Z",
    "FREQ=DAILY;COUNT=2;UNTIL=20270101",
];
/// Names, written as TOML basic-string contents.
const TEXTS: &[&str] = &[
    "plain",
    "\u{fc}n\u{ef}c\u{f6}d\u{e9} \u{2713} \u{65e5}\u{672c} \u{1f642}",
    "tab\\there",
    "",
    "a\\\"quote",
];
const STATUSES: &[&str] = &[
    "draft",
    "proposed",
    "approved",
    "scheduled",
    "in-progress",
    "completed",
    "rolled-back",
    "cancelled",
];

/// An optional piece: present three times in four.
fn maybe(piece: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    prop_oneof![1 => Just(String::new()), 3 => piece].boxed()
}

fn date(v: bool) -> BoxedStrategy<String> {
    let broken = if v { "2026-12-06" } else { "2026-02-30" };
    prop_oneof![
        6 => pick(DATES, &[], true),
        1 => pick(FAR_DATES, &[], true),
        1 => Just(broken.to_string()),
    ]
    .boxed()
}

fn datetime(v: bool) -> BoxedStrategy<String> {
    (date(v), pick(TIMES, &[], true), pick(OFFSETS, &[], true))
        .prop_map(|(d, t, o)| format!("{d}T{t}{o}"))
        .boxed()
}

fn zone_line(v: bool) -> BoxedStrategy<String> {
    maybe(pick(ZONES, BAD_ZONES, v).prop_map(|z| format!("timezone = \"{z}\"\n")))
}

/// A list of system references, possibly empty.
fn system_refs(v: bool) -> BoxedStrategy<String> {
    prop::collection::vec(pick(SYSTEM_REFS, &["nope", "n/a"], v), 0..4)
        .prop_map(|ids| format!("{ids:?}"))
        .boxed()
}

fn system(id: &'static str, v: bool) -> BoxedStrategy<String> {
    (
        pick(TEXTS, &[], true),
        pick(TEAMS, &["nobody"], v),
        pick(&["low", "medium", "high", "critical"], &["hgh"], v),
        any::<bool>(),
        maybe(pick(&["internal", "edge"], &[], true).prop_map(|t| format!("tags = [\"{t}\"]\n"))),
        maybe(
            (
                pick(&["healthy", "degraded", "down", "unknown"], &["fine"], v),
                date(v),
            )
                .prop_map(|(s, d)| format!("health = {{ status = \"{s}\", checked = {d} }}\n")),
        ),
    )
        .prop_map(move |(name, owner, crit, stateful, tags, health)| {
            format!(
                "[[system]]\nid = \"{id}\"\nname = \"{name}\"\nowner = \"{owner}\"\ncriticality = \"{crit}\"\nstateful = {stateful}\n{tags}{health}third_party = [\"pgbouncer 1.21\"]\n"
            )
        })
        .boxed()
}

/// The `when` of a period: recurring, one-off, or (when broken) half of one.
fn schedule_lines(v: bool) -> BoxedStrategy<String> {
    // A start date keeps COUNT, INTERVAL and rules without a day valid.
    let from = if v {
        pick(&["0001-01-01", "2020-01-01", "2026-11-01"], &[], true)
            .prop_map(|d| format!("from = {d}\n"))
            .boxed()
    } else {
        maybe(date(v).prop_map(|d| format!("from = {d}\n")))
    };
    let recurring = (
        pick(RRULES, BAD_RRULES, v),
        pick(TIMES_OF_DAY, BAD_TIMES_OF_DAY, v),
        pick(DURATIONS, BAD_DURATIONS, v),
        from,
        maybe(
            pick(&["2027-12-31", "9999-12-31"], &["2000-01-01"], v)
                .prop_map(|d| format!("until = {d}\n")),
        ),
    )
        .prop_map(|(rrule, start, duration, from, until)| {
            format!(
                "rrule = \"{rrule}\"\nstart = \"{start}\"\nduration = \"{duration}\"\n{from}{until}"
            )
        });
    let once =
        (date(v), pick(OFFSETS, &[], true), datetime(v)).prop_map(move |(day, offset, until)| {
            // Valid: one day, written in the same form at both ends.
            let until = if v {
                format!("{day}T23:59:59{offset}")
            } else {
                until
            };
            format!("from = {day}T00:00:00{offset}\nuntil = {until}\n")
        });
    if v {
        prop_oneof![3 => recurring, 1 => once].boxed()
    } else {
        prop_oneof![
            3 => recurring,
            1 => once,
            1 => datetime(v).prop_map(|from| format!("from = {from}\n")),
        ]
        .boxed()
    }
}

fn period(n: usize, v: bool) -> BoxedStrategy<String> {
    (
        pick(&["window", "window", "freeze", "peak"], &[], true),
        zone_line(v),
        schedule_lines(v),
        maybe(system_refs(v).prop_map(|l| format!("systems = {l}\n"))),
        maybe(pick(&["internal", "*"], &[], true).prop_map(|t| format!("tags = [\"{t}\"]\n"))),
        maybe(any::<bool>().prop_map(|b| format!("hard = {b}\n"))),
        any::<bool>(),
    )
        .prop_map(move |(kind, zone, when, systems, tags, hard, upper)| {
            let hard = if kind == "freeze" {
                hard
            } else {
                String::new()
            };
            let id = if upper {
                format!("P{n}")
            } else {
                format!("p{n}")
            };
            format!("[[{kind}]]\nid = \"{id}\"\nname = \"P\"\n{zone}{when}{systems}{tags}{hard}")
        })
        .boxed()
}

fn integration(n: usize, v: bool) -> BoxedStrategy<String> {
    (
        pick(SYSTEM_REFS, &["nope"], v),
        pick(SYSTEM_REFS, &[], v),
        any::<bool>(),
        maybe(
            (
                pick(RRULES, BAD_RRULES, v),
                pick(TIMES_OF_DAY, BAD_TIMES_OF_DAY, v),
                pick(DURATIONS, BAD_DURATIONS, v),
                maybe(pick(ZONES, BAD_ZONES, v).prop_map(|z| format!(", timezone = \"{z}\""))),
            )
                .prop_map(|(r, s, d, z)| {
                    format!(
                        "runs = [\n  {{ rrule = \"{r}\", start = \"{s}\", duration = \"{d}\", from = 2020-01-01{z} }},\n  {{ rrule = \"FREQ=DAILY\", start = \"02:00\", duration = \"30m\" }},\n]\n"
                    )
                }),
        ),
    )
        .prop_map(move |(consumer, provider, critical, runs)| {
            format!(
                "[[integration]]\nid = \"i{n}\"\nconsumer = \"{consumer}\"\nprovider = \"{provider}\"\ncritical = {critical}\n{runs}"
            )
        })
        .boxed()
}

fn phase(v: bool) -> BoxedStrategy<String> {
    (
        pick(TEXTS, &[], true),
        datetime(v),
        pick(DURATIONS, BAD_DURATIONS, v),
        maybe(system_refs(v).prop_map(|l| format!("systems = {l}\n"))),
    )
        .prop_map(|(name, start, duration, systems)| {
            format!(
                "[[change.phase]]\nname = \"{name}\"\nstart = {start}\nduration = \"{duration}\"\n{systems}"
            )
        })
        .boxed()
}

fn change(n: usize, v: bool) -> BoxedStrategy<String> {
    (
        (
            pick(TEAMS, &["nobody"], v),
            pick(STATUSES, &["Draft", "done"], v),
            prop::collection::vec(pick(SYSTEM_REFS, &["nope"], v), usize::from(v)..4),
            zone_line(v),
            maybe(date(v).prop_map(|d| format!("announced = {d}\n"))),
        ),
        prop::collection::vec(phase(v), usize::from(v)..4),
        maybe(pick(DURATIONS, BAD_DURATIONS, v).prop_map(|d| {
            format!("[change.rollback]\nsteps = [\"undo\"]\ntime = \"{d}\"\n")
        })),
        maybe(Just(
            "[[change.compat]]\ntarget = \"pgbouncer\"\nverified = true\n".to_string(),
        )),
        any::<bool>(),
    )
        .prop_map(
            move |((owner, status, systems, zone, announced), phases, rollback, compat, upper)| {
                let id = if upper {
                    format!("C{n}")
                } else {
                    format!("c{n}")
                };
                let mut text = format!(
                    "[[change]]\nid = \"{id}\"\ntitle = \"T\"\nowner = \"{owner}\"\nstatus = \"{status}\"\nsystems = {systems:?}\nsummary = \"s\"\nwhy = \"w\"\n{zone}{announced}"
                );
                for phase in phases {
                    text.push_str(&phase);
                }
                text.push_str(&rollback);
                text.push_str(&compat);
                text
            },
        )
        .boxed()
}

fn config(v: bool) -> BoxedStrategy<String> {
    (
        pick(ZONES, BAD_ZONES, v),
        pick(DURATIONS, BAD_DURATIONS, v),
        pick(DURATIONS, BAD_DURATIONS, v),
        pick(&["off", "error", "info", "warning"], &["loud"], v),
    )
        .prop_map(|(zone, notice, soak, level)| {
            format!(
                "[site]\ntimezone = \"{zone}\"\n[policy]\nnotice = \"{notice}\"\nmin_soak = \"{soak}\"\n[rules]\npeak-overlap = \"{level}\"\nshort-notice = \"{level}\"\n"
            )
        })
        .boxed()
}

/// How a file's text is encoded on disk.
#[derive(Debug, Clone, Copy)]
enum Dress {
    Plain,
    Crlf,
    Bom,
    Tabs,
}

fn dress(text: &str, how: Dress) -> Vec<u8> {
    match how {
        Dress::Plain => text.as_bytes().to_vec(),
        Dress::Crlf => text.replace('\n', "\r\n").into_bytes(),
        Dress::Bom => format!("\u{feff}{text}").into_bytes(),
        Dress::Tabs => text.replace(" = ", "\t=\t").into_bytes(),
    }
}

/// `count` entities made by `make(index, valid_only)`.
fn several(
    count: std::ops::Range<usize>,
    v: bool,
    make: fn(usize, bool) -> BoxedStrategy<String>,
) -> BoxedStrategy<Vec<String>> {
    count
        .prop_flat_map(move |n| (0..n).map(|i| make(i, v)).collect::<Vec<_>>())
        .boxed()
}

/// The entities of an inventory (teams, systems, integrations, periods,
/// changes, each a TOML text) and its `cutover.toml` (maybe empty); with
/// `v` (valid values only), one that usually loads, so the analysis runs.
fn world(v: bool) -> impl Strategy<Value = (Vec<Vec<String>>, String)> {
    (
        SYSTEMS.iter().map(|id| system(id, v)).collect::<Vec<_>>(),
        several(0..3, v, integration),
        several(0..4, v, period),
        several(0..4, v, change),
        maybe(config(v)),
    )
        .prop_map(|(systems, integrations, periods, changes, config)| {
            let teams = vec![
                "[[team]]\nid = \"ops\"\nname = \"Ops\"\n".to_string(),
                "[[team]]\nid = \"dba\"\nname = \"DBA\"\n".to_string(),
            ];
            (vec![teams, systems, integrations, periods, changes], config)
        })
}

/// Everything in `base.toml`, or one file per kind of entity.
fn layout(groups: &[Vec<String>], config: &str, how: Dress, split: bool) -> Vec<(String, Vec<u8>)> {
    let names = [
        "base.toml",
        "systems/all.toml",
        "integrations.toml",
        "calendar.toml",
        "changes/c.toml",
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    for (name, group) in names.iter().zip(groups) {
        let mut text = String::new();
        for item in group {
            writeln!(text, "{item}").unwrap();
        }
        match files.first_mut() {
            Some((_, base)) if !split => base.push_str(&text),
            _ => files.push((name.to_string(), text)),
        }
    }
    if !config.is_empty() {
        files.push(("cutover.toml".to_string(), config.to_string()));
    }
    files
        .into_iter()
        .map(|(name, text)| (name, dress(&text, how)))
        .collect()
}

fn inventory(v: bool) -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    (
        world(v),
        prop::sample::select(vec![Dress::Plain, Dress::Crlf, Dress::Bom, Dress::Tabs]),
        any::<bool>(),
    )
        .prop_map(|((groups, config), how, split)| layout(&groups, &config, how, split))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn plausible_inventories_never_panic(files in inventory(false)) {
        assert_robust(&files)?;
    }

    #[test]
    fn loadable_inventories_never_panic(files in inventory(true)) {
        assert_robust(&files)?;
    }
}

// ---- layouts ---------------------------------------------------------------

/// Checks `files` in a fresh folder.
fn check_files(files: &[(String, Vec<u8>)]) -> Result<Checked, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    check_in_time(dir.path()).map_err(TestCaseError::fail)
}

/// Findings without their places, sorted: what must not depend on how the
/// inventory is laid out in files.
fn layout_free(checked: &Checked) -> Vec<String> {
    let mut keys: Vec<String> = checked
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?} {:?} {:?}",
                f.rule.name(),
                f.level.name(),
                f.message,
                f.change,
                f.subjects
            )
        })
        .collect();
    keys.sort();
    keys
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// CRLF line ends move no finding: same rule, file, line, column and
    /// message as with LF.
    #[test]
    fn crlf_files_give_the_findings_of_lf_files(
        (groups, config) in world(true),
        split in any::<bool>(),
    ) {
        let lf = check_files(&layout(&groups, &config, Dress::Plain, split))?;
        let crlf = check_files(&layout(&groups, &config, Dress::Crlf, split))?;
        prop_assert_eq!(summary(&lf), summary(&crlf));
    }
}

/// One file per entity, named so that the files sort in `order`.
fn one_file_each(groups: &[Vec<String>], config: &str, order: &[usize]) -> Vec<(String, Vec<u8>)> {
    // Changes keep their phases: each entity is a whole [[kind]] with its
    // sub-tables, so any file order is a valid layout.
    let entities: Vec<&String> = groups.iter().flatten().collect();
    let mut files: Vec<(String, Vec<u8>)> = order
        .iter()
        .enumerate()
        .map(|(rank, &i)| (format!("e{rank:03}.toml"), entities[i].clone().into_bytes()))
        .collect();
    if !config.is_empty() {
        files.push(("cutover.toml".to_string(), config.as_bytes().to_vec()));
    }
    files
}

fn world_and_order() -> impl Strategy<Value = ((Vec<Vec<String>>, String), Vec<usize>)> {
    world(true).prop_flat_map(|(groups, config)| {
        let n = groups.iter().map(Vec::len).sum::<usize>();
        let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
        (Just((groups, config)), order)
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The same entities in any files, in any order, give the same findings
    /// apart from their places (rules.md: the output is deterministic).
    #[test]

    fn any_layout_gives_the_same_findings(
        ((groups, config), order) in world_and_order(),
    ) {
        let together = check_files(&layout(&groups, &config, Dress::Plain, false))?;
        let scattered = check_files(&one_file_each(&groups, &config, &order))?;
        prop_assert_eq!(layout_free(&together), layout_free(&scattered));
    }
}
