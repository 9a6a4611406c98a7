//! Load stage: duplicate ids and reference resolution. After [`resolve`]
//! reports no finding, every [`Ref`] holds the index of its entity.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::base::source::At;
use crate::base::{Finding, Rule};
use crate::inventory::Declared;
use crate::model::*;

/// The lowercase form of `id` (see [`slug`]), borrowed when it is one.
fn slugged(id: &str) -> Cow<'_, str> {
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(slug(id))
    } else {
        Cow::Borrowed(id)
    }
}

/// Ids of one kind: lowercase id to index of the first valid entity.
/// Looked up once per reference (a million at scale), so hashed; the
/// suggestions of an unknown id go through the ids in sorted order, so
/// that the one suggested does not depend on the hash.
struct Index {
    kind: &'static str,
    by_slug: HashMap<String, usize>,
    /// Every declared id (also of entities dropped for errors), by slug:
    /// the last declared of a slug.
    declared: HashMap<String, String>,
    /// The slugs of `declared`, sorted, made when first suggested from.
    sorted: OnceLock<Vec<String>>,
}

impl Index {
    fn new(
        kind: &'static str,
        ids: impl Iterator<Item = String>,
        declared: &[At<String>],
    ) -> Index {
        let mut by_slug = HashMap::new();
        for (ix, id) in ids.enumerate() {
            by_slug.entry(slug(&id)).or_insert(ix);
        }
        let declared = declared
            .iter()
            .map(|id| (slug(&id.value), id.value.clone()))
            .collect();
        Index {
            kind,
            by_slug,
            declared,
            sorted: OnceLock::new(),
        }
    }

    fn suggestion(&self, id: &str) -> String {
        let lower = slug(id);
        let sorted = self.sorted.get_or_init(|| {
            let mut keys: Vec<String> = self.declared.keys().cloned().collect();
            keys.sort_unstable();
            keys
        });
        crate::base::finding::closest(&lower, sorted.iter().map(String::as_str)).map_or_else(
            || format!("define it with [[{}]], or correct the id", self.kind),
            |s| format!("did you mean `{}`?", self.declared[s]),
        )
    }

    /// The index of the entity `id` names.
    fn get(&self, id: &str) -> Option<usize> {
        self.by_slug.get(slugged(id).as_ref()).copied()
    }

    /// Whether some entity of this kind declares `id`.
    fn declares(&self, id: &str) -> bool {
        self.declared.contains_key(slugged(id).as_ref())
    }

    /// Points `r` at its entity. A reference to no declared id is reported
    /// by [`Index::check`], which sees every reference read, also those of
    /// entities dropped for other errors.
    fn resolve<K>(&self, r: &mut Ref<K>) {
        if let Some(ix) = self.get(&r.id.value) {
            r.ix = ix;
        }
    }

    fn all<K>(&self, refs: &mut [Ref<K>]) {
        for r in refs {
            self.resolve(r);
        }
    }

    /// `id` reported when no entity of this kind declares it.
    fn check(&self, id: &At<String>) -> Option<Finding> {
        (!self.declares(&id.value)).then(|| {
            Finding::new(
                Rule::UnknownReference,
                id.loc.clone(),
                format!("`{}` is not a known {}", id.value, self.kind),
            )
            .subject(id.value.clone())
            .help(self.suggestion(&id.value))
        })
    }
}

/// Reports ids declared twice in one kind (case-insensitive), naming both.
fn duplicates(kind: &str, ids: &[At<String>], findings: &mut Vec<Finding>) {
    let mut first: HashMap<Cow<str>, &At<String>> = HashMap::with_capacity(ids.len());
    for id in ids {
        match first.get(&slugged(&id.value)) {
            Some(earlier) => findings.push(
                Finding::new(
                    Rule::DuplicateId,
                    id.loc.clone(),
                    format!(
                        "{kind} id `{}` is already used by `{}`",
                        id.value, earlier.value
                    ),
                )
                .subject(id.value.clone())
                .related(
                    earlier.loc.clone(),
                    format!("`{}` first defined here", earlier.value),
                )
                .help("ids are compared without regard to case; rename one of them"),
            ),
            None => {
                first.insert(slugged(&id.value), id);
            }
        }
    }
}

