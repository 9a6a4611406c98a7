//! Analysis stage: the risk rules of rules.md, one function each, run on
//! every active change (`missing-outcome` on finished ones), using the
//! impact model. Each finding points at the key that causes it, or at the
//! change's table when the key is missing.

use jiff::ZonedDateTime;
use jiff::civil::Date;

use crate::analysis::{ChangeFacts, Facts};
use crate::base::source::Loc;
use crate::base::{Finding, Level, Rule, Subject};
use crate::model::{Backup, Change, Criticality, HealthStatus, MetricKind, Model, Status};

/// How many ids a message names before "and N more".
const NAMED: usize = 10;

fn listed(ids: &[&str]) -> String {
    let mut text = ids
        .iter()
        .take(NAMED)
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NAMED {
        text.push_str(&format!(" and {} more", ids.len() - NAMED));
    }
    text
}

/// What every rule needs to know about the change it looks at.
struct Ctx<'a> {
    model: &'a Model,
    ix: usize,
    change: &'a Change,
    facts: &'a ChangeFacts,
    /// Per system: the integrations with it at either end.
    integrations_of: &'a [Vec<usize>],
    /// Per system: the incidents recorded on it.
    incidents_of: &'a [Vec<usize>],
}

impl Ctx<'_> {
    fn finding(&self, rule: Rule, loc: Loc, message: String) -> Finding {
        Finding::new(rule, loc, message)
            .change(self.change.id.value.clone())
            .about(Subject::Change(self.ix))
    }

    fn id(&self) -> &str {
        &self.change.id.value
    }

    /// The first phase's date, in the change's zone.
    fn first_start(&self) -> Option<&ZonedDateTime> {
        self.facts.first_start()
    }

    fn system_id(&self, ix: usize) -> &str {
        &self.model.systems[ix].id.value
    }
}

/// Whether a check dated `checked` is older than `max_age` at `at`. Checks
/// are dates, so ages are counted in days: a check exactly `max_age` old
/// is still fresh.
fn too_old(checked: Date, max_age: crate::model::Duration, at: &ZonedDateTime) -> bool {
    let midnight = crate::base::time::resolve_local(
        at.time_zone(),
        checked.to_datetime(jiff::civil::Time::midnight()),
    );
    max_age.after(&midnight).date() < at.date()
}

/// Runs every risk rule.
pub fn rules(model: &Model, facts: &Facts, findings: &mut Vec<Finding>) {
    let mut integrations_of = vec![Vec::new(); model.systems.len()];
    for (ix, integration) in model.integrations.iter().enumerate() {
        integrations_of[integration.consumer.ix].push(ix);
        if integration.provider.ix != integration.consumer.ix {
            integrations_of[integration.provider.ix].push(ix);
        }
    }
    let mut incidents_of = vec![Vec::new(); model.systems.len()];
    for (ix, incident) in model.incidents.iter().enumerate() {
        for system in &incident.systems {
            incidents_of[system.ix].push(ix);
        }
    }
    for (ix, change) in model.changes.iter().enumerate() {
        let cx = Ctx {
            model,
            ix,
            change,
            facts: &facts.changes[ix],
            integrations_of: &integrations_of,
            incidents_of: &incidents_of,
        };
        missing_outcome(&cx, findings);
        if !change.status.value.is_active() {
            continue;
        }
        no_backup(&cx, findings);
        untested_restore(&cx, findings);
        no_rollback(&cx, findings);
        no_rollback_trigger(&cx, findings);
        untested_change(&cx, findings);
        no_post_validation(&cx, findings);
        big_bang_rollout(&cx, findings);
        critical_first(&cx, findings);
        unverified_integration(&cx, findings);
        unverified_third_party(&cx, findings);
        system_health(&cx, findings);
        legacy_system(&cx, findings);
        short_monitoring(&cx, findings);
        missing_metric(&cx, findings);
        unnotified_audience(&cx, findings);
        incomplete_announcement(&cx, findings);
        no_fallback(&cx, findings);
        repeat_failure(&cx, findings);
        missing_approval(&cx, findings);
    }
}

