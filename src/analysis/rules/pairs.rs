//! Analysis stage: phases of active changes as slots, what the pair rules
//! say of two of them ([`Pair`]), their grouping per phase, and the rule
//! within a change, `phase-overlap`; the rules across changes are in
//! `collisions.rs` and `blast.rs`. A phase in too many pairs gets one
//! finding per rule with the count ([`AGGREGATE_OVER`]).
//!
//! No rule reads a list of every overlapping pair of a check:
//! `phase-overlap`, `owner-double-booked` and `change-collision` count a
//! change's, a team's or a system's phases (`booked.rs`), and
//! `blast-radius-overlap` lists its pairs from an index, within a bound,
//! or gathers each phase's others (`blast.rs`). A probe lists the pairs
//! of its change ([`sweep_pairs`], into [`Ctx::pairs`]). The pair
//! versions of the rules are kept as test oracles, with
//! [`related_pairs`], the first list of `blast-radius-overlap`.

use crate::analysis::rules::booked::{Booked, overlapping_own};
use crate::analysis::rules::{Ctx, phase_finding, phase_label};
use crate::analysis::{ChangeFacts, Facts};
use crate::base::time::span_text;
use crate::base::{Finding, Rule, Subject};
use crate::model::Model;
#[cfg(test)]
use crate::schedule::sweep::StartOrder;
use crate::schedule::sweep::{Interval, overlapping_pairs};
use rayon::prelude::*;
#[cfg(test)]
use std::sync::atomic::Ordering::Relaxed;

/// A phase of an active change, as the pair rules see it.
pub struct Slot {
    /// Index into `model.changes`.
    pub change: usize,
    /// Index into that change's phases.
    pub phase: usize,
    /// The phase's span, in seconds since the epoch.
    pub interval: Interval,
}

/// Overlapping pairs by the sweep.
pub fn sweep_pairs(slots: &[Slot]) -> Vec<(usize, usize)> {
    let intervals: Vec<Interval> = slots.iter().map(|s| s.interval).collect();
    overlapping_pairs(&intervals)
}

/// [`related_pairs_within`] without a bound (tests).
#[cfg(test)]
pub fn related_pairs(model: &Model, facts: &Facts, slots: &[Slot]) -> Vec<(usize, usize)> {
    related_pairs_within(model, facts, slots, usize::MAX).unwrap_or_default()
}

