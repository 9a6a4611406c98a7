//! Render stage: the runbook of a change (`changes/<slug>/runbook.html`,
//! split into parts `runbook-2.html`, ... past [`PHASES_PER_PAGE`] phases).

use serde::Serialize;

use super::{
    BackupView, ChangeCtx, ChangeRow, ChangeShared, CommunicationView, IncidentView, Link,
    PHASES_PER_PAGE, PhaseView, TeamView, When, communication, incident_view, sections::backup,
    system_link, team,
};
use crate::site::markdown::to_inline_html;
use crate::site::status::StatusNotice;

/// A known risk of a system the change touches (HTML).
#[derive(Serialize)]
pub struct SystemRisk {
    /// The id of the system it is written on.
    pub system: String,
    /// The risk, as sanitized inline HTML.
    pub risk: String,
}

/// The recorded health of a system the change changes: one box of the
/// runbook's "Health of the systems you change" checklist.
#[derive(Serialize)]
pub struct HealthView {
    /// The system, linked to its page.
    pub system: Link,
    /// `healthy`, `degraded`, `down`, `unknown`, or "not recorded".
    pub status: String,
    /// The day it was last checked.
    pub checked: Option<String>,
    /// What the check found, plain text.
    pub notes: Option<String>,
}

/// A metric to watch during the monitoring period: one row of the
/// runbook's table of metrics and thresholds.
#[derive(Serialize)]
pub struct MetricView {
    /// Its name, as written: "p95 checkout latency".
    pub name: String,
    /// What it measures: `response-time`, `cpu`, `error-rate`, ...
    pub kind: String,
    /// The limit it is watched against, as written.
    pub threshold: Option<String>,
    /// Where it is read (a dashboard, a tool), as written.
    pub source: Option<String>,
}

/// A moment after the last phase to check the systems again: +1h, +24h,
/// +48h, +72h, up to the end of the monitoring period (which is one too).
#[derive(Serialize)]
pub struct Checkpoint {
    /// "+24h".
    pub label: String,
    /// The last phase's end plus that, in the change's zone and UTC.
    pub at: When,
}

/// One part of the runbook of a change. A runbook of at most
/// [`PHASES_PER_PAGE`] phases is one page; a longer one is split into
/// parts of that many phases: the first part opens with everything before
/// the phases (risks, health, pre-checks, backup), the last ends with
/// everything after them (live monitoring, post-validation, the monitoring
/// period, communication), and each says which phases it holds and links
/// its neighbours.
#[derive(Serialize)]
pub struct RunbookView<'a> {
    /// The change as lists show it; the head gives its first start and
    /// last end.
    pub row: &'a ChangeRow,
    /// The status banner at the top of each part.
    pub status: StatusNotice,
    /// This part (from 1) and how many there are.
    pub part: usize,
    /// See `part`.
    pub parts: usize,
    /// The numbers of its first and last phases, of `phase_count`.
    pub first_phase: usize,
    /// See `first_phase`.
    pub last_phase: usize,
    /// Phases of the change in all.
    pub phase_count: usize,
    /// Links to the first, previous, next and last parts (this one
    /// included, marked current): at most five, whatever the parts.
    pub part_links: Vec<PartLink>,
    /// The file of the next part, if there is one.
    pub next_part: Option<String>,
    /// How long a rollback takes, and the latest moment to start one per
    /// phase so it ends inside the window.
    pub rollback_time: Option<String>,
    /// The "Roll back by" deadline of each phase of this part.
    pub deadlines: Vec<crate::site::deadline::Deadline>,
    /// What changes, as sanitized HTML (first part only).
    pub summary: &'a str,
    /// The owning team, in the head of every part.
    pub owner: TeamView,
    /// The recorded health of each system the change changes, by id
    /// (first part only).
    pub health: Vec<HealthView>,
    /// The pre-checks (`testing.pre`), as sanitized inline HTML (first
    /// part only).
    pub pre: Vec<String>,
    /// Where the change was rehearsed (`testing.environment`).
    pub environment: Option<String>,
    /// The backup to take before the first phase (first part only).
    pub backup: Option<BackupView>,
    /// The phases of this part, each a section with its steps and checks.
    pub phases: &'a [PhaseView<'a>],
    /// Checks while the change runs (`testing.during`), as sanitized
    /// inline HTML (last part only).
    pub during: Vec<String>,
    /// Post-validation (`testing.post`), as sanitized inline HTML (last
    /// part only).
    pub post: Vec<String>,
    /// How long the monitoring period lasts, written back: "72h".
    pub monitoring_duration: Option<String>,
    /// The name of the team that watches it.
    pub monitoring_owner: Option<String>,
    /// The metrics to watch and their thresholds (last part only).
    pub metrics: Vec<MetricView>,
    /// When to check again after the last phase (last part only).
    pub checkpoints: Vec<Checkpoint>,
    /// Whom to tell and how (last part only).
    pub communication: Option<CommunicationView>,
    /// The known risks of the systems the change changes (first part only).
    pub risks: Vec<SystemRisk>,
    /// Past incidents on those systems, newest first (first part only).
    pub incidents: Vec<IncidentView>,
    /// When to roll back, as sanitized inline HTML: repeated after every
    /// phase.
    pub rollback_triggers: Vec<String>,
}

