//! `cutover slots`: when can the asked change run? Its phases are placed in
//! order, each at a start where the phase and its rollback fit an
//! occurrence of a window of every system it changes and the check's
//! schedule rules report no error on it, at least `policy.min_soak` after
//! the previous phase. Starts are taken from the calendar's turning points
//! only ([`Probe::turning_points`]); a later phase's turning points are
//! listed once and walked forward with one cursor (its earliest fitting
//! start never moves back when the first phase moves later), so a search
//! costs one evaluation per turning point and phase. Slots are ranked by
//! the warnings they still get, then by start; one per stretch of window
//! time of the first phase (overlapping window occurrences of its first
//! system merged: one per night, say).

use std::collections::BTreeMap;

use crate::analysis::PhaseTime;
use crate::analysis::probe::{CHANGE_ONLY, Probe, Turns};
use crate::ask::Question;
use crate::ask::reasons::Occurrence;
use crate::base::finding::apply_overrides;
use crate::base::time::{Interval, at_second, moment};
use crate::base::{Finding, Level, Rule, Subject};
use crate::model::Duration;

/// One phase of a slot.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Index among the change's phases.
    pub phase: usize,
    /// When the phase runs there (without its rollback), in seconds since
    /// the Unix epoch (UTC), end excluded.
    pub interval: Interval,
    /// The window occurrence that holds it (the one that closes first
    /// among its systems' windows).
    pub window: Option<(usize, Occurrence)>,
}

/// A way to run the whole change.
#[derive(Debug, Clone)]
pub struct Slot {
    /// In the order the phases run.
    pub phases: Vec<Placed>,
    /// Findings (warnings, infos) the change would still get there.
    pub warnings: Vec<Finding>,
}

impl Slot {
    fn warning_count(&self) -> usize {
        self.warnings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count()
    }

    fn start(&self) -> i64 {
        self.phases.first().map_or(0, |p| p.interval.start)
    }
}

/// The answer of `slots`.
#[derive(Debug, Clone)]
pub struct Slots {
    /// Start of the searched range (`--from`, default now), in seconds
    /// since the Unix epoch (UTC), included.
    pub from: i64,
    /// End of the searched range (`--from` plus `--horizon`), in seconds
    /// since the Unix epoch (UTC), excluded: every phase starts before it.
    pub to: i64,
    /// The slots found, fewest warnings first, then earliest first, at most
    /// `count` of them.
    pub slots: Vec<Slot>,
    /// How many slots were found before `count` cut the list.
    pub found: usize,
    /// Why nothing fits, when nothing does.
    pub why_none: Vec<String>,
}

/// What one placement of one phase got.
struct Verdict {
    /// No `outside-window` or `rollback-exceeds-window` at any level: the
    /// phase and its rollback fit a window occurrence of every system.
    fits: bool,
    /// Error findings on it (after `[rules]`).
    errors: Vec<Finding>,
}

impl Verdict {
    fn ok(&self) -> bool {
        self.fits && self.errors.is_empty()
    }
}

fn verdict(probe: &mut Probe, placement: &[PhaseTime], p: usize) -> Verdict {
    let raw = probe.phase_findings(placement, p);
    let fits = !raw
        .iter()
        .any(|f| matches!(f.rule, Rule::OutsideWindow | Rule::RollbackExceedsWindow));
    let errors = apply_overrides(raw, &probe.model().config.rules)
        .into_iter()
        .filter(|f| f.level == Level::Error)
        .collect();
    Verdict { fits, errors }
}

/// The window occurrence holding `interval` that closes first among the
/// windows of `systems` (the one that binds), if every system has one.
fn binding_window(
    probe: &Probe,
    systems: &[usize],
    interval: Interval,
) -> Option<(usize, Occurrence)> {
    let cal = probe.calendar();
    let model = probe.model();
    let mut best: Option<(usize, Interval)> = None;
    for &s in systems {
        let (w, o) = cal.holding_window(s, interval)?;
        let better = match best {
            None => true,
            Some((bw, b)) => {
                (o.end, &model.periods[w].id.value) < (b.end, &model.periods[bw].id.value)
            }
        };
        if better {
            best = Some((w, o));
        }
    }
    best.map(|(w, o)| {
        (
            w,
            Occurrence {
                interval: o,
                tz: cal.zone(w).clone(),
            },
        )
    })
}

