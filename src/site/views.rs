//! Render stage: one view per page, built in Rust from the checked model.
//! Templates only lay views out: every time is already formatted (local
//! and UTC), every Markdown field is already sanitized HTML, every link is
//! already relative to the page.

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::analysis::ChangeFacts;
use crate::analysis::score::Risk;
use crate::base::time::moment;
use crate::base::{Finding, Level, Subject, Summary};
use crate::check::Checked;
use crate::model::{Backup, Change, Criticality, Model, System, slug};
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::status::{StatusNotice, notice};

/// Lists on pages that could grow with the inventory stop at this many.
pub const LIST_LIMIT: usize = 50;

/// Phases on one page: a runbook of more phases is split into parts of
/// this many (`runbook.html`, `runbook-2.html`, ...); the overview's
/// timeline and the announcements list the first this many and say how
/// many follow.
pub const PHASES_PER_PAGE: usize = 100;

/// Findings listed on a change's overview; the runbook shows each phase's
/// own, and `cutover check` all of them.
pub const FINDINGS_PER_PAGE: usize = 100;

/// Impact paths of at most this many systems are shown whole; a longer one
/// shows its first `PATH_LIMIT - 1` systems, how many are left out, and the
/// changed system it ends at, so a page stays linear in what it lists
/// whatever the depth of a chain of integrations.
pub const PATH_LIMIT: usize = 8;

/// The path that makes a system impacted, bounded by [`PATH_LIMIT`].
#[derive(Serialize, Debug, PartialEq)]
pub struct PathView {
    /// From the system towards the changed one: "webshop → erp → db".
    pub path: Vec<String>,
    /// Systems left out between `path` and `path_last` (0: `path` is whole).
    pub path_more: usize,
    /// The changed system a shortened path ends at.
    pub path_last: Option<String>,
}

/// The bounded path from `system` to the change of `impact`.
pub fn path_view(model: &Model, impact: &crate::analysis::Impact, system: usize) -> PathView {
    let id = |s: usize| model.systems[s].id.value.clone();
    let total = impact.via.get(&system).map_or(1, |step| step.hops + 1);
    let shown = if total <= PATH_LIMIT {
        total
    } else {
        PATH_LIMIT - 1
    };
    let mut path = vec![id(system)];
    path.extend(
        impact
            .path_head(system, shown - 1)
            .iter()
            .map(|&(_, provider)| id(provider)),
    );
    let (path_more, path_last) = match impact.via.get(&system) {
        Some(step) if total > PATH_LIMIT => (total - shown - 1, Some(id(step.changed))),
        _ => (0, None),
    };
    PathView {
        path,
        path_more,
        path_last,
    }
}

/// Site-wide facts every page shows (header, footer, error banner).
#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub as_of: String,
    pub language: String,
    pub summary: Summary,
    /// Rendered with `--allow-errors` while the plan has errors.
    pub has_errors: bool,
}

/// "Sun 2026-12-06 02:00 CET" and "2026-12-06 01:00 UTC".
#[derive(Serialize, Clone)]
pub struct When {
    pub local: String,
    pub utc: String,
    /// Both, for one-line use: "Sun 2026-12-06 02:00 CET (01:00 UTC)".
    pub both: String,
    /// ISO 8601 with offset, for `<time datetime>`.
    pub iso: String,
}

