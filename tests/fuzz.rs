//! Fuzzing of the whole pipeline on stable (issue 10): proptest mutates
//! the example inventory's TOML files with a grammar-aware mutator (a
//! value of the wrong type, huge or deeply nested text, control
//! characters, odd dates, durations and RRULEs, duplicate ids, dangling
//! references, lines deleted or doubled) and adds the seeds of issue 10's
//! numbered cases (a corpus: chains of integrations, Markdown bombs,
//! colliding changes, long lists, control characters and escapes, ids
//! that name pages, symlinks out of the inventory, a FIFO, RRULEs that
//! never occur, bad `base_url` and `language`, odd file names and
//! `--as-of` values). Each case runs the binary: `check --format json`
//! twice, then `build` twice into two folders, and asserts
//!
//! - no panic, no hang: every run exits 0, 1 or 2 within [`HANG`];
//! - every finding located: a file, a line and a column from 1;
//! - deterministic: the same findings both times, byte-identical sites.
//!
//! The number of cases is `CUTOVER_FUZZ_CASES` (default 8, for `cargo
//! test`); `.ci/run` runs more. A failure prints the mutations, which
//! proptest shrinks to the fewest that still fail.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{AS_OF, cutover, example};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// How long one run may take before it counts as a hang (a debug build on
/// a shared 2-core machine; the example builds in about a second).
const HANG: Duration = Duration::from_secs(120);

fn fuzz_cases() -> u32 {
    std::env::var("CUTOVER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

/// The example inventory's files: relative path and text.
fn corpus() -> Vec<(String, String)> {
    let root = example();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&root).unwrap();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            files.push((rel.to_string_lossy().into_owned(), text));
        }
    }
    files
}

/// What replaces a value.
#[derive(Debug, Clone)]
enum Value {
    /// One of the fixed hostile values of [`VALUES`], of any type.
    Fixed(usize),
    /// A hostile value of the same type as the one it replaces (a string
    /// for a string, a datetime for a datetime...), so that the inventory
    /// still loads more often than not and the rules and pages see it.
    SameType(Index),
    /// A basic string of `n` copies of `piece`.
    Repeat(&'static str, usize),
    /// The value of another `id` line (a duplicate id).
    OtherId(Index),
}

/// Values of the wrong type, odd dates, durations, RRULEs, zones,
/// dangling references, control characters and escapes.
const VALUES: &[&str] = &[
    "42",
    "-1",
    "9223372036854775807",
    "3.5",
    "nan",
    "true",
    "[]",
    "[1, \"a\", true]",
    "[[[[[[[[1]]]]]]]]",
    "{ a = 1 }",
    "{}",
    "\"\"",
    "\"x\"",
    "\"nope\"",
    "[\"nope\"]",
    "[\"*\"]",
    "1979-05-27",
    "0000-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "2026-03-29T02:30:00",
    "2026-10-25T02:30:00",
    "2026-11-24T23:59:59.999999999",
    "2026-12-06T02:00:00+14:00",
    "\"2026-02-30\"",
    "\"0m\"",
    "\"-1h\"",
    "\"99999d\"",
    "\"1h1h\"",
    "\"25:00\"",
    "\"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"",
    "\"FREQ=DAILY;COUNT=99999\"",
    "\"FREQ=SECONDLY\"",
    "\"FREQ=MONTHLY;BYDAY=5SU;BYSETPOS=-1\"",
    "\"FREQ=WEEKLY;INTERVAL=0\"",
    "\"FREQ=DAILY;UNTIL=19700101T000000Z\"",
    "\"FREQ=YEARLY;BYMONTH=13\"",
    "\"Mars/Olympus\"",
    "\"Europe/Berlin\"",
    "\"https://x.example/a b\\\"\\r\\n\"",
    "\"javascript:alert(1)\"",
    "\"not a tag!\"",
    "\"\\u0001\\u000b\\u001b]0;owned\\u0007\\u001b[2J\\ufffe\"",
    "\"<script>alert(1)</script>\"",
    "\"index\"",
    "\"index.html\"",
    "\"../../etc/passwd\"",
    "\"my file #1 %zz é\"",
    "\"\u{202e}\u{200b}\u{1F600}\"",
    "'''\nmulti\nline'''",
    "\"unterminated",
    "= =",
];

/// Strings that still load where a string is expected, or fail as a
/// located `schema` or reference error.
const STRINGS: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\"nope\"",
    "\"index\"",
    "\"index.html\"",
    "\"0m\"",
    "\"99999d\"",
    "\"25:00\"",
    "\"23:59\"",
    "\"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"",
    "\"FREQ=DAILY;COUNT=99999\"",
    "\"FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1\"",
    "\"FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20261231T000000Z\"",
    "\"America/New_York\"",
    "\"Australia/Lord_Howe\"",
    "\"\\u0001\\u000b\\u001b]0;owned\\u0007\\u001b[2J\\ufffe\"",
    "\"<script>alert(1)</script> & <img src=x onerror=alert(1)>\"",
    "\"[a](javascript:alert(1)) **b** `c`\"",
    "\"\u{202e}\u{200b}\u{1F600} é\"",
    "\"https://x.example/a b\\\"\\r\\n\"",
];