/// The overlapping pairs `(i, j)`, `i < j`, of slots that
/// `blast-radius-overlap` may report: of two changes that change no
/// common system where one phase changes a system the other's change
/// impacts. A superset of what it keeps, sorted; linear in the slots and
/// the sizes of the impacts, plus the pairs found. `None` once more than
/// `cap` are found (counted before repeats are removed, so the answer
/// does not depend on the cores): the rule then gathers each phase's
/// others instead (`blast.rs`), in memory that does not grow with the
/// pairs. The first version of [`Reach::pairs_within`](super::blast),
/// kept as its oracle (tests).
#[cfg(test)]
pub fn related_pairs_within(
    model: &Model,
    facts: &Facts,
    slots: &[Slot],
    cap: usize,
) -> Option<Vec<(usize, usize)>> {
    let counted = std::sync::atomic::AtomicUsize::new(0);
    let mut by_change: Vec<Vec<usize>> = vec![Vec::new(); model.changes.len()];
    let mut by_system: Vec<Vec<usize>> = vec![Vec::new(); model.systems.len()];
    for (i, slot) in slots.iter().enumerate() {
        by_change[slot.change].push(i);
        for &s in &facts.changes[slot.change].phases[slot.phase].systems {
            by_system[s].push(i);
        }
    }
    // Per changed system: its changing slots against the slots of every
    // active change that impacts it. The systems of a strongly connected
    // component of critical integrations reach each other, so a change
    // impacting one impacts all: the changing slots of a component meet
    // the changes impacting it once, not once per member (a component of
    // thousands of systems would make that changes times systems).
    let systems_of = |slot: usize| -> &[usize] {
        let slot = &slots[slot];
        &facts.changes[slot.change].phases[slot.phase].systems
    };
    let component = crate::analysis::impact::components(model);
    let count = component.iter().map(|&k| k + 1).max().unwrap_or(0);
    let mut size = vec![0usize; count];
    for &k in &component {
        size[k] += 1;
    }
    let alone: Vec<bool> = size.iter().map(|&n| n == 1).collect();
    let mut changers_of: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (s, changers) in by_system.iter().enumerate() {
        changers_of[component[s]].extend(changers.iter().copied());
    }
    for changers in &mut changers_of {
        changers.sort_unstable();
        changers.dedup();
        changers.retain(|&c| slots[c].interval.start < slots[c].interval.end);
        changers.sort_unstable_by_key(|&c| (slots[c].interval.start, c));
    }
    // The changing slots of a busy component in start order, so that a
    // slot meets only those that overlap it; a few are compared one by one.
    const BUSY: usize = 32;
    let in_time: Vec<Option<StartOrder>> = changers_of
        .iter()
        .map(|changers| {
            (changers.len() > BUSY)
                .then(|| StartOrder::new(changers.iter().map(|&c| slots[c].interval)))
        })
        .collect();
    // The span of a group of slots: from the first start to the last end
    // of its nonempty intervals (empty ones overlap nothing).
    let span = |members: &[usize]| -> Option<Interval> {
        members
            .iter()
            .map(|&m| slots[m].interval)
            .filter(|iv| iv.start < iv.end)
            .reduce(|a, b| Interval {
                start: a.start.min(b.start),
                end: a.end.max(b.end),
            })
    };
    let hull: Vec<Option<Interval>> = changers_of.iter().map(|c| span(c)).collect();
    // The systems whose component has changing slots: an impact is met
    // with them a word at a time, so the systems nobody changes (most of a
    // hub's impact) cost nothing each.
    let mut changing = fixedbitset::FixedBitSet::with_capacity(model.systems.len());
    changing.extend((0..model.systems.len()).filter(|&s| hull[component[s]].is_some()));
    // Each active change meets the changing slots of each component it
    // impacts: only when the two spans overlap are their slots compared,
    // so the cost is the impacted systems plus the few slots of the pairs
    // that meet in time, and no list of every impacting change's slots is
    // built per component. Changes in chunks on every core; the pairs are
    // sorted below, so the result does not depend on the chunks.
    const CHUNK: usize = 256;
    let across: Vec<(usize, usize)> = by_change
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(chunk, changes)| {
            let mut found = Vec::new();
            let mut last: Vec<Option<usize>> = vec![None; count];
            for (at, members) in changes.iter().enumerate() {
                let c = chunk * CHUNK + at;
                if counted.load(Relaxed) > cap {
                    break;
                }
                let before = found.len();
                let Some(reach) = span(members) else {
                    continue;
                };
                for s in facts.changes[c].impact.among(&changing) {
                    let k = component[s];
                    if last[k] == Some(c) {
                        continue;
                    }
                    last[k] = Some(c);
                    if !hull[k].is_some_and(|h| h.overlaps(reach)) {
                        continue;
                    }
                    for &b in members {
                        // Pairs of one change are found above, and pairs
                        // that share a system are `change-collision`'s:
                        // every changing slot of a one-system component
                        // shares it with a slot that changes it too.
                        let changes = systems_of(b);
                        if alone[k] && changes.binary_search(&s).is_ok() {
                            continue;
                        }
                        let mut meet = |a: usize| {
                            if slots[a].change != c && !share(systems_of(a), changes) {
                                found.push((a.min(b), a.max(b)));
                            }
                        };
                        match &in_time[k] {
                            Some(order) => order.each_overlapping(slots[b].interval, |at| {
                                meet(changers_of[k][at]);
                            }),
                            None => changers_of[k]
                                .iter()
                                .filter(|&&a| slots[a].interval.overlaps(slots[b].interval))
                                .for_each(|&a| meet(a)),
                        }
                    }
                }
                counted.fetch_add(found.len() - before, Relaxed);
            }
            found
        })
        .collect();
    if counted.into_inner() > cap {
        return None;
    }
    let mut pairs = across;
    pairs.par_sort_unstable();
    pairs.dedup();
    Some(pairs)
}

