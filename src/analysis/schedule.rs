//! Analysis stage: the schedule rules of rules.md.
//!
//! Periods are expanded once, over the horizon the active phases need.
//! Which systems a period applies to is a bit set per period, and each
//! change's impact is a bit set, so "applies to an impacted system" is a
//! word-wise AND. Pair rules (collisions, blast-radius overlaps, double
//! bookings, phase overlaps) come from the sweep of [`overlapping_pairs`]:
//! O(p log p + k) for p phases and k overlapping pairs. Per-phase rules
//! look occurrences up by binary search: O(p · s · w · log o) for s systems
//! per phase, w applicable periods and o occurrences per period.

use fixedbitset::FixedBitSet;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::analysis::{ChangeFacts, Facts};
use crate::base::time::{day_start, moment, span_text};
use crate::base::{Finding, Level, Rule};
use crate::model::{Model, Period, PeriodKind, Status};
use crate::schedule::occurrences::{self, Horizon};
use crate::schedule::sweep::{Interval, overlapping_pairs};

/// How many systems a message or subject list names before "and N more".
const NAMED: usize = 10;

/// A period's zone: its own, else the site's.
pub fn period_zone<'m>(model: &'m Model, period: &'m Period) -> &'m TimeZone {
    &period
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
        .tz
}

/// The systems each period applies to.
pub fn scopes(model: &Model) -> Vec<FixedBitSet> {
    let n = model.systems.len();
    model
        .periods
        .iter()
        .map(|period| {
            let mut set = FixedBitSet::with_capacity(n);
            let scope = &period.scope;
            if scope.everything {
                set.insert_range(..);
                return set;
            }
            set.extend(scope.systems.iter().map(|r| r.ix));
            for process in &scope.processes {
                set.extend(model.processes[process.ix].systems.iter().map(|r| r.ix));
            }
            if !scope.tags.is_empty() {
                for (ix, system) in model.systems.iter().enumerate() {
                    if system.tags.iter().any(|tag| scope.tags.contains(tag)) {
                        set.insert(ix);
                    }
                }
            }
            set
        })
        .collect()
}

/// Ids of the systems in a set, at most [`NAMED`], and how many more.
fn some_ids(model: &Model, systems: impl Iterator<Item = usize>) -> (Vec<String>, usize) {
    let mut ids: Vec<String> = systems.map(|s| model.systems[s].id.value.clone()).collect();
    ids.sort();
    let more = ids.len().saturating_sub(NAMED);
    ids.truncate(NAMED);
    (ids, more)
}

