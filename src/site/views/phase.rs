//! Render stage: the phases of a change as its overview, runbook and
//! announcements list them.

use jiff::ZonedDateTime;
use serde::Serialize;

use super::{
    ChangeCtx, FindingView, LIST_LIMIT, Link, When, bounded, by_id, finding_view, system_link,
};
use crate::base::{Finding, Subject};
use crate::site::markdown::to_inline_html;

/// One phase of a change: a row of the overview's timeline, a section of
/// the runbook, a line of the announcements.
#[derive(Serialize)]
pub struct PhaseView {
    /// Its place in start order, from 1 ("Phase 2").
    pub number: usize,
    /// Its `name` as written.
    pub name: String,
    /// When it starts and ends, in the change's zone and UTC.
    pub start: When,
    /// See `start`.
    pub end: When,
    /// Start and end in the site's zone, when the change has another one.
    pub site_start: Option<When>,
    /// See `site_start`.
    pub site_end: Option<When>,
    /// Its `duration` as written back: "1h30m".
    pub duration: String,
    /// The first [`LIST_LIMIT`] systems by id, and how many more it changes.
    pub systems: Vec<Link>,
    /// Systems it changes past those in `systems`.
    pub more_systems: usize,
    /// The first [`LIST_LIMIT`] audiences it names, and how many more.
    pub audiences: Vec<Link>,
    /// Audiences it names past those in `audiences`.
    pub more_audiences: usize,
    /// The steps to carry out, in order, as sanitized inline HTML: the
    /// runbook's checklist.
    pub steps: Vec<String>,
    /// The go/no-go checks before moving on, as sanitized inline HTML.
    pub checks: Vec<String>,
    /// Findings located at this phase.
    pub findings: Vec<FindingView>,
}

/// Every phase of the change, in start order.
pub fn phases(cx: &ChangeCtx, root: &str) -> Vec<PhaseView> {
    phases_upto(cx, root, usize::MAX)
}

/// The first `limit` phases of the change in start order. The work is
/// linear in the phases shown and the change's findings, whatever the
/// number of phases.
pub fn phases_upto(cx: &ChangeCtx, root: &str, limit: usize) -> Vec<PhaseView> {
    let model = cx.model();
    let site = &model.config.site.timezone.tz;
    let in_site = |z: &ZonedDateTime| {
        (z.time_zone().iana_name() != site.iana_name())
            .then(|| When::of(&z.timestamp().to_zoned_datetime(site.clone())))
    };
    // The findings of each phase, gathered once.
    let mut at_phase: std::collections::BTreeMap<usize, Vec<&Finding>> = Default::default();
    for f in &cx.findings {
        for subject in &f.subject_refs {
            if let Subject::Phase { change, phase } = *subject
                && change == cx.ix
            {
                at_phase.entry(phase).or_default().push(f);
            }
        }
    }
    let mut order = cx.facts.phase_order();
    order.truncate(limit);
    order
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let phase = &cx.change.phases[p];
            let time = &cx.facts.phases[p];
            let (systems, more_systems) = bounded(
                by_id(
                    time.systems
                        .iter()
                        .map(|&s| system_link(root, &model.systems[s]))
                        .collect(),
                ),
                LIST_LIMIT,
            );
            let (audiences, more_audiences) = bounded(
                phase
                    .audiences
                    .iter()
                    .map(|a| {
                        let audience = &model.audiences[a.ix];
                        Link {
                            id: audience.id.value.clone(),
                            name: audience.name.clone(),
                            href: String::new(),
                            criticality: Some(audience.criticality.value),
                        }
                    })
                    .collect(),
                LIST_LIMIT,
            );
            let mut findings: Vec<&Finding> = at_phase.remove(&p).unwrap_or_default();
            // A finding naming the phase twice is shown once.
            findings.dedup_by(|a, b| std::ptr::eq(*a, *b));
            PhaseView {
                number: n + 1,
                name: phase.name.clone(),
                start: When::of(&time.start),
                end: When::of(&time.end),
                site_start: in_site(&time.start),
                site_end: in_site(&time.end),
                duration: phase.duration.value.to_string(),
                systems,
                more_systems,
                audiences,
                more_audiences,
                steps: phase.steps.iter().map(|s| to_inline_html(s)).collect(),
                checks: phase.checks.iter().map(|s| to_inline_html(s)).collect(),
                findings: findings
                    .into_iter()
                    .map(|f| finding_view(cx.checked, f))
                    .collect(),
            }
        })
        .collect()
}
