//! Analysis stage, schedule rules of a change's own timeline: soak time
//! between phases, notice before the first, and a status left behind by
//! the last.

use crate::analysis::rules::{Ctx, phase_finding};
use crate::base::time::{day_start, moment};
use crate::base::{Finding, Rule, Subject};
use crate::model::Status;

/// `short-soak`: the gap between consecutive phases is below
/// `policy.min_soak` (overlapping phases are `phase-overlap` instead);
/// located at the later phase, about both.
pub fn short_soak(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, ix, f) = (on.model, on.ix, on.facts);
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
                        .help(format!("start it at {} or later", moment(&soaked)))
                        .about(Subject::Phase {
                            change: ix,
                            phase: latest,
                        }),
                    );
                }
            }
            if b.interval.end > a.interval.end {
                latest = next;
            }
        }
    });
}

/// `short-notice`: first phase start minus `announced` (else the as-of
/// date) is below `policy.notice`.
pub fn short_notice(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, ix, f, as_of) = (on.model, on.ix, on.facts, cx.as_of);
        let change = &model.changes[ix];
        let notice = model.config.policy.notice;
        let Some(first) = f.first_start() else { return };
        // About the first phase, whose start it measures; located at
        // `announced`, or at the first phase when unannounced.
        let p = f.phase_order()[0];
        let phase = Subject::Phase {
            change: ix,
            phase: p,
        };
        let (announced, loc, said) = match &change.announced {
            Some(a) => (a.value, a.loc.clone(), "announced"),
            None => (
                as_of,
                change.phases[p].start.loc.clone(),
                "not announced yet; as of",
            ),
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
                .about(Subject::Change(ix))
                .about(phase)
                .help(format!(
                    "announce it at least {notice} before the first phase, or move the first phase to {} or later",
                    moment(&earliest)
                )),
            );
        }
    });
}

/// `stale-status`: still approved, scheduled or in progress, but its last
/// phase ended before the as-of instant.
pub fn stale_status(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let (model, ix, f, as_of) = (on.model, on.ix, on.facts, cx.as_of);
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
                .about(Subject::Change(ix))
                .help("record what happened: status \"completed\" or \"rolled-back\" with an [change.outcome], or move the phases"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, phase, run};

    fn soak(second: &str) -> String {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "") + &phase("b", second, "1h", "");
        change("c", "", &phases)
    }

    #[test]
    fn short_soak_fires_on_a_short_gap() {
        let found = run(&soak("2026-12-06T03:30:00"), short_soak);
        assert_eq!(
            messages(&found),
            [
                "phase \"b\" starts 0h30m after phase \"a\" ends; the policy asks for at least 1h to watch the first phase before the next"
            ]
        );
        // Located at the later phase, about both.
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 1
        }));
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 0
        }));
    }

    #[test]
    fn short_soak_near_miss_after_an_hour() {
        assert!(run(&soak("2026-12-06T04:00:00"), short_soak).is_empty());
    }

    #[test]
    fn short_notice_fires_unannounced_or_announced_late() {
        let soon = change("c", "", &phase("p", "2026-11-26T02:00:00", "1h", ""));
        let found = run(&soon, short_notice);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("not announced yet; as of 2026-11-24"));
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 0
        }));
        let late = change("c", "announced = 2026-12-03", "");
        let found = run(&late, short_notice);
        assert!(messages(&found)[0].contains("announced 2026-12-03"));
        // Located at `announced`, but about the first phase it measures
        // (so that a gate on that phase sees it).
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 0
        }));
    }

    #[test]
    fn short_notice_near_miss_five_days_ahead() {
        // Announced five days before the 2026-12-06 02:00 start.
        assert!(run(&change("c", "announced = 2026-12-01", ""), short_notice).is_empty());
    }

    fn past(status: &str) -> String {
        change(
            "c",
            &format!("status = \"{status}\""),
            &phase("p", "2026-11-01T02:00:00", "1h", ""),
        )
    }

    #[test]
    fn stale_status_fires_when_the_last_phase_is_over() {
        let found = run(&past("scheduled"), stale_status);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].starts_with("`c` is still `scheduled`"));
    }

    #[test]
    fn stale_status_near_miss_for_a_proposal_or_a_future_phase() {
        assert!(run(&past("proposed"), stale_status).is_empty());
        assert!(run(&change("c", "status = \"scheduled\"", ""), stale_status).is_empty());
    }
}
