//! Analysis stage, schedule rules over pairs of overlapping phases of
//! active changes: `phase-overlap` within a change; `change-collision`,
//! `blast-radius-overlap` and `owner-double-booked` across changes, each
//! reported on both changes.
//!
//! The pairs come from the sweep of [`overlapping_pairs`], once per check
//! (in [`Ctx::pairs`]): O(p log p + k) for p phases and k overlapping pairs.

use crate::analysis::rules::{Ctx, listed, phase_finding, phase_label, some_ids};
use crate::analysis::{ChangeFacts, Facts};
use crate::base::time::span_text;
use crate::base::{Finding, Rule, Subject};
use crate::model::Model;
use crate::schedule::sweep::{Interval, overlapping_pairs};

/// A phase of an active change, as the pair rules see it.
pub struct Slot {
    pub change: usize,
    pub phase: usize,
    pub interval: Interval,
}

/// Finds the overlapping pairs `(i, j)`, `i < j`, of slots.
pub type PairFinder = dyn Fn(&[Slot]) -> Vec<(usize, usize)>;

/// Overlapping pairs by the sweep.
pub fn sweep_pairs(slots: &[Slot]) -> Vec<(usize, usize)> {
    let intervals: Vec<Interval> = slots.iter().map(|s| s.interval).collect();
    overlapping_pairs(&intervals)
}

/// Every pair, compared one by one: the quadratic oracle for the sweep.
pub fn all_pairs(slots: &[Slot]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for i in 0..slots.len() {
        for j in i + 1..slots.len() {
            if slots[i].interval.overlaps(slots[j].interval) {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

/// Every phase of every active change.
pub(super) fn slots(model: &Model, facts: &Facts) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (ix, change) in model.changes.iter().enumerate() {
        if change.status.value.is_active() {
            for (p, phase) in facts.changes[ix].phases.iter().enumerate() {
                slots.push(Slot {
                    change: ix,
                    phase: p,
                    interval: phase.interval,
                });
            }
        }
    }
    slots
}

/// The overlapping pairs of phases of one change.
fn within<'a>(cx: &'a Ctx) -> impl Iterator<Item = (&'a Slot, &'a Slot)> {
    cx.pairs
        .iter()
        .map(|&(i, j)| (&cx.slots[i], &cx.slots[j]))
        .filter(|(a, b)| a.change == b.change)
}

/// The overlapping pairs of phases of two changes, each way round:
/// (this, other) then (other, this).
fn across<'a>(cx: &'a Ctx) -> impl Iterator<Item = (&'a Slot, &'a Slot)> {
    cx.pairs
        .iter()
        .map(|&(i, j)| (&cx.slots[i], &cx.slots[j]))
        .filter(|(a, b)| a.change != b.change)
        .flat_map(|(a, b)| [(a, b), (b, a)])
}

/// `phase-overlap`: two phases of one change overlap; reported once, at
/// the later phase (ties: written later).
pub fn phase_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    let model = cx.model;
    for (a, b) in within(cx) {
        let (first, second) = if (a.interval.start, a.phase) <= (b.interval.start, b.phase) {
            (a, b)
        } else {
            (b, a)
        };
        let change = &model.changes[a.change];
        let f = &cx.facts.changes[a.change];
        findings.push(
            phase_finding(
                model,
                second.change,
                second.phase,
                Rule::PhaseOverlap,
                format!(
                    "phase \"{}\" ({}) overlaps phase \"{}\" ({}) of the same change",
                    change.phases[second.phase].name,
                    span_text(second.interval, &f.tz),
                    change.phases[first.phase].name,
                    span_text(first.interval, &f.tz),
                ),
            )
            .help("phases run one after another: start this one after the other ends, leaving the soak time"),
        );
    }
}

/// What the pair rules say of `this` phase and `other`, another change's.
struct Pair<'a> {
    model: &'a Model,
    this: &'a Slot,
    other: &'a Slot,
    mine: &'a ChangeFacts,
    theirs: &'a ChangeFacts,
}

