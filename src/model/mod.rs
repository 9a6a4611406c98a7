//! Model stage: the validated inventory. Every entity of inventory.md with
//! typed values and references resolved to indices; later stages never look
//! an id up by its text.

pub mod rrule;
pub mod time;

use std::collections::BTreeMap;
use std::marker::PhantomData;

use jiff::civil::{Date, Time};

use crate::base::source::{At, Loc};
use crate::base::{Override, Rule};
use crate::model::rrule::RRule;
pub use time::{DateTime, Duration, Zone};

/// `name()` for enums written as strings in the inventory: the same text
/// as their serde form (a test keeps the two in step).
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in the order of the enum.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// Its text as written in the inventory: `"in-progress"`.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }
        }

        impl Named for $ty {
            const ALL: &'static [$ty] = $ty::ALL;

            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }
    };
}

/// An enum written as one of a fixed set of strings.
pub trait Named: Copy + 'static {
    /// Every value, in the order of the enum.
    const ALL: &'static [Self];
    /// Its text as written in the inventory.
    fn name(self) -> &'static str;

    /// The value written as `text`, if any.
    fn from_name(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.name() == text)
    }

    /// "\"low\", \"medium\", …" for help lines.
    fn names() -> String {
        Self::ALL
            .iter()
            .map(|value| format!("\"{}\"", value.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The kinds of entity an inventory file holds, one per array of tables
/// (`[[system]]`...). The one list of them: the reader, the resolver, the
/// schema and the tests all go through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `[[system]]`
    System,
    /// `[[integration]]`
    Integration,
    /// `[[process]]`
    Process,
    /// `[[team]]`
    Team,
    /// `[[audience]]`
    Audience,
    /// `[[window]]`
    Window,
    /// `[[freeze]]`
    Freeze,
    /// `[[peak]]`
    Peak,
    /// `[[change]]`
    Change,
    /// `[[incident]]`
    Incident,
}

impl Kind {
    /// Every kind, in the order files and the schema list them.
    pub const ALL: [Kind; 10] = [
        Kind::System,
        Kind::Integration,
        Kind::Process,
        Kind::Team,
        Kind::Audience,
        Kind::Window,
        Kind::Freeze,
        Kind::Peak,
        Kind::Change,
        Kind::Incident,
    ];

    /// The TOML key of its array of tables, also its name in messages.
    pub fn key(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Integration => "integration",
            Kind::Process => "process",
            Kind::Team => "team",
            Kind::Audience => "audience",
            Kind::Window => "window",
            Kind::Freeze => "freeze",
            Kind::Peak => "peak",
            Kind::Change => "change",
            Kind::Incident => "incident",
        }
    }

    /// The kind whose array of tables is `key`, if any.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.key() == key)
    }
}

/// An entity type that references can name.
pub trait Entity {
    /// Its kind.
    const KIND: Kind;
}

macro_rules! entity {
    ($($ty:ident => $kind:ident),*) => {
        $(impl Entity for $ty { const KIND: Kind = Kind::$kind; })*
    };
}

entity!(System => System, Integration => Integration, Process => Process, Team => Team,
    Audience => Audience, Change => Change, Incident => Incident);

/// A reference to an entity of kind `K`: the id as written, and after
/// resolution the entity's index in its list in [`Model`].
#[derive(Debug, Clone)]
pub struct Ref<K> {
    /// The id as written, with where it was written (findings about the reference point there).
    pub id: At<String>,
    /// Index into the [`Model`] list of `K` (`teams` for `Ref<Team>`); `usize::MAX` until resolved,
    /// and left so when the id names nothing.
    pub ix: usize,
    kind: PhantomData<fn() -> K>,
}

impl<K> Ref<K> {
    /// A reference not yet resolved.
    pub fn new(id: At<String>) -> Ref<K> {
        Ref {
            id,
            ix: usize::MAX,
            kind: PhantomData,
        }
    }
}

/// How much the organisation depends on a system, process or audience; ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

/// A system's last known state, from `health.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// `healthy`: working normally.
    Healthy,
    /// `degraded`: working, but not as it should (`unhealthy-system` warns).
    Degraded,
    /// `down`: not working (`unhealthy-system` is an error).
    Down,
    /// `unknown`: not known (`unhealthy-system` warns).
    Unknown,
}

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

