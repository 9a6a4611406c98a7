//! Answers: a rule's finding on the asked phase, with what an answer shows
//! beside it: the period, batch run or change it concerns, that one's
//! occurrence (from the calendar the rule used), the systems, and for
//! impact-based findings the dependency path from a changed system to the
//! one concerned ("`erp` is frozen; your change impacts it via sso → erp").

use jiff::tz::TimeZone;

use crate::analysis::probe::Probe;
use crate::analysis::{ChangeFacts, Impact};
use crate::base::time::Interval;
use crate::base::{Finding, Rule, Subject};
use crate::model::Model;
use crate::schedule::occurrences;

/// How many impacted systems an answer names with their paths.
const PATHS: usize = 10;

/// An occurrence of a period or run, or a phase of another change, with
/// the zone it is read in.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// When it is, in seconds since the Unix epoch (UTC), end excluded.
    pub interval: Interval,
    /// The zone it is shown in: the period's, run's or change's own.
    pub tz: TimeZone,
}

/// A dependency path: `chain` goes from a changed system to `system`
/// through critical integrations; `text` says what it means.
#[derive(Debug, Clone)]
pub struct Path {
    /// The impacted system.
    pub system: usize,
    /// Systems from the changed one to `system`: the whole path when it has
    /// at most [`HOPS`] steps, else the changed system and the last
    /// [`HOPS`] systems before `system` (inclusive).
    pub chain: Vec<usize>,
    /// Steps of the whole path (one less than its systems).
    pub hops: usize,
    /// The sentence naming the path.
    pub text: String,
}

/// Steps of a dependency path shown whole; a longer one is shown as its
/// changed system, the number of steps left out and its last steps, so an
/// answer stays bounded whatever the depth of the graph.
pub const HOPS: usize = 9;

/// One finding on the asked phase and what explains it.
#[derive(Debug, Clone)]
pub struct Reason {
    /// The finding of the rule on the asked phase, at its `[rules]` level.
    pub finding: Finding,
    /// The window, freeze or peak it is about.
    pub period: Option<usize>,
    /// The integration whose batch run it overlaps.
    pub integration: Option<usize>,
    /// The other change it meets.
    pub other: Option<usize>,
    /// When that period, run or change is (one or more).
    pub occurrences: Vec<Occurrence>,
    /// The systems it names.
    pub systems: Vec<usize>,
    /// Why impacted systems it names are impacted.
    pub paths: Vec<Path>,
    /// How many impacted systems have a path not listed.
    pub more_paths: usize,
}

/// Explains `finding` on phase `phase` (at `interval`) of the probed change.
pub fn explain(probe: &Probe, finding: Finding, interval: Interval) -> Reason {
    let model = probe.model();
    let cal = probe.calendar();
    let mine = probe.change();
    let ix = probe.ix();
    let mut period = None;
    let mut integration = None;
    let mut other = None;
    let mut systems = Vec::new();
    for subject in finding.subject_refs() {
        match subject {
            Subject::Period(w) if period.is_none() => period = Some(w),
            Subject::Integration(i) if integration.is_none() => integration = Some(i),
            Subject::Change(c) if c != ix && other.is_none() => other = Some(c),
            Subject::System(s) => systems.push(s),
            _ => {}
        }
    }
    if let (Rule::FreezeConflict | Rule::PeakOverlap, Some(w)) = (finding.rule, period) {
        // The finding names the first few; the rule's whole list is the
        // impact within the period's scope.
        systems = mine.impact.among(cal.scope(w)).collect();
    }
    systems.sort_by(|&a, &b| model.systems[a].id.value.cmp(&model.systems[b].id.value));
    systems.dedup();
    let mut occurrences = Vec::new();
    match (finding.rule, period, integration, other) {
        (Rule::FreezeConflict | Rule::PeakOverlap, Some(w), _, _) => {
            occurrences.extend(cal.overlapping(w, interval).last().map(|o| Occurrence {
                interval: *o,
                tz: cal.zone(w).clone(),
            }));
        }
        (Rule::RollbackExceedsWindow, Some(w), _, _) => {
            occurrences.extend(occurrences::holding(cal.occurrences(w), interval).map(|o| {
                Occurrence {
                    interval: o,
                    tz: cal.zone(w).clone(),
                }
            }));
        }
        (Rule::OutsideWindow, _, _, _) => {
            // The occurrences the phase sticks out of.
            let mut windows: Vec<usize> = finding
                .subject_refs()
                .filter_map(|s| match s {
                    Subject::Period(w) => Some(w),
                    _ => None,
                })
                .collect();
            windows.dedup();
            for w in windows {
                for o in cal.overlapping(w, interval) {
                    occurrences.push(Occurrence {
                        interval: *o,
                        tz: cal.zone(w).clone(),
                    });
                }
            }
            occurrences.sort_by_key(|o| o.interval);
        }
        (Rule::BatchRunOverlap, _, Some(i), _) => {
            let site = &model.config.site.timezone.tz;
            let found = cal.runs(i).iter().enumerate().find_map(|(r, list)| {
                occurrences::overlapping(list, interval)
                    .last()
                    .map(|o| (r, *o))
            });
            if let Some((r, o)) = found {
                let tz = model.integrations[i].runs[r]
                    .timezone
                    .as_ref()
                    .map_or(site, |z| &z.value.tz);
                occurrences.push(Occurrence {
                    interval: o,
                    tz: tz.clone(),
                });
            }
        }
        (_, _, _, Some(c)) => {
            for slot in probe.others_overlapping(interval) {
                if slot.change == c {
                    occurrences.push(Occurrence {
                        interval: slot.interval,
                        tz: mine.tz.clone(),
                    });
                }
            }
        }
        _ => {}
    }
    let (paths, more_paths) = paths(model, probe, &finding, &systems, other);
    Reason {
        finding,
        period,
        integration,
        other,
        occurrences,
        systems,
        paths,
        more_paths,
    }
}