/// Every pair, compared one by one: the quadratic oracle for the sweep.
#[cfg(test)]
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

/// A phase that overlaps more than this many phases (of other changes, or
/// of its own change for `phase-overlap`) gets one finding per rule that
/// names the count and the first of them, not one finding per pair: a
/// thousand changes at once make a thousand findings, not a million.
pub const AGGREGATE_OVER: usize = 5;

/// How many of the other phases an aggregated finding names.
pub(super) const FIRST_FEW: usize = 3;

/// The pairs of slot indices `(this, other)` a rule keeps, grouped by
/// `this` in slot order; the others of a group in the order the pairs
/// came, or, in a group of more than [`AGGREGATE_OVER`], by change id and
/// written order (for "the first few"). Built by counting the pairs per
/// slot: no map, and ids compared as ranks.
pub(super) struct Groups {
    /// Per slot, where its others begin in `others`; one more at the end.
    start: Vec<usize>,
    others: Vec<usize>,
}

impl Groups {
    /// The nonempty groups, as `(this, others)`, in slot order.
    #[cfg(test)]
    pub(super) fn iter(&self) -> impl Iterator<Item = (usize, &[usize])> + '_ {
        self.start
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] < w[1])
            .map(|(this, w)| (this, &self.others[w[0]..w[1]]))
    }

    /// The findings `each` makes of every nonempty group, made on every
    /// core and returned in slot order (as [`Groups::iter`] would).
    #[cfg(test)]
    pub(super) fn par_findings(
        &self,
        each: impl Fn(usize, &[usize], &mut Vec<Finding>) + Sync,
    ) -> Vec<Finding> {
        self.par_findings_with(|| (), |_, this, others, found| each(this, others, found))
    }

    /// The same, `each` given scratch of its core's from `init`.
    pub(super) fn par_findings_with<T>(
        &self,
        init: impl Fn() -> T + Sync + Send,
        each: impl Fn(&mut T, usize, &[usize], &mut Vec<Finding>) + Sync,
    ) -> Vec<Finding> {
        (0..self.start.len().saturating_sub(1))
            .into_par_iter()
            .filter(|&this| self.start[this] < self.start[this + 1])
            .map_init(init, |scratch, this| {
                let mut found = Vec::new();
                each(
                    scratch,
                    this,
                    &self.others[self.start[this]..self.start[this + 1]],
                    &mut found,
                );
                found
            })
            .flatten_iter()
            .collect()
    }
}

/// Groups the pairs `(this, other)` by `this` (see [`Groups`]).
pub(super) fn grouped(cx: &Ctx, pairs: impl Iterator<Item = (usize, usize)>) -> Groups {
    let pairs: Vec<(usize, usize)> = pairs.collect();
    let mut start = vec![0usize; cx.slots.len() + 1];
    for &(this, _) in &pairs {
        start[this + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut next = start.clone();
    let mut others = vec![0usize; pairs.len()];
    for (this, other) in pairs {
        others[next[this]] = other;
        next[this] += 1;
    }
    let rank = &cx.change_rank;
    for w in start.windows(2) {
        let group = &mut others[w[0]..w[1]];
        if group.len() > AGGREGATE_OVER {
            // Slots of one change and phase are one slot: the key is unique.
            group.sort_unstable_by_key(|&o| {
                let slot = &cx.slots[o];
                (rank[slot.change], slot.phase)
            });
        }
    }
    Groups { start, others }
}

/// Overlapping pairs of phases of one change, as (later, earlier) slot
/// indices: the later phase (ties: written later) is the one reported.
#[cfg(test)]
fn within<'a>(cx: &'a Ctx) -> impl Iterator<Item = (usize, usize)> + 'a {
    cx.pairs
        .iter()
        .copied()
        .filter(|&(i, j)| cx.slots[i].change == cx.slots[j].change)
        .map(|(i, j)| {
            let (a, b) = (&cx.slots[i], &cx.slots[j]);
            if (a.interval.start, a.phase) <= (b.interval.start, b.phase) {
                (j, i)
            } else {
                (i, j)
            }
        })
}

