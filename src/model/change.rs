//! Model stage: changes and everything a change table holds — status,
//! phases, approvals, backup, rollback, testing, compat, monitoring,
//! communication, outcome — and the incidents changes cause.

use jiff::civil::Date;

use super::{Audience, DateTime, Duration, Ref, System, Team, Zone, names};
use crate::base::source::{At, Loc};

/// Where a change is in its life; ordered as listed, `draft` first, `cancelled` last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// `draft`: being written.
    Draft,
    /// `proposed`: waiting for approval.
    Proposed,
    /// `approved`: approved, needs `approvals`.
    Approved,
    /// `scheduled`: approved and planned.
    Scheduled,
    /// `in-progress`: its phases are running.
    InProgress,
    /// `completed`: done; history, needs an `outcome`.
    Completed,
    /// `rolled-back`: undone; history, needs an `outcome`.
    RolledBack,
    /// `cancelled`: listed, but never conflicts.
    Cancelled,
}

names!(Status {
    Draft => "draft",
    Proposed => "proposed",
    Approved => "approved",
    Scheduled => "scheduled",
    InProgress => "in-progress",
    Completed => "completed",
    RolledBack => "rolled-back",
    Cancelled => "cancelled",
});

impl Status {
    /// Active changes are the only ones that get plan findings.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Status::Draft
                | Status::Proposed
                | Status::Approved
                | Status::Scheduled
                | Status::InProgress
        )
    }
}

/// What a monitoring metric measures (`monitoring.metrics.kind`); `policy.required_metrics` lists
/// the kinds every change must watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricKind {
    /// `response-time`
    ResponseTime,
    /// `cpu`
    Cpu,
    /// `memory`
    Memory,
    /// `error-rate`
    ErrorRate,
    /// `integrations`: health of the integrations.
    Integrations,
    /// `tickets`: the volume of support tickets.
    Tickets,
    /// `other`: anything else; never required by default.
    Other,
}

names!(MetricKind {
    ResponseTime => "response-time",
    Cpu => "cpu",
    Memory => "memory",
    ErrorRate => "error-rate",
    Integrations => "integrations",
    Tickets => "tickets",
    Other => "other",
});

/// How a finished change went (`outcome.result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeResult {
    /// `success`
    Success,
    /// `partial`: done, but not all of it.
    Partial,
    /// `rolled-back`: undone by its rollback.
    RolledBack,
    /// `failed`
    Failed,
}

names!(OutcomeResult { Success => "success", Partial => "partial", RolledBack => "rolled-back", Failed => "failed" });

/// A `[[change]]`: a planned modification of systems, in phases.
#[derive(Debug, Clone)]
pub struct Change {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// One-line title.
    pub title: String,
    /// The team that owns it (also checked for double bookings).
    pub owner: Ref<Team>,
    /// Its status, with where it was written.
    pub status: At<Status>,
    /// The systems it modifies (the default for its phases).
    pub systems: Vec<Ref<System>>,
    /// Zone of its local datetimes; `None`: the site zone.
    pub timezone: Option<At<Zone>>,
    /// What changes (Markdown).
    pub summary: String,
    /// Why it is needed (Markdown).
    pub why: String,
    /// What users will notice (Markdown); `None`: not written (`incomplete-announcement`).
    pub impact: Option<String>,
    /// Expected user-facing downtime; `None` when not written.
    pub downtime: Option<At<Duration>>,
    /// Day the announcement goes out; `None`: not announced, the as-of date stands in.
    pub announced: Option<At<Date>>,
    /// Approvals given; required from `approved` on.
    pub approvals: Vec<Approval>,
    /// Its phases as written (at least one when it loaded); not sorted by start.
    pub phases: Vec<Phase>,
    /// Its `backup` table; `None`: not written (`no-backup` on a stateful system).
    pub backup: Option<Backup>,
    /// Its `rollback` table; `None`: not written (`no-rollback`).
    pub rollback: Option<Rollback>,
    /// Its `testing` table; `None`: not written (`untested-change`, `no-post-validation`).
    pub testing: Option<Testing>,
    /// Its `[[change.compat]]` entries, in order.
    pub compat: Vec<Compat>,
    /// Its `monitoring` table; `None`: not written (`short-monitoring`).
    pub monitoring: Option<Monitoring>,
    /// Its `communication` table; `None`: not written (`incomplete-announcement`).
    pub communication: Option<Communication>,
    /// Its `outcome` table; required once `completed` or `rolled-back`.
    pub outcome: Option<Outcome>,
    /// Where its table was written.
    pub loc: Loc,
}

/// One entry of a change's `approvals`.
#[derive(Debug, Clone)]
pub struct Approval {
    /// Who approved, free text.
    pub by: String,
    /// The day of the approval.
    pub date: At<Date>,
    /// Where the entry was written.
    pub loc: Loc,
}

/// A `[[change.phase]]`: one step of a change's rollout, at one time.
#[derive(Debug, Clone)]
pub struct Phase {
    /// Its name, as shown on the pages.
    pub name: String,
    /// When it starts: local in the change's zone, or an absolute instant.
    pub start: At<DateTime>,
    /// How long it lasts; its end is start plus this (see [`Duration::after`]).
    pub duration: At<Duration>,
    /// After resolution, never empty: defaults to the change's systems.
    pub systems: Vec<Ref<System>>,
    /// The audiences this phase reaches; `critical-first` wants them from less to more critical.
    pub audiences: Vec<Ref<Audience>>,
    /// What is done (Markdown each).
    pub steps: Vec<String>,
    /// Go/no-go criteria (Markdown each).
    pub checks: Vec<String>,
    /// Where its table was written.
    pub loc: Loc,
}

