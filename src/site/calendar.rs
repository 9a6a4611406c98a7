//! Render stage: the change calendar, month by month. `calendar/index.html`
//! shows the month of the as-of date and the next one, links every month
//! page and draws the timeline of the plan; `calendar/YYYY-MM.html` shows
//! one month as a week-by-day grid (no JavaScript, printable):
//!
//! - periods of a day or longer (a freeze, a peak, a one-off window) are
//!   bands across the days they cover, in the same slot on each day of a
//!   week, named on each day (visibly where the band starts and on phones);
//! - recurring periods shorter than a day (office hours, the Sunday window)
//!   are not repeated on each day but listed once per week with their rule
//!   spelled out ("every Sun 01:00–06:00");
//! - phases and monitoring periods are chips on the day they start, linked
//!   to their change and coloured by their worst finding.
//!
//! Every page is bounded whatever the size of the plan: a month page has at
//! most six weeks, each day at most [`CHIPS_PER_DAY`] chips and each week
//! [`BANDS_PER_WEEK`] bands and [`RECURRING_PER_WEEK`] recurring periods
//! (the rest are counted), its lists stop at [`MONTH_LIST`] and
//! [`PERIODS_LISTED`], and the timeline of the index spans at most
//! [`TIMELINE_WEEKS`] weeks and [`crate::site::timeline::LANES`] systems.
//!
//! Nothing is expanded here: the occurrences are those the analysis
//! expanded over the planning horizon (`facts.calendar`), which starts on
//! the as-of date, so the days of the first month before it are marked
//! past. [`Plan::new`] takes them once per build; every page reads them
//! from the plan.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::base::time::{Interval, at_second, day_start};
use crate::base::{Level, Rule, Subject};
use crate::check::Checked;
use crate::model::rrule::Freq;
use crate::model::{PeriodKind, Status, When as PeriodWhen, slug};
use crate::site::markdown::to_inline_html;
use crate::site::timeline;

/// Chips shown per day; the others are counted.
pub const CHIPS_PER_DAY: usize = 6;
/// Bands (slots) per week.
pub const BANDS_PER_WEEK: usize = 6;
/// Recurring periods listed per week.
pub const RECURRING_PER_WEEK: usize = 8;
/// Rows of a month's list of phases.
pub const MONTH_LIST: usize = 200;
/// Periods described per month.
pub const PERIODS_LISTED: usize = 50;
/// Weeks of the timeline on the calendar's index.
pub const TIMELINE_WEEKS: usize = 26;

/// One day (86,400 s): periods this long or longer are bands.
const DAY: i64 = 86_400;

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
}

