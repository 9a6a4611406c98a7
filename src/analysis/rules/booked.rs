//! Analysis stage: the phases of other changes that overlap each phase
//! within a group (one owner team, for `owner-double-booked`; one changed
//! system, for `change-collision`), counted rather than listed.
//!
//! A team of thousands of phases in one season, or a thousand changes of
//! one system in one night, makes millions of overlapping pairs, but a
//! rule names at most [`AGGREGATE_OVER`] of them per phase (or the count
//! and the first [`FIRST_FEW`] by change id). So the count comes from two binary searches per phase (those starting before
//! its end, less those ending by its start, less the same for its own
//! change), a short list from a walk of a max-end tree over the phases in
//! start order ([`StartOrder`]), and the first few of a long one from a scan in change-id
//! order that stops at the third; the cost follows the findings, not the
//! pairs.

use rayon::prelude::*;

use crate::analysis::rules::Ctx;
use crate::analysis::rules::pairs::{AGGREGATE_OVER, FIRST_FEW, NAMED_PHASES_AT_MOST, Slot};
use crate::base::time::Interval;
use crate::schedule::sweep::StartOrder;

/// The phases of a team's other changes that overlap one of its phases.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Booked {
    /// At most [`AGGREGATE_OVER`] of them, as slot indices in slot order.
    Few(Vec<usize>),
    /// More: how many, and the first [`FIRST_FEW`] by change id and
    /// written order.
    Many { count: usize, first: Vec<usize> },
}

/// How far the scan for the first few of a long list goes before it lists
/// them all instead, as a multiple of the length it is expected to take.
const SCAN_SLACK: usize = 4;

/// Per slot of an active change (in slot order), the overlapping phases of
/// its owner team's other changes, where there are any; only the slots of
/// [`Ctx::only`] when it is set.
pub(super) fn booked(cx: &Ctx) -> Vec<(usize, Booked)> {
    booked_with(cx, SCAN_SLACK)
}

/// Per slot of an active change (in slot order), the overlapping phases of
/// other changes that change one of its systems, where there are any, and
/// the systems they change in common with it (ascending); only the slots
/// of [`Ctx::only`] when it is set.
pub(super) fn colliding(cx: &Ctx) -> Vec<(usize, Booked, Vec<usize>)> {
    colliding_with(cx, SCAN_SLACK)
}

/// [`colliding`] with the scan's slack given (see [`booked_with`]).
pub(super) fn colliding_with(cx: &Ctx, slack: usize) -> Vec<(usize, Booked, Vec<usize>)> {
    let (keys, members) = grouped_by(cx, |slot, keys| {
        keys.extend_from_slice(&cx.facts.changes[slot.change].phases[slot.phase].systems);
    });
    // Per system with more than one changing slot, in system order.
    let groups: Vec<(usize, Group)> = runs(&keys)
        .into_par_iter()
        .filter(|run| run.len() > 1)
        .map(|run| (keys[run.start], Group::new(cx, &members[run])))
        .collect();
    let group = |s: usize| -> Option<&Group> {
        let at = groups.binary_search_by_key(&s, |(k, _)| *k).ok()?;
        Some(&groups[at].1)
    };
    (0..cx.slots.len())
        .into_par_iter()
        .filter(|&this| {
            let slot = &cx.slots[this];
            nonempty(slot.interval) && cx.only.is_none_or(|only| only == slot.change)
        })
        .filter_map(|this| {
            let slot = &cx.slots[this];
            let systems = &cx.facts.changes[slot.change].phases[slot.phase].systems;
            let mut common = Vec::new();
            let mut counts = Vec::new();
            for &s in systems {
                let Some(group) = group(s) else { continue };
                let count = group.count(group.position(this));
                if count > 0 {
                    common.push(s);
                    counts.push((group, count));
                }
            }
            let booked = match counts.as_slice() {
                [] => return None,
                // One system: counted as a team is.
                &[(group, count)] => group.booked(cx, slot, count, slack),
                // More: each system's list, joined (a pair may share two).
                several => {
                    let mut others: Vec<usize> =
                        several.iter().flat_map(|(g, _)| g.listed(slot)).collect();
                    others.sort_unstable();
                    others.dedup();
                    let count = others.len();
                    if count > AGGREGATE_OVER {
                        Booked::Many {
                            count,
                            first: first_by_rank(cx, others),
                        }
                    } else {
                        Booked::Few(others)
                    }
                }
            };
            Some((this, booked, common))
        })
        .collect()
}

