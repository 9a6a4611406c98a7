//! Analysis stage: facts derived from the model (phase instants, impact)
//! and the plan rules that use them. Runs only on a model that loaded
//! without errors, so every reference is resolved.

pub mod empty_period;
pub mod impact;
pub mod risk;
pub mod schedule;
pub mod score;

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::base::time::Interval;
use crate::base::time::resolve_local;
use crate::base::{Finding, Rule};
use crate::model::{DateTime, Model};
pub use impact::Impact;

/// A phase placed in time.
#[derive(Debug, Clone)]
pub struct PhaseTime {
    pub start: ZonedDateTime,
    pub end: ZonedDateTime,
    pub interval: Interval,
    /// Changed systems of the phase (indices, sorted).
    pub systems: Vec<usize>,
}

/// What the analysis knows about one change.
#[derive(Debug, Clone)]
pub struct ChangeFacts {
    /// The zone its local datetimes are read in.
    pub tz: TimeZone,
    pub phases: Vec<PhaseTime>,
    /// Changed systems: the union over phases (indices, sorted).
    pub changed: Vec<usize>,
    pub impact: Impact,
}

impl ChangeFacts {
    /// Indices of its phases in start order (ties by written order).
    pub fn phase_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.phases.len()).collect();
        order.sort_by_key(|&i| (self.phases[i].interval.start, i));
        order
    }

    pub fn first_start(&self) -> Option<&ZonedDateTime> {
        self.phases
            .iter()
            .map(|p| &p.start)
            .min_by_key(|z| z.timestamp())
    }

    pub fn last_end(&self) -> Option<&ZonedDateTime> {
        self.phases
            .iter()
            .map(|p| &p.end)
            .max_by_key(|z| z.timestamp())
    }
}

/// Everything the analysis derived, for reports and pages.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Parallel to `model.changes`.
    pub changes: Vec<ChangeFacts>,
}

/// A zone for each change: its own, else the site's.
fn change_zone(model: &Model, ix: usize) -> TimeZone {
    model.changes[ix]
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
        .tz
        .clone()
}

/// Places every phase in time; reports starts in DST gaps and folds.
fn phase_times(model: &Model, findings: &mut Vec<Finding>) -> Vec<(TimeZone, Vec<PhaseTime>)> {
    (0..model.changes.len())
        .map(|ix| {
            let change = &model.changes[ix];
            let tz = change_zone(model, ix);
            let phases = change
                .phases
                .iter()
                .map(|phase| {
                    let start = match phase.start.value {
                        DateTime::Offset(ts) => ts.to_zoned_datetime(tz.clone()),
                        DateTime::Local(local) => {
                            if change.status.value.is_active() {
                                local_time_rules(model, ix, &tz, local, phase, findings);
                            }
                            resolve_local(&tz, local)
                        }
                    };
                    let end = phase.duration.value.after(&start);
                    let mut systems: Vec<usize> = phase.systems.iter().map(|r| r.ix).collect();
                    systems.sort_unstable();
                    systems.dedup();
                    PhaseTime {
                        interval: Interval {
                            start: start.timestamp().as_second(),
                            end: end.timestamp().as_second(),
                        },
                        start,
                        end,
                        systems,
                    }
                })
                .collect();
            (tz, phases)
        })
        .collect()
}

/// `nonexistent-local-time` and `ambiguous-local-time` for one phase start.
fn local_time_rules(
    model: &Model,
    ix: usize,
    tz: &TimeZone,
    local: jiff::civil::DateTime,
    phase: &crate::model::Phase,
    findings: &mut Vec<Finding>,
) {
    let change = &model.changes[ix];
    let zone_name = tz.iana_name().unwrap_or("its zone");
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Gap { before, after } => {
            let moved = resolve_local(tz, local);
            findings.push(
                Finding::new(
                    Rule::NonexistentLocalTime,
                    phase.start.loc.clone(),
                    format!(
                        "phase \"{}\" starts at {local}, which does not exist in {zone_name}: clocks jump from {before} to {after} there; it would start at {}",
                        phase.name,
                        crate::base::time::moment(&moved)
                    ),
                )
                .change(change.id.value.clone())
                .help("pick a start outside the DST gap, or write it with an offset (2026-03-29T03:30:00+02:00)"),
            );
        }
        AmbiguousOffset::Fold { before, after } => {
            let earlier = resolve_local(tz, local);
            findings.push(
                Finding::new(
                    Rule::AmbiguousLocalTime,
                    phase.start.loc.clone(),
                    format!(
                        "phase \"{}\" starts at {local}, which happens twice in {zone_name} (offsets {before} and {after}); the earlier one is used: {}",
                        phase.name,
                        crate::base::time::moment(&earlier)
                    ),
                )
                .change(change.id.value.clone())
                .help("write the start with an offset (such as 2026-11-01T01:30:00-04:00) to say which one you mean"),
            );
        }
        AmbiguousOffset::Unambiguous { .. } => {}
    }
}

/// Derives the facts of every change and runs every plan rule.
pub fn analyse(model: &Model, as_of: Date) -> (Facts, Vec<Finding>) {
    let mut findings = Vec::new();
    let times = phase_times(model, &mut findings);
    let graph = impact::Graph::new(model);
    let changes: Vec<ChangeFacts> = times
        .into_iter()
        .map(|(tz, phases)| {
            let mut changed: Vec<usize> = phases
                .iter()
                .flat_map(|p| p.systems.iter().copied())
                .collect();
            changed.sort_unstable();
            changed.dedup();
            let impact = graph.impact(&changed);
            ChangeFacts {
                tz,
                phases,
                changed,
                impact,
            }
        })
        .collect();
    let facts = Facts { changes };
    impact::cycles(model, &mut findings);
    empty_period::empty_period(model, as_of, &mut findings);
    schedule::rules(model, &facts, as_of, &mut findings);
    risk::rules(model, &facts, &mut findings);
    (facts, findings)
}
