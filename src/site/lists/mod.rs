//! Render stage: views of the index pages (dashboard, change list, system
//! list, risk report) and of each system's page; the calendar's are in
//! `site/calendar/`. One file per page family: `dashboard`, `risks` and
//! `systems` (the systems index and each system's page); the change list and
//! the pager of the paged lists (the risk report, the lists of changes and
//! of systems) are here.

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

use serde::Serialize;

use crate::site::views::{ChangeCtx, ChangeRow};

/// The list of every change, by first start (cut into pages of
/// [`LIST_PAGE`] by the caller: [`list_page`]).
pub fn changes_view(contexts: &[ChangeCtx]) -> Vec<ChangeRow> {
    let mut rows: Vec<ChangeRow> = contexts.iter().map(|cx| cx.row("../")).collect();
    rows.sort_by(ChangeRow::by_start);
    rows
}

/// Rows per page of the lists of changes and of systems: the list of
/// 20,000 changes is 40 pages of about 300 KB, not one of 12 MB.
pub const LIST_PAGE: usize = 500;

/// Pages the pager names on each side of the current one.
pub const PAGER_REACH: usize = 2;

/// How many pages a list of `total` rows has (at least 1).
pub fn list_page_count(total: usize) -> usize {
    total.div_ceil(LIST_PAGE).max(1)
}

/// The file name of page `number` (from 1) of a list, relative to its
/// folder (`changes/`, `systems/`): `index.html`, then `page-2.html`...
pub fn list_page_file(number: usize) -> String {
    if number <= 1 {
        "index.html".into()
    } else {
        format!("page-{number}.html")
    }
}

/// Page `number` (from 1) of the list `rows`, and its pager when the list
/// has more than one page (a list of one page is written as it always
/// was, with no pager).
pub fn list_page<T: Clone>(rows: &[T], number: usize) -> (Vec<T>, Option<Pager>) {
    let count = list_page_count(rows.len());
    let number = number.clamp(1, count);
    let from = ((number - 1) * LIST_PAGE).min(rows.len());
    let to = (from + LIST_PAGE).min(rows.len());
    let pager =
        (count > 1).then(|| Pager::new(number, count, from, to, rows.len(), list_page_file));
    (rows[from..to].to_vec(), pager)
}

/// The place of a page among the pages of a list, and links to the others.
#[derive(Serialize, Clone)]
pub struct Pager {
    /// This page's number, from 1.
    pub number: usize,
    /// How many pages the list has (at least 1).
    pub count: usize,
    /// Entries in the whole list.
    pub total: usize,
    /// The rank (from 1) of this page's first entry; 0 on the one page of
    /// an empty list.
    pub first: usize,
    /// The rank of this page's last entry; 0 likewise.
    pub last: usize,
    /// The previous page's file name (relative to the list's folder).
    pub prev: Option<String>,
    /// The next page's file name.
    pub next: Option<String>,
    /// The pages the pager names: the first, the last, and those within
    /// [`PAGER_REACH`] of this one, in order.
    pub links: Vec<PageLink>,
}

/// A page named by the pager.
#[derive(Serialize, Clone)]
pub struct PageLink {
    /// Its number, from 1.
    pub number: usize,
    /// Its file name, relative to the list's folder.
    pub href: String,
    /// Whether it is the page showing the pager.
    pub current: bool,
    /// Whether pages are left out between the previous link and this one.
    pub gap_before: bool,
}

impl Pager {
    /// Page `number` of `count`, showing entries `from..to` of `total`,
    /// its pages named by `file`.
    pub fn new(
        number: usize,
        count: usize,
        from: usize,
        to: usize,
        total: usize,
        file: fn(usize) -> String,
    ) -> Pager {
        let named = |n: usize| n == 1 || n == count || n.abs_diff(number) <= PAGER_REACH;
        let mut links = Vec::new();
        let mut last = 0;
        for n in (1..=count).filter(|&n| named(n)) {
            links.push(PageLink {
                number: n,
                href: file(n),
                current: n == number,
                gap_before: n > last + 1,
            });
            last = n;
        }
        Pager {
            number,
            count,
            total,
            first: if to > from { from + 1 } else { 0 },
            last: to,
            prev: (number > 1).then(|| file(number - 1)),
            next: (number < count).then(|| file(number + 1)),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_one_page_has_no_pager_and_a_longer_one_is_cut() {
        let rows: Vec<usize> = (0..LIST_PAGE).collect();
        let (page, pager) = list_page(&rows, 1);
        assert_eq!(page.len(), LIST_PAGE);
        assert!(pager.is_none());
        let rows: Vec<usize> = (0..2 * LIST_PAGE + 1).collect();
        assert_eq!(list_page_count(rows.len()), 3);
        let (page, pager) = list_page(&rows, 3);
        assert_eq!(page, [2 * LIST_PAGE]);
        let pager = pager.unwrap();
        assert_eq!((pager.first, pager.last, pager.total), (1001, 1001, 1001));
        assert_eq!(pager.prev.as_deref(), Some("page-2.html"));
        assert_eq!(pager.next, None);
        let (page, pager) = list_page(&rows, 1);
        assert_eq!(page.first(), Some(&0));
        assert_eq!(pager.unwrap().next.as_deref(), Some("page-2.html"));
        assert_eq!(list_page_file(1), "index.html");
    }
}
