//! Analysis stage: the impact model of inventory.md (blast radius); the
//! rule on cycles, `integration-cycle`, is in `rules/time.rs`.
//!
//! A change impacts the systems it changes and every system that reaches
//! one of them through a chain of critical integrations, consumer to
//! provider, at any depth. One breadth-first search per change over the
//! reversed critical edges: O(reached systems + their edges) per change.
//!
//! The analysis keeps only who is impacted (a sorted list, and a bit set
//! when the list is large), so its memory follows the impacted systems and
//! not the impacted systems times the size of each path. Why each system is
//! impacted (the integration and the next system towards the change: a
//! predecessor tree, with the number of hops and the changed system at the
//! end) is the same search run again: for `gate`, whole and kept from
//! then on; for the pages, only as far as the systems they show
//! ([`Impact::paths_to`]). Nothing here recurses: the depth of a
//! chain of integrations is the inventory's to choose.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use fixedbitset::FixedBitSet;

use crate::model::Model;

/// A list of at least one system in this many of all gets a bit set too;
/// below it, membership is a binary search of the list (a bit set per
/// change would make the analysis grow as changes times systems).
const SET_FRACTION: usize = 64;

/// Whether `len` of `system_count` systems is large enough for an index
/// over all systems (see [`SET_FRACTION`]).
fn large(len: usize, system_count: usize) -> bool {
    len.saturating_mul(SET_FRACTION) >= system_count
}

/// The place of each system changed by more than one change (of
/// `changers`, per system) among the cells that keep what it impacts, and
/// those cells.
fn shared_systems(changers: &[u32]) -> (Vec<u32>, Vec<OnceLock<Option<FixedBitSet>>>) {
    let mut cells = 0u32;
    let shared = changers
        .iter()
        .map(|&n| {
            if n > 1 {
                cells += 1;
                cells - 1
            } else {
                u32::MAX
            }
        })
        .collect();
    (shared, (0..cells).map(|_| OnceLock::new()).collect())
}

/// Who a change impacts, and why.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Impacted systems (changed ones included): see [`Impact::systems`].
    systems: Systems,
    /// Impacted business processes (depending on an impacted system), sorted
    /// by index into `model.processes`.
    pub processes: Vec<usize>,
    /// Impacted audiences (naming an impacted system or process), sorted by
    /// index into `model.audiences`.
    pub audiences: Vec<usize>,
    /// The search, kept to derive the paths when first asked.
    origin: Option<Origin>,
    /// For each impacted but unchanged system: one step towards a changed
    /// system, derived on first use.
    via: OnceLock<Via>,
}

/// A set of systems held in the smaller form: a sorted list of indices
/// when few, a bit set over all systems when many (at least one in
/// [`SET_FRACTION`]); a hub's impact of nearly every system is then a bit
/// per system, not a word.
#[derive(Debug, Clone)]
enum Systems {
    List(Vec<u32>),
    Set { set: FixedBitSet, len: usize },
}

impl Default for Systems {
    fn default() -> Systems {
        Systems::List(Vec::new())
    }
}

/// The systems of a [`Systems`], by index.
pub enum SystemsIter<'a> {
    /// Of a list.
    List(std::slice::Iter<'a, u32>),
    /// Of a bit set.
    Set(fixedbitset::Ones<'a>),
}

impl Iterator for SystemsIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            SystemsIter::List(list) => list.next().map(|&s| s as usize),
            SystemsIter::Set(ones) => ones.next(),
        }
    }
}

/// What the search of an impact started from.
#[derive(Debug, Clone)]
struct Origin {
    graph: Arc<Graph>,
    changed: Vec<usize>,
}

/// The predecessor tree of a search: steps sorted by system, and for a
/// large tree the place of each system's step (a page of each system it
/// reaches asks for paths: a binary search per step of each was a tenth of
/// a large build).
#[derive(Debug, Clone, Default)]
struct Via {
    systems: Vec<usize>,
    steps: Vec<Step>,
    /// Per system: 1 + the place of its step, 0 for none.
    place: Option<Vec<u32>>,
}

impl Via {
    fn new(systems: Vec<usize>, steps: Vec<Step>, system_count: usize) -> Via {
        let place = large(systems.len(), system_count).then(|| {
            let mut place = vec![0u32; system_count];
            for (at, &s) in systems.iter().enumerate() {
                place[s] = u32::try_from(at + 1).unwrap_or(0);
            }
            place
        });
        Via {
            systems,
            steps,
            place,
        }
    }