/// [`booked`] with the scan's slack given (0: list every long one; tests
/// compare the two).
pub(super) fn booked_with(cx: &Ctx, slack: usize) -> Vec<(usize, Booked)> {
    let (keys, members) = grouped_by(cx, |slot, keys| {
        keys.push(cx.model.changes[slot.change].owner.ix);
    });
    let mut found: Vec<(usize, Booked)> = runs(&keys)
        .into_par_iter()
        .filter(|run| run.len() > 1)
        .flat_map_iter(|run| Group::new(cx, &members[run]).each_booked(cx, slack))
        .collect();
    found.sort_unstable_by_key(|&(slot, _)| slot);
    found
}

/// The nonempty slots by the keys `key` pushes for each (its team, its
/// systems): the keys sorted, and the slots in the same order (ascending
/// within a key). Sorted, not indexed by key, so that a probe, whose
/// slots are a few, pays for those and not for every team or system.
fn grouped_by(cx: &Ctx, key: impl Fn(&Slot, &mut Vec<usize>)) -> (Vec<usize>, Vec<usize>) {
    let mut keyed: Vec<(usize, usize)> = Vec::new();
    let mut keys = Vec::new();
    for (i, slot) in cx.slots.iter().enumerate() {
        if nonempty(slot.interval) {
            keys.clear();
            key(slot, &mut keys);
            keyed.extend(keys.iter().map(|&k| (k, i)));
        }
    }
    keyed.sort_unstable();
    keyed.into_iter().unzip()
}

/// The runs of equal keys in sorted `keys`, as ranges.
fn runs(keys: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut from = 0;
    while from < keys.len() {
        let to = from + keys[from..].partition_point(|&k| k == keys[from]);
        runs.push(from..to);
        from = to;
    }
    runs
}

/// Per slot of an active change (in slot order), the phases of its own
/// change that overlap it and come before it (by start, then written
/// order: the later of two is the one `phase-overlap` reports), where
/// there are any: all, in written order, or the count and the first
/// [`NAMED_PHASES_AT_MOST`] in written order. Only the slots of
/// [`Ctx::only`] when it is set.
pub(super) fn overlapping_own(cx: &Ctx) -> Vec<(usize, Booked)> {
    overlapping_own_with(cx, SCAN_SLACK)
}

/// [`overlapping_own`] with the scan's slack given (see [`booked_with`]).
pub(super) fn overlapping_own_with(cx: &Ctx, slack: usize) -> Vec<(usize, Booked)> {
    // The slots of one change are consecutive.
    let members: Vec<usize> = (0..cx.slots.len())
        .filter(|&i| nonempty(cx.slots[i].interval))
        .filter(|&i| cx.only.is_none_or(|only| only == cx.slots[i].change))
        .collect();
    let changes: Vec<usize> = members.iter().map(|&m| cx.slots[m].change).collect();
    let mut found: Vec<(usize, Booked)> = runs(&changes)
        .into_par_iter()
        .filter(|run| run.len() > 1)
        .flat_map_iter(|run| own_change(cx.slots.as_slice(), &members[run], slack))
        .collect();
    found.sort_unstable_by_key(|&(slot, _)| slot);
    found
}

/// [`overlapping_own`] of the nonempty slots `members` of one change (in
/// slot order, which is written order). In order of (start, phase), the
/// phases before a phase that overlap it are those that end after it
/// starts: counted with a Fenwick tree of the ends seen so far, listed
/// from a max-end tree over that order.
fn own_change(slots: &[Slot], members: &[usize], slack: usize) -> Vec<(usize, Booked)> {
    let key = |m: usize| (slots[m].interval.start, slots[m].phase);
    let mut order = members.to_vec();
    order.sort_unstable_by_key(|&m| key(m));
    let tree = StartOrder::new(order.iter().map(|&m| slots[m].interval));
    let mut ends: Vec<i64> = members.iter().map(|&m| slots[m].interval.end).collect();
    ends.sort_unstable();
    ends.dedup();
    // Fenwick tree over the ranks of the ends: how many seen end at or
    // before each.
    let mut seen = vec![0usize; ends.len() + 1];
    let mut found = Vec::new();
    for (at, &this) in order.iter().enumerate() {
        let x = slots[this].interval;
        let mut upto = ends.partition_point(|&e| e <= x.start);
        let mut ended = 0;
        while upto > 0 {
            ended += seen[upto];
            upto &= upto - 1;
        }
        let count = at - ended;
        let mut rank = ends.partition_point(|&e| e < x.end) + 1;
        while rank < seen.len() {
            seen[rank] += 1;
            rank += rank & rank.wrapping_neg();
        }
        if count == 0 {
            continue;
        }
        let listed = || {
            let mut before = Vec::with_capacity(count);
            tree.each_ending_after(at, x.start, |i| before.push(order[i]));
            before.sort_unstable();
            before
        };
        let booked = if count <= AGGREGATE_OVER {
            Booked::Few(listed())
        } else {
            // The first few in written order: from a scan in that order,
            // which meets one about every `members / count` steps.
            let want = count.min(NAMED_PHASES_AT_MOST);
            let budget = slack * (want * members.len() / count + 16);
            let mut first = Vec::with_capacity(want);
            for &m in members.iter().take(budget) {
                if key(m) < key(this) && slots[m].interval.end > x.start {
                    first.push(m);
                    if first.len() == want {
                        break;
                    }
                }
            }
            if first.len() < want {
                first = listed();
                first.truncate(want);
            }
            Booked::Many { count, first }
        };
        found.push((this, booked));
    }
    found
}

