//! Analysis stage, schedule rules of periods and runs: phases during a
//! freeze or a peak that applies to what the change impacts, and phases
//! during a batch run of an integration they touch.

use crate::analysis::rules::{Ctx, On, listed, phase_finding, phase_label};
use crate::base::time::{Interval, span_text};
use crate::base::{Finding, Level, Rule, Subject};
use jiff::ToSpan;
use jiff::civil::Date;

use crate::analysis::calendar::period_zone;
use crate::model::{PeriodKind, When};

/// `freeze-conflict`: a phase overlaps an occurrence of a freeze that
/// applies to an impacted system of the change (a soft freeze is a
/// warning).
pub fn freeze_conflict(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        period_overlap(cx, on, PeriodKind::Freeze, findings)
    });
}

/// `peak-overlap`: a phase overlaps an occurrence of a peak that applies
/// to an impacted system of the change.
pub fn peak_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        period_overlap(cx, on, PeriodKind::Peak, findings)
    });
}

/// Seconds in a bucket of [`PeriodDays`].
const DAY: i64 = 86_400;

/// Occurrences longer than this many buckets put their period on every
/// phase's list instead of in each bucket.
const LONG: i64 = 400;

/// Freezes and peaks by the days their occurrences touch (UTC days of the
/// epoch), so a phase meets only the periods of its own days instead of
/// every period of the inventory (built once per check).
pub struct PeriodDays {
    days: std::collections::HashMap<i64, Vec<usize>>,
    /// Periods with an occurrence longer than [`LONG`] days.
    always: Vec<usize>,
}

fn days_of(span: crate::base::time::Interval) -> std::ops::RangeInclusive<i64> {
    span.start.div_euclid(DAY)..=(span.end - 1).div_euclid(DAY)
}

impl PeriodDays {
    /// The index of every freeze and peak of `calendar`.
    pub fn new(model: &crate::model::Model, calendar: &crate::analysis::Calendar) -> PeriodDays {
        let mut index = PeriodDays {
            days: Default::default(),
            always: Vec::new(),
        };
        for (w, period) in model.periods.iter().enumerate() {
            if period.kind == PeriodKind::Window {
                continue;
            }
            for &occurrence in calendar.occurrences(w) {
                if occurrence.start >= occurrence.end {
                    continue;
                }
                let days = days_of(occurrence);
                if days.end() - days.start() > LONG {
                    index.always.push(w);
                    break;
                }
                for day in days {
                    let list = index.days.entry(day).or_default();
                    if list.last() != Some(&w) {
                        list.push(w);
                    }
                }
            }
        }
        index
    }

