//! Render stage: the overview page of a change (`changes/<slug>/index.html`):
//! what changes and why, its timeline, what it impacts, its findings,
//! approvals and outcome.

use serde::Serialize;

use super::{
    ChangeCtx, ChangeRow, ChangeShared, FINDINGS_PER_PAGE, FindingView, LIST_LIMIT, Link,
    PHASES_PER_PAGE, PathIx, PathView, PhaseView, When, runbook_file, system_link,
};
use crate::analysis::ChangeFacts;
use crate::model::Criticality;
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::status::StatusNotice;

/// A system the change touches, as the overview lists it under
/// "Changed and impacted".
#[derive(Serialize)]
pub struct ImpactedSystem {
    /// The system, with its criticality.
    pub link: Link,
    /// A phase of the change changes it; otherwise it is impacted through
    /// the integrations of `path`.
    pub changed: bool,
    /// From this system to the changed one: "webshop → erp → db".
    #[serde(flatten)]
    pub path: PathView,
}

/// What a change touches, on its overview: the systems it changes or
/// impacts, the business processes and the audiences that notice it.
#[derive(Serialize)]
pub struct ImpactView {
    /// The first [`LIST_LIMIT`] systems: changed ones first, then by
    /// criticality (highest first) and id.
    pub systems: Vec<ImpactedSystem>,
    /// Impacted systems past those in `systems`.
    pub more_systems: usize,
    /// The first [`LIST_LIMIT`] impacted processes, and how many more.
    pub processes: Vec<ProcessView>,
    /// Impacted processes past those in `processes`.
    pub more_processes: usize,
    /// The first [`LIST_LIMIT`] impacted audiences; past that, the counts
    /// of all of them and of those told.
    pub audiences: Vec<AudienceView>,
    /// Impacted audiences past those in `audiences`.
    pub more_audiences: usize,
    /// Impacted audiences in all.
    pub audience_count: usize,
    /// Of those, how many the change's `communication` tells.
    pub audiences_told: usize,
}

/// A business process a change impacts, on its overview.
#[derive(Serialize)]
pub struct ProcessView {
    /// Its inventory id.
    pub id: String,
    /// Its name: "Order to cash".
    pub name: String,
    /// How much the business depends on it.
    pub criticality: Criticality,
    /// How it goes on while its systems are down, as sanitized HTML; none
    /// is flagged "no fallback".
    pub fallback: Option<String>,
}

/// A group of users who notice a change: on the overview (impacted, told
/// or not), in the runbook's communication checklist and the announcements.
#[derive(Serialize)]
pub struct AudienceView {
    /// Its inventory id.
    pub id: String,
    /// Its name: "Warehouse staff".
    pub name: String,
    /// How much it matters that they can work.
    pub criticality: Criticality,
    /// Whom to tell, as written: a mailing list, a channel.
    pub contact: Option<String>,
    /// The change's `communication` names it.
    pub notified: bool,
}

