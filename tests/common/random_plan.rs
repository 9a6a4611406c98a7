//! Random inventories for the property tests of `gate` and `slots`: six
//! systems with a chain of critical integrations and a batch run, weekly
//! windows, one-off freezes (hard and soft), recurring peaks, and a few
//! changes with phases around the spring DST change in Europe/Berlin.
//! Changes are free of risk errors (rollback, no stateful system, no
//! approval needed), so every error on one is a schedule or time rule.

use proptest::prelude::*;

/// A phase: systems (indices), start (minutes from 2026-03-20 00:00
/// local), duration in minutes.
#[derive(Debug, Clone)]
pub struct PhaseSpec {
    pub systems: Vec<usize>,
    pub start: u32,
    pub minutes: u32,
    /// When set, the start is written as this instant (UTC) instead.
    pub at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ChangeSpec {
    pub owner: usize,
    pub active: bool,
    pub announced: bool,
    pub rollback: u32,
    pub phases: Vec<PhaseSpec>,
}

#[derive(Debug, Clone)]
pub struct PeriodSpec {
    /// Bit set of weekdays MO..SU (windows and peaks), or for freezes the
    /// start in minutes from 2026-03-20 00:00.
    pub when: u32,
    pub start_hour: u32,
    pub minutes: u32,
    /// Scope: bit set of systems; 0 = every system.
    pub scope: u32,
    pub hard: bool,
}

#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub min_soak: u32,
    pub windows: Vec<PeriodSpec>,
    pub freezes: Vec<PeriodSpec>,
    pub peaks: Vec<PeriodSpec>,
    pub run_start: u32,
    pub changes: Vec<ChangeSpec>,
    /// 0: defaults; 1: peaks are errors; 2: rollbacks past the window are
    /// errors; 3: soft freezes off.
    pub rules: u32,
}

pub const SYSTEMS: usize = 6;
const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn local(minutes: u32) -> String {
    let at = jiff::civil::date(2026, 3, 20).at(0, 0, 0, 0)
        + jiff::Span::new().minutes(i64::from(minutes));
    at.to_string()
}

fn scope(bits: u32) -> String {
    if bits == 0 {
        return "systems = [\"*\"]".into();
    }
    let ids: Vec<String> = (0..SYSTEMS)
        .filter(|s| bits & (1 << s) != 0)
        .map(|s| format!("\"s{s}\""))
        .collect();
    format!("systems = [{}]", ids.join(", "))
}

fn weekly(bits: u32) -> String {
    let days: Vec<&str> = (0..7)
        .filter(|d| bits & (1 << d) != 0)
        .map(|d| DAYS[d])
        .collect();
    if days.is_empty() {
        "SU".into()
    } else {
        days.join(",")
    }
}

impl PlanSpec {
    /// The inventory's files: `cutover.toml` and `plan.toml`.
    pub fn render(&self) -> (String, String) {
        let mut config = format!(
            "[site]\ntimezone = \"Europe/Berlin\"\n[policy]\nnotice = \"2d\"\nmin_soak = \"{}m\"\n",
            self.min_soak
        );
        match self.rules {
            1 => config.push_str("[rules]\npeak-overlap = \"error\"\n"),
            2 => config.push_str("[rules]\nrollback-exceeds-window = \"error\"\n"),
            3 => config.push_str("[rules]\nfreeze-conflict = \"warning\"\n"),
            _ => {}
        }
        let mut t = String::from(
            "[[team]]\nid = \"t0\"\nname = \"T0\"\n[[team]]\nid = \"t1\"\nname = \"T1\"\n",
        );
        for s in 0..SYSTEMS {
            t.push_str(&format!(
                "[[system]]\nid = \"s{s}\"\nname = \"S{s}\"\nowner = \"t0\"\ncriticality = \"low\"\n"
            ));
        }
        for (i, (c, p, critical)) in [(1, 0, true), (2, 1, true), (3, 0, false), (5, 4, true)]
            .iter()
            .enumerate()
        {
            t.push_str(&format!(
                "[[integration]]\nid = \"i{i}\"\nconsumer = \"s{c}\"\nprovider = \"s{p}\"\ncritical = {critical}\n"
            ));
        }
        t.push_str(&format!(
            "[[integration]]\nid = \"run\"\nconsumer = \"s4\"\nprovider = \"s3\"\ncritical = false\nruns = {{ rrule = \"FREQ=DAILY\", start = \"{:02}:{:02}\", duration = \"40m\" }}\n",
            self.run_start / 60 % 24,
            self.run_start % 60
        ));
        for (i, w) in self.windows.iter().enumerate() {
            t.push_str(&format!(
                "[[window]]\nid = \"w{i}\"\nname = \"W\"\nrrule = \"FREQ=WEEKLY;BYDAY={}\"\nstart = \"{:02}:00\"\nduration = \"{}m\"\n{}\n",
                weekly(w.when),
                w.start_hour % 24,
                w.minutes,
                scope(w.scope)
            ));
        }
        for (i, f) in self.freezes.iter().enumerate() {
            t.push_str(&format!(
                "[[freeze]]\nid = \"f{i}\"\nname = \"F\"\nfrom = {}\nuntil = {}\nhard = {}\n{}\n",
                local(f.when),
                local(f.when + f.minutes),
                f.hard,
                scope(f.scope)
            ));
        }
        for (i, p) in self.peaks.iter().enumerate() {
            t.push_str(&format!(
                "[[peak]]\nid = \"p{i}\"\nname = \"P\"\nrrule = \"FREQ=WEEKLY;BYDAY={}\"\nstart = \"{:02}:00\"\nduration = \"{}m\"\n{}\n",
                weekly(p.when),
                p.start_hour % 24,
                p.minutes,
                scope(p.scope)
            ));
        }
        for (c, change) in self.changes.iter().enumerate() {
            let mut systems: Vec<usize> = change
                .phases
                .iter()
                .flat_map(|p| p.systems.clone())
                .collect();
            systems.sort_unstable();
            systems.dedup();
            let ids: Vec<String> = systems.iter().map(|s| format!("\"s{s}\"")).collect();
            t.push_str(&format!(
                "[[change]]\nid = \"c{c}\"\ntitle = \"C\"\nowner = \"t{}\"\nstatus = \"{}\"\nsystems = [{}]\nsummary = \"s\"\nwhy = \"w\"\n",
                change.owner,
                if change.active { "proposed" } else { "cancelled" },
                ids.join(", ")
            ));
            if change.announced {
                t.push_str("announced = 2026-03-01\n");
            }
            for (p, phase) in change.phases.iter().enumerate() {
                let ids: Vec<String> = phase.systems.iter().map(|s| format!("\"s{s}\"")).collect();
                let start = match phase.at {
                    Some(at) => jiff::Timestamp::from_second(at)
                        .unwrap()
                        .strftime("%Y-%m-%dT%H:%M:%SZ")
                        .to_string(),
                    None => local(phase.start),
                };
                t.push_str(&format!(
                    "[[change.phase]]\nname = \"p{p}\"\nstart = {start}\nduration = \"{}m\"\nsystems = [{}]\n",
                    phase.minutes,
                    ids.join(", ")
                ));
            }
            t.push_str(&format!(
                "[change.rollback]\nsteps = [\"undo\"]\ntime = \"{}m\"\n",
                change.rollback
            ));
        }
        (config, t)
    }