impl When {
    pub fn of(z: &ZonedDateTime) -> When {
        let utc = z.timestamp().to_zoned_datetime(TimeZone::UTC);
        When {
            local: z.strftime("%a %Y-%m-%d %H:%M %Z").to_string(),
            utc: utc.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            both: moment(z),
            iso: z.timestamp().to_string(),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub id: String,
    pub name: String,
    pub href: String,
    pub criticality: Option<Criticality>,
}

/// Links sorted by id: page lists never follow the order of the files.
fn by_id(mut links: Vec<Link>) -> Vec<Link> {
    links.sort_by(|a, b| a.id.cmp(&b.id));
    links
}

/// A link to a system's page from a page `root` below the site root.
pub fn system_link(root: &str, system: &System) -> Link {
    Link {
        id: system.id.value.clone(),
        name: system.name.clone(),
        href: format!("{root}systems/{}.html", slug(&system.id.value)),
        criticality: Some(system.criticality.value),
    }
}

/// A link to a change's overview from a page `root` below the site root.
pub fn change_link(root: &str, change: &Change) -> Link {
    Link {
        id: change.id.value.clone(),
        name: change.title.clone(),
        href: format!("{root}changes/{}/index.html", slug(&change.id.value)),
        criticality: None,
    }
}

#[derive(Serialize, Clone)]
pub struct FindingView {
    pub rule: &'static str,
    pub level: Level,
    /// HTML: escaped text with `ids` as code.
    pub message: String,
    pub location: String,
    pub help: Option<String>,
}

/// Finding text as HTML: escaped, with `backticked` ids set as code.
pub fn code_spans(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // Pairs of backticks become code; an unpaired one stays as written.
    let mut i = 0;
    while i < rest.len() {
        if i + 1 < rest.len() {
            out.push_str("<code>");
            out.push_str(rest[i]);
            out.push_str("</code>");
            out.push_str(rest[i + 1]);
            i += 2;
        } else {
            out.push('`');
            out.push_str(rest[i]);
            i += 1;
        }
    }
    out
}

pub fn finding_view(checked: &Checked, finding: &Finding) -> FindingView {
    let file = checked.sources.get(finding.loc.file);
    let (line, column) = file.line_column(finding.loc.span.start);
    FindingView {
        rule: finding.rule.name(),
        level: finding.level,
        message: code_spans(&finding.message),
        location: format!("{}:{line}:{column}", file.path),
        help: finding.help.as_deref().map(code_spans),
    }
}

/// A change's row in lists.
#[derive(Serialize, Clone)]
pub struct ChangeRow {
    pub link: Link,
    pub status: String,
    pub active: bool,
    pub first_start: Option<When>,
    /// The first start as seconds since the epoch, for sorting and filtering.
    #[serde(skip)]
    pub first_start_at: Option<i64>,
    pub last_end: Option<When>,
    /// The last end as seconds since the epoch.
    #[serde(skip)]
    pub last_end_at: Option<i64>,
    pub risk: Option<Risk>,
    pub findings: Summary,
    pub owner: String,
}

impl ChangeRow {
    /// Order of change lists: by first start (changes without phases last,
    /// which cannot happen after loading), then id.
    pub fn by_start(a: &ChangeRow, b: &ChangeRow) -> std::cmp::Ordering {
        (a.first_start_at.unwrap_or(i64::MAX), &a.link.id)
            .cmp(&(b.first_start_at.unwrap_or(i64::MAX), &b.link.id))
    }
}

/// Everything the pages of one change share.
pub struct ChangeCtx<'a> {
    pub checked: &'a Checked,
    pub ix: usize,
    pub change: &'a Change,
    pub facts: &'a ChangeFacts,
    pub findings: Vec<&'a Finding>,
}

impl<'a> ChangeCtx<'a> {
    pub fn model(&self) -> &'a Model {
        &self.checked.model
    }

