//! Render stage: the calendar's [`Plan`], computed once per build: the
//! months with a page, the occurrences of each period over the grids and
//! the phases and monitoring periods in them, each with its worst finding.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{add_days, monday};
use crate::base::time::{Interval, at_second, day_start};
use crate::base::{Level, Rule, Subject};
use crate::check::Checked;
use crate::model::Status;

/// A phase placed on the calendar.
pub struct PhaseItem {
    /// The index of its change in the model.
    pub change: usize,
    /// Its index among the change's phases (as written, not start order).
    pub phase: usize,
    /// When it runs.
    pub interval: Interval,
    /// Its worst finding (warning or worse) and those rules.
    pub level: Option<Level>,
    /// See `level`: the rules of those findings, each once.
    pub rules: Vec<&'static str>,
}

/// A change's monitoring period: from the end of its last phase for its
/// `monitoring.duration` (cancelled changes have none).
pub struct MonitoringItem {
    /// The index of the change in the model.
    pub change: usize,
    /// When the watch lasts.
    pub interval: Interval,
    /// The worst of the monitoring findings (`short-monitoring`,
    /// `missing-metric`) on the change, warning or worse.
    pub level: Option<Level>,
}

/// Everything the calendar pages read, computed once per build.
pub struct Plan<'a> {
    /// The checked plan the site is built from.
    pub checked: &'a Checked,
    /// The site's zone: every day and time of the calendar is in it.
    pub tz: TimeZone,
    /// The as-of date and the last day of the planning horizon.
    pub today: Date,
    /// See `today`.
    pub last: Date,
    /// Months with a page, from the as-of month to the horizon's last.
    pub months: Vec<Date>,
    /// Per period, its occurrences over the grids (touching ones merged).
    pub occurrences: Vec<Vec<Interval>>,
    /// Phases and monitoring periods in the grids, by start.
    pub phases: Vec<PhaseItem>,
    /// See `phases`.
    pub monitoring: Vec<MonitoringItem>,
    /// Every system in the order of a timeline's lanes (criticality,
    /// highest first, then id), once for every timeline of the site.
    pub lane_order: Vec<usize>,
}