fn nonempty(iv: Interval) -> bool {
    iv.start < iv.end
}

/// The nonempty slots of one group (a team's, a system's), indexed for the
/// three questions: how many of other changes overlap one, which (when
/// few), and the first few by change id (when many).
struct Group<'a> {
    slots: &'a [Slot],
    /// Slot indices, ascending: the slots of one change are consecutive.
    members: &'a [usize],
    /// Per member, where its change's members begin and end in `members`.
    run: Vec<(usize, usize)>,
    /// Per member, its change's starts and ends, each sorted, as one range
    /// into `run_starts` and `run_ends` (the same range in both).
    run_starts: Vec<i64>,
    run_ends: Vec<i64>,
    /// Starts and ends of all members, each sorted.
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Members in start order, and their intervals indexed.
    by_start: Vec<usize>,
    tree: StartOrder,
    /// Members by change id and written order.
    by_rank: Vec<usize>,
}

impl<'a> Group<'a> {
    fn new(cx: &'a Ctx, members: &'a [usize]) -> Group<'a> {
        let slots = cx.slots.as_slice();
        let iv = |m: usize| slots[m].interval;
        let mut run = vec![(0, 0); members.len()];
        let mut run_starts = Vec::with_capacity(members.len());
        let mut run_ends = Vec::with_capacity(members.len());
        let mut from = 0;
        while from < members.len() {
            let change = slots[members[from]].change;
            let mut to = from + 1;
            while to < members.len() && slots[members[to]].change == change {
                to += 1;
            }
            run[from..to].fill((from, to));
            let at = run_starts.len();
            run_starts.extend(members[from..to].iter().map(|&m| iv(m).start));
            run_ends.extend(members[from..to].iter().map(|&m| iv(m).end));
            run_starts[at..].sort_unstable();
            run_ends[at..].sort_unstable();
            from = to;
        }
        let mut starts: Vec<i64> = members.iter().map(|&m| iv(m).start).collect();
        let mut ends: Vec<i64> = members.iter().map(|&m| iv(m).end).collect();
        starts.sort_unstable();
        ends.sort_unstable();
        let mut by_start = members.to_vec();
        by_start.sort_unstable_by_key(|&m| (iv(m).start, m));
        let tree = StartOrder::new(by_start.iter().map(|&m| iv(m)));
        let rank = &cx.change_rank;
        let mut by_rank = members.to_vec();
        by_rank.sort_unstable_by_key(|&m| (rank[slots[m].change], slots[m].phase));
        Group {
            slots,
            members,
            run,
            run_starts,
            run_ends,
            starts,
            ends,
            by_start,
            tree,
            by_rank,
        }
    }

    /// How many of `starts` and `ends` (sorted) belong to intervals that
    /// overlap `x`: those starting before its end, less those ending by
    /// its start (which start before it too).
    fn overlapping(starts: &[i64], ends: &[i64], x: Interval) -> usize {
        starts.partition_point(|&s| s < x.end) - ends.partition_point(|&e| e <= x.start)
    }

    /// Where slot `this`, a member, is in `members`.
    fn position(&self, this: usize) -> usize {
        self.members.partition_point(|&m| m < this)
    }

    /// How many members of other changes overlap the member at `at`.
    fn count(&self, at: usize) -> usize {
        let x = self.slots[self.members[at]].interval;
        let (from, to) = self.run[at];
        // Both counts include the member itself.
        Group::overlapping(&self.starts, &self.ends, x)
            - Group::overlapping(&self.run_starts[from..to], &self.run_ends[from..to], x)
    }

    /// The `count` (at least one) members of other changes that overlap
    /// `slot`: all of them, or the count and the first few.
    fn booked(&self, cx: &Ctx, slot: &Slot, count: usize, slack: usize) -> Booked {
        if count <= AGGREGATE_OVER {
            let mut others = self.listed(slot);
            others.sort_unstable();
            Booked::Few(others)
        } else {
            Booked::Many {
                count,
                first: self.first(cx, slot, count, slack),
            }
        }
    }

    /// [`Group::booked`] of every member that has any (of [`Ctx::only`]
    /// when set).
    fn each_booked(&self, cx: &Ctx, slack: usize) -> Vec<(usize, Booked)> {
        let mut found = Vec::new();
        for (at, &this) in self.members.iter().enumerate() {
            let slot = &self.slots[this];
            if cx.only.is_some_and(|only| only != slot.change) {
                continue;
            }
            let count = self.count(at);
            if count > 0 {
                found.push((this, self.booked(cx, slot, count, slack)));
            }
        }
        found
    }

    /// The members of other changes than `slot`'s that overlap it, in no
    /// particular order.
    fn listed(&self, slot: &Slot) -> Vec<usize> {
        let mut others = Vec::new();
        self.tree.each_overlapping(slot.interval, |i| {
            let m = self.by_start[i];
            if self.slots[m].change != slot.change {
                others.push(m);
            }
        });
        others
    }

    /// The first [`FIRST_FEW`] of the `count` members of other changes that
    /// overlap `slot`, by change id and written order: from a scan in that
    /// order, which meets one about every `members / count` steps, within
    /// `slack` times the steps that takes; past them, from the whole list.
    fn first(&self, cx: &Ctx, slot: &Slot, count: usize, slack: usize) -> Vec<usize> {
        let budget = slack * (FIRST_FEW * self.members.len() / count + 16);
        let mut first = Vec::with_capacity(FIRST_FEW);
        for &m in self.by_rank.iter().take(budget) {
            let other = &self.slots[m];
            if other.change != slot.change && other.interval.overlaps(slot.interval) {
                first.push(m);
                if first.len() == FIRST_FEW {
                    return first;
                }
            }
        }
        first_by_rank(cx, self.listed(slot))
    }
}

