//! Analysis stage: the expanded calendar, kept in the facts. Occurrences of
//! every period (window, freeze, peak) and of every batch run, as instants,
//! over the planning horizon and around every phase of an active change;
//! which systems each period applies to. Rules, pages and commands ask it
//! instead of expanding anything themselves.
//!
//! Expansion is bounded: recurrences are expanded only over the spans the
//! plan needs ([`Calendar::spans`]: the planning horizon, at most two years,
//! and clusters of active phases), so a phase written for a far-away year
//! costs a few occurrences, not every day in between.

use fixedbitset::FixedBitSet;
use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::analysis::ChangeFacts;
use crate::base::time::{Interval, day_start};
use crate::model::{Model, Period, PeriodKind};
use crate::schedule::occurrences::{self, Horizon};

/// A period's zone: its own, else the site's.
pub fn period_zone<'m>(model: &'m Model, period: &'m Period) -> &'m TimeZone {
    &period
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
        .tz
}

/// The planning horizon: from midnight of the as-of date in the site's zone
/// to the latest end of a phase of an active change, at least 8 weeks and
/// at most two years after its start. The calendar page shows it; every
/// occurrence overlapping it is in the [`Calendar`].
#[derive(Debug, Clone)]
pub struct PlanningHorizon {
    /// Midnight of the as-of date, in the site's zone.
    pub start: ZonedDateTime,
    /// Its end, in the zone of the change whose phase ends last (the site's
    /// zone when the 8-week minimum or the two-year cap decides).
    pub end: ZonedDateTime,
}

impl Default for PlanningHorizon {
    fn default() -> PlanningHorizon {
        let epoch = jiff::Timestamp::UNIX_EPOCH.to_zoned_datetime(TimeZone::UTC);
        PlanningHorizon {
            start: epoch.clone(),
            end: epoch,
        }
    }
}

impl PlanningHorizon {
    /// The horizon of a plan checked at `as_of`.
    pub fn new(model: &Model, changes: &[ChangeFacts], as_of: Date) -> PlanningHorizon {
        let site = &model.config.site.timezone.tz;
        let start = day_start(as_of, site);
        let mut end = start
            .checked_add(jiff::Span::new().weeks(8))
            .unwrap_or_else(|_| start.clone());
        for (c, change) in model.changes.iter().enumerate() {
            if change.status.value.is_active()
                && let Some(last) = changes.get(c).and_then(|f| f.last_end())
                && last.timestamp() > end.timestamp()
            {
                end = last.clone();
            }
        }
        let cap = start
            .checked_add(jiff::Span::new().years(2))
            .unwrap_or_else(|_| start.clone());
        if end.timestamp() > cap.timestamp() {
            end = cap;
        }
        PlanningHorizon { start, end }
    }

    /// As an interval of instants.
    pub fn interval(&self) -> Interval {
        Interval {
            start: self.start.timestamp().as_second(),
            end: self.end.timestamp().as_second(),
        }
    }
}

/// Occurrences of periods and batch runs, and the scopes of periods.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Where occurrences are complete: every occurrence overlapping one of
    /// these spans is listed (sorted, disjoint). They hold the planning
    /// horizon and every phase of an active change (with its rollback time
    /// and an hour after it).
    pub spans: Vec<Interval>,
    /// Per period: its zone.
    zones: Vec<TimeZone>,
    /// Per period: the systems it applies to.
    scopes: Vec<FixedBitSet>,
    /// Per period: its occurrences, sorted by start, without repeats.
    periods: Vec<Vec<Interval>>,
    /// Per integration, per run (in written order): its occurrences,
    /// sorted. Runs stay apart: each has one length, which the occurrence
    /// search relies on.
    runs: Vec<Vec<Vec<Interval>>>,
    /// Per system: integrations with runs that have it at either end.
    runs_of: Vec<Vec<usize>>,
    /// Per system: the periods that apply to it, by id.
    periods_of: Vec<Vec<usize>>,
    /// Per system: the windows that apply to it, by id.
    windows_of: Vec<Vec<usize>>,
}

/// The systems each period applies to.
pub fn scopes(model: &Model) -> Vec<FixedBitSet> {
    let n = model.systems.len();
    model
        .periods
        .par_iter()
        .map(|period| {
            let mut set = FixedBitSet::with_capacity(n);
            let scope = &period.scope;
            if scope.everything {
                set.insert_range(..);
                return set;
            }
            set.extend(scope.systems.iter().map(|r| r.ix));
            for process in &scope.processes {
                set.extend(model.processes[process.ix].systems.iter().map(|r| r.ix));
            }
            if !scope.tags.is_empty() {
                for (ix, system) in model.systems.iter().enumerate() {
                    if system.tags.iter().any(|tag| scope.tags.contains(tag)) {
                        set.insert(ix);
                    }
                }
            }
            set
        })
        .collect()
}