names!(Criticality { Low => "low", Medium => "medium", High => "high", Critical => "critical" });
names!(HealthStatus { Healthy => "healthy", Degraded => "degraded", Down => "down", Unknown => "unknown" });
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
names!(MetricKind {
    ResponseTime => "response-time",
    Cpu => "cpu",
    Memory => "memory",
    ErrorRate => "error-rate",
    Integrations => "integrations",
    Tickets => "tickets",
    Other => "other",
});
names!(OutcomeResult { Success => "success", Partial => "partial", RolledBack => "rolled-back", Failed => "failed" });

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

/// A `[[system]]`: something a change can modify.
#[derive(Debug, Clone)]
pub struct System {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// Its display name.
    pub name: String,
    /// The team that owns it.
    pub owner: Ref<Team>,
    /// How critical it is, with where that was written.
    pub criticality: At<Criticality>,
    /// What it is, free text: `service`, `database`, `saas`...; `None` when not written.
    pub kind: Option<String>,
    /// Whether it holds data a change can lose (then a change needs a backup); default false.
    pub stateful: bool,
    /// Its current version, free text.
    pub version: Option<String>,
    /// Where `legacy = true` is written; `None` when it has no legacy modules.
    pub legacy: Option<Loc>,
    /// Labels that period scopes select it by.
    pub tags: Vec<String>,
    /// Third-party tools and plugins it relies on (`"pgbouncer 1.21"`), each with its place;
    /// `compat` entries name them.
    pub third_party: Vec<At<String>>,
    /// Known risks (Markdown), shown in every runbook that touches it.
    pub risks: Vec<String>,
    /// Its last health check; `None` when it has none (`stale-health` fires).
    pub health: Option<Health>,
    /// Markdown; `None` when not written.
    pub description: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
}

/// A system's `health` table.
#[derive(Debug, Clone)]
pub struct Health {
    /// Its status, with where it was written.
    pub status: At<HealthStatus>,
    /// The day it was checked; `None` when not written (counts as stale).
    pub checked: Option<At<Date>>,
    /// Free text.
    pub notes: Option<String>,
    /// Where the `health` table was written.
    pub loc: Loc,
}