/// Monday of the week of `date`.
pub fn monday(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
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
        for subject in &finding.subject_refs {
            match *subject {
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
        Plan {
            checked,
            tz,
            today,
            last,
            months,
            occurrences,
            phases,
            monitoring,
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
    fn clock(&self, seconds: i64) -> String {
        at_second(seconds, &self.tz).strftime("%H:%M").to_string()
    }
}

/// The page of a month: `YYYY-MM.html`.
pub fn month_file(month: Date) -> String {
    format!("{}.html", month.strftime("%Y-%m"))
}

/// A month with its weeks.
#[derive(Serialize)]
pub struct MonthView {
    /// "December 2026".
    pub title: String,
    /// `2026-12`, the id of its section.
    pub key: String,
    /// Its page: `2026-12.html`.
    pub file: String,
    /// Its weeks, Monday to Sunday: at most six.
    pub weeks: Vec<WeekView>,
    /// Recurring periods shorter than a day with the same rule every week
    /// of the month, listed once above the grid.
    pub every_week: Vec<RecurringLine>,
    /// Phases starting in the month, and how many in all and with errors.
    pub phases: Vec<PhaseRow>,
    /// Phases starting in the month past the [`MONTH_LIST`] in `phases`.
    pub more_phases: usize,
    /// Phases starting in the month in all.
    pub phase_count: usize,
    /// Of those, how many have an error.
    pub phases_with_errors: usize,
    /// Of those, how many have warnings but no error.
    pub phases_with_warnings: usize,
    /// The periods seen in the month, each described once.
    pub periods: Vec<PeriodRow>,
    /// Periods past the [`PERIODS_LISTED`] in `periods`.
    pub more_periods: usize,
}

/// One row of a month grid: a week from Monday, with a line below it for
/// what does not fit in the days.
#[derive(Serialize)]
pub struct WeekView {
    /// Every day of it lies before the as-of date: the analysis knows no
    /// occurrences there, and the week says so.
    pub past: bool,
    /// ISO week number and the Monday: "W52", "2026-12-21".
    pub number: String,
    /// See `number`.
    pub monday: String,
    /// Its seven days, Monday first.
    pub days: Vec<DayCell>,
    /// Recurring periods shorter than a day, once per week.
    pub recurring: Vec<RecurringLine>,
    /// Recurring periods past the [`RECURRING_PER_WEEK`] in `recurring`.
    pub more_recurring: usize,
    /// Bands that did not fit in the slots, by name.
    pub more_bands: Vec<String>,
}

/// One day of a month grid: its bands and chips.
#[derive(Serialize)]
pub struct DayCell {
    /// `2026-12-21`.
    pub date: String,
    /// "Mon 21 Dec".
    pub label: String,
    /// Its day of the month: 21.
    pub day: i8,
    /// It lies in the month of the grid (not in the neighbours' days that
    /// fill its first and last weeks).
    pub in_month: bool,
    /// It is the as-of date.
    pub today: bool,
    /// Before the as-of date.
    pub past: bool,
    /// Saturday or Sunday.
    pub weekend: bool,
    /// Nothing on it: no band, no chip (a phone hides such past days).
    pub empty: bool,
    /// One entry per band slot of the week (none: the slot is free that day).
    pub bands: Vec<Option<BandCell>>,
    /// What starts on it, by start: at most [`CHIPS_PER_DAY`].
    pub chips: Vec<Chip>,
    /// Chips past those in `chips`; the month's list of phases has them.
    pub more_chips: usize,
    /// Of those, how many have an error.
    pub more_with_errors: usize,
}

/// A day of a band.
#[derive(Serialize, Clone)]
pub struct BandCell {
    /// `freeze`, `peak` or `window`.
    pub kind: &'static str,
    /// The period's inventory id.
    pub id: String,
    /// The period's name, shown where the band starts.
    pub name: String,
    /// A hard freeze.
    pub hard: bool,
    /// The band starts (or enters the week) on this day: its name shows.
    pub first: bool,
    /// It ends on this day (or leaves the week).
    pub last: bool,
    /// It goes on before this week's first day or after its last one.
    pub from_before: bool,
    /// See `from_before`.
    pub to_after: bool,
    /// "Mon 21 Dec 00:00 – Mon 4 Jan 00:00".
    pub span: String,
}

/// A phase, monitoring period or short one-off period on its day.
#[derive(Serialize)]
pub struct Chip {
    /// `phase`, `monitoring`, or the period kind.
    pub kind: &'static str,
    /// "19:00–20:30".
    pub time: String,
    /// "CHG-2041" or the period's name.
    pub label: String,
    /// The phase's name, "monitoring 72h", or empty.
    pub detail: String,
    /// The overview of its change; none for a period.
    pub href: Option<String>,
    /// `error`, `warning` or none.
    pub level: Option<Level>,
    /// The rules of those findings, in its tooltip.
    pub rules: Vec<&'static str>,
    /// The change's status when it is not approved or is cancelled.
    pub status: Option<&'static str>,
}

/// A recurring period in one week.
#[derive(Serialize)]
pub struct RecurringLine {
    /// `window`, `peak` or `freeze`.
    pub kind: &'static str,
    /// The period's inventory id.
    pub id: String,
    /// The period's name.
    pub name: String,
    /// "every Sun 01:00–06:00".
    pub rule: String,
    /// The weekdays it occurs on this week (bit 0: Monday).
    #[serde(skip)]
    pub days: u8,
    /// The rule but its weekdays ("every|01:00–06:00"): a week that began
    /// before the as-of date, whose earlier days have no occurrences,
    /// follows the month's rule when this and the later days agree.
    #[serde(skip)]
    pub shape: String,
}

impl RecurringLine {
    /// Whether this line of a week follows `rule` (a line of the month)
    /// on the days from weekday `from` (0: Monday) on.
    fn follows(&self, rule: &RecurringLine, from: i8) -> bool {
        let later = (0x7fu8 << from) & 0x7f;
        self.id == rule.id
            && self.kind == rule.kind
            && self.shape == rule.shape
            && self.days & later == rule.days & later
            // An occurrence from the day before the as-of date can reach
            // into it; none may be on a day the rule leaves out.
            && self.days & !rule.days == 0
    }
}

/// A phase in the month's list.
#[derive(Serialize)]
pub struct PhaseRow {
    /// The day it starts: `2026-12-06`, linked to its cell of the grid.
    pub date: String,
    /// Its chip: time, change id, phase name, findings, status.
    pub chip: Chip,
    /// The title of its change.
    pub title: String,
}

/// A period seen in the month.
#[derive(Serialize)]
pub struct PeriodRow {
    /// `freeze`, `peak` or `window`.
    pub kind: &'static str,
    /// Its inventory id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// A hard freeze (a soft one otherwise; meaningless for the others).
    pub hard: bool,
    /// Sanitized inline HTML of its `reason`.
    pub reason: Option<String>,
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    }
}

/// Weekdays as "Mon–Fri", "Tue, Thu", "Sun".
fn weekdays(days: &[Weekday]) -> String {
    let mut offsets: Vec<i8> = days.iter().map(|d| d.to_monday_zero_offset()).collect();
    offsets.sort_unstable();
    offsets.dedup();
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1] == offsets[j] + 1 {
            j += 1;
        }
        let (a, b) = (NAMES[offsets[i] as usize], NAMES[offsets[j] as usize]);
        match j - i {
            0 => parts.push(a.to_string()),
            1 => parts.push(format!("{a}, {b}")),
            _ => parts.push(format!("{a}–{b}")),
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// The rule of a recurring period as seen in one week: "every Sun
/// 01:00–06:00", "every other Mon 05:00–11:00", "this week: Sat
/// 20:00–06:00"; with the period's own times when its zone differs.
/// Returns the text, the weekdays (bit 0: Monday) and the rule but its
/// weekdays.
fn rule_text(plan: &Plan, period: usize, list: &[Interval]) -> (String, u8, String) {
    let model = &plan.checked.model;
    let p = &model.periods[period];
    let PeriodWhen::Recurring(recurrence) = &p.when else {
        return (String::new(), 0, String::new());
    };
    let rrule = &recurrence.rrule.value;
    let days: Vec<Weekday> = list
        .iter()
        .map(|o| plan.date_of(o.start).weekday())
        .collect();
    let first = list[0];
    let times = format!("{}–{}", plan.clock(first.start), plan.clock(first.end));
    let mask = days
        .iter()
        .fold(0u8, |m, d| m | 1 << d.to_monday_zero_offset());
    let lead = match (rrule.freq, rrule.interval) {
        (Freq::Daily | Freq::Weekly, 1) => "every",
        (Freq::Weekly, 2) => "every other",
        _ => "this week:",
    };
    let zone = plan.checked.facts.calendar.zone(period);
    let own = if zone.iana_name() != plan.tz.iana_name() {
        let at = |s| at_second(s, zone).strftime("%H:%M").to_string();
        let name = at_second(first.start, zone).strftime("%Z").to_string();
        format!(" ({}–{} {name})", at(first.start), at(first.end))
    } else {
        String::new()
    };
    let shape = format!("{lead}|{times}{own}");
    if lead == "every" && mask == 0x7f {
        return (format!("every day {times}{own}"), mask, shape);
    }
    (
        format!("{lead} {} {times}{own}", weekdays(&days)),
        mask,
        shape,
    )
}

/// The chip of a phase.
fn phase_chip(plan: &Plan, item: &PhaseItem, root: &str) -> Chip {
    let change = &plan.checked.model.changes[item.change];
    let status = change.status.value;
    Chip {
        kind: "phase",
        time: format!(
            "{}–{}",
            plan.clock(item.interval.start),
            plan.clock(item.interval.end)
        ),
        label: change.id.value.clone(),
        detail: change.phases[item.phase].name.clone(),
        href: Some(format!(
            "{root}changes/{}/index.html",
            slug(&change.id.value)
        )),
        level: item.level,
        rules: item.rules.clone(),
        status: match status {
            Status::Draft | Status::Proposed | Status::Cancelled => Some(status.name()),
            _ => None,
        },
    }
}

/// Items whose start lies in `[from, to)`, from a list sorted by start.
fn starting<T>(list: &[T], start: impl Fn(&T) -> i64, from: i64, to: i64) -> &[T] {
    let a = list.partition_point(|x| start(x) < from);
    let b = list.partition_point(|x| start(x) < to);
    &list[a..b]
}

/// Cuts `chips` to [`CHIPS_PER_DAY`], keeping the worst, in time order;
/// returns how many were left out and how many of those have errors.
fn keep_worst(chips: &mut Vec<(i64, Chip)>) -> (usize, usize) {
    if chips.len() <= CHIPS_PER_DAY {
        return (0, 0);
    }
    chips.sort_by_key(|(start, c)| (std::cmp::Reverse(c.level), *start));
    let dropped: Vec<(i64, Chip)> = chips.split_off(CHIPS_PER_DAY);
    chips.sort_by_key(|(start, _)| *start);
    let errors = dropped
        .iter()
        .filter(|(_, c)| c.level == Some(Level::Error))
        .count();
    (dropped.len(), errors)
}

/// One week of the grid of `month`.
fn week(plan: &Plan, month: Date, first: Date, root: &str, seen: &mut BTreeSet<usize>) -> WeekView {
    let model = &plan.checked.model;
    let dates: Vec<Date> = (0..7).map(|d| add_days(first, d)).collect();
    let bounds: Vec<i64> = (0..8).map(|d| plan.midnight(add_days(first, d))).collect();
    let span = Interval {
        start: bounds[0],
        end: bounds[7],
    };
    // Bands: kind order (freeze, peak, window), then id; greedy slots.
    let mut order: Vec<usize> = (0..model.periods.len()).collect();
    let rank = |k: PeriodKind| match k {
        PeriodKind::Freeze => 0,
        PeriodKind::Peak => 1,
        PeriodKind::Window => 2,
    };
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&model.periods[a], &model.periods[b]);
        (rank(pa.kind), &pa.id.value).cmp(&(rank(pb.kind), &pb.id.value))
    });
    let mut slots: Vec<Vec<Option<BandCell>>> = Vec::new();
    let mut more_bands = Vec::new();
    let mut recurring = Vec::new();
    let mut more_recurring = 0;
    let mut one_off: Vec<(i64, Chip)> = Vec::new();
    for &ix in &order {
        let period = &model.periods[ix];
        let list: Vec<Interval> = {
            let all = &plan.occurrences[ix];
            let a = all.partition_point(|o| o.end <= span.start);
            all[a..]
                .iter()
                .take_while(|o| o.start < span.end)
                .copied()
                .collect()
        };
        if list.is_empty() {
            continue;
        }
        let kind = kind_name(period.kind);
        let mut short = Vec::new();
        for o in list {
            if o.end - o.start < DAY {
                short.push(o);
                continue;
            }
            // A band over the dates it touches (its end is exclusive).
            let from = plan.date_of(o.start.max(span.start));
            let to = plan.date_of((o.end - 1).min(span.end - 1));
            let a = dates.iter().position(|d| *d == from).unwrap_or(0);
            let b = dates.iter().position(|d| *d == to).unwrap_or(6);
            let slot = slots
                .iter()
                .position(|s| s[a..=b].iter().all(Option::is_none));
            let slot = match slot {
                Some(slot) => slot,
                None if slots.len() < BANDS_PER_WEEK => {
                    slots.push(vec![None; 7]);
                    slots.len() - 1
                }
                None => {
                    more_bands.push(period.name.clone());
                    continue;
                }
            };
            let text = format!(
                "{} – {}",
                at_second(o.start, &plan.tz).strftime("%a %-d %b %H:%M"),
                at_second(o.end, &plan.tz).strftime("%a %-d %b %H:%M")
            );
            for (d, cell) in slots[slot].iter_mut().enumerate().take(b + 1).skip(a) {
                *cell = Some(BandCell {
                    kind,
                    id: period.id.value.clone(),
                    name: period.name.clone(),
                    hard: period.hard,
                    first: d == a,
                    last: d == b,
                    from_before: d == a && o.start < bounds[a],
                    to_after: d == b && o.end > bounds[b + 1],
                    span: text.clone(),
                });
            }
            seen.insert(ix);
        }
        if short.is_empty() {
            continue;
        }
        if matches!(period.when, PeriodWhen::Recurring(_)) {
            if recurring.len() < RECURRING_PER_WEEK {
                let (rule, days, shape) = rule_text(plan, ix, &short);
                recurring.push(RecurringLine {
                    kind,
                    id: period.id.value.clone(),
                    name: period.name.clone(),
                    rule,
                    days,
                    shape,
                });
            } else {
                more_recurring += 1;
            }
        } else {
            for o in short {
                one_off.push((
                    o.start,
                    Chip {
                        kind,
                        time: format!("{}–{}", plan.clock(o.start), plan.clock(o.end)),
                        label: period.name.clone(),
                        detail: String::new(),
                        href: None,
                        level: None,
                        rules: Vec::new(),
                        status: None,
                    },
                ));
            }
        }
        seen.insert(ix);
    }
    let today = plan.today;
    let days = dates
        .iter()
        .enumerate()
        .map(|(d, &date)| {
            let (from, to) = (bounds[d], bounds[d + 1]);
            let mut chips: Vec<(i64, Chip)> = one_off
                .iter()
                .filter(|(start, _)| (from..to).contains(start))
                .map(|(start, chip)| {
                    (
                        *start,
                        Chip {
                            kind: chip.kind,
                            time: chip.time.clone(),
                            label: chip.label.clone(),
                            detail: String::new(),
                            href: None,
                            level: None,
                            rules: Vec::new(),
                            status: None,
                        },
                    )
                })
                .collect();
            for item in starting(&plan.phases, |p| p.interval.start, from, to) {
                chips.push((item.interval.start, phase_chip(plan, item, root)));
            }
            for m in starting(&plan.monitoring, |m| m.interval.start, from, to) {
                let change = &model.changes[m.change];
                chips.push((
                    m.interval.start,
                    Chip {
                        kind: "monitoring",
                        time: format!("from {}", plan.clock(m.interval.start)),
                        label: change.id.value.clone(),
                        detail: format!(
                            "monitoring until {}",
                            at_second(m.interval.end, &plan.tz).strftime("%a %-d %b %H:%M")
                        ),
                        href: Some(format!(
                            "{root}changes/{}/runbook.html#watch-h",
                            slug(&change.id.value)
                        )),
                        level: m.level,
                        rules: Vec::new(),
                        status: None,
                    },
                ));
            }
            chips.sort_by_key(|(start, _)| *start);
            let (more_chips, more_with_errors) = keep_worst(&mut chips);
            let bands: Vec<Option<BandCell>> = slots.iter().map(|s| s[d].clone()).collect();
            DayCell {
                empty: chips.is_empty() && more_chips == 0 && bands.iter().all(Option::is_none),
                date: date.to_string(),
                label: date.strftime("%a %-d %b").to_string(),
                day: date.day(),
                in_month: date.year() == month.year() && date.month() == month.month(),
                today: date == today,
                past: date < today,
                weekend: date.weekday().to_monday_zero_offset() >= 5,
                bands,
                chips: chips.into_iter().map(|(_, c)| c).collect(),
                more_chips,
                more_with_errors,
            }
        })
        .collect();
    WeekView {
        past: dates[6] < today,
        number: first.iso_week_date().week().to_string(),
        monday: first.to_string(),
        days,
        recurring,
        more_recurring,
        more_bands,
    }
}

