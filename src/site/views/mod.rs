//! Render stage: one view per page, built in Rust from the checked model.
//! Templates only lay views out: every time is already formatted (local
//! and UTC), every Markdown field is already sanitized HTML, every link is
//! already relative to the page.
//!
//! This module holds what every page shares (times, links, findings, the
//! row of a change in lists, the context of one change's pages); the views
//! of a change's pages live in one file per page family: `phase` (the
//! phases of a change), `overview` (its overview page), `sections` (parts
//! the runbook, the rollback checklist and the announcements share),
//! `runbook` and `rollback`.

mod overview;
mod phase;
mod rollback;
mod runbook;
mod sections;

pub use overview::{
    ApprovalView, AudienceView, ChangeView, ImpactView, ImpactedSystem, OutcomeView, ProcessView,
    change_view, outcome, shown_systems,
};
pub use phase::{ChangeFindings, PhaseView, phases};
pub use rollback::{RollbackView, rollback_view};
pub use runbook::{
    Checkpoint, HealthView, MetricView, PartLink, RunbookView, SystemRisk, runbook_file,
    runbook_parts, runbook_views,
};
pub use sections::{
    BackupView, CommunicationView, IncidentView, TeamView, communication, incident_view, team,
};

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::analysis::ChangeFacts;
use crate::analysis::score::Risk;
use crate::base::time::moment;
use crate::base::{Finding, Level, Summary};
use crate::check::Checked;
use crate::model::{Change, Criticality, Model, System, slug};
use crate::site::markdown::{to_html, to_text};
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

/// A [`PathView`] as system indices, to keep many of them small.
#[derive(Debug, Clone, PartialEq)]
pub struct PathIx {
    path: Vec<u32>,
    more: usize,
    last: Option<u32>,
}

impl PathIx {
    /// The bounded path from `system` to the change of `paths`.
    pub fn new(paths: &crate::analysis::Paths, system: usize) -> PathIx {
        let ix = |s: usize| u32::try_from(s).unwrap_or(u32::MAX);
        let total = paths.step(system).map_or(1, |step| step.hops + 1);
        let shown = if total <= PATH_LIMIT {
            total
        } else {
            PATH_LIMIT - 1
        };
        let mut path = vec![ix(system)];
        path.extend(
            paths
                .head(system, shown - 1)
                .iter()
                .map(|&(_, provider)| ix(provider)),
        );
        let (more, last) = match paths.step(system) {
            Some(step) if total > PATH_LIMIT => (total - shown - 1, Some(ix(step.changed))),
            _ => (0, None),
        };
        PathIx { path, more, last }
    }

    /// Appends the path to `out` as words: its length, its systems, the
    /// systems left out and the changed one at the end (`u32::MAX` for
    /// none); [`PathIx::read`] takes it back.
    pub fn write(&self, out: &mut Vec<u32>) {
        out.push(u32::try_from(self.path.len()).unwrap_or(u32::MAX));
        out.extend_from_slice(&self.path);
        out.push(u32::try_from(self.more).unwrap_or(u32::MAX));
        out.push(self.last.unwrap_or(u32::MAX));
    }

    /// The path at the start of `words` (see [`PathIx::write`]) and the
    /// words after it.
    pub fn read(words: &[u32]) -> Option<(PathIx, &[u32])> {
        let (&len, rest) = words.split_first()?;
        let len = len as usize;
        let path = rest.get(..len)?.to_vec();
        let (&more, rest) = rest.get(len..)?.split_first()?;
        let (&last, rest) = rest.split_first()?;
        let path = PathIx {
            path,
            more: more as usize,
            last: (last != u32::MAX).then_some(last),
        };
        Some((path, rest))
    }

    /// The path with system ids.
    pub fn view(&self, model: &Model) -> PathView {
        let id = |s: u32| model.systems[s as usize].id.value.clone();
        PathView {
            path: self.path.iter().map(|&s| id(s)).collect(),
            path_more: self.more,
            path_last: self.last.map(id),
        }
    }
}

/// Site-wide facts every page shows (header, footer, error banner).
#[derive(Serialize)]
pub struct SiteView {
    /// The site's name (`site.title`), in every page's title and header.
    pub title: String,
    /// The date the plan is judged on (`--as-of`), `2026-11-20`.
    pub as_of: String,
    /// The `lang` of every page (`site.language`).
    pub language: String,
    /// Errors, warnings and infos of the whole plan, for the error banner.
    pub summary: Summary,
    /// Rendered with `--allow-errors` while the plan has errors.
    pub has_errors: bool,
}

