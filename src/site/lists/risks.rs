//! Render stage: the risk report for the approval board, in pages of
//! [`RISK_PAGE`] changes: `risks/index.html` (the highest risks) and
//! `risks/page-2.html`, `risks/page-3.html`... Each page holds its changes'
//! terms and findings, the count of active changes by level and a pager, so
//! no page grows with the inventory.

use serde::Serialize;

use crate::check::Checked;
use crate::site::lists::{Pager, RiskCount, list_page_file, risk_counts};
use crate::site::views::{ChangeCtx, ChangeRow, FindingView, finding_view};

/// One page of the risk report: its active changes by score, highest
/// first, with terms and findings.
#[derive(Serialize)]
pub struct RiskReportView {
    /// This page's active changes, highest score first, then by id: a row
    /// of the overview table and a section each.
    pub changes: Vec<RiskEntry>,
    /// Where this page stands among the report's pages.
    pub pager: Pager,
    /// Active changes of the whole report per risk level, highest first
    /// (levels with none left out).
    pub by_level: Vec<RiskCount>,
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

/// Changes per page of the risk report.
pub const RISK_PAGE: usize = 100;

/// The order of the risk report, made once for all its pages.
pub struct RiskOrder {
    /// The active changes (indices into the model's changes), highest
    /// score first, then by id.
    pub changes: Vec<usize>,
    /// Their counts per risk level, highest first (levels with none left
    /// out).
    pub by_level: Vec<RiskCount>,
}

/// The active changes in the order of the risk report, and their counts by
/// level.
pub fn risk_order(checked: &Checked) -> RiskOrder {
    let model = &checked.model;
    let score = |ix: usize| checked.risks.get(ix).map_or(0, |r| r.score);
    let mut changes: Vec<usize> = (0..model.changes.len())
        .filter(|&ix| model.changes[ix].status.value.is_active())
        .collect();
    changes.sort_by(|&a, &b| {
        score(b)
            .cmp(&score(a))
            .then_with(|| model.changes[a].id.value.cmp(&model.changes[b].id.value))
    });
    let by_level = risk_counts(
        changes
            .iter()
            .filter_map(|&ix| checked.risks.get(ix).map(|r| r.level)),
    );
    RiskOrder { changes, by_level }
}

/// How many pages a report of `total` active changes has.
pub fn risk_page_count(total: usize) -> usize {
    total.div_ceil(RISK_PAGE).max(1)
}

/// The file name of page `number` (from 1), relative to `risks/`.
pub fn risk_page_file(number: usize) -> String {
    list_page_file(number)
}

/// Page `number` (from 1) of the risk report in `order`, each change with
/// its most serious findings.
pub fn risk_report(
    checked: &Checked,
    contexts: &[ChangeCtx],
    order: &RiskOrder,
    number: usize,
) -> RiskReportView {
    let by_level = order.by_level.clone();
    let order = &order.changes;
    let count = risk_page_count(order.len());
    let number = number.clamp(1, count);
    let from = ((number - 1) * RISK_PAGE).min(order.len());
    let to = (from + RISK_PAGE).min(order.len());
    let changes = order[from..to]
        .iter()
        .map(|&ix| {
            let cx = &contexts[ix];
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
    RiskReportView {
        changes,
        pager: pager(number, count, from, to, order.len()),
        by_level,
    }
}

fn pager(number: usize, count: usize, from: usize, to: usize, total: usize) -> Pager {
    Pager::new(number, count, from, to, total, risk_page_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_named_and_counted() {
        assert_eq!(risk_page_count(0), 1);
        assert_eq!(risk_page_count(RISK_PAGE), 1);
        assert_eq!(risk_page_count(RISK_PAGE + 1), 2);
        assert_eq!(risk_page_file(1), "index.html");
        assert_eq!(risk_page_file(3), "page-3.html");
    }

    #[test]
    fn the_pager_names_the_ends_and_the_pages_near_this_one() {
        let p = pager(10, 20, 900, 1000, 1950);
        let numbers: Vec<usize> = p.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 8, 9, 10, 11, 12, 20]);
        let gaps: Vec<bool> = p.links.iter().map(|l| l.gap_before).collect();
        assert_eq!(gaps, [false, true, false, false, false, false, true]);
        assert!(p.links.iter().filter(|l| l.current).all(|l| l.number == 10));
        assert_eq!((p.first, p.last, p.total), (901, 1000, 1950));
        assert_eq!(p.prev.as_deref(), Some("page-9.html"));
        assert_eq!(p.next.as_deref(), Some("page-11.html"));
        // The pager's size does not grow with the pages.
        assert_eq!(pager(1, 10_000, 0, 100, 999_999).links.len(), 4);
        let one = pager(1, 1, 0, 0, 0);
        assert_eq!(
            (one.first, one.last, one.prev, one.next),
            (0, 0, None, None)
        );
        assert_eq!(one.links.len(), 1);
        assert!(!one.links[0].gap_before);
    }
}