/// Datetimes that load: edges of the calendar and of daylight saving.
const DATETIMES: &[&str] = &[
    "2026-03-29T02:30:00",
    "2026-10-25T02:30:00",
    "2026-11-24T00:00:00",
    "2026-12-31T23:59:59",
    "2027-02-28T23:30:00",
    "2028-02-29T12:00:00",
    "1970-01-01T00:00:00",
    "2100-01-01T00:00:00",
];

/// Lists of references: empty, dangling, every system, duplicates.
const ARRAYS: &[&str] = &[
    "[]",
    "[\"*\"]",
    "[\"nope\"]",
    "[\"erp\", \"erp\"]",
    "[\"erp\", \"webshop\", \"wms\", \"bi\", \"dwh\"]",
];

/// Pieces that huge or deeply nested text is made of.
const PIECES: &[&str] = &[">", "- ", "*", "[", "a", "é", "\\u0007", "`", "<b>"];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of one `key = value` line of one file.
    Replace(Index, Index, Value),
    /// Delete one line.
    Delete(Index, Index),
    /// Write one line twice (a duplicate key, or a duplicate table).
    Double(Index, Index),
    /// Add one file of the corpus of issue 10's cases.
    Seed(usize),
}

/// Files of issue 10's numbered cases, small enough for a debug build;
/// `link:` and `fifo:` make a symlink to `/` and a FIFO instead.
fn seeds() -> Vec<(&'static str, String)> {
    let mut chain = String::new();
    for i in 0..500 {
        chain.push_str(&format!(
            "[[system]]\nid = \"z{i}\"\nname = \"Z{i}\"\nowner = \"platform\"\ncriticality = \"low\"\n[[integration]]\nid = \"zi{i}\"\nconsumer = \"z{i}\"\nprovider = \"z{}\"\n",
            (i + 1) % 500
        ));
    }
    let change = |id: &str, extra: &str| {
        format!(
            "[[change]]\nid = \"{id}\"\ntitle = \"T\"\nowner = \"platform\"\nstatus = \"proposed\"\nsystems = [\"erp\"]\nsummary = \"S\"\nwhy = \"W\"\n{extra}\n[[change.phase]]\nname = \"P\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n"
        )
    };
    let mut crowd = String::new();
    for i in 0..30 {
        crowd.push_str(&change(&format!("crowd-{i}"), ""));
    }
    let mut phases = change("many-phases", "");
    for i in 0..150 {
        phases.push_str(&format!(
            "[[change.phase]]\nname = \"N{i}\"\nstart = 2026-12-{:02}T03:00:00\nduration = \"10m\"\n",
            7 + i % 20
        ));
    }
    let mut audiences = String::new();
    for i in 0..60 {
        audiences.push_str(&format!(
            "[[audience]]\nid = \"crowd-a{i}\"\nname = \"A{i}\"\ncriticality = \"low\"\nsystems = [\"erp\"]\ntimezone = \"Asia/Tokyo\"\n"
        ));
    }
    vec![
        ("seeds/1-chain.toml", chain),
        (
            "seeds/3-quotes.toml",
            change("quotes", &format!("impact = \"{} x\"", ">".repeat(20_000))),
        ),
        (
            "seeds/3-list.toml",
            change("bullets", &format!("impact = \"{}\"", "- ".repeat(20_000))),
        ),
        ("seeds/4-crowd.toml", crowd),
        ("seeds/4-phases.toml", phases),
        ("seeds/4-audiences.toml", audiences),
        (
            "seeds/5-control.toml",
            "[[team]]\nid = \"ctl\"\nname = \"T\\u0001\\u000b\\u001b\\ufffe\"\nemail = \"a\\u0001@b\"\n"
                .to_string()
                + &change("ctl", "impact = \"\\u001b[2J\\u0007\""),
        ),
        (
            "seeds/6-escape.toml",
            change("esc", "")
                + "[[change.phase]]\nname = \"\\u001b]0;owned\\u0007\\u001b[2J\"\nstart = 2026-12-13T02:00:00\nduration = \"1h\"\n",
        ),
        (
            "seeds/7-index.toml",
            "[[system]]\nid = \"index\"\nname = \"I\"\nowner = \"platform\"\ncriticality = \"low\"\n"
                .to_string()
                + &change("index.html", ""),
        ),
        ("link:seeds/8-everything", String::new()),
        ("fifo:seeds/10-fifo.toml", String::new()),
        (
            "seeds/10-never.toml",
            "[[freeze]]\nid = \"feb-30\"\nname = \"Never\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"\nstart = \"00:00\"\nduration = \"1d\"\n"
                .to_string(),
        ),
        (
            "seeds/my file #1 %zz é.toml",
            "[[team]]\nid = \"odd-name\"\nname = \"N\"\n[[team]]\nid = \"odd-name\"\nname = \"N\"\n"
                .to_string(),
        ),
    ]
}