impl<'a> Pair<'a> {
    fn new(cx: &'a Ctx, this: &'a Slot, other: &'a Slot) -> Pair<'a> {
        Pair {
            model: cx.model,
            this,
            other,
            mine: &cx.facts.changes[this.change],
            theirs: &cx.facts.changes[other.change],
        }
    }

    /// Systems both phases change.
    fn common(&self) -> Vec<usize> {
        intersect(
            &self.mine.phases[self.this.phase].systems,
            &self.theirs.phases[self.other.phase].systems,
        )
    }

    /// Systems one phase changes that the other change impacts.
    fn hit(&self) -> Vec<usize> {
        let my_systems = &self.mine.phases[self.this.phase].systems;
        let their_systems = &self.theirs.phases[self.other.phase].systems;
        let mut hit: Vec<usize> = their_systems
            .iter()
            .copied()
            .filter(|&s| self.mine.impact.set.contains(s))
            .collect();
        hit.extend(
            my_systems
                .iter()
                .copied()
                .filter(|&s| self.theirs.impact.set.contains(s)),
        );
        hit.sort_unstable();
        hit.dedup();
        hit
    }

    // Messages are built only for pairs that produce a finding: most
    // overlapping pairs do not, and formatting times dominates otherwise.
    fn label(&self) -> String {
        phase_label(self.model, self.this.change, self.this.phase, self.mine)
    }

    fn when(&self) -> String {
        span_text(self.theirs.phases[self.other.phase].interval, &self.mine.tz)
    }

    fn other_id(&self) -> &'a str {
        &self.model.changes[self.other.change].id.value
    }

    fn other_phase(&self) -> &'a str {
        &self.model.changes[self.other.change].phases[self.other.phase].name
    }

    fn finding(&self, rule: Rule, message: String) -> Finding {
        phase_finding(self.model, self.this.change, self.this.phase, rule, message)
            .subject(self.other_id())
            .about(Subject::Change(self.other.change))
    }
}

/// `change-collision`: two changes change one system in overlapping phases.
pub fn change_collision(cx: &Ctx, findings: &mut Vec<Finding>) {
    for (this, other) in across(cx) {
        let pair = Pair::new(cx, this, other);
        let common = pair.common();
        if common.is_empty() {
            continue;
        }
        let (ids, more) = some_ids(cx.model, common.iter().copied());
        let finding = pair
            .finding(
                Rule::ChangeCollision,
                format!(
                    "{} changes {} at the same time as phase \"{}\" of `{}` ({})",
                    pair.label(),
                    listed(&ids, more),
                    pair.other_phase(),
                    pair.other_id(),
                    pair.when()
                ),
            )
            .about_all(common.iter().map(|&s| Subject::System(s)))
            .help("two changes to one system at once cannot be told apart when something breaks: move one of them")
            .subjects(ids);
        findings.push(finding);
    }
}

/// `blast-radius-overlap`: overlapping phases of two changes that change no
/// common system, but one changes a system the other impacts.
pub fn blast_radius_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    for (this, other) in across(cx) {
        let pair = Pair::new(cx, this, other);
        if !pair.common().is_empty() {
            continue;
        }
        let hit = pair.hit();
        if hit.is_empty() {
            continue;
        }
        let (ids, more) = some_ids(cx.model, hit.iter().copied());
        let finding = pair
            .finding(
                Rule::BlastRadiusOverlap,
                format!(
                    "{} overlaps phase \"{}\" of `{}` ({}), and their blast radii meet at {}",
                    pair.label(),
                    pair.other_phase(),
                    pair.other_id(),
                    pair.when(),
                    listed(&ids, more)
                ),
            )
            .about_all(hit.iter().map(|&s| Subject::System(s)))
            .help("if something breaks, nobody will know which change caused it: move one of the phases")
            .subjects(ids);
        findings.push(finding);
    }
}

