//! Analysis stage, risk rules of rehearsal and rollout: tests before and
//! after, a phased rollout from the least critical users, and
//! compatibility verified with integrations and third-party items.

use crate::analysis::rules::{Ctx, NAMED, listed_all};
use crate::base::{Finding, Rule, Subject};
use crate::model::Criticality;

/// `untested-change`: no `testing.environment` or no `testing.pre`.
pub fn untested_change(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let (loc, missing) = match &cx.change.testing {
            None => (cx.change.loc.clone(), "no [change.testing]".to_string()),
            Some(t) => {
                let mut missing = Vec::new();
                if t.environment.is_none() {
                    missing.push("`environment`");
                }
                if t.pre.is_empty() {
                    missing.push("`pre` tests");
                }
                if missing.is_empty() {
                    return;
                }
                (
                    t.loc.clone(),
                    format!("testing without {}", missing.join(" or ")),
                )
            }
        };
        findings.push(
            cx.finding(Rule::UntestedChange, loc, format!("`{}` has {missing}", cx.id()))
                .help("rehearse the change in a controlled environment first: name it in `environment` and list the `pre` checks"),
        );
    });
}

/// `no-post-validation`: no `testing.post`.
pub fn no_post_validation(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let loc = match &cx.change.testing {
            Some(t) if !t.post.is_empty() => return,
            Some(t) => t.loc.clone(),
            None => cx.change.loc.clone(),
        };
        findings.push(
            cx.finding(
                Rule::NoPostValidation,
                loc,
                format!(
                    "`{}` lists no tests to run after the change (`testing.post`)",
                    cx.id()
                ),
            )
            .help("list the checks that prove it worked: `post = [\"place a test order\", ...]`"),
        );
    });
}

/// `big-bang-rollout`: a single phase while a changed system is high or
/// critical.
pub fn big_bang_rollout(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        if cx.change.phases.len() != 1 {
            return;
        }
        let systems: Vec<usize> = cx
            .facts
            .changed
            .iter()
            .copied()
            .filter(|&s| cx.model.systems[s].criticality.value >= Criticality::High)
            .collect();
        let mut critical: Vec<&str> = systems.iter().map(|&s| cx.system_id(s)).collect();
        critical.sort_unstable();
        if critical.is_empty() {
            return;
        }
        let mut finding = cx
            .finding(
                Rule::BigBangRollout,
                cx.change.phases[0].loc.clone(),
                format!("`{}` changes {} in a single phase", cx.id(), listed_all(&critical)),
            )
            .help("roll out in phases, starting with the least critical users, and watch each phase before the next")
            .about_all(systems.into_iter().map(Subject::System));
        finding = finding.subjects(critical);
        findings.push(finding);
    });
}

/// `critical-first`: phases in start order do not go from less to more
/// critical audiences (by the highest criticality of each phase's
/// audiences; phases without audiences are left out).
pub fn critical_first(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let mut highest_so_far: Option<(Criticality, usize)> = None;
        for p in cx.facts.phase_order() {
            let phase = &cx.change.phases[p];
            let Some(level) = phase
                .audiences
                .iter()
                .map(|a| cx.model.audiences[a.ix].criticality.value)
                .max()
            else {
                continue;
            };
            if let Some((before, earlier)) = highest_so_far
                && level < before
            {
                let earlier_phase = &cx.change.phases[earlier];
                findings.push(
                    cx.finding(
                        Rule::CriticalFirst,
                        phase.audiences[0].id.loc.clone(),
                        format!(
                            "phase \"{}\" reaches {} audiences after phase \"{}\" already reached {} ones",
                            phase.name,
                            level.name(),
                            earlier_phase.name,
                            before.name()
                        ),
                    )
                    .about_all(phase.audiences.iter().map(|a| Subject::Audience(a.ix)))
                    .help("order the phases from the least to the most critical users, so problems surface where they hurt least"),
                );
            }
            if highest_so_far.is_none_or(|(before, _)| level > before) {
                highest_so_far = Some((level, p));
            }
        }
    });
}