    fn get(&self, system: usize) -> Option<&Step> {
        let at = match &self.place {
            Some(place) => match place.get(system).copied() {
                Some(0) | None => None,
                Some(at) => Some(at as usize - 1),
            },
            None => self.systems.binary_search(&system).ok(),
        };
        at.and_then(|at| self.steps.get(at))
    }
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
    /// The impacted systems (changed ones included), by index, ascending.
    pub fn systems(&self) -> SystemsIter<'_> {
        match &self.systems {
            Systems::List(list) => SystemsIter::List(list.iter()),
            Systems::Set { set, .. } => SystemsIter::Set(set.ones()),
        }
    }

    /// How many systems are impacted (changed ones included).
    pub fn system_count(&self) -> usize {
        match &self.systems {
            Systems::List(list) => list.len(),
            Systems::Set { len, .. } => *len,
        }
    }

    /// Whether `system` is impacted (changed ones included).
    pub fn contains(&self, system: usize) -> bool {
        match &self.systems {
            Systems::Set { set, .. } => set.contains(system),
            Systems::List(list) => {
                u32::try_from(system).is_ok_and(|system| list.binary_search(&system).is_ok())
            }
        }
    }

    /// Whether an impacted system is in `set` (a set over all systems).
    pub fn meets(&self, set: &FixedBitSet) -> bool {
        match &self.systems {
            Systems::Set { set: mine, .. } => !mine.is_disjoint(set),
            Systems::List(list) => list.iter().any(|&s| set.contains(s as usize)),
        }
    }

    /// The impacted systems (changed ones included) that are in `set` (a
    /// set over all systems), ascending: a bit set impact is met with `set`
    /// a word at a time (a hub's impact of most systems against the many
    /// systems being changed), a list impact looked up system by system.
    pub fn among<'s>(&'s self, set: &'s FixedBitSet) -> impl Iterator<Item = usize> + 's {
        let (list, words) = match &self.systems {
            Systems::List(list) => (Some(list), None),
            Systems::Set { set: mine, .. } => {
                (None, Some(mine.as_slice().iter().zip(set.as_slice())))
            }
        };
        let listed = list
            .into_iter()
            .flatten()
            .map(|&s| s as usize)
            .filter(|&s| set.contains(s));
        let both = words
            .into_iter()
            .flatten()
            .enumerate()
            .flat_map(|(at, (&a, &b))| {
                let mut word = a & b;
                std::iter::from_fn(move || {
                    (word != 0).then(|| {
                        let bit = word.trailing_zeros() as usize;
                        word &= word - 1;
                        at * fixedbitset::Block::BITS as usize + bit
                    })
                })
            });
        listed.chain(both)
    }

    /// The first `n` impacted systems (changed ones included) by index,
    /// within `set` (a set over all systems) when given, and how many there
    /// are in all: what a message that names a few needs, without listing
    /// a hub's thousands. A bit set impact counts a word at a time.
    pub fn first_within(&self, set: Option<&FixedBitSet>, n: usize) -> (Vec<usize>, usize) {
        let mut first = Vec::with_capacity(n.min(self.system_count()));
        let count = match (&self.systems, set) {
            (Systems::Set { set: mine, .. }, Some(set)) => {
                let bits = fixedbitset::Block::BITS as usize;
                let mut count = 0;
                for (at, (&a, &b)) in mine.as_slice().iter().zip(set.as_slice()).enumerate() {
                    let mut word = a & b;
                    count += word.count_ones() as usize;
                    while word != 0 && first.len() < n {
                        first.push(at * bits + word.trailing_zeros() as usize);
                        word &= word - 1;
                    }
                }
                count
            }
            (Systems::Set { set: mine, len }, None) => {
                first.extend(mine.ones().take(n));
                *len
            }
            (Systems::List(_), Some(set)) => {
                let mut count = 0;
                for s in self.among(set) {
                    if first.len() < n {
                        first.push(s);
                    }
                    count += 1;
                }
                count
            }
            (Systems::List(list), None) => {
                first.extend(list.iter().take(n).map(|&s| s as usize));
                list.len()
            }
        };
        (first, count)
    }

    /// Adds the impacted systems to `set` (over all systems): a word at a
    /// time when they are many.
    pub fn add_to(&self, set: &mut FixedBitSet) {
        match &self.systems {
            Systems::Set { set: own, .. } => set.union_with(own),
            Systems::List(list) => set.extend(list.iter().map(|&s| s as usize)),
        }
    }

    /// The impacted systems as a set over all `system_count` systems.
    pub fn to_set(&self, system_count: usize) -> FixedBitSet {
        match &self.systems {
            Systems::Set { set, .. } => set.clone(),
            Systems::List(list) => {
                let mut set = FixedBitSet::with_capacity(system_count);
                set.extend(list.iter().map(|&s| s as usize));
                set
            }
        }
    }

    /// The step from `system` towards the change; `None` for a changed or
    /// an unimpacted system.
    pub fn step(&self, system: usize) -> Option<Step> {
        self.paths().step(system)
    }

    /// The first `limit` steps from `system` towards the changed system that
    /// makes it impacted (see [`Paths::head`]).
    pub fn path_head(&self, system: usize, limit: usize) -> Vec<(usize, usize)> {
        self.paths().head(system, limit)
    }

    /// Why each system is impacted, derived the first time it is asked
    /// and kept: for questions that come back to this change (the pages of
    /// the systems it impacts, `gate`).
    pub fn paths(&self) -> Paths<'_> {
        let via = self.via.get_or_init(|| self.search());
        Paths {
            impact: self,
            via: std::borrow::Cow::Borrowed(via),
        }
    }

    /// The paths of `targets` (impacted systems), each followed for at most
    /// `limit` steps, and nothing else: [`Paths::step`] and
    /// [`Paths::head`] (up to `limit`) answer for those systems as the
    /// whole tree would. Kept paths are lent; otherwise the search stops
    /// once every target is reached, in memory of the thread's, so a page
    /// that shows a few paths of a large impact neither walks nor holds
    /// the whole tree.
    pub fn paths_to(&self, targets: &[usize], limit: usize) -> Paths<'_> {
        let via = match (self.via.get(), &self.origin) {
            (Some(via), _) => std::borrow::Cow::Borrowed(via),
            (None, Some(origin)) => {
                let targets: Vec<usize> = targets
                    .iter()
                    .copied()
                    .filter(|&t| self.contains(t))
                    .collect();
                std::borrow::Cow::Owned(origin.graph.search_to(&origin.changed, &targets, limit))
            }
            (None, None) => std::borrow::Cow::Owned(Via::default()),
        };
        Paths { impact: self, via }
    }

    fn search(&self) -> Via {
        match &self.origin {
            Some(origin) => origin.graph.search(&origin.changed),
            None => Via::default(),
        }
    }
}