/// The view of `month` for a page at `root` below the site root.
pub fn month_view(plan: &Plan, month: Date, root: &str) -> MonthView {
    let model = &plan.checked.model;
    let first = monday(month.first_of_month());
    let end = month.last_of_month();
    let mut seen = BTreeSet::new();
    let mut weeks = Vec::new();
    let mut at = first;
    while at <= end {
        weeks.push(week(plan, month, at, root, &mut seen));
        at = add_days(at, 7);
    }
    // Recurring periods with the same rule in every week are listed once
    // for the month; the weeks keep the others. The rule is read from the
    // first week wholly on or after the as-of date; the week of the as-of
    // date follows it when it agrees from the as-of date on, since the
    // analysis knows no occurrences before.
    let today = plan.today;
    let from_day = |w: &WeekView| -> i8 {
        let monday: Date = w.monday.parse().unwrap_or(today);
        if monday < today {
            (today - monday).get_days().clamp(0, 7) as i8
        } else {
            0
        }
    };
    let model_week = weeks
        .iter()
        .find(|w| from_day(w) == 0)
        .or_else(|| weeks.iter().find(|w| !w.past));
    let every_week: Vec<RecurringLine> = match model_week {
        Some(first) => first
            .recurring
            .iter()
            .filter(|r| {
                weeks.iter().filter(|w| !w.past).all(|w| {
                    let from = from_day(w);
                    let later = (0x7fu8 << from) & 0x7f;
                    w.recurring.iter().any(|x| x.follows(r, from))
                        // None of its days is left in the week: nothing to show.
                        || (r.days & later == 0
                            && !w.recurring.iter().any(|x| x.id == r.id && x.kind == r.kind))
                })
            })
            .map(|r| RecurringLine {
                kind: r.kind,
                id: r.id.clone(),
                name: r.name.clone(),
                rule: r.rule.clone(),
                days: r.days,
                shape: r.shape.clone(),
            })
            .collect(),
        None => Vec::new(),
    };
    for w in &mut weeks {
        let from = from_day(w);
        w.recurring
            .retain(|r| !every_week.iter().any(|x| r.follows(x, from)));
    }
    let from = plan.midnight(month.first_of_month());
    let to = plan.midnight(add_days(end, 1));
    let in_month = starting(&plan.phases, |p| p.interval.start, from, to);
    let count = |level: Level| in_month.iter().filter(|p| p.level == Some(level)).count();
    let phases = in_month
        .iter()
        .take(MONTH_LIST)
        .map(|item| PhaseRow {
            date: plan.date_of(item.interval.start).to_string(),
            chip: phase_chip(plan, item, root),
            title: model.changes[item.change].title.clone(),
        })
        .collect();
    let mut seen: Vec<usize> = seen.into_iter().collect();
    seen.sort_by(|&a, &b| {
        let (pa, pb) = (&model.periods[a], &model.periods[b]);
        (kind_name(pa.kind), &pa.id.value).cmp(&(kind_name(pb.kind), &pb.id.value))
    });
    let more_periods = seen.len().saturating_sub(PERIODS_LISTED);
    let periods = seen
        .iter()
        .take(PERIODS_LISTED)
        .map(|&ix| {
            let period = &model.periods[ix];
            PeriodRow {
                kind: kind_name(period.kind),
                id: period.id.value.clone(),
                name: period.name.clone(),
                hard: period.hard,
                reason: period.reason.as_deref().map(to_inline_html),
            }
        })
        .collect();
    MonthView {
        title: month.strftime("%B %Y").to_string(),
        key: month.strftime("%Y-%m").to_string(),
        file: month_file(month),
        weeks,
        every_week,
        more_phases: in_month.len().saturating_sub(MONTH_LIST),
        phase_count: in_month.len(),
        phases_with_errors: count(Level::Error),
        phases_with_warnings: count(Level::Warning),
        phases,
        periods,
        more_periods,
    }
}