/// Reports duplicate ids of each kind (`duplicate-id`, ignoring case),
/// resolves every reference of `model` to its entity's index
/// (`unknown-reference` when it names none), and checks what needs resolved
/// references.
pub fn resolve(model: &mut Model, declared: &Declared, findings: &mut Vec<Finding>) {
    for kind in Kind::ALL {
        duplicates(kind.key(), declared.ids(kind), findings);
    }

    let systems = Index::new(
        "system",
        model.systems.iter().map(|e| e.id.value.clone()),
        &declared.systems,
    );
    let integrations = Index::new(
        "integration",
        model.integrations.iter().map(|e| e.id.value.clone()),
        &declared.integrations,
    );
    let processes = Index::new(
        "process",
        model.processes.iter().map(|e| e.id.value.clone()),
        &declared.processes,
    );
    let teams = Index::new(
        "team",
        model.teams.iter().map(|e| e.id.value.clone()),
        &declared.teams,
    );
    let audiences = Index::new(
        "audience",
        model.audiences.iter().map(|e| e.id.value.clone()),
        &declared.audiences,
    );
    let changes = Index::new(
        "change",
        model.changes.iter().map(|e| e.id.value.clone()),
        &declared.changes,
    );

    for system in &mut model.systems {
        teams.resolve(&mut system.owner);
    }
    model.integrations.par_iter_mut().for_each(|integration| {
        systems.resolve(&mut integration.consumer);
        systems.resolve(&mut integration.provider);
    });
    for process in &mut model.processes {
        if let Some(owner) = &mut process.owner {
            teams.resolve(owner);
        }
        systems.all(&mut process.systems);
    }
    for audience in &mut model.audiences {
        processes.all(&mut audience.processes);
        systems.all(&mut audience.systems);
    }
    for period in &mut model.periods {
        systems.all(&mut period.scope.systems);
        processes.all(&mut period.scope.processes);
    }
    for incident in &mut model.incidents {
        systems.all(&mut incident.systems);
        if let Some(change) = &mut incident.change {
            changes.resolve(change);
        }
    }
    // Every change on some core, its findings joined in change order.
    let per_change: Vec<Vec<Finding>> = model
        .changes
        .par_iter_mut()
        .map(|change| {
            let mut findings = Vec::new();
            resolve_change(change, &systems, &teams, &audiences, &mut findings);
            findings
        })
        .collect();
    findings.extend(per_change.into_iter().flatten());
    for mapping in &mut model.config.export.argocd.applications {
        systems.resolve(&mut mapping.system);
    }
    let unknown: Vec<Finding> = declared
        .refs
        .par_iter()
        .filter_map(|(kind, id)| {
            let index = match kind {
                Kind::System => &systems,
                Kind::Integration => &integrations,
                Kind::Process => &processes,
                Kind::Team => &teams,
                Kind::Audience => &audiences,
                Kind::Change => &changes,
                // Nothing refers to periods or incidents by id.
                Kind::Window | Kind::Freeze | Kind::Peak | Kind::Incident => return None,
            };
            index.check(id)
        })
        .collect();
    findings.extend(unknown);
    resolve_compat(model, &integrations, findings);
    one_off_order(model, findings);
}