/// Why the systems of an [`Impact`] are impacted.
pub struct Paths<'a> {
    impact: &'a Impact,
    via: std::borrow::Cow<'a, Via>,
}

impl Paths<'_> {
    /// The step from `system` towards the change; `None` for a changed or
    /// an unimpacted system.
    pub fn step(&self, system: usize) -> Option<Step> {
        if !self.impact.contains(system) {
            return None;
        }
        self.via.get(system).copied()
    }

    /// The first `limit` steps from `system` towards the changed system that
    /// makes it impacted: (integration, provider) per step, walked no
    /// further (the whole path has [`Step::hops`] steps; pages show a
    /// bounded head of it).
    pub fn head(&self, system: usize, limit: usize) -> Vec<(usize, usize)> {
        let mut steps = Vec::new();
        if !self.impact.contains(system) {
            return steps;
        }
        let mut at = system;
        while steps.len() < limit {
            let Some(step) = self.via.get(at) else { break };
            steps.push((step.integration, step.provider));
            at = step.provider;
            if steps.len() > self.via.steps.len() {
                break;
            }
        }
        steps
    }
}

/// The strongly connected component of each system over the critical
/// integrations, numbered from 0. Members of one component reach each
/// other, so a change impacting one of them impacts them all.
pub fn components(model: &Model) -> Vec<usize> {
    let graph = critical_graph(model);
    let mut component = vec![0; model.systems.len()];
    // Kosaraju's is iterative in petgraph (its Tarjan recurses).
    for (k, members) in petgraph::algo::kosaraju_scc(&graph).into_iter().enumerate() {
        for node in members {
            component[node.index()] = k;
        }
    }
    component
}

