//! Analysis stage, risk rules of rehearsal and rollout: tests before and
//! after, a phased rollout from the least critical users, and
//! compatibility verified with integrations and third-party items.

use crate::analysis::rules::{Ctx, NAMED, listed, listed_all};
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
    let model = cx.model;
    // Integrations joining two distinct systems, as (smaller, larger)
    // index, sorted: a list per system holds each of them twice.
    let mut between: Vec<(usize, usize)> = model
        .integrations
        .iter()
        .map(|i| (i.consumer.ix, i.provider.ix))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    between.sort_unstable();
    // The lists too long to sort for each change, sorted by id once.
    let long = 4 * NAMED;
    let by_id: std::collections::HashMap<usize, Vec<usize>> = cx
        .integrations_of
        .iter()
        .enumerate()
        .filter(|(_, list)| list.len() > long)
        .map(|(s, list)| {
            let mut list = list.clone();
            list.sort_unstable_by(|&a, &b| {
                model.integrations[a]
                    .id
                    .value
                    .cmp(&model.integrations[b].id.value)
            });
            (s, list)
        })
        .collect();
    cx.each_active(findings, |cx, findings| {
        use crate::model::CompatTarget;
        let changed = &cx.facts.changed;
        let mut verified: Vec<usize> = cx
            .change
            .compat
            .iter()
            .filter(|c| c.verified)
            .filter_map(|c| match c.resolved {
                CompatTarget::Integration(i) => Some(i),
                _ => None,
            })
            .collect();
        verified.sort_unstable();
        verified.dedup();
        let is_verified = |i: usize| verified.binary_search(&i).is_ok();
        let touches = |i: usize| {
            let integration = &cx.model.integrations[i];
            changed.binary_search(&integration.consumer.ix).is_ok()
                || changed.binary_search(&integration.provider.ix).is_ok()
        };
        // How many: every changed system's integrations, less those
        // joining two changed systems (listed under both), less the
        // verified ones. A hub's thousands are counted, not listed.
        let entries: usize = changed.iter().map(|&s| cx.integrations_of[s].len()).sum();
        let twice: usize = if changed.len().saturating_mul(changed.len()) <= entries {
            changed
                .iter()
                .enumerate()
                .flat_map(|(at, &a)| changed[at + 1..].iter().map(move |&b| (a, b)))
                .map(|key| {
                    let from = between.partition_point(|&p| p < key);
                    between[from..].partition_point(|&p| p == key)
                })
                .sum()
        } else {
            changed
                .iter()
                .flat_map(|&s| cx.integrations_of[s].iter().map(move |&i| (s, i)))
                .filter(|&(s, i)| {
                    let integration = &cx.model.integrations[i];
                    let other = if integration.consumer.ix == s {
                        integration.provider.ix
                    } else {
                        integration.consumer.ix
                    };
                    other > s && changed.binary_search(&other).is_ok()
                })
                .count()
        };
        let count = entries - twice - verified.iter().filter(|&&i| touches(i)).count();
        if count == 0 {
            return;
        }
        // The first NAMED in an order are among the first NAMED unverified
        // of each changed system's list in that order.
        let unverified = |list: &[usize]| -> Vec<usize> {
            list.iter().copied().filter(|&i| !is_verified(i)).take(NAMED).collect()
        };
        let id = |i: usize| cx.model.integrations[i].id.value.as_str();
        let mut by_index: Vec<usize> = changed
            .iter()
            .flat_map(|&s| unverified(&cx.integrations_of[s]))
            .collect();
        by_index.sort_unstable();
        by_index.dedup();
        by_index.truncate(NAMED);
        let mut first: Vec<usize> = changed
            .iter()
            .flat_map(|&s| match by_id.get(&s) {
                Some(sorted) => unverified(sorted),
                None => cx.integrations_of[s].iter().copied().filter(|&i| !is_verified(i)).collect(),
            })
            .collect();
        first.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        first.dedup();
        first.truncate(NAMED);
        let ids: Vec<&str> = first.iter().map(|&i| id(i)).collect();
        // Point at an unverified compat entry if there is one, else the change.
        let loc = cx
            .change
            .compat
            .iter()
            .find(|c| matches!(c.resolved, CompatTarget::Integration(i) if !is_verified(i) && touches(i)))
            .map_or(cx.change.loc.clone(), |c| c.loc.clone());
        let mut finding = cx
            .finding(
                Rule::UnverifiedIntegration,
                loc,
                format!("`{}` touches integrations not verified as compatible: {}", cx.id(), listed(&ids, count - ids.len())),
            )
            .help("test each integration against the new version and add [[change.compat]] target = \"<integration id>\", verified = true");
        for id in ids {
            finding = finding.subject(id);
        }
        // Typed subjects: the first NAMED by index (`gate` and `slots`
        // explain with the first); a hub's thousands would make the finding
        // grow with the inventory.
        finding = finding.about_all(by_index.into_iter().map(Subject::Integration));
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
    fn unverified_integration_counts_an_integration_between_two_changed_systems_once() {
        // x, y and z all changed: two integrations x-y, one y-z (verified)
        // and one z-x, each listed under both of its systems. With k
        // consumers of x more, the count takes the other way (pairs of
        // changed systems looked up, not every list walked).
        let system = |id: &str| {
            format!(
                "[[system]]\nid = \"{id}\"\nname = \"S\"\nowner = \"t\"\ncriticality = \"low\"\n"
            )
        };
        let integration = |id: &str, consumer: &str, provider: &str| {
            format!(
                "[[integration]]\nid = \"{id}\"\nconsumer = \"{consumer}\"\nprovider = \"{provider}\"\n"
            )
        };
        let compat = "[[change.compat]]\ntarget = \"y-z\"\nverified = true\n";
        let mut text = [system("x"), system("y"), system("z")].concat();
        text.push_str(&integration("x-y-1", "x", "y"));
        text.push_str(&integration("x-y-2", "x", "y"));
        text.push_str(&integration("y-z", "y", "z"));
        text.push_str(&integration("z-x", "z", "x"));
        let plan = change("c", "systems = [\"x\", \"y\", \"z\"]", compat);
        let found = run(&format!("{text}{plan}"), unverified_integration);
        assert_eq!(
            messages(&found),
            ["`c` touches integrations not verified as compatible: `x-y-1`, `x-y-2`, `z-x`"]
        );
        for k in 0..10 {
            text.push_str(&system(&format!("k{k}")));
            text.push_str(&integration(&format!("k{k}-x"), &format!("k{k}"), "x"));
        }
        let found = run(&format!("{text}{plan}"), unverified_integration);
        let named: Vec<String> = (0..10).map(|k| format!("`k{k}-x`")).collect();
        assert_eq!(
            messages(&found),
            [format!(
                "`c` touches integrations not verified as compatible: {} and 3 more",
                named.join(", ")
            )]
        );
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