/// A link to one part of a runbook.
#[derive(Serialize)]
pub struct PartLink {
    /// The part it links, from 1.
    pub part: usize,
    /// Relative to the runbook (same folder).
    pub href: String,
    /// The numbers of the first and last phases that part holds.
    pub first_phase: usize,
    /// See `first_phase`.
    pub last_phase: usize,
    /// It is the part the link is on (shown, not linked).
    pub current: bool,
}

/// The file of part `part` (from 1) of a runbook: `runbook.html`, then
/// `runbook-2.html`, ...
pub fn runbook_file(part: usize) -> String {
    if part <= 1 {
        "runbook.html".to_string()
    } else {
        format!("runbook-{part}.html")
    }
}

/// How many runbook parts `phases` phases make (at least one).
pub fn runbook_parts(phases: usize) -> usize {
    phases.div_ceil(PHASES_PER_PAGE).max(1)
}

/// Past incidents on the systems the change changes, newest first.
fn incidents(cx: &ChangeCtx) -> Vec<IncidentView> {
    let model = cx.model();
    let mut list: Vec<IncidentView> = model
        .incidents
        .iter()
        .filter(|i| {
            i.systems
                .iter()
                .any(|s| cx.facts.changed.binary_search(&s.ix).is_ok())
        })
        .map(incident_view)
        .collect();
    list.sort_by(|a, b| (&b.date, &a.id).cmp(&(&a.date, &b.id)));
    list
}

/// The parts of the runbook of a change, each with its file name (see
/// [`RunbookView`]), linked from a page `root` below the site root; the
/// row, summary and phases are those of `shared` (of the same change,
/// linked from the same `root`), each part holding its share of the
/// phases. The deadlines are built once and shared out.
pub fn runbook_views<'a>(
    cx: &ChangeCtx,
    root: &str,
    shared: &'a ChangeShared<'a>,
) -> Vec<(String, RunbookView<'a>)> {
    let mut whole = runbook_view(cx, root, shared);
    let count = whole.phases.len();
    let parts = runbook_parts(count);
    if parts == 1 {
        return vec![(runbook_file(1), whole)];
    }
    let mut parts_phases = shared.phases.chunks(PHASES_PER_PAGE);
    let mut deadlines = std::mem::take(&mut whole.deadlines).into_iter().peekable();
    let mut views = Vec::with_capacity(parts);
    for part in 1..=parts {
        let first_phase = (part - 1) * PHASES_PER_PAGE + 1;
        let last_phase = (part * PHASES_PER_PAGE).min(count);
        let mut part_deadlines = Vec::new();
        while let Some(d) = deadlines.next_if(|d| d.number <= last_phase) {
            part_deadlines.push(d);
        }
        let link = |p: usize| PartLink {
            part: p,
            href: runbook_file(p),
            first_phase: (p - 1) * PHASES_PER_PAGE + 1,
            last_phase: (p * PHASES_PER_PAGE).min(count),
            current: p == part,
        };
        let mut near = vec![
            1,
            part.saturating_sub(1).max(1),
            part,
            (part + 1).min(parts),
            parts,
        ];
        near.dedup();
        let view = RunbookView {
            row: whole.row,
            status: whole.status.clone(),
            part,
            parts,
            first_phase,
            last_phase,
            phase_count: count,
            part_links: near.into_iter().map(link).collect(),
            next_part: (part < parts).then(|| runbook_file(part + 1)),
            rollback_time: whole.rollback_time.clone(),
            deadlines: part_deadlines,
            summary: "",
            owner: team(cx.model(), cx.change.owner.ix),
            health: Vec::new(),
            pre: Vec::new(),
            environment: None,
            backup: None,
            phases: parts_phases.next().unwrap_or_default(),
            during: Vec::new(),
            post: Vec::new(),
            monitoring_duration: None,
            monitoring_owner: None,
            metrics: Vec::new(),
            checkpoints: Vec::new(),
            communication: None,
            risks: Vec::new(),
            incidents: Vec::new(),
            rollback_triggers: whole.rollback_triggers.clone(),
        };
        views.push((runbook_file(part), view));
    }
    // The sections before the phases go to the first part, those after
    // them to the last.
    let first = &mut views[0].1;
    first.summary = std::mem::take(&mut whole.summary);
    first.health = std::mem::take(&mut whole.health);
    first.pre = std::mem::take(&mut whole.pre);
    first.environment = whole.environment.take();
    first.backup = whole.backup.take();
    first.risks = std::mem::take(&mut whole.risks);
    first.incidents = std::mem::take(&mut whole.incidents);
    let last = &mut views[parts - 1].1;
    last.during = std::mem::take(&mut whole.during);
    last.post = std::mem::take(&mut whole.post);
    last.monitoring_duration = whole.monitoring_duration.take();
    last.monitoring_owner = whole.monitoring_owner.take();
    last.metrics = std::mem::take(&mut whole.metrics);
    last.checkpoints = std::mem::take(&mut whole.checkpoints);
    last.communication = whole.communication.take();
    views
}