/// "Sun 2026-12-06 02:00 CET" and "2026-12-06 01:00 UTC".
#[derive(Serialize, Clone)]
pub struct When {
    /// In the zone it was given in (the change's, or the site's):
    /// "Sun 2026-12-06 02:00 CET".
    pub local: String,
    /// The same instant in UTC: "2026-12-06 01:00 UTC".
    pub utc: String,
    /// Both, for one-line use: "Sun 2026-12-06 02:00 CET (01:00 UTC)".
    pub both: String,
    /// ISO 8601 with offset, for `<time datetime>`.
    pub iso: String,
}

impl When {
    /// The forms of `z`, local to its own zone.
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

/// A named entity as pages list it: a system, change, process or audience,
/// with the address of its page when it has one.
#[derive(Serialize, Clone)]
pub struct Link {
    /// Its inventory id: `erp`, `CHG-2041`.
    pub id: String,
    /// Its name (a change's title).
    pub name: String,
    /// Its page relative to the linking page; empty for entities without a
    /// page of their own (processes, audiences).
    pub href: String,
    /// The criticality of a system, process or audience; none for changes.
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

/// One finding as a page lists it (overview, runbook phase, risk report).
#[derive(Serialize, Clone)]
pub struct FindingView {
    /// The rule that fired: `outside-window`.
    pub rule: &'static str,
    /// Error, warning or info, after the `[rules]` overrides.
    pub level: Level,
    /// HTML: escaped text with `ids` as code.
    pub message: String,
    /// Where in the inventory: `changes/chg-2041.toml:12:1`.
    pub location: String,
    /// How to fix it, as HTML like `message`, when the rule says.
    pub help: Option<String>,
}

/// Finding text as HTML: escaped, with `backticked` ids set as code.
pub fn code_spans(text: &str) -> String {
    // One pass: pairs of backticks become code; an unpaired last one stays
    // as written.
    let ticks = text.bytes().filter(|&b| b == b'`').count();
    let paired = ticks - ticks % 2;
    let mut out = String::with_capacity(text.len() + 16 + paired * 5);
    let mut seen = 0;
    let mut plain = 0;
    for (at, b) in text.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'`' if seen < paired => {
                seen += 1;
                if seen % 2 == 1 { "<code>" } else { "</code>" }
            }
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(replacement);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
    out
}

/// `finding` as pages show it, located in the inventory file it points at.
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
    /// The change's id, title and overview page.
    pub link: Link,
    /// Its `status` as written: `approved`, `in-progress`, ...
    pub status: String,
    /// Not yet closed (draft to in progress): dashboards and the risk
    /// report count only these.
    pub active: bool,
    /// When its first phase starts, in the change's zone and UTC.
    pub first_start: Option<When>,
    /// The first start as seconds since the epoch, for sorting and filtering.
    #[serde(skip)]
    pub first_start_at: Option<i64>,
    /// When its last phase ends.
    pub last_end: Option<When>,
    /// The last end as seconds since the epoch.
    #[serde(skip)]
    pub last_end_at: Option<i64>,
    /// Its risk score with the terms that add up to it.
    pub risk: Option<Risk>,
    /// How many errors, warnings and infos are on the change.
    pub findings: Summary,
    /// The id of the owning team.
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
    /// The checked plan the site is built from.
    pub checked: &'a Checked,
    /// The change's index in `checked.model.changes`.
    pub ix: usize,
    /// The change itself.
    pub change: &'a Change,
    /// What the analysis computed for it: phase instants, impact, zone.
    pub facts: &'a ChangeFacts,
    /// The findings on the change, in report order.
    pub findings: Vec<&'a Finding>,
    /// The impacted systems its overview shows ([`shown_systems`]).
    pub shown: Vec<usize>,
    /// Their paths to the change, as [`PathIx::write`] writes them.
    pub shown_paths: Vec<u32>,
}

impl<'a> ChangeCtx<'a> {
    /// The model the change belongs to.
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

