//! Model stage: windows, freezes and peaks, when they happen and what they
//! apply to, and the recurring schedules they and batch integrations share.

use jiff::civil::{Date, Time};

use super::rrule::RRule;
use super::{DateTime, Duration, Process, Ref, System, Zone};
use crate::base::source::{At, Loc};

/// Which of the three period kinds an entity is, from its array of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// `[[window]]`: when changes to its scope are allowed.
    Window,
    /// `[[freeze]]`: when changes to its scope are not allowed.
    Freeze,
    /// `[[peak]]`: high-usage time to avoid.
    Peak,
}

/// A window, freeze or peak.
#[derive(Debug, Clone)]
pub struct Period {
    /// Window, freeze or peak: the array of tables it was written in.
    pub kind: PeriodKind,
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// Its display name.
    pub name: String,
    /// Zone of its local datetimes and of its recurrence's `start`; `None`: the site zone.
    pub timezone: Option<At<Zone>>,
    /// When it happens: once, or recurring.
    pub when: When,
    /// The systems it applies to.
    pub scope: Scope,
    /// Freezes only: a hard freeze is an error, a soft one a warning.
    pub hard: bool,
    /// Shown on the calendar and in findings; `None` when not written.
    pub reason: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
}

/// When a period happens.
#[derive(Debug, Clone)]
pub enum When {
    /// `from` and `until` datetimes.
    Once {
        /// When it starts: local in the period's zone, or an absolute instant.
        from: At<DateTime>,
        /// When it ends (excluded), read the same way (`invalid-schedule` unless after `from`).
        until: At<DateTime>,
    },
    /// `rrule`, `start` and `duration`, with optional `from` and `until` dates.
    Recurring(Box<Recurrence>),
}

/// Which systems a period applies to.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `["*"]` somewhere, or no list at all: every system.
    pub everything: bool,
    /// Systems named in `systems` (an entry `"*"` sets `everything` instead).
    pub systems: Vec<Ref<System>>,
    /// Tags: the systems carrying one of them (`"*"` removed).
    pub tags: Vec<String>,
    /// Processes: the systems supporting one of them.
    pub processes: Vec<Ref<Process>>,
}

/// A recurring schedule: an RRULE whose occurrences start at `start` local
/// time in `timezone` (else the site zone) and last `duration`.
#[derive(Debug, Clone)]
pub struct Recurrence {
    /// The RRULE, with where its string was written.
    pub rrule: At<RRule>,
    /// Local time of day each occurrence starts at.
    pub start: At<Time>,
    /// How long each occurrence lasts.
    pub duration: At<Duration>,
    /// The first date (DTSTART), which INTERVAL and COUNT count from;
    /// `None`: no start.
    pub from: Option<At<Date>>,
    /// The last date (inclusive); `None`: no end, unless the RRULE's UNTIL or COUNT gives one.
    pub until: Option<At<Date>>,
    /// Zone of `start` for a run; `None` on a run without one (the site zone applies) and on a
    /// period's recurrence (the period's zone applies).
    pub timezone: Option<At<Zone>>,
    /// Where the table holding `rrule` was written.
    pub loc: Loc,
}