/// Resolves the references of `change` and checks that its phases change
/// only systems it lists.
fn resolve_change(
    change: &mut Change,
    systems: &Index,
    teams: &Index,
    audiences: &Index,
    findings: &mut Vec<Finding>,
) {
    {
        teams.resolve(&mut change.owner);
        systems.all(&mut change.systems);
        let listed: Vec<String> = change.systems.iter().map(|r| slug(&r.id.value)).collect();
        for phase in &mut change.phases {
            if phase.systems.is_empty() {
                phase.systems = change.systems.clone();
            } else {
                systems.all(&mut phase.systems);
                for system in &phase.systems {
                    if !listed.contains(&slug(&system.id.value)) {
                        findings.push(
                            Finding::new(
                                Rule::Schema,
                                system.id.loc.clone(),
                                format!(
                                    "phase \"{}\" of change `{}` changes `{}`, which is not among the change's `systems`",
                                    phase.name, change.id.value, system.id.value
                                ),
                            )
                            .change(change.id.value.clone())
                            .help("add it to the change's `systems` (the list every rule and page starts from), or remove it from the phase"),
                        );
                    }
                }
            }
            audiences.all(&mut phase.audiences);
        }
        if let Some(rollback) = &mut change.rollback
            && let Some(owner) = &mut rollback.owner
        {
            teams.resolve(owner);
        }
        if let Some(monitoring) = &mut change.monitoring
            && let Some(owner) = &mut monitoring.owner
        {
            teams.resolve(owner);
        }
        if let Some(communication) = &mut change.communication {
            audiences.all(&mut communication.audiences);
        }
    }
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    }
}

/// A one-off period must end after it starts. Checked here, once
/// `cutover.toml` (and so the site zone) has been read.
fn one_off_order(model: &Model, findings: &mut Vec<Finding>) {
    for period in &model.periods {
        let When::Once { from, until } = &period.when else {
            continue;
        };
        let tz = &period
            .timezone
            .as_ref()
            .map_or(&model.config.site.timezone, |z| &z.value)
            .tz;
        if until.value.instant(tz) <= from.value.instant(tz) {
            findings.push(
                Finding::new(
                    Rule::InvalidSchedule,
                    until.loc.clone(),
                    format!(
                        "{} `{}` ends at or before its start",
                        kind_name(period.kind),
                        period.id.value
                    ),
                )
                .subject(period.id.value.clone())
                .help("`until` must be later than `from`; swap them or correct the date"),
            );
        }
    }
}

/// Compat targets: an integration id, or a `third_party` item of a system
/// the change modifies.
fn resolve_compat(model: &mut Model, integrations: &Index, findings: &mut Vec<Finding>) {
    let systems = &model.systems;
    for change in &mut model.changes {
        let mut changed: Vec<usize> = change
            .systems
            .iter()
            .chain(change.phases.iter().flat_map(|p| &p.systems))
            .map(|r| r.ix)
            .filter(|&ix| ix != usize::MAX)
            .collect();
        changed.sort_unstable();
        changed.dedup();
        for compat in &mut change.compat {
            let target = &compat.target.value;
            if let Some(ix) = integrations.get(target) {
                compat.resolved = CompatTarget::Integration(ix);
                continue;
            }
            let item = changed.iter().find_map(|&s| {
                systems[s]
                    .third_party
                    .iter()
                    .position(|item| names_item(target, &item.value))
                    .map(|item| CompatTarget::ThirdParty { system: s, item })
            });
            match item {
                Some(found) => compat.resolved = found,
                None if integrations.declares(target) => {}
                None => findings.push(
                    Finding::new(
                        Rule::UnknownReference,
                        compat.target.loc.clone(),
                        format!(
                            "compat target `{target}` of change `{}` is neither an integration nor a third-party item of a system it changes",
                            change.id.value
                        ),
                    )
                    .change(change.id.value.clone())
                    .subject(target.clone())
                    .help("name an integration id, or a `third_party` entry of a changed system as written there (\"pgbouncer 1.21\" or \"pgbouncer\")"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::names_item;

    #[test]
    fn compat_targets_match_third_party_items_with_or_without_version() {
        assert!(names_item("pgbouncer 1.21", "pgbouncer 1.21"));
        assert!(names_item("PgBouncer", "pgbouncer 1.21"));
        assert!(names_item("Stripe API", "Stripe API 2024-06"));
        assert!(!names_item("pgbouncer 1.22", "pgbouncer 1.21"));
        assert!(!names_item("pg", "pgbouncer 1.21"));
        assert!(!names_item("Stripe", "Stripe API 2024-06"));
    }
}