/// The critical integrations as a graph: a node per system (weighted by
/// its index, node `i` is system `i`), an edge consumer -> provider per
/// critical integration (weighted by its index), in integration order.
pub fn critical_graph(model: &Model) -> petgraph::graph::DiGraph<usize, usize> {
    let mut graph =
        petgraph::graph::DiGraph::with_capacity(model.systems.len(), model.integrations.len());
    let nodes: Vec<_> = (0..model.systems.len())
        .map(|ix| graph.add_node(ix))
        .collect();
    for (ix, integration) in model.integrations.iter().enumerate() {
        if integration.critical {
            graph.add_edge(
                nodes[integration.consumer.ix],
                nodes[integration.provider.ix],
                ix,
            );
        }
    }
    graph
}

/// A thread's memory for [`Graph::search_to`]: a system is reached (or
/// wanted) in the current search when its mark is the current one, so
/// nothing is cleared or allocated between searches.
#[derive(Default)]
struct Scratch {
    mark: u32,
    reached: Vec<u32>,
    wanted: Vec<u32>,
    /// Systems whose step a search to targets already keeps.
    kept: Vec<u32>,
    steps: Vec<Hop>,
    /// The systems reached, in order: the search's queue.
    queue: Vec<u32>,
}

/// A [`Step`] in the search's memory, in a quarter of its bytes.
#[derive(Clone, Copy, Default)]
struct Hop {
    integration: u32,
    provider: u32,
    hops: u32,
    changed: u32,
}

impl Hop {
    fn step(self) -> Step {
        Step {
            integration: self.integration as usize,
            provider: self.provider as usize,
            hops: self.hops as usize,
            changed: self.changed as usize,
        }
    }
}

impl Scratch {
    /// A new mark for a search over `system_count` systems.
    fn begin(&mut self, system_count: usize) -> u32 {
        if self.reached.len() < system_count {
            self.reached.resize(system_count, 0);
            self.wanted.resize(system_count, 0);
            self.kept.resize(system_count, 0);
            self.steps.resize(system_count, Hop::default());
        }
        if self.mark == u32::MAX {
            self.reached.fill(0);
            self.wanted.fill(0);
            self.kept.fill(0);
            self.mark = 0;
        }
        self.mark += 1;
        self.mark
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Indexes built once per model and shared by every change's search.
#[derive(Debug)]
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
    /// `consumers` without the integrations, flat, made at the first
    /// impact search.
    reach: OnceLock<Reach>,
    /// Per system changed by more than one change, its place in `reached`;
    /// `u32::MAX` for the others.
    shared: Vec<u32>,
    /// What each of those systems impacts on its own, found the first time
    /// an impact search meets it, when that is at least a 64th of the
    /// systems (`None` when less): a provider that many changes change
    /// (a gateway, a database) is searched once, not once per change.
    reached: Vec<OnceLock<Option<FixedBitSet>>>,
}

/// The consumers of each provider over critical integrations as one flat
/// list of `u32` (those of system `s` are `to[start[s]..start[s + 1]]`):
/// the form the impact search walks, a quarter of the bytes of the lists
/// of pairs, and in one allocation.
#[derive(Debug)]
struct Reach {
    start: Vec<u32>,
    to: Vec<u32>,
    /// The integration of each of `to`.
    via: Vec<u32>,
}

impl Reach {
    fn of(consumers: &[Vec<(usize, usize)>]) -> Reach {
        let mut start = Vec::with_capacity(consumers.len() + 1);
        let edges = consumers.iter().map(Vec::len).sum();
        let mut to = Vec::with_capacity(edges);
        let mut via = Vec::with_capacity(edges);
        start.push(0);
        for list in consumers {
            // Fewer systems and integrations than u32::MAX: each is a
            // TOML table of its own.
            to.extend(list.iter().map(|&(c, _)| c as u32));
            via.extend(list.iter().map(|&(_, i)| i as u32));
            start.push(to.len() as u32);
        }
        Reach { start, to, via }
    }

