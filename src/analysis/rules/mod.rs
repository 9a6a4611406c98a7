//! Analysis stage: every plan rule of rules.md, one function each, named
//! after the rule, run from one table ([`RULES`]). Each takes the shared
//! [`Ctx`] (model, facts, as-of date, indexes and the overlapping phase
//! pairs computed once) and pushes its findings.
//!
//! Files by family: `time.rs` (local times in DST gaps and folds, cycles),
//! `window.rs` (windows), `periods.rs` (freezes, peaks, batch runs),
//! `phases.rs` (soak, notice, status), `pairs.rs`, `booked.rs`,
//! `collisions.rs` and `blast.rs` (overlapping phases), and the risk rules
//! in `backup.rs`, `testing.rs`, `systems.rs`, `watch.rs` and `people.rs`.
//!
//! Adding a rule touches its registry line (`base/rules.rs`), its page
//! (`docs/rules/<name>.md`), its function with its two tests beside it
//! (fires / near miss), and its line in [`RULES`]; a test fails when a rule
//! of the registry has no line here.

mod backup;
mod blast;
mod booked;
mod collisions;
mod pairs;
mod people;
mod periods;
mod phases;
mod systems;
mod testing;
mod time;
mod watch;
mod window;

#[cfg(test)]
pub(crate) mod test_support;

use jiff::ZonedDateTime;
use jiff::civil::Date;

use crate::analysis::{Calendar, ChangeFacts, Facts};
use crate::base::source::Loc;
use crate::base::time::span_text;
use crate::base::{Finding, Rule, Subject};
use crate::model::{Change, Model};
pub use pairs::{Slot, sweep_pairs};
#[cfg(test)]
pub use pairs::{all_pairs, related_pairs};
pub use periods::PeriodDays;

/// A plan rule: pushes its findings on the plan.
pub type RuleFn = fn(&Ctx, &mut Vec<Finding>);

/// Every plan rule of the registry with its function, in registry order.
pub const RULES: &[(Rule, RuleFn)] = &[
    (Rule::NonexistentLocalTime, time::nonexistent_local_time),
    (Rule::AmbiguousLocalTime, time::ambiguous_local_time),
    (Rule::IntegrationCycle, time::integration_cycle),
    (Rule::OutsideWindow, window::outside_window),
    (Rule::FreezeConflict, periods::freeze_conflict),
    (Rule::PeakOverlap, periods::peak_overlap),
    (Rule::BatchRunOverlap, periods::batch_run_overlap),
    (Rule::ChangeCollision, collisions::change_collision),
    (Rule::BlastRadiusOverlap, blast::blast_radius_overlap),
    (Rule::OwnerDoubleBooked, collisions::owner_double_booked),
    (Rule::PhaseOverlap, pairs::phase_overlap),
    (Rule::ShortSoak, phases::short_soak),
    (Rule::RollbackExceedsWindow, window::rollback_exceeds_window),
    (Rule::ShortNotice, phases::short_notice),
    (Rule::StaleStatus, phases::stale_status),
    (Rule::EmptyPeriod, periods::empty_period),
    (Rule::NoBackup, backup::no_backup),
    (Rule::UntestedRestore, backup::untested_restore),
    (Rule::NoRollback, backup::no_rollback),
    (Rule::NoRollbackTrigger, backup::no_rollback_trigger),
    (Rule::UntestedChange, testing::untested_change),
    (Rule::NoPostValidation, testing::no_post_validation),
    (Rule::BigBangRollout, testing::big_bang_rollout),
    (Rule::CriticalFirst, testing::critical_first),
    (Rule::UnverifiedIntegration, testing::unverified_integration),
    (Rule::UnverifiedThirdParty, testing::unverified_third_party),
    (Rule::UnhealthySystem, systems::unhealthy_system),
    (Rule::StaleHealth, systems::stale_health),
    (Rule::LegacySystem, systems::legacy_system),
    (Rule::RepeatFailure, systems::repeat_failure),
    (Rule::ShortMonitoring, watch::short_monitoring),
    (Rule::MissingMetric, watch::missing_metric),
    (Rule::UnnotifiedAudience, people::unnotified_audience),
    (
        Rule::IncompleteAnnouncement,
        people::incomplete_announcement,
    ),
    (Rule::NoFallback, people::no_fallback),
    (Rule::MissingApproval, people::missing_approval),
    (Rule::MissingOutcome, people::missing_outcome),
];

