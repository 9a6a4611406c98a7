//! Render stage: the dashboard (`index.html`): what runs, what is stale,
//! what was approved with errors, what comes next.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::score::RiskLevel;
use crate::base::Summary;
use crate::check::Checked;
use crate::model::Status;
use crate::site::views::{ChangeRow, LIST_LIMIT};

/// The dashboard (`index.html`): what needs attention on the as-of date,
/// then the upcoming changes. Each list stops at [`LIST_LIMIT`] rows and
/// says how many more there are.
#[derive(Serialize)]
pub struct IndexView {
    /// Active changes running on the as-of date: started before it and
    /// not past their last phase (or marked in progress).
    pub in_progress: Vec<FlaggedRow>,
    /// Running changes past those in `in_progress`.
    pub more_in_progress: usize,
    /// Active changes whose last phase ended before the as-of date but
    /// that are not closed (completed, rolled back or cancelled).
    pub stale: Vec<FlaggedRow>,
    /// Stale changes past those in `stale`.
    pub more_stale: usize,
    /// Approved, scheduled or in-progress changes that still have errors.
    pub approved_with_errors: Vec<FlaggedRow>,
    /// Such changes past those in `approved_with_errors`.
    pub more_approved_with_errors: usize,
    /// Active changes starting on the as-of date or later.
    pub upcoming: Vec<ChangeRow>,
    /// Upcoming changes past those in `upcoming`.
    pub more_upcoming: usize,
    /// Active changes per risk level, highest level first; levels no
    /// change has are left out.
    pub by_risk: Vec<RiskCount>,
    /// Errors, warnings and infos of the whole plan.
    pub summary: Summary,
    /// How many changes, systems, integrations, processes and periods the
    /// inventory holds, for the lead line: keys `changes`, `systems`, ...
    pub counts: BTreeMap<&'static str, usize>,
}

/// A change on the dashboard with what needs attention.
#[derive(Serialize, Clone)]
pub struct FlaggedRow {
    /// The change as lists show it.
    pub row: ChangeRow,
    /// "in progress", "stale", "approved with errors".
    pub flag: &'static str,
    /// Plain text: "started Sun ..., last phase ends Sun ...".
    pub why: String,
}

/// Where a change stands on the as-of date (`today`: its first instant in
/// the site's zone, in seconds).
fn standing(row: &ChangeRow, today: i64) -> (bool, bool) {
    let stale = row.last_end_at.is_some_and(|end| end < today);
    let running = !stale
        && (row.status == Status::InProgress.name()
            || row.first_start_at.is_some_and(|start| start < today));
    (stale, running)
}

/// The first `LIST_LIMIT` rows and how many more there are.
fn bounded<T>(mut rows: Vec<T>) -> (Vec<T>, usize) {
    let more = rows.len().saturating_sub(LIST_LIMIT);
    rows.truncate(LIST_LIMIT);
    (rows, more)
}

/// The dashboard from the rows of every change (`rows`, as the change
/// list has them): each active change is running, stale or upcoming on the
/// as-of date, and flagged again when it is approved with errors.
pub fn index_view(checked: &Checked, rows: &[ChangeRow]) -> IndexView {
    // From midnight of the as-of date in the site's zone.
    let today = crate::base::time::day_start(checked.as_of, &checked.model.config.site.timezone.tz)
        .timestamp()
        .as_second();
    let mut sorted: Vec<&ChangeRow> = rows.iter().filter(|r| r.active).collect();
    sorted.sort_by(|a, b| ChangeRow::by_start(a, b));
    let local = |w: &Option<crate::site::views::When>| {
        w.as_ref().map_or_else(String::new, |w| w.both.clone())
    };
    let mut in_progress = Vec::new();
    let mut stale = Vec::new();
    let mut approved_with_errors = Vec::new();
    let mut upcoming = Vec::new();
    for row in sorted {
        let (is_stale, running) = standing(row, today);
        if is_stale {
            stale.push(FlaggedRow {
                row: row.clone(),
                flag: "stale",
                why: format!(
                    "its last phase ended {}, but it is still {}: record the outcome or move the phases",
                    local(&row.last_end),
                    row.status
                ),
            });
        } else if running {
            in_progress.push(FlaggedRow {
                row: row.clone(),
                flag: "in progress",
                why: format!(
                    "{} {}; its last phase ends {}{}",
                    // Marked in progress ahead of its first phase: say so.
                    if row.first_start_at.is_some_and(|start| start >= today) {
                        "marked in progress, but its first phase starts"
                    } else {
                        "started"
                    },
                    local(&row.first_start),
                    local(&row.last_end),
                    if row.status == Status::InProgress.name() {
                        String::new()
                    } else {
                        format!(" (status still {})", row.status)
                    }
                ),
            });
        } else if row.first_start_at.is_some() {
            upcoming.push(row.clone());
        }
        let approved = [Status::Approved, Status::Scheduled, Status::InProgress]
            .iter()
            .any(|s| s.name() == row.status);
        if approved && row.findings.errors > 0 {
            approved_with_errors.push(FlaggedRow {
                row: row.clone(),
                flag: "approved with errors",
                why: format!(
                    "{}, while its plan has {} error{}: fix {} before it runs, or withdraw the approval",
                    row.status,
                    row.findings.errors,
                    if row.findings.errors == 1 { "" } else { "s" },
                    if row.findings.errors == 1 { "it" } else { "them" }
                ),
            });
        }
    }
    let (in_progress, more_in_progress) = bounded(in_progress);
    let (stale, more_stale) = bounded(stale);
    let (approved_with_errors, more_approved_with_errors) = bounded(approved_with_errors);
    let (upcoming, more_upcoming) = bounded(upcoming);
    let by_risk = risk_counts(
        rows.iter()
            .filter(|r| r.active)
            .filter_map(|r| r.risk.as_ref().map(|risk| risk.level)),
    );
    let model = &checked.model;
    let counts = BTreeMap::from([
        ("changes", model.changes.len()),
        ("systems", model.systems.len()),
        ("integrations", model.integrations.len()),
        ("processes", model.processes.len()),
        ("periods", model.periods.len()),
    ]);
    IndexView {
        in_progress,
        more_in_progress,
        stale,
        more_stale,
        approved_with_errors,
        more_approved_with_errors,
        upcoming,
        more_upcoming,
        by_risk,
        summary: Summary::of(&checked.findings),
        counts,
    }
}

/// How many of `levels` fall in each risk level, highest level first,
/// levels with none left out: the dashboard's tiles and the risk report's
/// counts.
pub fn risk_counts(levels: impl Iterator<Item = RiskLevel>) -> Vec<RiskCount> {
    let mut counts = BTreeMap::new();
    for level in levels {
        *counts.entry(level).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .rev()
        .map(|(level, count)| RiskCount { level, count })
        .collect()
}

/// One tile of the dashboard's "Active changes by risk": "3 high".
#[derive(Serialize, Clone)]
pub struct RiskCount {
    /// The risk level.
    pub level: RiskLevel,
    /// Active changes whose score falls in it.
    pub count: usize,
}
