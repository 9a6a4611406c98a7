//! Analysis stage, schedule rules of periods and runs: phases during a
//! freeze or a peak that applies to what the change impacts, and phases
//! during a batch run of an integration they touch.

use crate::analysis::rules::{Ctx, On, listed, phase_finding, phase_label, some_ids};
use crate::base::time::span_text;
use crate::base::{Finding, Level, Rule, Subject};
use crate::model::PeriodKind;

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

/// The phases of `on` that overlap a period of `kind` (freeze or peak).
fn period_overlap(cx: &Ctx, on: &On, kind: PeriodKind, findings: &mut Vec<Finding>) {
    let (model, calendar, ix, f) = (on.model, cx.calendar(), on.ix, on.facts);
    let rule = match kind {
        PeriodKind::Freeze => Rule::FreezeConflict,
        _ => Rule::PeakOverlap,
    };
    for (w, period) in model.periods.iter().enumerate() {
        if period.kind != kind {
            continue;
        }
        if calendar.scope(w).is_disjoint(&f.impact.set) {
            continue;
        }
        for (p, phase) in f.phases.iter().enumerate() {
            let Some(occurrence) = calendar.overlapping(w, phase.interval).last().copied() else {
                continue;
            };
            let (ids, more) = some_ids(model, calendar.scope(w).intersection(&f.impact.set));
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
                    listed(&ids, more)
                ),
            )
            .subject(period.id.value.clone())
            .about(Subject::Period(w))
            .about_all(
                calendar
                    .scope(w)
                    .intersection(&f.impact.set)
                    .map(Subject::System),
            );
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
}