    fn of_system(&self, s: usize) -> &[u32] {
        &self.to[self.start[s] as usize..self.start[s + 1] as usize]
    }
}

impl Graph {
    /// Builds the indexes of `model`.
    pub fn new(model: &Model) -> Arc<Graph> {
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
        // How many changes change each system.
        let mut changers = vec![0u32; n];
        let mut systems = Vec::new();
        for change in &model.changes {
            systems.clear();
            systems.extend(
                change
                    .phases
                    .iter()
                    .flat_map(|p| p.systems.iter().map(|r| r.ix)),
            );
            systems.sort_unstable();
            systems.dedup();
            for &s in &systems {
                changers[s] = changers[s].saturating_add(1);
            }
        }
        let (shared, reached) = shared_systems(&changers);
        Arc::new(Graph {
            consumers,
            processes_of,
            audiences_of_system,
            audiences_of_process,
            audience_count: model.audiences.len(),
            system_count: n,
            ids: model.systems.iter().map(|s| s.id.value.clone()).collect(),
            reach: OnceLock::new(),
            shared,
            reached,
        })
    }

    /// The systems `system` impacts on its own when it is changed by more
    /// than one change and they are at least a 64th of all systems.
    fn reached_by(&self, reach: &Reach, system: usize) -> Option<&FixedBitSet> {
        let at = *self.shared.get(system)?;
        let cell = self.reached.get(at as usize)?;
        cell.get_or_init(|| {
            let mut set = FixedBitSet::with_capacity(self.system_count);
            set.insert(system);
            let mut stack = vec![system as u32];
            while let Some(provider) = stack.pop() {
                for &consumer in reach.of_system(provider as usize) {
                    if !set.put(consumer as usize) {
                        stack.push(consumer);
                    }
                }
            }
            large(set.count_ones(..), self.system_count).then_some(set)
        })
        .as_ref()
    }

    /// The breadth-first search from `changed`, with its predecessor tree.
    fn search(&self, changed: &[usize]) -> Via {
        let mut set = FixedBitSet::with_capacity(self.system_count);
        // Steps in the order systems are reached; hops and the changed
        // system of a step follow from its provider's, reached earlier.
        let mut reached: Vec<(usize, Step)> = Vec::new();
        // From the changed systems in id order, so the path kept for each
        // impacted system does not depend on file order.
        let mut seeds = changed.to_vec();
        seeds.sort_by(|&a, &b| self.ids[a].cmp(&self.ids[b]));
        // (system, hops, changed system at the end).
        let mut queue: VecDeque<(usize, usize, usize)> =
            seeds.into_iter().map(|s| (s, 0, s)).collect();
        for &system in changed {
            set.insert(system);
        }
        while let Some((provider, hops, changed)) = queue.pop_front() {
            for &(consumer, integration) in &self.consumers[provider] {
                if !set.contains(consumer) {
                    set.insert(consumer);
                    reached.push((
                        consumer,
                        Step {
                            integration,
                            provider,
                            hops: hops + 1,
                            changed,
                        },
                    ));
                    queue.push_back((consumer, hops + 1, changed));
                }
            }
        }
        reached.sort_unstable_by_key(|&(system, _)| system);
        let (systems, steps) = reached.into_iter().unzip();
        Via::new(systems, steps, self.system_count)
    }

