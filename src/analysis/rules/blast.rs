//! Analysis stage: `blast-radius-overlap`, from a bounded list of the
//! pairs that may be in it or, past the bound, from each phase's others
//! gathered where they are reported.
//!
//! Two phases of different changes that change no common system are in
//! the rule when one changes a system the other's change impacts. The
//! systems of a strongly connected component of critical integrations
//! reach each other, so a change impacting one impacts them all: both
//! ways read one index per component ([`Reach`]): its changing phases in
//! start order, and the components each change's impact meets.
//!
//! - **The list** ([`Reach::pairs_within`]): each change meets the
//!   changing phases of each component it impacts; the pairs are sorted,
//!   tested once each and grouped per phase. Fastest, but its memory
//!   follows the pairs, so a check stops listing past [`PAIRS_PER_PHASE`]
//!   per phase (plus [`PAIRS_AT_LEAST`]).
//! - **Gathered** ([`Reach::findings`]): for a phase `b` of change `c`,
//!   its others are the phases changing a component `c` impacts, and the
//!   phases of the changes that impact a component `b` changes (the index
//!   turned around, in order of the changes' starts: [`Reach::turn`]).
//!   Each phase's others are gathered once, marked so that one found twice
//!   counts once, and reported there: nothing holds the pairs of the plan,
//!   so ten thousand changes of a provider and ten thousand of its
//!   consumer in one hour cost time for their hundred million pairs but
//!   memory only for the phases.
//!
//! Either way, a component of one system is skipped for the phases that
//! change it (they all share it): a crowd of changes of one system costs
//! nothing here, it is `change-collision`'s. A probe ([`Ctx::only`]) reads
//! the overlapping pairs it found itself.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;

use crate::analysis::rules::pairs::{
    AGGREGATE_OVER, FIRST_FEW, Pair, across, first_few, grouped, share,
};
use crate::analysis::rules::{Ctx, NAMED, listed, phase_finding, some_ids};
use crate::base::time::Interval;
use crate::base::{Finding, Rule, Subject};
use crate::schedule::sweep::StartOrder;

/// `blast-radius-overlap`: overlapping phases of two changes that change
/// no common system, where one changes a system the other impacts;
/// reported on both, once per phase with the count when a phase meets more
/// than [`AGGREGATE_OVER`] others. A check finds the others from the
/// index ([`Reach`]); a probe ([`Ctx::only`]) from its overlapping pairs.
pub fn blast_radius_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    match cx.only {
        Some(only) => findings.extend(probed(cx, only)),
        None => {
            let cap = PAIRS_PER_PHASE * cx.slots.len() + PAIRS_AT_LEAST;
            let mut reach = Reach::new(cx);
            match reach.pairs_within(cx, cap) {
                Some(pairs) => {
                    drop(reach);
                    findings.extend(by_pairs(cx, &pairs, true));
                }
                None => {
                    reach.turn(cx);
                    findings.extend(reach.findings(cx));
                }
            }
        }
    }
}

/// A check lists the related pairs ([`Reach::pairs_within`]) while there
/// are at most this many per phase, plus [`PAIRS_AT_LEAST`]: the list is
/// faster than the index, which needs no memory for the pairs.
pub const PAIRS_PER_PHASE: usize = 16;

/// See [`PAIRS_PER_PHASE`].
pub const PAIRS_AT_LEAST: usize = 1 << 18;

/// The findings from a sorted list of overlapping pairs, grouped per
/// phase: the pairs of the rule when `related` (those of
/// [`Reach::pairs_within`]), else a superset, each pair tested once.
pub(super) fn by_pairs(cx: &Ctx, pairs: &[(usize, usize)], related: bool) -> Vec<Finding> {
    let kept = if related {
        let both: Vec<(usize, usize)> = pairs.iter().flat_map(|&(i, j)| [(i, j), (j, i)]).collect();
        both.into_iter()
    } else {
        across(cx, pairs, |pair| !pair.shares_system() && pair.hits_any())
    };
    grouped(cx, kept).par_findings_with(Hits::default, |hits, this, others, found| {
        report(cx, this, &mut others.to_vec(), hits, found)
    })
}

