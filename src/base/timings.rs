//! Stage timings for benchmarks: with `CUTOVER_TIMINGS=1` in the
//! environment, each stage of a run (load, analyse, render and write...)
//! prints its wall time on stderr as `timing: STAGE 0.123 s`. Nothing is
//! printed otherwise, and nothing else reads the variable. On Linux the line
//! also gives the process's peak resident memory so far (`VmHWM`).

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CUTOVER_TIMINGS").is_some_and(|v| v == "1"))
}

/// A stage being timed; [`Stage::end`] prints it.
pub struct Stage {
    name: &'static str,
    start: Instant,
}

/// Starts timing the stage `name`.
pub fn start(name: &'static str) -> Stage {
    Stage {
        name,
        start: Instant::now(),
    }
}

impl Stage {
    /// Prints the stage's wall time when timings are on.
    pub fn end(self) {
        if enabled() {
            eprintln!(
                "timing: {} {:.3} s{}",
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