    /// Periods that may overlap one of `spans`, sorted, without repeats.
    fn candidates(&self, spans: impl Iterator<Item = crate::base::time::Interval>) -> Vec<usize> {
        let mut out = self.always.clone();
        for span in spans.filter(|s| s.start < s.end) {
            for day in days_of(span) {
                if let Some(list) = self.days.get(&day) {
                    out.extend_from_slice(list);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The phases of `on` that overlap a period of `kind` (freeze or peak).
/// Periods come from [`PeriodDays`], scopes are tested on the impacted
/// systems only: the time per change follows its phases and its impact,
/// not the number of periods times the number of systems.
fn period_overlap(cx: &Ctx, on: &On, kind: PeriodKind, findings: &mut Vec<Finding>) {
    let (model, calendar, ix, f) = (on.model, cx.calendar(), on.ix, on.facts);
    let rule = match kind {
        PeriodKind::Freeze => Rule::FreezeConflict,
        _ => Rule::PeakOverlap,
    };
    let names = |scope: Option<&fixedbitset::FixedBitSet>| {
        let (named, more) = cx.some_impacted(&f.impact, scope);
        let ids: Vec<String> = named
            .iter()
            .map(|&s| model.systems[s].id.value.clone())
            .collect();
        (named, more, ids)
    };
    let mut whole: Option<(Vec<usize>, usize, Vec<String>)> = None;
    let candidates = cx
        .period_days
        .candidates(f.phases.iter().map(|p| p.interval));
    for w in candidates {
        let period = &model.periods[w];
        if period.kind != kind {
            continue;
        }
        let hits: Vec<(usize, Interval)> = f
            .phases
            .iter()
            .enumerate()
            .filter_map(|(p, phase)| {
                let occurrence = calendar.overlapping(w, phase.interval).last().copied();
                occurrence.map(|o| (p, o))
            })
            .collect();
        if hits.is_empty() {
            continue;
        }
        // The finding is about the systems it names: a freeze on a large
        // impact would otherwise hold the impact once per finding (the
        // whole list is the impact within the period's scope, which
        // `gate` derives again when it explains the finding). The names
        // of a period over every system are the impact's, built once per
        // change.
        let scope = calendar.scope(w);
        let local;
        let (named, more, ids) = if scope.is_full() {
            &*whole.get_or_insert_with(|| names(None))
        } else {
            local = names(Some(scope));
            &local
        };
        if named.is_empty() {
            continue;
        }
        for (p, occurrence) in hits {
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
                    span_text(occurrence, calendar.zone(w)),
                    listed(ids, *more)
                ),
            )
            .subject(period.id.value.clone())
            .about(Subject::Period(w))
            .about_all(named.iter().map(|&s| Subject::System(s)));
            if rule == Rule::FreezeConflict && !period.hard {
                finding = finding.level(Level::Warning);
            }
            finding = finding.help(if rule == Rule::FreezeConflict {
                "move the phase out of the freeze; changes during a freeze need an exception approved outside this plan"
            } else {
                "move the phase out of peak hours, when fewer users would notice a problem"
            });
            finding = finding.subjects(ids.clone());
            findings.push(finding);
        }
    }
}

/// `batch-run-overlap`: a phase overlaps a run of an integration that has a
/// changed system of that phase at either end.
pub fn batch_run_overlap(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, calendar, ix, f) = (on.model, cx.calendar(), on.ix, on.facts);
        for (p, phase) in f.phases.iter().enumerate() {
            let mut integrations: Vec<usize> = phase
                .systems
                .iter()
                .flat_map(|&s| calendar.runs_of(s).iter().copied())
                .collect();
            integrations.sort_unstable();
            integrations.dedup();
            for i in integrations {
                // The first run (in written order) that overlaps, if any.
                let Some((r, run)) =
                    calendar
                        .runs(i)
                        .iter()
                        .enumerate()
                        .find_map(|(r, occurrences)| {
                            crate::schedule::occurrences::overlapping(occurrences, phase.interval)
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
                    .about(Subject::Integration(i))
                    .help("move the phase clear of the batch run, or pause the run for the change and say so in the steps"),
                );
            }
        }
    });
}

/// Years before and after the as-of date in which a recurrence must occur
/// at least once: four, so that a rule for February 29 is not reported.
pub const HORIZON_YEARS: i16 = 4;

/// `empty-period`: fires on a recurring period with no occurrence from four
/// years before the as-of date (or its `from`, if earlier) to four years
/// after it, within its own `from` and `until`: a freeze on February 30
/// (`FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`) protects nothing, and a window
/// that never opens hides every change from `outside-window`'s reason.
/// One-off periods in the past are history, not reported. The search
/// stops at the first occurrence, a year of dates at a time.
pub fn empty_period(cx: &Ctx, findings: &mut Vec<Finding>) {
    let (model, as_of) = (cx.model, cx.as_of);
    let years = i64::from(HORIZON_YEARS).years();
    let (Ok(before), Ok(after)) = (as_of.checked_sub(years), as_of.checked_add(years)) else {
        return;
    };
    for (w, period) in model.periods.iter().enumerate() {
        let When::Recurring(recurrence) = &period.when else {
            continue;
        };
        let tz = period_zone(model, period);
        let dtstart = recurrence.from.as_ref().map(|f| f.value);
        let first = dtstart.map_or(before, |from| from.min(before));
        let mut last = after;
        if let Some(until) = &recurrence.until {
            last = last.min(until.value);
        }
        let rule = &recurrence.rrule.value;
        let mut lo = first;
        let mut occurs = false;
        while lo <= last && !occurs {
            let hi = lo.checked_add(366.days()).unwrap_or(Date::MAX).min(last);
            occurs = !rule
                .dates(dtstart, recurrence.start.value, tz, lo, hi)
                .is_empty();
            let Ok(next) = hi.checked_add(1.day()) else {
                break;
            };
            lo = next;
        }
        if occurs {
            continue;
        }
        let (kind, effect) = match period.kind {
            PeriodKind::Window => ("window", "allows no change"),
            PeriodKind::Freeze => ("freeze", "protects nothing"),
            PeriodKind::Peak => ("peak", "marks no time"),
        };
        findings.push(
            Finding::new(
                Rule::EmptyPeriod,
                recurrence.rrule.loc.clone(),
                format!(
                    "{kind} `{}` never occurs from {first} to {after}: its recurrence `{rule}` {effect}",
                    period.id.value
                ),
            )
            .subject(period.id.value.clone())
            .about(Subject::Period(w))
            .help("check the RRULE's month and day (February has no 30th, BYDAY and BYMONTHDAY must meet), its COUNT, UNTIL, `from` and `until`; delete the period if it is no longer needed"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, run};

    fn freeze(from: &str, systems: &str) -> String {
        format!(
            "[[freeze]]\nid = \"x\"\nname = \"X\"\nfrom = {from}\nuntil = 2026-12-07T00:00:00\nsystems = [{systems}]\n{}",
            change("c", "", "")
        )
    }

    #[test]
    fn freeze_conflict_fires_on_an_impacted_system() {
        let found = run(&freeze("2026-12-06T00:00:00", "\"app\""), freeze_conflict);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, Level::Error);
        assert!(messages(&found)[0].contains("overlaps hard freeze `x`"));
        assert!(found[0].is_about(Subject::Period(0)));
    }

    #[test]
    fn freeze_conflict_near_miss_after_the_phase_or_elsewhere() {
        // The phase ends at 03:00, as the freeze begins.
        assert!(run(&freeze("2026-12-06T03:00:00", "\"app\""), freeze_conflict).is_empty());
        assert!(run(&freeze("2026-12-06T00:00:00", "\"web\""), freeze_conflict).is_empty());
    }

    fn peak(start: &str) -> String {
        format!(
            "[[peak]]\nid = \"night\"\nname = \"N\"\nrrule = \"FREQ=DAILY\"\nstart = \"{start}\"\nduration = \"1h\"\n{}",
            change("c", "", "")
        )
    }

    #[test]
    fn peak_overlap_fires_during_the_peak() {
        let found = run(&peak("02:30"), peak_overlap);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("overlaps peak `night`"));
        // Peaks are not freezes.
        assert!(run(&peak("02:30"), freeze_conflict).is_empty());
    }

    #[test]
    fn peak_overlap_near_miss_after_the_phase() {
        assert!(run(&peak("03:00"), peak_overlap).is_empty());
    }

    fn batch(start: &str) -> String {
        format!(
            "[[integration]]\nid = \"nightly\"\nconsumer = \"web\"\nprovider = \"app\"\ncritical = false\nruns = {{ rrule = \"FREQ=DAILY\", start = \"{start}\", duration = \"30m\" }}\n{}",
            change("c", "", "")
        )
    }

    #[test]
    fn batch_run_overlap_fires_during_a_run() {
        let found = run(&batch("02:30"), batch_run_overlap);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("overlaps a run of integration `nightly`"));
        assert!(found[0].is_about(Subject::Integration(1)));
    }

