//! Render stage: the systems index (`systems/index.html`) and each
//! system's page (`systems/<slug>.html`) with its dependency graph.

use rayon::prelude::*;
use serde::Serialize;

use crate::check::Checked;
use crate::model::{Model, slug};
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::svg;
use crate::site::views::{
    IncidentView, LIST_LIMIT, Link, PATH_LIMIT, PathIx, When, change_link, incident_view,
    system_link,
};

/// The last health check of a system, under "Health" on its page.
#[derive(Serialize)]
pub struct HealthInfo {
    /// `healthy`, `degraded`, `down` or `unknown`.
    pub status: &'static str,
    /// The day it was checked.
    pub checked: Option<String>,
    /// What the check found, plain text.
    pub notes: Option<String>,
}

/// One row of the systems index (`systems/index.html`): a system with its
/// owner, its health on record and the next change to it.
#[derive(Serialize, Clone)]
pub struct SystemRow {
    /// The system, linked to its page, with its criticality.
    pub link: Link,
    /// The name of the owning team.
    pub owner: String,
    /// `healthy`, `degraded`, `down`, `unknown`, or none on record.
    pub health: Option<&'static str>,
    /// The day that health was checked.
    pub checked: Option<String>,
    /// The first active change to it that has not ended before the as-of
    /// date, and when it starts.
    pub next: Option<Link>,
    /// See `next`.
    pub next_start: Option<When>,
}

