//! Analysis stage: the impact model of inventory.md (blast radius) and
//! `integration-cycle`.
//!
//! A change impacts the systems it changes and every system that reaches
//! one of them through a chain of critical integrations, consumer to
//! provider, at any depth. One breadth-first search per change over the
//! reversed critical edges: O(reached systems + their edges) per change.
//! The search keeps, for each impacted system, the integration and the next
//! system towards the change (a predecessor tree, one entry per system), with
//! the number of hops and the changed system at the end, so the path that
//! makes it impacted can be shown in full or bounded without being stored
//! per system. Nothing here recurses: the depth of a chain of integrations
//! is the inventory's to choose.

use std::collections::BTreeMap;

use fixedbitset::FixedBitSet;

use crate::base::{Finding, Rule};
use crate::model::Model;

/// Who a change impacts, and why.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Impacted systems (changed ones included), sorted by index.
    pub systems: Vec<usize>,
    /// The same, as a set for fast tests.
    pub set: FixedBitSet,
    /// For each impacted but unchanged system: one step towards a changed
    /// system (the predecessor tree of the search).
    pub via: BTreeMap<usize, Step>,
    pub processes: Vec<usize>,
    pub audiences: Vec<usize>,
}

/// One step of an impacted system towards the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The critical integration through which the system is impacted.
    pub integration: usize,
    /// Its provider: the next system towards a changed one.
    pub provider: usize,
    /// Steps from the system to the changed system (1 for a direct consumer).
    pub hops: usize,
    /// The changed system the path ends at.
    pub changed: usize,
}

impl Impact {
    /// The first `limit` steps from `system` towards the changed system that
    /// makes it impacted: (integration, provider) per step, walked no
    /// further (the whole path has [`Step::hops`] steps; pages show a
    /// bounded head of it).
    pub fn path_head(&self, system: usize, limit: usize) -> Vec<(usize, usize)> {
        let mut steps = Vec::new();
        let mut at = system;
        while steps.len() < limit {
            let Some(step) = self.via.get(&at) else { break };
            steps.push((step.integration, step.provider));
            at = step.provider;
            if steps.len() > self.via.len() {
                break;
            }
        }
        steps
    }
}

/// Indexes built once per model and shared by every change's search.
pub struct Graph {
    /// provider -> (consumer, integration) over critical integrations.
    consumers: Vec<Vec<(usize, usize)>>,
    /// system -> processes depending on it.
    processes_of: Vec<Vec<usize>>,
    /// system -> audiences naming it; process -> audiences naming it.
    audiences_of_system: Vec<Vec<usize>>,
    audiences_of_process: Vec<Vec<usize>>,
    audience_count: usize,
    system_count: usize,
    /// System ids, for orders that must not follow the files.
    ids: Vec<String>,
}

impl Graph {
    pub fn new(model: &Model) -> Graph {
        let n = model.systems.len();
        let mut consumers = vec![Vec::new(); n];
        for (ix, integration) in model.integrations.iter().enumerate() {
            if integration.critical {
                consumers[integration.provider.ix].push((integration.consumer.ix, ix));
            }
        }
        // Search order by ids, so the path kept for each impacted system
        // does not depend on file order.
        for list in &mut consumers {
            list.sort_by(|a: &(usize, usize), b: &(usize, usize)| {
                model.integrations[a.1]
                    .id
                    .value
                    .cmp(&model.integrations[b.1].id.value)
            });
        }
        let mut processes_of = vec![Vec::new(); n];
        for (ix, process) in model.processes.iter().enumerate() {
            for system in &process.systems {
                processes_of[system.ix].push(ix);
            }
        }
        let mut audiences_of_system = vec![Vec::new(); n];
        let mut audiences_of_process = vec![Vec::new(); model.processes.len()];
        for (ix, audience) in model.audiences.iter().enumerate() {
            for system in &audience.systems {
                audiences_of_system[system.ix].push(ix);
            }
            for process in &audience.processes {
                audiences_of_process[process.ix].push(ix);
            }
        }
        Graph {
            consumers,
            processes_of,
            audiences_of_system,
            audiences_of_process,
            audience_count: model.audiences.len(),
            system_count: n,
            ids: model.systems.iter().map(|s| s.id.value.clone()).collect(),
        }
    }

    /// The impact of changing `changed` (system indices).
    pub fn impact(&self, changed: &[usize]) -> Impact {
        let mut set = FixedBitSet::with_capacity(self.system_count);
        let mut via = BTreeMap::new();
        // From the changed systems in id order, so the path kept for each
        // impacted system does not depend on file order.
        let mut seeds = changed.to_vec();
        seeds.sort_by(|&a, &b| self.ids[a].cmp(&self.ids[b]));
        let mut queue: std::collections::VecDeque<usize> = seeds.into_iter().collect();
        for &system in changed {
            set.insert(system);
        }
        while let Some(provider) = queue.pop_front() {
            let (hops, changed) = via
                .get(&provider)
                .map_or((0, provider), |step: &Step| (step.hops, step.changed));
            for &(consumer, integration) in &self.consumers[provider] {
                if !set.contains(consumer) {
                    set.insert(consumer);
                    via.insert(
                        consumer,
                        Step {
                            integration,
                            provider,
                            hops: hops + 1,
                            changed,
                        },
                    );
                    queue.push_back(consumer);
                }
            }
        }
        let systems: Vec<usize> = set.ones().collect();
        let mut processes: Vec<usize> = systems
            .iter()
            .flat_map(|&s| self.processes_of[s].iter().copied())
            .collect();
        processes.sort_unstable();
        processes.dedup();
        let mut audiences = FixedBitSet::with_capacity(self.audience_count);
        for &s in &systems {
            audiences.extend(self.audiences_of_system[s].iter().copied());
        }
        for &p in &processes {
            audiences.extend(self.audiences_of_process[p].iter().copied());
        }
        Impact {
            systems,
            set,
            via,
            processes,
            audiences: audiences.ones().collect(),
        }
    }
}

/// `integration-cycle`: each cycle of critical integrations, found with
/// the strongly connected components of petgraph's Kosaraju (iterative: the
/// recursive Tarjan overflows the stack on a long chain), reported once, at
/// the integration that closes it, naming its systems in order.
pub fn cycles(model: &Model, findings: &mut Vec<Finding>) {
    use petgraph::graph::DiGraph;

    let mut graph =
        DiGraph::<usize, usize>::with_capacity(model.systems.len(), model.integrations.len());
    let nodes: Vec<_> = (0..model.systems.len())
        .map(|ix| graph.add_node(ix))
        .collect();
    // consumer -> (integration, provider), in integration order.
    let mut providers = vec![Vec::new(); model.systems.len()];
    for (ix, integration) in model.integrations.iter().enumerate() {
        if integration.critical {
            graph.add_edge(
                nodes[integration.consumer.ix],
                nodes[integration.provider.ix],
                ix,
            );
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
                for &s in &order {
                    position[s] = None;
                }
                order.drain(..pos);
                edges.drain(..pos);
                order.push(provider);
                break;
            }
            position[provider] = Some(order.len());
            order.push(provider);
            at = provider;
        }
        // A walk that found no cycle leaves its marks (it cannot, inside a
        // component, but the table must be clean for the next one).
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
            finding = finding.subject(model.integrations[edge].id.value.clone());
        }
        findings.push(finding);
    }
}