/// An `[[integration]]`: `consumer` uses `provider`, so a change to the provider impacts the
/// consumer.
#[derive(Debug, Clone)]
pub struct Integration {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// The system that uses the other.
    pub consumer: Ref<System>,
    /// The system that is used.
    pub provider: Ref<System>,
    /// What it is, free text: `api`, `batch`, `queue`, `file`...; `None` when not written.
    pub kind: Option<String>,
    /// Whether a provider outage breaks the consumer (default true); only critical edges carry
    /// impact onward.
    pub critical: bool,
    /// Whether it crosses to a vendor (default false).
    pub third_party: bool,
    /// When a batch integration runs; empty when it has no `runs`.
    pub runs: Vec<Recurrence>,
    /// `runs` was written as one table rather than an array of them (so
    /// `data.json` keeps the written shape).
    pub runs_table: bool,
    /// Markdown; `None` when not written.
    pub description: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
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

/// A `[[process]]`: a business process and the systems it depends on.
#[derive(Debug, Clone)]
pub struct Process {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// Its display name.
    pub name: String,
    /// How critical it is, with where that was written.
    pub criticality: At<Criticality>,
    /// The team that owns it; `None` when not written.
    pub owner: Option<Ref<Team>>,
    /// The systems it depends on.
    pub systems: Vec<Ref<System>>,
    /// Manual workaround while its systems are down (Markdown); `None`: none (`no-fallback` warns
    /// on critical ones).
    pub fallback: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
}

/// A `[[team]]`: owns systems, processes and changes.
#[derive(Debug, Clone)]
pub struct Team {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// Its display name.
    pub name: String,
    /// E-mail address, free text.
    pub email: Option<String>,
    /// Chat channel, free text.
    pub chat: Option<String>,
    /// How to reach whoever is on call, free text.
    pub oncall: Option<String>,
    /// Where its table was written.
    pub loc: Loc,
}

/// An `[[audience]]`: a group of users that changes must be announced to.
#[derive(Debug, Clone)]
pub struct Audience {
    /// Its id as written, with where it was written.
    pub id: At<String>,
    /// Its display name.
    pub name: String,
    /// How critical their work is; phased rollouts should start with the least critical.
    pub criticality: At<Criticality>,
    /// Address or channel announcements go to; `None` when not written.
    pub contact: Option<String>,
    /// Processes they rely on (they are impacted when one of them is).
    pub processes: Vec<Ref<Process>>,
    /// Systems they use directly.
    pub systems: Vec<Ref<System>>,
    /// The zone its notices show times in first (an addition to the
    /// contract); none: the change's zone.
    pub timezone: Option<At<Zone>>,
    /// Where its table was written.
    pub loc: Loc,
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
    /// The integration at this index of [`Model::integrations`].
    Integration(usize),
    /// A `third_party` item (index) of a system (index).
    ThirdParty {
        /// Index into [`Model::systems`].
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

/// `cutover.toml`, with every default filled in.
#[derive(Debug, Clone)]
pub struct Config {
    /// `[site]`.
    pub site: Site,
    /// `[policy]`.
    pub policy: Policy,
    /// `[rules]`: level overrides by rule; a rule not named keeps its default level.
    pub rules: BTreeMap<Rule, Override>,
    /// `[risk]` and `[risk.weights]`.
    pub risk: RiskConfig,
    /// Addition: `[export]`, how `cutover export` maps the inventory onto
    /// the tools that enforce windows.
    pub export: Export,
}

/// `[site]` of `cutover.toml`.
#[derive(Debug, Clone)]
pub struct Site {
    /// Default: "Changes".
    pub title: String,
    /// Default: none (feeds and ICS then use relative links).
    pub base_url: Option<String>,
    /// `site.id`, the globally unique name of this site in calendar UIDs
    /// (an addition to the contract). Default: the host and path of
    /// `base_url`, else the title's slug.
    pub id: Option<String>,
    /// Default: UTC.
    pub timezone: Zone,
    /// Default: "en".
    pub language: String,
    /// Addition: where each rule's documentation is published, `{rule}`
    /// standing for its name (SARIF `helpUri`). Default: cutover's
    /// repository.
    pub rules_url: Option<String>,
}

/// `[export]` of `cutover.toml`.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// `[export.argocd]`, for `cutover export argocd`.
    pub argocd: ArgoCd,
}

/// `[export.argocd]`: the AppProject that `cutover export argocd` writes,
/// and which Argo CD applications deploy each system.
#[derive(Debug, Clone)]
pub struct ArgoCd {
    /// Default: "default".
    pub project: String,
    /// Default: "argocd".
    pub namespace: String,
    /// `[export.argocd.applications]`: system id = [application names].
    pub applications: Vec<Applications>,
}

impl Default for ArgoCd {
    fn default() -> ArgoCd {
        ArgoCd {
            project: "default".into(),
            namespace: "argocd".into(),
            applications: Vec::new(),
        }
    }
}

/// The Argo CD applications that deploy one system.
#[derive(Debug, Clone)]
pub struct Applications {
    /// The system, by the id written as the key.
    pub system: Ref<System>,
    /// Names of the Argo CD applications that deploy it, in written order.
    pub names: Vec<At<String>>,
}

/// `[policy]` of `cutover.toml`: the limits the rules measure against.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Minimum lead time from announcement to first phase (`short-notice`); default 5d.
    pub notice: Duration,
    /// A health check older than this before the first phase is stale (`stale-health`, and for
    /// backups `untested-restore`); default 30d.
    pub health_max_age: Duration,
    /// Minimum watch period after the last phase (`short-monitoring`); default 72h.
    pub monitoring: Duration,
    /// Minimum gap between consecutive phases of one change (`short-soak`); default 1h.
    pub min_soak: Duration,
    /// Metric kinds every change must monitor (`missing-metric`); default all but `other`.
    pub required_metrics: Vec<MetricKind>,
}

/// `[risk]` of `cutover.toml`: score thresholds (0 to 100) and per-rule points.
#[derive(Debug, Clone)]
pub struct RiskConfig {
    /// A score at or above this is `medium`; default 25.
    pub medium: u32,
    /// A score at or above this is `high`; default 50.
    pub high: u32,
    /// A score at or above this is `critical`; default 75.
    pub critical: u32,
    /// Points per rule; rules not named here use [`Rule::default_weight`].
    pub weights: BTreeMap<Rule, u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            site: Site {
                title: "Changes".into(),
                base_url: None,
                id: None,
                timezone: Zone::utc(),
                language: "en".into(),
                rules_url: None,
            },
            policy: Policy {
                notice: Duration {
                    days: 5,
                    minutes: 0,
                },
                health_max_age: Duration {
                    days: 30,
                    minutes: 0,
                },
                monitoring: Duration {
                    days: 0,
                    minutes: 72 * 60,
                },
                min_soak: Duration {
                    days: 0,
                    minutes: 60,
                },
                required_metrics: vec![
                    MetricKind::ResponseTime,
                    MetricKind::Cpu,
                    MetricKind::Memory,
                    MetricKind::ErrorRate,
                    MetricKind::Integrations,
                    MetricKind::Tickets,
                ],
            },
            rules: BTreeMap::new(),
            risk: RiskConfig {
                medium: 25,
                high: 50,
                critical: 75,
                weights: BTreeMap::new(),
            },
            export: Export::default(),
        }
    }
}

