//! Analysis stage, schedule rules across changes over their overlapping
//! phases: `change-collision`, `blast-radius-overlap` and
//! `owner-double-booked`, each reported on both changes, once per phase
//! with the count when a phase is in more than [`AGGREGATE_OVER`] pairs.

use rayon::prelude::*;

#[cfg(test)]
use crate::analysis::rules::blast::by_pairs;
use crate::analysis::rules::booked::{Booked, booked, colliding};
#[cfg(test)]
use crate::analysis::rules::pairs::Slot;
use crate::analysis::rules::pairs::{AGGREGATE_OVER, Pair, first_of};
#[cfg(test)]
use crate::analysis::rules::pairs::{across, grouped};
use crate::analysis::rules::{Ctx, NAMED, listed, phase_finding, some_ids};
use crate::base::{Finding, Rule, Subject};

/// `change-collision`: two changes change one system in overlapping
/// phases; reported on both, once per phase with the count when a phase
/// collides with more than [`AGGREGATE_OVER`] others. The phases come
/// counted per system ([`colliding`]), not from the pairs: a thousand
/// changes of one system in one night make a million pairs.
pub fn change_collision(cx: &Ctx, findings: &mut Vec<Finding>) {
    let found = colliding(cx);
    findings.par_extend(found.par_iter().flat_map_iter(|(this, booked, common)| {
        let mut found = Vec::new();
        match booked {
            Booked::Few(others) => collided(cx, *this, others, None, &mut found),
            Booked::Many { count, first } => {
                collided(cx, *this, first, Some((*count, common)), &mut found)
            }
        }
        found
    }));
}

/// The findings of `change-collision` on slot `this` with `others`: all
/// of them, or with `many` (their count and the systems changed in common
/// with any, ascending) the first few.
fn collided(
    cx: &Ctx,
    this: usize,
    others: &[usize],
    many: Option<(usize, &[usize])>,
    findings: &mut Vec<Finding>,
) {
    let help = "two changes to one system at once cannot be told apart when something breaks: move one of them";
    if let Some((count, common)) = many {
        let pair = Pair::new(cx, this, others[0]);
        let (ids, more) = some_ids(cx.model, common.iter().copied());
        let finding = phase_finding(
            cx.model,
            pair.this.change,
            pair.this.phase,
            Rule::ChangeCollision,
            String::new(),
        );
        let (few, mut finding) = first_of(cx, others, count, finding);
        finding.message = format!(
            "{} changes {} at the same time as {count} phases of other changes: {few}",
            pair.label(),
            listed(&ids, more),
        );
        findings.push(
            finding
                .about_all(common.iter().take(NAMED).map(|&s| Subject::System(s)))
                .help(help)
                .subjects(ids),
        );
        return;
    }
    for &other in others {
        let pair = Pair::new(cx, this, other);
        let common = pair.common();
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
            .help(help)
            .subjects(ids);
        findings.push(finding);
    }
}

/// `change-collision` from the overlapping pairs of [`Ctx::pairs`], as it
/// was before [`colliding`]: the oracle the counted rule is tested against.
#[cfg(test)]
pub(super) fn change_collision_by_pairs(cx: &Ctx, findings: &mut Vec<Finding>) {
    let hits = across(cx, &cx.pairs, |pair| pair.shares_system());
    findings.extend(grouped(cx, hits).par_findings(|this, others, findings| {
        if others.len() > AGGREGATE_OVER {
            let mut common: Vec<usize> = others
                .iter()
                .flat_map(|&o| Pair::new(cx, this, o).common())
                .collect();
            common.sort_unstable();
            common.dedup();
            collided(cx, this, others, Some((others.len(), &common)), findings);
        } else {
            collided(cx, this, others, None, findings);
        }
    }));
}

/// `blast-radius-overlap` from the pairs of [`Ctx::pairs`] (all of them,
/// or those [`related_pairs`](crate::analysis::rules::related_pairs)
/// finds): the oracle for the index of `blast.rs`.
#[cfg(test)]
pub fn blast_radius_overlap_by_pairs(cx: &Ctx, findings: &mut Vec<Finding>) {
    findings.extend(by_pairs(cx, &cx.pairs, false));
}