/// A link to a month page.
#[derive(Serialize)]
pub struct MonthLink {
    /// "December 2026".
    pub title: String,
    /// `2026-12.html`.
    pub file: String,
    /// Phases starting in the month.
    pub phases: usize,
    /// Of those, how many have an error.
    pub with_errors: usize,
}

/// A month page: the month, its neighbours and its timeline.
#[derive(Serialize)]
pub struct MonthPage {
    /// The IANA name of the site's zone, which all its times are in.
    pub zone: String,
    /// The month's grid and lists.
    pub month: MonthView,
    /// The month before, when it has a page.
    pub previous: Option<MonthLink>,
    /// The month after, when it has a page.
    pub next: Option<MonthLink>,
    /// The timeline of the month's weeks, day by day, as an inline SVG.
    pub timeline: String,
}

/// The calendar's index.
#[derive(Serialize)]
pub struct CalendarIndex {
    /// The IANA name of the site's zone, which all its times are in.
    pub zone: String,
    /// The as-of date and the last day of the planning horizon:
    /// `2026-11-20`.
    pub from: String,
    /// See `from`.
    pub to: String,
    /// The as-of month and the next one.
    pub months: Vec<MonthView>,
    /// Every month page.
    pub pages: Vec<MonthLink>,
    /// The timeline of the plan, week by week, at most [`TIMELINE_WEEKS`],
    /// as an inline SVG.
    pub timeline: String,
    /// Weeks the timeline leaves out, at the end of the plan.
    pub weeks_after_timeline: usize,
    /// The calendars to subscribe to: every change's, then each
    /// audience's (the first [`crate::site::views::LIST_LIMIT`] by id).
    pub feeds: Vec<crate::site::notice::FeedLink>,
    /// Audiences whose calendar is left out of `feeds`.
    pub more_feeds: usize,
}