impl Calendar {
    /// Expands every period and run over the horizon and around the
    /// phases of active changes (`changes` parallel to `model.changes`).
    pub fn new(model: &Model, changes: &[ChangeFacts], horizon: &PlanningHorizon) -> Calendar {
        let mut needed = vec![horizon.interval()];
        for (ix, change) in model.changes.iter().enumerate() {
            if !change.status.value.is_active() {
                continue;
            }
            let rollback = change
                .rollback
                .as_ref()
                .and_then(|r| r.time.as_ref())
                .map_or(0, |t| {
                    i64::from(t.value.days) * 86_400 + i64::from(t.value.minutes) * 60
                });
            for phase in &changes[ix].phases {
                needed.push(Interval {
                    start: phase.interval.start,
                    end: phase.interval.end.max(phase.interval.start) + rollback + 3600,
                });
            }
        }
        let spans = Horizon::new(needed);
        let scopes = scopes(model);
        let zones: Vec<TimeZone> = model
            .periods
            .iter()
            .map(|period| period_zone(model, period).clone())
            .collect();
        // Expanded on every core: each period and run alone, collected in
        // model order.
        let periods = model
            .periods
            .par_iter()
            .zip(&zones)
            .map(|(period, tz)| occurrences::occurrences(&period.when, tz, &spans))
            .collect();
        let site = &model.config.site.timezone.tz;
        let runs = model
            .integrations
            .par_iter()
            .map(|integration| {
                integration
                    .runs
                    .iter()
                    .map(|run| {
                        let tz = run.timezone.as_ref().map_or(site, |z| &z.value.tz);
                        occurrences::recurring(run, tz, &spans)
                    })
                    .collect()
            })
            .collect();
        let mut runs_of = vec![Vec::new(); model.systems.len()];
        for (ix, integration) in model.integrations.iter().enumerate() {
            if !integration.runs.is_empty() {
                runs_of[integration.consumer.ix].push(ix);
                if integration.provider.ix != integration.consumer.ix {
                    runs_of[integration.provider.ix].push(ix);
                }
            }
        }
        let mut periods_of = vec![Vec::new(); model.systems.len()];
        let mut windows_of = vec![Vec::new(); model.systems.len()];
        let mut by_id: Vec<usize> = (0..model.periods.len()).collect();
        by_id.sort_by(|&a, &b| model.periods[a].id.value.cmp(&model.periods[b].id.value));
        for ix in by_id {
            let window = model.periods[ix].kind == PeriodKind::Window;
            for system in scopes[ix].ones() {
                periods_of[system].push(ix);
                if window {
                    windows_of[system].push(ix);
                }
            }
        }
        Calendar {
            spans: spans.spans,
            zones,
            scopes,
            periods,
            runs,
            runs_of,
            periods_of,
            windows_of,
        }
    }

    /// Occurrences of period `period` (index into `model.periods`), sorted
    /// by start; complete within [`Calendar::spans`].
    pub fn occurrences(&self, period: usize) -> &[Interval] {
        &self.periods[period]
    }

    /// The zone period `period`'s occurrences are read in.
    pub fn zone(&self, period: usize) -> &TimeZone {
        &self.zones[period]
    }

    /// The systems period `period` applies to.
    pub fn scope(&self, period: usize) -> &FixedBitSet {
        &self.scopes[period]
    }

    /// Whether period `period` applies to system `system`.
    pub fn applies(&self, period: usize, system: usize) -> bool {
        self.scopes[period].contains(system)
    }

    /// The periods (of every kind) that apply to system `system`, by id.
    pub fn periods_applying_to(&self, system: usize) -> &[usize] {
        &self.periods_of[system]
    }

    /// The windows that apply to system `system`, by id.
    pub fn windows_of(&self, system: usize) -> &[usize] {
        &self.windows_of[system]
    }

    /// Occurrences of period `period` that overlap `span`, latest first.
    pub fn overlapping(&self, period: usize, span: Interval) -> impl Iterator<Item = &Interval> {
        occurrences::overlapping(&self.periods[period], span)
    }

    /// The occurrences of periods applying to `system` that overlap `span`:
    /// (period index, occurrence), periods by id, occurrences by start.
    pub fn applying_overlapping(&self, system: usize, span: Interval) -> Vec<(usize, Interval)> {
        let mut out = Vec::new();
        for &period in &self.periods_of[system] {
            let mut hits: Vec<Interval> = self.overlapping(period, span).copied().collect();
            hits.reverse();
            out.extend(hits.into_iter().map(|o| (period, o)));
        }
        out
    }

    /// Occurrences of run `run` of integration `integration`, sorted.
    pub fn run_occurrences(&self, integration: usize, run: usize) -> &[Interval] {
        &self.runs[integration][run]
    }

    /// Per run of integration `integration`: its occurrences.
    pub fn runs(&self, integration: usize) -> &[Vec<Interval>] {
        &self.runs[integration]
    }