/// `--as-of` values other than [`AS_OF`]: one far off, ones `check`
/// refuses (exit 2).
const AS_OFS: &[&str] = &[
    "2026-12-20",
    "2027-06-30",
    "20261124",
    "2026-11-24T23:59:59",
    "9999-12-31",
];

/// Mostly [`AS_OF`], now and then one of [`AS_OFS`].
fn as_of() -> impl Strategy<Value = &'static str> {
    prop_oneof![9 => Just(AS_OF), 1 => prop::sample::select(AS_OFS)]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let value = prop_oneof![
        2 => (0..VALUES.len()).prop_map(Value::Fixed),
        6 => any::<Index>().prop_map(Value::SameType),
        2 => (prop::sample::select(PIECES), prop_oneof![1usize..40, 1000usize..40_000])
            .prop_map(|(p, n)| Value::Repeat(p, n)),
        1 => any::<Index>().prop_map(Value::OtherId),
    ];
    prop_oneof![
        8 => (any::<Index>(), any::<Index>(), value).prop_map(|(f, l, v)| Mutation::Replace(f, l, v)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(f, l)| Mutation::Delete(f, l)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(f, l)| Mutation::Double(f, l)),
        1 => (0..seeds().len()).prop_map(Mutation::Seed),
    ]
}

/// The `key = value` lines of `text` whose value is on that line: (line
/// index, key).
fn assignments(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let (key, value) = line.split_once('=')?;
            let key = key.trim();
            let simple = !key.is_empty()
                && !key.starts_with('#')
                && !key.starts_with('[')
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c));
            (simple && !value.trim().is_empty()).then(|| (n, key.to_string()))
        })
        .collect()
}