    /// The search of [`Graph::search`] from `changed`, stopped once every
    /// one of `targets` (systems it reaches) is reached: the steps of a
    /// system and of those before it on its path are set when it is first
    /// reached, so they are the whole search's. Returns the first `limit`
    /// steps of each target's path.
    fn search_to(&self, changed: &[usize], targets: &[usize], limit: usize) -> Via {
        SCRATCH.with_borrow_mut(|scratch| {
            let mark = scratch.begin(self.system_count);
            let Scratch {
                reached,
                wanted,
                kept: seen,
                steps,
                queue,
                ..
            } = scratch;
            // Indices of systems and integrations fit in u32: each is a
            // TOML table of its own.
            let reach = self.reach.get_or_init(|| Reach::of(&self.consumers));
            for &system in changed {
                reached[system] = mark;
                steps[system] = Hop {
                    integration: u32::MAX,
                    provider: u32::MAX,
                    hops: 0,
                    changed: system as u32,
                };
            }
            let mut left = 0;
            for &target in targets {
                if reached[target] != mark && wanted[target] != mark {
                    wanted[target] = mark;
                    left += 1;
                }
            }
            let mut seeds = changed.to_vec();
            seeds.sort_by(|&a, &b| self.ids[a].cmp(&self.ids[b]));
            queue.clear();
            queue.extend(seeds.into_iter().map(|s| s as u32));
            let mut head = 0;
            'search: while left > 0 && head < queue.len() {
                let provider = queue[head] as usize;
                head += 1;
                let Hop { hops, changed, .. } = steps[provider];
                let edges = reach.start[provider] as usize..reach.start[provider + 1] as usize;
                for (&consumer, &integration) in
                    reach.to[edges.clone()].iter().zip(&reach.via[edges])
                {
                    let consumer = consumer as usize;
                    if reached[consumer] != mark {
                        reached[consumer] = mark;
                        steps[consumer] = Hop {
                            integration,
                            provider: provider as u32,
                            hops: hops + 1,
                            changed,
                        };
                        queue.push(consumer as u32);
                        if wanted[consumer] == mark {
                            left -= 1;
                            if left == 0 {
                                break 'search;
                            }
                        }
                    }
                }
            }
            // Paths of many targets share their last steps: each kept once.
            let mut kept: Vec<(usize, Step)> = Vec::new();
            for &target in targets {
                let mut at = target;
                for _ in 0..limit {
                    if reached[at] != mark || steps[at].hops == 0 {
                        break;
                    }
                    if seen[at] != mark {
                        seen[at] = mark;
                        kept.push((at, steps[at].step()));
                    }
                    at = steps[at].provider as usize;
                }
            }
            kept.sort_unstable_by_key(|&(system, _)| system);
            let (systems, steps) = kept.into_iter().unzip();
            Via::new(systems, steps, self.system_count)
        })
    }

