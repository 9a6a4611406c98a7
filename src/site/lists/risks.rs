//! Render stage: the risk report (`risks/index.html`) for the approval
//! board.

use serde::Serialize;

use crate::check::Checked;
use crate::site::views::{ChangeCtx, ChangeRow, FindingView, finding_view};

/// The risk report: active changes by score, highest first, with terms
/// and findings.
#[derive(Serialize)]
pub struct RiskReportView {
    /// Active changes, highest score first, then by id: a row of the
    /// overview table and a section each.
    pub changes: Vec<RiskEntry>,
}

/// One change in the risk report: its score with the terms that add up to
/// it (in `row.risk`) and its most serious findings.
#[derive(Serialize)]
pub struct RiskEntry {
    /// The change as lists show it, with its risk.
    pub row: ChangeRow,
    /// The most serious findings, at most [`RISK_FINDINGS`]; the change's
    /// own page lists them all.
    pub findings: Vec<FindingView>,
    /// Findings on the change past those in `findings`.
    pub more_findings: usize,
}

/// Findings listed per change in the risk report.
pub const RISK_FINDINGS: usize = 10;

/// The risk report: active changes by score (highest first, then id), each
/// with its most serious findings.
pub fn risk_report(checked: &Checked, contexts: &[ChangeCtx]) -> RiskReportView {
    let mut changes: Vec<RiskEntry> = contexts
        .iter()
        .filter(|cx| cx.change.status.value.is_active())
        .map(|cx| {
            // Most serious first; ties keep the report order.
            let mut worst: Vec<&crate::base::Finding> = cx.findings.clone();
            worst.sort_by_key(|f| std::cmp::Reverse(f.level));
            RiskEntry {
                row: cx.row("../"),
                findings: worst
                    .iter()
                    .take(RISK_FINDINGS)
                    .map(|f| finding_view(checked, f))
                    .collect(),
                more_findings: worst.len().saturating_sub(RISK_FINDINGS),
            }
        })
        .collect();
    let score = |e: &RiskEntry| e.row.risk.as_ref().map_or(0, |r| r.score);
    changes.sort_by(|a, b| {
        score(b)
            .cmp(&score(a))
            .then_with(|| a.row.link.id.cmp(&b.row.link.id))
    });
    RiskReportView { changes }
}