/// Overlapping pairs of phases of two changes that `keep` (a test that
/// does not depend on the order of the two) keeps, each way round, as
/// (this, other) slot indices; tested once per pair.
pub(super) fn across(
    cx: &Ctx,
    pairs: &[(usize, usize)],
    keep: impl Fn(&Pair) -> bool + Sync,
) -> std::vec::IntoIter<(usize, usize)> {
    // On every core; `collect` keeps the order of `pairs`.
    let kept: Vec<(usize, usize)> = pairs
        .par_iter()
        .copied()
        .filter(|&(i, j)| cx.slots[i].change != cx.slots[j].change)
        .filter(|&(i, j)| keep(&Pair::new(cx, i, j)))
        .flat_map_iter(|(i, j)| [(i, j), (j, i)])
        .collect();
    kept.into_iter()
}

/// "phase \"q\" of `c2`, phase \"r\" of `c3` … and 7 more" for the first
/// few of `others` (slot indices), with their ids as subjects.
pub(super) fn first_few(cx: &Ctx, others: &[usize], finding: Finding) -> (String, Finding) {
    first_of(cx, others, others.len(), finding)
}

/// [`first_few`] of `count` others, of which `first` are the first.
pub(super) fn first_of(
    cx: &Ctx,
    first: &[usize],
    count: usize,
    finding: Finding,
) -> (String, Finding) {
    let mut finding = finding;
    let mut named = Vec::new();
    for &o in first.iter().take(FIRST_FEW) {
        let slot = &cx.slots[o];
        let change = &cx.model.changes[slot.change];
        named.push(format!(
            "phase \"{}\" of `{}`",
            change.phases[slot.phase].name, change.id.value
        ));
        finding = finding
            .subject(change.id.value.clone())
            .about(Subject::Change(slot.change));
    }
    let mut text = named.join(", ");
    if count > FIRST_FEW {
        text.push_str(&format!(" and {} more", count - FIRST_FEW));
    }
    (text, finding)
}

/// How many of the other phases an aggregated `phase-overlap` is about (as
/// typed subjects; its message names [`FIRST_FEW`]): bounded, so that a
/// change of thousands of overlapping phases stays linear.
pub const NAMED_PHASES_AT_MOST: usize = 100;

/// `phase-overlap`: two phases of one change overlap; reported once, at
/// the later phase (ties: written later), and about both, so that a
/// question about either (`gate`, the runbook) sees it; once per phase,
/// with the count, when it overlaps more than [`AGGREGATE_OVER`] others.
/// The phases come counted per change ([`overlapping_own`]), not from the
/// pairs: a change of thousands of phases at once makes millions.
pub fn phase_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    for (second, booked) in overlapping_own(cx) {
        match &booked {
            Booked::Few(firsts) => overlapped(cx, second, firsts, firsts.len(), findings),
            Booked::Many { count, first } => overlapped(cx, second, first, *count, findings),
        }
    }
}