    /// Integrations with runs that have system `system` at either end.
    pub fn runs_of(&self, system: usize) -> &[usize] {
        &self.runs_of[system]
    }

    /// The occurrence of a window applying to `system` that holds `phase`
    /// and ends latest, with the window's index (among equal ends the
    /// first window by id).
    pub fn holding_window(&self, system: usize, phase: Interval) -> Option<(usize, Interval)> {
        self.windows_of[system]
            .iter()
            .filter_map(|&w| occurrences::holding(&self.periods[w], phase).map(|o| (w, o)))
            .fold(None, |best: Option<(usize, Interval)>, (w, o)| match best {
                Some((_, b)) if b.end >= o.end => best,
                _ => Some((w, o)),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVENTORY: &str = r#"
[[team]]
id = "t"
name = "T"
[[system]]
id = "db"
name = "DB"
owner = "t"
criticality = "low"
tags = ["data"]
[[system]]
id = "web"
name = "Web"
owner = "t"
criticality = "low"
[[window]]
id = "sunday"
name = "Sunday"
rrule = "FREQ=WEEKLY;BYDAY=SU"
start = "01:00"
duration = "5h"
systems = ["db"]
[[freeze]]
id = "xmas"
name = "Christmas"
from = 2026-12-20T00:00:00
until = 2027-01-02T00:00:00
tags = ["data"]
[[peak]]
id = "days"
name = "Days"
rrule = "FREQ=DAILY"
start = "08:00"
duration = "10h"
[[change]]
id = "c"
title = "C"
owner = "t"
status = "proposed"
systems = ["db"]
summary = "s"
why = "w"
[[change.phase]]
name = "p"
start = 2031-03-02T02:00:00
duration = "1h"
"#;

    fn calendar() -> (Model, super::super::Facts) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inv.toml"), INVENTORY).unwrap();
        let loaded = crate::inventory::load(dir.path()).unwrap();
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let (facts, _) = crate::analysis::analyse(&loaded.model, Date::constant(2026, 11, 24));
        (loaded.model, facts)
    }

    #[test]
    fn horizon_is_eight_weeks_to_two_years_from_the_as_of_date() {
        let (_, facts) = calendar();
        // The phase in 2031 is past the two-year cap.
        assert_eq!(
            facts.horizon.start.to_string(),
            "2026-11-24T00:00:00+00:00[UTC]"
        );
        assert_eq!(facts.horizon.end.date(), Date::constant(2028, 11, 24));
    }

    #[test]
    fn occurrences_cover_the_horizon_and_the_far_phase_only() {
        let (model, facts) = calendar();
        let cal = &facts.calendar;
        let days = model
            .periods
            .iter()
            .position(|p| p.id.value == "days")
            .unwrap();
        // Two years of daily peaks, and the few days around the 2031 phase.
        let occurrences = cal.occurrences(days);
        let in_horizon = occurrences
            .iter()
            .filter(|o| o.overlaps(facts.horizon.interval()))
            .count();
        assert!((730..=733).contains(&in_horizon), "{in_horizon}");
        assert!(occurrences.len() - in_horizon < 10, "{}", occurrences.len());
        assert!(occurrences.windows(2).all(|w| w[0].start < w[1].start));
    }

    #[test]
    fn periods_applying_to_a_system_by_scope() {
        let (model, facts) = calendar();
        let cal = &facts.calendar;
        let ids = |s: usize| -> Vec<&str> {
            cal.periods_applying_to(s)
                .iter()
                .map(|&p| model.periods[p].id.value.as_str())
                .collect()
        };
        // db: the window by system, the freeze by tag, the peak by default.
        assert_eq!(ids(0), ["days", "sunday", "xmas"]);
        assert_eq!(ids(1), ["days"]);
        assert_eq!(cal.windows_of(0).len(), 1);
        assert!(cal.windows_of(1).is_empty());
    }

    #[test]
    fn overlapping_occurrences_of_what_applies_to_a_system() {
        let (model, facts) = calendar();
        let cal = &facts.calendar;
        // Sunday 2026-12-20 00:00 to 12:00 UTC: the freeze starts, the
        // window runs 01:00-06:00, the peak from 08:00.
        let start = crate::base::time::day_start(Date::constant(2026, 12, 20), &TimeZone::UTC)
            .timestamp()
            .as_second();
        let span = Interval {
            start,
            end: start + 12 * 3600,
        };
        let hits: Vec<(&str, i64)> = cal
            .applying_overlapping(0, span)
            .into_iter()
            .map(|(p, o)| (model.periods[p].id.value.as_str(), (o.start - start) / 3600))
            .collect();
        assert_eq!(hits, [("days", 8), ("sunday", 1), ("xmas", 0)]);
        // The zone of each period: the site's (UTC) here.
        assert_eq!(cal.zone(0).iana_name(), Some("UTC"));
    }
}