/// The worst level (warning or worse) and rules of the findings about
/// each phase, and of the monitoring findings about each change.
#[allow(clippy::type_complexity)]
fn worst_findings(
    checked: &Checked,
) -> (
    BTreeMap<(usize, usize), (Level, Vec<&'static str>)>,
    BTreeMap<usize, Level>,
) {
    let mut phases: BTreeMap<(usize, usize), (Level, Vec<&'static str>)> = BTreeMap::new();
    let mut watch: BTreeMap<usize, Level> = BTreeMap::new();
    for finding in checked
        .findings
        .iter()
        .filter(|f| f.level >= Level::Warning)
    {
        for subject in finding.subject_refs() {
            match subject {
                Subject::Phase { change, phase } => {
                    let entry = phases
                        .entry((change, phase))
                        .or_insert((finding.level, Vec::new()));
                    entry.0 = entry.0.max(finding.level);
                    if !entry.1.contains(&finding.rule.name()) {
                        entry.1.push(finding.rule.name());
                    }
                }
                Subject::Change(change)
                    if matches!(finding.rule, Rule::ShortMonitoring | Rule::MissingMetric) =>
                {
                    let level = watch.entry(change).or_insert(finding.level);
                    *level = (*level).max(finding.level);
                }
                _ => {}
            }
        }
    }
    (phases, watch)
}

/// Touching or overlapping intervals merged, in order.
fn merged(mut list: Vec<Interval>) -> Vec<Interval> {
    list.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(list.len());
    for interval in list {
        match out.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => out.push(interval),
        }
    }
    out
}

impl<'a> Plan<'a> {
    /// The months of the planning horizon of the analysis (from the as-of
    /// date to the end of the last phase of an active change, at least 8
    /// weeks, at most two years), with the occurrences the analysis expanded
    /// over it: nothing is expanded here.
    pub fn new(checked: &'a Checked) -> Plan<'a> {
        let model = &checked.model;
        let tz = model.config.site.timezone.tz.clone();
        let today = checked.as_of;
        let last = checked
            .facts
            .horizon
            .end
            .timestamp()
            .to_zoned_datetime(tz.clone())
            .date();
        let mut months = Vec::new();
        let mut month = today.first_of_month();
        while month <= last {
            months.push(month);
            month = month
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(Date::MAX);
        }
        // The grids run from the Monday before the first month's first day
        // to the Sunday after the last month's last day; occurrences are
        // known from the as-of date on.
        let grid = Interval {
            start: day_start(monday(today.first_of_month()), &tz)
                .timestamp()
                .as_second(),
            end: day_start(add_days(monday(last.last_of_month()), 7), &tz)
                .timestamp()
                .as_second(),
        };
        let calendar = &checked.facts.calendar;
        let occurrences = (0..model.periods.len())
            .map(|ix| {
                merged(
                    calendar
                        .occurrences(ix)
                        .iter()
                        .filter(|o| o.overlaps(grid))
                        .copied()
                        .collect(),
                )
            })
            .collect();
        let (worst, watch) = worst_findings(checked);
        let mut phases = Vec::new();
        let mut monitoring = Vec::new();
        for (c, change) in model.changes.iter().enumerate() {
            let facts = &checked.facts.changes[c];
            for (p, time) in facts.phases.iter().enumerate() {
                if time.interval.overlaps(grid) {
                    let (level, rules) = match worst.get(&(c, p)) {
                        Some((level, rules)) => (Some(*level), rules.clone()),
                        None => (None, Vec::new()),
                    };
                    phases.push(PhaseItem {
                        change: c,
                        phase: p,
                        interval: time.interval,
                        level,
                        rules,
                    });
                }
            }
            if let (Some(end), Some(duration)) = (
                facts.last_end(),
                change.monitoring.as_ref().and_then(|m| m.duration.as_ref()),
            ) {
                let interval = Interval {
                    start: end.timestamp().as_second(),
                    end: duration.value.after(end).timestamp().as_second(),
                };
                if interval.overlaps(grid) && change.status.value != Status::Cancelled {
                    monitoring.push(MonitoringItem {
                        change: c,
                        interval,
                        level: watch.get(&c).copied(),
                    });
                }
            }
        }
        phases.sort_by_key(|p| (p.interval.start, p.change, p.phase));
        monitoring.sort_by_key(|m| (m.interval.start, m.change));
        let systems = &checked.model.systems;
        let mut lane_order: Vec<usize> = (0..systems.len()).collect();
        lane_order.sort_by(|&a, &b| {
            let (sa, sb) = (&systems[a], &systems[b]);
            (std::cmp::Reverse(sa.criticality.value), &sa.id.value)
                .cmp(&(std::cmp::Reverse(sb.criticality.value), &sb.id.value))
        });
        Plan {
            checked,
            tz,
            today,
            last,
            months,
            occurrences,
            phases,
            monitoring,
            lane_order,
        }
    }

    /// First instant of `date` in the site's zone, in seconds.
    pub fn midnight(&self, date: Date) -> i64 {
        day_start(date, &self.tz).timestamp().as_second()
    }

    /// The date of an instant in the site's zone.
    pub fn date_of(&self, seconds: i64) -> Date {
        at_second(seconds, &self.tz).date()
    }

    /// "19:00" in the site's zone.
    pub(super) fn clock(&self, seconds: i64) -> String {
        at_second(seconds, &self.tz).strftime("%H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::calendar::DAY;

    #[test]
    fn touching_occurrences_merge_into_one_band() {
        let iv = |start, end| Interval { start, end };
        assert_eq!(
            merged(vec![
                iv(2 * DAY, 3 * DAY),
                iv(0, DAY),
                iv(DAY, 2 * DAY),
                iv(5 * DAY, 6 * DAY)
            ]),
            vec![iv(0, 3 * DAY), iv(5 * DAY, 6 * DAY)]
        );
    }
}
