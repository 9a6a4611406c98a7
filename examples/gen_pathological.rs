//! Generate the pathological inventories of issue 10 for bench/pathological.sh.
//!
//! ```sh
//! cargo run --release --example gen_pathological -- chain --out DIR
//! ```
//!
//! Each shape stresses one list that could grow with the square of the
//! input, at the scale the attack report named:
//!
//! - `chain`: 100,000 systems, `s{i}` consumes `s{i+1}` through a critical
//!   integration, one change of the last system (paths of 99,999 hops);
//! - `collide`: 1,000 changes of one system at the same hour;
//! - `blast`: 1,000 changes of a provider and 1,000 of its critical
//!   consumer at the same hour (a million blast-radius overlaps);
//! - `phases`: one change of 10 systems with 50,000 phases;
//! - `periods`: 10,000 windows, freezes and peaks (recurring and one-off)
//!   over 50 systems, and 100 changes against them;
//! - `audiences`: 200 changes of one system that 2,000 audiences use, half
//!   of them with a time zone of their own.
//!
//! `--n` (and `--m` for `audiences`: changes × audiences) scale a shape.
//! The files are deterministic: no randomness, only the arguments.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_pathological SHAPE --out DIR [--n N] [--m M]

SHAPE: chain (N systems, default 100000), collide (N changes, 1000), blast
(N changes of a provider and N of its consumer, 1000), phases
(N phases, 50000), periods (N periods, 10000), audiences (N changes, 200,
times M audiences, 2000). DIR must not exist or be empty.";

/// `writeln!` into a `String`, which cannot fail.
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {
        writeln!($dst, $($arg)*).expect("writing to a String cannot fail")
    };
}

const HEAD: &str = "[[team]]\nid = \"ops\"\nname = \"Ops\"\nemail = \"ops@example.org\"\n";

/// A weekly Sunday window over every system, so changes are not all errors.
const WINDOW: &str = "[[window]]\nid = \"sunday\"\nname = \"Sunday night\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"01:00\"\nduration = \"6h\"\n";

/// One change of `systems`, with the fields every change has.
fn change(text: &mut String, id: &str, systems: &[String], start: &str) {
    let list: Vec<String> = systems.iter().map(|s| format!("\"{s}\"")).collect();
    w!(
        text,
        "[[change]]\nid = \"{id}\"\ntitle = \"Change {id}\"\nowner = \"ops\"\nstatus = \"proposed\"\n\
         systems = [{}]\nsummary = \"Upgrade of **{id}**.\"\nwhy = \"Support ends.\"\n\n\
         [change.rollback]\ntriggers = [\"error rate above 2 %\", \"checks fail\"]\nsteps = [\"restore\"]\ntime = \"30m\"\n\n\
         [[change.phase]]\nname = \"Upgrade\"\nstart = {start}\nduration = \"1h\"\nsteps = [\"stop\", \"upgrade\", \"start\"]\nchecks = [\"healthy\"]\n",
        list.join(", ")
    );
}

fn system(text: &mut String, id: &str, criticality: &str) {
    w!(
        text,
        "[[system]]\nid = \"{id}\"\nname = \"System {id}\"\nowner = \"ops\"\ncriticality = \"{criticality}\"\n"
    );
}

fn chain(n: usize) -> Vec<(String, String)> {
    let mut text = String::from(HEAD);
    for i in 0..n {
        system(&mut text, &format!("s{i}"), "low");
    }
    for i in 0..n.saturating_sub(1) {
        w!(
            text,
            "[[integration]]\nid = \"i{i}\"\nconsumer = \"s{i}\"\nprovider = \"s{}\"\ncritical = true\n",
            i + 1
        );
    }
    text.push_str(WINDOW);
    change(
        &mut text,
        "c1",
        &[format!("s{}", n - 1)],
        "2026-12-06T02:00:00",
    );
    vec![("chain.toml".into(), text)]
}

fn collide(n: usize) -> Vec<(String, String)> {
    let mut text = String::from(HEAD);
    system(&mut text, "erp", "high");
    text.push_str(WINDOW);
    for i in 0..n {
        change(
            &mut text,
            &format!("c{i:05}"),
            &["erp".into()],
            "2026-12-06T02:00:00",
        );
    }
    vec![("changes.toml".into(), text)]
}

fn blast(n: usize) -> Vec<(String, String)> {
    let mut text = String::from(HEAD);
    system(&mut text, "db", "high");
    system(&mut text, "erp", "high");
    w!(
        text,
        "[[integration]]\nid = \"erp-db\"\nconsumer = \"erp\"\nprovider = \"db\"\ncritical = true\n"
    );
    text.push_str(WINDOW);
    for i in 0..2 * n {
        let system = if i % 2 == 0 { "db" } else { "erp" };
        change(
            &mut text,
            &format!("c{i:05}"),
            &[system.into()],
            "2026-12-06T02:00:00",
        );
    }
    vec![("changes.toml".into(), text)]
}