/// Where the first phase was tried and what stopped it.
struct Tried {
    start: i64,
    verdict: Verdict,
}

/// Proposes up to `count` slots for the question's change, starting in
/// `[from, to)`.
pub fn search(question: &Question, from: i64, to: i64, count: usize) -> Slots {
    let model = &*question.model;
    let skip: &[Rule] = if question.hypothetical {
        CHANGE_ONLY
    } else {
        &[]
    };
    let day = 86_400;
    let longest: i64 = model.changes[question.ix]
        .phases
        .iter()
        .map(|p| i64::from(p.duration.value.days) * day + i64::from(p.duration.value.minutes) * 60)
        .sum();
    let span = Interval {
        start: from - day,
        end: to + longest + 3 * day,
    };
    let mut probe = Probe::new(
        model,
        &question.checked.facts,
        question.ix,
        span,
        question.checked.as_of,
        skip,
    );
    let n = model.changes[question.ix].phases.len();
    let order = probe.change().phase_order();
    let left: Vec<PhaseTime> = (0..n).map(|p| probe.left_out(p)).collect();
    let soak = model.config.policy.min_soak;
    // Turning points of each later phase over the whole span, once; the
    // cursor of each only moves forward.
    let points: Vec<Vec<i64>> = (0..n)
        .map(|p| probe.turning_points(&left, p, from, to, Turns::Opening))
        .collect();
    let mut known: Vec<Vec<Option<bool>>> = points.iter().map(|p| vec![None; p.len()]).collect();
    let mut cursor = vec![0usize; n];
    let first = order[0];
    let blocks = nights(&probe, first, from, to);
    let mut tried: Vec<Tried> = Vec::new();
    let mut later_failed: Option<(usize, i64, i64)> = None;
    let mut rejected: Vec<Finding> = Vec::new();
    // Best slot per window occurrence of the first phase.
    let mut best: BTreeMap<i64, Slot> = BTreeMap::new();
    'first: for &t in &points[first] {
        if t >= to {
            break;
        }
        let mut placement = left.clone();
        placement[first] = probe.place(first, t);
        let v = verdict(&mut probe, &placement, first);
        if !v.ok() {
            tried.push(Tried {
                start: t,
                verdict: v,
            });
            continue;
        }
        for &q in &order[1..] {
            let prev = order
                .iter()
                .take_while(|&&x| x != q)
                .map(|&x| &placement[x])
                .max_by_key(|p| p.interval.end)
                .map(|p| soak.after(&p.end).timestamp().as_second())
                .unwrap_or(t);
            let min = prev;
            // The earliest start itself, then the turning points after it.
            let mut chosen = None;
            if min < to {
                placement[q] = probe.place(q, min);
                if verdict(&mut probe, &placement, q).ok() {
                    chosen = Some(min);
                }
            }
            if chosen.is_none() {
                let list = &points[q];
                while cursor[q] < list.len() && list[cursor[q]] <= min {
                    cursor[q] += 1;
                }
                let mut i = cursor[q];
                while i < list.len() && list[i] < to {
                    let ok = match known[q][i] {
                        Some(ok) => ok,
                        None => {
                            placement[q] = probe.place(q, list[i]);
                            let ok = verdict(&mut probe, &placement, q).ok();
                            known[q][i] = Some(ok);
                            ok
                        }
                    };
                    if ok {
                        chosen = Some(list[i]);
                        break;
                    }
                    i += 1;
                }
                cursor[q] = i;
            }
            match chosen {
                Some(c) => placement[q] = probe.place(q, c),
                None => {
                    // Nothing later fits either: the minimum only grows.
                    later_failed = Some((q, t, min));
                    break 'first;
                }
            }
        }
        // The whole change as check would see it with these starts.
        let all = apply_overrides(probe.findings(&placement), &model.config.rules);
        if let Some(error) = all.iter().find(|f| f.level == Level::Error) {
            rejected.push(error.clone());
            continue;
        }
        let phases: Vec<Placed> = order
            .iter()
            .map(|&p| Placed {
                phase: p,
                interval: placement[p].interval,
                window: binding_window(&probe, &placement[p].systems, placement[p].interval),
            })
            .collect();
        // One slot per stretch of window time (a night, say).
        let block = blocks.partition_point(|b| b.end <= t);
        let key = match blocks.get(block) {
            Some(b) if b.start <= t => b.start,
            _ => t,
        };
        let slot = Slot {
            phases,
            warnings: all,
        };
        let better = best
            .get(&key)
            .is_none_or(|b| (slot.warning_count(), slot.start()) < (b.warning_count(), b.start()));
        if better {
            best.insert(key, slot);
        }
    }
    let mut slots: Vec<Slot> = best.into_values().collect();
    slots.sort_by_key(|s| (s.warning_count(), s.start()));
    let found = slots.len();
    slots.truncate(count);
    let why_none = if found == 0 {
        why_none(
            question,
            &probe,
            from,
            to,
            &order,
            &tried,
            later_failed,
            &rejected,
        )
    } else {
        Vec::new()
    };
    Slots {
        from,
        to,
        slots,
        found,
        why_none,
    }
}