/// The findings of `phase-overlap` on slot `second`, overlapped by `count`
/// earlier phases of its change of which `firsts` are all (at most
/// [`AGGREGATE_OVER`]) or the first [`NAMED_PHASES_AT_MOST`], in written
/// order.
fn overlapped(
    cx: &Ctx,
    second: usize,
    firsts: &[usize],
    count: usize,
    findings: &mut Vec<Finding>,
) {
    let model = cx.model;
    let help =
        "phases run one after another: start this one after the other ends, leaving the soak time";
    let second = &cx.slots[second];
    let change = &model.changes[second.change];
    let f = &cx.facts.changes[second.change];
    let name = &change.phases[second.phase].name;
    let at = |rule, message| phase_finding(model, second.change, second.phase, rule, message);
    if count > AGGREGATE_OVER {
        let mut names: Vec<String> = firsts
            .iter()
            .take(FIRST_FEW)
            .map(|&s| format!("\"{}\"", change.phases[cx.slots[s].phase].name))
            .collect();
        if count > FIRST_FEW {
            names.push(format!("{} more", count - FIRST_FEW));
        }
        findings.push(
            at(
                Rule::PhaseOverlap,
                format!(
                    "phase \"{name}\" ({}) overlaps {count} other phases of the same change: {}",
                    span_text(second.interval, &f.tz),
                    names.join(", ")
                ),
            )
            .help(help)
            .about_all(
                firsts
                    .iter()
                    .take(NAMED_PHASES_AT_MOST)
                    .map(|&s| Subject::Phase {
                        change: second.change,
                        phase: cx.slots[s].phase,
                    }),
            ),
        );
        return;
    }
    for &first in firsts {
        let first = &cx.slots[first];
        findings.push(
            at(
                Rule::PhaseOverlap,
                format!(
                    "phase \"{name}\" ({}) overlaps phase \"{}\" ({}) of the same change",
                    span_text(second.interval, &f.tz),
                    change.phases[first.phase].name,
                    span_text(first.interval, &f.tz),
                ),
            )
            .help(help)
            .about(Subject::Phase {
                change: second.change,
                phase: first.phase,
            }),
        );
    }
}

/// `phase-overlap` from the overlapping pairs of [`Ctx::pairs`], as it was
/// before [`overlapping_own`]: the oracle the counted rule is tested
/// against.
#[cfg(test)]
pub(super) fn phase_overlap_by_pairs(cx: &Ctx, findings: &mut Vec<Finding>) {
    for (second, firsts) in grouped(cx, within(cx)).iter() {
        overlapped(cx, second, firsts, firsts.len(), findings);
    }
}

/// What the pair rules say of `this` phase and `other`, another change's.
pub(super) struct Pair<'a> {
    pub(super) model: &'a Model,
    pub(super) this: &'a Slot,
    pub(super) other: &'a Slot,
    pub(super) mine: &'a ChangeFacts,
    pub(super) theirs: &'a ChangeFacts,
}

