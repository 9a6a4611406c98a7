//! Analysis stage: the impact model of inventory.md (blast radius); the
//! rule on cycles, `integration-cycle`, is in `rules/time.rs`.
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
    /// Impacted business processes (depending on an impacted system), sorted
    /// by index into `model.processes`.
    pub processes: Vec<usize>,
    /// Impacted audiences (naming an impacted system or process), sorted by
    /// index into `model.audiences`.
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
    /// Builds the indexes of `model`.
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