/// The stretches of window time of the first system of phase `p`: its
/// windows' occurrences in the span, overlapping or touching ones merged.
fn nights(probe: &Probe, p: usize, from: i64, to: i64) -> Vec<Interval> {
    let cal = probe.calendar();
    let Some(&system) = probe.change().phases[p].systems.first() else {
        return Vec::new();
    };
    let mut all: Vec<Interval> = cal
        .windows_of(system)
        .iter()
        .flat_map(|&w| cal.occurrences(w).iter().copied())
        .filter(|o| o.end > from && o.start < to)
        .collect();
    all.sort_unstable();
    let mut merged: Vec<Interval> = Vec::new();
    for o in all {
        match merged.last_mut() {
            Some(last) if o.start <= last.end => last.end = last.end.max(o.end),
            _ => merged.push(o),
        }
    }
    merged
}

fn exact(d: Duration) -> String {
    d.to_string()
}

/// "2h30m + 1h rollback" (or "2h30m").
fn runway_text(duration: Duration, rollback: Duration) -> String {
    if rollback.is_zero() {
        exact(duration)
    } else {
        format!("{} + {} rollback", exact(duration), exact(rollback))
    }
}

/// Concrete reasons nothing fits in `[from, to)`.
#[allow(clippy::too_many_arguments)]
fn why_none(
    question: &Question,
    probe: &Probe,
    from: i64,
    to: i64,
    order: &[usize],
    tried: &[Tried],
    later_failed: Option<(usize, i64, i64)>,
    rejected: &[Finding],
) -> Vec<String> {
    let tz = &question.tz;
    let when = |s: i64| moment(&at_second(s, tz));
    let mut why = Vec::new();
    let rollback = question.rollback();
    let first = order[0];
    let stuck = match later_failed {
        Some((q, _, _)) => q,
        None => first,
    };
    why.extend(structural(question, probe, stuck, from, to, rollback));
    if let Some((q, t, min)) = later_failed {
        let change = question.change();
        why.push(format!(
            "phase \"{}\" fits first at {}, but phase \"{}\" then fits nowhere between {} and the end of the search, {} (a longer --horizon may find one)",
            change.phases[first].name,
            when(t),
            change.phases[q].name,
            when(min),
            when(to)
        ));
        return why;
    }
    if !why.is_empty() {
        return why;
    }
    // Windows are there and long enough: say what blocks their occurrences.
    why.extend(blocked(question, probe, first, tried, from, to));
    if why.is_empty() && !rejected.is_empty() {
        why.push(format!(
            "every placement that fits gets an error on the change: {}[{}]: {}",
            rejected[0].level, rejected[0].rule, rejected[0].message
        ));
    }
    if why.is_empty() {
        why.push(format!(
            "no start between {} and {} fits every system's window with nothing in the way",
            when(from),
            when(to)
        ));
    }
    why
}