    /// The change's row in lists, linked from a page `root` below the site
    /// root.
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

/// What several pages of one change show alike, built once by the job that
/// renders them and lent to the view of each: its row, the Markdown of its
/// texts as HTML and as plain text, and its phases.
pub struct ChangeShared<'a> {
    /// The change's row, linked from the change's folder.
    pub row: ChangeRow,
    /// `summary` as sanitized HTML: overview, runbook, announcements.
    pub summary: String,
    /// `why` as sanitized HTML: overview, announcements.
    pub why: String,
    /// `impact` as sanitized HTML, when written: overview, announcements.
    pub impact: Option<String>,
    /// `summary` as plain text: announcements.
    pub summary_text: String,
    /// `why` as plain text: announcements.
    pub why_text: String,
    /// `impact` as plain text, when written: announcements.
    pub impact_text: Option<String>,
    /// Every phase in start order (see [`phases`]): the overview and the
    /// announcements show the first [`PHASES_PER_PAGE`], the runbook all.
    pub phases: Vec<PhaseView<'a>>,
    /// The views of the findings the change's pages show.
    pub findings: &'a ChangeFindings,
}

impl<'a> ChangeShared<'a> {
    /// What the pages of the change of `cx` share, linked from a page
    /// `root` below the site root (the change's folder), its findings from
    /// `findings` (those of the same change).
    pub fn new(cx: &ChangeCtx, root: &str, findings: &'a ChangeFindings) -> ChangeShared<'a> {
        let change = cx.change;
        ChangeShared {
            row: cx.row(root),
            summary: to_html(&change.summary),
            why: to_html(&change.why),
            impact: change.impact.as_deref().map(to_html),
            summary_text: to_text(&change.summary),
            why_text: to_text(&change.why),
            impact_text: change.impact.as_deref().map(to_text),
            phases: phases(cx, findings, root),
            findings,
        }
    }

    /// The first [`PHASES_PER_PAGE`] phases: the overview's timeline and
    /// the announcements' list.
    pub fn first_phases(&self) -> &[PhaseView<'a>] {
        &self.phases[..self.phases.len().min(PHASES_PER_PAGE)]
    }
}

/// The first `limit` (at most) of `items`, and how many are left out.
pub fn bounded<T>(mut items: Vec<T>, limit: usize) -> (Vec<T>, usize) {
    let more = items.len().saturating_sub(limit);
    items.truncate(limit);
    (items, more)
}

#[cfg(test)]
mod tests {
    use super::PathIx;

    #[test]
    fn paths_as_words_read_back() {
        let paths = [
            PathIx {
                path: vec![3],
                more: 0,
                last: None,
            },
            PathIx {
                path: vec![1, 2, 3, 4, 5, 6, 7],
                more: 12,
                last: Some(9),
            },
            PathIx {
                path: vec![0, u32::MAX - 1],
                more: 0,
                last: None,
            },
        ];
        let mut words = Vec::new();
        for path in &paths {
            path.write(&mut words);
        }
        let mut rest = words.as_slice();
        for path in &paths {
            let (read, after) = PathIx::read(rest).unwrap();
            assert_eq!(&read, path);
            rest = after;
        }
        assert!(rest.is_empty() && PathIx::read(rest).is_none());
        assert!(PathIx::read(&[2, 5]).is_none(), "cut short");
    }

    use super::code_spans;

    #[test]
    fn backticks_become_code_and_markup_is_escaped() {
        assert_eq!(
            code_spans("`erp` is <down> & `x"),
            "<code>erp</code> is &lt;down&gt; &amp; `x"
        );
        assert_eq!(code_spans(""), "");
        assert_eq!(code_spans("``"), "<code></code>");
        assert_eq!(code_spans("a`b`c`d`e`"), "a<code>b</code>c<code>d</code>e`");
        assert_eq!(
            code_spans("\"é\" `ç<>`"),
            "&quot;é&quot; <code>ç&lt;&gt;</code>"
        );
    }

    /// The escaping and pairing as first written (replace, then split at
    /// backticks), which the one-pass version must match.
    fn by_replace_and_split(text: &str) -> String {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        let mut parts = escaped.split('`');
        let mut out = parts.next().unwrap_or_default().to_string();
        let rest: Vec<&str> = parts.collect();
        let mut i = 0;
        while i < rest.len() {
            if i + 1 < rest.len() {
                out.push_str(&format!("<code>{}</code>{}", rest[i], rest[i + 1]));
                i += 2;
            } else {
                out.push('`');
                out.push_str(rest[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn one_pass_matches_replace_and_split(text in "[a`&<>\"é ]{0,40}") {
            proptest::prop_assert_eq!(code_spans(&text), by_replace_and_split(&text));
        }
    }
}