/// The list of every system, by id, with owner, health and next change.
pub fn systems_view(checked: &Checked, index: &SystemIndex) -> Vec<SystemRow> {
    let model = &checked.model;
    let today = crate::base::time::day_start(checked.as_of, &model.config.site.timezone.tz)
        .timestamp()
        .as_second();
    let mut rows: Vec<SystemRow> = model
        .systems
        .iter()
        .enumerate()
        .map(|(s, system)| {
            let next = index.changed_by[s]
                .iter()
                .copied()
                .filter(|&c| model.changes[c].status.value.is_active())
                .filter_map(|c| {
                    let facts = &checked.facts.changes[c];
                    let (first, last) = (facts.first_start()?, facts.last_end()?);
                    (last.timestamp().as_second() >= today).then_some((first.timestamp(), c))
                })
                .min();
            SystemRow {
                link: system_link("../", system),
                owner: model.teams[system.owner.ix].name.clone(),
                health: system.health.as_ref().map(|h| h.status.value.name()),
                checked: system
                    .health
                    .as_ref()
                    .and_then(|h| h.checked.as_ref())
                    .map(|c| c.value.to_string()),
                next: next.map(|(_, c)| change_link("../", &model.changes[c])),
                next_start: next
                    .and_then(|(_, c)| checked.facts.changes[c].first_start().map(When::of)),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.link.id.cmp(&b.link.id));
    rows
}

/// A system's page (`systems/<slug>.html`): what it is, its health, its
/// dependencies (as a graph and in words), the changes that change or
/// impact it and its past incidents.
#[derive(Serialize)]
pub struct SystemView {
    /// The system, with its criticality.
    pub link: Link,
    /// What it is, as written: `service`, `database`, `saas`.
    pub kind: Option<String>,
    /// The name of the owning team.
    pub owner: String,
    /// It holds data a change can lose ("holds data").
    pub stateful: bool,
    /// It has legacy modules.
    pub legacy: bool,
    /// Its current version, as written.
    pub version: Option<String>,
    /// The labels period scopes select it by.
    pub tags: Vec<String>,
    /// Its third-party parts, as written.
    pub third_party: Vec<String>,
    /// Its last health check; none is shown as "No health check on record".
    pub health: Option<HealthInfo>,
    /// Its description, as sanitized HTML.
    pub description: Option<String>,
    /// Its known risks, each as sanitized inline HTML.
    pub risks: Vec<String>,
    /// The integrations by which it uses other systems, at most
    /// 4 × [`LIST_LIMIT`].
    pub uses: Vec<IntegrationRow>,
    /// Such integrations past those in `uses`.
    pub more_uses: usize,
    /// The integrations by which other systems use it, bounded as `uses`.
    pub used_by: Vec<IntegrationRow>,
    /// Such integrations past those in `used_by`.
    pub more_used_by: usize,
    /// The business processes that run on it (no pages of their own).
    pub processes: Vec<Link>,
    /// Its dependency graph as an inline SVG: the systems that use it on
    /// the left, those it uses on the right, at most 12 a side.
    pub graph: String,
    /// The first [`LIST_LIMIT`] changes that change it, by id.
    pub changes: Vec<Link>,
    /// Changes to it past those in `changes`.
    pub more_changes: usize,
    /// The first [`LIST_LIMIT`] changes that impact it through its
    /// integrations, by id, each with the path.
    pub impacted_by: Vec<ImpactedBy>,
    /// Changes impacting it past those in `impacted_by`.
    pub more_impacted_by: usize,
    /// The incidents that hit it.
    pub incidents: Vec<IncidentView>,
}

/// One integration on a system's page, under "Uses" or "Used by".
#[derive(Serialize)]
pub struct IntegrationRow {
    /// The integration's inventory id.
    pub id: String,
    /// The system at its other end.
    pub other: Link,
    /// What it is, as written: `api`, `batch`, `queue`, `file`.
    pub kind: Option<String>,
    /// An outage of the provider breaks the consumer; only critical
    /// integrations carry impact onward.
    pub critical: bool,
    /// It crosses to a vendor.
    pub third_party: bool,
}

/// A change that impacts a system without changing it, on the system's
/// page under "Impacting it".
#[derive(Serialize)]
pub struct ImpactedBy {
    /// The change, linked to its overview.
    pub change: Link,
    /// From this system to the changed one.
    #[serde(flatten)]
    pub path: crate::site::views::PathView,
}

/// Per system: the changes that change it and those that impact it
/// (built once for the whole site, linear in the total impact).
pub struct SystemIndex {
    /// Per system, changes by id: those that change it, the first
    /// [`LIST_LIMIT`] that impact it, and how many impact it in all.
    pub changed_by: Vec<Vec<usize>>,
    /// See `changed_by`.
    pub impacted_by: Vec<Vec<usize>>,
    /// See `changed_by`.
    pub impacted_count: Vec<usize>,
    /// Per system, the path from it to each change of `impacted_by`, one
    /// after the other as [`PathIx::write`] writes them (a few words
    /// each: millions of paths at scale).
    pub impacted_paths: Vec<Vec<u32>>,
    /// Per system, the integrations where it is the consumer.
    pub uses: Vec<Vec<usize>>,
    /// Per system, the integrations where it is the provider.
    pub used_by: Vec<Vec<usize>>,
    /// Per system, the business processes that name it.
    pub processes: Vec<Vec<usize>>,
    /// Per system, the incidents that name it.
    pub incidents: Vec<Vec<usize>>,
}

impl SystemIndex {
    /// The index of the whole plan, in one pass over each kind of entity;
    /// with it, per change, the paths of the systems `shown[c]` on its
    /// overview (as [`PathIx::write`] writes them), from the same search.
    pub fn new(checked: &Checked, shown: &[Vec<usize>]) -> (SystemIndex, Vec<Vec<u32>>) {
        let model = &checked.model;
        let n = model.systems.len();
        let mut index = SystemIndex {
            changed_by: vec![Vec::new(); n],
            impacted_by: vec![Vec::new(); n],
            impacted_count: vec![0; n],
            impacted_paths: Vec::new(),
            uses: vec![Vec::new(); n],
            used_by: vec![Vec::new(); n],
            processes: vec![Vec::new(); n],
            incidents: vec![Vec::new(); n],
        };
        let mut by_id: Vec<usize> = (0..checked.facts.changes.len()).collect();
        by_id.sort_by(|&a, &b| model.changes[a].id.value.cmp(&model.changes[b].id.value));
        for c in by_id {
            let facts = &checked.facts.changes[c];
            for s in facts.impact.systems() {
                if facts.changed.binary_search(&s).is_ok() {
                    index.changed_by[s].push(c);
                } else {
                    index.impacted_count[s] += 1;
                    if index.impacted_by[s].len() < LIST_LIMIT {
                        index.impacted_by[s].push(c);
                    }
                }
            }
        }
        let (impacted_paths, shown_paths) = impacted_paths(checked, &index.impacted_by, shown);
        index.impacted_paths = impacted_paths;
        for (i, integration) in model.integrations.iter().enumerate() {
            index.uses[integration.consumer.ix].push(i);
            index.used_by[integration.provider.ix].push(i);
        }
        for (p, process) in model.processes.iter().enumerate() {
            for s in &process.systems {
                index.processes[s.ix].push(p);
            }
        }
        for (i, incident) in model.incidents.iter().enumerate() {
            for s in &incident.systems {
                index.incidents[s.ix].push(i);
            }
        }
        (index, shown_paths)
    }
}

/// For each system, the path from it to each change of its
/// `impacted_by`, and for each change the paths of the systems of
/// `shown[c]`: one search per change, for the pages that show its paths,
/// on every core.
fn impacted_paths(
    checked: &Checked,
    impacted_by: &[Vec<usize>],
    shown: &[Vec<usize>],
) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut targets: Vec<Vec<usize>> = vec![Vec::new(); checked.facts.changes.len()];
    for (s, changes) in impacted_by.iter().enumerate() {
        for &c in changes {
            targets[c].push(s);
        }
    }
    // Per change, the paths of its targets in their order, and those of
    // the systems its overview shows.
    let found: Vec<(Vec<u32>, Vec<u32>)> = targets
        .par_iter()
        .enumerate()
        .map(|(c, systems)| {
            let shown: &[usize] = shown.get(c).map_or(&[], Vec::as_slice);
            let mut words = Vec::new();
            let mut shown_words = Vec::new();
            if !systems.is_empty() || !shown.is_empty() {
                let all: Vec<usize> = systems.iter().chain(shown).copied().collect();
                let paths = checked.facts.changes[c].impact.paths_to(&all, PATH_LIMIT);
                for &s in systems {
                    PathIx::new(&paths, s).write(&mut words);
                }
                for &s in shown {
                    PathIx::new(&paths, s).write(&mut shown_words);
                }
            }
            (words, shown_words)
        })
        .collect();
    let (found, shown_paths): (Vec<Vec<u32>>, Vec<Vec<u32>>) = found.into_iter().unzip();
    // Back to each system, in the order of its `impacted_by`.
    let mut rest: Vec<&[u32]> = found.iter().map(Vec::as_slice).collect();
    let per_system = impacted_by
        .iter()
        .map(|changes| {
            let mut words = Vec::new();
            for &c in changes {
                if let Some((path, after)) = PathIx::read(rest[c]) {
                    path.write(&mut words);
                    rest[c] = after;
                }
            }
            words.shrink_to_fit();
            words
        })
        .collect();
    (per_system, shown_paths)
}

/// The page of system `s`, from the index of the whole plan.
pub fn system_view(checked: &Checked, index: &SystemIndex, s: usize) -> SystemView {
    let root = "../";
    let model = &checked.model;
    let system = &model.systems[s];
    let integration_row = |i: usize, other: usize| {
        let integration = &model.integrations[i];
        IntegrationRow {
            id: integration.id.value.clone(),
            other: system_link(root, &checked.model.systems[other]),
            kind: integration.kind.clone(),
            critical: integration.critical,
            third_party: integration.third_party,
        }
    };
    // Only what the page shows is built: a provider of thousands lists
    // the first few and counts the rest.
    let uses: Vec<IntegrationRow> = index.uses[s]
        .iter()
        .take(LIST_LIMIT * 4)
        .map(|&i| integration_row(i, model.integrations[i].provider.ix))
        .collect();
    let used_by: Vec<IntegrationRow> = index.used_by[s]
        .iter()
        .take(LIST_LIMIT * 4)
        .map(|&i| integration_row(i, model.integrations[i].consumer.ix))
        .collect();
    let node = |x: usize| {
        let other = &model.systems[x];
        svg::Node {
            id: other.id.value.clone(),
            label: other.name.clone(),
            href: (x != s).then(|| format!("{}.html", slug(&other.id.value))),
            criticality: other.criticality.value.name(),
        }
    };
    const PER_SIDE: usize = 12;
    let graph_links = |list: &[usize], far: &dyn Fn(usize) -> usize| -> Vec<svg::Link> {
        list.iter()
            .take(PER_SIDE)
            .map(|&i| svg::Link {
                node: node(far(i)),
                integration: model.integrations[i].id.value.clone(),
                critical: model.integrations[i].critical,
            })
            .collect()
    };
    fn side<'a>(model: &Model, links: &'a [svg::Link], list: &[usize]) -> svg::Side<'a> {
        svg::Side {
            count: list.len(),
            critical: list
                .iter()
                .filter(|&&i| model.integrations[i].critical)
                .count(),
            links,
        }
    }
    let (consumers, providers) = (
        graph_links(&index.used_by[s], &|i| model.integrations[i].consumer.ix),
        graph_links(&index.uses[s], &|i| model.integrations[i].provider.ix),
    );
    let graph = svg::dependency_graph_of(
        &format!("Dependencies of {}", system.name),
        &node(s),
        side(model, &consumers, &index.used_by[s]),
        side(model, &providers, &index.uses[s]),
        PER_SIDE,
    );
    let more_uses = index.uses[s].len().saturating_sub(LIST_LIMIT * 4);
    let more_used_by = index.used_by[s].len().saturating_sub(LIST_LIMIT * 4);
    let changes: Vec<Link> = index.changed_by[s]
        .iter()
        .take(LIST_LIMIT)
        .map(|&c| change_link(root, &checked.model.changes[c]))
        .collect();
    let more_changes = index.changed_by[s].len().saturating_sub(LIST_LIMIT);
    let mut paths = index.impacted_paths[s].as_slice();
    let impacted: Vec<ImpactedBy> = index.impacted_by[s]
        .iter()
        .take(LIST_LIMIT)
        .map_while(|&c| {
            let (path, rest) = PathIx::read(paths)?;
            paths = rest;
            Some(ImpactedBy {
                change: change_link(root, &checked.model.changes[c]),
                path: path.view(model),
            })
        })
        .collect();
    let more_impacted_by = index.impacted_count[s].saturating_sub(LIST_LIMIT);
    SystemView {
        link: system_link(root, &checked.model.systems[s]),
        kind: system.kind.clone(),
        owner: model.teams[system.owner.ix].name.clone(),
        stateful: system.stateful,
        legacy: system.legacy.is_some(),
        version: system.version.clone(),
        tags: system.tags.clone(),
        third_party: system.third_party.iter().map(|t| t.value.clone()).collect(),
        health: system.health.as_ref().map(|h| HealthInfo {
            status: h.status.value.name(),
            checked: h.checked.as_ref().map(|c| c.value.to_string()),
            notes: h.notes.clone(),
        }),
        description: system.description.as_deref().map(to_html),
        risks: system.risks.iter().map(|r| to_inline_html(r)).collect(),
        uses,
        more_uses,
        used_by,
        more_used_by,
        processes: index.processes[s]
            .iter()
            .map(|&p| Link {
                id: model.processes[p].id.value.clone(),
                name: model.processes[p].name.clone(),
                href: String::new(),
                criticality: Some(model.processes[p].criticality.value),
            })
            .collect(),
        graph,
        changes,
        more_changes,
        impacted_by: impacted,
        more_impacted_by,
        incidents: index.incidents[s]
            .iter()
            .map(|&i| incident_view(&model.incidents[i]))
            .collect(),
    }
}
