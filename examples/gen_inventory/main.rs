//! Generate a large, realistic, deterministic inventory for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_inventory -- \
//!     --changes 2000 --systems 5000 --integrations 20000 --periods 100 \
//!     --seed 1 --out DIR
//! ```
//!
//! The same arguments give byte-identical files on any machine: the only
//! source of randomness is a small self-written PRNG (splitmix64) seeded
//! from `--seed`, and only integer arithmetic is used. `DIR` must not exist
//! or be empty.
//!
//! Layout: `cutover.toml`, `teams.toml`, `processes.toml`, `audiences.toml`,
//! `calendar.toml`, `incidents.toml`, `systems/part-NNN.toml` (500 systems
//! each), `integrations/part-NNN.toml` (2000 each), `changes/part-NNN.toml`
//! (100 each).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use calendar::*;
use changes::*;
use text::*;
use vocab::*;
use world::*;

/// `writeln!` into a `String`, which cannot fail.
macro_rules! w {
    ($dst:expr) => {
        $dst.push('\n')
    };
    ($dst:expr, $($arg:tt)*) => {
        writeln!($dst, $($arg)*).expect("writing to a String cannot fail")
    };
}

mod calendar;
mod changes;
mod text;
mod vocab;
mod world;

const USAGE: &str = "usage: gen_inventory --out DIR [--changes N] [--systems N] [--integrations N] [--periods N] [--seed N]

Writes a large, deterministic inventory for benchmarks into DIR (which must
not exist or be empty). Defaults: --changes 2000 --systems 5000
--integrations 20000 --periods 100 --seed 1.";

const SYSTEMS_PER_FILE: usize = 500;
const INTEGRATIONS_PER_FILE: usize = 2000;
const CHANGES_PER_FILE: usize = 100;
const INCIDENTS: usize = 200;

struct Options {
    changes: usize,
    systems: usize,
    integrations: usize,
    periods: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut changes = 2000;
    let mut systems = 5000;
    let mut integrations = 20000;
    let mut periods = 100;
    let mut seed = 1u64;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.into())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |text: String| -> Result<u64, String> {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: `{text}` is not a non-negative integer"))
        };
        match flag.as_str() {
            "--changes" => changes = number(value()?)? as usize,
            "--systems" => systems = number(value()?)? as usize,
            "--integrations" => integrations = number(value()?)? as usize,
            "--periods" => periods = number(value()?)? as usize,
            "--seed" => seed = number(value()?)?,
            "--out" => out = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    if systems < 2 {
        return Err("--systems must be at least 2".into());
    }
    if systems > 99_999 || changes > 99_999 {
        return Err("--systems and --changes go up to 99999".into());
    }
    Ok(Options {
        changes,
        systems,
        integrations,
        periods,
        seed,
        out,
    })
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match generate(&options) {
        Ok(files) => {
            eprintln!("wrote {files} files to {}", options.out.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