fn month_link(plan: &Plan, month: Date) -> MonthLink {
    let from = plan.midnight(month.first_of_month());
    let to = plan.midnight(add_days(month.last_of_month(), 1));
    let phases = starting(&plan.phases, |p| p.interval.start, from, to);
    MonthLink {
        title: month.strftime("%B %Y").to_string(),
        file: month_file(month),
        phases: phases.len(),
        with_errors: phases
            .iter()
            .filter(|p| p.level == Some(Level::Error))
            .count(),
    }
}

fn zone_name(plan: &Plan) -> String {
    plan.tz.iana_name().unwrap_or("UTC").to_string()
}

/// The page of the `i`-th month of the plan: its path and view.
pub fn month_page(plan: &Plan, i: usize) -> (String, MonthPage) {
    let root = "../";
    let month = plan.months[i];
    let first = monday(month.first_of_month());
    let weeks = (monday(month.last_of_month()) - first)
        .get_days()
        .div_euclid(7) as usize
        + 1;
    (
        format!("calendar/{}", month_file(month)),
        MonthPage {
            zone: zone_name(plan),
            month: month_view(plan, month, root),
            previous: i.checked_sub(1).map(|j| month_link(plan, plan.months[j])),
            next: plan.months.get(i + 1).map(|&m| month_link(plan, m)),
            timeline: timeline::svg(
                plan,
                first,
                weeks,
                root,
                &format!("Timeline of {}", month.strftime("%B %Y")),
            ),
        },
    )
}