/// `no-backup`: a changed system is stateful and there is no `backup`
/// (`backup.none` with a reason silences it).
fn no_backup(cx: &Ctx, findings: &mut Vec<Finding>) {
    if cx.change.backup.is_some() {
        return;
    }
    let systems: Vec<usize> = cx
        .facts
        .changed
        .iter()
        .copied()
        .filter(|&s| cx.model.systems[s].stateful)
        .collect();
    let mut stateful: Vec<&str> = systems.iter().map(|&s| cx.system_id(s)).collect();
    stateful.sort_unstable();
    if stateful.is_empty() {
        return;
    }
    let mut finding = cx
        .finding(
            Rule::NoBackup,
            cx.change.loc.clone(),
            format!("`{}` changes stateful {} but has no [change.backup]", cx.id(), listed(&stateful)),
        )
        .help("take a backup right before the change and describe it (method, scope, location, restore_time, restore_tested), or say why none is needed with `none = \"reason\"`")
        .about_all(systems.into_iter().map(Subject::System));
    finding = finding.subjects(stateful);
    findings.push(finding);
}

/// `untested-restore`: a backup whose `restore_tested` is missing or older
/// than `policy.health_max_age` before the first phase.
fn untested_restore(cx: &Ctx, findings: &mut Vec<Finding>) {
    let Some(Backup::Plan {
        restore_tested,
        loc,
        ..
    }) = &cx.change.backup
    else {
        return;
    };
    let Some(first) = cx.first_start() else {
        return;
    };
    let max_age = cx.model.config.policy.health_max_age;
    match restore_tested {
        None => findings.push(
            cx.finding(Rule::UntestedRestore, loc.clone(), format!("the backup of `{}` has no `restore_tested` date", cx.id()))
                .help("restore the backup into a test environment, time it, and record the date in `restore_tested`"),
        ),
        Some(tested) if too_old(tested.value, max_age, first) => findings.push(
            cx.finding(
                Rule::UntestedRestore,
                tested.loc.clone(),
                format!(
                    "the restore of `{}` was last tested {}, more than {max_age} before its first phase on {}",
                    cx.id(),
                    tested.value,
                    first.date()
                ),
            )
            .help("test the restore again before the change and update `restore_tested`"),
        ),
        Some(_) => {}
    }
}

/// `no-rollback`: no `rollback`, or no rollback steps.
fn no_rollback(cx: &Ctx, findings: &mut Vec<Finding>) {
    let (loc, message) = match &cx.change.rollback {
        None => (
            cx.change.loc.clone(),
            format!("`{}` has no [change.rollback]", cx.id()),
        ),
        Some(rollback) if rollback.steps.is_empty() => (
            rollback.loc.clone(),
            format!("the rollback of `{}` has no steps", cx.id()),
        ),
        Some(_) => return,
    };
    findings.push(
        cx.finding(Rule::NoRollback, loc, message)
            .help("write the rollback `steps` that return users to the stable version, with `time`, `triggers` and `owner`"),
    );
}

/// `no-rollback-trigger`: a rollback without `triggers`.
fn no_rollback_trigger(cx: &Ctx, findings: &mut Vec<Finding>) {
    if let Some(rollback) = &cx.change.rollback
        && rollback.triggers.is_empty()
    {
        findings.push(
            cx.finding(
                Rule::NoRollbackTrigger,
                rollback.loc.clone(),
                format!("the rollback of `{}` has no triggers", cx.id()),
            )
            .help(
                "say when to roll back: `triggers = [\"error rate above 2% for 10 minutes\", ...]`",
            ),
        );
    }
}

/// `untested-change`: no `testing.environment` or no `testing.pre`.
fn untested_change(cx: &Ctx, findings: &mut Vec<Finding>) {
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
}

/// `no-post-validation`: no `testing.post`.
fn no_post_validation(cx: &Ctx, findings: &mut Vec<Finding>) {
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
}

/// `big-bang-rollout`: a single phase while a changed system is high or
/// critical.
fn big_bang_rollout(cx: &Ctx, findings: &mut Vec<Finding>) {
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
            format!("`{}` changes {} in a single phase", cx.id(), listed(&critical)),
        )
        .help("roll out in phases, starting with the least critical users, and watch each phase before the next")
        .about_all(systems.into_iter().map(Subject::System));
    finding = finding.subjects(critical);
    findings.push(finding);
}

/// `critical-first`: phases in start order do not go from less to more
/// critical audiences (by the highest criticality of each phase's
/// audiences; phases without audiences are left out).
fn critical_first(cx: &Ctx, findings: &mut Vec<Finding>) {
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
}