    /// Writes the inventory into `dir` (replacing what is there).
    pub fn write(&self, dir: &std::path::Path) {
        let (config, plan) = self.render();
        std::fs::write(dir.join("cutover.toml"), config).unwrap();
        std::fs::write(dir.join("plan.toml"), plan).unwrap();
    }
}

fn systems() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::btree_set(0..SYSTEMS, 1..3).prop_map(|s| s.into_iter().collect())
}

fn period(max_minutes: u32) -> impl Strategy<Value = PeriodSpec> {
    (
        1u32..128,
        0u32..24,
        30..max_minutes,
        0u32..64,
        any::<bool>(),
    )
        .prop_map(|(when, start_hour, minutes, scope, hard)| PeriodSpec {
            when,
            start_hour,
            minutes: minutes / 30 * 30,
            scope,
            hard,
        })
}

fn freeze() -> impl Strategy<Value = PeriodSpec> {
    (
        0u32..(21 * 1440),
        60u32..(3 * 1440),
        0u32..64,
        prop::bool::weighted(0.6),
    )
        .prop_map(|(when, minutes, scope, hard)| PeriodSpec {
            when: when / 30 * 30,
            start_hour: 0,
            minutes: minutes / 30 * 30,
            scope,
            hard,
        })
}

fn phase() -> impl Strategy<Value = PhaseSpec> {
    (systems(), 0u32..(21 * 1440), 30u32..300).prop_map(|(systems, start, minutes)| PhaseSpec {
        systems,
        start: start / 15 * 15,
        minutes: minutes / 15 * 15,
        at: None,
    })
}

fn change() -> impl Strategy<Value = ChangeSpec> {
    (
        0usize..2,
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.7),
        0u32..4,
        prop::collection::vec(phase(), 1..4),
    )
        .prop_map(|(owner, active, announced, rollback, phases)| ChangeSpec {
            owner,
            active,
            announced,
            rollback: rollback * 20,
            phases,
        })
}

/// A random plan.
pub fn plan() -> impl Strategy<Value = PlanSpec> {
    (
        0u32..3,
        prop::collection::vec(
            period(12 * 60).prop_map(|mut w| {
                // Half the windows apply to every system.
                if w.scope < 32 {
                    w.scope = 0;
                }
                w
            }),
            1..4,
        ),
        prop::collection::vec(freeze(), 0..3),
        prop::collection::vec(period(6 * 60), 0..3),
        0u32..1440,
        prop::collection::vec(change(), 1..5),
        0u32..6,
    )
        .prop_map(
            |(soak, windows, freezes, peaks, run_start, changes, rules)| PlanSpec {
                min_soak: soak * 30,
                windows,
                freezes,
                peaks,
                run_start,
                changes,
                rules: if rules > 3 { 0 } else { rules },
            },
        )
}