/// `calendar/index.html`.
pub fn index(plan: &Plan) -> CalendarIndex {
    let root = "../";
    let model = &plan.checked.model;
    let first = monday(plan.today);
    let weeks = ((monday(plan.last) - first).get_days().div_euclid(7) + 1) as usize;
    let shown = weeks.min(TIMELINE_WEEKS);
    let mut feeds = vec![crate::site::notice::feed_link(
        model,
        root,
        "calendar.ics",
        "All changes".into(),
    )];
    let mut audiences: Vec<usize> = (0..model.audiences.len()).collect();
    audiences.sort_by(|&a, &b| {
        model.audiences[a]
            .id
            .value
            .cmp(&model.audiences[b].id.value)
    });
    let more_feeds = audiences
        .len()
        .saturating_sub(crate::site::views::LIST_LIMIT);
    feeds.extend(
        audiences
            .into_iter()
            .take(crate::site::views::LIST_LIMIT)
            .map(|a| {
                let audience = &model.audiences[a];
                crate::site::notice::feed_link(
                    model,
                    root,
                    &crate::site::notice::feed_path(audience),
                    format!("Changes that impact {}", audience.name),
                )
            }),
    );
    CalendarIndex {
        zone: zone_name(plan),
        from: plan.today.to_string(),
        to: plan.last.to_string(),
        months: plan
            .months
            .iter()
            .take(2)
            .map(|&m| month_view(plan, m, root))
            .collect(),
        pages: plan.months.iter().map(|&m| month_link(plan, m)).collect(),
        timeline: timeline::svg(plan, first, shown, root, "Timeline of the plan"),
        weeks_after_timeline: weeks - shown,
        feeds,
        more_feeds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_read_as_ranges_and_lists() {
        use Weekday::*;
        assert_eq!(
            weekdays(&[Monday, Tuesday, Wednesday, Thursday, Friday]),
            "Mon–Fri"
        );
        assert_eq!(weekdays(&[Tuesday, Thursday]), "Tue, Thu");
        assert_eq!(weekdays(&[Saturday, Sunday]), "Sat, Sun");
        assert_eq!(weekdays(&[Sunday]), "Sun");
        assert_eq!(
            weekdays(&[Monday, Wednesday, Thursday, Friday]),
            "Mon, Wed–Fri"
        );
    }

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