/// Reasons that hold whatever else is planned: no window for a system,
/// none long enough, none in the search span.
fn structural(
    question: &Question,
    probe: &Probe,
    p: usize,
    from: i64,
    to: i64,
    rollback: Duration,
) -> Vec<String> {
    let model = probe.model();
    let cal = probe.calendar();
    let tz = &question.tz;
    let when = |s: i64| moment(&at_second(s, tz));
    let duration = model.changes[question.ix].phases[p].duration.value;
    let phase = &probe.change().phases[p];
    let mut why = Vec::new();
    for &s in &phase.systems {
        let id = &model.systems[s].id.value;
        let windows = cal.windows_of(s);
        if windows.is_empty() {
            why.push(format!(
                "no window applies to `{id}`: add a [[window]] whose scope holds it"
            ));
            continue;
        }
        let mut any = false;
        let mut longest: Option<(i64, usize)> = None;
        let mut fits = false;
        for &w in windows {
            for o in cal.occurrences(w) {
                if o.end <= from || o.start >= to {
                    continue;
                }
                any = true;
                let start = at_second(o.start.max(from), cal.zone(w));
                let end = rollback.after(&duration.after(&start));
                if end.timestamp().as_second() <= o.end {
                    fits = true;
                }
                let length = o.end - o.start;
                if longest.is_none_or(|(l, _)| length > l) {
                    longest = Some((length, w));
                }
            }
        }
        if !any {
            let names: Vec<String> = windows
                .iter()
                .map(|&w| format!("`{}`", model.periods[w].id.value))
                .collect();
            why.push(format!(
                "no window of `{id}` ({}) is open between {} and {}",
                names.join(", "),
                when(from),
                when(to)
            ));
        } else if !fits {
            let (length, w) = longest.unwrap_or((0, windows[0]));
            why.push(format!(
                "no window of `{id}` is long enough for {} (the longest, `{}`, lasts {}h{:02}m)",
                runway_text(duration, rollback),
                model.periods[w].id.value,
                length / 3600,
                length % 3600 / 60
            ));
        }
    }
    if why.is_empty()
        && phase.systems.len() > 1
        && !tried_any_fit(question, probe, p, from, to, rollback)
    {
        let ids: Vec<String> = phase
            .systems
            .iter()
            .map(|&s| format!("`{}`", model.systems[s].id.value))
            .collect();
        why.push(format!(
            "the windows of {} are never open together for {} between {} and {}",
            ids.join(" and "),
            runway_text(duration, rollback),
            when(from),
            when(to)
        ));
    }
    why
}

/// Whether some window occurrence start of the first system lets phase
/// `p` and its rollback fit the windows of all its systems.
fn tried_any_fit(
    question: &Question,
    probe: &Probe,
    p: usize,
    from: i64,
    to: i64,
    rollback: Duration,
) -> bool {
    let cal = probe.calendar();
    let phase = &probe.change().phases[p];
    let duration = question.model.changes[question.ix].phases[p].duration.value;
    let tz = &probe.change().tz;
    let mut starts: Vec<i64> = phase
        .systems
        .iter()
        .flat_map(|&s| cal.windows_of(s).iter())
        .flat_map(|&w| cal.occurrences(w).iter().map(|o| o.start))
        .filter(|&s| (from..to).contains(&s))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts.into_iter().any(|s| {
        let start = at_second(s, tz);
        let end = duration.after(&start);
        let interval = Interval {
            start: s,
            end: end.timestamp().as_second(),
        };
        let rolled = rollback.after(&end).timestamp().as_second();
        phase.systems.iter().all(|&sys| {
            cal.holding_window(sys, interval)
                .is_some_and(|(_, o)| rolled <= o.end)
        })
    })
}

