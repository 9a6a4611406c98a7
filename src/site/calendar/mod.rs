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
//!
//! One file per concern: `plan` computes the [`Plan`] once per build,
//! `chips` the chips of a day, `week` one week of a grid with its bands and
//! recurring periods, `month` a month's grid and lists, and `pages` the
//! index and the month pages; the timeline's SVG is in
//! `site/timeline.rs`.

mod chips;
mod month;
mod pages;
mod plan;
mod week;

pub use chips::Chip;
pub use month::{MonthView, PeriodRow, PhaseRow, month_view};
pub use pages::{CalendarIndex, MonthLink, MonthPage, index, month_page};
pub use plan::{MonitoringItem, PhaseItem, Plan};
pub use week::{BandCell, DayCell, RecurringLine, WeekView};

use jiff::civil::Date;

use crate::model::PeriodKind;

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

/// The page of a month: `YYYY-MM.html`.
pub fn month_file(month: Date) -> String {
    format!("{}.html", month.strftime("%Y-%m"))
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    }
}

/// Items whose start lies in `[from, to)`, from a list sorted by start.
fn starting<T>(list: &[T], start: impl Fn(&T) -> i64, from: i64, to: i64) -> &[T] {
    let a = list.partition_point(|x| start(x) < from);
    let b = list.partition_point(|x| start(x) < to);
    &list[a..b]
}