impl<'a> Pair<'a> {
    /// The pair of slots `this` and `other` (indices into [`Ctx::slots`]).
    pub(super) fn new(cx: &'a Ctx, this: usize, other: usize) -> Pair<'a> {
        let (this, other) = (&cx.slots[this], &cx.slots[other]);
        Pair {
            model: cx.model,
            this,
            other,
            mine: &cx.facts.changes[this.change],
            theirs: &cx.facts.changes[other.change],
        }
    }

    /// Whether both phases change a system.
    pub(super) fn shares_system(&self) -> bool {
        share(
            &self.mine.phases[self.this.phase].systems,
            &self.theirs.phases[self.other.phase].systems,
        )
    }

    /// Whether one phase changes a system the other change impacts.
    pub(super) fn hits_any(&self) -> bool {
        let (mine, theirs) = (
            &self.mine.phases[self.this.phase].systems,
            &self.theirs.phases[self.other.phase].systems,
        );
        theirs.iter().any(|&s| self.mine.impact.contains(s))
            || mine.iter().any(|&s| self.theirs.impact.contains(s))
    }

    /// Systems both phases change.
    pub(super) fn common(&self) -> Vec<usize> {
        intersect(
            &self.mine.phases[self.this.phase].systems,
            &self.theirs.phases[self.other.phase].systems,
        )
    }

    /// Pushes the systems one phase changes that the other change impacts
    /// on `hit`, unsorted.
    pub(super) fn hit_into(&self, hit: &mut Vec<usize>) {
        let (mine, theirs) = (
            &self.mine.phases[self.this.phase].systems,
            &self.theirs.phases[self.other.phase].systems,
        );
        hit.extend(
            theirs
                .iter()
                .copied()
                .filter(|&s| self.mine.impact.contains(s)),
        );
        hit.extend(
            mine.iter()
                .copied()
                .filter(|&s| self.theirs.impact.contains(s)),
        );
    }

    /// Systems one phase changes that the other change impacts.
    pub(super) fn hit(&self) -> Vec<usize> {
        let mut hit = Vec::new();
        self.hit_into(&mut hit);
        hit.sort_unstable();
        hit.dedup();
        hit
    }

    // Messages are built only for pairs that produce a finding: most
    // overlapping pairs do not, and formatting times dominates otherwise.
    pub(super) fn label(&self) -> String {
        phase_label(self.model, self.this.change, self.this.phase, self.mine)
    }

    pub(super) fn when(&self) -> String {
        span_text(self.theirs.phases[self.other.phase].interval, &self.mine.tz)
    }

    pub(super) fn other_id(&self) -> &'a str {
        &self.model.changes[self.other.change].id.value
    }

    pub(super) fn other_phase(&self) -> &'a str {
        &self.model.changes[self.other.change].phases[self.other.phase].name
    }

    pub(super) fn finding(&self, rule: Rule, message: String) -> Finding {
        phase_finding(self.model, self.this.change, self.this.phase, rule, message)
            .subject(self.other_id())
            .about(Subject::Change(self.other.change))
    }
}

/// Whether two sorted lists have an element in common.
pub(super) fn share(a: &[usize], b: &[usize]) -> bool {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => _ = a.next(),
            std::cmp::Ordering::Greater => _ = b.next(),
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Common elements of two sorted lists.
pub(super) fn intersect(a: &[usize], b: &[usize]) -> Vec<usize> {
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

    use crate::analysis::rules::test_support::{change, messages, phase, run};

    #[test]
    fn phase_overlap_fires_on_overlapping_phases_of_one_change() {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "")
            + &phase("b", "2026-12-06T02:30:00", "1h", "");
        let found = run(&change("c", "", &phases), phase_overlap);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].starts_with("phase \"b\""));
        // Filed on the later phase, about both.
        assert_eq!(
            found[0].subject_refs().collect::<Vec<_>>(),
            [
                Subject::Change(0),
                Subject::Phase {
                    change: 0,
                    phase: 1
                },
                Subject::Phase {
                    change: 0,
                    phase: 0
                }
            ]
        );
    }

    #[test]
    fn phase_overlap_near_miss_when_one_ends_as_the_next_starts() {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "")
            + &phase("b", "2026-12-06T03:00:00", "1h", "");
        assert!(run(&change("c", "", &phases), phase_overlap).is_empty());
    }

    #[test]
    fn a_phase_overlapping_many_of_its_own_change_gets_one_finding() {
        let phases: String = (0..7)
            .map(|i| {
                phase(
                    &format!("p{i}"),
                    &format!("2026-12-06T02:0{i}:00"),
                    "1h",
                    "",
                )
            })
            .collect();
        let found = run(&change("c", "", &phases), phase_overlap);
        // p6 overlaps all six before it; p1..p5 fewer than six each.
        assert_eq!(found.len(), 1 + 2 + 3 + 4 + 5 + 1);
        assert!(found.iter().any(|f| f.message.contains(
            "overlaps 6 other phases of the same change: \"p0\", \"p1\", \"p2\", 3 more"
        )));
    }
}