/// Runs every rule of [`RULES`], on every core: each rule's findings are
/// kept apart and joined in the order of the table, so the result is the
/// same whatever the thread count.
pub fn run(cx: &Ctx, findings: &mut Vec<Finding>) {
    use rayon::prelude::*;
    let found: Vec<Vec<Finding>> = RULES
        .par_iter()
        .map(|(name, rule)| {
            let t = crate::base::timings::start(name.name());
            let mut found = Vec::new();
            rule(cx, &mut found);
            t.end();
            found
        })
        .collect();
    findings.extend(found.into_iter().flatten());
}

/// What every rule may use, computed once per check.
pub struct Ctx<'a> {
    /// The model being checked (loaded without errors).
    pub model: &'a Model,
    /// Facts derived from it.
    pub facts: &'a Facts,
    /// The as-of date of the check.
    pub as_of: Date,
    /// Per system: the integrations with it at either end.
    pub integrations_of: Vec<Vec<usize>>,
    /// Per system: the incidents recorded on it.
    pub incidents_of: Vec<Vec<usize>>,
    /// Every phase of an active change, for the pair rules.
    pub slots: Vec<Slot>,
    /// In a probe, the overlapping pairs `(i, j)`, `i < j`, of
    /// [`Ctx::slots`] with a phase of the probed change, which
    /// `blast-radius-overlap` reads there; empty in a check, where no rule
    /// lists pairs: they count a change's, a team's or a system's phases
    /// (`booked.rs`) or gather each phase's others (`blast.rs`).
    pub pairs: Vec<(usize, usize)>,
    /// When set, the per-change rules run on this change alone (a probe:
    /// `analysis/probe.rs`); `None` in a check.
    pub only: Option<usize>,
    /// Freezes and peaks by the days they touch (shared: a probe builds it
    /// once for all its runs).
    pub period_days: std::sync::Arc<periods::PeriodDays>,
    /// Per system: its place in the order of system ids (shared like
    /// `period_days`), so picking the first ids of a large set compares
    /// numbers, not strings.
    pub system_rank: std::sync::Arc<[u32]>,
    /// Whether the systems are written in id order (`system_rank` ascends
    /// with the index): the first ids of a set are then its first members.
    pub ranks_ascend: bool,
    /// Per change: its place in the order of change ids (shared likewise),
    /// for the order of the others an aggregated pair finding names.
    pub change_rank: std::sync::Arc<[u32]>,
}

