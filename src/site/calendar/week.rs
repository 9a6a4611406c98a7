//! Render stage: one week of a month grid: the bands of periods of a day
//! or longer in their slots, the recurring periods shorter than a day with
//! their rule spelled out, and the chips of each day.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::chips::{keep_worst, phase_chip};
use super::{BANDS_PER_WEEK, Chip, DAY, Plan, RECURRING_PER_WEEK, add_days, kind_name, starting};
use crate::base::time::{Interval, at_second};
use crate::model::rrule::Freq;
use crate::model::{PeriodKind, When as PeriodWhen, slug};

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
    /// What starts on it, by start: at most [`CHIPS_PER_DAY`](super::CHIPS_PER_DAY).
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
    pub(super) fn follows(&self, rule: &RecurringLine, from: i8) -> bool {
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

/// One week of the grid of `month`.
pub(super) fn week(
    plan: &Plan,
    month: Date,
    first: Date,
    root: &str,
    seen: &mut BTreeSet<usize>,
) -> WeekView {
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
}