/// Whether slot `a` is one of slot `b`'s others: a phase of another
/// change, overlapping `b`, changing no system `b` changes, where one of
/// the two changes a system the other's change impacts.
fn related(cx: &Ctx, b: usize, a: usize) -> bool {
    let (this, other) = (&cx.slots[b], &cx.slots[a]);
    if this.change == other.change || !this.interval.overlaps(other.interval) {
        return false;
    }
    let pair = Pair::new(cx, b, a);
    !pair.shares_system() && pair.hits_any()
}

/// The findings of a probe: on the slots of change `only`, their others
/// among the overlapping pairs the probe found.
fn probed(cx: &Ctx, only: usize) -> Vec<Finding> {
    let mut others: Vec<Vec<usize>> = vec![Vec::new(); cx.slots.len()];
    for &(i, j) in &cx.pairs {
        if cx.slots[i].change == only {
            others[i].push(j);
        }
        if cx.slots[j].change == only {
            others[j].push(i);
        }
    }
    let mut hits = Hits::default();
    let mut found = Vec::new();
    for (b, list) in others.iter_mut().enumerate() {
        list.retain(|&a| related(cx, b, a));
        list.sort_unstable();
        report(cx, b, list, &mut hits, &mut found);
    }
    found
}

/// The findings on slot `this` of its `others` (slot indices, ascending):
/// one per pair, or one with the count, the first few by change id and
/// the systems where the blast radii meet when there are more than
/// [`AGGREGATE_OVER`]. Reorders `others`.
pub(super) fn report(
    cx: &Ctx,
    this: usize,
    others: &mut [usize],
    hits: &mut Hits,
    findings: &mut Vec<Finding>,
) {
    let help =
        "if something breaks, nobody will know which change caused it: move one of the phases";
    if others.len() > AGGREGATE_OVER {
        // The first few by change id and written order, found in linear
        // time: the rest need no order (slots of one change and phase are
        // one slot, so the key is unique).
        let rank = &cx.change_rank;
        let key = |&o: &usize| {
            let slot = &cx.slots[o];
            (rank[slot.change], slot.phase)
        };
        others.select_nth_unstable_by_key(FIRST_FEW, key);
        others[..FIRST_FEW].sort_unstable_by_key(key);
        let pair = Pair::new(cx, this, others[0]);
        let hit = hits.union(cx, this, others);
        let (ids, more) = some_ids(cx.model, hit.iter().copied());
        let finding = phase_finding(
            cx.model,
            pair.this.change,
            pair.this.phase,
            Rule::BlastRadiusOverlap,
            String::new(),
        );
        let (few, mut finding) = first_few(cx, others, finding);
        finding.message = format!(
            "{} overlaps {} phases of other changes whose blast radii meet its own at {}: {few}",
            pair.label(),
            others.len(),
            listed(&ids, more)
        );
        findings.push(
            finding
                .about_all(hit.iter().take(NAMED).map(|&s| Subject::System(s)))
                .help(help)
                .subjects(ids),
        );
        return;
    }
    for &other in others.iter() {
        let pair = Pair::new(cx, this, other);
        let hit = pair.hit();
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
            .help(help)
            .subjects(ids);
        findings.push(finding);
    }
}

/// The systems where one phase's blast radius meets its others', without
/// repeats: marked per phase rather than sorted, so a phase of ten
/// thousand others costs ten thousand steps, and each system is looked up
/// in an impact once per phase, however many others change it.
#[derive(Default)]
pub(super) struct Hits {
    /// Per system: `2 * (this + 1)` once the phase `this` counted it,
    /// one more once it found the system is not where they meet; sized
    /// at the first union, so a probe that makes none allocates nothing.
    seen: Vec<usize>,
}

impl Hits {
    /// The systems one of `this` and each of `others` changes that the
    /// other's change impacts, ascending: those the others change that
    /// `this`'s change impacts, and those `this` changes that some other's
    /// change impacts (the first that does ends the search).
    fn union(&mut self, cx: &Ctx, this: usize, others: &[usize]) -> Vec<usize> {
        self.seen.resize(cx.model.systems.len(), 0);
        let (hit, missed) = (2 * (this + 1), 2 * (this + 1) + 1);
        let phase = |slot: usize| {
            let slot = &cx.slots[slot];
            let facts = &cx.facts.changes[slot.change];
            (&facts.phases[slot.phase].systems, &facts.impact)
        };
        let (mine, my_impact) = phase(this);
        let mut union = Vec::new();
        for &o in others {
            for &s in phase(o).0 {
                if self.seen[s] != hit && self.seen[s] != missed {
                    if my_impact.contains(s) {
                        self.seen[s] = hit;
                        union.push(s);
                    } else {
                        self.seen[s] = missed;
                    }
                }
            }
        }
        for &s in mine {
            if self.seen[s] != hit && others.iter().any(|&o| phase(o).1.contains(s)) {
                self.seen[s] = hit;
                union.push(s);
            }
        }
        union.sort_unstable();
        union
    }
}