impl<'a> Ctx<'a> {
    /// The context of a check at `as_of` (no pairs: see [`Ctx::pairs`]).
    pub fn new(model: &'a Model, facts: &'a Facts, as_of: Date) -> Ctx<'a> {
        let mut integrations_of = vec![Vec::new(); model.systems.len()];
        for (ix, integration) in model.integrations.iter().enumerate() {
            integrations_of[integration.consumer.ix].push(ix);
            if integration.provider.ix != integration.consumer.ix {
                integrations_of[integration.provider.ix].push(ix);
            }
        }
        let mut incidents_of = vec![Vec::new(); model.systems.len()];
        for (ix, incident) in model.incidents.iter().enumerate() {
            for system in &incident.systems {
                incidents_of[system.ix].push(ix);
            }
        }
        let slots = pairs::slots(model, facts);
        Ctx {
            model,
            facts,
            as_of,
            integrations_of,
            incidents_of,
            slots,
            pairs: Vec::new(),
            only: None,
            period_days: std::sync::Arc::new(periods::PeriodDays::new(model, &facts.calendar)),
            system_rank: std::sync::Arc::clone(&facts.system_rank),
            ranks_ascend: ascending(&facts.system_rank),
            change_rank: change_rank(model),
        }
    }

    /// The systems of a set whose ids [`some_ids`] names, in id order, and
    /// how many more.
    pub fn some_systems(&self, systems: impl Iterator<Item = usize>) -> (Vec<usize>, usize) {
        let rank = |s: &usize| self.system_rank[*s];
        let mut named: Vec<usize> = systems.collect();
        let more = named.len().saturating_sub(NAMED);
        if more > 0 {
            named.select_nth_unstable_by_key(NAMED, rank);
            named.truncate(NAMED);
        }
        named.sort_unstable_by_key(rank);
        (named, more)
    }

    /// The impacted systems of `impact` (within `scope` when given) that
    /// [`some_ids`] names, in id order, and how many more. With systems
    /// written in id order these are the first members, found without
    /// listing the rest (a freeze over a hub's impact of thousands).
    pub fn some_impacted(
        &self,
        impact: &crate::analysis::impact::Impact,
        scope: Option<&fixedbitset::FixedBitSet>,
    ) -> (Vec<usize>, usize) {
        if self.ranks_ascend {
            let (named, count) = impact.first_within(scope, NAMED);
            let more = count - named.len();
            return (named, more);
        }
        match scope {
            Some(scope) => self.some_systems(impact.among(scope)),
            None => self.some_systems(impact.systems()),
        }
    }

    /// The expanded calendar over the planning horizon.
    pub fn calendar(&self) -> &'a Calendar {
        &self.facts.calendar
    }

    /// Runs `rule` on every active change.
    pub fn each_active(&self, findings: &mut Vec<Finding>, rule: impl Fn(&On, &mut Vec<Finding>)) {
        for (ix, change) in self.model.changes.iter().enumerate() {
            if change.status.value.is_active() && self.only.is_none_or(|only| only == ix) {
                rule(&self.on(ix), findings);
            }
        }
    }

    /// Runs `rule` on every change, active or not.
    pub fn each_change(&self, findings: &mut Vec<Finding>, rule: impl Fn(&On, &mut Vec<Finding>)) {
        for ix in 0..self.model.changes.len() {
            if self.only.is_none_or(|only| only == ix) {
                rule(&self.on(ix), findings);
            }
        }
    }

    fn on(&self, ix: usize) -> On<'_> {
        On {
            cx: self,
            model: self.model,
            ix,
            change: &self.model.changes[ix],
            facts: &self.facts.changes[ix],
            integrations_of: &self.integrations_of,
            incidents_of: &self.incidents_of,
        }
    }
}

/// One change under a rule.
pub struct On<'a> {
    /// The context of the check.
    pub cx: &'a Ctx<'a>,
    /// The model (the same as `cx.model`).
    pub model: &'a Model,
    /// Index of the change in `model.changes`.
    pub ix: usize,
    /// The change.
    pub change: &'a Change,
    /// The change's facts.
    pub facts: &'a ChangeFacts,
    /// [`Ctx::integrations_of`].
    pub integrations_of: &'a [Vec<usize>],
    /// [`Ctx::incidents_of`].
    pub incidents_of: &'a [Vec<usize>],
}

impl On<'_> {
    /// A finding of this change (its first subject).
    pub fn finding(&self, rule: Rule, loc: Loc, message: String) -> Finding {
        Finding::new(rule, loc, message)
            .change(self.change.id.value.clone())
            .about(Subject::Change(self.ix))
    }

    /// A finding at (and about) phase `phase`'s start.
    pub fn phase_finding(&self, phase: usize, rule: Rule, message: String) -> Finding {
        phase_finding(self.model, self.ix, phase, rule, message)
    }

    /// The change's id, as written.
    pub fn id(&self) -> &str {
        &self.change.id.value
    }

    /// The first phase's start, in the change's zone.
    pub fn first_start(&self) -> Option<&ZonedDateTime> {
        self.facts.first_start()
    }

    /// The id of system `ix` (an index into `model.systems`).
    pub fn system_id(&self, ix: usize) -> &str {
        &self.model.systems[ix].id.value
    }

    /// "phase \"x\" of `CHG-1` (Sun ... to ...)".
    pub fn phase_label(&self, phase: usize) -> String {
        phase_label(self.model, self.ix, phase, self.facts)
    }
}

/// A finding of change `ix` at (and about) its phase `phase`'s start.
fn phase_finding(model: &Model, ix: usize, phase: usize, rule: Rule, message: String) -> Finding {
    let change = &model.changes[ix];
    Finding::new(rule, change.phases[phase].start.loc.clone(), message)
        .change(change.id.value.clone())
        .about(Subject::Change(ix))
        .about(Subject::Phase { change: ix, phase })
}

