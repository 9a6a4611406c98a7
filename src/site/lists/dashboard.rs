//! Render stage: the dashboard (`index.html`): what runs, what is stale,
//! what was approved with errors, what comes next.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::score::RiskLevel;
use crate::base::Summary;
use crate::check::Checked;
use crate::model::Status;
use crate::site::views::{ChangeRow, LIST_LIMIT};

/// The dashboard.
#[derive(Serialize)]
pub struct IndexView {
    /// Active changes running on the as-of date: started before it and
    /// not past their last phase (or marked in progress).
    pub in_progress: Vec<FlaggedRow>,
    pub more_in_progress: usize,
    /// Active changes whose last phase ended before the as-of date but
    /// that are not closed (completed, rolled back or cancelled).
    pub stale: Vec<FlaggedRow>,
    pub more_stale: usize,
    /// Approved, scheduled or in-progress changes that still have errors.
    pub approved_with_errors: Vec<FlaggedRow>,
    pub more_approved_with_errors: usize,
    /// Active changes starting on the as-of date or later.
    pub upcoming: Vec<ChangeRow>,
    pub more_upcoming: usize,
    pub by_risk: Vec<RiskCount>,
    pub summary: Summary,
    pub counts: BTreeMap<&'static str, usize>,
}

/// A change on the dashboard with what needs attention.
#[derive(Serialize, Clone)]
pub struct FlaggedRow {
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
    let mut by_risk = BTreeMap::new();
    for row in rows.iter().filter(|r| r.active) {
        if let Some(risk) = &row.risk {
            *by_risk.entry(risk.level).or_insert(0) += 1;
        }
    }
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
        by_risk: by_risk
            .into_iter()
            .rev()
            .map(|(level, count)| RiskCount { level, count })
            .collect(),
        summary: Summary::of(&checked.findings),
        counts,
    }
}

#[derive(Serialize)]
pub struct RiskCount {
    pub level: RiskLevel,
    pub count: usize,
}
