//! Analysis stage, risk rules of the changed systems: their health, its
//! freshness, legacy modules and incidents on record.

use crate::analysis::rules::{Ctx, listed_all, too_old};
use crate::base::{Finding, Level, Rule, Subject};
use crate::model::HealthStatus;

/// `unhealthy-system`: a changed system's health is degraded, down (an
/// error) or unknown.
pub fn unhealthy_system(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        for &s in &cx.facts.changed {
            let system = &cx.model.systems[s];
            let Some(health) = &system.health else {
                continue;
            };
            let (level, what) = match health.status.value {
                HealthStatus::Healthy => continue,
                HealthStatus::Down => (Level::Error, "down"),
                HealthStatus::Degraded => (Level::Warning, "degraded"),
                HealthStatus::Unknown => (Level::Warning, "of unknown health"),
            };
            let notes = health
                .notes
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            findings.push(
                cx.finding(
                    Rule::UnhealthySystem,
                    health.status.loc.clone(),
                    format!("`{}` changes `{}`, which is {what}{notes}", cx.id(), system.id.value),
                )
                .level(level)
                .subject(system.id.value.clone())
                .about(Subject::System(s))
                .help("make the system healthy before changing it, so a problem can be told apart from its existing trouble"),
            );
        }
    });
}

/// `stale-health`: a changed system has no health check on record, or one
/// older than `policy.health_max_age` before the first phase.
pub fn stale_health(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let max_age = cx.model.config.policy.health_max_age;
        let Some(first) = cx.first_start() else {
            return;
        };
        for &s in &cx.facts.changed {
            let system = &cx.model.systems[s];
            let stale = match system.health.as_ref().and_then(|h| h.checked.as_ref()) {
                None => Some((
                    system
                        .health
                        .as_ref()
                        .map_or(system.loc.clone(), |h| h.loc.clone()),
                    format!("`{}` has no health check on record", system.id.value),
                )),
                Some(checked) if too_old(checked.value, max_age, first) => Some((
                    checked.loc.clone(),
                    format!(
                        "the health of `{}` was last checked {}, more than {max_age} before the first phase of `{}`",
                        system.id.value,
                        checked.value,
                        cx.id()
                    ),
                )),
                Some(_) => None,
            };
            if let Some((loc, message)) = stale {
                findings.push(
                    cx.finding(Rule::StaleHealth, loc, message)
                        .subject(system.id.value.clone())
                        .about(Subject::System(s))
                        .help("check the system's health (errors, capacity, pending alerts) shortly before the change and record the date in `health.checked`"),
                );
            }
        }
    });
}

/// `legacy-system`: a changed system has legacy modules.
pub fn legacy_system(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        for &s in &cx.facts.changed {
            let system = &cx.model.systems[s];
            if let Some(loc) = &system.legacy {
                findings.push(
                    cx.finding(Rule::LegacySystem, loc.clone(), format!("`{}` changes `{}`, which has legacy modules", cx.id(), system.id.value))
                        .subject(system.id.value.clone())
                        .about(Subject::System(s))
                        .help("check the legacy modules' compatibility explicitly and keep their experts on call"),
                );
            }
        }
    });
}

/// `repeat-failure`: an incident is recorded on a changed system (other
/// than one caused by this very change).
pub fn repeat_failure(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let mut seen: Vec<usize> = cx
            .facts
            .changed
            .iter()
            .flat_map(|&s| cx.incidents_of[s].iter().copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for (i, incident) in seen.into_iter().map(|i| (i, &cx.model.incidents[i])) {
            if incident.change.as_ref().is_some_and(|c| c.ix == cx.ix) {
                continue;
            }
            let hit: Vec<&str> = incident
                .systems
                .iter()
                .filter(|s| cx.facts.changed.binary_search(&s.ix).is_ok())
                .map(|s| s.id.value.as_str())
                .collect();
            let hit_systems = incident
                .systems
                .iter()
                .filter(|s| cx.facts.changed.binary_search(&s.ix).is_ok())
                .map(|s| Subject::System(s.ix));
            if hit.is_empty() {
                continue;
            }
            let mut finding = cx
                .finding(
                    Rule::RepeatFailure,
                    incident.id.loc.clone(),
                    format!("`{}` changes {}, where incident `{}` happened on {}: {}", cx.id(), listed_all(&hit), incident.id.value, incident.date.value, incident.summary),
                )
                .subject(incident.id.value.clone())
                .about(Subject::Incident(i))
                .help("read the incident's lesson and show in the plan how this change avoids repeating it");
            finding = finding.subjects(hit).about_all(hit_systems);
            findings.push(finding);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, run};

    fn with(system: &str) -> String {
        format!(
            "[[system]]\nid = \"x\"\nname = \"X\"\nowner = \"t\"\ncriticality = \"low\"\n{system}\n{}",
            change("c", "systems = [\"x\"]", "")
        )
    }

    #[test]
    fn unhealthy_system_fires_on_a_system_that_is_down() {
        let found = run(
            &with("[system.health]\nstatus = \"down\"\nnotes = \"disk full\""),
            unhealthy_system,
        );
        assert_eq!(
            messages(&found),
            ["`c` changes `x`, which is down (disk full)"]
        );
        assert_eq!(found[0].level, Level::Error);
        assert!(found[0].is_about(Subject::System(3)));
    }

    #[test]
    fn unhealthy_system_near_miss_when_healthy() {
        assert!(
            run(
                &with("[system.health]\nstatus = \"healthy\""),
                unhealthy_system
            )
            .is_empty()
        );
    }

    #[test]
    fn stale_health_fires_without_a_recent_check() {
        assert_eq!(
            messages(&run(&with(""), stale_health)),
            ["`x` has no health check on record"]
        );
        let old = with("[system.health]\nstatus = \"healthy\"\nchecked = 2026-11-05");
        assert!(messages(&run(&old, stale_health))[0].contains("last checked 2026-11-05"));
    }

    #[test]
    fn stale_health_near_miss_checked_within_the_policy() {
        let fresh = with("[system.health]\nstatus = \"healthy\"\nchecked = 2026-11-06");
        assert!(run(&fresh, stale_health).is_empty());
    }

    #[test]
    fn legacy_system_fires_on_legacy_modules() {
        assert_eq!(
            messages(&run(&with("legacy = true"), legacy_system)),
            ["`c` changes `x`, which has legacy modules"]
        );
    }

    #[test]
    fn legacy_system_near_miss_without_them() {
        assert!(run(&with("legacy = false"), legacy_system).is_empty());
    }

    fn incident(systems: &str, change: &str) -> String {
        format!(
            "[[incident]]\nid = \"INC-1\"\ndate = 2026-10-01\nsystems = [{systems}]\nsummary = \"it broke\"\n{change}\n{}",
            super::super::test_support::change("c", "", "")
        )
    }

    #[test]
    fn repeat_failure_fires_on_an_incident_of_a_changed_system() {
        let found = run(&incident("\"app\"", ""), repeat_failure);
        assert_eq!(
            messages(&found),
            ["`c` changes `app`, where incident `INC-1` happened on 2026-10-01: it broke"]
        );
        assert!(found[0].is_about(Subject::Incident(0)));
    }

    #[test]
    fn repeat_failure_near_miss_elsewhere_or_caused_by_this_change() {
        assert!(run(&incident("\"web\"", ""), repeat_failure).is_empty());
        assert!(run(&incident("\"app\"", "change = \"c\""), repeat_failure).is_empty());
    }
}