    #[test]
    fn batch_run_overlap_near_miss_after_the_phase() {
        assert!(run(&batch("03:00"), batch_run_overlap).is_empty());
    }

    fn empty(periods: &str) -> Vec<Finding> {
        run(periods, empty_period)
    }

    #[test]
    fn empty_period_fires_on_a_freeze_on_february_30() {
        let out = empty(
            "[[freeze]]\nid = \"feb-30\"\nname = \"Never\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"\nstart = \"00:00\"\nduration = \"1d\"\n",
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, Rule::EmptyPeriod);
        assert_eq!(
            out[0].message,
            "freeze `feb-30` never occurs from 2022-11-24 to 2030-11-24: its recurrence `FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30` protects nothing"
        );
        assert_eq!(out[0].subjects, vec!["feb-30".to_string()]);
        assert!(out[0].is_about(Subject::Period(0)));
    }

    #[test]
    fn empty_period_near_miss_an_occurrence_just_inside_the_horizon() {
        let period = |from: &str| {
            format!(
                "[[window]]\nid = \"w\"\nname = \"Once\"\nrrule = \"FREQ=DAILY;COUNT=1\"\nfrom = {from}\nstart = \"02:00\"\nduration = \"1h\"\n"
            )
        };
        assert!(empty(&period("2030-11-24")).is_empty());
        assert_eq!(empty(&period("2030-11-25")).len(), 1);
        // A normal rule, and a leap day.
        assert!(empty("[[peak]]\nid = \"p\"\nname = \"Month end\"\nrrule = \"FREQ=MONTHLY;BYMONTHDAY=-1\"\nstart = \"00:00\"\nduration = \"1d\"\n\n[[freeze]]\nid = \"leap\"\nname = \"Leap day\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\"\nstart = \"00:00\"\nduration = \"1d\"\n").is_empty());
    }
}
