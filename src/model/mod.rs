//! Model stage: the validated inventory. Every entity of inventory.md with
//! typed values and references resolved to indices; later stages never look
//! an id up by its text.
//!
//! One file per entity family: `system` (systems, their health,
//! integrations, processes, teams, audiences), `period` (windows, freezes,
//! peaks and the recurrences they share with batch integrations), `change`
//! (changes, their tables, and incidents) and `config` (`cutover.toml`);
//! every type is re-exported here, so paths are `crate::model::X`. This
//! file keeps the [`Model`] itself, entity [`Kind`]s, references ([`Ref`])
//! and the id helpers; `time` and `rrule` hold the time values and the
//! RRULE type.

pub mod rrule;
pub mod time;

mod change;
mod config;
mod period;
mod system;

use std::marker::PhantomData;

use crate::base::source::At;
pub use change::{
    Approval, Backup, Change, Communication, Compat, CompatTarget, Incident, Metric, MetricKind,
    Monitoring, Outcome, OutcomeResult, Phase, Rollback, Status, Testing,
};
pub use config::{Applications, ArgoCd, Config, Export, Policy, RiskConfig, Site};
pub use period::{Period, PeriodKind, Recurrence, Scope, When};
pub use system::{Audience, Health, HealthStatus, Integration, Process, System, Team};
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

        impl $crate::model::Named for $ty {
            const ALL: &'static [$ty] = $ty::ALL;

            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }
    };
}

// For the files of the model that declare such enums.
use names;

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

names!(Criticality { Low => "low", Medium => "medium", High => "high", Critical => "critical" });

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

impl Model {
    /// Moves `other`'s entities to the end of these lists (its config is
    /// left where it is).
    pub fn append(&mut self, other: &mut Model) {
        self.systems.append(&mut other.systems);
        self.integrations.append(&mut other.integrations);
        self.processes.append(&mut other.processes);
        self.teams.append(&mut other.teams);
        self.audiences.append(&mut other.audiences);
        self.periods.append(&mut other.periods);
        self.changes.append(&mut other.changes);
        self.incidents.append(&mut other.incidents);
    }
}

/// The lowercase form of an id: how ids compare, and their URL slug.
pub fn slug(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// Slugs a kind cannot take because the site writes a page of its own
/// where that kind's pages go: `systems/<slug>.html` would replace the list
/// of systems (`systems/index.html`) or one of its later pages
/// (`systems/page-2.html`...), and `changes/<slug>/` would be a folder
/// where the list of changes or one of its pages (`changes/index.html`,
/// `changes/page-2.html`...) is a file. Ids cannot be empty, start with `.`
/// or hold a path separator (the id form), so no other page can collide; a
/// test enumerates every page the site writes to prove it.
pub fn reserved_slug(kind: &str, slug: &str) -> bool {
    let list_page = |name: &str| {
        name == "index"
            || name
                .strip_prefix("page-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    match kind {
        "system" => list_page(slug),
        "change" => slug.strip_suffix(".html").is_some_and(list_page),
        _ => false,
    }
}

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