/// Lists per key, packed: the items of key `k` are
/// `items[start[k]..start[k + 1]]`.
#[derive(Default)]
struct Packed {
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Packed {
    /// The `(key, item)` pairs that `produce` gives `each`, grouped by key
    /// in the order given: counted on a first call, placed on a second, so
    /// no list of the pairs is held.
    fn counted(keys: usize, produce: impl Fn(&mut dyn FnMut(usize, usize))) -> Packed {
        let mut start = vec![0usize; keys + 1];
        produce(&mut |k, _| start[k + 1] += 1);
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut next = start.clone();
        let mut items = vec![0usize; start[keys]];
        produce(&mut |k, item| {
            items[next[k]] = item;
            next[k] += 1;
        });
        Packed { start, items }
    }

    fn get(&self, k: usize) -> &[usize] {
        &self.items[self.start[k]..self.start[k + 1]]
    }
}

/// Above this many changing phases a component's are searched in start
/// order; at most this many are compared one by one.
const BUSY: usize = 32;

/// Per component of critical integrations (see the module text): who
/// changes it and who impacts it, for a check's slots.
pub(super) struct Reach {
    /// Per system: its component.
    component: Vec<usize>,
    /// Per component: its system, when it has only one.
    single: Vec<Option<usize>>,
    /// Per component: the nonempty slots changing a system of it, with
    /// their spans, in order of start (then slot).
    changers: Vec<Vec<(Interval, usize)>>,
    /// Per component: the longest of those spans, so that a few are
    /// searched by start alone.
    changer_longest: Vec<i64>,
    /// The same as a tree, for a component of more than [`BUSY`].
    in_time: Vec<Option<StartOrder>>,
    /// Per component: from the first start to the last end of its
    /// changers.
    hull: Vec<Option<Interval>>,
    /// Per change: the changing components its impact meets.
    met: Vec<Vec<u32>>,
    /// Per change: its nonempty slots, in written order.
    by_change: Vec<Vec<usize>>,
    /// Per change: from the first start to the last end of those.
    span: Vec<Option<Interval>>,
    /// Per changing component: the changes whose impact meets it, in
    /// order of the start of their span (then index); for a component of
    /// one system, only those that change it in no nonempty phase.
    impacters: Packed,
    /// Per component: the longest span of its impacters, so that those
    /// overlapping a time are found by binary search in start order.
    longest: Vec<i64>,
    /// Per changing component of one system: the nonempty slots, of
    /// changes that change it in another phase, that do not change it (in
    /// change order).
    beside: Packed,
}

/// From the first start to the last end of the nonempty intervals.
fn hull(intervals: impl Iterator<Item = Interval>) -> Option<Interval> {
    intervals
        .filter(|iv| iv.start < iv.end)
        .reduce(|a, b| Interval {
            start: a.start.min(b.start),
            end: a.end.max(b.end),
        })
}

impl Reach {
    /// The index over `cx.slots`, which hold the phases of the active
    /// changes.
    pub(super) fn new(cx: &Ctx) -> Reach {
        let (model, facts, slots) = (cx.model, cx.facts, &cx.slots);
        let systems_of = |slot: usize| -> &[usize] {
            let slot = &slots[slot];
            &facts.changes[slot.change].phases[slot.phase].systems
        };
        let component = crate::analysis::impact::components(model);
        let count = component.iter().map(|&k| k + 1).max().unwrap_or(0);
        let mut single: Vec<Option<usize>> = vec![None; count];
        let mut size = vec![0usize; count];
        for (s, &k) in component.iter().enumerate() {
            size[k] += 1;
            single[k] = Some(s);
        }
        for (k, one) in single.iter_mut().enumerate() {
            if size[k] != 1 {
                *one = None;
            }
        }
        let mut by_change: Vec<Vec<usize>> = vec![Vec::new(); model.changes.len()];
        let mut changers: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (i, slot) in slots.iter().enumerate() {
            if slot.interval.start >= slot.interval.end {
                continue;
            }
            by_change[slot.change].push(i);
            for &s in systems_of(i) {
                changers[component[s]].push(i);
            }
        }
        let changers: Vec<Vec<(Interval, usize)>> = changers
            .into_iter()
            .map(|list| {
                // A slot changing two systems of the component is in twice.
                let mut list: Vec<(Interval, usize)> =
                    list.into_iter().map(|c| (slots[c].interval, c)).collect();
                list.sort_unstable_by_key(|&(iv, c)| (iv.start, c));
                list.dedup_by_key(|&mut (_, c)| c);
                list
            })
            .collect();
        let changer_longest: Vec<i64> = changers
            .iter()
            .map(|list| {
                list.iter()
                    .map(|(iv, _)| iv.end - iv.start)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let in_time: Vec<Option<StartOrder>> = changers
            .iter()
            .map(|list| {
                (list.len() > BUSY).then(|| StartOrder::new(list.iter().map(|&(iv, _)| iv)))
            })
            .collect();
        let hulls: Vec<Option<Interval>> = changers
            .iter()
            .map(|list| hull(list.iter().map(|&(iv, _)| iv)))
            .collect();
        let span: Vec<Option<Interval>> = by_change
            .iter()
            .map(|list| hull(list.iter().map(|&c| slots[c].interval)))
            .collect();
        let mut changing = FixedBitSet::with_capacity(model.systems.len());
        changing.extend((0..model.systems.len()).filter(|&s| hulls[component[s]].is_some()));
        // The changing components each change's impact meets, met with
        // the changing systems a word at a time, on every core.
        let met: Vec<Vec<u32>> = (0..model.changes.len())
            .into_par_iter()
            .map_init(
                || vec![0usize; count],
                |last, c| {
                    let mut met = Vec::new();
                    if span[c].is_none() {
                        return met;
                    }
                    for s in facts.changes[c].impact.among(&changing) {
                        let k = component[s];
                        if last[k] != c + 1 {
                            last[k] = c + 1;
                            met.push(u32::try_from(k).unwrap_or(u32::MAX));
                        }
                    }
                    met
                },
            )
            .collect();
        Reach {
            component,
            single,
            changers,
            changer_longest,
            in_time,
            hull: hulls,
            met,
            by_change,
            span,
            impacters: Packed::default(),
            longest: Vec::new(),
            beside: Packed::default(),
        }
    }

    /// Turns the index around for [`Reach::findings`]: who impacts each
    /// component (not needed for [`Reach::pairs_within`]).
    pub(super) fn turn(&mut self, cx: &Ctx) {
        let (facts, slots) = (cx.facts, &cx.slots);
        let systems_of = |slot: usize| -> &[usize] {
            let slot = &slots[slot];
            &facts.changes[slot.change].phases[slot.phase].systems
        };
        let (component, single, met, span, by_change) = (
            &self.component,
            &self.single,
            &self.met,
            &self.span,
            &self.by_change,
        );
        let count = single.len();
        // The systems each change changes in a nonempty phase.
        let touched: Vec<Vec<usize>> = by_change
            .iter()
            .map(|mine| {
                let mut all: Vec<usize> = mine
                    .iter()
                    .flat_map(|&b| systems_of(b).iter().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all
            })
            .collect();
        // Turned around: who impacts each component, in change order, then
        // put in order of the changes' starts for the lookups by time. A
        // component of one system leaves out the changes that change it
        // (their other phases are in `beside`).
        let mut impacters = Packed::counted(count, |each| {
            for (c, met) in met.iter().enumerate() {
                for &k in met {
                    let k = k as usize;
                    if single[k].is_none_or(|s| touched[c].binary_search(&s).is_err()) {
                        each(k, c);
                    }
                }
            }
        });
        let by_start = |&c: &usize| (span[c].map_or(0, |h| h.start), c);
        let mut lists: Vec<&mut [usize]> = Vec::with_capacity(count);
        let mut rest = impacters.items.as_mut_slice();
        for k in 0..count {
            let (list, tail) = rest.split_at_mut(impacters.start[k + 1] - impacters.start[k]);
            lists.push(list);
            rest = tail;
        }
        lists
            .par_iter_mut()
            .for_each(|list| list.sort_unstable_by_key(by_start));
        let longest: Vec<i64> = (0..count)
            .map(|k| {
                impacters
                    .get(k)
                    .iter()
                    .filter_map(|&c| span[c].map(|h| h.end - h.start))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let beside = Packed::counted(count, |each| {
            for (c, mine) in by_change.iter().enumerate() {
                for &s in &touched[c] {
                    let k = component[s];
                    if single[k] != Some(s) {
                        continue;
                    }
                    for &a in mine {
                        if systems_of(a).binary_search(&s).is_err() {
                            each(k, a);
                        }
                    }
                }
            }
        });
        self.impacters = impacters;
        self.longest = longest;
        self.beside = beside;
    }

    /// The pairs `(i, j)`, `i < j`, of slots in the rule, sorted, or
    /// `None` past `cap` (counted before repeats are removed, so the
    /// answer does not depend on the cores): each change meets the
    /// changing phases of each component it impacts.
    pub(super) fn pairs_within(&self, cx: &Ctx, cap: usize) -> Option<Vec<(usize, usize)>> {
        let counted = AtomicUsize::new(0);
        let found: Vec<Vec<(usize, usize)>> = (0..cx.model.changes.len())
            .into_par_iter()
            .map(|c| {
                let mut found = Vec::new();
                if counted.load(Relaxed) > cap {
                    return found;
                }
                let Some(reach) = self.span[c] else {
                    return found;
                };
                let impacted = self.impacted(c, reach);
                for &b in &self.by_change[c] {
                    let systems = &cx.facts.changes[c].phases[cx.slots[b].phase].systems;
                    self.each_impacted_changer(&impacted, systems, cx.slots[b].interval, |a| {
                        let theirs = &cx.slots[a];
                        let changes = &cx.facts.changes[theirs.change].phases[theirs.phase].systems;
                        if theirs.change != c && !share(changes, systems) {
                            found.push((a.min(b), a.max(b)));
                        }
                    });
                }
                counted.fetch_add(found.len(), Relaxed);
                found
            })
            .collect();
        if counted.into_inner() > cap {
            return None;
        }
        let mut pairs: Vec<(usize, usize)> = found.into_iter().flatten().collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        Some(pairs)
    }

    /// Every finding of the rule, in slot order: the changes on every
    /// core, each with its own marks.
    pub(super) fn findings(&self, cx: &Ctx) -> Vec<Finding> {
        let per_change: Vec<Vec<Finding>> = (0..cx.model.changes.len())
            .into_par_iter()
            .map_init(
                || Marks {
                    seen: vec![0; cx.slots.len()],
                    hits: Hits::default(),
                },
                |marks, c| self.of_change(cx, c, marks),
            )
            .collect();
        per_change.into_iter().flatten().collect()
    }

    /// The components change `c` impacts whose changers' span meets its
    /// own, `reach`.
    fn impacted(&self, c: usize, reach: Interval) -> Vec<usize> {
        self.met[c]
            .iter()
            .map(|&k| k as usize)
            .filter(|&k| self.hull[k].is_some_and(|h| h.overlaps(reach)))
            .collect()
    }

    /// Calls `each` with every slot changing one of the `impacted`
    /// components that overlaps `iv`, the span of a phase changing
    /// `systems`: but for a component of one system that phase changes,
    /// whose changers all share it.
    fn each_impacted_changer(
        &self,
        impacted: &[usize],
        systems: &[usize],
        iv: Interval,
        mut each: impl FnMut(usize),
    ) {
        for &k in impacted {
            if self.single[k].is_some_and(|s| systems.binary_search(&s).is_ok()) {
                continue;
            }
            self.each_changer(k, iv, &mut each);
        }
    }

    /// Calls `each` with every changing slot of component `k` that
    /// overlaps `iv`.
    fn each_changer(&self, k: usize, iv: Interval, mut each: impl FnMut(usize)) {
        let list = &self.changers[k];
        match &self.in_time[k] {
            Some(order) => order.each_overlapping(iv, |at| each(list[at].1)),
            None => {
                let starting = |t: i64| list.partition_point(|(other, _)| other.start < t);
                let from = starting(iv.start.saturating_sub(self.changer_longest[k]));
                list[from..starting(iv.end)]
                    .iter()
                    .filter(|(other, _)| other.overlaps(iv))
                    .for_each(|&(_, a)| each(a));
            }
        }
    }

    /// The findings on the slots of change `c`, in written order.
    fn of_change(&self, cx: &Ctx, c: usize, marks: &mut Marks) -> Vec<Finding> {
        let mut found = Vec::new();
        let Some(reach) = self.span[c] else {
            return found;
        };
        let impacted = self.impacted(c, reach);
        let mut others = Vec::new();
        for &b in &self.by_change[c] {
            others.clear();
            let iv = cx.slots[b].interval;
            let systems = &cx.facts.changes[c].phases[cx.slots[b].phase].systems;
            let seen = &mut marks.seen;
            let mut take = |a: usize| {
                if seen[a] != b + 1 {
                    seen[a] = b + 1;
                    // Overlapping, and one changes what the other impacts,
                    // by where it was found.
                    let theirs = &cx.slots[a];
                    let changes = &cx.facts.changes[theirs.change].phases[theirs.phase].systems;
                    if theirs.change != c && !share(changes, systems) {
                        others.push(a);
                    }
                }
            };
            // Phases that change what `c` impacts.
            self.each_impacted_changer(&impacted, systems, iv, &mut take);
            // Phases of the changes that impact what `b` changes.
            for (i, &s) in systems.iter().enumerate() {
                let k = self.component[s];
                if systems[..i].iter().any(|&t| self.component[t] == k) {
                    continue;
                }
                for &a in self.beside.get(k) {
                    if cx.slots[a].interval.overlaps(iv) {
                        take(a);
                    }
                }
                let list = self.impacters.get(k);
                let starting =
                    |t: i64| list.partition_point(|&o| self.span[o].is_some_and(|h| h.start < t));
                let window = starting(iv.start.saturating_sub(self.longest[k]))..starting(iv.end);
                for &other in &list[window] {
                    if other == c || !self.span[other].is_some_and(|h| h.overlaps(iv)) {
                        continue;
                    }
                    for &a in &self.by_change[other] {
                        if cx.slots[a].interval.overlaps(iv) {
                            take(a);
                        }
                    }
                }
            }
            others.sort_unstable();
            report(cx, b, &mut others, &mut marks.hits, &mut found);
        }
        found
    }
}

/// What one core marks while it gathers: per slot, one more than the last
/// slot that took it; and the systems hit.
struct Marks {
    seen: Vec<usize>,
    hits: Hits,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::collisions::blast_radius_overlap_by_pairs;
    use crate::analysis::rules::test_support::{
        ChangeSpec, change, changes_text, messages, phase, run, shown,
    };
    use crate::analysis::rules::{all_pairs, related_pairs};
    use jiff::civil::Date;
    use proptest::prelude::*;

    fn two(first: &str, second_keys: &str, second_start: &str) -> String {
        change("c1", first, "") + &change("c2", second_keys, &phase("q", second_start, "1h", ""))
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
    fn blast_radius_overlap_near_miss_for_touching_phases() {
        // c2 starts the minute c1 ends: no instant in common.
        let text = two("systems = [\"db\"]", "", "2026-12-06T03:00:00");
        assert!(run(&text, blast_radius_overlap).is_empty());
    }

    /// Five systems with the critical integrations `links` (consumer,
    /// provider; cycles allowed), and `changes` of team `t0`.
    fn inventory(links: &[(usize, usize)], changes: &[ChangeSpec]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("[[team]]\nid = \"t0\"\nname = \"T\"\n");
        for s in 0..5 {
            text.push_str(&format!(
                "[[system]]\nid = \"s{s}\"\nname = \"S\"\nowner = \"t0\"\ncriticality = \"low\"\n"
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for &(consumer, provider) in links {
            if consumer != provider && seen.insert((consumer, provider)) {
                text.push_str(&format!(
                    "[[integration]]\nid = \"i{consumer}-{provider}\"\nconsumer = \"s{consumer}\"\nprovider = \"s{provider}\"\n"
                ));
            }
        }
        text.push_str(&changes_text(changes));
        std::fs::write(dir.path().join("inv.toml"), text).unwrap();
        dir
    }

    /// The findings of the index, of the bounded list of pairs, and of
    /// every overlapping pair compared one by one, in that order.
    fn three_ways(cx: &mut Ctx) -> [Vec<Finding>; 3] {
        cx.only = None;
        let mut reach = Reach::new(cx);
        let pairs = reach.pairs_within(cx, usize::MAX).unwrap();
        // The pairs are those of the first version, which compared the
        // slots of each component in a simpler way.
        assert_eq!(pairs, related_pairs(cx.model, cx.facts, &cx.slots));
        let listed = by_pairs(cx, &pairs, true);
        reach.turn(cx);
        let index = reach.findings(cx);
        cx.pairs = all_pairs(&cx.slots);
        let mut oracle = Vec::new();
        blast_radius_overlap_by_pairs(cx, &mut oracle);
        [index, listed, oracle]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Gathered per phase from the index, the findings are those of the
        /// list of related pairs and of every pair, in the same order, with
        /// the same subjects; asked about one change (a probe), that change's
        /// findings of the whole check.
        #[test]
        fn gathered_findings_are_those_of_all_pairs(
            links in prop::collection::vec((0usize..5, 0usize..5), 0..7),
            changes in prop::collection::vec(
                (
                    Just(0usize),
                    prop::collection::vec(
                        (
                            (0u32..60).prop_map(|m| m * 30),
                            prop::sample::select(vec![1u32, 30, 90, 240, 2000]),
                            prop::sample::subsequence(vec![0usize, 1, 2, 3, 4], 1..3),
                        ),
                        1..5,
                    ),
                    prop::bool::weighted(0.85),
                ),
                1..40,
            ),
            emptied in prop::collection::vec(0usize..150, 0..4),
            probed in 0usize..100,
        ) {
            let dir = inventory(&links, &changes);
            let loaded = crate::inventory::load(dir.path()).unwrap();
            prop_assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
            let as_of = Date::constant(2026, 11, 24);
            let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
            let mut cx = Ctx::new(&loaded.model, &facts, as_of);
            for i in emptied {
                if let Some(slot) = cx.slots.get_mut(i) {
                    slot.interval.end = slot.interval.start;
                }
            }
            // The union of where each phase's radius meets its others' is
            // that of the pairs one by one (one `Hits` for every phase).
            let mut hits = Hits::default();
            for b in 0..cx.slots.len() {
                let others: Vec<usize> =
                    (0..cx.slots.len()).filter(|&a| related(&cx, b, a)).collect();
                let mut one_by_one: Vec<usize> =
                    others.iter().flat_map(|&a| Pair::new(&cx, b, a).hit()).collect();
                one_by_one.sort_unstable();
                one_by_one.dedup();
                prop_assert_eq!(hits.union(&cx, b, &others), one_by_one);
            }
            let [index, listed, oracle] = three_ways(&mut cx);
            prop_assert_eq!(shown(&index), shown(&oracle));
            prop_assert_eq!(shown(&listed), shown(&oracle));
            let probed = probed % changes.len();
            cx.only = Some(probed);
            let mut of_one = Vec::new();
            blast_radius_overlap(&cx, &mut of_one);
            let mut oracle = oracle;
            oracle.retain(|f| f.first_subject() == Some(Subject::Change(probed)));
            prop_assert_eq!(shown(&of_one), shown(&oracle));
        }
    }

    /// Forty changes of a provider and forty of its critical consumer in
    /// one hour: every phase meets the forty of the other side, counted
    /// from the index as from the pairs, and a check that lists no pairs
    /// (the cap at zero) says the same.
    #[test]
    fn a_provider_and_its_consumer_crowded_are_counted_from_the_index() {
        let changes: Vec<ChangeSpec> = (0..80)
            .map(|c| (0, vec![(120, 60, vec![c % 2])], true))
            .collect();
        let dir = inventory(&[(1, 0)], &changes);
        let loaded = crate::inventory::load(dir.path()).unwrap();
        let as_of = Date::constant(2026, 11, 24);
        let (facts, _) = crate::analysis::analyse(&loaded.model, as_of);
        let mut cx = Ctx::new(&loaded.model, &facts, as_of);
        assert!(Reach::new(&cx).pairs_within(&cx, 100).is_none());
        let [index, listed, oracle] = three_ways(&mut cx);
        assert_eq!(index.len(), 80);
        assert!(
            index[0].message.contains(
                "overlaps 40 phases of other changes whose blast radii meet its own at `s1`: phase \"p0\" of `k1`"
            ),
            "{}",
            index[0].message
        );
        assert!(
            index[1].message.contains("meet its own at `s1`"),
            "{}",
            index[1].message
        );
        assert_eq!(shown(&index), shown(&oracle));
        assert_eq!(shown(&listed), shown(&oracle));
    }
}