/// `owner-double-booked`: one team owns two changes with overlapping phases.
pub fn owner_double_booked(cx: &Ctx, findings: &mut Vec<Finding>) {
    for (this, other) in across(cx) {
        let this_change = &cx.model.changes[this.change];
        if this_change.owner.ix != cx.model.changes[other.change].owner.ix {
            continue;
        }
        let pair = Pair::new(cx, this, other);
        findings.push(
            pair.finding(
                Rule::OwnerDoubleBooked,
                format!(
                    "team `{}` runs {} and phase \"{}\" of `{}` ({}) at the same time",
                    this_change.owner.id.value,
                    pair.label(),
                    pair.other_phase(),
                    pair.other_id(),
                    pair.when()
                ),
            )
            .subject(this_change.owner.id.value.clone())
            .about(Subject::Team(this_change.owner.ix))
            .help("one team cannot watch two changes closely at once: move one, or hand one to another team"),
        );
    }
}

/// Common elements of two sorted lists.
fn intersect(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;
    use proptest::prelude::*;

    use crate::analysis::rules::test_support::{change, messages, phase, run};

    fn two(first: &str, second_keys: &str, second_start: &str) -> String {
        change("c1", first, "") + &change("c2", second_keys, &phase("q", second_start, "1h", ""))
    }

    #[test]
    fn phase_overlap_fires_on_overlapping_phases_of_one_change() {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "")
            + &phase("b", "2026-12-06T02:30:00", "1h", "");
        let found = run(&change("c", "", &phases), phase_overlap);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].starts_with("phase \"b\""));
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 1
        }));
    }

    #[test]
    fn phase_overlap_near_miss_when_one_ends_as_the_next_starts() {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "")
            + &phase("b", "2026-12-06T03:00:00", "1h", "");
        assert!(run(&change("c", "", &phases), phase_overlap).is_empty());
    }

    #[test]
    fn change_collision_fires_on_both_changes() {
        let found = run(&two("", "", "2026-12-06T02:30:00"), change_collision);
        let changes: Vec<Option<&str>> = found.iter().map(|f| f.change.as_deref()).collect();
        assert_eq!(changes, [Some("c1"), Some("c2")]);
        assert!(messages(&found)[0].contains("changes `app` at the same time"));
        assert!(found[0].is_about(Subject::Change(1)));
        assert!(found[0].is_about(Subject::System(0)));
    }

    #[test]
    fn change_collision_near_miss_an_hour_apart() {
        assert!(run(&two("", "", "2026-12-06T03:00:00"), change_collision).is_empty());
    }

    #[test]
    fn blast_radius_overlap_fires_when_one_changes_what_the_other_impacts() {
        // c1 changes db, which app (changed by c2) needs.
        let text = two("systems = [\"db\"]", "", "2026-12-06T02:30:00");
        let found = run(&text, blast_radius_overlap);
        assert_eq!(found.len(), 2);
        assert!(messages(&found)[0].contains("their blast radii meet at `app`"));
        // A collision is not also a blast-radius overlap.
        assert!(run(&two("", "", "2026-12-06T02:30:00"), blast_radius_overlap).is_empty());
    }

    #[test]
    fn blast_radius_overlap_near_miss_for_unrelated_systems() {
        let text = two(
            "systems = [\"db\"]",
            "systems = [\"web\"]",
            "2026-12-06T02:30:00",
        );
        assert!(run(&text, blast_radius_overlap).is_empty());
    }

    #[test]
    fn owner_double_booked_fires_for_one_team_at_once() {
        let text = two("", "systems = [\"web\"]", "2026-12-06T02:30:00");
        let found = run(&text, owner_double_booked);
        assert_eq!(found.len(), 2);
        assert!(messages(&found)[0].starts_with("team `t` runs phase \"p\" of `c1`"));
        assert!(found[0].is_about(Subject::Team(0)));
    }

    #[test]
    fn owner_double_booked_near_miss_for_two_teams() {
        let text = two(
            "",
            "systems = [\"web\"]\nowner = \"u\"",
            "2026-12-06T02:30:00",
        );
        assert!(run(&text, owner_double_booked).is_empty());
    }

    /// An inventory of `changes`, each a list of (system, team, start
    /// offset in minutes, duration in minutes, status) phases.
    /// (owner team, phases as (system, unused, start minute, minutes), active).
    type ChangeSpec = (usize, Vec<(usize, usize, u32, u32)>, bool);

    fn inventory(changes: &[ChangeSpec]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from(
            "[[team]]\nid = \"t0\"\nname = \"T0\"\n[[team]]\nid = \"t1\"\nname = \"T1\"\n",
        );
        for s in 0..6 {
            text.push_str(&format!("[[system]]\nid = \"s{s}\"\nname = \"S{s}\"\nowner = \"t0\"\ncriticality = \"low\"\n"));
        }
        // A chain s1 -> s0 and s2 -> s1 (critical), s3 -> s0 not critical.
        for (i, (consumer, provider, critical)) in [(1, 0, true), (2, 1, true), (3, 0, false)]
            .iter()
            .enumerate()
        {
            text.push_str(&format!(
                "[[integration]]\nid = \"i{i}\"\nconsumer = \"s{consumer}\"\nprovider = \"s{provider}\"\ncritical = {critical}\n"
            ));
        }
        for (c, (team, phases, active)) in changes.iter().enumerate() {
            let status = if *active { "proposed" } else { "cancelled" };
            let systems: Vec<String> = phases.iter().map(|p| format!("s{}", p.0)).collect();
            text.push_str(&format!(
                "[[change]]\nid = \"c{c}\"\ntitle = \"C\"\nowner = \"t{team}\"\nstatus = \"{status}\"\nsystems = {systems:?}\nsummary = \"s\"\nwhy = \"w\"\n"
            ));
            for (system, _, start, duration) in phases {
                let at = jiff::civil::date(2026, 12, 1).at(0, 0, 0, 0)
                    + jiff::Span::new().minutes(i64::from(*start));
                text.push_str(&format!(
                    "[[change.phase]]\nname = \"p\"\nstart = {at}\nduration = \"{duration}m\"\nsystems = [\"s{system}\"]\n"
                ));
            }
        }
        std::fs::write(dir.path().join("inv.toml"), text).unwrap();
        dir
    }

    fn keyed(findings: &[Finding]) -> Vec<(Rule, String, Option<String>, Vec<String>)> {
        let mut keys: Vec<_> = findings
            .iter()
            .map(|f| {
                (
                    f.rule,
                    f.message.clone(),
                    f.change.clone(),
                    f.subjects.clone(),
                )
            })
            .collect();
        keys.sort();
        keys
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn sweep_pair_findings_equal_all_pairs(
            changes in prop::collection::vec(
                (0usize..2, prop::collection::vec((0usize..6, 0usize..1, 0u32..3000, 1u32..300), 1..5), prop::bool::weighted(0.85)),
                1..80,
            )
        ) {
            let dir = inventory(&changes);
            let loaded = crate::inventory::load(dir.path()).unwrap();
            prop_assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
            let as_of = Date::constant(2026, 11, 24);
            let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
            let pair_rules = |finder: &PairFinder| {
                let cx = Ctx::with_pairs(&loaded.model, &facts, as_of, finder);
                let mut found = Vec::new();
                for rule in [phase_overlap, change_collision, blast_radius_overlap, owner_double_booked] {
                    rule(&cx, &mut found);
                }
                found
            };
            let swept = pair_rules(&sweep_pairs);
            prop_assert_eq!(keyed(&swept), keyed(&pair_rules(&all_pairs)));
        }
    }
}