/// A change's `backup` table.
#[derive(Debug, Clone)]
pub enum Backup {
    /// `none = "reason"`: deliberately no backup.
    None {
        /// Why none is needed, shown in place of a `no-backup` finding.
        reason: At<String>,
        /// Where the `backup` table was written.
        loc: Loc,
    },
    /// A backup taken before the change.
    Plan {
        /// How it is taken (a snapshot, a dump), free text.
        method: Option<String>,
        /// What it holds, free text.
        scope: Option<String>,
        /// Where it is kept, free text.
        location: Option<String>,
        /// How long restoring it takes.
        restore_time: Option<At<Duration>>,
        /// The day a restore was last tested; `None` or older than
        /// `policy.health_max_age` before the first phase: `untested-restore`.
        restore_tested: Option<At<Date>>,
        /// Where the `backup` table was written.
        loc: Loc,
    },
}

/// A change's `rollback` table: how to undo it.
#[derive(Debug, Clone)]
pub struct Rollback {
    /// What is done to undo it (Markdown each); empty: `no-rollback`.
    pub steps: Vec<String>,
    /// How long undoing takes; `rollback-exceeds-window` adds it to a phase's end.
    pub time: Option<At<Duration>>,
    /// What makes the team roll back; empty: `no-rollback-trigger`.
    pub triggers: Vec<String>,
    /// The team that rolls back; `None` when not written.
    pub owner: Option<Ref<Team>>,
    /// How users go back to the stable environment (Markdown).
    pub switch_back: Option<String>,
    /// The point after which it can no longer be undone, free text.
    pub point_of_no_return: Option<String>,
    /// Where the `rollback` table was written.
    pub loc: Loc,
}

/// A change's `testing` table.
#[derive(Debug, Clone)]
pub struct Testing {
    /// Where it was tested (staging...); `None`: `untested-change`.
    pub environment: Option<String>,
    /// Tests done before the change; empty: `untested-change`.
    pub pre: Vec<String>,
    /// Tests done while it runs.
    pub during: Vec<String>,
    /// Tests done after it; empty: `no-post-validation`.
    pub post: Vec<String>,
    /// Evidence of the tests (a link, a report), free text.
    pub evidence: Option<String>,
    /// Problems found while testing.
    pub failures: Vec<String>,
    /// Where the `testing` table was written.
    pub loc: Loc,
}

/// A `[[change.compat]]` entry: vouches that an integration or a third-party item still works with
/// the change.
#[derive(Debug, Clone)]
pub struct Compat {
    /// An integration id, or a `third_party` item of a changed system, as written.
    pub target: At<String>,
    /// Filled by resolution.
    pub resolved: CompatTarget,
    /// Whether the compatibility was checked; default false (the integration or item counts as
    /// unverified).
    pub verified: bool,
    /// Free text; `None` when not written.
    pub notes: Option<String>,
    /// Where the entry was written.
    pub loc: Loc,
}

/// What a compat entry vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompatTarget {
    /// Not yet resolved, or naming nothing.
    Unresolved,
    /// The integration at this index of [`Model::integrations`](super::Model::integrations).
    Integration(usize),
    /// A `third_party` item (index) of a system (index).
    ThirdParty {
        /// Index into [`Model::systems`](super::Model::systems).
        system: usize,
        /// Index into that system's [`System::third_party`].
        item: usize,
    },
}

/// A change's `monitoring` table: watching after the last phase.
#[derive(Debug, Clone)]
pub struct Monitoring {
    /// How long the watch lasts; `None` or below `policy.monitoring`: `short-monitoring`.
    pub duration: Option<At<Duration>>,
    /// The team that watches; `None` when not written.
    pub owner: Option<Ref<Team>>,
    /// What is watched.
    pub metrics: Vec<Metric>,
    /// Where the `monitoring` table was written.
    pub loc: Loc,
}

/// One entry of `monitoring.metrics`.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Its name, free text.
    pub name: String,
    /// What it measures, with where that was written.
    pub kind: At<MetricKind>,
    /// The limit it is watched against, free text.
    pub threshold: Option<String>,
    /// Where it is read (a dashboard, a tool), free text.
    pub source: Option<String>,
    /// Where the entry was written.
    pub loc: Loc,
}

/// A change's `communication` table: who is told, and how.
#[derive(Debug, Clone)]
pub struct Communication {
    /// The audiences announcements go to; an impacted audience not in it gets
    /// `unnotified-audience`.
    pub audiences: Vec<Ref<Audience>>,
    /// The channels used: mail, chat, intranet...
    pub channels: Vec<String>,
    /// Whom users contact with questions.
    pub contact: Option<String>,
    /// New guidelines for users afterwards (Markdown).
    pub guidelines: Option<String>,
    /// Where the `communication` table was written.
    pub loc: Loc,
}

/// A change's `outcome` table: how it went, once finished.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The result, with where it was written.
    pub result: At<OutcomeResult>,
    /// When it finished: local in the change's zone, or an absolute instant.
    pub completed: Option<At<DateTime>>,
    /// Markdown; `None` when not written.
    pub notes: Option<String>,
    /// Problems met (Markdown each).
    pub issues: Vec<String>,
    /// Where the `outcome` table was written.
    pub loc: Loc,
}

/// An `[[incident]]`: a documented failure, shown in the runbook of every later change to one of
/// its systems.
#[derive(Debug, Clone)]
pub struct Incident {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// The day it happened.
    pub date: At<Date>,
    /// The systems it hit (`repeat-failure` on a change touching one of them).
    pub systems: Vec<Ref<System>>,
    /// The change that caused it; `None` when none is named.
    pub change: Option<Ref<Change>>,
    /// What happened.
    pub summary: String,
    /// What was learnt (Markdown); `None` when not written.
    pub lesson: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
}
