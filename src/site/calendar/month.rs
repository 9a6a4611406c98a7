//! Render stage: a month of the calendar: its weeks, the recurring periods
//! listed once for the whole month, its list of phases and the periods
//! seen in it.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use super::chips::phase_chip;
use super::week::week;
use super::{
    Chip, MONTH_LIST, PERIODS_LISTED, Plan, RecurringLine, WeekView, add_days, kind_name, monday,
    month_file, starting,
};
use crate::base::Level;
use crate::site::markdown::to_inline_html;

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