    /// Error findings on the change.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.level == Level::Error)
            .count()
    }

    /// The status banner of its pages, times in the change's zone; the
    /// errors are named, since an approved change should not run with them.
    pub fn status(&self) -> StatusNotice {
        notice(self.change, self.facts, &self.facts.tz, self.errors())
    }

    pub fn row(&self, root: &str) -> ChangeRow {
        ChangeRow {
            link: change_link(root, self.change),
            status: self.change.status.value.name().to_string(),
            active: self.change.status.value.is_active(),
            first_start: self.facts.first_start().map(When::of),
            first_start_at: self.facts.first_start().map(|z| z.timestamp().as_second()),
            last_end: self.facts.last_end().map(When::of),
            last_end_at: self.facts.last_end().map(|z| z.timestamp().as_second()),
            risk: self.checked.risks.get(self.ix).cloned(),
            findings: Summary::of(self.findings.iter().copied()),
            owner: self.change.owner.id.value.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct PhaseView {
    pub number: usize,
    pub name: String,
    pub start: When,
    pub end: When,
    /// Start and end in the site's zone, when the change has another one.
    pub site_start: Option<When>,
    pub site_end: Option<When>,
    pub duration: String,
    /// The first [`LIST_LIMIT`] systems by id, and how many more it changes.
    pub systems: Vec<Link>,
    pub more_systems: usize,
    /// The first [`LIST_LIMIT`] audiences it names, and how many more.
    pub audiences: Vec<Link>,
    pub more_audiences: usize,
    pub steps: Vec<String>,
    pub checks: Vec<String>,
    /// Findings located at this phase.
    pub findings: Vec<FindingView>,
}

/// The first `limit` (at most) of `items`, and how many are left out.
pub fn bounded<T>(mut items: Vec<T>, limit: usize) -> (Vec<T>, usize) {
    let more = items.len().saturating_sub(limit);
    items.truncate(limit);
    (items, more)
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

/// A known risk of a system the change touches (HTML).
#[derive(Serialize)]
pub struct SystemRisk {
    pub system: String,
    pub risk: String,
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

#[derive(Serialize)]
pub struct HealthView {
    pub system: Link,
    pub status: String,
    pub checked: Option<String>,
    pub notes: Option<String>,
}

#[derive(Serialize)]
pub struct MetricView {
    pub name: String,
    pub kind: String,
    pub threshold: Option<String>,
    pub source: Option<String>,
}

#[derive(Serialize)]
pub struct Checkpoint {
    pub label: String,
    pub at: When,
}

#[derive(Serialize)]
pub struct IncidentView {
    pub id: String,
    pub date: String,
    pub systems: Vec<String>,
    pub summary: String,
    pub lesson: Option<String>,
}

#[derive(Serialize)]
pub struct BackupView {
    pub none: Option<String>,
    /// Method, scope and location: escaped HTML with `names` as code.
    pub method: Option<String>,
    pub scope: Option<String>,
    pub location: Option<String>,
    pub restore_time: Option<String>,
    pub restore_tested: Option<String>,
}

fn backup(change: &Change) -> Option<BackupView> {
    Some(match change.backup.as_ref()? {
        Backup::None { reason, .. } => BackupView {
            none: Some(to_inline_html(&reason.value)),
            method: None,
            scope: None,
            location: None,
            restore_time: None,
            restore_tested: None,
        },
        Backup::Plan {
            method,
            scope,
            location,
            restore_time,
            restore_tested,
            ..
        } => BackupView {
            none: None,
            method: method.as_deref().map(code_spans),
            scope: scope.as_deref().map(code_spans),
            location: location.as_deref().map(code_spans),
            restore_time: restore_time.as_ref().map(|d| d.value.to_string()),
            restore_tested: restore_tested.as_ref().map(|d| d.value.to_string()),
        },
    })
}

#[derive(Serialize)]
pub struct CommunicationView {
    /// The first [`LIST_LIMIT`] audiences to tell, and how many more.
    pub audiences: Vec<AudienceView>,
    pub more_audiences: usize,
    pub channels: Vec<String>,
    pub contact: Option<String>,
    pub guidelines: Option<String>,
}

pub fn communication(cx: &ChangeCtx) -> Option<CommunicationView> {
    let c = cx.change.communication.as_ref()?;
    let model = cx.model();
    Some(CommunicationView {
        more_audiences: c.audiences.len().saturating_sub(LIST_LIMIT),
        audiences: c
            .audiences
            .iter()
            .take(LIST_LIMIT)
            .map(|a| {
                let audience = &model.audiences[a.ix];
                AudienceView {
                    id: audience.id.value.clone(),
                    name: audience.name.clone(),
                    criticality: audience.criticality.value,
                    contact: audience.contact.clone(),
                    notified: true,
                }
            })
            .collect(),
        channels: c.channels.clone(),
        contact: c.contact.clone(),
        guidelines: c.guidelines.as_deref().map(to_html),
    })
}

/// One part of the runbook of a change. A runbook of at most
/// [`PHASES_PER_PAGE`] phases is one page; a longer one is split into
/// parts of that many phases: the first part opens with everything before
/// the phases (risks, health, pre-checks, backup), the last ends with
/// everything after them (live monitoring, post-validation, the monitoring
/// period, communication), and each says which phases it holds and links
/// its neighbours.
#[derive(Serialize)]
pub struct RunbookView {
    pub row: ChangeRow,
    pub status: StatusNotice,
    /// This part (from 1) and how many there are.
    pub part: usize,
    pub parts: usize,
    /// The numbers of its first and last phases, of `phase_count`.
    pub first_phase: usize,
    pub last_phase: usize,
    pub phase_count: usize,
    /// Links to the first, previous, next and last parts (this one
    /// included, marked current): at most five, whatever the parts.
    pub part_links: Vec<PartLink>,
    /// The file of the next part, if there is one.
    pub next_part: Option<String>,
    /// How long a rollback takes, and the latest moment to start one per
    /// phase so it ends inside the window.
    pub rollback_time: Option<String>,
    pub deadlines: Vec<crate::site::deadline::Deadline>,
    pub summary: String,
    pub owner: TeamView,
    pub health: Vec<HealthView>,
    pub pre: Vec<String>,
    pub environment: Option<String>,
    pub backup: Option<BackupView>,
    pub phases: Vec<PhaseView>,
    pub during: Vec<String>,
    pub post: Vec<String>,
    pub monitoring_duration: Option<String>,
    pub monitoring_owner: Option<String>,
    pub metrics: Vec<MetricView>,
    pub checkpoints: Vec<Checkpoint>,
    pub communication: Option<CommunicationView>,
    pub risks: Vec<SystemRisk>,
    pub incidents: Vec<IncidentView>,
    pub rollback_triggers: Vec<String>,
}

/// A link to one part of a runbook.
#[derive(Serialize)]
pub struct PartLink {
    pub part: usize,
    /// Relative to the runbook (same folder).
    pub href: String,
    pub first_phase: usize,
    pub last_phase: usize,
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

#[derive(Serialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
    pub oncall: Option<String>,
}

pub fn team(model: &Model, ix: usize) -> TeamView {
    let team = &model.teams[ix];
    TeamView {
        id: team.id.value.clone(),
        name: team.name.clone(),
        email: team.email.clone(),
        chat: team.chat.clone(),
        oncall: team.oncall.clone(),
    }
}

pub fn incident_view(i: &crate::model::Incident) -> IncidentView {
    IncidentView {
        id: i.id.value.clone(),
        date: i.date.value.to_string(),
        systems: i.systems.iter().map(|s| s.id.value.clone()).collect(),
        summary: i.summary.clone(),
        lesson: i.lesson.as_deref().map(to_html),
    }
}

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
/// [`RunbookView`]). The phases and deadlines are built once and shared out.
pub fn runbook_views(cx: &ChangeCtx, root: &str) -> Vec<(String, RunbookView)> {
    let mut whole = runbook_view(cx, root);
    let count = whole.phases.len();
    let parts = runbook_parts(count);
    if parts == 1 {
        return vec![(runbook_file(1), whole)];
    }
    let mut phases = std::mem::take(&mut whole.phases).into_iter();
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
            row: whole.row.clone(),
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
            summary: String::new(),
            owner: team(cx.model(), cx.change.owner.ix),
            health: Vec::new(),
            pre: Vec::new(),
            environment: None,
            backup: None,
            phases: phases.by_ref().take(PHASES_PER_PAGE).collect(),
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

/// The whole runbook of a change, as one part.
fn runbook_view(cx: &ChangeCtx, root: &str) -> RunbookView {
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
    let phases = phases(cx, root);
    let count = phases.len();
    RunbookView {
        row: cx.row(root),
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
        summary: to_html(&change.summary),
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

/// The rollback checklist of a change.
#[derive(Serialize)]
pub struct RollbackView {
    pub row: ChangeRow,
    pub status: StatusNotice,
    pub present: bool,
    pub triggers: Vec<String>,
    pub owner: Option<TeamView>,
    pub time: Option<String>,
    pub point_of_no_return: Option<String>,
    pub steps: Vec<String>,
    pub switch_back: Option<String>,
    pub backup: Option<BackupView>,
    pub communication: Option<CommunicationView>,
    pub change_owner: TeamView,
}

pub fn rollback_view(cx: &ChangeCtx, root: &str) -> RollbackView {
    let model = cx.model();
    let rollback = cx.change.rollback.as_ref();
    RollbackView {
        row: cx.row(root),
        status: cx.status(),
        present: rollback.is_some(),
        triggers: rollback
            .map(|r| r.triggers.iter().map(|t| to_inline_html(t)).collect())
            .unwrap_or_default(),
        owner: rollback
            .and_then(|r| r.owner.as_ref())
            .map(|o| team(model, o.ix)),
        time: rollback
            .and_then(|r| r.time.as_ref())
            .map(|t| t.value.to_string()),
        point_of_no_return: rollback
            .and_then(|r| r.point_of_no_return.as_deref())
            .map(to_inline_html),
        steps: rollback
            .map(|r| r.steps.iter().map(|s| to_inline_html(s)).collect())
            .unwrap_or_default(),
        switch_back: rollback.and_then(|r| r.switch_back.as_deref()).map(to_html),
        backup: backup(cx.change),
        communication: communication(cx),
        change_owner: team(model, cx.change.owner.ix),
    }
}

#[cfg(test)]
mod tests {
    use super::code_spans;

    #[test]
    fn backticks_become_code_and_markup_is_escaped() {
        assert_eq!(
            code_spans("`erp` is <down> & `x"),
            "<code>erp</code> is &lt;down&gt; &amp; `x"
        );
    }
}