fn phase_label(model: &Model, ix: usize, phase: usize, f: &ChangeFacts) -> String {
    format!(
        "phase \"{}\" of `{}` ({})",
        model.changes[ix].phases[phase].name,
        model.changes[ix].id.value,
        span_text(f.phases[phase].interval, &f.tz)
    )
}

/// Whether a check dated `checked` is older than `max_age` at `at`. Checks
/// are dates, so ages are counted in days: a check exactly `max_age` old
/// is still fresh.
fn too_old(checked: Date, max_age: crate::model::Duration, at: &ZonedDateTime) -> bool {
    let midnight = crate::base::time::day_start(checked, at.time_zone());
    max_age.after(&midnight).date() < at.date()
}

/// How many ids a message or subject list names before "and N more".
pub const NAMED: usize = 10;

/// Ids of the systems in a set, sorted, at most [`NAMED`], and how many more.
fn some_ids(model: &Model, systems: impl Iterator<Item = usize>) -> (Vec<String>, usize) {
    let mut ids: Vec<&str> = systems
        .map(|s| model.systems[s].id.value.as_str())
        .collect();
    let more = ids.len().saturating_sub(NAMED);
    // The first NAMED by id, in linear time: only those are sorted.
    if more > 0 {
        ids.select_nth_unstable(NAMED);
        ids.truncate(NAMED);
    }
    ids.sort_unstable();
    (ids.into_iter().map(str::to_string).collect(), more)
}

/// Per system: its place in the order of system ids (ties, which a
/// checked model does not have, by index).
pub fn system_rank(model: &Model) -> std::sync::Arc<[u32]> {
    rank_by(model.systems.len(), |s| &model.systems[s].id.value)
}

/// Whether `rank` ascends with the index.
pub fn ascending(rank: &[u32]) -> bool {
    rank.windows(2).all(|w| w[0] < w[1])
}

/// Per change, its place in the order of change ids.
pub fn change_rank(model: &Model) -> std::sync::Arc<[u32]> {
    rank_by(model.changes.len(), |c| &model.changes[c].id.value)
}

/// Per item of `count`, its place in the order of `id`.
fn rank_by<'m>(count: usize, id: impl Fn(usize) -> &'m str) -> std::sync::Arc<[u32]> {
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| id(a).cmp(id(b)));
    let mut rank = vec![0u32; order.len()];
    for (place, s) in order.into_iter().enumerate() {
        rank[s] = u32::try_from(place).unwrap_or(u32::MAX);
    }
    rank.into()
}

/// "`a`, `b` and 3 more".
fn listed<S: AsRef<str>>(ids: &[S], more: usize) -> String {
    let mut text = ids
        .iter()
        .map(|id| format!("`{}`", id.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// "`a`, `b` and 3 more" of every id, naming at most [`NAMED`].
fn listed_all(ids: &[&str]) -> String {
    let named = ids.len().min(NAMED);
    listed(&ids[..named], ids.len() - named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Family;

    #[test]
    fn every_plan_rule_of_the_registry_runs_from_the_table_once() {
        for rule in Rule::ALL {
            let lines = RULES.iter().filter(|(r, _)| r == rule).count();
            // Loading rules come from the loader and export rules from
            // `cutover export`; every other rule is a rule of the plan.
            let expected = usize::from(!matches!(rule.family(), Family::Loading | Family::Export));
            assert_eq!(lines, expected, "{rule} has {lines} lines in RULES");
        }
    }

    #[test]
    fn every_plan_rule_has_a_function_named_after_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis/rules");
        let text: String = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        for (rule, _) in RULES {
            let name = format!("pub fn {}(", rule.name().replace('-', "_"));
            assert!(text.contains(&name), "no `{name}` in src/analysis/rules");
        }
    }

    #[test]
    fn listed_names_ten_then_counts() {
        let ids: Vec<String> = (0..12).map(|i| format!("s{i:02}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(listed_all(&refs[..2]), "`s00`, `s01`");
        assert!(listed_all(&refs).ends_with("`s09` and 2 more"));
    }
}