/// `unverified-integration`: an integration with a changed system at
/// either end has no compat entry with `verified = true`. One finding per
/// change, naming them all.
fn unverified_integration(cx: &Ctx, findings: &mut Vec<Finding>) {
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
    ids.sort_unstable();
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
            format!("`{}` touches integrations not verified as compatible: {}", cx.id(), listed(&ids)),
        )
        .help("test each integration against the new version and add [[change.compat]] target = \"<integration id>\", verified = true");
    for id in ids.into_iter().take(NAMED) {
        finding = finding.subject(id);
    }
    finding = finding.about_all(unverified.iter().map(|&i| Subject::Integration(i)));
    findings.push(finding);
}

/// `unverified-third-party`: a `third_party` item of a changed system has
/// no verified compat entry.
fn unverified_third_party(cx: &Ctx, findings: &mut Vec<Finding>) {
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
}

/// `unhealthy-system` and `stale-health`, per changed system.
fn system_health(cx: &Ctx, findings: &mut Vec<Finding>) {
    let max_age = cx.model.config.policy.health_max_age;
    for &s in &cx.facts.changed {
        let system = &cx.model.systems[s];
        match &system.health {
            Some(health) if health.status.value != HealthStatus::Healthy => {
                let (level, what) = match health.status.value {
                    HealthStatus::Down => (Level::Error, "down"),
                    HealthStatus::Degraded => (Level::Warning, "degraded"),
                    _ => (Level::Warning, "of unknown health"),
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
            _ => {}
        }
        let Some(first) = cx.first_start() else {
            continue;
        };
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
}

/// `legacy-system`: a changed system has legacy modules.
fn legacy_system(cx: &Ctx, findings: &mut Vec<Finding>) {
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
}

/// `short-monitoring`: no `monitoring`, or its duration is below
/// `policy.monitoring`.
fn short_monitoring(cx: &Ctx, findings: &mut Vec<Finding>) {
    let policy = cx.model.config.policy.monitoring;
    let (loc, message) = match &cx.change.monitoring {
        None => (
            cx.change.loc.clone(),
            format!("`{}` has no monitoring plan", cx.id()),
        ),
        Some(m) => match &m.duration {
            None => (
                m.loc.clone(),
                format!("the monitoring of `{}` has no `duration`", cx.id()),
            ),
            Some(d) => {
                let Some(end) = cx.facts.last_end() else {
                    return;
                };
                if d.value.after(end).timestamp() >= policy.after(end).timestamp() {
                    return;
                }
                (
                    d.loc.clone(),
                    format!(
                        "`{}` is watched for {} after its last phase; the policy asks for {policy}",
                        cx.id(),
                        d.value
                    ),
                )
            }
        },
    };
    findings.push(
        cx.finding(Rule::ShortMonitoring, loc, message)
            .help(format!("watch response times, CPU, memory, error rates, integrations and tickets for at least {policy} after the last phase")),
    );
}

/// `missing-metric`: kinds of `policy.required_metrics` not among the
/// monitoring metrics; one finding naming all of them.
fn missing_metric(cx: &Ctx, findings: &mut Vec<Finding>) {
    let present: Vec<MetricKind> = cx
        .change
        .monitoring
        .iter()
        .flat_map(|m| m.metrics.iter().map(|x| x.kind.value))
        .collect();
    let missing: Vec<MetricKind> = cx
        .model
        .config
        .policy
        .required_metrics
        .iter()
        .copied()
        .filter(|k| !present.contains(k))
        .collect();
    if missing.is_empty() {
        return;
    }
    let names: Vec<String> = missing.iter().map(|k| k.name().to_string()).collect();
    let loc = cx
        .change
        .monitoring
        .as_ref()
        .map_or(cx.change.loc.clone(), |m| m.loc.clone());
    let mut finding = cx
        .finding(Rule::MissingMetric, loc, format!("the monitoring of `{}` watches no {}", cx.id(), names.join(", ")))
        .help("add a [[change.monitoring.metrics]] with a `threshold` and a `source` for each missing kind");
    finding = finding.subjects(names);
    findings.push(finding);
}

/// `unnotified-audience`: an impacted audience is not in
/// `communication.audiences`.
fn unnotified_audience(cx: &Ctx, findings: &mut Vec<Finding>) {
    let told: Vec<usize> = cx
        .change
        .communication
        .iter()
        .flat_map(|c| c.audiences.iter().map(|a| a.ix))
        .collect();
    let loc = cx
        .change
        .communication
        .as_ref()
        .map_or(cx.change.loc.clone(), |c| c.loc.clone());
    for &a in &cx.facts.impact.audiences {
        if told.contains(&a) {
            continue;
        }
        let audience = &cx.model.audiences[a];
        findings.push(
            cx.finding(
                Rule::UnnotifiedAudience,
                loc.clone(),
                format!("`{}` impacts {} (`{}`), who are not told about it", cx.id(), audience.name, audience.id.value),
            )
            .subject(audience.id.value.clone())
            .about(Subject::Audience(a))
            .help("add the audience to `communication.audiences`, so they learn what changes, why, when and what they will notice"),
        );
    }
}

/// `incomplete-announcement`: no `impact`, or no `communication.audiences`.
fn incomplete_announcement(cx: &Ctx, findings: &mut Vec<Finding>) {
    let mut missing = Vec::new();
    if cx.change.impact.is_none() {
        missing.push("no `impact` (what users will notice)");
    }
    if cx
        .change
        .communication
        .as_ref()
        .is_none_or(|c| c.audiences.is_empty())
    {
        missing.push("no `communication.audiences` (who is told)");
    }
    if missing.is_empty() {
        return;
    }
    let loc = cx
        .change
        .communication
        .as_ref()
        .map_or(cx.change.loc.clone(), |c| c.loc.clone());
    findings.push(
        cx.finding(
            Rule::IncompleteAnnouncement,
            loc,
            format!(
                "the announcement of `{}` is incomplete: {}",
                cx.id(),
                missing.join(" and ")
            ),
        )
        .help("say what changes, why, when, and what users will notice, and to whom it goes"),
    );
}

/// `no-fallback`: an impacted critical process has no `fallback`.
fn no_fallback(cx: &Ctx, findings: &mut Vec<Finding>) {
    for &p in &cx.facts.impact.processes {
        let process = &cx.model.processes[p];
        if process.criticality.value == Criticality::Critical && process.fallback.is_none() {
            findings.push(
                cx.finding(
                    Rule::NoFallback,
                    process.id.loc.clone(),
                    format!("`{}` impacts the critical process `{}`, which has no manual fallback", cx.id(), process.id.value),
                )
                .subject(process.id.value.clone())
                .about(Subject::Process(p))
                .help("write the process's `fallback`: how people keep working while its systems are down"),
            );
        }
    }
}

/// `repeat-failure`: an incident is recorded on a changed system (other
/// than one caused by this very change).
fn repeat_failure(cx: &Ctx, findings: &mut Vec<Finding>) {
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
                format!("`{}` changes {}, where incident `{}` happened on {}: {}", cx.id(), listed(&hit), incident.id.value, incident.date.value, incident.summary),
            )
            .subject(incident.id.value.clone())
            .about(Subject::Incident(i))
            .help("read the incident's lesson and show in the plan how this change avoids repeating it");
        finding = finding.subjects(hit).about_all(hit_systems);
        findings.push(finding);
    }
}

/// `missing-approval`: status approved or later (and still active) without
/// `approvals`.
fn missing_approval(cx: &Ctx, findings: &mut Vec<Finding>) {
    if cx.change.status.value >= Status::Approved && cx.change.approvals.is_empty() {
        findings.push(
            cx.finding(
                Rule::MissingApproval,
                cx.change.status.loc.clone(),
                format!("`{}` is marked approved or later but records no approval", cx.id()),
            )
            .help("record who approved it and when: approvals = [{ by = \"cab\", date = 2026-11-20 }]"),
        );
    }
}

/// `missing-outcome`: status completed or rolled back without `outcome`.
fn missing_outcome(cx: &Ctx, findings: &mut Vec<Finding>) {
    if matches!(
        cx.change.status.value,
        Status::Completed | Status::RolledBack
    ) && cx.change.outcome.is_none()
    {
        findings.push(
            cx.finding(Rule::MissingOutcome, cx.change.status.loc.clone(), format!("`{}` is finished but records no outcome", cx.id()))
                .help("add [change.outcome] with `result`, `completed`, `notes` and `issues`, so the next change can learn from it"),
        );
    }
}