fn phases(n: usize) -> Vec<(String, String)> {
    let mut text = String::from(HEAD);
    let systems: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    for s in &systems {
        system(&mut text, s, "medium");
    }
    w!(
        text,
        "[[audience]]\nid = \"staff\"\nname = \"Staff\"\ncriticality = \"medium\"\nsystems = [\"s0\"]\n"
    );
    text.push_str(WINDOW);
    let list: Vec<String> = systems.iter().map(|s| format!("\"{s}\"")).collect();
    w!(
        text,
        "[[change]]\nid = \"c1\"\ntitle = \"Rolling upgrade\"\nowner = \"ops\"\nstatus = \"proposed\"\n\
         systems = [{}]\nsummary = \"Rolling upgrade.\"\nwhy = \"Support ends.\"\n\n\
         [change.rollback]\ntriggers = [\"error rate above 2 %\", \"checks fail\"]\nsteps = [\"restore\"]\ntime = \"30m\"\n",
        list.join(", ")
    );
    // Ten-minute phases back to back from a Sunday on.
    let start = 1_796_522_400_i64; // 2026-12-06T02:00:00 UTC, as a local time
    for i in 0..n {
        let at = start + i as i64 * 600;
        let (date, time) = civil(at);
        w!(
            text,
            "[[change.phase]]\nname = \"Node {i}\"\nstart = {date}T{time}\nduration = \"10m\"\n\
             audiences = [\"staff\"]\nsteps = [\"drain node {i}\", \"upgrade node {i}\"]\nchecks = [\"node {i} healthy\"]\n"
        );
    }
    vec![("change.toml".into(), text)]
}

fn periods(n: usize) -> Vec<(String, String)> {
    let mut systems = String::from(HEAD);
    let ids: Vec<String> = (0..50).map(|i| format!("s{i:02}")).collect();
    for s in &ids {
        system(&mut systems, s, "medium");
    }
    let mut calendar = String::new();
    const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    for i in 0..n {
        let kind = ["window", "freeze", "peak"][i % 3];
        let scope = &ids[i % ids.len()];
        w!(
            calendar,
            "[[{kind}]]\nid = \"{kind}-{i}\"\nname = \"{kind} {i}\"\nsystems = [\"{scope}\"]"
        );
        match i % 4 {
            0 => w!(
                calendar,
                "rrule = \"FREQ=WEEKLY;BYDAY={}\"\nstart = \"{:02}:00\"\nduration = \"3h\"\n",
                DAYS[i % 7],
                i % 24
            ),
            1 => w!(
                calendar,
                "rrule = \"FREQ=MONTHLY;BYMONTHDAY={}\"\nstart = \"{:02}:30\"\nduration = \"1d\"\n",
                i % 28 + 1,
                i % 24
            ),
            2 => w!(
                calendar,
                "rrule = \"FREQ=DAILY\"\nstart = \"{:02}:15\"\nduration = \"2h\"\n",
                i % 24
            ),
            _ => {
                let (date, _) = civil(1_796_522_400 + (i % 365) as i64 * 86_400);
                w!(
                    calendar,
                    "from = {date}T08:00:00\nuntil = {date}T18:00:00\n"
                )
            }
        }
    }
    let mut changes = String::new();
    for i in 0..100 {
        let (date, _) = civil(1_796_522_400 + (i % 60) as i64 * 86_400);
        change(
            &mut changes,
            &format!("c{i:03}"),
            &[ids[i % ids.len()].clone()],
            &format!("{date}T02:00:00"),
        );
    }
    vec![
        ("systems.toml".into(), systems),
        ("calendar.toml".into(), calendar),
        ("changes.toml".into(), changes),
    ]
}

fn audiences(changes: usize, audiences: usize) -> Vec<(String, String)> {
    const ZONES: [&str; 8] = [
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Australia/Sydney",
        "America/Sao_Paulo",
        "Africa/Nairobi",
        "Asia/Kolkata",
        "Pacific/Auckland",
    ];
    let mut text = String::from(HEAD);
    system(&mut text, "erp", "high");
    for i in 0..audiences {
        w!(
            text,
            "[[audience]]\nid = \"a{i:05}\"\nname = \"Audience {i}\"\ncriticality = \"low\"\ncontact = \"a{i}@example.org\"\nsystems = [\"erp\"]"
        );
        if i % 2 == 0 {
            w!(text, "timezone = \"{}\"", ZONES[i / 2 % ZONES.len()]);
        }
        text.push('\n');
    }
    text.push_str(WINDOW);
    for i in 0..changes {
        let (date, _) = civil(1_796_522_400 + (i % 26) as i64 * 7 * 86_400);
        change(
            &mut text,
            &format!("c{i:04}"),
            &["erp".into()],
            &format!("{date}T02:00:00"),
        );
    }
    vec![("inventory.toml".into(), text)]
}

/// Seconds since the epoch as a civil date and time ("2026-12-06",
/// "02:00:00"), in the proleptic Gregorian calendar.
fn civil(seconds: i64) -> (String, String) {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!(
            "{:02}:{:02}:{:02}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ),
    )
}

fn write(out: &Path, files: &[(String, String)]) -> Result<(), String> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| format!("cannot read `{}`: {e}", out.display()))?
            .next()
            .is_some()
    {
        return Err(format!("`{}` is not empty", out.display()));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let shape = args.next().ok_or("a SHAPE is required")?;
    let (mut n, mut m, mut out): (Option<usize>, Option<usize>, Option<PathBuf>) =
        (None, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: `{value}` is not a non-negative integer"))
        };
        match flag.as_str() {
            "--n" => n = Some(number()?),
            "--m" => m = Some(number()?),
            "--out" => out = Some(PathBuf::from(&value)),
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    let files = match shape.as_str() {
        "chain" => chain(n.unwrap_or(100_000).max(2)),
        "collide" => collide(n.unwrap_or(1_000)),
        "blast" => blast(n.unwrap_or(1_000)),
        "phases" => phases(n.unwrap_or(50_000).max(1)),
        "periods" => periods(n.unwrap_or(10_000)),
        "audiences" => audiences(n.unwrap_or(200), m.unwrap_or(2_000)),
        _ => return Err(format!("unknown shape `{shape}`")),
    };
    write(&out, &files)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
