//! Render stage: the chips of a calendar day (a phase, a monitoring period
//! or a short one-off period), and the cut to [`CHIPS_PER_DAY`] a day.

use serde::Serialize;

use super::{CHIPS_PER_DAY, PhaseItem, Plan};
use crate::base::Level;
use crate::model::{Status, slug};

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

/// The chip of a phase.
pub(super) fn phase_chip(plan: &Plan, item: &PhaseItem, root: &str) -> Chip {
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

/// Cuts `chips` to [`CHIPS_PER_DAY`], keeping the worst, in time order;
/// returns how many were left out and how many of those have errors.
pub(super) fn keep_worst(chips: &mut Vec<(i64, Chip)>) -> (usize, usize) {
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
