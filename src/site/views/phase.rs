//! Render stage: the phases of a change as its overview, runbook and
//! announcements list them, and the views of the change's findings those
//! pages show. Both are built once per change and lent to the views of all
//! its pages.

use jiff::ZonedDateTime;
use serde::Serialize;

use super::{
    ChangeCtx, FINDINGS_PER_PAGE, FindingView, LIST_LIMIT, Link, When, bounded, by_id,
    finding_view, system_link,
};
use crate::base::Subject;
use crate::site::markdown::to_inline_html;

/// One phase of a change: a row of the overview's timeline, a section of
/// the runbook, a line of the announcements.
#[derive(Serialize)]
pub struct PhaseView<'a> {
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
    pub findings: Vec<&'a FindingView>,
}

/// The findings of one change as its pages show them, each view built
/// once for all of them: the overview's first [`FINDINGS_PER_PAGE`] and
/// those located at a phase (the runbook's).
pub struct ChangeFindings {
    /// By position in the change's findings: the view of each one a page
    /// shows.
    views: Vec<Option<FindingView>>,
    /// Per phase (index in the change's `phases`), the positions of the
    /// findings located at it, in report order, each once.
    at_phase: std::collections::BTreeMap<usize, Vec<usize>>,
}

impl ChangeFindings {
    /// The views of the findings of `cx` that its pages show. The work is
    /// linear in the change's findings.
    pub fn new(cx: &ChangeCtx) -> ChangeFindings {
        let mut at_phase: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, f) in cx.findings.iter().enumerate() {
            for subject in f.subject_refs() {
                if let Subject::Phase { change, phase } = subject
                    && change == cx.ix
                {
                    let list = at_phase.entry(phase).or_default();
                    // A finding naming the phase twice is shown once.
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        let mut shown: Vec<bool> = (0..cx.findings.len())
            .map(|i| i < FINDINGS_PER_PAGE)
            .collect();
        for &i in at_phase.values().flatten() {
            shown[i] = true;
        }
        let views = cx
            .findings
            .iter()
            .zip(shown)
            .map(|(f, shown)| shown.then(|| finding_view(cx.checked, f)))
            .collect();
        ChangeFindings { views, at_phase }
    }

    /// The views of the first [`FINDINGS_PER_PAGE`] findings, in report
    /// order: those the overview lists.
    pub fn first_page(&self) -> Vec<&FindingView> {
        self.views
            .iter()
            .take(FINDINGS_PER_PAGE)
            .flatten()
            .collect()
    }

    /// The views of the findings located at phase `p`, in report order.
    fn at_phase(&self, p: usize) -> Vec<&FindingView> {
        self.at_phase
            .get(&p)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.views[i].as_ref())
            .collect()
    }
}

/// Every phase of the change in start order, linked from a page `root`
/// below the site root, with the views of its findings from `findings`
/// (those of the same change). The overview and the announcements show the
/// first [`PHASES_PER_PAGE`](super::PHASES_PER_PAGE) of them, the runbook
/// all, each page from the same list. The work is linear in the phases and
/// the change's findings.
pub fn phases<'a>(cx: &ChangeCtx, findings: &'a ChangeFindings, root: &str) -> Vec<PhaseView<'a>> {
    let model = cx.model();
    let site = &model.config.site.timezone.tz;
    let in_site = |z: &ZonedDateTime| {
        (z.time_zone().iana_name() != site.iana_name())
            .then(|| When::of(&z.timestamp().to_zoned_datetime(site.clone())))
    };
    cx.facts
        .phase_order()
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
                findings: findings.at_phase(p),
            }
        })
        .collect()
}
