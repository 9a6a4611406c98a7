//! Analysis stage: what the schedule rules say of one change placed at other
//! times ("what if this phase ran at 02:00?"), for `cutover gate` and
//! `cutover slots`.
//!
//! A probe is not a second implementation of the rules: it runs the rule
//! functions of [`rules::RULES`] (the schedule family) on the change with
//! its phases moved, over the same [`Calendar`] a check builds, widened to
//! the span the question needs. Each run is restricted to the one change
//! ([`Ctx::only`]) and to the phases of other changes that overlap its
//! phases (found by binary search in a list sorted once), so a run costs
//! the lookups of one change, not a check of the plan.
//!
//! [`Probe::turning_points`] lists the instants at which the answer for a
//! phase can change, taken from the calendar: starts and ends of window
//! occurrences, ends and starts of freezes, peaks and batch runs, phases of
//! other changes and of the change itself, each shifted by the runway.
//! Evaluating only those (never every minute) finds the next opening or
//! closing; the list is linear in the occurrences within the span and the
//! phases of other changes.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, ZonedDateTime};

use crate::analysis::calendar::PlanningHorizon;
use crate::analysis::impact::Graph;
use std::sync::Arc;

use crate::analysis::rules::{self, Ctx, PeriodDays, RuleFn, Slot, sweep_pairs};
use crate::analysis::{Calendar, ChangeFacts, Facts, PhaseTime};
use crate::base::time::{Interval, at_second, day_start};
use crate::base::{Family, Finding, Rule, Subject};
use crate::model::{Duration, Model, PeriodKind, When};

/// Where a phase left out of a placement goes: far beyond any plan, and
/// empty, so that no rule sees it overlap anything.
const LEFT_OUT: i64 = 200_000_000_000;

/// The schedule rules that only make sense for a change of the inventory:
/// a question about systems has no owner, no announcement, one phase.
pub const CHANGE_ONLY: &[Rule] = &[
    Rule::OwnerDoubleBooked,
    Rule::PhaseOverlap,
    Rule::ShortSoak,
    Rule::ShortNotice,
    Rule::StaleStatus,
];

/// Schedule rules that are about the calendar, not about a change: never
/// run by a probe (`empty-period` is reported by `check`).
pub const NOT_OF_A_CHANGE: &[Rule] = &[Rule::EmptyPeriod];

/// Which turning points a search wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turns {
    /// Where an answer can start to pass: enough for the earliest start
    /// that passes (each stretch of starts that pass begins at one).
    Opening,
    /// Also where it can stop passing (a runway's length before what it
    /// would run into): for the latest start that passes.
    Both,
}

/// Seconds of a duration that has no calendar days (exact).
fn exact_seconds(d: Duration) -> i64 {
    i64::from(d.days) * 86_400 + i64::from(d.minutes) * 60
}

/// The instant `d` before `x` in `tz`: exact minutes, then calendar days
/// (the inverse of [`Duration::after`], up to DST gaps).
pub fn before(d: Duration, x: i64, tz: &TimeZone) -> i64 {
    let z = at_second(x, tz);
    let z = z
        .checked_sub(Span::new().minutes(i64::from(d.minutes)))
        .unwrap_or(z);
    let z = z
        .checked_sub(Span::new().days(i64::from(d.days)))
        .unwrap_or(z);
    z.timestamp().as_second()
}

/// One change under question, against the rest of the plan.
pub struct Probe<'m> {
    model: &'m Model,
    /// The check's facts, with the calendar widened to the question's span
    /// (and facts for the asked change when it is not in the check).
    facts: Facts,
    as_of: Date,
    ix: usize,
    rules: Vec<(Rule, RuleFn)>,
    /// Freezes and peaks of the (widened) calendar by day, built once.
    period_days: Arc<PeriodDays>,
    /// Ids as ranks (see [`Ctx::system_rank`], [`Ctx::change_rank`]).
    system_rank: Arc<[u32]>,
    ranks_ascend: bool,
    change_rank: Arc<[u32]>,
    /// Phases of other active changes, by start.
    others: Vec<Slot>,
    /// The longest of them, for the overlap search.
    longest: i64,
}