/// `unverified-integration`: an integration with a changed system at
/// either end has no compat entry with `verified = true`. One finding per
/// change, naming them all.
pub fn unverified_integration(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        use crate::model::CompatTarget;
        let verified = |i: usize| {
            cx.change
                .compat
                .iter()
                .any(|c| c.verified && c.resolved == CompatTarget::Integration(i))
        };
        let mut unverified: Vec<usize> = cx
            .facts
            .changed
            .iter()
            .flat_map(|&s| cx.integrations_of[s].iter().copied())
            .filter(|&ix| !verified(ix))
            .collect();
        unverified.sort_unstable();
        unverified.dedup();
        if unverified.is_empty() {
            return;
        }
        let mut ids: Vec<&str> = unverified
            .iter()
            .map(|&i| cx.model.integrations[i].id.value.as_str())
            .collect();
        // The message names the first NAMED ids and counts the rest: only
        // those are put in order (a hub system has thousands).
        if ids.len() > NAMED {
            ids.select_nth_unstable(NAMED);
            ids[..NAMED].sort_unstable();
        } else {
            ids.sort_unstable();
        }
        // Point at an unverified compat entry if there is one, else the change.
        let loc = cx
            .change
            .compat
            .iter()
            .find(|c| matches!(c.resolved, CompatTarget::Integration(i) if unverified.contains(&i)))
            .map_or(cx.change.loc.clone(), |c| c.loc.clone());
        let mut finding = cx
            .finding(
                Rule::UnverifiedIntegration,
                loc,
                format!("`{}` touches integrations not verified as compatible: {}", cx.id(), listed_all(&ids)),
            )
            .help("test each integration against the new version and add [[change.compat]] target = \"<integration id>\", verified = true");
        for id in ids.into_iter().take(NAMED) {
            finding = finding.subject(id);
        }
        // Typed subjects: the first NAMED by index (`gate` and `slots`
        // explain with the first); a hub's thousands would make the finding
        // grow with the inventory.
        finding = finding.about_all(
            unverified
                .iter()
                .take(NAMED)
                .map(|&i| Subject::Integration(i)),
        );
        findings.push(finding);
    });
}