/// The whole runbook of a change, as one part holding all the phases of
/// `shared`.
fn runbook_view<'a>(cx: &ChangeCtx, root: &str, shared: &'a ChangeShared<'a>) -> RunbookView<'a> {
    let model = cx.model();
    let change = cx.change;
    let testing = change.testing.as_ref();
    let monitoring = change.monitoring.as_ref();
    let checkpoints = match (
        cx.facts.last_end(),
        monitoring.and_then(|m| m.duration.as_ref()),
    ) {
        (Some(end), duration) => {
            let mut hours: Vec<u32> = vec![1, 24, 48, 72];
            if let Some(d) = duration {
                // Up to the end of the monitoring period, which is one too.
                let total = (d.value.days * 24 + d.value.minutes / 60).max(1);
                hours.retain(|&h| h <= total);
                if !hours.contains(&total) {
                    hours.push(total);
                }
            }
            hours
                .into_iter()
                .map(|h| Checkpoint {
                    label: format!("+{h}h"),
                    at: When::of(
                        &end.checked_add(jiff::Span::new().hours(i64::from(h)))
                            .unwrap_or_else(|_| end.clone()),
                    ),
                })
                .collect()
        }
        (None, _) => Vec::new(),
    };
    let phases = &shared.phases;
    let count = phases.len();
    RunbookView {
        row: &shared.row,
        status: cx.status(),
        part: 1,
        parts: 1,
        first_phase: 1.min(count),
        last_phase: count,
        phase_count: count,
        part_links: Vec::new(),
        next_part: None,
        rollback_time: change
            .rollback
            .as_ref()
            .and_then(|r| r.time.as_ref())
            .map(|t| t.value.to_string()),
        deadlines: crate::site::deadline::deadlines(cx),
        summary: &shared.summary,
        owner: team(model, change.owner.ix),
        health: {
            let mut health: Vec<HealthView> = cx
                .facts
                .changed
                .iter()
                .map(|&s| {
                    let system = &model.systems[s];
                    HealthView {
                        system: system_link(root, system),
                        status: system.health.as_ref().map_or_else(
                            || "not recorded".into(),
                            |h| h.status.value.name().to_string(),
                        ),
                        checked: system
                            .health
                            .as_ref()
                            .and_then(|h| h.checked.as_ref())
                            .map(|c| c.value.to_string()),
                        notes: system.health.as_ref().and_then(|h| h.notes.clone()),
                    }
                })
                .collect();
            health.sort_by(|a, b| a.system.id.cmp(&b.system.id));
            health
        },
        pre: testing
            .map(|t| t.pre.iter().map(|s| to_inline_html(s)).collect())
            .unwrap_or_default(),
        environment: testing.and_then(|t| t.environment.clone()),
        backup: backup(change),
        phases,
        during: testing
            .map(|t| t.during.iter().map(|s| to_inline_html(s)).collect())
            .unwrap_or_default(),
        post: testing
            .map(|t| t.post.iter().map(|s| to_inline_html(s)).collect())
            .unwrap_or_default(),
        monitoring_duration: monitoring
            .and_then(|m| m.duration.as_ref())
            .map(|d| d.value.to_string()),
        monitoring_owner: monitoring
            .and_then(|m| m.owner.as_ref())
            .map(|o| model.teams[o.ix].name.clone()),
        metrics: monitoring
            .map(|m| {
                m.metrics
                    .iter()
                    .map(|x| MetricView {
                        name: x.name.clone(),
                        kind: x.kind.value.name().to_string(),
                        threshold: x.threshold.clone(),
                        source: x.source.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        checkpoints,
        communication: communication(cx),
        risks: cx
            .facts
            .changed
            .iter()
            .flat_map(|&s| {
                model.systems[s].risks.iter().map(move |r| SystemRisk {
                    system: model.systems[s].id.value.clone(),
                    risk: to_inline_html(r),
                })
            })
            .collect(),
        incidents: incidents(cx),
        rollback_triggers: change
            .rollback
            .iter()
            .flat_map(|r| r.triggers.iter().map(|t| to_inline_html(t)))
            .collect(),
    }
}
