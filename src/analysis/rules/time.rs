//! Analysis stage, plan rules of time and structure: phase starts that do
//! not exist or happen twice in their zone (DST), and cycles of critical
//! integrations.

use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::analysis::rules::{Ctx, On};
use crate::base::time::{moment, resolve_local};
use crate::base::{Finding, Rule, Subject};
use crate::model::DateTime;

/// Phase starts of change `on` written as local times, with their index.
fn local_starts<'a>(on: &'a On) -> impl Iterator<Item = (usize, jiff::civil::DateTime)> + 'a {
    on.change
        .phases
        .iter()
        .enumerate()
        .filter_map(|(p, phase)| match phase.start.value {
            DateTime::Local(local) => Some((p, local)),
            DateTime::Offset(_) => None,
        })
}

fn zone_name(tz: &TimeZone) -> &str {
    tz.iana_name().unwrap_or("its zone")
}

/// `nonexistent-local-time`: a phase of an active change starts at a local
/// time that a DST gap skips in its zone; it would start later by the gap.
pub fn nonexistent_local_time(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let tz = &on.facts.tz;
        for (p, local) in local_starts(on) {
            let AmbiguousOffset::Gap { before, after } = tz.to_ambiguous_timestamp(local).offset()
            else {
                continue;
            };
            let moved = resolve_local(tz, local);
            findings.push(
                on.phase_finding(
                    p,
                    Rule::NonexistentLocalTime,
                    format!(
                        "phase \"{}\" starts at {local}, which does not exist in {}: clocks jump from {before} to {after} there; it would start at {}",
                        on.change.phases[p].name,
                        zone_name(tz),
                        moment(&moved)
                    ),
                )
                .help("pick a start outside the DST gap, or write it with an offset (2026-03-29T03:30:00+02:00)"),
            );
        }
    });
}

/// `ambiguous-local-time`: a phase of an active change starts at a local
/// time that happens twice in its zone (DST fold); the earlier is used.
pub fn ambiguous_local_time(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |on, findings| {
        let tz = &on.facts.tz;
        for (p, local) in local_starts(on) {
            let AmbiguousOffset::Fold { before, after } = tz.to_ambiguous_timestamp(local).offset()
            else {
                continue;
            };
            let earlier = resolve_local(tz, local);
            findings.push(
                on.phase_finding(
                    p,
                    Rule::AmbiguousLocalTime,
                    format!(
                        "phase \"{}\" starts at {local}, which happens twice in {} (offsets {before} and {after}); the earlier one is used: {}",
                        on.change.phases[p].name,
                        zone_name(tz),
                        moment(&earlier)
                    ),
                )
                .help("write the start with an offset (such as 2026-11-01T01:30:00-04:00) to say which one you mean"),
            );
        }
    });
}

