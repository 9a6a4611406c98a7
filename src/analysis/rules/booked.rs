//! Analysis stage: the phases of a team's other changes that overlap each
//! phase it runs, for `owner-double-booked`, counted rather than listed.
//!
//! A team of thousands of phases in one season makes millions of
//! overlapping pairs, but the rule names at most [`AGGREGATE_OVER`] of them
//! per phase (or the count and the first [`FIRST_FEW`] by change id). So the
//! count comes from two binary searches per phase (those starting before
//! its end, less those ending by its start, less the same for its own
//! change), a short list from a walk of a max-end tree over the phases in
//! start order, and the first few of a long one from a scan in change-id
//! order that stops at the third; the cost follows the findings, not the
//! pairs.

use rayon::prelude::*;

use crate::analysis::rules::Ctx;
use crate::analysis::rules::pairs::{AGGREGATE_OVER, FIRST_FEW, Slot};
use crate::base::time::Interval;

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

/// [`booked`] with the scan's slack given (0: list every long one; tests
/// compare the two).
pub(super) fn booked_with(cx: &Ctx, slack: usize) -> Vec<(usize, Booked)> {
    let mut by_team: Vec<Vec<usize>> = vec![Vec::new(); cx.model.teams.len()];
    for (i, slot) in cx.slots.iter().enumerate() {
        if nonempty(slot.interval) {
            by_team[cx.model.changes[slot.change].owner.ix].push(i);
        }
    }
    let mut found: Vec<(usize, Booked)> = by_team
        .par_iter()
        .filter(|members| members.len() > 1)
        .flat_map_iter(|members| Team::new(cx, members).booked(cx, slack))
        .collect();
    found.sort_unstable_by_key(|&(slot, _)| slot);
    found
}

fn nonempty(iv: Interval) -> bool {
    iv.start < iv.end
}

/// The nonempty slots of one team, indexed for the three questions.
struct Team<'a> {
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
    /// Members in start order, and the max-end tree over them.
    by_start: Vec<usize>,
    tree: MaxEnd,
    /// Members by change id and written order.
    by_rank: Vec<usize>,
}