/// The inventory after `mutations`: files by path (`link:`/`fifo:` for
/// special files).
fn mutate(mutations: &[Mutation]) -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> = corpus().into_iter().collect();
    let seeds = seeds();
    for m in mutations {
        let names: Vec<String> = files.keys().filter(|n| !n.contains(':')).cloned().collect();
        let pick = |i: &Index| names[i.index(names.len())].clone();
        match m {
            Mutation::Seed(s) => {
                let (name, text) = &seeds[*s];
                files.insert(name.to_string(), text.clone());
            }
            Mutation::Delete(f, l) | Mutation::Double(f, l) => {
                let name = pick(f);
                let text = &files[&name];
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let at = l.index(lines.len());
                if matches!(m, Mutation::Delete(..)) {
                    lines.remove(at);
                } else {
                    lines.insert(at, lines[at]);
                }
                let new = lines.join("\n") + "\n";
                files.insert(name, new);
            }
            Mutation::Replace(f, l, value) => {
                let name = pick(f);
                let text = files[&name].clone();
                let lines = assignments(&text);
                if lines.is_empty() {
                    continue;
                }
                let (at, key) = &lines[l.index(lines.len())];
                let old = text
                    .lines()
                    .nth(*at)
                    .unwrap()
                    .split_once('=')
                    .unwrap()
                    .1
                    .trim();
                let new_value = match value {
                    Value::Fixed(v) => VALUES[*v].to_string(),
                    Value::SameType(i) => {
                        let pool = if old.starts_with('"') {
                            STRINGS
                        } else if old.starts_with('[') {
                            ARRAYS
                        } else if old.starts_with(|c: char| c.is_ascii_digit()) && old.contains('T')
                        {
                            DATETIMES
                        } else if old == "true" || old == "false" {
                            &["true", "false"]
                        } else {
                            VALUES
                        };
                        pool[i.index(pool.len())].to_string()
                    }
                    Value::Repeat(piece, n) => format!("\"{}\"", piece.repeat(*n)),
                    Value::OtherId(i) => {
                        // Any id of the whole inventory.
                        let ids: Vec<String> = files
                            .values()
                            .flat_map(|t| {
                                t.lines()
                                    .filter(|l| l.trim_start().starts_with("id ="))
                                    .map(|l| l.split_once('=').unwrap().1.trim().to_string())
                                    .collect::<Vec<_>>()
                            })
                            .collect();
                        if ids.is_empty() {
                            continue;
                        }
                        ids[i.index(ids.len())].clone()
                    }
                };
                let new: Vec<String> = text
                    .lines()
                    .enumerate()
                    .map(|(n, line)| {
                        if n == *at {
                            format!("{key} = {new_value}")
                        } else {
                            line.to_string()
                        }
                    })
                    .collect();
                files.insert(name, new.join("\n") + "\n");
            }
        }
    }
    files
}

fn write(dir: &Path, files: &BTreeMap<String, String>) {
    for (name, text) in files {
        let (kind, rel) = name.split_once(':').unwrap_or(("file", name));
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        match kind {
            "link" => std::os::unix::fs::symlink("/", &path).unwrap(),
            "fifo" => {
                let made = std::process::Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(made.success(), "mkfifo");
            }
            _ => std::fs::write(&path, text).unwrap(),
        }
    }
}

