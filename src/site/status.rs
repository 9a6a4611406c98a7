//! Render stage: what a change's status means for the people who read about
//! it, written once and used by every output (the pages' banners, the
//! announcement in HTML and plain text, the feed and the calendar files), so
//! that no output can call a cancelled change live or a draft approved.

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::analysis::ChangeFacts;
use crate::base::time::moment;
use crate::model::{Change, Status};

/// The status of a change as a notice: a banner on its pages, a prefix of
/// its titles, a paragraph of its announcement.
#[derive(Serialize, Clone, Debug)]
pub struct StatusNotice {
    /// The status as written (`cancelled`, `in-progress`, ...): a CSS class.
    pub kind: &'static str,
    /// "Cancelled", "Draft, not approved", "In progress".
    pub label: &'static str,
    /// How the banner looks: `stop` (cancelled, rolled back), `caution`
    /// (not approved, or approved with errors), `info` (in progress,
    /// approved), `done` (completed).
    pub tone: &'static str,
    /// Put before a title: "Cancelled: ". None for approved and scheduled
    /// changes, whose notices are the plain announcement.
    pub prefix: Option<&'static str>,
    /// One sentence in plain text: "This change is cancelled: it will not
    /// take place."
    pub headline: String,
    /// The facts behind it in plain text: when, by whom, the outcome.
    pub detail: String,
    /// Approved, scheduled or later (not draft, proposed or cancelled).
    pub approved: bool,
}

/// The first start and last end of the change, in `zone`, with UTC.
fn span(facts: &ChangeFacts, zone: &TimeZone) -> Option<(String, String)> {
    let at = |z: &ZonedDateTime| moment(&z.timestamp().to_zoned_datetime(zone.clone()));
    Some((at(facts.first_start()?), at(facts.last_end()?)))
}

/// The notice of `change`, with times read in `zone` (its reader's: the
/// audience's zone, else the change's). `errors`: the error findings on the
/// change, which an approved change should not run with.
pub fn notice(
    change: &Change,
    facts: &ChangeFacts,
    zone: &TimeZone,
    errors: usize,
) -> StatusNotice {
    let (first, last) = span(facts, zone).unwrap_or_default();
    let approval = change
        .approvals
        .iter()
        .max_by_key(|a| a.date.value)
        .map(|a| format!("approved by {} on {}", a.by, a.date.value));
    let with_errors = if errors > 0 {
        format!(
            " The plan still has {errors} error{} on this change: it should not run until {} fixed.",
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "it is" } else { "they are" }
        )
    } else {
        String::new()
    };
    let outcome = change.outcome.as_ref();
    let finished = outcome
        .and_then(|o| o.completed.as_ref())
        .map(|c| moment(&c.value.instant(&facts.tz).to_zoned_datetime(zone.clone())))
        .unwrap_or_else(|| last.clone());
    let status = change.status.value;
    let (label, tone, prefix, headline, detail) = match status {
        Status::Draft => (
            "Draft, not approved",
            "caution",
            Some("Draft, not approved: "),
            "This change is a draft: it is not approved.".to_string(),
            format!(
                "Its times (from {first}) may change and it may not happen at all: do not plan around it yet.{with_errors}"
            ),
        ),
        Status::Proposed => (
            "Proposed, not approved",
            "caution",
            Some("Proposed, not approved: "),
            "This change is proposed: it waits for approval.".to_string(),
            format!(
                "It is planned from {first} to {last}, but it is not approved: its times may still change.{with_errors}"
            ),
        ),
        Status::Approved | Status::Scheduled => (
            if status == Status::Approved {
                "Approved"
            } else {
                "Scheduled"
            },
            if errors > 0 { "caution" } else { "info" },
            None,
            format!(
                "This change is {}.",
                approval.clone().unwrap_or_else(|| "approved".into())
            ),
            format!("It is planned from {first} to {last}.{with_errors}"),
        ),
        Status::InProgress => (
            "In progress",
            if errors > 0 { "caution" } else { "info" },
            Some("In progress: "),
            "This change is in progress.".to_string(),
            format!("Its first phase starts {first}; its last phase ends {last}.{with_errors}"),
        ),
        Status::Completed => (
            "Completed",
            "done",
            Some("Completed: "),
            "This change is completed.".to_string(),
            format!(
                "It finished {finished}{}.",
                outcome.map_or(String::new(), |o| format!(
                    " with the outcome: {}",
                    o.result.value.name()
                ))
            ),
        ),
        Status::RolledBack => (
            "Rolled back",
            "stop",
            Some("Rolled back: "),
            "This change was rolled back: it was undone.".to_string(),
            format!(
                "It ran from {first} and was rolled back by {finished}; the systems work as they did before it."
            ),
        ),
        Status::Cancelled => (
            "Cancelled",
            "stop",
            Some("Cancelled: "),
            "This change is cancelled: it will not take place.".to_string(),
            format!("The work planned from {first} to {last} will not happen."),
        ),
    };
    StatusNotice {
        kind: status.name(),
        label,
        tone,
        prefix,
        headline,
        detail,
        approved: !matches!(status, Status::Draft | Status::Proposed | Status::Cancelled),
    }
}