/// The first [`FIRST_FEW`] of `others` (slot indices) by change id and
/// written order, in that order.
fn first_by_rank(cx: &Ctx, mut others: Vec<usize>) -> Vec<usize> {
    let rank = &cx.change_rank;
    let key = |&m: &usize| (rank[cx.slots[m].change], cx.slots[m].phase);
    if others.len() > FIRST_FEW {
        others.select_nth_unstable_by_key(FIRST_FEW, key);
        others.truncate(FIRST_FEW);
    }
    others.sort_unstable_by_key(key);
    others
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::RuleFn;
    use crate::analysis::rules::collisions::{
        change_collision, change_collision_by_pairs, owner_double_booked,
        owner_double_booked_by_pairs,
    };
    use crate::analysis::rules::pairs::{all_pairs, phase_overlap, phase_overlap_by_pairs};
    use crate::analysis::rules::test_support::{ChangeSpec, changes_text, shown};
    use crate::base::Subject;
    use jiff::civil::Date;
    use proptest::prelude::*;

    /// An inventory of `changes` of three teams and four systems.
    fn inventory(changes: &[ChangeSpec]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for s in 0..4 {
            text.push_str(&format!(
                "[[system]]\nid = \"s{s}\"\nname = \"S\"\nowner = \"t0\"\ncriticality = \"low\"\n"
            ));
        }
        for t in 0..3 {
            text.push_str(&format!("[[team]]\nid = \"t{t}\"\nname = \"T{t}\"\n"));
        }
        text.push_str(&changes_text(changes));
        std::fs::write(dir.path().join("inv.toml"), text).unwrap();
        dir
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Counted per team and per system, the findings are those of every
        /// pair, in the same order, with the same subjects; the scan for the
        /// first few and the whole list agree; and asked about one change (a
        /// probe), each rule makes that change's findings of the whole check.
        #[test]
        fn counted_findings_are_those_of_all_pairs(
            changes in prop::collection::vec(
                (
                    0usize..3,
                    prop::collection::vec(
                        (
                            // Half-hour starts, so that phases often touch.
                            (0u32..100).prop_map(|m| m * 30),
                            prop::sample::select(vec![1u32, 30, 90, 240, 600, 4000]),
                            prop::sample::subsequence(vec![0usize, 1, 2, 3], 1..3),
                        ),
                        1..12,
                    ),
                    prop::bool::weighted(0.85),
                ),
                1..60,
            ),
            emptied in prop::collection::vec(0usize..400, 0..6),
            probed in 0usize..100,
        ) {
            let dir = inventory(&changes);
            let loaded = crate::inventory::load(dir.path()).unwrap();
            prop_assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
            let as_of = Date::constant(2026, 11, 24);
            let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
            let mut cx = Ctx::new(&loaded.model, &facts, as_of);
            // Emptied spans overlap nothing.
            for i in emptied {
                if let Some(slot) = cx.slots.get_mut(i) {
                    slot.interval.end = slot.interval.start;
                }
            }
            cx.pairs = all_pairs(&cx.slots);
            let probed = probed % changes.len();
            let rules: [(RuleFn, RuleFn); 3] = [
                (owner_double_booked, owner_double_booked_by_pairs),
                (change_collision, change_collision_by_pairs),
                (phase_overlap, phase_overlap_by_pairs),
            ];
            for (counted, by_pairs) in rules {
                cx.only = None;
                let (mut oracle, mut found) = (Vec::new(), Vec::new());
                by_pairs(&cx, &mut oracle);
                counted(&cx, &mut found);
                prop_assert_eq!(shown(&found), shown(&oracle));
                cx.only = Some(probed);
                let mut of_one = Vec::new();
                counted(&cx, &mut of_one);
                oracle.retain(|f| f.first_subject() == Some(Subject::Change(probed)));
                prop_assert_eq!(shown(&of_one), shown(&oracle));
            }
            cx.only = None;
            prop_assert_eq!(booked_with(&cx, 0), booked_with(&cx, SCAN_SLACK));
            prop_assert_eq!(colliding_with(&cx, 0), colliding_with(&cx, SCAN_SLACK));
            prop_assert_eq!(overlapping_own_with(&cx, 0), overlapping_own_with(&cx, SCAN_SLACK));
        }
    }

    /// A change of 150 phases at once, the last 20 starting later: each
    /// phase names the earlier ones it overlaps (the first hundred as
    /// subjects), as the pairs would, and no pair is listed.
    #[test]
    fn one_change_crowded_makes_findings_not_pairs() {
        let mut phases: Vec<(u32, u32, Vec<usize>)> = (0..130).map(|_| (60, 60, vec![0])).collect();
        phases.extend((0..20).map(|i| (100 + i, 60, vec![1])));
        let dir = inventory(&[(0, phases, true)]);
        let loaded = crate::inventory::load(dir.path()).unwrap();
        let as_of = Date::constant(2026, 11, 24);
        let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
        let mut cx = Ctx::new(&loaded.model, &facts, as_of);
        assert!(cx.pairs.is_empty(), "{} pairs", cx.pairs.len());
        let mut found = Vec::new();
        phase_overlap(&cx, &mut found);
        // p0 overlaps nothing before it; p1..p5 list theirs; the rest count.
        assert_eq!(found.len(), (1 + 2 + 3 + 4 + 5) + 144);
        let last = found.last().unwrap();
        assert!(
            last.message.contains(
                "overlaps 149 other phases of the same change: \"p0\", \"p1\", \"p2\", 146 more"
            ),
            "{}",
            last.message
        );
        // The change, the phase itself, and the first hundred before it.
        assert_eq!(last.subject_refs().count(), 2 + NAMED_PHASES_AT_MOST);
        cx.pairs = all_pairs(&cx.slots);
        let mut oracle = Vec::new();
        phase_overlap_by_pairs(&cx, &mut oracle);
        assert_eq!(shown(&found), shown(&oracle));
    }

    /// A hundred changes of one system in one hour: each phase gets one
    /// finding with the count, and no pair of them is listed.
    #[test]
    fn one_system_crowded_makes_findings_not_pairs() {
        let changes: Vec<ChangeSpec> = (0..100)
            .map(|c| (c % 3, vec![(60, 60, vec![0])], true))
            .collect();
        let dir = inventory(&changes);
        let loaded = crate::inventory::load(dir.path()).unwrap();
        let as_of = Date::constant(2026, 11, 24);
        let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
        let cx = Ctx::new(&loaded.model, &facts, as_of);
        assert!(cx.pairs.is_empty(), "{} pairs", cx.pairs.len());
        let mut found = Vec::new();
        change_collision(&cx, &mut found);
        assert_eq!(found.len(), 100);
        assert!(
            found[0]
                .message
                .contains("at the same time as 99 phases of other changes: phase \"p0\" of `k1`, phase \"p0\" of `k10`, phase \"p0\" of `k100` and 96 more"),
            "{}",
            found[0].message
        );
        let mut booked = Vec::new();
        owner_double_booked(&cx, &mut booked);
        assert_eq!(booked.len(), 100);
        assert!(
            booked[0]
                .message
                .contains("and 33 phases of its other changes at the same time"),
            "{}",
            booked[0].message
        );
    }
}
