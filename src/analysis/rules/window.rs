//! Analysis stage, schedule rules of maintenance windows: phases outside
//! every window of a system they change, and rollbacks that would not fit
//! in the window.

use crate::analysis::rules::{Ctx, listed, phase_finding, phase_label, some_ids};
use crate::base::time::moment;
use crate::base::{Finding, Rule, Subject};

/// `outside-window`: for some changed system of a phase, no occurrence of a
/// window that applies to it contains the whole phase.
pub fn outside_window(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, calendar, ix, f) = (on.model, cx.calendar(), on.ix, on.facts);
        for (p, phase) in f.phases.iter().enumerate() {
            let mut no_window = Vec::new();
            let mut outside = Vec::new();
            for &system in &phase.systems {
                if calendar.windows_of(system).is_empty() {
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
                        calendar
                            .windows_of(s)
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
            let mut windows: Vec<usize> = outside
                .iter()
                .flat_map(|&s| calendar.windows_of(s).iter().copied())
                .collect();
            windows.sort_unstable();
            windows.dedup();
            finding = finding
                .about_all(windows.into_iter().map(Subject::Period))
                .about_all(
                    outside
                        .iter()
                        .chain(&no_window)
                        .map(|&s| Subject::System(s)),
                );
            findings.push(finding);
        }
    });
}

/// `rollback-exceeds-window`: phase end plus `rollback.time` runs past the
/// end of the window occurrence that holds the phase.
pub fn rollback_exceeds_window(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, calendar, ix, f) = (on.model, cx.calendar(), on.ix, on.facts);
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
                    .about(Subject::Period(w))
                    .help(format!("start the phase earlier or shorten it so that {} of rollback still fits in the window", time.value)),
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, phase, run};

    const WINDOW: &str = "[[window]]\nid = \"sunday\"\nname = \"Sunday\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"01:00\"\nduration = \"5h\"\nsystems = [\"app\"]\n";

    fn at(start: &str, tables: &str) -> String {
        format!(
            "{WINDOW}{}",
            change("c", "", &(phase("p", start, "1h", "") + tables))
        )
    }

    #[test]
    fn outside_window_fires_past_the_window_end() {
        let found = run(&at("2026-12-06T05:30:00", ""), outside_window);
        assert_eq!(found.len(), 1);
        assert!(
            messages(&found)[0].contains(
                "no occurrence of its windows (`sunday`) holds the whole phase for `app`"
            )
        );
        assert!(found[0].is_about(Subject::Period(0)));
        // Without any window for the system.
        let found = run(&change("c", "", ""), outside_window);
        assert!(messages(&found)[0].ends_with("no window applies to `app`"));
    }

    #[test]
    fn outside_window_near_miss_inside_the_window() {
        assert!(run(&at("2026-12-06T05:00:00", ""), outside_window).is_empty());
    }

    const ROLLBACK: &str = "[change.rollback]\nsteps = [\"undo\"]\n";

    #[test]
    fn rollback_exceeds_window_fires_when_the_rollback_ends_after_it() {
        let text = at(
            "2026-12-06T02:00:00",
            &format!("{ROLLBACK}time = \"3h1m\"\n"),
        );
        let found = run(&text, rollback_exceeds_window);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("after window `sunday` closes"));
    }

    #[test]
    fn rollback_exceeds_window_near_miss_when_it_just_fits() {
        let text = at("2026-12-06T02:00:00", &format!("{ROLLBACK}time = \"3h\"\n"));
        assert!(run(&text, rollback_exceeds_window).is_empty());
    }
}