/// The systems from the changed one to `system` (inclusive), bounded as
/// [`Path::chain`] says, and the steps of the whole path.
fn chain(impact: &Impact, system: usize) -> (Vec<usize>, usize) {
    let Some(first) = impact.step(system) else {
        return (vec![system], 0);
    };
    let mut chain = vec![system];
    chain.extend(
        impact
            .path_head(system, HOPS)
            .into_iter()
            .map(|(_, provider)| provider),
    );
    if first.hops > HOPS {
        chain.push(first.changed);
    }
    chain.reverse();
    (chain, first.hops)
}

/// `sso → erp`, or `a → … 99,990 more … → y → z` for a path longer than
/// [`HOPS`] steps.
fn arrowed(model: &Model, chain: &[usize], hops: usize) -> String {
    let id = |s: &usize| model.systems[*s].id.value.as_str();
    if hops + 1 == chain.len() || chain.len() < 2 {
        return chain.iter().map(id).collect::<Vec<_>>().join(" → ");
    }
    let rest: Vec<&str> = chain[1..].iter().map(id).collect();
    format!(
        "{} → … {} more … → {}",
        id(&chain[0]),
        hops + 1 - chain.len(),
        rest.join(" → ")
    )
}

/// Paths for the impacted (not changed) systems an impact-based finding
/// names: freezes and peaks on systems the change impacts, blast radii
/// that meet.
fn paths(
    model: &Model,
    probe: &Probe,
    finding: &Finding,
    systems: &[usize],
    other: Option<usize>,
) -> (Vec<Path>, usize) {
    let mine: &ChangeFacts = probe.change();
    let id = |s: usize| model.systems[s].id.value.as_str();
    let mut out = Vec::new();
    match finding.rule {
        Rule::FreezeConflict | Rule::PeakOverlap => {
            let what = if finding.rule == Rule::FreezeConflict {
                "is frozen"
            } else {
                "is at a peak"
            };
            for &s in systems {
                if mine.changed.binary_search(&s).is_ok() {
                    continue;
                }
                let (chain, hops) = chain(&mine.impact, s);
                out.push(Path {
                    system: s,
                    text: format!(
                        "`{}` {what}; your change impacts it via {}",
                        id(s),
                        arrowed(model, &chain, hops)
                    ),
                    chain,
                    hops,
                });
            }
        }
        Rule::BlastRadiusOverlap => {
            let Some(c) = other else {
                return (out, 0);
            };
            let theirs = &probe.facts().changes[c];
            let other_id = &model.changes[c].id.value;
            for &s in systems {
                // Theirs changes s and mine impacts it, or the other way.
                if theirs.changed.binary_search(&s).is_ok() && mine.impact.contains(s) {
                    let (chain, hops) = chain(&mine.impact, s);
                    out.push(Path {
                        system: s,
                        text: format!(
                            "`{other_id}` changes `{}`; your change impacts it via {}",
                            id(s),
                            arrowed(model, &chain, hops)
                        ),
                        chain,
                        hops,
                    });
                } else if theirs.impact.contains(s) {
                    let (chain, hops) = chain(&theirs.impact, s);
                    out.push(Path {
                        system: s,
                        text: format!(
                            "your change changes `{}`; `{other_id}` impacts it via {}",
                            id(s),
                            arrowed(model, &chain, hops)
                        ),
                        chain,
                        hops,
                    });
                }
            }
        }
        _ => {}
    }
    // Nearest first, then by id.
    out.sort_by(|a, b| {
        (a.hops, &model.systems[a.system].id.value)
            .cmp(&(b.hops, &model.systems[b.system].id.value))
    });
    let more = out.len().saturating_sub(PATHS);
    out.truncate(PATHS);
    (out, more)
}
