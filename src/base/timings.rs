//! Stage timings for benchmarks: with `CUTOVER_TIMINGS=1` in the
//! environment, each stage of a run (load, analyse, render and write...)
//! prints its wall time on stderr as `timing: STAGE 0.123 s`. Nothing is
//! printed otherwise, and nothing else reads the variable. On Linux the line
//! also gives the process's peak resident memory so far (`VmHWM`).

use std::sync::OnceLock;
use std::time::Instant;

/// Whether timings are on (`CUTOVER_TIMINGS=1`).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CUTOVER_TIMINGS").is_some_and(|v| v == "1"))
}

/// A stage being timed; [`Stage::end`] prints it.
pub struct Stage {
    name: &'static str,
    start: Instant,
    cpu: Option<f64>,
}

/// Starts timing the stage `name`.
pub fn start(name: &'static str) -> Stage {
    Stage {
        name,
        start: Instant::now(),
        cpu: if enabled() { cpu() } else { None },
    }
}

impl Stage {
    /// Prints the stage's wall time when timings are on.
    pub fn end(self) {
        if enabled() {
            let cpu = match (self.cpu, cpu()) {
                (Some(start), Some(end)) => format!(", cpu {:.2} s", end - start),
                _ => String::new(),
            };
            eprintln!(
                "timing: {} {:.3} s{cpu}{}",
                self.name,
                self.start.elapsed().as_secs_f64(),
                peak().map_or(String::new(), |kib| format!(", peak {} MiB", kib / 1024))
            );
        }
    }
}

/// The peak resident memory of the process so far, in KiB (Linux only).
fn peak() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The user and system time of the whole process so far, in seconds (Linux
/// only; `/proc/self/stat` counts it in ticks of 10 ms).
fn cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: fields count from
    // its closing parenthesis (utime and stime are fields 14 and 15).
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Thread time summed per kind of work done on many threads (the jobs of a
/// build), printed as `timing: NAME: KIND 1.234 thread s` when timings are on.
pub struct Tally {
    name: &'static str,
    kinds: &'static [&'static str],
    nanos: Vec<std::sync::atomic::AtomicU64>,
}

impl Tally {
    /// A tally of `kinds` under `name`.
    pub fn new(name: &'static str, kinds: &'static [&'static str]) -> Tally {
        Tally {
            name,
            kinds,
            nanos: kinds.iter().map(|_| Default::default()).collect(),
        }
    }

    /// Runs `work` and adds its time to kind `kind` (an index into the
    /// kinds) when timings are on.
    pub fn time<T>(&self, kind: usize, work: impl FnOnce() -> T) -> T {
        if !enabled() {
            return work();
        }
        let start = Instant::now();
        let value = work();
        let spent = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos[kind].fetch_add(spent, std::sync::atomic::Ordering::Relaxed);
        value
    }

    /// Prints the kinds with time, most first.
    pub fn end(self) {
        if !enabled() {
            return;
        }
        let mut spent: Vec<(u64, &str)> = self
            .nanos
            .iter()
            .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
            .zip(self.kinds.iter().copied())
            .filter(|&(n, _)| n > 0)
            .collect();
        spent.sort_unstable_by(|a, b| b.cmp(a));
        for (n, kind) in spent {
            eprintln!(
                "timing: {}: {kind} {:.3} thread s",
                self.name,
                n as f64 / 1e9
            );
        }
    }
}