/// What blocked the window occurrences long enough for phase `p`: each
/// occurrence (of every window of its systems) gets the first error seen
/// at the starts tried inside it; occurrences are grouped by that cause
/// ("every window occurrence of `erp` … is inside hard freeze
/// `holiday-freeze`").
fn blocked(
    question: &Question,
    probe: &Probe,
    p: usize,
    tried: &[Tried],
    from: i64,
    to: i64,
) -> Vec<String> {
    let model = probe.model();
    let cal = probe.calendar();
    let phase = &probe.change().phases[p];
    let tz = &question.tz;
    let day = |s: i64| at_second(s, tz).strftime("%a %Y-%m-%d").to_string();
    let duration = question.model.changes[question.ix].phases[p].duration.value;
    let rollback = question.rollback();
    let change_tz = &probe.change().tz;
    // Every occurrence long enough, of every window of the phase's systems.
    let mut occurrences: Vec<(usize, Interval)> = Vec::new();
    for &s in &phase.systems {
        for &w in cal.windows_of(s) {
            for o in cal.occurrences(w) {
                if o.end <= from || o.start >= to {
                    continue;
                }
                let start = at_second(o.start.max(from), change_tz);
                if rollback
                    .after(&duration.after(&start))
                    .timestamp()
                    .as_second()
                    <= o.end
                {
                    occurrences.push((w, *o));
                }
            }
        }
    }
    occurrences.sort_by_key(|&(w, o)| (o.start, w));
    occurrences.dedup();
    // cause -> occurrences it blocked, in order
    let mut by_cause: BTreeMap<String, Vec<(usize, Interval)>> = BTreeMap::new();
    let mut unexplained = 0;
    for &(w, o) in &occurrences {
        let first = tried
            .iter()
            .filter(|a| a.verdict.fits && o.start <= a.start && a.start < o.end)
            .find_map(|a| {
                let start = at_second(a.start, change_tz);
                let interval = Interval {
                    start: a.start,
                    end: duration.after(&start).timestamp().as_second(),
                };
                a.verdict
                    .errors
                    .first()
                    .map(|e| cause(model, cal, e, interval))
            });
        match first {
            Some(cause) => by_cause.entry(cause).or_default().push((w, o)),
            None => unexplained += 1,
        }
    }
    let systems: Vec<String> = phase
        .systems
        .iter()
        .map(|&s| format!("`{}`", model.systems[s].id.value))
        .collect();
    let listing = |list: &[(usize, Interval)]| {
        // Per window, the days of its occurrences.
        let mut per: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for &(w, o) in list {
            per.entry(model.periods[w].id.value.as_str())
                .or_default()
                .push(day(o.start));
        }
        per.into_iter()
            .map(|(w, days)| format!("`{w}` on {}", days.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut why = Vec::new();
    let single = by_cause.len() == 1 && unexplained == 0;
    for (cause, list) in &by_cause {
        let what = if single {
            format!(
                "every window occurrence of {} long enough for {} between {} and {}",
                systems.join(", "),
                runway_text(duration, rollback),
                day(from),
                day(to)
            )
        } else {
            format!(
                "{} of the {} window occurrences of {} long enough for {} between {} and {}",
                list.len(),
                occurrences.len(),
                systems.join(", "),
                runway_text(duration, rollback),
                day(from),
                day(to)
            )
        };
        why.push(format!("{what} ({}) {cause}", listing(list)));
    }
    why
}

/// What an error that blocked a placement is, in a few words.
fn cause(
    model: &crate::model::Model,
    cal: &crate::analysis::Calendar,
    error: &Finding,
    interval: Interval,
) -> String {
    let mut period = None;
    let mut other = None;
    let first = error.first_subject();
    for s in error.subject_refs() {
        match s {
            Subject::Period(w) if period.is_none() => period = Some(w),
            Subject::Change(c) if other.is_none() && first != Some(s) => other = Some(c),
            _ => {}
        }
    }
    match (error.rule, period, other) {
        (Rule::FreezeConflict, Some(w), _) => {
            let until = cal
                .overlapping(w, interval)
                .last()
                .map(|o| format!(" (until {})", moment(&at_second(o.end, cal.zone(w)))))
                .unwrap_or_default();
            format!(
                "is inside {} freeze `{}`{until}",
                if model.periods[w].hard {
                    "hard"
                } else {
                    "soft"
                },
                model.periods[w].id.value
            )
        }
        (Rule::PeakOverlap, Some(w), _) => format!("overlaps peak `{}`", model.periods[w].id.value),
        (Rule::ChangeCollision, _, Some(c)) => {
            format!("collides with `{}`", model.changes[c].id.value)
        }
        (_, _, Some(c)) => format!(
            "meets `{}` ({})",
            model.changes[c].id.value,
            error.rule.name()
        ),
        (_, Some(w), _) => format!(
            "meets `{}` ({})",
            model.periods[w].id.value,
            error.rule.name()
        ),
        _ => format!("gets {}", error.rule.name()),
    }
}