/// One run of the binary: exit status, stdout, stderr.
fn run(args: &[&str], dir: &Path, out: Option<&Path>) -> Result<(i32, Vec<u8>, String), String> {
    let mut cmd = cutover();
    cmd.args(args).arg(dir).timeout(HANG);
    if let Some(out) = out {
        cmd.arg("--out").arg(out);
    }
    let output = cmd.output().map_err(|e| format!("{args:?}: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output
        .status
        .code()
        .ok_or_else(|| format!("{args:?} was killed (a hang or an abort): {stderr}"))?;
    if !(0..=2).contains(&code) || stderr.contains("panicked") {
        return Err(format!("{args:?} exited {code}: {stderr}"));
    }
    Ok((code, output.stdout, stderr))
}

/// Every file below `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Load, analyse, report and build `files`, and assert what every run
/// must satisfy.
fn assert_pipeline(files: &BTreeMap<String, String>, as_of: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    write(&inv, files);
    let check = ["check", "--format", "json", "--as-of", as_of];
    let (code, stdout, stderr) = run(&check, &inv, None).map_err(TestCaseError::fail)?;
    if code == 2 {
        prop_assert!(!stderr.trim().is_empty(), "exit 2 without a word");
    } else {
        let document: serde_json::Value = serde_json::from_slice(&stdout)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {stderr}")))?;
        for d in document["diagnostics"].as_array().unwrap() {
            let located = d["file"].as_str().is_some_and(|f| !f.is_empty())
                && d["line"].as_u64().is_some_and(|l| l >= 1)
                && d["column"].as_u64().is_some_and(|c| c >= 1);
            prop_assert!(located, "a finding without file:line:column: {d}");
        }
    }
    let again = run(&check, &inv, None).map_err(TestCaseError::fail)?;
    prop_assert_eq!((code, &stdout), (again.0, &again.1), "check twice");

    let build = ["build", "--quiet", "--allow-errors", "--as-of", as_of];
    let sites = [dir.path().join("site-a"), dir.path().join("site-b")];
    let (first, _, _) = run(&build, &inv, Some(&sites[0])).map_err(TestCaseError::fail)?;
    let (second, _, _) = run(&build, &inv, Some(&sites[1])).map_err(TestCaseError::fail)?;
    prop_assert_eq!(first, second, "build twice");
    // A build that succeeded wrote a site, the same both times; a loading
    // error refuses it (1), a bad flag is 2.
    if first == 0 {
        let (a, b) = (tree(&sites[0]), tree(&sites[1]));
        prop_assert!(a.contains_key(Path::new("index.html")));
        prop_assert_eq!(a.len(), b.len());
        for (path, bytes) in &a {
            prop_assert!(b.get(path) == Some(bytes), "{} differs", path.display());
        }
        compiled_as_tera(&inv, as_of)?;
    }
    Ok(())
}

/// The compiled built-in templates render the inventory byte for byte as
/// tera does from the reference templates (the oracle of
/// `tests/compiled.rs`, on mutated inventories).
fn compiled_as_tera(inv: &Path, as_of: &str) -> Result<(), TestCaseError> {
    let Ok(date) = as_of.parse::<jiff::civil::Date>() else {
        return Ok(());
    };
    let Ok(checked) = cutover::check::check(inv, date) else {
        return Ok(());
    };
    let site = |compiled: bool| {
        let mut templates = cutover::site::templates(&[]).unwrap();
        templates.compiled = compiled;
        cutover::site::render_site(&checked, &templates)
    };
    let (tera, compiled) = (site(false), site(true));
    prop_assert_eq!(
        tera.is_ok(),
        compiled.is_ok(),
        "one path fails, not the other"
    );
    let (Ok(tera), Ok(compiled)) = (tera, compiled) else {
        return Ok(());
    };
    prop_assert_eq!(tera.len(), compiled.len());
    for (t, c) in tera.iter().zip(&compiled) {
        prop_assert_eq!(&t.path, &c.path);
        prop_assert!(t.bytes == c.bytes, "{}: compiled differs from tera", t.path);
    }
    Ok(())
}

/// Every seed alone, on the example inventory: the corpus is exercised
/// whatever the number of random cases.
#[test]
fn every_seed_of_issue_10_passes_the_pipeline() {
    for s in 0..seeds().len() {
        let files = mutate(&[Mutation::Seed(s)]);
        if let Err(e) = assert_pipeline(&files, AS_OF) {
            panic!("seed {}: {e}", seeds()[s].0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: fuzz_cases(),
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_example_inventories_never_panic_and_stay_located_and_deterministic(
        mutations in prop::collection::vec(mutation(), 1..5),
        as_of in as_of(),
    ) {
        let files = mutate(&mutations);
        assert_pipeline(&files, as_of)?;
    }
}
