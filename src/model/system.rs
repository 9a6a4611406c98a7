//! Model stage: the entities that changes act on and that notices reach —
//! systems with their health, integrations, processes, teams and audiences.

use jiff::civil::Date;

use super::{Criticality, Recurrence, Ref, Zone, names};
use crate::base::source::{At, Loc};

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

names!(HealthStatus { Healthy => "healthy", Degraded => "degraded", Down => "down", Unknown => "unknown" });

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