/// `unverified-third-party`: a `third_party` item of a changed system has
/// no verified compat entry.
pub fn unverified_third_party(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        use crate::model::names_item;
        // A compat entry vouches for an item by name, on every changed system
        // that has it. Systems by id, so the message does not follow file order.
        let mut changed: Vec<usize> = cx.facts.changed.clone();
        changed.sort_by(|&a, &b| cx.system_id(a).cmp(cx.system_id(b)));
        let mut missing = Vec::new();
        for s in changed {
            for name in &cx.model.systems[s].third_party {
                let verified = cx
                    .change
                    .compat
                    .iter()
                    .any(|c| c.verified && names_item(&c.target.value, &name.value));
                if !verified {
                    missing.push((s, name));
                }
            }
        }
        if missing.is_empty() {
            return;
        }
        let names: Vec<String> = missing
            .iter()
            .map(|(s, item)| format!("\"{}\" of {}", item.value, cx.system_id(*s)))
            .collect();
        let mut finding = cx
            .finding(
                Rule::UnverifiedThirdParty,
                cx.change.loc.clone(),
                format!("`{}` does not confirm compatibility with third-party {}", cx.id(), names.join(", ")),
            )
            .help("check each third-party tool or plugin against the new version and add [[change.compat]] target = \"<item>\", verified = true");
        finding = finding.subjects(missing.iter().map(|(_, item)| item.value.clone()));
        let mut systems: Vec<usize> = missing.iter().map(|(s, _)| *s).collect();
        systems.dedup();
        finding = finding.about_all(systems.into_iter().map(Subject::System));
        findings.push(finding);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, phase, run};

    fn testing(keys: &str) -> String {
        change("c", "", &format!("[change.testing]\n{keys}\n"))
    }

    #[test]
    fn untested_change_fires_without_environment_or_pre_tests() {
        assert_eq!(
            messages(&run(&change("c", "", ""), untested_change)),
            ["`c` has no [change.testing]"]
        );
        assert_eq!(
            messages(&run(&testing("pre = [\"smoke\"]"), untested_change)),
            ["`c` has testing without `environment`"]
        );
    }

    #[test]
    fn untested_change_near_miss_with_both() {
        let text = testing("environment = \"staging\"\npre = [\"smoke\"]");
        assert!(run(&text, untested_change).is_empty());
    }

    #[test]
    fn no_post_validation_fires_without_post_tests() {
        let found = run(&testing("pre = [\"smoke\"]"), no_post_validation);
        assert_eq!(
            messages(&found),
            ["`c` lists no tests to run after the change (`testing.post`)"]
        );
    }

    #[test]
    fn no_post_validation_near_miss_with_post_tests() {
        assert!(run(&testing("post = [\"order\"]"), no_post_validation).is_empty());
    }

    const CORE: &str =
        "[[system]]\nid = \"core\"\nname = \"Core\"\nowner = \"t\"\ncriticality = \"high\"\n";

    #[test]
    fn big_bang_rollout_fires_on_one_phase_of_a_high_system() {
        let text = format!("{CORE}{}", change("c", "systems = [\"core\"]", ""));
        let found = run(&text, big_bang_rollout);
        assert_eq!(messages(&found), ["`c` changes `core` in a single phase"]);
        assert!(found[0].is_about(Subject::System(3)));
    }

    #[test]
    fn big_bang_rollout_near_miss_in_two_phases_or_a_low_system() {
        let phases = phase("a", "2026-12-06T02:00:00", "1h", "")
            + &phase("b", "2026-12-06T04:00:00", "1h", "");
        let text = format!("{CORE}{}", change("c", "systems = [\"core\"]", &phases));
        assert!(run(&text, big_bang_rollout).is_empty());
        assert!(run(&change("c", "", ""), big_bang_rollout).is_empty());
    }

    const AUDIENCES: &str = "[[audience]]\nid = \"vip\"\nname = \"VIP\"\ncriticality = \"critical\"\n[[audience]]\nid = \"pilot\"\nname = \"Pilot\"\ncriticality = \"low\"\n";

    fn ordered(first: &str, second: &str) -> String {
        let phases = phase(
            "a",
            "2026-12-06T02:00:00",
            "1h",
            &format!("audiences = [\"{first}\"]"),
        ) + &phase(
            "b",
            "2026-12-06T04:00:00",
            "1h",
            &format!("audiences = [\"{second}\"]"),
        );
        format!("{AUDIENCES}{}", change("c", "", &phases))
    }

    #[test]
    fn critical_first_fires_when_critical_users_come_first() {
        let found = run(&ordered("vip", "pilot"), critical_first);
        assert_eq!(
            messages(&found),
            ["phase \"b\" reaches low audiences after phase \"a\" already reached critical ones"]
        );
        assert!(found[0].is_about(Subject::Audience(1)));
    }

    #[test]
    fn critical_first_near_miss_from_least_to_most_critical() {
        assert!(run(&ordered("pilot", "vip"), critical_first).is_empty());
    }

    #[test]
    fn unverified_integration_fires_without_a_verified_compat() {
        let found = run(&change("c", "", ""), unverified_integration);
        assert_eq!(
            messages(&found),
            ["`c` touches integrations not verified as compatible: `app-db`"]
        );
        assert!(found[0].is_about(Subject::Integration(0)));
    }

    #[test]
    fn unverified_integration_of_a_hub_names_and_keeps_the_first_few() {
        // 25 consumers of `db`, each an integration `db` touches.
        let mut text = String::new();
        for i in 0..25 {
            text.push_str(&format!(
                "[[system]]\nid = \"c{i:02}\"\nname = \"C\"\nowner = \"t\"\ncriticality = \"low\"\n\
                 [[integration]]\nid = \"c{i:02}-db\"\nconsumer = \"c{i:02}\"\nprovider = \"db\"\n"
            ));
        }
        text.push_str(&change("c", "systems = [\"db\"]", ""));
        let found = run(&text, unverified_integration);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.ends_with("and 16 more"),
            "{}",
            found[0].message
        );
        let integrations: Vec<Subject> = found[0]
            .subject_refs()
            .filter(|s| matches!(s, Subject::Integration(_)))
            .collect();
        // The first by index (`app-db`), then the next: NAMED, not all 26.
        assert_eq!(integrations.len(), NAMED);
        assert_eq!(integrations[0], Subject::Integration(0));
    }

    #[test]
    fn unverified_integration_near_miss_when_verified() {
        let compat = "[[change.compat]]\ntarget = \"app-db\"\nverified = true\n";
        assert!(run(&change("c", "", compat), unverified_integration).is_empty());
    }

    const PLUGIN: &str = "[[system]]\nid = \"gw\"\nname = \"GW\"\nowner = \"t\"\ncriticality = \"low\"\nthird_party = [\"pgbouncer 1.21\"]\n";

    #[test]
    fn unverified_third_party_fires_for_an_unconfirmed_item() {
        let text = format!("{PLUGIN}{}", change("c", "systems = [\"gw\"]", ""));
        let found = run(&text, unverified_third_party);
        assert_eq!(
            messages(&found),
            ["`c` does not confirm compatibility with third-party \"pgbouncer 1.21\" of gw"]
        );
    }

    #[test]
    fn unverified_third_party_near_miss_when_confirmed_by_name() {
        let compat = "[[change.compat]]\ntarget = \"pgbouncer\"\nverified = true\n";
        let text = format!("{PLUGIN}{}", change("c", "systems = [\"gw\"]", compat));
        assert!(run(&text, unverified_third_party).is_empty());
    }
}