/// The whole validated inventory.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// `cutover.toml`, defaults filled in.
    pub config: Config,
    /// Every `[[system]]`, in the order read; `Ref<System>` indexes this.
    pub systems: Vec<System>,
    /// Every `[[integration]]`, in the order read.
    pub integrations: Vec<Integration>,
    /// Every `[[process]]`, in the order read.
    pub processes: Vec<Process>,
    /// Every `[[team]]`, in the order read.
    pub teams: Vec<Team>,
    /// Every `[[audience]]`, in the order read.
    pub audiences: Vec<Audience>,
    /// Every `[[window]]`, `[[freeze]]` and `[[peak]]`, in the order read (see [`Period::kind`]).
    pub periods: Vec<Period>,
    /// Every `[[change]]`, in the order read.
    pub changes: Vec<Change>,
    /// Every `[[incident]]`, in the order read.
    pub incidents: Vec<Incident>,
}

/// The lowercase form of an id: how ids compare, and their URL slug.
pub fn slug(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// Slugs a kind cannot take because the site writes a page of its own
/// where that kind's pages go: `systems/<slug>.html` would replace the list
/// of systems (`systems/index.html`), and `changes/<slug>/` would be a
/// folder where the list of changes (`changes/index.html`) is a file. Ids
/// cannot be empty, start with `.` or hold a path separator (the id form),
/// so no other page can collide; a test enumerates every page the site
/// writes to prove it.
pub const RESERVED_SLUGS: &[(&str, &str)] = &[("system", "index"), ("change", "index.html")];

/// Whether `text` is of the id form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
pub fn is_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether a compat target names a third-party item: the whole item, or
/// its name without the trailing version (`pgbouncer` for "pgbouncer 1.21").
pub fn names_item(target: &str, item: &str) -> bool {
    let target = target.trim().to_lowercase();
    let item = item.trim().to_lowercase();
    if target == item {
        return true;
    }
    match item.rsplit_once(' ') {
        Some((name, version)) => {
            version.starts_with(|c: char| c.is_ascii_digit() || c == 'v') && name.trim() == target
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_forms() {
        fn check<T: serde::Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
            for &value in all {
                assert_eq!(serde_json::to_value(value).unwrap(), name(value));
            }
        }
        check(Criticality::ALL, Criticality::name);
        check(HealthStatus::ALL, HealthStatus::name);
        check(Status::ALL, Status::name);
        check(MetricKind::ALL, MetricKind::name);
        check(OutcomeResult::ALL, OutcomeResult::name);
    }

    #[test]
    fn ids_are_of_the_documented_form() {
        for good in ["a", "CHG-2041", "billing-db", "v1.2_x", &"a".repeat(64)] {
            assert!(is_id(good), "{good}");
        }
        for bad in [
            "",
            "-a",
            ".hidden",
            "../../etc/passwd",
            "a b",
            "é",
            &"a".repeat(65),
            "a/b",
        ] {
            assert!(!is_id(bad), "{bad}");
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_key() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(Kind::from_key("server"), None);
    }
}