fn impact(cx: &ChangeCtx, root: &str) -> ImpactView {
    let model = cx.model();
    let impact = &cx.facts.impact;
    let changed = |s: usize| cx.facts.changed.binary_search(&s).is_ok();
    let more_systems = impact.system_count().saturating_sub(LIST_LIMIT);
    // The paths of the systems shown come from the search the system
    // pages share (`SystemIndex::new`), in the order shown.
    let mut words = cx.shown_paths.as_slice();
    let systems: Vec<ImpactedSystem> = cx
        .shown
        .iter()
        .map_while(|&s| {
            let (path, rest) = PathIx::read(words)?;
            words = rest;
            Some(ImpactedSystem {
                link: system_link(root, &model.systems[s]),
                changed: changed(s),
                path: path.view(model),
            })
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

/// The impacted systems a change's overview shows, in the order shown:
/// changed systems first, then by criticality (highest first) and id (ties
/// in written order), at most [`LIST_LIMIT`]; `place` is the order of
/// criticality and id of every system, and `order` every system in that
/// order. Only these are ordered, not every impacted one: an impact of at
/// least a 64th of the systems is walked in `order` until enough are
/// found (about 64 steps per system shown at most), a smaller one
/// collected and the first few selected.
pub fn shown_systems(facts: &ChangeFacts, place: &[u32], order: &[usize]) -> Vec<usize> {
    let changed = |s: usize| facts.changed.binary_search(&s).is_ok();
    let impact = &facts.impact;
    if impact.system_count() > LIST_LIMIT && impact.system_count() * 64 >= order.len() {
        let mut shown: Vec<usize> = facts
            .changed
            .iter()
            .copied()
            .filter(|&s| impact.contains(s))
            .collect();
        shown.sort_unstable_by_key(|&s| place[s]);
        shown.truncate(LIST_LIMIT);
        let mut rest = order.iter().copied();
        while shown.len() < LIST_LIMIT {
            let Some(s) = rest.next() else { break };
            if impact.contains(s) && !changed(s) {
                shown.push(s);
            }
        }
        return shown;
    }
    let key = |s: &usize| (u64::from(!changed(*s)) << 32) | u64::from(place[*s]);
    let mut shown: Vec<usize> = facts.impact.systems().collect();
    if shown.len() > LIST_LIMIT {
        shown.select_nth_unstable_by_key(LIST_LIMIT, key);
        shown.truncate(LIST_LIMIT);
        // Kept for the page: not the room of every impacted system.
        shown.shrink_to_fit();
    }
    shown.sort_unstable_by_key(key);
    shown
}

/// The overview page of a change.
#[derive(Serialize)]
pub struct ChangeView<'a> {
    /// The change as lists show it: title, status, first start, risk,
    /// finding counts, owner.
    pub row: &'a ChangeRow,
    /// The status banner at the top of the page.
    pub status: StatusNotice,
    /// What changes, as sanitized HTML (`summary`).
    pub summary: &'a str,
    /// Why, as sanitized HTML (`why`).
    pub why: &'a str,
    /// What users will notice, as sanitized HTML (`impact`); none is shown
    /// as "Not described".
    pub impact_text: Option<&'a str>,
    /// The expected downtime as written back: "15m".
    pub downtime: Option<String>,
    /// The day its announcement goes out (`announced`): `2026-11-05`.
    pub announced: Option<String>,
    /// The IANA zone its times are given in: `Europe/Berlin`.
    pub timezone: String,
    /// The first [`PHASES_PER_PAGE`] phases; `more_phases` follow, in the
    /// runbook's parts from `more_phases_href` on.
    pub phases: &'a [PhaseView<'a>],
    /// Phases of the change in all.
    pub phase_count: usize,
    /// Phases past those in `phases`.
    pub more_phases: usize,
    /// The runbook part that holds the first of them: `runbook-2.html`.
    pub more_phases_href: Option<String>,
    /// The systems, processes and audiences it touches.
    pub impact: ImpactView,
    /// The first [`FINDINGS_PER_PAGE`] findings on the change, and how
    /// many more.
    pub findings: Vec<&'a FindingView>,
    /// Findings past those in `findings`.
    pub more_findings: usize,
    /// Who approved it and when, as written.
    pub approvals: Vec<ApprovalView>,
    /// How it went, once it has run.
    pub outcome: Option<OutcomeView>,
}

/// One approval of a change, on its overview: "CAB on 2026-11-12".
#[derive(Serialize)]
pub struct ApprovalView {
    /// Who approved it, as written.
    pub by: String,
    /// The date of the approval.
    pub date: String,
}

/// How a change went (`[change.outcome]`): on its overview and in its
/// completion notice.
#[derive(Serialize)]
pub struct OutcomeView {
    /// `success`, `partial`, `rolled-back` or `failed`.
    pub result: String,
    /// When it was completed, in the change's zone and UTC.
    pub completed: Option<When>,
    /// What happened, as sanitized HTML.
    pub notes: Option<String>,
    /// Issues left open, each as sanitized inline HTML.
    pub issues: Vec<String>,
}

/// The outcome of the change, when one is written.
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

/// The overview page of the change (`changes/<slug>/index.html`), linked
/// from a page `root` below the site root; its row, texts, timeline (the
/// first [`PHASES_PER_PAGE`] phases) and findings are those of `shared`
/// (of the same change, linked from the same `root`).
pub fn change_view<'a>(cx: &ChangeCtx, root: &str, shared: &'a ChangeShared<'a>) -> ChangeView<'a> {
    let change = cx.change;
    ChangeView {
        row: &shared.row,
        status: cx.status(),
        summary: &shared.summary,
        why: &shared.why,
        impact_text: shared.impact.as_deref(),
        downtime: change.downtime.as_ref().map(|d| d.value.to_string()),
        announced: change.announced.as_ref().map(|a| a.value.to_string()),
        timezone: cx.facts.tz.iana_name().unwrap_or("UTC").to_string(),
        phases: shared.first_phases(),
        phase_count: change.phases.len(),
        more_phases: change.phases.len().saturating_sub(PHASES_PER_PAGE),
        more_phases_href: (change.phases.len() > PHASES_PER_PAGE).then(|| runbook_file(2)),
        impact: impact(cx, root),
        findings: shared.findings.first_page(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every impacted system ordered (changed first, then by place), the
    /// first [`LIST_LIMIT`]: what [`shown_systems`] must give, for impacts
    /// of any size.
    fn by_sort(facts: &ChangeFacts, place: &[u32]) -> Vec<usize> {
        let changed = |s: usize| facts.changed.binary_search(&s).is_ok();
        let mut all: Vec<usize> = facts.impact.systems().collect();
        all.sort_unstable_by_key(|&s| (!changed(s), place[s]));
        all.truncate(LIST_LIMIT);
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Walked in place order (an impact of a 64th of the systems or
        /// more) or collected and selected, the systems shown are the
        /// first of every impacted system in the order shown.
        #[test]
        fn shown_systems_are_the_first_of_all_impacted_in_order(
            crit in proptest::collection::vec(0usize..4, 80..240),
            provider in proptest::collection::vec(0usize..8, 240),
            changes in proptest::collection::vec(
                proptest::collection::vec(0usize..240, 1..60), 1..6),
        ) {
            // Providers among the first few systems make hubs whose
            // impact is most of the plan.
            let provider: Vec<usize> = provider.iter().enumerate()
                .map(|(s, &p)| if s % 3 == 0 { p } else { s.saturating_sub(1 + p) })
                .collect();
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("inv.toml"), crate::site::test_support::inventory(&crit, &provider, &changes)).unwrap();
            let loaded = crate::inventory::load(dir.path()).unwrap();
            prop_assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
            let model = &loaded.model;
            let (facts, _) = crate::analysis::analyse(model, jiff::civil::date(2026, 11, 24));
            let (place, order) = crate::site::system_places(model, &facts.system_rank);
            let mut walked = 0;
            for change in &facts.changes {
                let count = change.impact.system_count();
                if count > LIST_LIMIT && count * 64 >= order.len() {
                    walked += 1;
                }
                prop_assert_eq!(shown_systems(change, &place, &order), by_sort(change, &place));
            }
            // The walk is taken by some change of every plan with a hub.
            prop_assert!(walked > 0 || facts.changes.iter().all(|c| c.impact.system_count() <= LIST_LIMIT));
        }
    }
}