/// `integration-cycle`: each cycle of critical integrations, found with
/// Tarjan's strongly connected components (petgraph), reported once, at
/// the integration that closes it, naming its systems in order.
pub fn integration_cycle(cx: &Ctx, findings: &mut Vec<Finding>) {
    let model = cx.model;
    let graph = crate::analysis::impact::critical_graph(model);
    // consumer -> (integration, provider), in integration order.
    let mut providers = vec![Vec::new(); model.systems.len()];
    for (ix, integration) in model.integrations.iter().enumerate() {
        if integration.critical {
            providers[integration.consumer.ix].push((ix, integration.provider.ix));
        }
    }
    for list in &mut providers {
        list.sort_by(|a, b| {
            model.integrations[a.0]
                .id
                .value
                .cmp(&model.integrations[b.0].id.value)
        });
    }
    // Where each system stands in the walk below, so closing a cycle is one
    // look-up, not a scan of the walk (quadratic on a long cycle).
    let mut position: Vec<Option<usize>> = vec![None; model.systems.len()];
    // Kosaraju's is iterative in petgraph; its Tarjan recurses, and a chain
    // of 20,000 critical integrations overflowed the stack.
    for component in petgraph::algo::kosaraju_scc(&graph) {
        let members: std::collections::BTreeSet<usize> =
            component.iter().map(|n| graph[*n]).collect();
        let self_loop =
            component.len() == 1 && graph.find_edge(component[0], component[0]).is_some();
        if component.len() < 2 && !self_loop {
            continue;
        }
        // Walk from the member with the smallest id along edges inside the
        // component (by integration id) until a system repeats: that closes
        // a cycle. Ids, not file order, decide, so the layout of the
        // inventory's files does not change the finding.
        let Some(start) = members
            .iter()
            .copied()
            .min_by(|&a, &b| model.systems[a].id.value.cmp(&model.systems[b].id.value))
        else {
            continue;
        };
        let mut order = vec![start];
        position[start] = Some(0);
        let mut edges = Vec::new();
        let mut at = start;
        loop {
            let next = providers[at]
                .iter()
                .copied()
                .find(|(_, provider)| members.contains(provider));
            let Some((edge, provider)) = next else { break };
            edges.push(edge);
            if let Some(pos) = position[provider] {
                order.drain(..pos);
                edges.drain(..pos);
                order.push(provider);
                break;
            }
            position[provider] = Some(order.len());
            order.push(provider);
            at = provider;
        }
        for &s in &order {
            position[s] = None;
        }
        // Rotate the cycle to start at its smallest id.
        order.pop();
        if let Some(first) = (0..order.len()).min_by(|&a, &b| {
            model.systems[order[a]]
                .id
                .value
                .cmp(&model.systems[order[b]].id.value)
        }) {
            order.rotate_left(first);
            edges.rotate_left(first);
        }
        order.push(order[0]);
        let names: Vec<&str> = order
            .iter()
            .map(|&s| model.systems[s].id.value.as_str())
            .collect();
        let Some(&closing) = edges.last() else {
            continue;
        };
        let integration = &model.integrations[closing];
        let mut finding = Finding::new(
            Rule::IntegrationCycle,
            integration.id.loc.clone(),
            format!("critical integrations form a cycle: {}", names.join(" -> ")),
        )
        .help("a cycle means a failure anywhere in it takes down all of it; make one of these integrations `critical = false` if the consumer survives an outage, or break the dependency");
        for &edge in &edges {
            finding = finding
                .subject(model.integrations[edge].id.value.clone())
                .about(Subject::Integration(edge));
        }
        order.pop();
        finding = finding.about_all(order.iter().map(|&s| Subject::System(s)));
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, phase, run};

    fn berlin(start: &str) -> String {
        change(
            "c",
            "timezone = \"Europe/Berlin\"",
            &phase("p", start, "1h", ""),
        )
    }

    #[test]
    fn nonexistent_local_time_fires_in_the_gap() {
        let found = run(&berlin("2026-03-29T02:30:00"), nonexistent_local_time);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("does not exist in Europe/Berlin"));
        assert!(found[0].is_about(Subject::Phase {
            change: 0,
            phase: 0
        }));
    }

    #[test]
    fn nonexistent_local_time_near_miss_after_the_gap() {
        assert!(run(&berlin("2026-03-29T03:00:00"), nonexistent_local_time).is_empty());
        // An offset says which instant is meant.
        assert!(run(&berlin("2026-03-29T02:30:00+01:00"), nonexistent_local_time).is_empty());
    }

    #[test]
    fn ambiguous_local_time_fires_in_the_fold() {
        let found = run(&berlin("2026-10-25T02:30:00"), ambiguous_local_time);
        assert_eq!(found.len(), 1);
        assert!(messages(&found)[0].contains("happens twice in Europe/Berlin"));
    }

    #[test]
    fn ambiguous_local_time_near_miss_after_the_fold() {
        assert!(run(&berlin("2026-10-25T03:00:00"), ambiguous_local_time).is_empty());
        // Inactive changes are not checked.
        let cancelled = change(
            "c",
            "timezone = \"Europe/Berlin\"\nstatus = \"cancelled\"",
            &phase("p", "2026-10-25T02:30:00", "1h", ""),
        );
        assert!(run(&cancelled, ambiguous_local_time).is_empty());
    }

    const BACK: &str = "[[integration]]\nid = \"db-app\"\nconsumer = \"db\"\nprovider = \"app\"\n";

    #[test]
    fn integration_cycle_fires_on_a_critical_loop() {
        let found = run(BACK, integration_cycle);
        assert_eq!(
            messages(&found),
            ["critical integrations form a cycle: app -> db -> app"]
        );
        assert!(found[0].is_about(Subject::Integration(1)));
    }

    #[test]
    fn integration_cycle_near_miss_when_one_edge_is_not_critical() {
        let soft = format!("{BACK}critical = false\n");
        assert!(run(&soft, integration_cycle).is_empty());
    }
}
