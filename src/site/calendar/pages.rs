//! Render stage: the calendar's pages: `calendar/index.html` (the as-of
//! month and the next, every month page, the plan's timeline and the
//! feeds) and `calendar/YYYY-MM.html` (a month, its neighbours and its
//! timeline).

use jiff::civil::Date;
use serde::Serialize;

use super::{MonthView, Plan, TIMELINE_WEEKS, add_days, monday, month_file, month_view, starting};
use crate::base::Level;
use crate::site::timeline;

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