impl<'a> Team<'a> {
    fn new(cx: &'a Ctx, members: &'a [usize]) -> Team<'a> {
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
        let tree = MaxEnd::new(by_start.iter().map(|&m| iv(m).end));
        let rank = &cx.change_rank;
        let mut by_rank = members.to_vec();
        by_rank.sort_unstable_by_key(|&m| (rank[slots[m].change], slots[m].phase));
        Team {
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

    fn booked(&self, cx: &Ctx, slack: usize) -> Vec<(usize, Booked)> {
        let mut found = Vec::new();
        for (at, &this) in self.members.iter().enumerate() {
            let slot = &self.slots[this];
            if cx.only.is_some_and(|only| only != slot.change) {
                continue;
            }
            let x = slot.interval;
            let (from, to) = self.run[at];
            // Both counts include the slot itself.
            let count = Team::overlapping(&self.starts, &self.ends, x)
                - Team::overlapping(&self.run_starts[from..to], &self.run_ends[from..to], x);
            if count == 0 {
                continue;
            }
            let booked = if count <= AGGREGATE_OVER {
                let mut others = self.listed(slot);
                others.sort_unstable();
                Booked::Few(others)
            } else {
                Booked::Many {
                    count,
                    first: self.first(cx, slot, count, slack),
                }
            };
            found.push((this, booked));
        }
        found
    }

    /// The members of other changes than `slot`'s that overlap it, in no
    /// particular order.
    fn listed(&self, slot: &Slot) -> Vec<usize> {
        let x = slot.interval;
        let before_end = self
            .by_start
            .partition_point(|&m| self.slots[m].interval.start < x.end);
        let mut others = Vec::new();
        self.tree.each_over(before_end, x.start, |i| {
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
        let rank = &cx.change_rank;
        let key = |&m: &usize| (rank[self.slots[m].change], self.slots[m].phase);
        let mut all = self.listed(slot);
        if all.len() > FIRST_FEW {
            all.select_nth_unstable_by_key(FIRST_FEW, key);
            all.truncate(FIRST_FEW);
        }
        all.sort_unstable_by_key(key);
        all
    }
}

/// A tree of the largest end over ranges of intervals in start order:
/// lists those of a prefix that end after an instant in time linear in
/// how many it lists (times the depth).
struct MaxEnd {
    /// Leaves from `size`; node `n` holds the max of `2n` and `2n + 1`.
    max: Vec<i64>,
    size: usize,
}

impl MaxEnd {
    fn new(ends: impl ExactSizeIterator<Item = i64>) -> MaxEnd {
        let size = ends.len().next_power_of_two();
        let mut max = vec![i64::MIN; 2 * size];
        for (i, end) in ends.enumerate() {
            max[size + i] = end;
        }
        for n in (1..size).rev() {
            max[n] = max[2 * n].max(max[2 * n + 1]);
        }
        MaxEnd { max, size }
    }

    /// Calls `each` with every leaf below `upto` whose end is after `t`,
    /// from an explicit stack as deep as the tree (no recursion).
    fn each_over(&self, upto: usize, t: i64, mut each: impl FnMut(usize)) {
        // (node, first leaf it covers, leaves it covers)
        let mut stack = vec![(1usize, 0usize, self.size)];
        while let Some((node, first, width)) = stack.pop() {
            if first >= upto || self.max[node] <= t {
                continue;
            }
            if width == 1 {
                each(first);
                continue;
            }
            let half = width / 2;
            stack.push((2 * node + 1, first + half, half));
            stack.push((2 * node, first, half));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::collisions::{owner_double_booked, owner_double_booked_by_pairs};
    use crate::analysis::rules::pairs::all_pairs;
    use crate::base::{Finding, Subject};
    use jiff::civil::Date;
    use proptest::prelude::*;

    /// (owner team, phases as (start minute, minutes), active).
    type ChangeSpec = (usize, Vec<(u32, u32)>, bool);

    /// An inventory of `changes` of three teams, whose ids do not follow
    /// the written order (so change-id order is not slot order).
    fn inventory(changes: &[ChangeSpec]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from(
            "[[system]]\nid = \"s\"\nname = \"S\"\nowner = \"t0\"\ncriticality = \"low\"\n",
        );
        for t in 0..3 {
            text.push_str(&format!("[[team]]\nid = \"t{t}\"\nname = \"T{t}\"\n"));
        }
        for (c, (team, phases, active)) in changes.iter().enumerate() {
            let status = if *active { "scheduled" } else { "cancelled" };
            text.push_str(&format!(
                "[[change]]\nid = \"k{}\"\ntitle = \"C\"\nowner = \"t{team}\"\nstatus = \"{status}\"\nsystems = [\"s\"]\nsummary = \"s\"\nwhy = \"w\"\n",
                (c * 37) % 101
            ));
            for (p, (start, minutes)) in phases.iter().enumerate() {
                let at = jiff::civil::date(2026, 12, 1).at(0, 0, 0, 0)
                    + jiff::Span::new().minutes(i64::from(*start));
                text.push_str(&format!(
                    "[[change.phase]]\nname = \"p{p}\"\nstart = {at}\nduration = \"{minutes}m\"\nsystems = [\"s\"]\n"
                ));
            }
        }
        std::fs::write(dir.path().join("inv.toml"), text).unwrap();
        dir
    }

    fn shown(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| format!("{f:?}")).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Counted per team, the findings are those of every pair, in the
        /// same order, with the same subjects; the scan for the first few
        /// and the whole list agree; and asked about one change (a probe),
        /// it makes that change's findings of the whole check.
        #[test]
        fn counted_findings_are_those_of_all_pairs(
            changes in prop::collection::vec(
                (0usize..3, prop::collection::vec((0u32..3000, prop::sample::select(vec![1u32, 30, 90, 240, 600, 4000])), 1..6), prop::bool::weighted(0.85)),
                1..100,
            ),
            emptied in prop::collection::vec(0usize..400, 0..6),
            probed in 0usize..100,
        ) {
            let dir = inventory(&changes);
            let loaded = crate::inventory::load(dir.path()).unwrap();
            prop_assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
            let as_of = Date::constant(2026, 11, 24);
            let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
            let mut cx = Ctx::with_pairs(&loaded.model, &facts, as_of, &all_pairs);
            // Emptied spans overlap nothing.
            for i in emptied {
                if let Some(slot) = cx.slots.get_mut(i) {
                    slot.interval.end = slot.interval.start;
                }
            }
            cx.pairs = all_pairs(&cx.slots);
            let (mut oracle, mut counted) = (Vec::new(), Vec::new());
            owner_double_booked_by_pairs(&cx, &mut oracle);
            owner_double_booked(&cx, &mut counted);
            prop_assert_eq!(shown(&counted), shown(&oracle));
            prop_assert_eq!(booked_with(&cx, 0), booked_with(&cx, SCAN_SLACK));
            let probed = probed % changes.len();
            cx.only = Some(probed);
            let mut of_one = Vec::new();
            owner_double_booked(&cx, &mut of_one);
            oracle.retain(|f| f.first_subject() == Some(Subject::Change(probed)));
            prop_assert_eq!(shown(&of_one), shown(&oracle));
        }
    }

    #[test]
    fn the_tree_lists_the_prefix_ending_after_an_instant() {
        let ends = [5, 1, 9, 3, 7];
        let tree = MaxEnd::new(ends.iter().copied());
        for upto in 0..=ends.len() {
            for t in 0..10 {
                let mut listed = Vec::new();
                tree.each_over(upto, t, |i| listed.push(i));
                let expected: Vec<usize> = (0..upto).filter(|&i| ends[i] > t).collect();
                assert_eq!(listed, expected, "upto {upto}, t {t}");
            }
        }
    }

    #[test]
    fn an_empty_tree_lists_nothing() {
        let tree = MaxEnd::new(std::iter::empty());
        let mut listed = Vec::new();
        tree.each_over(0, 0, |i| listed.push(i));
        assert!(listed.is_empty());
    }
}
