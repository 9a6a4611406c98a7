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
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

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
    const ALL: &'static [Self];
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

/// A reference to an entity of kind `K`: the id as written, and after
/// resolution the entity's index in its list in [`Model`].
#[derive(Debug, Clone)]
pub struct Ref<K> {
    pub id: At<String>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Down,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    Proposed,
    Approved,
    Scheduled,
    InProgress,
    Completed,
    RolledBack,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricKind {
    ResponseTime,
    Cpu,
    Memory,
    ErrorRate,
    Integrations,
    Tickets,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeResult {
    Success,
    Partial,
    RolledBack,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Window,
    Freeze,
    Peak,
}

#[derive(Debug, Clone)]
pub struct System {
    pub id: At<String>,
    pub name: String,
    pub owner: Ref<Team>,
    pub criticality: At<Criticality>,
    pub kind: Option<String>,
    pub stateful: bool,
    pub version: Option<String>,
    /// Where `legacy = true` is written; `None` when it has no legacy modules.
    pub legacy: Option<Loc>,
    pub tags: Vec<String>,
    pub third_party: Vec<At<String>>,
    pub risks: Vec<String>,
    pub health: Option<Health>,
    pub description: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Health {
    pub status: At<HealthStatus>,
    pub checked: Option<At<Date>>,
    pub notes: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Integration {
    pub id: At<String>,
    pub consumer: Ref<System>,
    pub provider: Ref<System>,
    pub kind: Option<String>,
    pub critical: bool,
    pub third_party: bool,
    pub runs: Vec<Recurrence>,
    pub description: Option<String>,
    pub loc: Loc,
}

/// A recurring schedule: an RRULE whose occurrences start at `start` local
/// time in `timezone` (else the site zone) and last `duration`.
#[derive(Debug, Clone)]
pub struct Recurrence {
    pub rrule: At<RRule>,
    pub start: At<Time>,
    pub duration: At<Duration>,
    /// DTSTART date and last date, both optional.
    pub from: Option<At<Date>>,
    pub until: Option<At<Date>>,
    pub timezone: Option<At<Zone>>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Process {
    pub id: At<String>,
    pub name: String,
    pub criticality: At<Criticality>,
    pub owner: Option<Ref<Team>>,
    pub systems: Vec<Ref<System>>,
    pub fallback: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub id: At<String>,
    pub name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
    pub oncall: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Audience {
    pub id: At<String>,
    pub name: String,
    pub criticality: At<Criticality>,
    pub contact: Option<String>,
    pub processes: Vec<Ref<Process>>,
    pub systems: Vec<Ref<System>>,
    pub loc: Loc,
}

/// A window, freeze or peak.
#[derive(Debug, Clone)]
pub struct Period {
    pub kind: PeriodKind,
    pub id: At<String>,
    pub name: String,
    pub timezone: Option<At<Zone>>,
    pub when: When,
    pub scope: Scope,
    /// Freezes only: a hard freeze is an error, a soft one a warning.
    pub hard: bool,
    pub reason: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum When {
    /// `from` and `until` datetimes.
    Once {
        from: At<DateTime>,
        until: At<DateTime>,
    },
    Recurring(Box<Recurrence>),
}

/// Which systems a period applies to.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `["*"]` somewhere, or no list at all: every system.
    pub everything: bool,
    pub systems: Vec<Ref<System>>,
    pub tags: Vec<String>,
    pub processes: Vec<Ref<Process>>,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub id: At<String>,
    pub title: String,
    pub owner: Ref<Team>,
    pub status: At<Status>,
    pub systems: Vec<Ref<System>>,
    pub timezone: Option<At<Zone>>,
    pub summary: String,
    pub why: String,
    pub impact: Option<String>,
    pub downtime: Option<At<Duration>>,
    pub announced: Option<At<Date>>,
    pub approvals: Vec<Approval>,
    pub phases: Vec<Phase>,
    pub backup: Option<Backup>,
    pub rollback: Option<Rollback>,
    pub testing: Option<Testing>,
    pub compat: Vec<Compat>,
    pub monitoring: Option<Monitoring>,
    pub communication: Option<Communication>,
    pub outcome: Option<Outcome>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Approval {
    pub by: String,
    pub date: At<Date>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    pub start: At<DateTime>,
    pub duration: At<Duration>,
    /// After resolution, never empty: defaults to the change's systems.
    pub systems: Vec<Ref<System>>,
    pub audiences: Vec<Ref<Audience>>,
    pub steps: Vec<String>,
    pub checks: Vec<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum Backup {
    /// `none = "reason"`: deliberately no backup.
    None { reason: At<String>, loc: Loc },
    Plan {
        method: Option<String>,
        scope: Option<String>,
        location: Option<String>,
        restore_time: Option<At<Duration>>,
        restore_tested: Option<At<Date>>,
        loc: Loc,
    },
}

#[derive(Debug, Clone)]
pub struct Rollback {
    pub steps: Vec<String>,
    pub time: Option<At<Duration>>,
    pub triggers: Vec<String>,
    pub owner: Option<Ref<Team>>,
    pub switch_back: Option<String>,
    pub point_of_no_return: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Testing {
    pub environment: Option<String>,
    pub pre: Vec<String>,
    pub during: Vec<String>,
    pub post: Vec<String>,
    pub evidence: Option<String>,
    pub failures: Vec<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Compat {
    pub target: At<String>,
    /// Filled by resolution.
    pub resolved: CompatTarget,
    pub verified: bool,
    pub notes: Option<String>,
    pub loc: Loc,
}

/// What a compat entry vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompatTarget {
    Unresolved,
    Integration(usize),
    /// A `third_party` item (index) of a system (index).
    ThirdParty {
        system: usize,
        item: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Monitoring {
    pub duration: Option<At<Duration>>,
    pub owner: Option<Ref<Team>>,
    pub metrics: Vec<Metric>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub name: String,
    pub kind: At<MetricKind>,
    pub threshold: Option<String>,
    pub source: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Communication {
    pub audiences: Vec<Ref<Audience>>,
    pub channels: Vec<String>,
    pub contact: Option<String>,
    pub guidelines: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub result: At<OutcomeResult>,
    pub completed: Option<At<DateTime>>,
    pub notes: Option<String>,
    pub issues: Vec<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub id: At<String>,
    pub date: At<Date>,
    pub systems: Vec<Ref<System>>,
    pub change: Option<Ref<Change>>,
    pub summary: String,
    pub lesson: Option<String>,
    pub loc: Loc,
}

/// `cutover.toml`, with every default filled in.
#[derive(Debug, Clone)]
pub struct Config {
    pub site: Site,
    pub policy: Policy,
    pub rules: BTreeMap<Rule, Override>,
    pub risk: RiskConfig,
}

#[derive(Debug, Clone)]
pub struct Site {
    /// Default: "Changes".
    pub title: String,
    /// Default: none (feeds and ICS then use relative links).
    pub base_url: Option<String>,
    /// Default: UTC.
    pub timezone: Zone,
    /// Default: "en".
    pub language: String,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub notice: Duration,
    pub health_max_age: Duration,
    pub monitoring: Duration,
    pub min_soak: Duration,
    pub required_metrics: Vec<MetricKind>,
}

#[derive(Debug, Clone)]
pub struct RiskConfig {
    pub medium: u32,
    pub high: u32,
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
                timezone: Zone::utc(),
                language: "en".into(),
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
        }
    }
}

/// The whole validated inventory.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub config: Config,
    pub systems: Vec<System>,
    pub integrations: Vec<Integration>,
    pub processes: Vec<Process>,
    pub teams: Vec<Team>,
    pub audiences: Vec<Audience>,
    pub periods: Vec<Period>,
    pub changes: Vec<Change>,
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
}