fn listed(ids: &[String], more: usize) -> String {
    let mut text = ids
        .iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// Expanded periods and runs, shared by the rules.
struct Calendar {
    scopes: Vec<FixedBitSet>,
    /// Occurrences of each period, sorted.
    periods: Vec<Vec<Interval>>,
    /// Occurrences of each run of each integration, sorted. Runs stay
    /// apart: each has one length, which the occurrence search relies on.
    runs: Vec<Vec<Vec<Interval>>>,
    /// Per system: integrations with runs that have it at either end.
    runs_of: Vec<Vec<usize>>,
    /// Per system: windows that apply to it, by id.
    windows_of: Vec<Vec<usize>>,
}

impl Calendar {
    fn new(model: &Model, facts: &Facts) -> Calendar {
        let mut needed = Vec::new();
        for (ix, change) in model.changes.iter().enumerate() {
            if !change.status.value.is_active() {
                continue;
            }
            let rollback = change
                .rollback
                .as_ref()
                .and_then(|r| r.time.as_ref())
                .map_or(0, |t| {
                    i64::from(t.value.days) * 86_400 + i64::from(t.value.minutes) * 60
                });
            for phase in &facts.changes[ix].phases {
                needed.push(Interval {
                    start: phase.interval.start,
                    end: phase.interval.end.max(phase.interval.start) + rollback + 3600,
                });
            }
        }
        let horizon = Horizon::new(needed);
        let scopes = scopes(model);
        let periods = model
            .periods
            .iter()
            .map(|period| {
                occurrences::occurrences(&period.when, period_zone(model, period), &horizon)
            })
            .collect();
        let site = &model.config.site.timezone.tz;
        let runs = model
            .integrations
            .iter()
            .map(|integration| {
                integration
                    .runs
                    .iter()
                    .map(|run| {
                        let tz = run.timezone.as_ref().map_or(site, |z| &z.value.tz);
                        occurrences::recurring(run, tz, &horizon)
                    })
                    .collect()
            })
            .collect();
        let mut runs_of = vec![Vec::new(); model.systems.len()];
        for (ix, integration) in model.integrations.iter().enumerate() {
            if !integration.runs.is_empty() {
                runs_of[integration.consumer.ix].push(ix);
                if integration.provider.ix != integration.consumer.ix {
                    runs_of[integration.provider.ix].push(ix);
                }
            }
        }
        let mut windows_of = vec![Vec::new(); model.systems.len()];
        let mut by_id: Vec<usize> = (0..model.periods.len()).collect();
        by_id.sort_by(|&a, &b| model.periods[a].id.value.cmp(&model.periods[b].id.value));
        for ix in by_id {
            let period = &model.periods[ix];
            if period.kind == PeriodKind::Window {
                for system in scopes[ix].ones() {
                    windows_of[system].push(ix);
                }
            }
        }
        Calendar {
            scopes,
            periods,
            runs,
            runs_of,
            windows_of,
        }
    }

    /// The occurrence of a window applying to `system` that holds `phase`
    /// and ends latest, with the window's index.
    fn holding_window(&self, system: usize, phase: Interval) -> Option<(usize, Interval)> {
        self.windows_of[system]
            .iter()
            .filter_map(|&w| occurrences::holding(&self.periods[w], phase).map(|o| (w, o)))
            // Latest end; among equal ends the first window by id.
            .fold(None, |best: Option<(usize, Interval)>, (w, o)| match best {
                Some((_, b)) if b.end >= o.end => best,
                _ => Some((w, o)),
            })
    }
}

/// Runs every schedule rule on the active changes.
pub fn rules(model: &Model, facts: &Facts, as_of: Date, findings: &mut Vec<Finding>) {
    let calendar = Calendar::new(model, facts);
    for (ix, change) in model.changes.iter().enumerate() {
        if !change.status.value.is_active() {
            continue;
        }
        let f = &facts.changes[ix];
        outside_window(model, &calendar, ix, f, findings);
        period_overlaps(model, &calendar, ix, f, findings);
        batch_run_overlap(model, &calendar, ix, f, findings);
        short_soak(model, ix, f, findings);
        rollback_exceeds_window(model, &calendar, ix, f, findings);
        short_notice(model, ix, f, as_of, findings);
        stale_status(model, ix, f, as_of, findings);
    }
    pairs(model, facts, &sweep_pairs, findings);
}

fn phase_finding(model: &Model, ix: usize, phase: usize, rule: Rule, message: String) -> Finding {
    let change = &model.changes[ix];
    Finding::new(rule, change.phases[phase].start.loc.clone(), message)
        .change(change.id.value.clone())
}

fn phase_label(model: &Model, ix: usize, phase: usize, f: &ChangeFacts) -> String {
    format!(
        "phase \"{}\" of `{}` ({})",
        model.changes[ix].phases[phase].name,
        model.changes[ix].id.value,
        span_text(f.phases[phase].interval, &f.tz)
    )
}

/// `outside-window`: for some changed system of a phase, no occurrence of a
/// window that applies to it contains the whole phase.
fn outside_window(
    model: &Model,
    calendar: &Calendar,
    ix: usize,
    f: &ChangeFacts,
    findings: &mut Vec<Finding>,
) {
    for (p, phase) in f.phases.iter().enumerate() {
        let mut no_window = Vec::new();
        let mut outside = Vec::new();
        for &system in &phase.systems {
            if calendar.windows_of[system].is_empty() {
                no_window.push(system);
            } else if calendar.holding_window(system, phase.interval).is_none() {
                outside.push(system);
            }
        }
        if no_window.is_empty() && outside.is_empty() {
            continue;
        }
        let mut reasons = Vec::new();
        if !outside.is_empty() {
            let mut windows: Vec<&str> = outside
                .iter()
                .flat_map(|&s| {
                    calendar.windows_of[s]
                        .iter()
                        .map(|&w| model.periods[w].id.value.as_str())
                })
                .collect();
            windows.sort_unstable();
            windows.dedup();
            let (ids, more) = some_ids(model, outside.iter().copied());
            reasons.push(format!(
                "no occurrence of its windows ({}) holds the whole phase for {}",
                windows
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                listed(&ids, more)
            ));
        }
        if !no_window.is_empty() {
            let (ids, more) = some_ids(model, no_window.iter().copied());
            reasons.push(format!("no window applies to {}", listed(&ids, more)));
        }
        let mut finding = phase_finding(
            model,
            ix,
            p,
            Rule::OutsideWindow,
            format!("{} is outside its maintenance windows: {}", phase_label(model, ix, p, f), reasons.join("; ")),
        )
        .help("move the phase into an occurrence of a window that applies to each system it changes, or add such a [[window]]");
        let mut subjects: Vec<&str> = outside
            .iter()
            .chain(&no_window)
            .map(|&s| model.systems[s].id.value.as_str())
            .collect();
        subjects.sort_unstable();
        finding = finding.subjects(subjects);
        findings.push(finding);
    }
}

/// `freeze-conflict` and `peak-overlap`: a phase overlaps an occurrence of
/// a freeze (peak) that applies to an impacted system of the change.
fn period_overlaps(
    model: &Model,
    calendar: &Calendar,
    ix: usize,
    f: &ChangeFacts,
    findings: &mut Vec<Finding>,
) {
    for (w, period) in model.periods.iter().enumerate() {
        let rule = match period.kind {
            PeriodKind::Freeze => Rule::FreezeConflict,
            PeriodKind::Peak => Rule::PeakOverlap,
            PeriodKind::Window => continue,
        };
        if calendar.scopes[w].is_disjoint(&f.impact.set) {
            continue;
        }
        for (p, phase) in f.phases.iter().enumerate() {
            let Some(occurrence) = occurrences::overlapping(&calendar.periods[w], phase.interval)
                .last()
                .copied()
            else {
                continue;
            };
            let (ids, more) = some_ids(model, calendar.scopes[w].intersection(&f.impact.set));
            let kind = match (period.kind, period.hard) {
                (PeriodKind::Freeze, true) => "hard freeze",
                (PeriodKind::Freeze, false) => "soft freeze",
                _ => "peak",
            };
            let reason = period
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let mut finding = phase_finding(
                model,
                ix,
                p,
                rule,
                format!(
                    "{} overlaps {kind} `{}`{reason} from {}, which applies to impacted {}",
                    phase_label(model, ix, p, f),
                    period.id.value,
                    span_text(occurrence, period_zone(model, period)),
                    listed(&ids, more)
                ),
            )
            .subject(period.id.value.clone());
            if rule == Rule::FreezeConflict && !period.hard {
                finding = finding.level(Level::Warning);
            }
            finding = finding.help(if rule == Rule::FreezeConflict {
                "move the phase out of the freeze; changes during a freeze need an exception approved outside this plan"
            } else {
                "move the phase out of peak hours, when fewer users would notice a problem"
            });
            finding = finding.subjects(ids);
            findings.push(finding);
        }
    }
}

/// `batch-run-overlap`: a phase overlaps a run of an integration that has a
/// changed system of that phase at either end.
fn batch_run_overlap(
    model: &Model,
    calendar: &Calendar,
    ix: usize,
    f: &ChangeFacts,
    findings: &mut Vec<Finding>,
) {
    for (p, phase) in f.phases.iter().enumerate() {
        let mut integrations: Vec<usize> = phase
            .systems
            .iter()
            .flat_map(|&s| calendar.runs_of[s].iter().copied())
            .collect();
        integrations.sort_unstable();
        integrations.dedup();
        for i in integrations {
            // The first run (in written order) that overlaps, if any.
            let Some((r, run)) =
                calendar.runs[i]
                    .iter()
                    .enumerate()
                    .find_map(|(r, occurrences)| {
                        occurrences::overlapping(occurrences, phase.interval)
                            .last()
                            .map(|o| (r, *o))
                    })
            else {
                continue;
            };
            let integration = &model.integrations[i];
            let site = &model.config.site.timezone.tz;
            let tz = integration.runs[r]
                .timezone
                .as_ref()
                .map_or(site, |z| &z.value.tz);
            findings.push(
                phase_finding(
                    model,
                    ix,
                    p,
                    Rule::BatchRunOverlap,
                    format!(
                        "{} overlaps a run of integration `{}` ({} uses {}) from {}",
                        phase_label(model, ix, p, f),
                        integration.id.value,
                        model.systems[integration.consumer.ix].id.value,
                        model.systems[integration.provider.ix].id.value,
                        span_text(run, tz)
                    ),
                )
                .subject(integration.id.value.clone())
                .help("move the phase clear of the batch run, or pause the run for the change and say so in the steps"),
            );
        }
    }
}

/// `short-soak`: the gap between consecutive phases is below
/// `policy.min_soak` (overlapping phases are `phase-overlap` instead).
fn short_soak(model: &Model, ix: usize, f: &ChangeFacts, findings: &mut Vec<Finding>) {
    let min_soak = model.config.policy.min_soak;
    let order = f.phase_order();
    // The phase that ends last so far: a short phase nested in a long one
    // must not hide a short gap after the long one.
    let Some(&first) = order.first() else { return };
    let mut latest = first;
    for &next in &order[1..] {
        let (a, b) = (&f.phases[latest], &f.phases[next]);
        if b.interval.start >= a.interval.end {
            let soaked = min_soak.after(&a.end);
            if b.start.timestamp() < soaked.timestamp() {
                let gap = (b.interval.start - a.interval.end) / 60;
                findings.push(
                    phase_finding(
                        model,
                        ix,
                        next,
                        Rule::ShortSoak,
                        format!(
                            "phase \"{}\" starts {}h{:02}m after phase \"{}\" ends; the policy asks for at least {min_soak} to watch the first phase before the next",
                            model.changes[ix].phases[next].name,
                            gap / 60,
                            gap % 60,
                            model.changes[ix].phases[latest].name,
                        ),
                    )
                    .help(format!("start it at {} or later", moment(&soaked))),
                );
            }
        }
        if b.interval.end > a.interval.end {
            latest = next;
        }
    }
}

/// `rollback-exceeds-window`: phase end plus `rollback.time` runs past the
/// end of the window occurrence that holds the phase.
fn rollback_exceeds_window(
    model: &Model,
    calendar: &Calendar,
    ix: usize,
    f: &ChangeFacts,
    findings: &mut Vec<Finding>,
) {
    let change = &model.changes[ix];
    let Some(time) = change.rollback.as_ref().and_then(|r| r.time.as_ref()) else {
        return;
    };
    for (p, phase) in f.phases.iter().enumerate() {
        let rolled_back = time.value.after(&phase.end);
        // The tightest window among the changed systems binds.
        let binding = phase
            .systems
            .iter()
            .filter_map(|&s| calendar.holding_window(s, phase.interval))
            .min_by(|(a, x), (b, y)| {
                x.end
                    .cmp(&y.end)
                    .then_with(|| model.periods[*a].id.value.cmp(&model.periods[*b].id.value))
            });
        let Some((w, occurrence)) = binding else {
            continue;
        };
        if rolled_back.timestamp().as_second() > occurrence.end {
            let window = &model.periods[w];
            findings.push(
                phase_finding(
                    model,
                    ix,
                    p,
                    Rule::RollbackExceedsWindow,
                    format!(
                        "a rollback after phase \"{}\" would end at {}, after window `{}` closes at {}",
                        change.phases[p].name,
                        moment(&rolled_back),
                        window.id.value,
                        moment(
                            &jiff::Timestamp::from_second(occurrence.end)
                                .unwrap_or(jiff::Timestamp::MIN)
                                .to_zoned_datetime(f.tz.clone())
                        )
                    ),
                )
                .subject(window.id.value.clone())
                .help(format!("start the phase earlier or shorten it so that {} of rollback still fits in the window", time.value)),
            );
        }
    }
}

/// `short-notice`: first phase start minus `announced` (else the as-of
/// date) is below `policy.notice`.
fn short_notice(
    model: &Model,
    ix: usize,
    f: &ChangeFacts,
    as_of: Date,
    findings: &mut Vec<Finding>,
) {
    let change = &model.changes[ix];
    let notice = model.config.policy.notice;
    let Some(first) = f.first_start() else { return };
    let (announced, loc, said) = match &change.announced {
        Some(a) => (a.value, a.loc.clone(), "announced"),
        None => {
            let p = f.phase_order()[0];
            (
                as_of,
                change.phases[p].start.loc.clone(),
                "not announced yet; as of",
            )
        }
    };
    // Announcements and the as-of date are days of the organisation: read
    // in the site's zone.
    let earliest = notice.after(&day_start(announced, &model.config.site.timezone.tz));
    if first.timestamp() < earliest.timestamp() {
        findings.push(
            Finding::new(
                Rule::ShortNotice,
                loc,
                format!(
                    "`{}` starts {} but is {said} {announced}: less than the {notice} of notice the policy asks for",
                    change.id.value,
                    moment(first)
                ),
            )
            .change(change.id.value.clone())
            .help(format!(
                "announce it at least {notice} before the first phase, or move the first phase to {} or later",
                moment(&earliest)
            )),
        );
    }
}

/// `stale-status`: still approved, scheduled or in progress, but its last
/// phase ended before the as-of instant.
fn stale_status(
    model: &Model,
    ix: usize,
    f: &ChangeFacts,
    as_of: Date,
    findings: &mut Vec<Finding>,
) {
    let change = &model.changes[ix];
    if !matches!(
        change.status.value,
        Status::Approved | Status::Scheduled | Status::InProgress
    ) {
        return;
    }
    let Some(last) = f.last_end() else { return };
    let now = day_start(as_of, &model.config.site.timezone.tz);
    if last.timestamp() < now.timestamp() {
        findings.push(
            Finding::new(
                Rule::StaleStatus,
                change.status.loc.clone(),
                format!(
                    "`{}` is still `{}` but its last phase ended {}, before {as_of}",
                    change.id.value,
                    change.status.value.name(),
                    moment(last)
                ),
            )
            .change(change.id.value.clone())
            .help("record what happened: status \"completed\" or \"rolled-back\" with an [change.outcome], or move the phases"),
        );
    }
}

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

/// The pair rules over every overlapping pair of phases of active changes:
/// `phase-overlap` within a change; `change-collision`,
/// `blast-radius-overlap` and `owner-double-booked` across changes, each
/// reported on both changes. `find_pairs` is the sweep (tests compare it
/// with all pairs).
pub fn pairs(model: &Model, facts: &Facts, find_pairs: &PairFinder, findings: &mut Vec<Finding>) {
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
    for (i, j) in find_pairs(&slots) {
        let (a, b) = (&slots[i], &slots[j]);
        if a.change == b.change {
            phase_overlap(model, facts, a, b, findings);
        } else {
            cross_change(model, facts, a, b, findings);
            cross_change(model, facts, b, a, findings);
        }
    }
}

/// `phase-overlap`, reported once, at the later phase (ties: written later).
fn phase_overlap(model: &Model, facts: &Facts, a: &Slot, b: &Slot, findings: &mut Vec<Finding>) {
    let (first, second) = if (a.interval.start, a.phase) <= (b.interval.start, b.phase) {
        (a, b)
    } else {
        (b, a)
    };
    let change = &model.changes[a.change];
    let f = &facts.changes[a.change];
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

/// The findings on `this` change of an overlap with `other`'s phase.
fn cross_change(
    model: &Model,
    facts: &Facts,
    this: &Slot,
    other: &Slot,
    findings: &mut Vec<Finding>,
) {
    let (mine, theirs) = (&facts.changes[this.change], &facts.changes[other.change]);
    let other_change = &model.changes[other.change];
    let other_phase = &other_change.phases[other.phase];
    // Messages are built only for pairs that produce a finding: most
    // overlapping pairs do not, and formatting times dominates otherwise.
    let when = || span_text(theirs.phases[other.phase].interval, &mine.tz);
    let common: Vec<usize> = intersect(
        &mine.phases[this.phase].systems,
        &theirs.phases[other.phase].systems,
    );
    let label = || phase_label(model, this.change, this.phase, mine);
    if !common.is_empty() {
        let (ids, more) = some_ids(model, common.iter().copied());
        let mut finding = phase_finding(
            model,
            this.change,
            this.phase,
            Rule::ChangeCollision,
            format!(
                "{} changes {} at the same time as phase \"{}\" of `{}` ({})",
                label(),
                listed(&ids, more),
                other_phase.name,
                other_change.id.value,
                when()
            ),
        )
        .subject(other_change.id.value.clone())
        .help("two changes to one system at once cannot be told apart when something breaks: move one of them");
        finding = finding.subjects(ids);
        findings.push(finding);
    } else {
        // One changes a system the other impacts.
        let my_systems = &mine.phases[this.phase].systems;
        let their_systems = &theirs.phases[other.phase].systems;
        let mut hit: Vec<usize> = their_systems
            .iter()
            .copied()
            .filter(|&s| mine.impact.set.contains(s))
            .collect();
        hit.extend(
            my_systems
                .iter()
                .copied()
                .filter(|&s| theirs.impact.set.contains(s)),
        );
        hit.sort_unstable();
        hit.dedup();
        if !hit.is_empty() {
            let (ids, more) = some_ids(model, hit.iter().copied());
            let mut finding = phase_finding(
                model,
                this.change,
                this.phase,
                Rule::BlastRadiusOverlap,
                format!(
                    "{} overlaps phase \"{}\" of `{}` ({}), and their blast radii meet at {}",
                    label(),
                    other_phase.name,
                    other_change.id.value,
                    when(),
                    listed(&ids, more)
                ),
            )
            .subject(other_change.id.value.clone())
            .help("if something breaks, nobody will know which change caused it: move one of the phases");
            finding = finding.subjects(ids);
            findings.push(finding);
        }
    }
    let this_change = &model.changes[this.change];
    if this_change.owner.ix == other_change.owner.ix {
        findings.push(
            phase_finding(
                model,
                this.change,
                this.phase,
                Rule::OwnerDoubleBooked,
                format!(
                    "team `{}` runs {} and phase \"{}\" of `{}` ({}) at the same time",
                    this_change.owner.id.value,
                    label(),
                    other_phase.name,
                    other_change.id.value,
                    when()
                ),
            )
            .subject(other_change.id.value.clone())
            .subject(this_change.owner.id.value.clone())
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
    use proptest::prelude::*;

    /// Every pair, compared one by one: the oracle for the sweep.
    fn all_pairs(slots: &[Slot]) -> Vec<(usize, usize)> {
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
            let (facts, _) = crate::analysis::analyse(&loaded.model, Date::constant(2026, 11, 24));
            let mut swept = Vec::new();
            pairs(&loaded.model, &facts, &sweep_pairs, &mut swept);
            let mut brute = Vec::new();
            pairs(&loaded.model, &facts, &all_pairs, &mut brute);
            prop_assert_eq!(keyed(&swept), keyed(&brute));
        }
    }
}
