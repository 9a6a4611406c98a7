//! Render stage: the latest moment to start a rollback of each phase so
//! that it is over before the maintenance window holding the phase closes,
//! for the runbook's header. The binding window is the one the rule
//! `rollback-exceeds-window` uses: per changed system the window occurrence
//! holding the phase that ends last, and of those the one that ends first.

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::base::time::{Interval, at_second};
use crate::check::Checked;
use crate::site::views::{ChangeCtx, When};

/// The rollback deadline of one phase.
#[derive(Serialize)]
pub struct Deadline {
    /// The phase's place in start order, from 1.
    pub number: usize,
    /// The phase's name.
    pub phase: String,
    /// When the phase ends.
    pub phase_end: When,
    /// The window that holds it and when it closes, if one does.
    pub window: Option<String>,
    /// When that window occurrence closes; `None` when no window holds the
    /// phase.
    pub closes: Option<When>,
    /// The window's end minus the rollback time.
    pub latest: Option<When>,
    /// The phase ends after `latest`: a rollback after it cannot finish
    /// inside the window.
    pub too_late: bool,
}

/// The window occurrence binding `phase` on `systems`: per system the
/// holding occurrence that ends last (from the analysis's calendar), and
/// of those the earliest end.
fn binding(checked: &Checked, systems: &[usize], phase: Interval) -> Option<(usize, Interval)> {
    let model = &checked.model;
    systems
        .iter()
        .filter_map(|&s| checked.facts.calendar.holding_window(s, phase))
        .min_by(|(a, x), (b, y)| {
            x.end
                .cmp(&y.end)
                .then_with(|| model.periods[*a].id.value.cmp(&model.periods[*b].id.value))
        })
}

/// The deadline of every phase, in start order; empty without a rollback
/// time.
pub fn deadlines(cx: &ChangeCtx) -> Vec<Deadline> {
    let Some(time) = cx.change.rollback.as_ref().and_then(|r| r.time.as_ref()) else {
        return Vec::new();
    };
    let model = cx.model();
    let tz: &TimeZone = &cx.facts.tz;
    cx.facts
        .phase_order()
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let phase = &cx.facts.phases[p];
            let held = binding(cx.checked, &phase.systems, phase.interval);
            let closes = held.map(|(_, o)| at_second(o.end, tz));
            // The rollback ends `time` after it starts, in the zone's
            // calendar for days: go back the same way.
            let latest = closes.as_ref().map(|end| {
                let days = end
                    .checked_sub(jiff::Span::new().days(i64::from(time.value.days)))
                    .unwrap_or_else(|_| end.clone());
                days.checked_sub(jiff::Span::new().minutes(i64::from(time.value.minutes)))
                    .unwrap_or(days)
            });
            Deadline {
                number: n + 1,
                phase: cx.change.phases[p].name.clone(),
                phase_end: When::of(&phase.end),
                window: held.map(|(w, _)| model.periods[w].id.value.clone()),
                too_late: latest
                    .as_ref()
                    .is_some_and(|l| phase.end.timestamp() > l.timestamp()),
                closes: closes.as_ref().map(When::of),
                latest: latest.as_ref().map(When::of),
            }
        })
        .collect()
}
