//! Foundation: the catalogue of every rule, with its family, default level,
//! default risk weight and documentation (`docs/rules/<name>.md`, built in).

use std::fmt;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing; its level never fails a run.
    Info,
    /// Probably a problem; its level fails a run only with `--deny warnings`.
    Warning,
    /// A problem to fix before the change goes ahead; fails the run.
    Error,
}

impl Level {
    /// Its lowercase name, as in `[rules]` and `--format json`: `info`, `warning`, `error`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which part of the analysis a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Problems reading the inventory; always errors, never overridable.
    Loading,
    /// Local times in zones: DST gaps and folds, integration cycles.
    Time,
    /// The plan against the calendar: windows, freezes, peaks, other changes' phases.
    Schedule,
    /// What a change says about itself and its systems: backup, rollback, testing, health.
    Risk,
    /// What `cutover export` cannot hand to another tool.
    Export,
}

macro_rules! rules {
    ($($variant:ident => $name:literal, $family:ident, $level:ident, $weight:expr;)*) => {
        /// Every finding's rule. Names are stable: users refer to them in `[rules]`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                #[doc = concat!("`", $name, "`; `cutover explain ", $name, "` prints its page.")]
                $variant,
            )*
        }

        impl Rule {
            /// Every rule, in the order of the registry.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// Its stable name, as in `[rules]`, `cutover explain` and the docs: `no-backup`.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            /// The family it belongs to.
            pub fn family(self) -> Family {
                match self { $(Rule::$variant => Family::$family,)* }
            }

            /// The level when neither the rule nor `[rules]` says otherwise.
            pub fn default_level(self) -> Level {
                match self { $(Rule::$variant => Level::$level,)* }
            }

            /// Points added to a change's risk score when the rule fires on it
    /// (risk and schedule rules; the others never count).
            pub fn default_weight(self) -> u32 {
                match self { $(Rule::$variant => $weight,)* }
            }

            /// The rule's documentation, as printed by `cutover explain`.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Rule::$variant => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/docs/rules/", $name, ".md"
                    )),)*
                }
            }
        }
    };
}

rules! {
    Syntax => "syntax", Loading, Error, 0;
    Schema => "schema", Loading, Error, 0;
    DuplicateId => "duplicate-id", Loading, Error, 0;
    UnknownReference => "unknown-reference", Loading, Error, 0;
    InvalidTime => "invalid-time", Loading, Error, 0;
    InvalidSchedule => "invalid-schedule", Loading, Error, 0;
    Unreadable => "unreadable", Loading, Error, 0;

    NonexistentLocalTime => "nonexistent-local-time", Time, Error, 0;
    AmbiguousLocalTime => "ambiguous-local-time", Time, Warning, 0;
    IntegrationCycle => "integration-cycle", Time, Warning, 0;

    OutsideWindow => "outside-window", Schedule, Error, 15;
    FreezeConflict => "freeze-conflict", Schedule, Error, 20;
    PeakOverlap => "peak-overlap", Schedule, Warning, 8;
    BatchRunOverlap => "batch-run-overlap", Schedule, Warning, 8;
    ChangeCollision => "change-collision", Schedule, Error, 20;
    BlastRadiusOverlap => "blast-radius-overlap", Schedule, Warning, 8;
    OwnerDoubleBooked => "owner-double-booked", Schedule, Warning, 5;
    PhaseOverlap => "phase-overlap", Schedule, Error, 10;
    ShortSoak => "short-soak", Schedule, Warning, 5;
    RollbackExceedsWindow => "rollback-exceeds-window", Schedule, Warning, 8;
    ShortNotice => "short-notice", Schedule, Warning, 5;
    StaleStatus => "stale-status", Schedule, Warning, 3;
    EmptyPeriod => "empty-period", Schedule, Warning, 0;

    NoBackup => "no-backup", Risk, Error, 30;
    UntestedRestore => "untested-restore", Risk, Warning, 10;
    NoRollback => "no-rollback", Risk, Error, 25;
    NoRollbackTrigger => "no-rollback-trigger", Risk, Warning, 8;
    UntestedChange => "untested-change", Risk, Warning, 10;
    NoPostValidation => "no-post-validation", Risk, Warning, 5;
    BigBangRollout => "big-bang-rollout", Risk, Warning, 10;
    CriticalFirst => "critical-first", Risk, Warning, 8;
    UnverifiedIntegration => "unverified-integration", Risk, Warning, 5;
    UnverifiedThirdParty => "unverified-third-party", Risk, Warning, 5;
    UnhealthySystem => "unhealthy-system", Risk, Warning, 10;
    StaleHealth => "stale-health", Risk, Warning, 3;
    LegacySystem => "legacy-system", Risk, Info, 3;
    ShortMonitoring => "short-monitoring", Risk, Warning, 5;
    MissingMetric => "missing-metric", Risk, Warning, 3;
    UnnotifiedAudience => "unnotified-audience", Risk, Warning, 5;
    IncompleteAnnouncement => "incomplete-announcement", Risk, Warning, 5;
    NoFallback => "no-fallback", Risk, Warning, 5;
    RepeatFailure => "repeat-failure", Risk, Warning, 8;
    MissingApproval => "missing-approval", Risk, Error, 10;
    MissingOutcome => "missing-outcome", Risk, Error, 0;

    UnexportablePeriod => "unexportable-period", Export, Warning, 0;
}

impl Rule {
    /// The rule of this name, if any.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.name() == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_doc_that_names_it() {
        for rule in Rule::ALL {
            let doc = rule.doc();
            assert!(
                doc.starts_with(&format!("# {}\n", rule.name())),
                "docs/rules/{}.md must start with its name",
                rule.name()
            );
            assert!(doc.contains("## How to fix"), "{rule}");
        }
    }

    #[test]
    fn names_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(*rule));
        }
        assert_eq!(Rule::from_name("no-such-rule"), None);
    }
}