/// `owner-double-booked`: one team owns two changes with overlapping
/// phases; aggregated per phase as `change-collision` is. The phases come
/// counted per team ([`booked`]), not from the pairs: a team's busy season
/// makes far more pairs than findings.
pub fn owner_double_booked(cx: &Ctx, findings: &mut Vec<Finding>) {
    let found: Vec<(usize, Booked)> = booked(cx);
    findings.par_extend(found.par_iter().flat_map_iter(|(this, booked)| {
        let mut found = Vec::new();
        match booked {
            Booked::Few(others) => double_booked(cx, *this, others, others.len(), &mut found),
            Booked::Many { count, first } => double_booked(cx, *this, first, *count, &mut found),
        }
        found
    }));
}

/// The findings of `owner-double-booked` on slot `this`, in `count` pairs
/// of which `others` are all (at most [`AGGREGATE_OVER`]) or the first few.
fn double_booked(
    cx: &Ctx,
    this: usize,
    others: &[usize],
    count: usize,
    findings: &mut Vec<Finding>,
) {
    let help =
        "one team cannot watch two changes closely at once: move one, or hand one to another team";
    let this_change = &cx.model.changes[cx.slots[this].change];
    let team = &this_change.owner;
    if count > AGGREGATE_OVER {
        let pair = Pair::new(cx, this, others[0]);
        let finding = phase_finding(
            cx.model,
            pair.this.change,
            pair.this.phase,
            Rule::OwnerDoubleBooked,
            String::new(),
        );
        let (few, mut finding) = first_of(cx, others, count, finding);
        finding.message = format!(
            "team `{}` runs {} and {count} phases of its other changes at the same time: {few}",
            team.id.value,
            pair.label(),
        );
        findings.push(
            finding
                .subject(team.id.value.clone())
                .about(Subject::Team(team.ix))
                .help(help),
        );
        return;
    }
    for &other in others {
        let pair = Pair::new(cx, this, other);
        findings.push(
            pair.finding(
                Rule::OwnerDoubleBooked,
                format!(
                    "team `{}` runs {} and phase \"{}\" of `{}` ({}) at the same time",
                    team.id.value,
                    pair.label(),
                    pair.other_phase(),
                    pair.other_id(),
                    pair.when()
                ),
            )
            .subject(team.id.value.clone())
            .about(Subject::Team(team.ix))
            .help(help),
        );
    }
}

/// `owner-double-booked` from the overlapping pairs of [`Ctx::pairs`], as
/// it was before [`booked`]: the oracle the counted rule is tested against.
#[cfg(test)]
pub(super) fn owner_double_booked_by_pairs(cx: &Ctx, findings: &mut Vec<Finding>) {
    let hits = across(cx, &cx.pairs, |pair| {
        let owner = |slot: &Slot| pair.model.changes[slot.change].owner.ix;
        owner(pair.this) == owner(pair.other)
    });
    findings.extend(grouped(cx, hits).par_findings(|this, others, findings| {
        double_booked(cx, this, others, others.len(), findings);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, phase, run};

    fn two(first: &str, second_keys: &str, second_start: &str) -> String {
        change("c1", first, "") + &change("c2", second_keys, &phase("q", second_start, "1h", ""))
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

    fn crowd(n: usize) -> String {
        (0..n).map(|i| change(&format!("c{i}"), "", "")).collect()
    }

    #[test]
    fn a_crowded_phase_gets_one_finding_per_rule_with_the_count() {
        let found = run(&crowd(7), change_collision);
        assert_eq!(found.len(), 7);
        assert_eq!(
            found[0].message,
            "phase \"p\" of `c0` (Sun 2026-12-06 02:00 UTC to Sun 2026-12-06 03:00 UTC) changes `app` at the same time as 6 phases of other changes: phase \"p\" of `c1`, phase \"p\" of `c2`, phase \"p\" of `c3` and 3 more"
        );
        assert_eq!(found[0].subjects, ["c1", "c2", "c3", "app"]);
        let found = run(&crowd(7), owner_double_booked);
        assert_eq!(found.len(), 7);
        assert!(
            found[0]
                .message
                .contains("and 6 phases of its other changes at the same time")
        );
    }

    #[test]
    fn a_crowded_phase_near_miss_at_five_others_is_reported_pair_by_pair() {
        assert_eq!(run(&crowd(6), change_collision).len(), 30);
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
}
