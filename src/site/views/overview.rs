//! Render stage: the overview page of a change (`changes/<slug>/index.html`):
//! what changes and why, its timeline, what it impacts, its findings,
//! approvals and outcome.

use serde::Serialize;

use super::{
    ChangeCtx, ChangeRow, FINDINGS_PER_PAGE, FindingView, LIST_LIMIT, Link, PHASES_PER_PAGE,
    PathView, PhaseView, When, finding_view, path_view, phases_upto, runbook_file, system_link,
};
use crate::model::Criticality;
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::status::StatusNotice;

#[derive(Serialize)]
pub struct ImpactedSystem {
    pub link: Link,
    pub changed: bool,
    /// From this system to the changed one: "webshop → erp → db".
    #[serde(flatten)]
    pub path: PathView,
}

#[derive(Serialize)]
pub struct ImpactView {
    pub systems: Vec<ImpactedSystem>,
    pub more_systems: usize,
    /// The first [`LIST_LIMIT`] impacted processes, and how many more.
    pub processes: Vec<ProcessView>,
    pub more_processes: usize,
    /// The first [`LIST_LIMIT`] impacted audiences; past that, the counts
    /// of all of them and of those told.
    pub audiences: Vec<AudienceView>,
    pub more_audiences: usize,
    pub audience_count: usize,
    pub audiences_told: usize,
}

#[derive(Serialize)]
pub struct ProcessView {
    pub id: String,
    pub name: String,
    pub criticality: Criticality,
    pub fallback: Option<String>,
}

#[derive(Serialize)]
pub struct AudienceView {
    pub id: String,
    pub name: String,
    pub criticality: Criticality,
    pub contact: Option<String>,
    pub notified: bool,
}

fn impact(cx: &ChangeCtx, root: &str) -> ImpactView {
    let model = cx.model();
    let impact = &cx.facts.impact;
    let mut systems: Vec<(Link, bool, usize)> = impact
        .systems
        .iter()
        .map(|&s| {
            (
                system_link(root, &model.systems[s]),
                cx.facts.changed.binary_search(&s).is_ok(),
                s,
            )
        })
        .collect();
    // Changed systems first, then by criticality (highest first) and id.
    systems.sort_by(|a, b| {
        (!a.1, std::cmp::Reverse(a.0.criticality), &a.0.id).cmp(&(
            !b.1,
            std::cmp::Reverse(b.0.criticality),
            &b.0.id,
        ))
    });
    let more_systems = systems.len().saturating_sub(LIST_LIMIT);
    systems.truncate(LIST_LIMIT);
    // Paths only for the systems shown, each bounded.
    let systems: Vec<ImpactedSystem> = systems
        .into_iter()
        .map(|(link, changed, s)| ImpactedSystem {
            link,
            changed,
            path: path_view(model, impact, s),
        })
        .collect();
    let mut notified: Vec<usize> = cx
        .change
        .communication
        .iter()
        .flat_map(|c| c.audiences.iter().map(|a| a.ix))
        .collect();
    notified.sort_unstable();
    notified.dedup();
    let notified = std::collections::BTreeSet::from_iter(notified);
    let audiences = impact
        .audiences
        .iter()
        .take(LIST_LIMIT)
        .map(|&a| {
            let audience = &model.audiences[a];
            AudienceView {
                id: audience.id.value.clone(),
                name: audience.name.clone(),
                criticality: audience.criticality.value,
                contact: audience.contact.clone(),
                notified: notified.contains(&a),
            }
        })
        .collect();
    ImpactView {
        systems,
        more_systems,
        processes: impact
            .processes
            .iter()
            .take(LIST_LIMIT)
            .map(|&p| {
                let process = &model.processes[p];
                ProcessView {
                    id: process.id.value.clone(),
                    name: process.name.clone(),
                    criticality: process.criticality.value,
                    fallback: process.fallback.as_deref().map(to_html),
                }
            })
            .collect(),
        more_processes: impact.processes.len().saturating_sub(LIST_LIMIT),
        audiences,
        more_audiences: impact.audiences.len().saturating_sub(LIST_LIMIT),
        audience_count: impact.audiences.len(),
        audiences_told: impact
            .audiences
            .iter()
            .filter(|a| notified.contains(a))
            .count(),
    }
}

/// The overview page of a change.
#[derive(Serialize)]
pub struct ChangeView {
    pub row: ChangeRow,
    pub status: StatusNotice,
    pub summary: String,
    pub why: String,
    pub impact_text: Option<String>,
    pub downtime: Option<String>,
    pub announced: Option<String>,
    pub timezone: String,
    /// The first [`PHASES_PER_PAGE`] phases; `more_phases` follow, in the
    /// runbook's parts from `more_phases_href` on.
    pub phases: Vec<PhaseView>,
    pub phase_count: usize,
    pub more_phases: usize,
    pub more_phases_href: Option<String>,
    pub impact: ImpactView,
    /// The first [`FINDINGS_PER_PAGE`] findings on the change, and how
    /// many more.
    pub findings: Vec<FindingView>,
    pub more_findings: usize,
    pub approvals: Vec<ApprovalView>,
    pub outcome: Option<OutcomeView>,
}

#[derive(Serialize)]
pub struct ApprovalView {
    pub by: String,
    pub date: String,
}

#[derive(Serialize)]
pub struct OutcomeView {
    pub result: String,
    pub completed: Option<When>,
    pub notes: Option<String>,
    pub issues: Vec<String>,
}

pub fn outcome(cx: &ChangeCtx) -> Option<OutcomeView> {
    let outcome = cx.change.outcome.as_ref()?;
    Some(OutcomeView {
        result: outcome.result.value.name().to_string(),
        completed: outcome.completed.as_ref().map(|c| {
            let tz = &cx.facts.tz;
            When::of(&c.value.instant(tz).to_zoned_datetime(tz.clone()))
        }),
        notes: outcome.notes.as_deref().map(to_html),
        issues: outcome.issues.iter().map(|s| to_inline_html(s)).collect(),
    })
}

pub fn change_view(cx: &ChangeCtx, root: &str) -> ChangeView {
    let change = cx.change;
    ChangeView {
        row: cx.row(root),
        status: cx.status(),
        summary: to_html(&change.summary),
        why: to_html(&change.why),
        impact_text: change.impact.as_deref().map(to_html),
        downtime: change.downtime.as_ref().map(|d| d.value.to_string()),
        announced: change.announced.as_ref().map(|a| a.value.to_string()),
        timezone: cx.facts.tz.iana_name().unwrap_or("UTC").to_string(),
        phases: phases_upto(cx, root, PHASES_PER_PAGE),
        phase_count: change.phases.len(),
        more_phases: change.phases.len().saturating_sub(PHASES_PER_PAGE),
        more_phases_href: (change.phases.len() > PHASES_PER_PAGE).then(|| runbook_file(2)),
        impact: impact(cx, root),
        findings: cx
            .findings
            .iter()
            .take(FINDINGS_PER_PAGE)
            .map(|f| finding_view(cx.checked, f))
            .collect(),
        more_findings: cx.findings.len().saturating_sub(FINDINGS_PER_PAGE),
        approvals: change
            .approvals
            .iter()
            .map(|a| ApprovalView {
                by: a.by.clone(),
                date: a.date.value.to_string(),
            })
            .collect(),
        outcome: outcome(cx),
    }
}