    /// The impact of changing `changed` (system indices).
    pub fn impact(self: &Arc<Self>, changed: &[usize]) -> Impact {
        // Only the set is kept, so the search order does not matter: a
        // stack over the flat lists.
        // A system whose own impact is known brings it whole: everything
        // it reaches is in it, so none of it needs a step of its own.
        let reach = self.reach.get_or_init(|| Reach::of(&self.consumers));
        let mut set = FixedBitSet::with_capacity(self.system_count);
        let mut stack: Vec<u32> = Vec::with_capacity(changed.len());
        let enter = |system: usize, set: &mut FixedBitSet, stack: &mut Vec<u32>| {
            if !set.put(system) {
                match self.reached_by(reach, system) {
                    Some(known) => set.union_with(known),
                    None => stack.push(system as u32),
                }
            }
        };
        for &system in changed {
            enter(system, &mut set, &mut stack);
        }
        while let Some(provider) = stack.pop() {
            for &consumer in reach.of_system(provider as usize) {
                enter(consumer as usize, &mut set, &mut stack);
            }
        }
        let len = set.count_ones(..);
        let mut processes: Vec<usize> = set
            .ones()
            .flat_map(|s| self.processes_of[s].iter().copied())
            .collect();
        processes.sort_unstable();
        processes.dedup();
        let mut audiences = FixedBitSet::with_capacity(self.audience_count);
        for s in set.ones() {
            audiences.extend(self.audiences_of_system[s].iter().copied());
        }
        for &p in &processes {
            audiences.extend(self.audiences_of_process[p].iter().copied());
        }
        // Indices of systems fit in u32: the model holds fewer systems
        // than that (each is a TOML table of its own).
        let systems = if large(len, self.system_count) {
            Systems::Set { set, len }
        } else {
            Systems::List(set.ones().map(|s| s as u32).collect())
        };
        Impact {
            systems,
            processes,
            audiences: audiences.ones().collect(),
            origin: (len > changed.len()).then(|| Origin {
                graph: Arc::clone(self),
                changed: changed.to_vec(),
            }),
            via: OnceLock::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A graph of `n` systems from (provider, consumer) pairs.
    fn graph_of(n: usize, edges: &[(usize, usize)]) -> Arc<Graph> {
        let mut consumers = vec![Vec::new(); n];
        for (ix, &(p, c)) in edges.iter().enumerate() {
            consumers[p % n].push((c % n, ix));
        }
        Arc::new(Graph {
            consumers,
            processes_of: vec![vec![]; n],
            audiences_of_system: vec![vec![]; n],
            audiences_of_process: vec![],
            audience_count: 0,
            system_count: n,
            ids: (0..n).map(|s| format!("s{:02}", (s * 7) % n)).collect(),
            reach: OnceLock::new(),
            shared: vec![u32::MAX; n],
            reached: Vec::new(),
        })
    }

    /// [`graph_of`] where the systems of `shared` are each changed by more
    /// than one change (their own impact kept once found).
    fn graph_sharing(n: usize, edges: &[(usize, usize)], shared: &[usize]) -> Arc<Graph> {
        let mut changers = vec![0u32; n];
        for &s in shared {
            changers[s % n] = 2;
        }
        let (shared, reached) = shared_systems(&changers);
        let mut graph = Arc::into_inner(graph_of(n, edges)).unwrap();
        graph.shared = shared;
        graph.reached = reached;
        Arc::new(graph)
    }

    proptest! {
        /// With the impacts of shared systems kept and brought in whole,
        /// an impact is the one searched step by step, on any graph
        /// (cycles, shared systems inside another's impact, searched
        /// again by later changes).
        #[test]
        fn kept_impacts_of_shared_systems_change_no_impact(
            n in 1usize..150,
            edges in proptest::collection::vec((0usize..150, 0usize..150), 0..300),
            shared in proptest::collection::vec(0usize..150, 0..20),
            changes in proptest::collection::vec(
                proptest::collection::btree_set(0usize..150, 1..4), 1..8),
        ) {
            let plain = graph_of(n, &edges);
            let sharing = graph_sharing(n, &edges, &shared);
            for changed in &changes {
                let mut changed: Vec<usize> = changed.iter().map(|&c| c % n).collect();
                changed.sort_unstable();
                changed.dedup();
                let (a, b) = (plain.impact(&changed), sharing.impact(&changed));
                prop_assert_eq!(a.systems().collect::<Vec<_>>(), b.systems().collect::<Vec<_>>());
                prop_assert_eq!(a.system_count(), b.system_count());
                prop_assert_eq!(a.paths().head(n - 1, n), b.paths().head(n - 1, n));
                // The first changed system, entered first, was looked up.
                let at = sharing.shared[changed[0]];
                if at != u32::MAX {
                    prop_assert!(sharing.reached[at as usize].get().is_some());
                }
            }
        }
    }

    proptest! {
        /// The search that stops at its targets gives them the steps and
        /// path heads of the whole tree, on any graph (cycles, several
        /// changed systems, targets that are changed or not impacted).
        #[test]
        fn paths_to_targets_are_the_whole_trees(
            n in 1usize..24,
            edges in proptest::collection::vec((0usize..24, 0usize..24), 0..60),
            changed in proptest::collection::btree_set(0usize..24, 1..4),
            targets in proptest::collection::vec(0usize..24, 0..8),
            limit in 1usize..10,
        ) {
            let graph = graph_of(n, &edges);
            let changed: Vec<usize> = changed.into_iter().filter(|&s| s < n).collect();
            prop_assume!(!changed.is_empty());
            let targets: Vec<usize> = targets.into_iter().map(|t| t % n).collect();
            let whole = graph.impact(&changed);
            let some = graph.impact(&changed);
            let paths = some.paths_to(&targets, limit);
            for &t in &targets {
                prop_assert_eq!(paths.step(t), whole.paths().step(t));
                prop_assert_eq!(paths.head(t, limit), whole.paths().head(t, limit));
            }
        }
    }

    proptest! {
        /// `among` gives the impacted systems in a set, ascending, and
        /// `first_within` the first of them (or of all) and their count, in
        /// both forms of an impact, whatever the graph (sets past one word).
        #[test]
        fn among_and_first_within_are_the_impact_within_the_set(
            n in 1usize..200,
            edges in proptest::collection::vec((0usize..200, 0usize..200), 0..400),
            changed in proptest::collection::btree_set(0usize..200, 1..4),
            mask in proptest::collection::btree_set(0usize..200, 0..120),
            few in 0usize..12,
        ) {
            let graph = graph_of(n, &edges);
            let changed: Vec<usize> = changed.into_iter().map(|c| c % n).collect();
            let impact = graph.impact(&changed);
            let mut set = FixedBitSet::with_capacity(n);
            set.extend(mask.into_iter().map(|m| m % n));
            let all: Vec<usize> = impact.systems().collect();
            let inside: Vec<usize> = all.iter().copied().filter(|&s| set.contains(s)).collect();
            let mut dense = impact.clone();
            dense.systems = Systems::Set { set: impact.to_set(n), len: impact.system_count() };
            for form in [&impact, &dense] {
                prop_assert_eq!(form.among(&set).collect::<Vec<_>>(), inside.clone());
                let (first, count) = form.first_within(Some(&set), few);
                prop_assert_eq!(&first[..], &inside[..few.min(inside.len())]);
                prop_assert_eq!(count, inside.len());
                let (first, count) = form.first_within(None, few);
                prop_assert_eq!(&first[..], &all[..few.min(all.len())]);
                prop_assert_eq!(count, all.len());
            }
        }
    }

    /// The sparse and the dense forms answer alike, and the paths derived
    /// later are those of the search.
    #[test]
    fn membership_and_paths_agree_in_both_forms() {
        // a -> b -> c (consumer to provider), d alone; e uses c.
        let graph = Arc::new(Graph {
            consumers: vec![vec![], vec![(0, 0)], vec![(1, 1), (4, 2)], vec![], vec![]],
            processes_of: vec![vec![]; 5],
            audiences_of_system: vec![vec![]; 5],
            audiences_of_process: vec![],
            audience_count: 0,
            system_count: 5,
            ids: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            reach: OnceLock::new(),
            shared: vec![u32::MAX; 5],
            reached: Vec::new(),
        });
        let impact = graph.impact(&[2]);
        assert_eq!(impact.systems().collect::<Vec<_>>(), [0, 1, 2, 4]);
        assert_eq!(impact.system_count(), 4);
        assert!(
            matches!(impact.systems, Systems::Set { .. }),
            "4 of 5 is large"
        );
        let mut sparse = impact.clone();
        sparse.systems = Systems::List(vec![0, 1, 2, 4]);
        assert_eq!(sparse.systems().collect::<Vec<_>>(), [0, 1, 2, 4]);
        assert_eq!(sparse.system_count(), 4);
        for s in 0..5 {
            assert_eq!(impact.contains(s), sparse.contains(s), "{s}");
        }
        assert!(!sparse.contains(3));
        assert_eq!(impact.step(0).map(|s| (s.hops, s.changed)), Some((2, 2)));
        assert_eq!(impact.path_head(0, 8), [(0, 1), (1, 2)]);
        assert_eq!(sparse.path_head(0, 1), [(0, 1)]);
        assert_eq!(impact.step(2), None, "a changed system has no step");
        assert_eq!(impact.step(3), None, "nor one that is not impacted");
        let mut only_d = FixedBitSet::with_capacity(5);
        only_d.insert(3);
        assert!(!impact.meets(&only_d) && !sparse.meets(&only_d));
        only_d.insert(4);
        assert!(impact.meets(&only_d) && sparse.meets(&only_d));
        assert_eq!(sparse.to_set(5), impact.to_set(5));
        // Derived for the targets, the paths are the kept ones, and not kept.
        let fresh = graph.impact(&[2]);
        assert_eq!(fresh.paths_to(&[0], 8).head(0, 8), [(0, 1), (1, 2)]);
        assert!(fresh.via.get().is_none());
        assert_eq!(fresh.paths().head(0, 8), fresh.paths_to(&[0], 8).head(0, 8));
        assert!(fresh.via.get().is_some());
        // The paths to a few systems are those of the whole tree, bounded.
        let fresh = graph.impact(&[2]);
        let whole = graph.impact(&[2]);
        for limit in 1..4 {
            let some = fresh.paths_to(&[0, 4, 3, 2], limit);
            for s in [0, 4, 3, 2] {
                assert_eq!(some.step(s), whole.paths().step(s), "{s}");
                assert_eq!(some.head(s, limit), whole.paths().head(s, limit), "{s}");
            }
        }
        assert!(fresh.via.get().is_none(), "not kept");
        assert_eq!(fresh.paths_to(&[1], 8).via.steps.len(), 1, "it stops at b");
        // The tree answers alike with and without the place of each step.
        let step = |n| Step {
            integration: n,
            provider: n,
            hops: n,
            changed: n,
        };
        let dense = Via::new(vec![1, 4], vec![step(1), step(4)], 5);
        let sparse = Via::new(vec![1, 4], vec![step(1), step(4)], 1000);
        assert!(dense.place.is_some() && sparse.place.is_none());
        for s in 0..6 {
            assert_eq!(dense.get(s), sparse.get(s), "{s}");
        }
        assert_eq!(dense.get(4), Some(&step(4)));
    }
}
