//! Render stage: views of the index pages (dashboard, change list, system
//! list, risk report) and of each system's page; the calendar's are in
//! `site/calendar/`. One file per page family: `dashboard`, `risks` and
//! `systems` (the systems index and each system's page); the change list is
//! here.

mod dashboard;
mod risks;
mod systems;

pub use dashboard::{FlaggedRow, IndexView, RiskCount, index_view, risk_counts};
pub use risks::{
    RISK_FINDINGS, RISK_PAGE, RiskEntry, RiskOrder, RiskReportView, risk_order, risk_page_count,
    risk_page_file, risk_report,
};
pub use systems::{
    HealthInfo, ImpactedBy, IntegrationRow, SystemIndex, SystemRow, SystemView, system_view,
    systems_view,
};

use crate::site::views::{ChangeCtx, ChangeRow};

/// The list of every change, by first start.
pub fn changes_view(contexts: &[ChangeCtx]) -> Vec<ChangeRow> {
    let mut rows: Vec<ChangeRow> = contexts.iter().map(|cx| cx.row("../")).collect();
    rows.sort_by(ChangeRow::by_start);
    rows
}