impl<'m> Probe<'m> {
    /// A probe of change `ix` of `model` over `span`. `base` holds the facts
    /// of a check of the same inventory (parallel to `model.changes`, or one
    /// short when `ix` is a change added for the question); `skip` are
    /// schedule rules not to run.
    pub fn new(
        model: &'m Model,
        base: &Facts,
        ix: usize,
        span: Interval,
        as_of: Date,
        skip: &[Rule],
    ) -> Probe<'m> {
        let mut changes = base.changes.clone();
        if ix >= changes.len() {
            changes.push(hypothetical_facts(model, ix));
        }
        let site = &model.config.site.timezone.tz;
        let horizon = PlanningHorizon {
            start: at_second(span.start, site),
            end: at_second(span.end, site),
        };
        let calendar = Calendar::new(model, &changes, &horizon);
        let facts = Facts {
            changes,
            horizon,
            calendar,
            system_rank: crate::analysis::rules::system_rank(model),
        };
        let mut others: Vec<Slot> = Vec::new();
        for (c, change) in model.changes.iter().enumerate() {
            if c == ix || !change.status.value.is_active() {
                continue;
            }
            for (p, phase) in facts.changes[c].phases.iter().enumerate() {
                if phase.interval.start < phase.interval.end {
                    others.push(Slot {
                        change: c,
                        phase: p,
                        interval: phase.interval,
                    });
                }
            }
        }
        others.sort_by_key(|s| (s.interval.start, s.change, s.phase));
        let longest = others
            .iter()
            .map(|s| s.interval.end - s.interval.start)
            .max()
            .unwrap_or(0);
        let rules = rules::RULES
            .iter()
            .filter(|(rule, _)| {
                rule.family() == Family::Schedule
                    && !skip.contains(rule)
                    && !NOT_OF_A_CHANGE.contains(rule)
            })
            .copied()
            .collect();
        let period_days = Arc::new(PeriodDays::new(model, &facts.calendar));
        let system_rank = Arc::clone(&facts.system_rank);
        Probe {
            model,
            facts,
            as_of,
            ix,
            rules,
            period_days,
            ranks_ascend: crate::analysis::rules::ascending(&system_rank),
            system_rank,
            change_rank: crate::analysis::rules::change_rank(model),
            others,
            longest,
        }
    }

    /// The model the probe runs on (with the asked change in it).
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The facts the probe runs on (the widened calendar among them).
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The calendar the rules read: the check's, widened to the span the
    /// question needs.
    pub fn calendar(&self) -> &Calendar {
        &self.facts.calendar
    }

    /// The asked change's index in the model.
    pub fn ix(&self) -> usize {
        self.ix
    }

    /// The asked change's facts, as planned.
    pub fn change(&self) -> &ChangeFacts {
        &self.facts.changes[self.ix]
    }

    /// The change's rollback time, when it has one.
    pub fn rollback(&self) -> Option<Duration> {
        self.model.changes[self.ix]
            .rollback
            .as_ref()
            .and_then(|r| r.time.as_ref())
            .map(|t| t.value)
    }

    /// Phase `p` placed at `start`, lasting its duration in the change's
    /// zone. A phase of no duration is an instant: its first second, so
    /// that a window holds it only before its end and a freeze that starts
    /// then overlaps it.
    pub fn place(&self, p: usize, start: i64) -> PhaseTime {
        let tz = &self.change().tz;
        let duration = self.model.changes[self.ix].phases[p].duration.value;
        let start = at_second(start, tz);
        let mut end = duration.after(&start);
        if end.timestamp() <= start.timestamp() {
            end = at_second(start.timestamp().as_second() + 1, tz);
        }
        PhaseTime {
            interval: Interval {
                start: start.timestamp().as_second(),
                end: end.timestamp().as_second(),
            },
            start,
            end,
            systems: self.change().phases[p].systems.clone(),
        }
    }

    /// Phase `p` left out of a placement: no rule sees it.
    pub fn left_out(&self, p: usize) -> PhaseTime {
        let tz = &self.change().tz;
        let at = at_second(LEFT_OUT, tz);
        PhaseTime {
            interval: Interval {
                start: LEFT_OUT,
                end: LEFT_OUT,
            },
            start: at.clone(),
            end: at,
            systems: self.change().phases[p].systems.clone(),
        }
    }

    /// Whether a phase of a placement is left out.
    pub fn is_left_out(phase: &PhaseTime) -> bool {
        phase.interval.start == LEFT_OUT
    }

    /// Phases of other active changes that overlap `span`.
    pub fn others_overlapping(&self, span: Interval) -> impl Iterator<Item = &Slot> {
        let upto = self.others.partition_point(|s| s.interval.start < span.end);
        let from =
            self.others[..upto].partition_point(|s| s.interval.start <= span.start - self.longest);
        self.others[from..upto]
            .iter()
            .filter(move |s| s.interval.overlaps(span))
    }

    /// [`Probe::findings`] about phase `p` of the change (before `[rules]`
    /// overrides): what `gate` and `slots` judge a placement of `p` by.
    pub fn phase_findings(&mut self, phases: &[PhaseTime], p: usize) -> Vec<Finding> {
        let phase = Subject::Phase {
            change: self.ix,
            phase: p,
        };
        let mut found = self.findings(phases);
        found.retain(|f| f.is_about(phase));
        found
    }

    /// The findings of the schedule rules on the change with its phases at
    /// `phases` (parallel to its phases; see [`Probe::left_out`]), before
    /// `[rules]` overrides: every finding whose first subject is the change.
    pub fn findings(&mut self, phases: &[PhaseTime]) -> Vec<Finding> {
        let ix = self.ix;
        let planned = std::mem::replace(&mut self.facts.changes[ix].phases, phases.to_vec());
        let mut slots: Vec<Slot> = phases
            .iter()
            .enumerate()
            .map(|(p, phase)| Slot {
                change: ix,
                phase: p,
                interval: phase.interval,
            })
            .collect();
        let mut near: Vec<(usize, usize, Interval)> = Vec::new();
        for phase in phases {
            if phase.interval.start < phase.interval.end {
                near.extend(
                    self.others_overlapping(phase.interval)
                        .map(|s| (s.change, s.phase, s.interval)),
                );
            }
        }
        near.sort_unstable();
        near.dedup();
        slots.extend(near.into_iter().map(|(change, phase, interval)| Slot {
            change,
            phase,
            interval,
        }));
        let pairs: Vec<(usize, usize)> = sweep_pairs(&slots)
            .into_iter()
            .filter(|&(i, j)| slots[i].change == ix || slots[j].change == ix)
            .collect();
        let mut found = Vec::new();
        {
            let cx = Ctx {
                model: self.model,
                facts: &self.facts,
                as_of: self.as_of,
                // Schedule rules read neither.
                integrations_of: Vec::new(),
                incidents_of: Vec::new(),
                slots,
                pairs,
                only: Some(ix),
                period_days: Arc::clone(&self.period_days),
                system_rank: Arc::clone(&self.system_rank),
                ranks_ascend: self.ranks_ascend,
                change_rank: Arc::clone(&self.change_rank),
            };
            for (_, rule) in &self.rules {
                rule(&cx, &mut found);
            }
        }
        self.facts.changes[ix].phases = planned;
        found.retain(|f| f.first_subject() == Some(Subject::Change(ix)));
        found
    }

    /// Instants in `[from, to]` at which the rules' answer about phase `p`
    /// (placed among `phases`) can change: where a window occurrence opens
    /// or stops holding the phase (and its rollback), where a freeze, peak
    /// or batch run that concerns it ends or starts to overlap it, where a
    /// phase of another change ends or starts to overlap it, where the
    /// soak time after or before the change's other phases runs out, and
    /// where the notice period ends; with [`Turns::Opening`] only those
    /// where it can start to pass. Sorted, without repeats.
    pub fn turning_points(
        &self,
        phases: &[PhaseTime],
        p: usize,
        from: i64,
        to: i64,
        turns: Turns,
    ) -> Vec<i64> {
        let model = self.model;
        let change = &model.changes[self.ix];
        let cal = &self.facts.calendar;
        let tz = &self.change().tz;
        let duration = change.phases[p].duration.value;
        let rollback = self.rollback().unwrap_or_default();
        let soak = model.config.policy.min_soak;
        // The start at which the phase ends at `x` (an instant lasts 1s).
        let start_ending_at = |x: i64| {
            if duration.is_zero() {
                x - 1
            } else {
                before(duration, x, tz)
            }
        };
        let reach = exact_seconds(duration) + exact_seconds(rollback) + 2 * 86_400;
        let (lo, hi) = (from - reach, to + reach);
        let mut points = vec![from];
        let closing = turns == Turns::Both;
        let mut closes: Vec<i64> = Vec::new();
        let systems = &phases[p].systems;
        let impact = &self.change().impact;
        for (w, period) in model.periods.iter().enumerate() {
            let window = period.kind == PeriodKind::Window;
            let concerns = if window {
                systems.iter().any(|&s| cal.applies(w, s))
            } else {
                impact.meets(cal.scope(w))
            };
            if !concerns {
                continue;
            }
            for o in near(cal.occurrences(w), longest_of(&period.when), lo, hi) {
                if window {
                    points.push(o.start);
                    closes.push(start_ending_at(o.end) + 1);
                    closes.push(start_ending_at(before(rollback, o.end, tz)) + 1);
                } else {
                    points.push(o.end);
                    closes.push(start_ending_at(o.start) + 1);
                }
            }
        }
        let mut integrations: Vec<usize> = systems
            .iter()
            .flat_map(|&s| cal.runs_of(s).iter().copied())
            .collect();
        integrations.sort_unstable();
        integrations.dedup();
        for i in integrations {
            for (r, occurrences) in cal.runs(i).iter().enumerate() {
                let run = &model.integrations[i].runs[r];
                let bound = exact_seconds(run.duration.value) + 2 * 86_400;
                for o in near(occurrences, bound, lo, hi) {
                    points.push(o.end);
                    closes.push(start_ending_at(o.start) + 1);
                }
            }
        }
        let upto = self.others.partition_point(|s| s.interval.start < hi);
        for s in &self.others[..upto] {
            if s.interval.end >= lo {
                points.push(s.interval.end);
                closes.push(start_ending_at(s.interval.start) + 1);
            }
        }
        for (q, phase) in phases.iter().enumerate() {
            if q == p || Probe::is_left_out(phase) {
                continue;
            }
            points.push(phase.interval.end);
            points.push(soak.after(&phase.end).timestamp().as_second());
            closes.push(start_ending_at(phase.interval.start) + 1);
            closes.push(start_ending_at(before(soak, phase.interval.start, tz)) + 1);
        }
        let announced = change.announced.as_ref().map_or(self.as_of, |a| a.value);
        let site = &model.config.site.timezone.tz;
        let notice: ZonedDateTime = model
            .config
            .policy
            .notice
            .after(&day_start(announced, site));
        points.push(notice.timestamp().as_second());
        if closing {
            points.extend(closes);
        }
        points.retain(|&t| (from..=to).contains(&t));
        points.sort_unstable();
        points.dedup();
        points
    }
}

/// How long an occurrence of a period may last, at most (a bound for the
/// search of occurrences that reach into a span).
fn longest_of(when: &When) -> i64 {
    match when {
        When::Once { .. } => i64::MAX / 4,
        When::Recurring(r) => exact_seconds(r.duration.value) + 2 * 86_400,
    }
}

/// The occurrences (sorted by start, each at most `bound` long) that
/// overlap `[lo, hi]`.
fn near(occurrences: &[Interval], bound: i64, lo: i64, hi: i64) -> impl Iterator<Item = &Interval> {
    let upto = occurrences.partition_point(|o| o.start <= hi);
    let from = occurrences[..upto].partition_point(|o| o.start < lo.saturating_sub(bound));
    occurrences[from..upto].iter().filter(move |o| o.end >= lo)
}

/// Facts of a change added to the model for a question (not in the
/// check): placed and impacted as `analyse` does.
fn hypothetical_facts(model: &Model, ix: usize) -> ChangeFacts {
    crate::analysis::change_facts(model, ix, &Graph::new(model))
}
